"""Turn a checked case into an RDF dataset, written as sorted N-Quads.

Graphs: ``<base>graph/curated`` holds entities, events and claims;
``<base>graph/source/<id>`` holds one article, its metadata and the mentions
(quotes) that cite it, so "what does this source say" is a GRAPH query and
corroboration is a count of graphs; ``<base>graph/ontology`` holds the
vocabulary so a built graph is self-describing.

The N-Quads lines are written directly rather than through rdflib: at 100,000
events rdflib needs minutes and gigabytes to hold the dataset that this writer
produces in seconds. :func:`build_dataset` parses the result when an rdflib
dataset is wanted (pySHACL, notebooks).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path

from timeline import __version__, namespaces, resources
from timeline.case import quotes
from timeline.case.dates import DateSpan, last_day
from timeline.case.model import ENTITY_CLASS, Case, Citation, Claim, Entity, Event, Media, Source

ONTOLOGY_FILES = ("timeline.ttl", "event-types.ttl", "roles.ttl")
#: The month-range index (tl:monthRange): its nodes are members of this container.
MONTH_RANGES = namespaces.MONTH_RANGES

_P = namespaces.PREFIXES
TL, RDF, RDFS, XSD = namespaces.TL, _P["rdf"], _P["rdfs"], _P["xsd"]
SEM, SCHEMA, OA, DCT = _P["sem"], _P["schema"], _P["oa"], _P["dcterms"]
SKOS, OWL, PROV, TIME, WD = _P["skos"], _P["owl"], _P["prov"], _P["time"], _P["wd"]
UNITS = {
    "day": TIME + "unitDay", "month": TIME + "unitMonth", "season": TL + "unitSeason", "year": TIME + "unitYear",
    # OWL-Time's 2022 draft adds these two.
    "decade": TIME + "unitDecade", "century": TIME + "unitCentury",
}
_A = f"<{RDF}type>"
_BOOLEAN = {True: f'"true"^^<{XSD}boolean>', False: f'"false"^^<{XSD}boolean>'}
_BOUNDS = ("hasEarliestBeginTimeStamp", "hasLatestBeginTimeStamp", "hasEarliestEndTimeStamp", "hasLatestEndTimeStamp")


class Iris:
    """The IRIs minted for a case's resources."""

    def __init__(self, base: str):
        self.base = base
        self.case = base
        self.curated_graph = base + "graph/curated"
        self.ontology_graph = base + "graph/ontology"

    def entity(self, id_: str) -> str:
        return f"{self.base}entity/{id_}"

    def event(self, id_: str) -> str:
        return f"{self.base}event/{id_}"

    def claim(self, id_: str) -> str:
        return f"{self.base}claim/{id_}"

    def source(self, id_: str) -> str:
        return f"{self.base}source/{id_}"

    def source_graph(self, id_: str) -> str:
        return f"{self.base}graph/source/{id_}"

    def mention(self, record_kind: str, record_id: str, n: int) -> str:
        return f"{self.base}mention/{record_kind}/{record_id}/{n}"


def month_range_key(earliest_begin: date | None, latest_end: date | None) -> str:
    """``2018-06-01/2018-06-30``: the whole months a date could overlap; ``open`` for an unknown bound."""
    first = earliest_begin.replace(day=1).isoformat() if earliest_begin else "open"
    if latest_end is None:
        return f"{first}/open"
    return f"{first}/{latest_end.replace(day=last_day(latest_end.year, latest_end.month)).isoformat()}"


