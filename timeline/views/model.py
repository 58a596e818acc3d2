"""What the timeline and graph pages show, read from a built graph.

:func:`load_view` answers a few SPARQL queries against a store and returns
plain data (events with their participants, claims and citations; entities;
sources), filtered by date window, actors and event types. Renderers turn it
into HTML; a notebook can use it directly. Everything is sorted, so the same
graph and filters give the same view.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from timeline import namespaces
from timeline.case.names import NameIndex, norm
from timeline.errors import TimelineError
from timeline.graph.build import MONTH_RANGES
from timeline.htmlsafe import safe_url
from timeline.query.results import Term
from timeline.query.saved_queries import XSD_DATE

TL = namespaces.TL

# Which side of a relation each role stands on, for the directed graph edges:
# e.g. a vendor *pitched to* a target, a signatory *wrote to* a recipient.
SOURCE_ROLES = ("initiator", "author", "signatory", "speaker", "spokesperson", "vendor", "host", "publisher",
                "interviewer")
TARGET_ROLES = ("target", "recipient", "customer", "subject", "partner", "interviewee", "participant", "product")


@dataclass
class Citation:
    source: str
    quote: str
    start: int
    title: str = ""
    publisher: str = ""
    published: str = ""
    url: str | None = None


@dataclass
class Participant:
    id: str
    label: str
    role: str
    kind: str  # the entity's class local name, e.g. "Company"


@dataclass
class ClaimView:
    id: str
    text: str
    claimant: str
    claimant_label: str
    stance: str
    about: list[str] = field(default_factory=list)
    date: str = ""
    contradicts: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    on_behalf_of: str = ""  # id of the entity the claimant spoke for (tl:onBehalfOf), if any


@dataclass
class MediaView:
    """An event's image as the graph gives it: a ``file`` of the case (path relative to the case directory,
    with the ``sha256`` of its bytes) or a ``url`` (http(s) only, shown as a link, never loaded), and its alt
    text and credit. :func:`timeline.render.media.media_src` turns a file into what an ``<img>`` shows."""

    file: str | None = None
    url: str | None = None
    alt: str = ""
    credit: str = ""
    sha256: str | None = None


@dataclass
class EventView:
    id: str
    label: str
    description: str
    edtf: str
    date_label: str
    sort: str
    earliest_begin: str | None
    latest_begin: str | None
    earliest_end: str | None
    latest_end: str | None
    unit: str
    approximate: bool
    uncertain: bool
    basis: str = ""
    date_note: str = ""
    place: str = ""
    types: list[str] = field(default_factory=list)
    type_labels: list[str] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)  # ids of claims about or made in this event
    media: MediaView | None = None  # the event's image (tl:media), if it has one

    def overlaps(self, start: date | None, end: date | None) -> bool:
        if end is not None and self.earliest_begin is not None and date.fromisoformat(self.earliest_begin) > end:
            return False
        if start is not None and self.latest_end is not None and date.fromisoformat(self.latest_end) < start:
            return False
        return True

    @property
    def sources(self) -> list[str]:
        return sorted({c.source for c in self.citations})


@dataclass
class EntityView:
    id: str
    label: str
    kind: str
    kind_label: str
    description: str = ""
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    member_of: list[str] = field(default_factory=list)


@dataclass
class SourceView:
    id: str
    title: str
    publisher: str
    published: str
    url: str | None


@dataclass
class View:
    case_title: str
    events: list[EventView]
    claims: dict[str, ClaimView]
    entities: dict[str, EntityView]
    sources: dict[str, SourceView]
    filters: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        """Deterministic JSON (sorted keys) for embedding in a page."""
        data = {
            "caseTitle": self.case_title,
            "filters": self.filters,
            "events": [_event_json(e) for e in self.events],
            "claims": {k: asdict(v) for k, v in sorted(self.claims.items())},
            "entities": {k: asdict(v) for k, v in sorted(self.entities.items())},
            "sources": {k: asdict(v) for k, v in sorted(self.sources.items())},
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def relations(self) -> list[dict[str, str]]:
        """Directed entity-to-entity relations, one per event and role pair, with the event's id."""
        out = []
        for ev in self.events:
            sources = [p for p in ev.participants if p.role in SOURCE_ROLES]
            targets = [p for p in ev.participants if p.role in TARGET_ROLES]
            for s in sources:
                for t in targets:
                    if s.id != t.id:
                        out.append({"from": s.id, "to": t.id, "event": ev.id, "relation": "/".join(ev.types),
                                    "fromRole": s.role, "toRole": t.role})
        for entity in self.entities.values():
            for org in entity.member_of:
                if org in self.entities:
                    out.append({"from": entity.id, "to": org, "event": "", "relation": "member of",
                                "fromRole": "", "toRole": ""})
        return sorted(out, key=lambda r: (r["from"], r["to"], r["event"], r["fromRole"], r["toRole"]))


