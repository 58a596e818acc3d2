"""`timeline render timeline|graph` as a user runs them (Click's CliRunner)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.cli import cli


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


def render(graph: Path, kind: str, out: Path, *args: str):
    return CliRunner().invoke(cli, ["render", kind, "--graph", str(graph), "-o", str(out), *args])


def page_data(html: str, element_id: str) -> dict:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_render_timeline_writes_one_file_with_every_event(graph, tmp_path) -> None:
    out = tmp_path / "t.html"
    result = render(graph, "timeline", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    html = out.read_text(encoding="utf-8")
    assert len(page_data(html, "timeline-data")["events"]) == 45
    assert not list(tmp_path.glob(".t.html.*"))  # written atomically, nothing left behind


def test_filters_are_applied_and_recorded(graph, tmp_path) -> None:
    out = tmp_path / "ice.html"
    result = render(graph, "timeline", out, "--actor", "ICE", "--from", "2018-06", "--to", "2018-06",
                    "--group-by", "type")
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"), "timeline-data")
    ids = {e["id"] for e in data["events"]}
    assert "amazon-ice-meeting-2018-06" in ids and "aclu-report-2018-05" not in ids
    assert all(any(p["id"] == "ice" for p in e["participants"]) for e in data["events"])
    assert data["filters"] == {"actors": ["ice"], "from": "2018-06-01", "to": "2018-06-30", "types": []}
    studies = tmp_path / "s.html"
    assert render(graph, "timeline", studies, "--type", "study").exit_code == 0
    assert {e["id"] for e in page_data(studies.read_text(encoding="utf-8"), "timeline-data")["events"]} == {
        "georgetown-study-2016", "mit-microsoft-study-2018", "nist-demographic-study-2019"}


def test_render_graph_with_focus(graph, tmp_path) -> None:
    out = tmp_path / "g.html"
    result = render(graph, "graph", out, "--focus", "ICE", "--depth", "1")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "U.S. Immigration and Customs Enforcement" in html
    assert "graph-data" in html


def test_embed_snippet_goes_to_stdout(graph, tmp_path) -> None:
    out = tmp_path / "embed.html"
    result = render(graph, "timeline", out, "--embed-snippet")
    assert result.exit_code == 0
    assert result.stdout.startswith('<iframe id="timeline-')
    assert 'src="embed.html"' in result.stdout and "width:100%" in result.stdout
    assert "wrote" in result.stderr  # the status line stays out of the snippet


def test_same_options_give_identical_files(graph, tmp_path) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    for kind in ("timeline", "graph"):
        assert render(graph, kind, a).exit_code == 0 and render(graph, kind, b).exit_code == 0
        assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize(("args", "fragment"), [
    (["--actor", "amazn"], "did you mean 'amazon'"),
    (["--type", "meetng"], "did you mean 'meeting'"),
    (["--from", "2018-13"], "month 13"),
    (["--from", "2019", "--to", "2018"], "before --from"),
])
def test_bad_filters_fail_with_one_line(graph, tmp_path, args, fragment) -> None:
    result = render(graph, "timeline", tmp_path / "x.html", *args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert fragment in result.output
    assert not (tmp_path / "x.html").exists()


def test_unknown_focus_is_an_error(graph, tmp_path) -> None:
    result = render(graph, "graph", tmp_path / "g.html", "--focus", "amazn")
    assert result.exit_code == 1 and "did you mean 'amazon'" in result.stderr


def test_unwritable_output_is_one_line(graph, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = render(graph, "timeline", blocker / "t.html")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot write" in result.stderr


def test_missing_graph_says_to_build(tmp_path) -> None:
    result = render(tmp_path / "none.nq", "timeline", tmp_path / "t.html")
    assert result.exit_code == 1 and "run `timeline build` first" in result.stderr


def test_timeline_theme_accent_title_and_lanes(graph, tmp_path) -> None:
    out = tmp_path / "t.html"
    result = render(graph, "timeline", out, "--theme", "contrast", "--accent", "#0A7", "--no-title")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en" class="tl-no-js" data-theme="contrast">' in html
    assert '<h1 id="tl-title" class="tl-visually-hidden">' in html
    assert "--tl-accent: #00aa77;" in html  # #0A7 in the light theme: readable on white as it is
    assert page_data(html, "timeline-config")["groupBy"] == "none"  # auto, for the sample
    by_actor = tmp_path / "actors.html"
    assert render(graph, "timeline", by_actor, "--group-by", "actor").exit_code == 0
    assert page_data(by_actor.read_text(encoding="utf-8"), "timeline-config")["groupBy"] == "actor"


@pytest.mark.parametrize("value", ["red", "#12", "#12345g", "rgb(0,0,0)"])
def test_bad_accent_is_one_line_naming_the_option(graph, tmp_path, value) -> None:
    result = render(graph, "timeline", tmp_path / "x.html", "--accent", value)
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines == [f"timeline: error: --accent {value} is not a colour: write it as #rgb or #rrggbb, "
                     "such as #0b57d0"]
    assert not (tmp_path / "x.html").exists()


def test_bad_theme_is_refused(graph, tmp_path) -> None:
    result = render(graph, "timeline", tmp_path / "x.html", "--theme", "sepia")
    assert result.exit_code == 2 and "--theme" in result.output and "sepia" in result.output
    assert not (tmp_path / "x.html").exists()