def literal(value: str) -> str:
    """A plain string literal in N-Quads: only ``\\``, ``"``, LF and CR need escaping there."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


@lru_cache(maxsize=8192)
def _day(value: date) -> str:  # remembered: the bounds of a case's dates repeat
    return f'"{value.isoformat()}"^^<{XSD}date>'


class _Writer:
    """Collects the N-Quads lines of one case; one method per kind of record."""

    def __init__(self, case: Case):
        self.case, self.iris, self.lines = case, Iris(case.base), []
        self.curated = f"<{self.iris.curated_graph}> .\n"
        self.case_iri = f"<{case.base}>"
        self.agents = {e.id for e in case.entities.values() if e.is_agent}

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{s} <{p}> {o} {g}")

    def text(self, node: str, prop: str, value: str | None, g: str) -> None:
        if value:
            self.add(node, prop, literal(value), g)

    def record(self, node: str, cls: str, id_: str, label: str, g: str) -> None:
        """What every record node carries: its class, id, label and case."""
        self.lines += (f"{node} {_A} <{cls}> {g}", f"{node} {_IRI['identifier']} {literal(id_)} {g}",
                       f"{node} {_IRI['label']} {literal(label)} {g}", f"{node} {_IRI['inCase']} {self.case_iri} {g}")

    def dates(self, node: str, span: DateSpan, basis: str | None, note: str | None, g: str,
              index: bool = False) -> None:
        """The EDTF as written, four xsd:date bounds, the unit and the qualifiers.

        With ``index``, also the node's month range (tl:monthRange), which lets a
        date-window query skip the nodes that cannot overlap the window.
        """
        lines = self.lines
        lines += (f"{node} {_IRI['edtf']} {literal(span.edtf)} {g}",
                  f"{node} {_IRI['dateLabel']} {literal(span.label)} {g}",
                  f"{node} {_IRI['sortDate']} {_day(span.sort_date)} {g}")
        values = (span.earliest_begin, span.latest_begin, span.earliest_end, span.latest_end)
        for prop, value in zip(_BOUND_PREDICATES, values, strict=True):
            if value is not None:
                lines.append(f"{node} {prop} {_day(value)} {g}")
        lines += (f"{node} {_IRI['unitType']} <{UNITS[span.unit]}> {g}",
                  f"{node} {_IRI['dateApproximate']} {_BOOLEAN[bool(span.approximate)]} {g}",
                  f"{node} {_IRI['dateUncertain']} {_BOOLEAN[bool(span.uncertain)]} {g}")
        if basis:
            lines.append(f"{node} {_IRI['dateBasis']} <{namespaces.DATE_BASIS}{basis}> {g}")
        if note:
            lines.append(f"{node} {_IRI['dateNote']} {literal(note)} {g}")
        if index:
            month_range = f"<{MONTH_RANGES}{month_range_key(span.earliest_begin, span.latest_end)}>"
            lines += (f"{node} {_IRI['monthRange']} {month_range} {g}",
                      f"<{MONTH_RANGES}> {_IRI['member']} {month_range} {g}")

    def case_node(self) -> None:
        case, node, g = self.case, f"<{self.iris.case}>", self.curated
        self.lines.append(f"{node} {_A} <{TL}Case> {g}")
        self.add(node, RDFS + "label", literal(case.title), g)
        self.add(node, DCT + "identifier", literal(case.id), g)
        self.text(node, DCT + "description", case.description, g)
        self.add(node, SCHEMA + "inLanguage", literal(case.language), g)
        self.add(node, SCHEMA + "version", literal(__version__), g)

    def entity(self, e: Entity) -> None:
        node, g, iris = f"<{self.iris.entity(e.id)}>", self.curated, self.iris
        self.record(node, TL + ENTITY_CLASS[e.type], e.id, e.label, g)
        for alias in e.aliases:
            self.add(node, SKOS + "altLabel", literal(alias), g)
        self.text(node, DCT + "description", e.description, g)
        self.text(node, SCHEMA + "jobTitle", e.position, g)
        self.text(node, TL + "note", e.note, g)
        if e.wikidata:
            self.add(node, TL + "wikidata", literal(e.wikidata), g)
            self.add(node, OWL + "sameAs", f"<{WD}{e.wikidata}>", g)
            self.add(node, SCHEMA + "sameAs", f"<{WD}{e.wikidata}>", g)
        for org in e.member_of:
            self.add(node, TL + "memberOf", f"<{iris.entity(org)}>", g)
        for prop, target in (("parentOrganization", e.parent), ("madeBy", e.made_by), ("locatedIn", e.located_in)):
            if target:
                self.add(node, TL + prop, f"<{iris.entity(target)}>", g)

    def event(self, ev: Event) -> None:
        # Written line by line rather than through add(): events make over half the lines (36 per event).
        node, g, iris, lines = f"<{self.iris.event(ev.id)}>", self.curated, self.iris, self.lines
        self.record(node, TL + "Event", ev.id, ev.label, g)
        lines.append(f"{node} {_IRI['description']} {literal(ev.description)} {g}")
        for t in ev.types:
            lines.append(f"{node} {_IRI['eventType']} <{namespaces.EVENT_TYPE}{t}> {g}")
        if ev.date is not None:
            self.dates(node, ev.date, ev.date_basis, ev.date_note, g, index=True)
        if ev.place:
            self.add(node, TL + "place", f"<{iris.entity(ev.place)}>", g)
        for n, p in enumerate(ev.participants, start=1):
            part, who = f"{node[:-1]}/participation/{n}>", f"<{iris.entity(p.entity)}>"
            lines += (f"{node} {_IRI['hasParticipation']} {part} {g}", f"{part} {_A} {_IRI['Participation']} {g}",
                      f"{part} {_IRI['participant']} {who} {g}",
                      f"{part} {_IRI['role']} <{namespaces.ROLE}{p.role}> {g}",
                      f"{node} {_IRI['involves']} {who} {g}")
            if p.entity in self.agents:  # the plain SEM shortcut, for agents only
                lines.append(f"{node} {_IRI['hasActor']} {who} {g}")
        for doc in ev.produced:
            self.add(node, TL + "produced", f"<{iris.entity(doc)}>", g)
        for target in ev.responds_to:
            self.add(node, TL + "respondsTo", f"<{iris.event(target)}>", g)
        for target in ev.sub_event_of:
            self.add(node, TL + "subEventOf", f"<{iris.event(target)}>", g)
        self.text(node, TL + "note", ev.note, g)
        if ev.media is not None:
            self.media(node, ev.media, g)

    def media(self, event: str, m: Media, g: str) -> None:
        """An event's image, a node of its own: a file's path and digest, or a URL; its alt text and credit."""
        node = f"{event[:-1]}/media>"
        self.add(event, TL + "media", node, g)
        self.lines.append(f"{node} {_A} <{TL}Media> {g}")
        self.add(node, TL + "altText", literal(m.alt), g)
        self.add(node, SCHEMA + "creditText", literal(m.credit), g)
        if m.file is not None:
            self.add(node, TL + "mediaFile", literal(m.file), g)
            self.text(node, SCHEMA + "sha256", m.sha256, g)  # set by the checks, which read the file
        if m.url is not None:
            self.add(node, SCHEMA + "contentUrl", f"<{m.url}>", g)

    def claim(self, c: Claim) -> None:
        node, g, iris = f"<{self.iris.claim(c.id)}>", self.curated, self.iris
        self.record(node, TL + "Claim", c.id, c.text, g)
        self.add(node, TL + "claimText", literal(c.text), g)
        self.add(node, TL + "claimant", f"<{iris.entity(c.claimant)}>", g)
        if c.on_behalf_of:
            self.add(node, TL + "onBehalfOf", f"<{iris.entity(c.on_behalf_of)}>", g)
        self.add(node, TL + "stance", f"<{namespaces.STANCE}{c.stance}>", g)
        for target in c.about:
            about = iris.event(target) if target in self.case.events else iris.entity(target)
            self.add(node, TL + "about", f"<{about}>", g)
        if c.stated_in:
            self.add(node, PROV + "wasGeneratedBy", f"<{iris.event(c.stated_in)}>", g)
        if c.date is not None:
            self.dates(node, c.date, c.date_basis, c.date_note, g)
        for other in c.contradicts:  # symmetric: state both directions so queries need no UNION
            self.add(node, TL + "contradicts", f"<{iris.claim(other)}>", g)
            self.add(f"<{iris.claim(other)}>", TL + "contradicts", node, g)
        for other in c.corroborates:
            self.add(node, TL + "corroborates", f"<{iris.claim(other)}>", g)
        self.text(node, TL + "sourceReliability", c.source_reliability, g)
        if c.information_credibility is not None:
            self.add(node, TL + "informationCredibility", f'"{int(c.information_credibility)}"^^<{XSD}integer>', g)
        self.text(node, TL + "note", c.note, g)

    def source(self, s: Source) -> None:
        node, g, iris = f"<{self.iris.source(s.id)}>", f"<{self.iris.source_graph(s.id)}> .\n", self.iris
        self.record(node, TL + "SourceArticle", s.id, s.title, g)
        self.add(node, SCHEMA + "headline", literal(s.title), g)
        self.add(node, SCHEMA + "text", literal(s.text), g)
        self.add(node, TL + "sha256", literal(s.sha256), g)
        self.add(node, SCHEMA + "inLanguage", literal(s.language), g)
        self.add(node, TL + "titleSupplied", _BOOLEAN[bool(s.title_supplied)], g)
        if s.url:
            self.add(node, SCHEMA + "url", f"<{s.url}>", g)
        if s.publisher:
            self.add(node, SCHEMA + "publisher", f"<{iris.entity(s.publisher)}>", g)
        self.text(node, TL + "note", s.publisher_note, g)
        if s.published is not None:
            p = s.published
            if p.earliest_begin is not None and p.earliest_begin == p.latest_end:  # only when the day is known
                self.add(node, SCHEMA + "datePublished", _day(p.sort_date), g)
            self.dates(node, p, None, None, g)
        self.text(node, TL + "publicationNote", s.published_note, g)

    def mentions(self, kind: str, record: Event | Claim) -> None:
        body = f"<{self.case.base}{kind}/{record.id}>"
        for n, citation in enumerate(record.citations, start=1):
            self.mention(self.iris.mention(kind, record.id, n), body, self.case.sources[citation.source], citation)

    def mention(self, m: str, body: str, source: Source, c: Citation) -> None:
        # Written as one tuple: at 100k events there are 160,000 mentions of 18 lines each.
        g = f"<{self.iris.source_graph(source.id)}> .\n"
        mention, target, quote_sel, pos_sel = f"<{m}>", f"<{m}/target>", f"<{m}/quote>", f"<{m}/position>"
        src = f"<{self.iris.source(source.id)}>"
        prefix, suffix = quotes.selector_context(source.text, c.start, c.end)
        self.lines += (
            f"{body} {_IRI['hasMention']} {mention} {g}",
            f"{mention} {_A} {_IRI['Mention']} {g}",
            f"{mention} {_A} {_IRI['Annotation']} {g}",
            f"{target} {_A} {_IRI['SpecificResource']} {g}",
            f"{quote_sel} {_A} {_IRI['TextQuoteSelector']} {g}",
            f"{pos_sel} {_A} {_IRI['TextPositionSelector']} {g}",
            f"{mention} {_IRI['motivatedBy']} {_IRI['identifying']} {g}",
            f"{mention} {_IRI['hasBody']} {body} {g}",
            f"{mention} {_IRI['hasTarget']} {target} {g}",
            f"{mention} {_IRI['inSource']} {src} {g}",
            f"{target} {_IRI['hasSource']} {src} {g}",
            f"{target} {_IRI['hasSelector']} {quote_sel} {g}",
            f"{target} {_IRI['hasSelector']} {pos_sel} {g}",
            f"{quote_sel} {_IRI['exact']} {literal(c.quote)} {g}",
            f"{quote_sel} {_IRI['prefix']} {literal(prefix)} {g}",
            f"{quote_sel} {_IRI['suffix']} {literal(suffix)} {g}",
            f'{pos_sel} {_IRI["start"]} "{c.start}"^^{_IRI["nonNegativeInteger"]} {g}',
            f'{pos_sel} {_IRI["end"]} "{c.end}"^^{_IRI["nonNegativeInteger"]} {g}',
        )


# The IRIs of the lines of records, events, dates and mentions, bracketed once rather than on every line.
_IRI = {name: f"<{ns}{name}>" for ns, names in (
    (DCT, ("identifier", "description")), (RDFS, ("label", "member")), (TIME, ("unitType",)), (SEM, ("hasActor",)),
    (TL, ("inCase", "edtf", "dateLabel", "sortDate", "dateApproximate", "dateUncertain", "dateBasis", "dateNote",
          "monthRange", "eventType", "hasParticipation", "Participation", "participant", "role", "involves",
          "hasMention", "Mention", "inSource")),
    (OA, ("Annotation", "SpecificResource", "TextQuoteSelector", "TextPositionSelector", "motivatedBy", "identifying",
          "hasBody", "hasTarget", "hasSource", "hasSelector", "exact", "prefix", "suffix", "start", "end")),
    (XSD, ("nonNegativeInteger",))) for name in names}
_BOUND_PREDICATES = tuple(f"<{SEM}{name}>" for name in _BOUNDS)


def case_nquads(case: Case, ontology: Path | None = None,
                on_lines: Callable[[list[str]], None] | None = None,
                on_bytes: Callable[[bytes], None] | None = None, keep: bool = True) -> bytes:
    """The sorted, de-duplicated N-Quads of a case whose checks passed (citations carry offsets).

    Byte-identical for the same case, so builds can be compared and diffed.
    ``on_lines`` sees the lines in order, a piece at a time, before they are encoded (the
    ``scan`` SHACL engine checks them there, sparing a second read of the whole graph);
    ``on_bytes`` gets each piece once encoded (a build writes it to disk meanwhile). Without
    ``keep`` the pieces go only to ``on_bytes`` and nothing is returned: a build does not hold
    a second copy of the graph in memory (1.5 GB at 100k events).
    """
    w = _Writer(case)
    w.case_node()
    for e in case.entities.values():
        w.entity(e)
    for ev in case.events.values():
        w.event(ev)
    for c in case.claims.values():
        w.claim(c)
    for s in case.sources.values():
        w.source(s)
    for kind, records in (("event", case.events), ("claim", case.claims)):
        for record in records.values():
            w.mentions(kind, record)
    lines = w.lines
    lines.extend(_ontology_lines(w.iris.ontology_graph, str(ontology or resources.ontology_dir())))
    lines.sort(reverse=True)  # code-point order is UTF-8 byte order; reversed, to cut pieces off the end
    # De-duplicate and encode in pieces, freeing the lines as they go, into one buffer that grows in
    # place: BytesIO hands its buffer over without a copy, where joining pieces needs twice the graph.
    out, previous = io.BytesIO(), None
    while lines:
        piece = lines[-_PIECE:]
        del lines[-_PIECE:]
        piece.reverse()
        # Sorted, so a duplicate is the neighbour of its twin: keep each line unless it repeats the one before.
        piece = [line for line, before in zip(piece, [previous, *piece[:-1]], strict=True) if line != before]
        if not piece:
            continue
        previous = piece[-1]
        if on_lines is not None:
            on_lines(piece)
        # Line by line: most lines are ASCII, which encodes as a copy, but one character above U+00FF
        # anywhere makes a joined piece two bytes a character, slow to encode (at 1k events: 13 ms, not 7).
        encoded = b"".join([line.encode("utf-8") for line in piece])
        if keep:
            out.write(encoded)
        if on_bytes is not None:
            on_bytes(encoded)
    return out.getvalue()


# Lines encoded at a time: a piece and its copies stay well under a MB. Measured on a build of 1k events,
# 8,192 lines a piece (about 2 MB) took a third more page faults than 2,048 and was 15 ms slower.
_PIECE = 2048


@lru_cache(maxsize=4)
def _ontology_lines(graph: str, directory: str) -> tuple[str, ...]:
    """The ontology files as N-Quads lines in ``graph``, with blank nodes labelled by their content.

    A blank node's label is a hash of its own triples, nested blank nodes by their labels, so
    the output is byte-identical between builds and changes only where the ontology does. Read
    with pyoxigraph: rdflib took a quarter of a second of every build to parse and relabel it.
    """
    import pyoxigraph as ox

    triples = [t for name in ONTOLOGY_FILES for t in ox.parse(path=Path(directory) / name, format=ox.RdfFormat.TURTLE)]
    labels = _content_labels(triples)
    if labels is None:  # a blank node shared or in a cycle: not a tree, so use the general algorithm
        return _canonical_ontology_lines(graph, directory)

    def text(term) -> str:
        return f"_:{labels[term.value]}" if isinstance(term, ox.BlankNode) else str(term)

    g = f"<{graph}> .\n"
    return tuple(sorted({f"{text(t.subject)} {t.predicate} {text(t.object)} {g}" for t in triples}))


def _content_labels(triples: list) -> dict[str, str] | None:
    """Blank node id -> a label hashed from its triples, if the blank nodes form trees (as the lists
    and restrictions of an ontology written in Turtle do); None if one is shared or in a cycle."""
    import hashlib

    import pyoxigraph as ox

    own: dict[str, list] = {}
    mentions: dict[str, int] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            own.setdefault(t.subject.value, []).append(t)
        if isinstance(t.object, ox.BlankNode):
            mentions[t.object.value] = mentions.get(t.object.value, 0) + 1
    if any(n > 1 for n in mentions.values()):
        return None
    labels: dict[str, str] = {}

    def label(node: str, seen: frozenset) -> str | None:
        if node in seen:
            return None
        if node not in labels:
            parts = []
            for t in own.get(node, ()):
                value = label(t.object.value, seen | {node}) if isinstance(t.object, ox.BlankNode) else str(t.object)
                if value is None:
                    return None
                parts.append(f"{t.predicate} {value}")
            labels[node] = "b" + hashlib.sha256("\n".join(sorted(parts)).encode("utf-8")).hexdigest()[:32]
        return labels[node]

    nodes = set(own) | set(mentions)
    return labels if all(label(n, frozenset()) is not None for n in nodes) and \
        len(set(labels.values())) == len(labels) else None


def _canonical_ontology_lines(graph: str, directory: str) -> tuple[str, ...]:
    """:func:`_ontology_lines` for any ontology: rdflib's canonical blank node labels."""
    from rdflib import Dataset, Graph, URIRef
    from rdflib.compare import to_canonical_graph

    parsed = Graph()
    for name in ONTOLOGY_FILES:
        parsed.parse(Path(directory) / name, format="turtle")
    ds = Dataset()
    target = ds.graph(URIRef(graph))
    for triple in to_canonical_graph(parsed):
        target.add(triple)
    data = ds.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    return tuple(line + "\n" for line in data.split("\n") if line.strip())  # LF only: a literal may hold U+2028


def build_dataset(case: Case, ontology: Path | None = None):
    """The case's dataset as an rdflib ``Dataset`` (parsed from :func:`case_nquads`)."""
    return parse_dataset(case_nquads(case, ontology))


def parse_dataset(nquads: bytes):
    """Built N-Quads as an rdflib ``Dataset``, with the project's prefixes bound."""
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    for prefix, namespace in namespaces.PREFIXES.items():
        ds.bind(prefix, namespace, replace=True)
    return ds