def _event_json(event: EventView) -> dict:
    data = asdict(event)
    if data["media"] is None:  # left out, so the pages of a case without images stay as they were
        del data["media"]
    return data


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _rows(store, text: str, bindings: dict | None = None) -> list[dict[str, str]]:
    return store.query(text, bindings, where="view").records()


def load_view(store, date_from: date | None = None, date_to: date | None = None,
              actors: list[str] | tuple[str, ...] = (), types: list[str] | tuple[str, ...] = ()) -> View:
    """The events, claims, entities and sources of a built graph, filtered.

    ``actors`` are entity ids (an event qualifies if any of them takes part);
    ``types`` event-type ids; the date window is an overlap test on the bounds.
    """
    case_rows = _rows(store, "SELECT ?title WHERE { ?case a tl:Case ; rdfs:label ?title } LIMIT 1")
    if not case_rows:
        raise TimelineError("the graph has no tl:Case; rebuild it with `timeline build`")
    sources = _sources(store)
    entities = _entities(store)
    events = _events(store, sources, date_from, date_to)
    claims = _claims(store, sources)
    for claim in claims.values():
        for target in claim.about:
            if target in events:
                events[target].claims.append(claim.id)
    for row in _rows(store, "SELECT ?c ?e WHERE { ?c a tl:Claim ; prov:wasGeneratedBy ?e }"):
        event = events.get(_local(row["e"]))
        if event is not None and _local(row["c"]) not in event.claims:
            event.claims.append(_local(row["c"]))
    for event in events.values():
        event.claims.sort()

    unknown_actors = [a for a in actors if a not in entities]
    if unknown_actors:
        said = f"actor {unknown_actors[0]!r}"
        raise TimelineError(f"{said}: no such entity in the graph", param="actors", said=said,
                            value=repr(unknown_actors[0]))
    selected = [
        e for e in sorted(events.values(), key=lambda e: (e.sort, e.id))
        if e.overlaps(date_from, date_to)
        and (not actors or any(p.id in actors for p in e.participants))
        and (not types or any(t in types for t in e.types))
    ]
    filters = {"from": date_from.isoformat() if date_from else None,
               "to": date_to.isoformat() if date_to else None,
               "actors": sorted(actors), "types": sorted(types)}
    return View(case_rows[0]["title"], selected, claims, entities, sources, filters)


def _sources(store) -> dict[str, SourceView]:
    rows = _rows(store, """SELECT ?id ?title ?published ?publisher ?url WHERE {
        ?s a tl:SourceArticle ; dcterms:identifier ?id ; schema:headline ?title ; tl:dateLabel ?published .
        OPTIONAL { ?s schema:publisher/rdfs:label ?publisher }
        OPTIONAL { ?s schema:url ?url } }""")
    return {r["id"]: SourceView(r["id"], r["title"], r.get("publisher", ""), r["published"], r.get("url"))
            for r in sorted(rows, key=lambda r: r["id"])}


def _entities(store) -> dict[str, EntityView]:
    rows = _rows(store, """SELECT ?id ?label ?cls ?clsLabel ?description ?wikidata WHERE {
        ?e tl:inCase ?case ; dcterms:identifier ?id ; rdfs:label ?label ; a ?cls .
        ?cls rdfs:label ?clsLabel ; rdfs:subClassOf* ?top .
        VALUES ?top { tl:Agent tl:Product tl:Technology tl:Project tl:Place tl:Document }
        OPTIONAL { ?e dcterms:description ?description }
        OPTIONAL { ?e tl:wikidata ?wikidata } }""")
    entities: dict[str, EntityView] = {}
    for r in sorted(rows, key=lambda r: r["id"]):
        entities.setdefault(r["id"], EntityView(r["id"], r["label"], _local(r["cls"]), r["clsLabel"],
                                                r.get("description", ""), wikidata=r.get("wikidata")))
    for r in _rows(store, "SELECT ?id ?alias WHERE { ?e dcterms:identifier ?id ; skos:altLabel ?alias }"):
        if r["id"] in entities:
            entities[r["id"]].aliases.append(r["alias"])
    for r in _rows(store, "SELECT ?id ?org WHERE { ?e dcterms:identifier ?id ; tl:memberOf ?org }"):
        if r["id"] in entities:
            entities[r["id"]].member_of.append(_local(r["org"]))
    for e in entities.values():
        e.aliases.sort()
        e.member_of.sort()
    return entities


