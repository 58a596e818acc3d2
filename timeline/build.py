"""Turn a checked case into an RDF dataset.

Graphs: ``<base>graph/curated`` holds entities, events and claims;
``<base>graph/source/<id>`` holds one article, its metadata and the mentions
(quotes) that cite it, so "what does this source say" is a GRAPH query and
corroboration is a count of graphs; ``<base>graph/ontology`` holds the
vocabulary so a built graph is self-describing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, TIME

from timeline import __version__, quotes, resources
from timeline.dates import DateSpan
from timeline.model import ENTITY_CLASS, Case, Citation, Claim, Event
from timeline.vocab import CAMEO, DATE_BASIS, EVENT_TYPE, OA, ROLE, SCHEMA, SEM, STANCE, TL, WD  # noqa: F401

UNITS = {
    "day": TIME.unitDay, "month": TIME.unitMonth, "season": TL.unitSeason, "year": TIME.unitYear,
    # OWL-Time's 2022 draft adds these; rdflib's TIME namespace predates them.
    "decade": URIRef(str(TIME) + "unitDecade"), "century": URIRef(str(TIME) + "unitCentury"),
}
ONTOLOGY_FILES = ("timeline.ttl", "event-types.ttl", "roles.ttl")


class Iris:
    """The IRIs minted for a case's resources."""

    def __init__(self, base: str):
        self.base = base
        self.case = URIRef(base)
        self.curated_graph = URIRef(base + "graph/curated")
        self.ontology_graph = URIRef(base + "graph/ontology")

    def entity(self, id_: str) -> URIRef:
        return URIRef(f"{self.base}entity/{id_}")

    def event(self, id_: str) -> URIRef:
        return URIRef(f"{self.base}event/{id_}")

    def claim(self, id_: str) -> URIRef:
        return URIRef(f"{self.base}claim/{id_}")

    def source(self, id_: str) -> URIRef:
        return URIRef(f"{self.base}source/{id_}")

    def source_graph(self, id_: str) -> URIRef:
        return URIRef(f"{self.base}graph/source/{id_}")

    def mention(self, record_kind: str, record_id: str, n: int) -> URIRef:
        return URIRef(f"{self.base}mention/{record_kind}/{record_id}/{n}")


