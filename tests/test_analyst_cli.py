"""`timeline entity`, `path`, `stats` and `export` as a user runs them (Click's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline import resources
from timeline.case.loader import load_case
from timeline.cli import cli


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def case():
    return load_case(resources.sample_case_dir())[0]


def run(graph: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--graph", str(graph)])


def test_entity_profile_by_alias(graph) -> None:
    result = run(graph, "entity", "ICE")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("U.S. Immigration and Customs Enforcement (government agency) — ice")
    assert "Amazon Web Services pitches Rekognition to ICE in California  [target]" in result.stdout
    assert "ICE has no current contract with Amazon." in result.stdout  # a claim made on ICE's behalf


def test_entity_json_lists_events_in_date_order(graph, case) -> None:
    profile = json.loads(run(graph, "entity", "amazon", "--format", "json").stdout)
    assert profile["wikidata_url"] == "https://www.wikidata.org/wiki/Q3884"
    ids = [e["id"] for e in profile["events"]]
    assert set(ids) == {e.id for e in case.events.values() if any(p.entity == "amazon" for p in e.participants)}
    sorts = [e["sort"] for e in profile["events"]]
    assert sorts == sorted(sorts)


def test_unknown_entity_suggests(graph) -> None:
    result = run(graph, "entity", "amazn")
    assert result.exit_code == 1 and "did you mean" in result.stderr and "amazon" in result.stderr
    assert "Traceback" not in result.output


def test_path_from_the_aclu_to_ice_cites_each_hop(graph, case) -> None:
    data = json.loads(run(graph, "path", "ACLU", "ICE", "--format", "json").stdout)
    assert data["from"] == "aclu" and data["to"] == "ice" and data["paths"]
    for hops in data["paths"]:
        assert hops[0]["from_id"] == "aclu" and hops[-1]["to_id"] == "ice"
        for hop, following in zip(hops, hops[1:], strict=False):
            assert hop["to_id"] == following["from_id"]
        for hop in hops:
            citation = hop["citation"]
            assert citation["quote"] in case.sources[citation["source"]].text
    text = run(graph, "path", "ACLU", "ICE", "--limit", "1").stdout
    assert text.startswith("Path 1 (1 hop):")  # Guliani's statement to Mashable, for the ACLU
    assert "Neema Singh Guliani" in text


def test_not_connected_is_an_answer(graph) -> None:
    result = run(graph, "path", "Black Lives Matter", "ICE")
    assert result.exit_code == 0
    assert "are not connected within 4 hops" in result.stdout


def test_stats_adds_up(graph, case) -> None:
    data = json.loads(run(graph, "stats", "--format", "json").stdout)
    assert data["totals"]["events"] == len(case.events)
    assert sum(data["sources_per_event"].values()) == len(case.events)
    assert sum(data["events_per_year"].values()) == len(case.events)
    assert data["central_actors"][0]["id"] == "amazon"
    assert run(graph, "stats").exit_code == 0


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "jsonld", "graphml", "gexf", "timelinejs"])
def test_export_writes_each_format(graph, tmp_path, fmt) -> None:
    out = tmp_path / f"case.{fmt}"
    result = run(graph, "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}\n" and out.stat().st_size > 0


def test_export_csv_writes_two_files(graph, tmp_path) -> None:
    result = run(graph, "export", "--format", "csv", "-o", str(tmp_path / "case.csv"))
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case-entities.csv", "case-events.csv"]


def test_a_view_from_turtle_keeps_its_citations(graph, tmp_path) -> None:
    from timeline.stores import OxigraphStore
    from timeline.views.model import load_view

    ttl = tmp_path / "case.ttl"
    assert run(graph, "export", "--format", "turtle", "-o", str(ttl)).exit_code == 0
    store = OxigraphStore()
    import pyoxigraph as ox

    store.store.load(path=str(ttl), format=ox.RdfFormat.TURTLE)
    meeting = next(e for e in load_view(store).events if e.id == "amazon-ice-meeting-2018-06")
    assert len(meeting.citations) == 5
