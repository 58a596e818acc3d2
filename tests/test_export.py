"""Exports of the sample case, each re-read by an independent parser.

RDF formats are re-parsed by rdflib (and pyoxigraph for TriG and N-Quads) and re-imported into a store that
must give the same answers to the saved queries; CSV is read back with the ``csv`` module; GraphML and GEXF
with networkx; TimelineJS with ``json`` and a structural check against the published format.
"""

from __future__ import annotations

import base64
import codecs
import csv
import dataclasses
import functools
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from test_media import add_media, png, write_image
from test_saved_queries import run

from timeline import export as ex
from timeline import resources
from timeline.errors import TimelineError
from timeline.query import saved_queries
from timeline.render.media import media_src
from timeline.stores import open_store
from timeline.testing.views import synthetic_view
from timeline.views import network
from timeline.views.model import MediaView, load_view

ICE_MEETING = "amazon-ice-meeting-2018-06"
MORATORIUM = "amazon-moratorium-2020-06"

# rdflib's own TriG and JSON-LD parsers use its deprecated ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def quads(graph) -> list:
    return list(ox.parse(path=str(graph), format=ox.RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def view(graph):
    return load_view(open_store(graph))


@pytest.fixture(scope="module")
def exported(graph, tmp_path_factory) -> dict[str, list[Path]]:
    """Every format, exported once into one directory."""
    out = tmp_path_factory.mktemp("exports")
    return {fmt: ex.export(graph, fmt, out / f"sample{ex.EXTENSIONS[fmt]}") for fmt in ex.FORMATS}


def answers(store) -> dict[str, tuple]:
    """Every saved query's answer with the parameters of tests/test_saved_queries.py."""
    out = {}
    for name in saved_queries.saved_queries():
        result = run(store, name)
        out[name] = (result.variables, result.rows)
    return out


@pytest.fixture(scope="module")
def original_answers(graph) -> dict[str, tuple]:
    return answers(open_store(graph))


def graph_names(dataset: Dataset) -> set[str]:
    default = dataset.default_graph.identifier
    return {str(g.identifier) for g in dataset.graphs() if g.identifier != default and len(g)}


# ------------------------------------------------------------------ every format


@pytest.mark.parametrize("fmt", ex.FORMATS)
def test_every_format_writes_nonempty_files(exported, fmt) -> None:
    paths = exported[fmt]
    assert paths and all(p.is_file() and p.stat().st_size > 0 for p in paths)
    if fmt == "csv":
        assert [p.name for p in paths] == ["sample-events.csv", "sample-entities.csv"]
    else:
        assert [p.name for p in paths] == [f"sample{ex.EXTENSIONS[fmt]}"]
    assert not [p for p in paths[0].parent.iterdir() if p.name.endswith(".tmp")]


def test_turtle_has_every_distinct_triple_and_the_case_prefixes(exported, quads) -> None:
    distinct = {(q.subject, q.predicate, q.object) for q in quads}
    parsed = Graph().parse(exported["turtle"][0], format="turtle")
    assert len(parsed) == len(distinct)
    assert len(list(ox.parse(path=str(exported["turtle"][0]), format=ox.RdfFormat.TURTLE))) == len(distinct)
    text = exported["turtle"][0].read_text(encoding="utf-8")
    for prefix in ("tl", "dcterms", "oa", "entity", "event", "claim", "source"):
        assert f"@prefix {prefix}: <" in text
    assert f"event:{ICE_MEETING} a tl:Event" in text


def test_trig_keeps_the_seven_named_graphs(exported, quads) -> None:
    path = exported["trig"][0]
    dataset = Dataset()
    dataset.parse(path, format="trig")
    assert len(list(dataset.quads((None, None, None, None)))) == len(quads)
    names = graph_names(dataset)
    assert len(names) == 7
    assert {n.rsplit("/", 1)[-1] for n in names} >= {"curated", "ontology", "bloomberg-2018-10-23"}
    reparsed = set(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    assert reparsed == set(quads)  # blank node labels are kept, so the sets are equal


def test_nquads_lines_are_sorted_and_complete(exported, quads) -> None:
    path = exported["nquads"][0]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(quads)
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    assert len(list(dataset.quads((None, None, None, None)))) == len(quads)
    assert set(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)) == set(quads)


def test_jsonld_is_compact_with_the_project_context_and_named_graphs(exported, quads) -> None:
    path = exported["jsonld"][0]
    doc = json.loads(path.read_text(encoding="utf-8"))
    context = json.loads((resources.ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert isinstance(doc["@context"], dict)
    assert {k: doc["@context"][k] for k in context} == context
    assert doc["@context"]["event"].endswith("/rekognition/event/")
    assert len(doc["@graph"]) == 7 and all("@graph" in node for node in doc["@graph"])
    curated = next(node for node in doc["@graph"] if node["id"] == "graph:curated")
    meeting = next(node for node in curated["@graph"] if node["id"] == f"event:{ICE_MEETING}")
    assert meeting["type"] == "Event" and meeting["edtf"] == "2018-06"  # readable terms, not full IRIs
    dataset = Dataset()
    dataset.parse(path, format="json-ld")
    assert len(list(dataset.quads((None, None, None, None)))) == len(quads)
    assert len(graph_names(dataset)) == 7


# ------------------------------------------------------------------ round trips


def _reimport(nquads: bytes, tmp_path: Path, backend: str = "oxigraph"):
    path = tmp_path / "reimported.nq"
    path.write_bytes(nquads)
    return open_store(path, backend)


def test_turtle_round_trip_answers_the_saved_queries_the_same(exported, quads, original_answers, tmp_path) -> None:
    parsed = Graph().parse(exported["turtle"][0], format="turtle")  # an independent parser
    store = _reimport(parsed.serialize(format="nt", encoding="utf-8"), tmp_path)  # all in the default graph
    assert len(store) == len({(q.subject, q.predicate, q.object) for q in quads})
    again = answers(store)
    for name in sorted(original_answers):
        if name == "source-says":  # it asks for the named graphs, which Turtle does not keep
            assert again[name][1] == []
            continue
        assert again[name] == original_answers[name], name
    assert original_answers["event-sources"][1] and original_answers["claims-about"][1]


def test_trig_round_trip_answers_every_saved_query_the_same(exported, quads, original_answers, tmp_path) -> None:
    dataset = Dataset()
    dataset.parse(exported["trig"][0], format="trig")
    store = _reimport(dataset.serialize(format="nquads", encoding="utf-8"), tmp_path)
    assert len(store) == len(quads)
    assert answers(store) == original_answers


def test_turtle_round_trip_on_the_memory_engine(exported, original_answers, tmp_path) -> None:
    parsed = Graph().parse(exported["turtle"][0], format="turtle")
    store = _reimport(parsed.serialize(format="nt", encoding="utf-8"), tmp_path, "memory")
    again = answers(store)
    assert {k: v for k, v in again.items() if k != "source-says"} == {
        k: v for k, v in original_answers.items() if k != "source-says"}


# ------------------------------------------------------------------ determinism


def test_exporting_twice_gives_identical_bytes(graph, exported, tmp_path) -> None:
    for fmt in ex.FORMATS:
        again = ex.export(graph, fmt, tmp_path / f"sample{ex.EXTENSIONS[fmt]}")
        assert [p.read_bytes() for p in again] == [p.read_bytes() for p in exported[fmt]], fmt


def test_exports_do_not_depend_on_the_hash_seed(graph, exported, tmp_path) -> None:
    # Another process with another hash seed: set and dict orders differ, the bytes must not.
    code = ("import sys; from pathlib import Path; from timeline import export as ex\n"
            "for f in ex.FORMATS: ex.export(Path(sys.argv[1]), f, Path(sys.argv[2]) / f'sample{ex.EXTENSIONS[f]}')")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(graph), str(tmp_path)], check=True, env=env,
                   cwd=Path(ex.__file__).resolve().parents[1])
    for fmt in ex.FORMATS:
        for path in exported[fmt]:
            assert (tmp_path / path.name).read_bytes() == path.read_bytes(), fmt


def test_exports_do_not_depend_on_the_day(graph, exported, tmp_path, monkeypatch) -> None:
    """The README promises the same bytes for the same graph: no export may stamp the day it was made
    (networkx's GEXF writer puts today's date in ``lastmodifieddate``). The clock is moved years ahead."""
    import time

    later = time.time() + 3000 * 86400
    real_strftime, real_localtime, real_gmtime = time.strftime, time.localtime, time.gmtime
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda t=None: real_localtime(later if t is None else t))
    monkeypatch.setattr(time, "gmtime", lambda t=None: real_gmtime(later if t is None else t))
    monkeypatch.setattr(time, "strftime", lambda f, t=None: real_strftime(f, real_localtime(later) if t is None else t))
    assert time.strftime("%Y-%m-%d") != real_strftime("%Y-%m-%d")
    for fmt in ex.FORMATS:
        again = ex.export(graph, fmt, tmp_path / f"sample{ex.EXTENSIONS[fmt]}")
        assert [p.read_bytes() for p in again] == [p.read_bytes() for p in exported[fmt]], fmt
    assert b"lastmodifieddate" not in exported["gexf"][0].read_bytes()  # optional in the GEXF schema


# ------------------------------------------------------------------ CSV


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_events_and_entities(exported, view) -> None:
    events_path, entities_path = exported["csv"]
    events = read_csv(events_path)
    assert len(events) == len(view.events)
    assert list(events[0]) == list(ex.EVENT_COLUMNS)
    assert [r["id"] for r in events] == [e.id for e in view.events]  # date order, as the view
    meeting = next(r for r in events if r["id"] == ICE_MEETING)
    assert meeting["edtf"] == "2018-06" and meeting["date_label"] == "June 2018"
    assert (meeting["earliest_begin"], meeting["latest_end"]) == ("2018-06-01", "2018-06-30")
    assert "ice:target" in meeting["participants"].split("; ")
    assert meeting["types"] == "meeting; pitch" and meeting["place"] == "California"
    assert int(meeting["citations"]) == 5
    assert meeting["sources"].split("; ") == ["bloomberg-2018-10-23", "mashable-2018-10-23", "newscomau-2020-06"]
    entities = read_csv(entities_path)
    assert list(entities[0]) == list(ex.ENTITY_COLUMNS)
    assert [r["id"] for r in entities] == sorted(view.entities)
    aclu = next(r for r in entities if r["id"] == "aclu")
    assert (aclu["aliases"], aclu["wikidata"], aclu["kind"]) == ("ACLU", "Q21637", "AdvocacyGroup")


def test_csv_text_cannot_become_a_spreadsheet_formula(tmp_path, graph) -> None:
    view = synthetic_view(3)
    view.events[0].label = '=HYPERLINK("http://evil.example","click")'
    events_path, _ = ex.export(graph, "csv", tmp_path / "x.csv", view=view)
    row = read_csv(events_path)[0]
    assert row["label"].startswith("'=")


def test_csv_for_excel_starts_with_a_byte_order_mark_and_is_otherwise_the_same(graph, exported, tmp_path) -> None:
    """Excel reads a CSV without a byte-order mark in the system's code page (Windows-1252 in the west): the
    en dash of "10 June 2020 – June 2021" turns into "â€“". With the mark it reads UTF-8."""
    from click.testing import CliRunner

    from timeline.cli import cli

    plain = [p.read_bytes() for p in exported["csv"]]
    result = CliRunner().invoke(cli, ["export", "--graph", str(graph), "--format", "csv", "--excel",
                                      "-o", str(tmp_path / "sample.csv")])
    assert result.exit_code == 0, result.output
    excel = [(tmp_path / p.name).read_bytes() for p in exported["csv"]]
    for with_mark, without in zip(excel, plain, strict=True):
        assert with_mark == codecs.BOM_UTF8 + without  # the mark, then the very same bytes
        assert not without.startswith(codecs.BOM_UTF8)  # without --excel nothing changes
    assert "–" in plain[0].decode("utf-8") and "â€“" in plain[0].decode("cp1252", errors="replace")
    rows = list(csv.DictReader(io.StringIO(excel[0].decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(ex.EVENT_COLUMNS)  # the first header is "id", not "\ufeffid"
    assert any("–" in r["date_label"] for r in rows)


def test_excel_is_only_for_csv(graph, tmp_path) -> None:
    from click.testing import CliRunner

    from timeline.cli import cli

    with pytest.raises(TimelineError, match="excel=True is for the csv format, not gexf"):
        ex.export(graph, "gexf", tmp_path / "x.gexf", excel=True)
    result = CliRunner().invoke(cli, ["export", "--graph", str(graph), "--format", "gexf", "--excel",
                                      "-o", str(tmp_path / "x.gexf")])
    assert result.exit_code != 0 and "--excel is for the csv format, not gexf" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "x.gexf").exists()


# ------------------------------------------------------------------ GraphML and GEXF


@pytest.mark.parametrize("projection", ex.PROJECTIONS)
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_files_reread_with_typed_attributes(graph, view, tmp_path, fmt, projection) -> None:
    (path,) = ex.export(graph, fmt, tmp_path / f"net.{fmt}", projection=projection)
    reread = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    build = {"coparticipation": network.coparticipation_graph, "actor-event": network.actor_event_graph,
             "relation": network.relation_graph}[projection]
    expected = build(view)
    assert set(map(str, reread.nodes)) == set(map(str, expected.nodes))
    assert reread.number_of_edges() == expected.number_of_edges()
    assert all(isinstance(d.get("label"), str) for _, d in reread.nodes(data=True))
    if projection == "coparticipation":
        counts = nx.get_node_attributes(reread, "event_count")
        assert counts and all(isinstance(v, int) and not isinstance(v, bool) for v in counts.values())
        weights = [d["weight"] for *_, d in reread.edges(data=True)]
        assert weights and all(isinstance(w, int | float) and w >= 1 for w in weights)
        assert max(weights) == max(d["weight"] for *_, d in expected.edges(data=True))
        if fmt == "graphml":
            assert all(isinstance(w, int) for w in weights)
    if projection == "actor-event":
        assert {v for v in nx.get_node_attributes(reread, "bipartite").values()} == {0, 1}
    assert ex.export(graph, fmt, tmp_path / f"again.{fmt}", projection=projection)[0].read_bytes() == \
        path.read_bytes()


GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
XML_TYPE = {int: ("int", "long"), float: ("float", "double"), bool: ("boolean",), str: ("string",)}


@pytest.mark.parametrize("projection", ex.PROJECTIONS)
def test_graphml_declares_each_attribute_once_with_the_type_of_its_values(graph, view, tmp_path, projection) -> None:
    import xml.etree.ElementTree as ET

    (path,) = ex.export(graph, "graphml", tmp_path / "net.graphml", projection=projection)
    keys = ET.parse(path).getroot().findall(f"{GRAPHML}key")
    declared = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(declared) == len(set(declared))  # one key per attribute name
    build = {"coparticipation": network.coparticipation_graph, "actor-event": network.actor_event_graph,
             "relation": network.relation_graph}[projection]
    clean = network.exportable(build(view))
    values = {("node", a): [d[a] for _, d in clean.nodes(data=True) if a in d] for _, d in clean.nodes(data=True)
              for a in d}
    values |= {("edge", a): [d[a] for *_, d in clean.edges(data=True) if a in d] for *_, d in clean.edges(data=True)
               for a in d}
    for key in keys:
        found = {type(v) for v in values.get((key.get("for"), key.get("attr.name")), [])}
        if found:
            assert len(found) == 1 and key.get("attr.type") in XML_TYPE[found.pop()], key.attrib
    ints = [k.get("attr.name") for k in keys if k.get("attr.type") == "long"]
    assert set(ints) == {"coparticipation": {"event_count", "weight"}, "actor-event": {"bipartite"},
                         "relation": set()}[projection]


def test_graphml_integers_arrive_as_numbers_in_igraph_and_as_ints_through_networkx(graph, view, tmp_path) -> None:
    """igraph keeps every number as a double, whatever the declared type: its event counts are 5.0, exact."""
    import igraph

    (path,) = ex.export(graph, "graphml", tmp_path / "net.graphml")
    expected = network.coparticipation_graph(view)
    counts = dict(expected.nodes(data="event_count"))
    weights = sorted(w for *_, w in expected.edges(data="weight"))
    ig = igraph.Graph.Read_GraphML(str(path))
    assert (ig.vcount(), ig.ecount()) == (expected.number_of_nodes(), expected.number_of_edges())
    assert {v["id"]: v["event_count"] for v in ig.vs} == counts
    assert all(float(v["event_count"]).is_integer() for v in ig.vs)
    assert sorted(ig.es["weight"]) == weights
    via_networkx = igraph.Graph.from_networkx(nx.read_graphml(path))
    assert all(type(c) is int for c in via_networkx.vs["event_count"])
    assert all(type(w) is int for w in via_networkx.es["weight"])
    assert {v["_nx_name"]: v["event_count"] for v in via_networkx.vs} == counts


def test_graphml_of_an_attribute_mixing_ints_and_floats_declares_one_double(tmp_path) -> None:
    import igraph

    g = nx.Graph()
    g.add_edge("a", "b", weight=2)
    g.add_edge("b", "c", weight=0.5)
    path = tmp_path / "mixed.graphml"
    network.write_graphml(g, path)
    assert path.read_text(encoding="utf-8").count('attr.name="weight"') == 1
    assert sorted(d["weight"] for *_, d in nx.read_graphml(path).edges(data=True)) == [0.5, 2.0]
    assert sorted(igraph.Graph.Read_GraphML(str(path)).es["weight"]) == [0.5, 2.0]


def test_gexf_names_no_day_and_no_networkx_version(exported) -> None:
    data = exported["gexf"][0].read_bytes()
    assert b"lastmodifieddate" not in data and b"NetworkX" not in data
    assert b"<creator>timeline</creator>" in data
    dates_in_it = set(re.findall(rb"\d{4}-\d{2}-\d{2}", data))
    assert dates_in_it <= set(re.findall(rb'(?:start|end)="(\d{4}-\d{2}-\d{2})"', data))  # only events' dates


def test_unknown_projection_suggests_one(graph, tmp_path) -> None:
    with pytest.raises(TimelineError, match="did you mean 'coparticipation'"):
        ex.export(graph, "graphml", tmp_path / "x.graphml", projection="coparticipaton")


# ------------------------------------------------------------------ TimelineJS


@pytest.fixture(scope="module")
def timeline_doc(exported) -> dict:
    return json.loads(exported["timelinejs"][0].read_text(encoding="utf-8"))


def slide(doc: dict, event_id: str) -> dict:
    return next(s for s in doc["events"] if s["unique_id"] == event_id)


def test_timelinejs_is_valid_and_has_every_event(timeline_doc, view) -> None:
    assert ex.timelinejs_problems(timeline_doc) == []
    assert len(timeline_doc["events"]) == len(view.events)
    assert [s["unique_id"] for s in timeline_doc["events"]] == [e.id for e in view.events]
    assert timeline_doc["title"]["text"]["headline"] == "Amazon Rekognition and law enforcement, 2015–2020"
    assert "start_date" not in timeline_doc["title"]
    assert all(s["autolink"] is False for s in timeline_doc["events"])


def test_timelinejs_dates_honour_the_precision(timeline_doc, view) -> None:
    meeting = slide(timeline_doc, ICE_MEETING)
    assert meeting["start_date"] == {"year": 2018, "month": 6} and "end_date" not in meeting
    assert slide(timeline_doc, "google-photos-tagging-2015")["start_date"] == {"year": 2015}
    assert slide(timeline_doc, "aclu-report-2018-05")["start_date"] == {"year": 2018, "month": 5, "day": 22}
    moratorium = slide(timeline_doc, MORATORIUM)  # 2020-06-10/2021-06
    assert moratorium["start_date"] == {"year": 2020, "month": 6, "day": 10}
    assert moratorium["end_date"] == {"year": 2021, "month": 6}
    ongoing = slide(timeline_doc, "washington-county-uses-rekognition")  # 2017/ : unknown end
    assert ongoing["start_date"] == {"year": 2017} and "end_date" not in ongoing
    assert ongoing["display_date"] == "2017 – unknown end"
    before = slide(timeline_doc, "amazon-markets-rekognition-to-police")  # [..2018-05-22]
    assert before["start_date"] == {"year": 2018, "month": 5, "day": 22} and "end_date" not in before
    assert before["display_date"] == "on or before 22 May 2018"
    assert slide(timeline_doc, "washington-county-employees-question-use")["display_date"] == "about 2017"
    assert moratorium["display_date"] == "10 June 2020 – June 2021"


def test_every_timelinejs_slide_writes_its_date_as_our_pages_do(timeline_doc, view) -> None:
    # Our label on every slide, exact dates too: never the player's "May 22, 2018" next to our "22 May 2018".
    assert [s["display_date"] for s in timeline_doc["events"]] == [e.date_label for e in view.events]
    assert slide(timeline_doc, ICE_MEETING)["display_date"] == "June 2018"
    assert slide(timeline_doc, "aclu-report-2018-05")["display_date"] == "22 May 2018"
    assert slide(timeline_doc, "google-photos-tagging-2015")["display_date"] == "2015"
    assert not [s for s in timeline_doc["events"] if re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", s["display_date"])]


def test_timelinejs_text_cites_the_sources(timeline_doc, view) -> None:
    meeting = slide(timeline_doc, ICE_MEETING)
    event = next(e for e in view.events if e.id == ICE_MEETING)
    text = meeting["text"]["text"]
    assert text.count("<li>") == len(event.citations) == 5
    assert "Bloomberg" in text and "23 October 2018" in text
    assert "U.S. Immigration and Customs Enforcement (target)" in text
    linked = [c for c in event.citations if c.url]
    assert linked and text.count('<a href="https://') == len(linked)


def hostile_view():
    view = synthetic_view(4, seed=3)
    first, second = view.events[0], view.events[1]
    view.events[0] = dataclasses.replace(
        first, label='<img src=x onerror="alert(1)">', description="<script>alert('x')</script> & more",
        citations=[dataclasses.replace(first.citations[0], url="javascript:alert(document.cookie)",
                                       title="<b>Bold</b>", quote='"quoted" <i>text</i>'),
                   dataclasses.replace(first.citations[0], url=" JaVa\tScRiPt:alert(2)", title="tabbed")])
    view.events[1] = dataclasses.replace(
        second, citations=[dataclasses.replace(second.citations[0], url='https://example.org/a?b=1&c="><x',
                                               title="Safe")])
    return view


def test_timelinejs_escapes_hostile_text_and_never_links_javascript(graph, tmp_path) -> None:
    (path,) = ex.export(graph, "timelinejs", tmp_path / "hostile.json", view=hostile_view())
    raw = path.read_text(encoding="utf-8")
    doc = json.loads(raw)
    assert ex.timelinejs_problems(doc) == []
    first, second = doc["events"][0], doc["events"][1]
    assert "<img" not in first["text"]["headline"] and "&lt;img" in first["text"]["headline"]
    assert "<script>" not in first["text"]["text"] and "&lt;script&gt;" in first["text"]["text"]
    assert "<b>" not in first["text"]["text"] and "&lt;b&gt;Bold&lt;/b&gt;" in first["text"]["text"]
    assert "<a " not in first["text"]["text"]  # neither javascript: URL becomes a link
    assert "javascript" not in raw.lower()
    assert '<a href="https://example.org/a?b=1&amp;c=&quot;&gt;&lt;x"' in second["text"]["text"]
    for href in re.findall(r'href="([^"]*)"', raw.replace('\\"', '"')):
        assert href.startswith(("https://", "http://")), href


def test_to_timelinejs_can_group_by_actor_and_follows_the_view_filters(view) -> None:
    doc = ex.to_timelinejs(view, title="Lesson", group_by="actor")
    assert doc["title"]["text"]["headline"] == "Lesson"
    assert slide(doc, ICE_MEETING)["group"] == "Amazon Web Services"
    for none in ("none", None):
        assert all("group" not in s for s in ex.to_timelinejs(view, group_by=none)["events"])
    june = dataclasses.replace(view, events=[e for e in view.events if e.sort.startswith("2018-06")])
    doc = ex.to_timelinejs(june)
    assert ex.timelinejs_problems(doc) == [] and 0 < len(doc["events"]) < len(view.events)


def test_timelinejs_groups_by_type_only_when_the_players_navigation_fits(view) -> None:
    # The sample's events have 24 first types: as groups, the navigation would not fit a 650 px embed.
    assert ex.timelinejs_group_count(view, "type") == 24 > ex.TIMELINEJS_MAX_GROUPS
    assert all("group" not in s for s in ex.to_timelinejs(view)["events"])
    assert "not grouped" in ex.timelinejs_group_note(view, "auto")
    # A lesson on June 2018 has few types: grouped by type, every group a row the player can show.
    june = dataclasses.replace(view, events=[e for e in view.events if e.sort.startswith("2018-06")])
    doc = ex.to_timelinejs(june)
    assert slide(doc, ICE_MEETING)["group"] == "Meeting"
    assert len({s["group"] for s in doc["events"]}) == ex.timelinejs_group_count(june, "type")
    assert 1 < ex.timelinejs_group_count(june, "type") <= ex.TIMELINEJS_MAX_GROUPS
    assert ex.timelinejs_group_note(june, "auto") is None and ex.timelinejs_group_note(june, "type") is None


def test_timelinejs_grouping_asked_for_past_the_limit_is_written_with_a_warning(view) -> None:
    doc = ex.to_timelinejs(view, group_by="type")
    assert len({s["group"] for s in doc["events"]}) == 24
    assert slide(doc, ICE_MEETING)["group"] == "Meeting"
    warning = ex.timelinejs_group_note(view, "type")
    assert warning.startswith("warning: --group-by type makes 24 groups") and "650 px" in warning
    assert ex.timelinejs_group_note(view, "none") is None


def test_export_command_says_when_timelinejs_groups_do_not_fit(graph, tmp_path) -> None:
    from click.testing import CliRunner

    from timeline.cli import cli

    def export(*extra: str):
        out = tmp_path / "lesson.json"
        result = CliRunner().invoke(cli, ["export", "--graph", str(graph), "--format", "timelinejs", "-o", str(out),
                                          *extra])
        return result, json.loads(out.read_text(encoding="utf-8"))

    result, doc = export()
    assert result.exit_code == 0 and "note: slides not grouped" in result.stderr
    assert all("group" not in s for s in doc["events"])
    result, doc = export("--group-by", "type")  # asked for: written as asked, with a one-line warning
    assert result.exit_code == 0 and len({s["group"] for s in doc["events"]}) == 24
    (warning,) = [line for line in result.stderr.splitlines() if "warning" in line]
    assert "24 groups" in warning and "650 px" in warning
    result, doc = export("--group-by", "none")
    assert result.exit_code == 0 and result.stderr == "" and all("group" not in s for s in doc["events"])


def test_timelinejs_group_count_counts_the_ungrouped_row_as_the_player_does(view) -> None:
    two = [dataclasses.replace(e, types=["meeting"], type_labels=["meeting"]) for e in view.events[:2]]
    untyped = dataclasses.replace(view.events[2], types=[], type_labels=[])
    assert ex.timelinejs_group_count(dataclasses.replace(view, events=two), "type") == 1
    assert ex.timelinejs_group_count(dataclasses.replace(view, events=[*two, untyped]), "type") == 2
    assert ex.timelinejs_group_count(dataclasses.replace(view, events=[untyped]), "type") == 0


def test_unknown_timelinejs_grouping_is_refused(graph, view, tmp_path) -> None:
    with pytest.raises(TimelineError, match="did you mean 'type'"):
        ex.to_timelinejs(view, group_by="types")
    with pytest.raises(TimelineError, match="group_by must be one of auto, type, actor, none"):
        ex.export(graph, "timelinejs", tmp_path / "x.json", view=view, group_by="source")
    assert not list(tmp_path.iterdir())


def pictured(view, case_dir: Path):
    """The sample's view with three images: a file in ``case_dir``, a URL, and a file that is not there."""
    image = png()
    write_image(case_dir, "meeting.png", image)
    pictures = {ICE_MEETING: MediaView("images/meeting.png", None, "Officials <at> a table", "Photo: A & B",
                                       hashlib.sha256(image).hexdigest()),
                MORATORIUM: MediaView(None, "https://example.org/a.jpg", "A statement", "Amazon"),
                "google-photos-tagging-2015": MediaView("images/gone.png", None, "A screenshot", "", "0" * 64)}
    events = [dataclasses.replace(e, media=pictures.get(e.id)) for e in view.events]
    return dataclasses.replace(view, events=events), image


def test_timelinejs_slides_carry_event_images(view, tmp_path) -> None:
    lesson, image = pictured(view, tmp_path)
    doc = ex.to_timelinejs(lesson, image_src=functools.partial(media_src, case_dir=tmp_path))
    assert ex.timelinejs_problems(doc) == []
    meeting = slide(doc, ICE_MEETING)["media"]  # a file: inlined, so the export needs nothing beside it
    assert meeting["url"].startswith("data:image/png;base64,")
    assert base64.b64decode(meeting["url"].partition(",")[2]) == image
    assert meeting["caption"] == "Officials &lt;at&gt; a table" and meeting["credit"] == "Photo: A &amp; B"
    assert slide(doc, MORATORIUM)["media"] == {"url": "https://example.org/a.jpg", "caption": "A statement",
                                               "credit": "Amazon"}
    gone = slide(doc, "google-photos-tagging-2015")  # its file is not there: said, with what it showed
    assert "media" not in gone and "Image not available:</strong> A screenshot" in gone["text"]["text"]
    assert sum("media" in s for s in doc["events"]) == 2
    assert [e.id for e in ex.unavailable_images(lesson, functools.partial(media_src, case_dir=tmp_path))] == [
        "google-photos-tagging-2015"]


def test_timelinejs_without_the_case_directory_says_an_image_file_is_not_available(view, tmp_path) -> None:
    lesson, _ = pictured(view, tmp_path)
    doc = ex.to_timelinejs(lesson)  # no image_src: the case directory is not known
    meeting = slide(doc, ICE_MEETING)
    assert "media" not in meeting
    assert ("<p><strong>Image not available:</strong> Officials &lt;at&gt; a table (Photo: A &amp; B)</p>"
            in meeting["text"]["text"])
    assert slide(doc, MORATORIUM)["media"]["url"] == "https://example.org/a.jpg"  # a URL needs no case
    assert {e.id for e in ex.unavailable_images(lesson)} == {ICE_MEETING, "google-photos-tagging-2015"}


def test_export_command_inlines_a_case_image_with_case_and_says_when_it_cannot(case_copy, tmp_path,
                                                                               monkeypatch) -> None:
    from click.testing import CliRunner

    from timeline.cli import cli

    image = png()
    write_image(case_copy, "meeting.png", image)
    add_media(case_copy, "file: images/meeting.png", 'alt: "A red square"', 'credit: "Test pattern, CC0"')
    monkeypatch.setenv("TIMELINE_OUT", str(tmp_path / "out"))  # where `timeline build CASE` writes
    assert CliRunner().invoke(cli, ["build", str(case_copy), "-q"]).exit_code == 0
    out = tmp_path / "lesson.json"
    for where, inlined in ((["--graph", str(tmp_path / "out" / case_copy.name / "graph.nq")], False),
                           (["--case", str(case_copy)], True)):
        result = CliRunner().invoke(cli, ["export", *where, "--format", "timelinejs", "-o", str(out)])
        assert result.exit_code == 0, result.output
        first = json.loads(out.read_text(encoding="utf-8"))["events"][0]
        assert ("media" in first) is inlined
        assert ("not in the export" in result.stderr) is not inlined
        if inlined:
            assert base64.b64decode(first["media"]["url"].partition(",")[2]) == image
        else:
            assert "with --graph" in result.stderr and "Image not available" in first["text"]["text"]


def test_timelinejs_of_a_large_synthetic_view_is_valid() -> None:
    view = synthetic_view(2000)
    doc = ex.to_timelinejs(view)
    assert ex.timelinejs_problems(doc) == []
    assert len(doc["events"]) == 2000
    assert any("end_date" in s for s in doc["events"]) and any("display_date" in s for s in doc["events"])


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d.pop("events"), "events is required"),
    (lambda d: d["events"][0].pop("start_date"), "start_date is required"),
    (lambda d: d["events"][0]["start_date"].update(month=13), "month: 13 is out of range"),
    (lambda d: d["events"][0]["start_date"].update(month=2, day=30), "has no day 30"),
    (lambda d: d["events"][0]["start_date"].update(year="2018"), "year: must be an integer"),
    (lambda d: d["events"][0]["start_date"].update(month=True), "month: must be an integer"),
    (lambda d: d["events"][0]["start_date"].pop("year"), "year is required"),
    (lambda d: d["events"][0]["start_date"].update(hour=9), "hour needs day"),
    (lambda d: d["events"][1].update(unique_id=d["events"][0]["unique_id"]), "is also the unique_id"),
    (lambda d: d["events"][0].update(end_date={"year": 1999}), "end_date is before start_date"),
    (lambda d: d["events"][0].update(colour="red"), "unknown key 'colour'"),
    (lambda d: d["events"][0]["text"].update(headline=3), "headline: must be a string"),
    (lambda d: d.update(scale="geological"), "scale must be"),
    (lambda d: d.update(eras=[{"start_date": {"year": 2018}}]), "end_date is required"),
])
def test_timelinejs_problems_finds_each_kind_of_mistake(view, change, problem) -> None:
    doc = ex.to_timelinejs(view)
    change(doc)
    problems = ex.timelinejs_problems(doc)
    assert any(problem in p for p in problems), problems


def test_timelinejs_problems_rejects_a_non_object() -> None:
    assert ex.timelinejs_problems([]) == ["the document must be a JSON object"]


# ------------------------------------------------------------------ errors


def test_unknown_format_suggests_the_right_one(graph, tmp_path) -> None:
    with pytest.raises(TimelineError, match="did you mean 'turtle'"):
        ex.export(graph, "turtel", tmp_path / "x.ttl")
    with pytest.raises(TimelineError, match="did you mean 'turtle'"):
        ex.export(graph, "ttl", tmp_path / "x.ttl")
    with pytest.raises(TimelineError, match="did you mean 'jsonld'"):
        ex.export(graph, "json-ld", tmp_path / "x.jsonld")
    assert not list(tmp_path.iterdir())


def test_unwritable_paths_are_timeline_errors(graph, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    for fmt in ("turtle", "csv", "timelinejs"):
        with pytest.raises(TimelineError, match="cannot write"):
            ex.export(graph, fmt, blocker / "x.out")
    with pytest.raises(TimelineError, match="is a directory"):
        ex.export(graph, "nquads", tmp_path)


def test_missing_graph_is_a_timeline_error(tmp_path) -> None:
    with pytest.raises(TimelineError, match="run `timeline build` first"):
        ex.export(tmp_path / "nowhere.nq", "turtle", tmp_path / "x.ttl")


def test_a_graph_directory_is_accepted(graph, exported, tmp_path) -> None:
    (path,) = ex.export(graph.parent, "nquads", tmp_path / "x.nq")
    assert path.read_bytes() == exported["nquads"][0].read_bytes()