def _citations(store, kind: str, sources: dict[str, SourceView], only: str = "",
               bindings: dict | None = None) -> dict[str, list[Citation]]:
    """The citations of every record of ``kind``, by id; ``only``/``bindings``: a :func:`_window` on ``?e``."""
    # The default graph is the union, so this also works on a graph whose named graphs were merged.
    rows = _rows(store, f"""SELECT DISTINCT ?id ?source ?quote ?start WHERE {{ {only}
        ?e tl:hasMention ?m . ?m tl:inSource ?s ; oa:hasTarget ?t .
        ?t oa:hasSelector ?q, ?p . ?q oa:exact ?quote . ?p oa:start ?start .
        ?e a tl:{kind} ; dcterms:identifier ?id . ?s dcterms:identifier ?source }}""", bindings)
    out: dict[str, list[Citation]] = {}
    for r in rows:
        s = sources[r["source"]]
        out.setdefault(r["id"], []).append(Citation(r["source"], r["quote"], int(r["start"]), s.title,
                                                    s.publisher, s.published, s.url))
    for items in out.values():
        items.sort(key=lambda c: (c.source, c.start))
    return out


def _window(store, date_from: date | None, date_to: date | None) -> tuple[str, dict]:
    """A group pattern and its bindings that keep ``?e`` to the events whose month range
    (tl:monthRange) overlaps the window: a superset of the events in it, found from the few index
    nodes instead of every event. ("", {}) when there is no window or the graph has no index."""
    if date_from is None and date_to is None:
        return "", {}
    if not store.query(f"ASK {{ <{MONTH_RANGES}> rdfs:member ?range }}", where="view").boolean:
        return "", {}  # a graph built before the index: every event is read and tested
    tests, bindings = [], {}
    name = 'STR(?_range), "/date-range/"'
    if date_to is not None:
        tests.append(f'COALESCE(xsd:date(STRBEFORE(STRAFTER({name}), "/")) <= ?_to, true)')
        bindings["_to"] = Term.literal(date_to.isoformat(), XSD_DATE)
    if date_from is not None:
        tests.append(f'COALESCE(xsd:date(STRAFTER(STRAFTER({name}), "/")) >= ?_from, true)')
        bindings["_from"] = Term.literal(date_from.isoformat(), XSD_DATE)
    # The BIND ends the basic graph pattern, so that Oxigraph starts from the index nodes.
    return (f"<{MONTH_RANGES}> rdfs:member ?_range . FILTER ({' && '.join(tests)}) "
            "BIND (?_range AS ?_in) ?e tl:monthRange ?_range .", bindings)


def _events(store, sources: dict[str, SourceView], date_from: date | None,
            date_to: date | None) -> dict[str, EventView]:
    only, bindings = _window(store, date_from, date_to)
    rows = _rows(store, """SELECT * WHERE { """ + only + """
        ?e a tl:Event ; dcterms:identifier ?id ; rdfs:label ?label ; dcterms:description ?description ;
           tl:edtf ?edtf ; tl:dateLabel ?dateLabel ; tl:sortDate ?sort ; time:unitType ?unit ;
           tl:dateApproximate ?approximate ; tl:dateUncertain ?uncertain .
        OPTIONAL { ?e sem:hasEarliestBeginTimeStamp ?eb } OPTIONAL { ?e sem:hasLatestBeginTimeStamp ?lb }
        OPTIONAL { ?e sem:hasEarliestEndTimeStamp ?ee } OPTIONAL { ?e sem:hasLatestEndTimeStamp ?le }
        OPTIONAL { ?e tl:dateBasis/skos:notation ?basis } OPTIONAL { ?e tl:dateNote ?note }
        OPTIONAL { ?e tl:place/rdfs:label ?place }
        OPTIONAL { ?e tl:media ?media . ?media tl:altText ?mediaAlt ; schema:creditText ?mediaCredit .
                   OPTIONAL { ?media tl:mediaFile ?mediaFile } OPTIONAL { ?media schema:sha256 ?mediaSha256 }
                   OPTIONAL { ?media schema:contentUrl ?mediaUrl } } }""", bindings)
    events = {
        r["id"]: EventView(
            r["id"], r["label"], r["description"], r["edtf"], r["dateLabel"], r["sort"], r.get("eb"), r.get("lb"),
            r.get("ee"), r.get("le"), _local(r["unit"]).removeprefix("unit").lower(), r["approximate"] == "true",
            r["uncertain"] == "true", r.get("basis", ""), r.get("note", ""), r.get("place", ""), media=_media(r))
        for r in rows
    }
    for r in sorted(_rows(store, """SELECT ?id ?type ?typeLabel WHERE { """ + only + """
            ?e a tl:Event ; dcterms:identifier ?id ;
            tl:eventType ?t . ?t skos:notation ?type ; skos:prefLabel ?typeLabel }""", bindings),
                    key=lambda r: (r["id"], r["type"])):
        events[r["id"]].types.append(r["type"])
        events[r["id"]].type_labels.append(r["typeLabel"])
    found: dict[str, list[tuple[int, Participant]]] = {}
    for r in _rows(store, """SELECT ?id ?pid ?plabel ?role ?cls ?n WHERE { """ + only + """
            ?e a tl:Event ; dcterms:identifier ?id ;
            tl:hasParticipation ?p . ?p tl:participant ?x ; tl:role/skos:notation ?role .
            ?x dcterms:identifier ?pid ; rdfs:label ?plabel ; a ?cls .
            ?cls rdfs:isDefinedBy <https://w3id.org/timeline/ns> . BIND (STR(?p) AS ?n) }""", bindings):
        number = r["n"].rpartition("/")[2]
        order = int(number) if number.isdigit() else 0
        found.setdefault(r["id"], []).append((order, Participant(r["pid"], r["plabel"], r["role"], _local(r["cls"]))))
    ranked = SOURCE_ROLES + TARGET_ROLES
    for event_id, items in found.items():
        # By role (who acts first), then in the order of the record (participation/1, /2, ...), as the curator
        # listed them; never in the order a query happens to return.
        items.sort(key=lambda item: (ranked.index(item[1].role) if item[1].role in ranked else 99, item[0]))
        events[event_id].participants = [participant for _order, participant in items]
    for event_id, citations in _citations(store, "Event", sources, only, bindings).items():
        events[event_id].citations = citations
    return events


