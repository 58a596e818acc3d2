"""Property tests (hypothesis): YAML -> RDF -> records, and RDF serialisations that re-parse to the same graph.

Cases are drawn by ``tests/casegen.py``: small, valid by construction, with hostile text in every text field
(quotes, backslashes, newlines, ``\\r``, tabs, control characters, emoji, right-to-left text, ``<script>``,
``\"\"\"``, YAML and Turtle syntax). Each is written as YAML and Markdown files, checked and built by the library
(``timeline.pipeline.check``), and read back from the built ``graph.nq``:

* ``test_yaml_rdf_records_round_trip``: through either store backend (pyoxigraph or rdflib), the records read back
  (``timeline.views.model.load_view`` plus SPARQL for what the view does not show) equal the records written:
  ids, labels, descriptions, aliases, notes, types, dates (EDTF, label, four bounds, unit, qualifiers, basis),
  participants with roles in the curator's order, references, claims, articles (text, hash, metadata), and every
  citation's quote, offsets, prefix and suffix.
* ``test_exports_reparse_to_the_built_graph``: the Turtle, TriG, JSON-LD (and N-Quads) exports
  (``timeline.export.export``, what ``timeline export --format`` runs) re-parse with rdflib and with pyoxigraph to
  graphs isomorphic to the N-Quads build: graph by graph for TriG, JSON-LD and N-Quads; the union of the graphs
  for Turtle, which has no named graphs. The same for the sample case.

Hypothesis profiles (``TIMELINE_HYPOTHESIS_PROFILE``): ``thorough`` runs ten times the examples; ``no-shrink``
reports the first failing example as found (each example builds a case, so shrinking one can take minutes).
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from casegen import CaseSpec, cases, expected_text, write_case
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from timeline import pipeline
from timeline.case import quotes
from timeline.case.dates import parse_edtf
from timeline.case.model import ENTITY_CLASS
from timeline.export import export
from timeline.stores import open_store
from timeline.views.model import load_view

TODAY = date(9999, 12, 31)  # generated dates lie anywhere in 0100..9999: none is "in the future"
BACKENDS = ("oxigraph", "memory")
CLASS_TYPE = {cls: type_ for type_, cls in ENTITY_CLASS.items()}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Profiles of these tests only (picked with TIMELINE_HYPOTHESIS_PROFILE); the global profile is left alone.
PROFILES = {
    "default": settings(max_examples=25, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]),
}
PROFILES["thorough"] = settings(PROFILES["default"], max_examples=250)
PROFILES["no-shrink"] = settings(PROFILES["default"], phases=[Phase.explicit, Phase.reuse, Phase.generate])
PROFILE = PROFILES[os.environ.get("TIMELINE_HYPOTHESIS_PROFILE", "default")]


def build(spec: CaseSpec, directory: Path) -> Path:
    """Write, check and build ``spec``; return the ``graph.nq`` written."""
    case_dir = write_case(spec, directory / "case")
    report = pipeline.check(case_dir, today=TODAY)
    assert report.ok, [str(p) for p in report.errors]
    graph = directory / "graph.nq"
    graph.write_bytes(report.nquads)
    return graph


# ------------------------------------------------------ records written


def _opt(value: str | None) -> str | None:
    return expected_text(value) if value is not None else None


def _bounds(edtf: str) -> dict[str, object]:
    span = parse_edtf(edtf)
    return {"date": edtf, "date_label": span.label, "unit": span.unit, "approximate": span.approximate,
            "uncertain": span.uncertain,
            "bounds": tuple(d.isoformat() if d else None for d in (span.earliest_begin, span.latest_begin,
                                                                      span.earliest_end, span.latest_end))}


def _citations(spec: CaseSpec, record: dict) -> list[tuple]:
    out = []
    for c in record["citations"]:
        text = spec.articles[c["source"]][1]
        start = text.find(c["quote"])
        end = start + len(c["quote"])
        out.append((c["source"], c["quote"], start, end, text[max(0, start - quotes.CONTEXT):start],
                    text[end:end + quotes.CONTEXT]))
    return out


def expected_records(spec: CaseSpec) -> dict[str, dict[str, dict]]:
    """The records of ``spec`` as the graph should give them back."""
    entities, events, claims, articles = {}, {}, {}, {}
    labels = {e["id"]: expected_text(e["label"]) for e in spec.entities}
    for e in spec.entities:
        entities[e["id"]] = {
            "type": e["type"], "label": labels[e["id"]],
            "aliases": sorted({expected_text(a) for a in e.get("aliases", [])}),
            "description": _opt(e.get("description")), "wikidata": e.get("wikidata"),
            "member_of": sorted(e.get("member_of", [])), "parent": e.get("parent"), "made_by": e.get("made_by"),
            "located_in": e.get("located_in"), "position": _opt(e.get("position")), "note": _opt(e.get("note")),
        }
    claims_of_event: dict[str, set[str]] = {}
    for c in spec.claims:
        for target in [*c["about"], c.get("stated_in")]:
            claims_of_event.setdefault(target, set()).add(c["id"])
    for ev in spec.events:
        types = ev["type"] if isinstance(ev["type"], list) else [ev["type"]]
        events[ev["id"]] = {
            "types": sorted(types), "label": expected_text(ev["label"]),
            "description": expected_text(ev["description"]), **_bounds(ev["date"]),
            "date_basis": ev["date_basis"], "date_note": _opt(ev.get("date_note")), "place": ev.get("place"),
            "place_label": labels.get(ev.get("place")),
            "participants": [(p["entity"], p["role"], labels[p["entity"]]) for p in ev["participants"]],
            "produced": sorted(ev.get("produced", [])), "responds_to": sorted(ev.get("responds_to", [])),
            "sub_event_of": sorted(ev.get("sub_event_of", [])), "citations": _citations(spec, ev),
            "note": _opt(ev.get("note")), "claims": sorted(claims_of_event.get(ev["id"], ())),
        }
    contradicted: dict[str, set[str]] = {}
    for c in spec.claims:  # tl:contradicts is stated in both directions
        for other in c.get("contradicts", []):
            contradicted.setdefault(c["id"], set()).add(other)
            contradicted.setdefault(other, set()).add(c["id"])
    for c in spec.claims:
        own = {**_bounds(c["date"]), "date_basis": c["date_basis"],
               "date_note": _opt(c.get("date_note"))} if "date" in c else None
        made = events[c["stated_in"]]["date_label"] if c.get("stated_in") else ""
        claims[c["id"]] = {
            "claimant": c["claimant"], "claimant_label": labels[c["claimant"]],
            "on_behalf_of": c.get("on_behalf_of"), "about": sorted(c["about"]), "stance": c["stance"],
            "text": expected_text(c["text"]), "stated_in": c.get("stated_in"), "own_date": own,
            "shown_date": own["date_label"] if own else made, "citations": _citations(spec, c),
            "contradicts": sorted(contradicted.get(c["id"], ())), "corroborates": sorted(c.get("corroborates", [])),
            "source_reliability": c.get("source_reliability"),
            "information_credibility": c.get("information_credibility"), "note": _opt(c.get("note")),
        }
    for id_, (meta, text) in spec.articles.items():
        publisher = meta.get("publisher")
        articles[id_] = {
            "title": expected_text(meta["title"]),
            **{f"published_{k}": v for k, v in _bounds(meta["published"]).items()},
            "language": meta["language"], "sha256": meta["sha256"],
            "title_supplied": meta.get("title_supplied", False),
            "publisher": publisher, "publisher_label": labels[publisher] if publisher else "",
            "publisher_note": _opt(meta.get("publisher_note")), "published_note": _opt(meta.get("published_note")),
            "url": meta.get("url"), "text": text,
        }
    case = {"id": spec.case["id"], "title": expected_text(spec.case["title"]),
            "description": _opt(spec.case.get("description")), "language": spec.case.get("language", "en")}
    return {"case": {"case": case}, "entities": entities, "events": events, "claims": claims, "articles": articles}


# ------------------------------------------------------ records read back


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


class Reader:
    """Reads the records back from a store: the view where it shows a field, SPARQL for the rest."""

    def __init__(self, store):
        self.store = store

    def rows(self, query: str) -> list[dict[str, str]]:
        return self.store.query(query).records()

    def values(self, cls: str, prop: str, iri: bool = False) -> dict[str, list[str]]:
        """id -> the values of ``prop`` on the records of class ``cls``, sorted (ids of the targets if ``iri``)."""
        target = "?target . ?target dcterms:identifier ?v" if iri else "?v"
        kind = f"?r a {cls} ." if cls else ""  # any kind: ids are unique across kinds
        out: dict[str, list[str]] = {}
        for r in self.rows(f"SELECT ?id ?v WHERE {{ ?r {prop} {target} . ?r dcterms:identifier ?id . {kind} }}"):
            out.setdefault(r["id"], []).append(r["v"])
        return {k: sorted(v) for k, v in out.items()}

    def one(self, cls: str, prop: str, iri: bool = False) -> dict[str, str]:
        found = self.values(cls, prop, iri)
        for id_, values in found.items():
            assert len(values) == 1, (cls, prop, id_, values)
        return {k: v[0] for k, v in found.items()}

    def dates(self, cls: str) -> dict[str, dict]:
        out = {}
        for r in self.rows(f"""SELECT * WHERE {{ ?r a {cls} ; dcterms:identifier ?id ; tl:edtf ?edtf ;
                tl:dateLabel ?label ; time:unitType ?unit ; tl:dateApproximate ?a ; tl:dateUncertain ?u .
                OPTIONAL {{ ?r sem:hasEarliestBeginTimeStamp ?eb }} OPTIONAL {{ ?r sem:hasLatestBeginTimeStamp ?lb }}
                OPTIONAL {{ ?r sem:hasEarliestEndTimeStamp ?ee }} OPTIONAL {{ ?r sem:hasLatestEndTimeStamp ?le }}
                OPTIONAL {{ ?r tl:dateBasis/skos:notation ?basis }} OPTIONAL {{ ?r tl:dateNote ?note }} }}"""):
            assert r["id"] not in out, ("two dates", r["id"])
            out[r["id"]] = {"date": r["edtf"], "date_label": r["label"],
                            "unit": _local(r["unit"]).removeprefix("unit").lower(),
                            "approximate": r["a"] == "true", "uncertain": r["u"] == "true",
                            "bounds": tuple(r.get(k) for k in ("eb", "lb", "ee", "le")),
                            "date_basis": r.get("basis"), "date_note": r.get("note")}
        return out

    def citations(self, cls: str) -> dict[str, list[tuple]]:
        found: dict[str, list[tuple[int, tuple]]] = {}
        # Patterns in an order that rdflib's engine (which does not reorder them) evaluates quickly.
        for r in self.rows(f"""SELECT * WHERE {{ ?r tl:hasMention ?m . ?r a {cls} . ?r dcterms:identifier ?id .
                ?m oa:hasTarget ?t . ?m tl:inSource ?s . ?s dcterms:identifier ?source .
                ?t oa:hasSelector ?q . ?q oa:exact ?exact . ?q oa:prefix ?prefix . ?q oa:suffix ?suffix .
                ?t oa:hasSelector ?p . ?p oa:start ?start . ?p oa:end ?end }}"""):
            n = int(_local(r["m"]))
            found.setdefault(r["id"], []).append((n, (r["source"], r["exact"], int(r["start"]), int(r["end"]),
                                                      r["prefix"], r["suffix"])))
        return {k: [c for _n, c in sorted(v)] for k, v in found.items()}

    def records(self) -> dict[str, dict[str, dict]]:
        view = load_view(self.store)
        entities, events, claims, articles = {}, {}, {}, {}
        # Ids are unique across kinds, so one query per property serves every kind of record.
        position, note = self.one("", "schema:jobTitle"), self.one("", "tl:note")
        parent, made_by = self.one("", "tl:parentOrganization", True), self.one("", "tl:madeBy", True)
        located_in = self.one("", "tl:locatedIn", True)
        for e in view.entities.values():
            entities[e.id] = {
                "type": CLASS_TYPE[e.kind], "label": e.label, "aliases": e.aliases,
                "description": e.description or None, "wikidata": e.wikidata, "member_of": e.member_of,
                "parent": parent.get(e.id), "made_by": made_by.get(e.id), "located_in": located_in.get(e.id),
                "position": position.get(e.id), "note": note.get(e.id),
            }
        dates = self.dates("tl:Event")
        citations = self.citations("tl:Event")
        place = self.one("tl:Event", "tl:place", True)
        produced = self.values("tl:Event", "tl:produced", True)
        responds_to = self.values("tl:Event", "tl:respondsTo", True)
        sub_event_of = self.values("tl:Event", "tl:subEventOf", True)
        order: dict[str, list[tuple[int, str, str]]] = {}
        for r in self.rows("""SELECT ?id ?p ?who ?role WHERE { ?e a tl:Event ; dcterms:identifier ?id ;
                tl:hasParticipation ?p . ?p tl:participant/dcterms:identifier ?who ; tl:role/skos:notation ?role }"""):
            order.setdefault(r["id"], []).append((int(_local(r["p"])), r["who"], r["role"]))
        for ev in view.events:
            labels = {p.id: p.label for p in ev.participants}
            viewed = {(c.source, c.quote, c.start) for c in ev.citations}
            assert viewed == {c[:3] for c in citations[ev.id]}, ev.id
            assert (ev.edtf, ev.date_label, ev.unit, ev.approximate, ev.uncertain) == tuple(
                dates[ev.id][k] for k in ("date", "date_label", "unit", "approximate", "uncertain"))
            assert (ev.earliest_begin, ev.latest_begin, ev.earliest_end, ev.latest_end) == dates[ev.id]["bounds"]
            assert ev.basis == dates[ev.id]["date_basis"] and ev.date_note == (dates[ev.id]["date_note"] or "")
            assert sorted((p.id, p.role) for p in ev.participants) == sorted(x[1:] for x in order[ev.id])
            events[ev.id] = {
                "types": ev.types, "label": ev.label, "description": ev.description, **dates[ev.id],
                "place": place.get(ev.id), "place_label": ev.place or None,
                "participants": [(who, role, labels[who]) for _n, who, role in sorted(order[ev.id])],
                "produced": produced.get(ev.id, []), "responds_to": responds_to.get(ev.id, []),
                "sub_event_of": sub_event_of.get(ev.id, []), "citations": citations[ev.id],
                "note": note.get(ev.id), "claims": ev.claims,
            }
        claim_dates, claim_citations = self.dates("tl:Claim"), self.citations("tl:Claim")
        stated_in = self.one("tl:Claim", "prov:wasGeneratedBy", True)
        corroborates = self.values("tl:Claim", "tl:corroborates", True)
        reliability = self.one("tl:Claim", "tl:sourceReliability")
        credibility = self.one("tl:Claim", "tl:informationCredibility")
        for c in view.claims.values():
            assert {(x.source, x.quote, x.start) for x in c.citations} == {x[:3] for x in claim_citations[c.id]}
            claims[c.id] = {
                "claimant": c.claimant, "claimant_label": c.claimant_label, "on_behalf_of": c.on_behalf_of or None,
                "about": c.about, "stance": c.stance, "text": c.text, "stated_in": stated_in.get(c.id),
                "own_date": claim_dates.get(c.id), "shown_date": c.date, "citations": claim_citations[c.id],
                "contradicts": c.contradicts, "corroborates": corroborates.get(c.id, []),
                "source_reliability": reliability.get(c.id),
                "information_credibility": int(credibility[c.id]) if c.id in credibility else None,
                "note": note.get(c.id),
            }
        src = "tl:SourceArticle"
        source_dates = self.dates(src)
        texts, sha = self.one(src, "schema:text"), self.one(src, "tl:sha256")
        language = self.one(src, "schema:inLanguage")
        supplied, publisher = self.one(src, "tl:titleSupplied"), self.one(src, "schema:publisher", True)
        published_note = self.one(src, "tl:publicationNote")
        for s in view.sources.values():
            d = source_dates[s.id]
            assert s.published == d["date_label"]
            articles[s.id] = {
                "title": s.title, **{f"published_{k}": d[k] for k in ("date", "date_label", "unit", "approximate",
                                                                      "uncertain", "bounds")},
                "language": language[s.id], "sha256": sha[s.id], "title_supplied": supplied[s.id] == "true",
                "publisher": publisher.get(s.id), "publisher_label": s.publisher, "publisher_note": note.get(s.id),
                "published_note": published_note.get(s.id), "url": s.url,
                "text": texts[s.id],
            }
        [case] = self.rows("""SELECT * WHERE { ?c a tl:Case ; dcterms:identifier ?id ; rdfs:label ?title ;
                schema:inLanguage ?language . OPTIONAL { ?c dcterms:description ?description } }""")
        assert case["title"] == view.case_title
        case = {k: case.get(k) for k in ("id", "title", "description", "language")}
        return {"case": {"case": case}, "entities": entities, "events": events, "claims": claims,
                "articles": articles}


def assert_same_records(got: dict, expected: dict, where: str) -> None:
    for kind in expected:
        assert sorted(got[kind]) == sorted(expected[kind]), (where, kind)
        for id_ in expected[kind]:
            for key, value in expected[kind][id_].items():
                assert got[kind][id_][key] == value, (where, kind, id_, key)


@PROFILE
@given(spec=cases(), backend=st.sampled_from(BACKENDS))
def test_yaml_rdf_records_round_trip(spec, backend):
    expected = expected_records(spec)
    with tempfile.TemporaryDirectory() as tmp:
        graph = build(spec, Path(tmp))
        assert_same_records(Reader(open_store(graph, backend)).records(), expected, backend)


# ------------------------------------------------------ serialisations

# A term as a plain tuple, the same whichever library parsed it: ("iri", value), ("bnode", label) or
# ("literal", lexical form, datatype, language). xsd:string is the datatype of a plain literal in RDF 1.1.


def _from_rdflib(term) -> tuple:
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, BNode):
        return ("bnode", str(term))
    if term.language:
        return ("literal", str(term), None, term.language.lower())
    return ("literal", str(term), str(term.datatype) if term.datatype else XSD_STRING, None)


def _from_oxigraph(term) -> tuple:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if term.language:
        return ("literal", term.value, None, term.language.lower())
    return ("literal", term.value, term.datatype.value, None)


Graphs = dict[str, set[tuple]]  # graph name ('' for the default graph) -> triples of term tuples


def graphs_from_rdflib(data: bytes, fmt: str) -> Graphs:
    ds = Dataset()
    ds.parse(data=data, format=fmt)
    out: Graphs = {}
    for g in ds.graphs():
        name = "" if g.identifier == DATASET_DEFAULT_GRAPH_ID else str(g.identifier)
        if len(g):
            out.setdefault(name, set()).update(tuple(_from_rdflib(t) for t in triple) for triple in g)
    return out


def graphs_from_oxigraph(data: bytes, fmt: str) -> Graphs:
    formats = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
               "json-ld": ox.RdfFormat.JSON_LD}
    out: Graphs = {}
    for q in ox.parse(data, format=formats[fmt]):
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        out.setdefault(name, set()).add(tuple(_from_oxigraph(t) for t in (q.subject, q.predicate, q.object)))
    return out


def canonical(triples: set[tuple]) -> set[str]:
    """The triples with blank nodes relabelled by RDFC-1.0 (pyoxigraph): equal for isomorphic graphs."""
    def term(t: tuple):
        if t[0] == "iri":
            return ox.NamedNode(t[1])
        if t[0] == "bnode":
            return ox.BlankNode(t[1])
        return ox.Literal(t[1], language=t[3]) if t[3] else ox.Literal(t[1], datatype=ox.NamedNode(t[2]))

    dataset = ox.Dataset(ox.Quad(*(term(t) for t in triple)) for triple in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def assert_isomorphic(got: set[tuple], expected: set[tuple], what: str) -> None:
    """Equal up to blank node labels: the triples without blank nodes are equal sets, and those with blank
    nodes are isomorphic graphs (a bijection of blank nodes leaves the others unchanged)."""
    def split(triples: set[tuple]) -> tuple[set[tuple], set[tuple]]:
        blank = {t for t in triples if any(term[0] == "bnode" for term in t)}
        return triples - blank, blank

    (ground_got, blank_got), (ground_expected, blank_expected) = split(got), split(expected)
    only_got, only_expected = ground_got - ground_expected, ground_expected - ground_got
    assert not only_got and not only_expected, (f"{what}: only in the export: {sorted(only_got)[:3]}; "
                                                f"only in the build: {sorted(only_expected)[:3]}")
    assert len(blank_got) == len(blank_expected), f"{what}: {len(blank_got)} != {len(blank_expected)} triples"
    if blank_expected:
        assert canonical(blank_got) == canonical(blank_expected), f"{what}: the blank nodes differ"


PARSE_FORMAT = {"turtle": "turtle", "trig": "trig", "jsonld": "json-ld", "nquads": "nquads"}


def assert_exports_reparse(graph: Path, directory: Path) -> None:
    """Every RDF export of ``graph``, re-parsed by rdflib and by pyoxigraph, is the graph built."""
    data = graph.read_bytes()
    baseline = graphs_from_rdflib(data, "nquads")
    by_oxigraph = graphs_from_oxigraph(data, "nquads")  # the two parsers agree on the build
    assert sorted(by_oxigraph) == sorted(baseline)
    for name in baseline:
        assert_isomorphic(by_oxigraph[name], baseline[name], f"graph.nq parsed by pyoxigraph, graph <{name}>")
    merged = set().union(*baseline.values())
    for fmt in ("turtle", "trig", "jsonld", "nquads"):
        [path] = export(graph, fmt, directory / f"export.{fmt}")
        exported = path.read_bytes()
        for parser, parse in (("rdflib", graphs_from_rdflib), ("pyoxigraph", graphs_from_oxigraph)):
            got = parse(exported, PARSE_FORMAT[fmt])
            what = f"{fmt} re-parsed by {parser}"
            if fmt == "turtle":  # no named graphs: every triple lands in the default graph
                assert set(got) == {""}, what
                assert_isomorphic(got[""], merged, what)
                continue
            assert sorted(got) == sorted(baseline), what
            for name in baseline:
                assert_isomorphic(got[name], baseline[name], f"{what}, graph <{name}>")


@settings(PROFILE, max_examples=max(1, PROFILE.max_examples * 3 // 5))  # each example parses the graph 9 times
@given(spec=cases())
def test_exports_reparse_to_the_built_graph(spec):
    with tempfile.TemporaryDirectory() as tmp:
        assert_exports_reparse(build(spec, Path(tmp)), Path(tmp))


def test_sample_case_exports_reparse_to_the_built_graph(sample_case, tmp_path):
    report = pipeline.check(sample_case)
    assert report.ok, [str(p) for p in report.errors]
    graph = tmp_path / "graph.nq"
    graph.write_bytes(report.nquads)
    assert_exports_reparse(graph, tmp_path)


def test_sample_case_records_read_back(sample_case, tmp_path):
    """The reader above on the real case: every record written is read back, none invented."""
    report = pipeline.check(sample_case)
    graph = tmp_path / "graph.nq"
    graph.write_bytes(report.nquads)
    got = Reader(open_store(graph)).records()
    case = report.case
    assert sorted(got["entities"]) == sorted(case.entities)
    assert sorted(got["events"]) == sorted(case.events)
    assert sorted(got["claims"]) == sorted(case.claims)
    assert sorted(got["articles"]) == sorted(case.sources)
    for ev in case.events.values():
        assert [c[:2] for c in got["events"][ev.id]["citations"]] == [(c.source, c.quote) for c in ev.citations]
        assert [p[:2] for p in got["events"][ev.id]["participants"]] == [(p.entity, p.role) for p in ev.participants]
    for s in case.sources.values():
        assert got["articles"][s.id]["text"] == s.text
