"""`timeline query ... --view timeline|graph`: any SELECT result as an interactive page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser import visit
from click.testing import CliRunner
from test_saved_queries import run

from timeline.cli import cli
from timeline.stores import open_store
from timeline.views.model import load_view
from timeline.views.resultview import to_graph_view, to_timeline_view


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def store(graph):
    return open_store(graph)


def test_events_of_the_case_keep_their_dates_and_citations(store) -> None:
    result = run(store, "actor-timeline", actor="ice")
    converted = to_timeline_view(result, load_view(store), "ICE")
    assert len(converted.view.events) == len(result.rows) and converted.skipped == 0
    meeting = next(e for e in converted.view.events if e.id == "amazon-ice-meeting-2018-06")
    assert meeting.edtf == "2018-06" and meeting.date_label == "June 2018"
    assert meeting.citations  # the full event, not just the row


def test_date_and_group_columns_follow_the_conventions(store) -> None:
    result = store.query("""SELECT ?item ?label ?start ?group WHERE {
        ?item a tl:Event ; rdfs:label ?label ; tl:eventType/skos:prefLabel ?group .
        OPTIONAL { ?item sem:hasEarliestBeginTimeStamp ?start } }""")
    converted = to_timeline_view(result, load_view(store), "By type")
    open_start = sum(1 for r in result.rows if "start" not in r and r["item"].value.rsplit("/", 1)[-1]
                     not in {e.id for e in load_view(store).events})
    assert converted.skipped == open_start
    lanes = {e.type_labels[0] for e in converted.view.events}
    assert lanes == {r["group"].value for r in result.rows if any(
        e.type_labels == [r["group"].value] for e in converted.view.events)}
    assert all(e.type_labels for e in converted.view.events)


def test_graph_view_links_the_iri_columns_of_each_row(store) -> None:
    result = run(store, "who-met-whom")
    converted = to_graph_view(result, load_view(store), "Who met whom")
    assert {"amazon", "amazon-web-services", "ice"} <= set(converted.view.entities)
    pairs = {(r["from"], r["to"]) for r in converted.view.relations()}
    assert ("amazon-web-services", "ice") in pairs and ("amazon", "ice") in pairs
    assert ("amazon-ice-meeting-2018-06", "amazon") in pairs  # ?event -> ?side -> ?met


def test_cli_writes_the_page_and_counts_rows(graph, tmp_path) -> None:
    out = tmp_path / "ice.html"
    result = CliRunner().invoke(cli, ["query", "--graph", str(graph), "actor-timeline", "-p", "actor=ICE",
                                      "--view", "timeline", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r"wrote .*: 9 item\(s\) from 9 row\(s\)", result.stdout)
    data = re.search(r'<script type="application/json" id="timeline-data">(.*?)</script>',
                     out.read_text(encoding="utf-8"), re.S)
    assert len(json.loads(data.group(1))["events"]) == 9


def test_a_single_iri_column_still_shows_its_nodes(store) -> None:
    result = store.query("SELECT ?e WHERE { ?e a tl:PoliceDepartment }")
    converted = to_graph_view(result, load_view(store), "Police")
    shown = {p.id for e in converted.view.events for p in e.participants}
    assert shown == {r["e"].value.rsplit("/", 1)[-1] for r in result.rows}


@pytest.mark.parametrize(("args", "fragment"), [
    (["who-met-whom", "--view", "graph"], "--view needs -o"),
    (["CONSTRUCT { ?s ?p ?o } WHERE { ?s a tl:Event ; ?p ?o } LIMIT 1", "--view", "graph", "-o", "x.html"],
     "needs a SELECT"),
    (["SELECT ?x WHERE { VALUES ?x { 1 } }", "--view", "timeline", "-o", "x.html"], "date column"),
])
def test_view_errors(graph, tmp_path, args, fragment) -> None:
    args = [a.replace("x.html", str(tmp_path / "x.html")) for a in args]
    result = CliRunner().invoke(cli, ["query", "--graph", str(graph), *args])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert fragment in result.output


def test_the_result_page_opens_in_chromium(browser, graph, tmp_path) -> None:
    out = tmp_path / "window.html"
    result = CliRunner().invoke(cli, ["query", "--graph", str(graph), "events-in-window", "-p", "from=2018-05",
                                      "-p", "to=2018-06", "--view", "timeline", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = int(re.search(r"from (\d+) row", result.stdout).group(1))
    with visit(browser, out.as_uri(), wait_for=".vis-item") as v:
        shown = v.page.locator("#tl-twin-list > li").count()  # the list a reader sees (not the print handout)
        assert shown == rows
        assert v.requests == [] and not v.page_errors
