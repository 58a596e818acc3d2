"""The built dataset of the sample case: graphs, provenance, dates, selectors."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from timeline import pipeline, resources, shacl
from timeline.case.loader import load_case
from timeline.case.quotes import CONTEXT
from timeline.stores import open_store

SAMPLE = resources.sample_case_dir()
BASE = "https://w3id.org/timeline/case/rekognition/"


@pytest.fixture(scope="module")
def built(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def store(built):
    return open_store(built)


@pytest.fixture(scope="module")
def case():
    return load_case(SAMPLE)[0]


def select(store, text: str, **bindings):
    return store.query(text, bindings or None).records()


def test_one_named_graph_per_article_plus_curated_and_ontology(store, case) -> None:
    graphs = {r["g"] for r in select(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    expected = {f"{BASE}graph/source/{s}" for s in case.sources} | {f"{BASE}graph/curated", f"{BASE}graph/ontology"}
    assert graphs == expected


def test_articles_carry_text_hash_and_metadata_in_their_own_graph(store, case) -> None:
    rows = select(store, """SELECT ?g ?id ?text ?sha ?lang ?title WHERE { GRAPH ?g {
        ?a a tl:SourceArticle ; dcterms:identifier ?id ; schema:text ?text ; tl:sha256 ?sha ;
           schema:inLanguage ?lang ; schema:headline ?title } }""")
    assert {r["id"] for r in rows} == set(case.sources)
    for r in rows:
        assert r["g"] == f"{BASE}graph/source/{r['id']}"
        assert r["text"] == case.sources[r["id"]].text
        assert r["sha"] == hashlib.sha256(r["text"].encode("utf-8")).hexdigest()
        assert r["lang"] == "en" and r["title"]
    url = select(store, "SELECT ?u WHERE { source:newscomau-2020-06 schema:url ?u }")
    assert url[0]["u"].startswith("https://www.news.com.au/")


def test_every_mention_selects_its_quote_exactly(store, case) -> None:
    rows = select(store, """SELECT ?g ?source ?text ?exact ?prefix ?suffix ?start ?end WHERE { GRAPH ?g {
        ?m a tl:Mention ; tl:inSource ?source ; oa:hasTarget ?t .
        ?t oa:hasSource ?source ; oa:hasSelector ?q, ?p .
        ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
        ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        ?source schema:text ?text } }""")
    assert len(rows) == sum(len(r.citations) for r in [*case.events.values(), *case.claims.values()])
    for r in rows:
        start, end, text = int(r["start"]), int(r["end"]), r["text"]
        assert text[start:end] == r["exact"]
        assert r["prefix"] == text[max(0, start - CONTEXT):start]
        assert r["suffix"] == text[end:end + CONTEXT]
        assert r["g"].endswith(r["source"].rsplit("/", 1)[-1])  # the mention lives in its article's graph


def test_position_selectors_use_the_web_annotation_datatype(built) -> None:
    text = built.read_text(encoding="utf-8")
    starts = re.findall(r'<http://www.w3.org/ns/oa#start> "\d+"\^\^<([^>]+)>', text)
    assert starts and set(starts) == {"http://www.w3.org/2001/XMLSchema#nonNegativeInteger"}


def test_dates_are_xsd_date_bounds_with_edtf_and_unit(store, built, case) -> None:
    text = built.read_text(encoding="utf-8")
    bound_types = set(re.findall(r'/sem/has\w+TimeStamp> "[^"]*"\^\^<([^>]+)>', text))
    assert bound_types == {"http://www.w3.org/2001/XMLSchema#date"}  # never gYear/gYearMonth
    rows = select(store, """SELECT ?id ?edtf ?unit ?sort WHERE { ?e a tl:Event ; dcterms:identifier ?id ;
        tl:edtf ?edtf ; time:unitType ?unit ; tl:sortDate ?sort }""")
    assert {r["id"] for r in rows} == set(case.events)
    by_id = {r["id"]: r for r in rows}
    assert by_id["amazon-ice-meeting-2018-06"]["edtf"] == "2018-06"
    assert by_id["amazon-ice-meeting-2018-06"]["unit"] == "http://www.w3.org/2006/time#unitMonth"
    moratorium = select(store, """SELECT ?b ?e WHERE { event:amazon-moratorium-2020-06
        sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?e }""")
    assert moratorium == [{"b": "2020-06-10", "e": "2021-06-30"}]


def test_relative_dates_say_how_they_were_resolved(store) -> None:
    rows = select(store, """SELECT ?basis ?note WHERE { event:aws-summit-korea-2018-04
        tl:dateBasis/skos:notation ?basis ; tl:dateNote ?note }""")
    assert rows[0]["basis"] == "resolved"
    assert "Last month" in rows[0]["note"] and "22 May 2018" in rows[0]["note"]


def test_actors_are_agents_and_products_are_only_involved(store) -> None:
    actors = {r["a"] for r in select(store, "SELECT ?a WHERE { event:amazon-ice-meeting-2018-06 sem:hasActor ?a }")}
    involved = {r["x"] for r in select(store, "SELECT ?x WHERE { event:amazon-ice-meeting-2018-06 tl:involves ?x }")}
    assert f"{BASE}entity/rekognition" in involved - actors
    assert {f"{BASE}entity/ice", f"{BASE}entity/amazon-web-services"} <= actors


def test_identity_links_to_wikidata(store) -> None:
    rows = select(store, "SELECT ?same WHERE { entity:amazon owl:sameAs ?same }")
    assert rows == [{"same": "http://www.wikidata.org/entity/Q3884"}]


def test_contradiction_is_symmetric_in_the_graph(store) -> None:
    assert store.query("ASK { claim:newscomau-ice-believed-user tl:contradicts claim:ice-no-current-contract }").boolean


def test_the_ontology_travels_with_the_graph(store) -> None:
    rows = select(store, "SELECT ?l WHERE { GRAPH graph:ontology { tl:Event rdfs:label ?l } }")
    assert rows and rows[0]["l"]


@pytest.mark.parametrize("piece", [1, 2, 7, 1000])
def test_lines_are_unique_and_the_same_whatever_the_piece_size(built, monkeypatch, piece) -> None:
    """The writer de-duplicates piece by piece (the sample repeats 19 lines, e.g. both sides of a
    contradiction); a twin on the far side of a piece boundary must go too."""
    from timeline.graph import build

    monkeypatch.setattr(build, "_PIECE", piece)
    case = pipeline.check(SAMPLE, shacl=False).case  # checked: its citations carry their offsets
    seen: list[str] = []
    data = build.case_nquads(case, on_lines=seen.extend)
    assert data == built.read_bytes()
    assert len(seen) == len(set(seen)) == data.count(b"\n")
    assert seen == sorted(seen)


def _canonical(nquads: str):
    import pyoxigraph as ox

    dataset = ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def test_the_ontology_graph_is_the_ontology_files_with_stable_blank_node_labels(built, tmp_path) -> None:
    import pyoxigraph as ox

    from timeline.graph.build import ONTOLOGY_FILES, _ontology_lines

    graph = f"{BASE}graph/ontology"
    lines = [line for line in built.read_text(encoding="utf-8").splitlines(keepends=True)
             if line.endswith(f"<{graph}> .\n")]
    files = "".join(f"{ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph))} .\n"
                    for name in ONTOLOGY_FILES for q in ox.parse(path=resources.ontology_dir() / name,
                                                                  format=ox.RdfFormat.TURTLE))
    assert _canonical("".join(lines)) == _canonical(files)  # the same graph, blank nodes included
    assert any(line.startswith("_:") for line in lines)
    # The labels come from the content: the files reordered and their blank nodes renamed give the same lines.
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for name in ONTOLOGY_FILES:
        text = (resources.ontology_dir() / name).read_text(encoding="utf-8")
        quads = list(ox.parse(text, format=ox.RdfFormat.TURTLE))[::-1]
        (shuffled / name).write_text("".join(f"{q} .\n" for q in quads).replace("_:", "_:renamed"),
                                     encoding="utf-8")
    assert _ontology_lines(graph, str(shuffled)) == tuple(lines)


@pytest.mark.parametrize("turtle", [
    "@prefix : <https://example.org/> . :a :p _:x . :b :p _:x . _:x :q 1 .",  # one blank node in two places
    "@prefix : <https://example.org/> . :a :p _:x . _:x :q _:y . _:y :q _:x .",  # a cycle
    "@prefix : <https://example.org/> . :a :p [ :q 1 ] , [ :q 1 ] .",  # two blank nodes with the same content
])
def test_an_ontology_whose_blank_nodes_are_not_trees_gets_general_canonical_labels(turtle, tmp_path) -> None:
    from timeline.graph.build import ONTOLOGY_FILES, _ontology_lines

    for name in ONTOLOGY_FILES:
        (tmp_path / name).write_text(turtle if name == ONTOLOGY_FILES[0] else "", encoding="utf-8")
    graph = "https://example.org/graph"
    lines = _ontology_lines(graph, str(tmp_path))
    expected = "".join(f"{line.removesuffix(' .')} <{graph}> .\n" for line in _ntriples(turtle))
    assert _canonical("".join(lines)) == _canonical(expected)


def _ntriples(turtle: str) -> list[str]:
    import pyoxigraph as ox

    return [f"{t} ." for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]


def test_sample_conforms_with_both_shacl_engines(built) -> None:
    report = pipeline.check(SAMPLE, shacl=False)
    assert shacl.validate_nquads(report.nquads) == []
    assert shacl.validate_pyshacl(report.dataset) == []
    assert built.read_bytes() == report.nquads  # what validate checked is what build wrote


@pytest.mark.parametrize(("text", "quote", "start", "count"), [
    ("one quote here", "quote", 4, 1),
    ("a quote, a quote and a quote", "a quote", 0, 3),
    ("ababa", "aba", 0, 1),  # occurrences that overlap count once, as str.count does
    ("aaaa", "aa", 0, 2),
    ("no match", "quote", None, 0),
])
def test_a_quote_is_found_with_how_often_it_occurs(text, quote, start, count) -> None:
    from timeline.case import quotes

    match = quotes.find(text, quote)
    if start is None:
        assert match is None
    else:
        assert (match.start, match.end, match.count) == (start, start + len(quote), count)


def test_a_check_pauses_the_garbage_collector_and_gives_it_back(monkeypatch, tmp_path) -> None:
    import gc

    seen = []
    for module, name in ((pipeline, "load_case_with_csv"), (pipeline, "case_nquads")):
        def spy(*args, original=getattr(module, name), **kwargs):
            seen.append(gc.isenabled())
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, spy)
    assert gc.isenabled()
    assert pipeline.check(SAMPLE).ok and seen == [False, False] and gc.isenabled()  # reading the case too

    def broken(*args, **kwargs):
        raise OSError("disk gone")
    monkeypatch.setattr(pipeline, "load_case_with_csv", broken)
    with pytest.raises(OSError):
        pipeline.check(SAMPLE)
    assert gc.isenabled()  # given back on the way out of a failure too
    monkeypatch.undo()
    gc.disable()
    try:
        assert pipeline.check(SAMPLE, shacl=False).ok and not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