def _media(row: dict[str, str]) -> MediaView | None:
    """The image of an event's row; a URL that is not http(s) (a graph from elsewhere) is left out."""
    if "mediaAlt" not in row:
        return None
    return MediaView(row.get("mediaFile"), safe_url(row.get("mediaUrl")), row["mediaAlt"], row["mediaCredit"],
                     row.get("mediaSha256"))


def _claims(store, sources: dict[str, SourceView]) -> dict[str, ClaimView]:
    rows = _rows(store, """SELECT ?id ?text ?claimant ?claimantLabel ?stance ?date WHERE {
        ?c a tl:Claim ; dcterms:identifier ?id ; tl:claimText ?text ; tl:claimant ?who ;
           tl:stance/skos:notation ?stance . ?who dcterms:identifier ?claimant ; rdfs:label ?claimantLabel .
        OPTIONAL { ?c tl:dateLabel ?own } OPTIONAL { ?c prov:wasGeneratedBy/tl:dateLabel ?made }
        BIND (COALESCE(?own, ?made, "") AS ?date) }""")
    claims = {r["id"]: ClaimView(r["id"], r["text"], r["claimant"], r["claimantLabel"], r["stance"],
                                 date=r["date"]) for r in rows}
    for r in _rows(store, "SELECT ?id ?about WHERE { ?c a tl:Claim ; dcterms:identifier ?id ; tl:about ?a . "
                          "?a dcterms:identifier ?about }"):
        claims[r["id"]].about.append(r["about"])
    for r in _rows(store, "SELECT ?id ?other WHERE { ?c dcterms:identifier ?id ; tl:contradicts ?o . "
                          "?o dcterms:identifier ?other }"):
        claims[r["id"]].contradicts.append(r["other"])
    for r in _rows(store, "SELECT ?id ?org WHERE { ?c a tl:Claim ; dcterms:identifier ?id ; tl:onBehalfOf ?o . "
                          "?o dcterms:identifier ?org }"):
        claims[r["id"]].on_behalf_of = r["org"]
    for claim_id, citations in _citations(store, "Claim", sources).items():
        claims[claim_id].citations = citations
    for c in claims.values():
        c.about.sort()
        c.contradicts.sort()
    return claims


# ------------------------------------------------------------------ names


def name_index(view: View) -> NameIndex:
    """The names (ids, labels, aliases) of the view's entities, for :func:`resolve_entity`."""
    return NameIndex((e.id, e.label, e.aliases) for e in view.entities.values())


def resolve_entity(view: View, name: str, on_resolved: Callable[[str], None] | None = None) -> EntityView:
    """The entity whose id, label or alias is ``name`` (case-, quote- and whitespace-insensitive), else the one
    entity whose names contain it (see :mod:`timeline.case.names`).

    An id wins over a label and a label over an alias, so an id is never ambiguous. A partial name is
    reported to ``on_resolved`` (``resolved 'x' to 'id' (Label)``) so the user sees which entity was
    chosen. Raises :class:`TimelineError` for an unknown name (with the closest names as suggestions, one
    per entity) and for a name that fits several entities equally well (listing them).
    """
    if not norm(name):
        raise TimelineError("no entity named ''")
    match = name_index(view).resolve(name, partial=True)
    if match.partial and on_resolved is not None:
        on_resolved(match.note(name))
    return view.entities[match.id]