def _date(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def add_dates(g: Graph, node: URIRef, span: DateSpan, basis: str | None, note: str | None) -> None:
    """The EDTF as written, four xsd:date bounds, the unit and the qualifiers."""
    g.add((node, TL.edtf, Literal(span.edtf)))
    g.add((node, TL.dateLabel, Literal(span.label)))
    g.add((node, TL.sortDate, _date(span.sort_date)))
    bounds = (
        (SEM.hasEarliestBeginTimeStamp, span.earliest_begin), (SEM.hasLatestBeginTimeStamp, span.latest_begin),
        (SEM.hasEarliestEndTimeStamp, span.earliest_end), (SEM.hasLatestEndTimeStamp, span.latest_end),
    )
    for prop, value in bounds:
        if value is not None:
            g.add((node, prop, _date(value)))
    g.add((node, TIME.unitType, UNITS[span.unit]))
    g.add((node, TL.dateApproximate, Literal(span.approximate)))
    g.add((node, TL.dateUncertain, Literal(span.uncertain)))
    if basis:
        g.add((node, TL.dateBasis, DATE_BASIS[basis]))
    if note:
        g.add((node, TL.dateNote, Literal(note)))


def _text(g: Graph, node: URIRef, prop: URIRef, value: str | None) -> None:
    if value:
        g.add((node, prop, Literal(value)))


def build_dataset(case: Case, ontology: Path | None = None) -> Dataset:
    """The RDF dataset of a case whose checks passed (citations carry offsets)."""
    iris = Iris(case.base)
    ds = Dataset()
    for prefix, namespace in _prefixes().items():
        ds.bind(prefix, namespace, replace=True)
    curated = ds.graph(iris.curated_graph)
    _case_node(curated, case, iris)
    _entities(curated, case, iris)
    for ev in case.events.values():
        _event(curated, ev, iris, case.entities)
    for claim in case.claims.values():
        _claim(curated, claim, iris, case.events)
    for source in case.sources.values():
        _source(ds.graph(iris.source_graph(source.id)), case, source, iris)
    for record_kind, records in (("event", case.events), ("claim", case.claims)):
        for record in records.values():
            _mentions(ds, case, record_kind, record, iris)
    _ontology(ds.graph(iris.ontology_graph), ontology or resources.ontology_dir())
    return ds


def _prefixes() -> dict[str, str]:
    from timeline.prefixes import PREFIXES

    return PREFIXES


def _record(g: Graph, node: URIRef, cls: URIRef, id_: str, label: str, iris: Iris) -> None:
    """What every record node carries: its class, id, label and case."""
    g.add((node, RDF.type, cls))
    g.add((node, DCTERMS.identifier, Literal(id_)))
    g.add((node, RDFS.label, Literal(label)))
    g.add((node, TL.inCase, iris.case))


def _case_node(g: Graph, case: Case, iris: Iris) -> None:
    g.add((iris.case, RDF.type, TL.Case))
    g.add((iris.case, RDFS.label, Literal(case.title)))
    g.add((iris.case, DCTERMS.identifier, Literal(case.id)))
    _text(g, iris.case, DCTERMS.description, case.description)
    g.add((iris.case, SCHEMA.inLanguage, Literal(case.language)))
    g.add((iris.case, SCHEMA.version, Literal(__version__)))


def _entities(g: Graph, case: Case, iris: Iris) -> None:
    for e in case.entities.values():
        node = iris.entity(e.id)
        _record(g, node, TL[ENTITY_CLASS[e.type]], e.id, e.label, iris)
        for alias in e.aliases:
            g.add((node, SKOS.altLabel, Literal(alias)))
        _text(g, node, DCTERMS.description, e.description)
        _text(g, node, SCHEMA.jobTitle, e.position)
        _text(g, node, TL.note, e.note)
        if e.wikidata:
            g.add((node, TL.wikidata, Literal(e.wikidata)))
            g.add((node, OWL.sameAs, WD[e.wikidata]))
            g.add((node, SCHEMA.sameAs, WD[e.wikidata]))
        for org in e.member_of:
            g.add((node, TL.memberOf, iris.entity(org)))
        if e.parent:
            g.add((node, TL.parentOrganization, iris.entity(e.parent)))
        if e.made_by:
            g.add((node, TL.madeBy, iris.entity(e.made_by)))
        if e.located_in:
            g.add((node, TL.locatedIn, iris.entity(e.located_in)))


def _event(g: Graph, ev: Event, iris: Iris, entities: dict) -> None:
    node = iris.event(ev.id)
    _record(g, node, TL.Event, ev.id, ev.label, iris)
    g.add((node, DCTERMS.description, Literal(ev.description)))
    for t in ev.types:
        g.add((node, TL.eventType, EVENT_TYPE[t]))
    if ev.date is not None:
        add_dates(g, node, ev.date, ev.date_basis, ev.date_note)
    if ev.place:
        g.add((node, TL.place, iris.entity(ev.place)))
    for n, p in enumerate(ev.participants, start=1):
        part = URIRef(f"{node}/participation/{n}")
        entity = iris.entity(p.entity)
        g.add((node, TL.hasParticipation, part))
        g.add((part, RDF.type, TL.Participation))
        g.add((part, TL.participant, entity))
        g.add((part, TL.role, ROLE[p.role]))
        g.add((node, TL.involves, entity))
        if entities[p.entity].is_agent:  # the plain SEM shortcut, for agents only
            g.add((node, SEM.hasActor, entity))
    for doc in ev.produced:
        g.add((node, TL.produced, iris.entity(doc)))
    for target in ev.responds_to:
        g.add((node, TL.respondsTo, iris.event(target)))
    for target in ev.sub_event_of:
        g.add((node, TL.subEventOf, iris.event(target)))
    _text(g, node, TL.note, ev.note)


def _claim(g: Graph, c: Claim, iris: Iris, events: dict[str, Event]) -> None:
    node = iris.claim(c.id)
    _record(g, node, TL.Claim, c.id, c.text, iris)
    g.add((node, TL.claimText, Literal(c.text)))
    g.add((node, TL.claimant, iris.entity(c.claimant)))
    if c.on_behalf_of:
        g.add((node, TL.onBehalfOf, iris.entity(c.on_behalf_of)))
    g.add((node, TL.stance, STANCE[c.stance]))
    for target in c.about:
        g.add((node, TL.about, iris.event(target) if target in events else iris.entity(target)))
    if c.stated_in:
        g.add((node, PROV.wasGeneratedBy, iris.event(c.stated_in)))
    if c.date is not None:
        add_dates(g, node, c.date, c.date_basis, c.date_note)
    for other in c.contradicts:  # symmetric: state both directions so queries need no UNION
        g.add((node, TL.contradicts, iris.claim(other)))
        g.add((iris.claim(other), TL.contradicts, node))
    for other in c.corroborates:
        g.add((node, TL.corroborates, iris.claim(other)))
    if c.source_reliability:
        g.add((node, TL.sourceReliability, Literal(c.source_reliability)))
    if c.information_credibility is not None:
        g.add((node, TL.informationCredibility, Literal(c.information_credibility)))
    _text(g, node, TL.note, c.note)


def _source(g: Graph, case: Case, s, iris: Iris) -> None:
    node = iris.source(s.id)
    _record(g, node, TL.SourceArticle, s.id, s.title, iris)
    g.add((node, SCHEMA.headline, Literal(s.title)))
    g.add((node, SCHEMA.text, Literal(s.text)))
    g.add((node, TL.sha256, Literal(s.sha256)))
    g.add((node, SCHEMA.inLanguage, Literal(s.language)))
    g.add((node, TL.titleSupplied, Literal(s.title_supplied)))
    if s.url:
        g.add((node, SCHEMA.url, URIRef(s.url)))
    if s.publisher:
        g.add((node, SCHEMA.publisher, iris.entity(s.publisher)))
    _text(g, node, TL.note, s.publisher_note)
    if s.published is not None:
        exact = s.published.earliest_begin is not None and s.published.earliest_begin == s.published.latest_end
        if exact:  # schema:datePublished only when the day is known
            g.add((node, SCHEMA.datePublished, _date(s.published.sort_date)))
        add_dates(g, node, s.published, None, None)
    _text(g, node, TL.publicationNote, s.published_note)


def _mentions(ds: Dataset, case: Case, kind: str, record, iris: Iris) -> None:
    body = iris.event(record.id) if kind == "event" else iris.claim(record.id)
    for n, citation in enumerate(record.citations, start=1):
        source = case.sources[citation.source]
        g = ds.graph(iris.source_graph(source.id))
        _mention(g, iris.mention(kind, record.id, n), body, iris.source(source.id), source.text, citation)


def _mention(g: Graph, m: URIRef, body: URIRef, source: URIRef, text: str, c: Citation) -> None:
    target, quote_sel, pos_sel = URIRef(f"{m}/target"), URIRef(f"{m}/quote"), URIRef(f"{m}/position")
    prefix, suffix = quotes.selector_context(text, c.start, c.end)
    g.add((body, TL.hasMention, m))
    g.add((m, RDF.type, TL.Mention))
    g.add((m, RDF.type, OA.Annotation))
    g.add((m, OA.motivatedBy, OA.identifying))
    g.add((m, OA.hasBody, body))
    g.add((m, OA.hasTarget, target))
    g.add((m, TL.inSource, source))
    g.add((target, RDF.type, OA.SpecificResource))
    g.add((target, OA.hasSource, source))
    g.add((target, OA.hasSelector, quote_sel))
    g.add((target, OA.hasSelector, pos_sel))
    g.add((quote_sel, RDF.type, OA.TextQuoteSelector))
    g.add((quote_sel, OA.exact, Literal(c.quote)))
    g.add((quote_sel, OA.prefix, Literal(prefix)))
    g.add((quote_sel, OA.suffix, Literal(suffix)))
    g.add((pos_sel, RDF.type, OA.TextPositionSelector))
    g.add((pos_sel, OA.start, Literal(c.start, datatype=XSD.nonNegativeInteger)))
    g.add((pos_sel, OA.end, Literal(c.end, datatype=XSD.nonNegativeInteger)))


def _ontology(g: Graph, directory: Path) -> None:
    from rdflib.compare import to_canonical_graph

    parsed = Graph()
    for name in ONTOLOGY_FILES:
        parsed.parse(directory / name, format="turtle")
    # Canonical blank-node labels keep the output byte-identical between builds.
    for triple in to_canonical_graph(parsed):
        g.add(triple)
