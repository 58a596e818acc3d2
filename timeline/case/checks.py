"""Checks across records: references, vocabularies, dates and quotes."""

from __future__ import annotations

from datetime import date

from timeline.case import images, quotes
from timeline.case.model import (
    AGENT_TYPES,
    DOCUMENT_TYPES,
    ENTITY_TYPES,
    ORGANIZATION_TYPES,
    Case,
    Citation,
    Claim,
    Entity,
    Event,
    Source,
)
from timeline.case.names import NameIndex
from timeline.case.vocabularies import Vocabularies
from timeline.errors import Problem, close_matches, closest, did_you_mean, did_you_mean_text, display_path

#: A record of the case's YAML files, whose fields a check can point at (``line_of``).
Record = Entity | Event | Claim


class _Checker:
    def __init__(self, case: Case, vocab: Vocabularies, today: date):
        self.case = case
        self.vocab = vocab
        self.today = today
        self.problems: list[Problem] = []
        # References may name an entity by id, label or alias (exact matches only: data is no place to guess).
        self.names = NameIndex((e.id, e.label, e.aliases) for e in case.entities.values())

    def error(self, record: Record | Source, line: int, message: str) -> None:
        self.problems.append(Problem(display_path(record.path), line, message))

    def warn(self, record: Entity | Event | Claim, line: int, message: str, kind: str = "") -> None:
        self.problems.append(Problem(display_path(record.path), line, message, "warning", kind, record.id))

    # -- references --------------------------------------------------------

    def _unknown(self, record: Record, line: int, field: str, target: str, noun: str, table: dict) -> None:
        """Report a reference to nothing, unless what it names failed to load (already reported)."""
        if target in self.case.failed_ids or self._unreadable(table):
            return
        hint = did_you_mean_text(self.names.suggestions(target)) if table is self.case.entities else \
            did_you_mean(target, table)
        self.error(record, line, f"{_what(record)}: {field} {target!r} is not a defined {noun}{hint}")

    def _entity_named(self, record: Record, line: int, field: str, target: str) -> tuple[Entity | None, bool]:
        """The entity whose id, label or alias ``target`` is, and False after an error if it names several."""
        entity = self.case.entities.get(target)  # an id: most references, and the fastest test
        if entity is not None:
            return entity, True
        _how, ids = self.names.exact(target)
        if len(ids) > 1:
            self.error(record, line, f"{_what(record)}: {field} {target!r} names {len(ids)} entities, "
                       f"{self.names.listing(ids)}; write the id of the one meant")
            return None, False
        return (self.case.entities[ids[0]], True) if ids else (None, True)

    def _unreadable(self, table: dict) -> bool:
        names = {id(self.case.entities): "entities.yaml", id(self.case.events): "events.yaml",
                 id(self.case.claims): "claims.yaml"}
        return names.get(id(table)) in self.case.unreadable

    def ref(self, record: Record, line: int, field: str, target: str, noun: str,
            allowed: set[str] | None = None) -> str:
        """The id of the entity ``target`` names (by id, label or alias), checked to be of one of the ``allowed``
        types if given; ``target`` as it is after an error."""
        entity, single = self._entity_named(record, line, field, target)
        if entity is None:
            if not single:
                return target
            other = self.case.record(target)
            if other is not None:
                self.error(record, line, f"{_what(record)}: {field} {target!r} is {_a(other)}, not {_article(noun)}")
            else:
                self._unknown(record, line, field, target, noun, self.case.entities)
            return target
        if allowed is not None and entity.type not in allowed:
            self.error(record, line, f"{_what(record)}: {field} {target!r} is a {entity.type}, not {_article(noun)}")
        return entity.id

    def refs(self, record: Record, field: str, targets: list[str], noun: str,
             allowed: set[str] | None = None) -> list[str]:
        return [self.ref(record, record.line_of(field), field, t, noun, allowed) for t in targets]

    def term(self, record: Record, line: int, noun: str, value: str, vocabulary: str) -> None:
        """Check ``value`` is in a controlled vocabulary; an error lists the closest values and the defining file."""
        choices = getattr(self.vocab, vocabulary)
        if value in choices:
            return
        close, likely = closest(value, choices)
        listed = " or ".join(repr(c) for c in close) if likely else ", ".join(repr(c) for c in close)
        hint = f"did you mean {listed}?" if likely else f"the closest are {listed}"
        defined = self.vocab.file_of(vocabulary)
        if defined is not None:
            hint += f"{' The' if likely else '; the'} {noun}s are defined in {display_path(defined)}"
        self.error(record, line, f"{_what(record)}: unknown {noun} {value!r} ({hint})")

    def ref_record(self, record: Record, line: int, field: str, target: str, table: dict, noun: str) -> None:
        if target in table:
            return
        other = self.case.record(target)
        if other is not None:
            self.error(record, line, f"{_what(record)}: {field} {target!r} is {_a(other)}, not {_article(noun)}")
        else:
            self._unknown(record, line, field, target, noun, table)

    # -- records -----------------------------------------------------------

    def entity(self, e: Entity) -> None:
        if e.type not in ENTITY_TYPES:
            self.error(e, e.line_of("type"), f"entity {e.id!r}: unknown type {e.type!r}"
                       f"{did_you_mean(e.type, ENTITY_TYPES)}")
        e.member_of = self.refs(e, "member_of", e.member_of, "organisation or group", ORGANIZATION_TYPES | {"group"})
        if e.parent:
            e.parent = self.ref(e, e.line_of("parent"), "parent", e.parent, "organisation", ORGANIZATION_TYPES)
        if e.made_by:
            e.made_by = self.ref(e, e.line_of("made_by"), "made_by", e.made_by, "organisation", ORGANIZATION_TYPES)
        if e.located_in:
            e.located_in = self.ref(e, e.line_of("located_in"), "located_in", e.located_in, "place", {"place"})

    def dates(self, record: Event | Claim) -> None:
        span = record.date
        if span is None:
            return
        known = [d for d in (span.earliest_begin, span.latest_end, span.latest_begin) if d]
        if known and min(known) > self.today:
            self.error(record, record.line_of("date"), f"{_what(record)}: date {span.edtf} lies in the future "
                       f"(after {self.today.isoformat()})")

    def event(self, ev: Event) -> None:
        what = f"event {ev.id!r}"
        for t in ev.types:
            self.term(ev, ev.line_of("type"), "event type", t, "event_types")
        self.dates(ev)
        if ev.place:
            ev.place = self.ref(ev, ev.line_of("place"), "place", ev.place, "place", {"place"})
        seen = set()
        for p in ev.participants:
            self.term(ev, p.line, "role", p.role, "roles")
            p.entity = self.ref(ev, p.line, "participant", p.entity, "entity")
            if (p.entity, p.role) in seen:
                self.error(ev, p.line, f"{what}: participant {p.entity!r} is listed twice as {p.role!r}")
            seen.add((p.entity, p.role))
        ev.produced = self.refs(ev, "produced", ev.produced, "document", DOCUMENT_TYPES)
        for field in ("responds_to", "sub_event_of"):
            for target in getattr(ev, field):
                self.ref_record(ev, ev.line_of(field), field, target, self.case.events, "event")
                if target == ev.id:
                    self.error(ev, ev.line_of(field), f"{what}: an event cannot respond to or be part of itself")
        if ev.media is not None and ev.media.file is not None:
            self.media_file(ev)
        self.citations(ev)
        sources = {c.source for c in ev.citations}
        self.reported_before(ev, sources)
        if len(sources) == 1:
            self.warn(ev, ev.line, f"{what}: supported by a single source ({next(iter(sources))})",
                      "single-source")

    def media_file(self, ev: Event) -> None:
        """The event's image read from the case directory and checked (inside it, an image, within the
        budget); its digest goes into the graph, so a page can tell when the file changed after the build."""
        media = ev.media
        try:
            data, _kind = images.read_image(self.case.path, media.file)
        except images.ImageError as exc:
            self.error(ev, media.line_of("file"), f"event {ev.id!r} media: file {exc}")
            return
        media.sha256 = images.sha256_of(data)

    def claim(self, c: Claim) -> None:
        what = f"claim {c.id!r}"
        c.claimant = self.ref(c, c.line_of("claimant"), "claimant", c.claimant, "agent", AGENT_TYPES)
        if c.on_behalf_of:
            c.on_behalf_of = self.ref(c, c.line_of("on_behalf_of"), "on_behalf_of", c.on_behalf_of,
                                      "organisation or group", ORGANIZATION_TYPES | {"group"})
        self.term(c, c.line_of("stance"), "stance", c.stance, "stances")
        for i, target in enumerate(c.about):
            if target in self.case.entities or target in self.case.events:
                continue
            entity, single = self._entity_named(c, c.line_of("about"), "about", target)
            if entity is not None:
                c.about[i] = entity.id
                continue
            if not single or target in self.case.failed_ids or \
                    {"entities.yaml", "events.yaml"} & self.case.unreadable:
                continue
            close = self.names.suggestions(target) + close_matches(target, self.case.events)
            self.error(c, c.line_of("about"), f"{what}: about {target!r} is not a defined event or entity"
                       f"{did_you_mean_text(close[:3])}")
        if c.stated_in:
            self.ref_record(c, c.line_of("stated_in"), "stated_in", c.stated_in, self.case.events, "event")
        for field in ("contradicts", "corroborates"):
            for target in getattr(c, field):
                self.ref_record(c, c.line_of(field), field, target, self.case.claims, "claim")
                if target == c.id:
                    self.error(c, c.line_of(field), f"{what}: a claim cannot contradict or corroborate itself")
        self.dates(c)
        self.citations(c)

    def reported_before(self, ev: Event, sources: set[str]) -> None:
        """Warn when the event cannot have begun before the last of the articles that report it was published:
        the typical slip when a relative date ("on Monday") is resolved by hand."""
        begins = ev.date.earliest_begin if ev.date else None
        published = [self.case.sources[s].published for s in sorted(sources) if s in self.case.sources]
        if begins is None or not published or any(p is None or p.latest_end is None for p in published):
            return
        latest = max(published, key=lambda p: p.latest_end)
        if begins > latest.latest_end:
            self.warn(ev, ev.line_of("date"), f"event {ev.id!r}: dated {ev.date.edtf}, after every article that "
                      f"reports it (the latest was published {latest.label}): reported before it happened? A "
                      "relative date (\"on Monday\", \"last month\") counts back from the article's publication date",
                      "reported-before-it-happened")

    def citations(self, record: Event | Claim) -> None:
        what = f"{_kind_name(record)} {record.id!r}"
        for citation in record.citations:
            source = self.case.sources.get(citation.source)
            if source is None:
                if citation.source not in self.case.failed_ids:  # an unreadable article is reported once
                    hint = did_you_mean(citation.source, self.case.sources) or (
                        f" (there is no articles/{citation.source}.md)")
                    self.error(record, citation.line, f"{what}: citation names unknown source {citation.source!r}"
                               f"{hint}")
                continue
            self.quote(record, citation, source.text, what)

    def quote(self, record, citation: Citation, text: str, what: str) -> None:
        match = quotes.find(text, citation.quote)
        if match is None:
            passage, ratio, hint = quotes.closest_passage(text, citation.quote)
            shown = min(ratio, 0.99) if ratio < 1 else ratio  # never "100% alike" for what is not the quote
            message = (f"{what}: quote not found in {citation.source}; closest passage "
                       f"({shown:.0%} alike): {passage!r}")
            if hint:
                message += f"; {hint}"
            self.error(record, citation.line, message)
            return
        citation.start, citation.end = match.start, match.end


def _kind_name(record) -> str:
    return type(record).__name__.lower()


def _what(record) -> str:
    return f"{_kind_name(record)} {record.id!r}"


def _a(record) -> str:
    """'an event', 'a claim', ... for a record."""
    return _article(_kind_name(record))


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def check_case(case: Case, vocab: Vocabularies, today: date | None = None, *,
               only: set[str] | None = None) -> list[Problem]:
    """Run every cross-record check; with ``only``, just those of the records with these ids (against the whole
    case, without the case-wide warnings): the drafts added to a case already checked.

    As side effects, fills in what the checks read from the case's files and the graph carries: citation
    offsets (from the article the quote was found in) and each event image's digest (from the file just
    checked, read once); and replaces each reference to an entity by label or alias with the entity's id, so
    what is built from the case names every entity by its id.
    """
    checker = _Checker(case, vocab, today or date.today())
    if only is None:
        for source in case.sources.values():
            if source.publisher:
                source.publisher = checker.ref(source, source.line, "publisher", source.publisher,
                                               "news-organization", {"news-organization"})
    for e in _among(case.entities, only):
        checker.entity(e)
    for ev in _among(case.events, only):
        checker.event(ev)
    for c in _among(case.claims, only):
        checker.claim(c)
    if only is None:
        _warn_unused(case, checker)
    return checker.problems


def _among(table: dict, only: set[str] | None) -> list:
    return list(table.values()) if only is None else [table[i] for i in table if i in only]


def _warn_unused(case: Case, checker: _Checker) -> None:
    used: set[str] = set()
    for e in case.entities.values():
        used.update(e.member_of)
        used.update(x for x in (e.parent, e.made_by, e.located_in) if x)
    for ev in case.events.values():
        used.update(p.entity for p in ev.participants)
        used.update(ev.produced)
        if ev.place:
            used.add(ev.place)
    for c in case.claims.values():
        used.update([c.claimant, *c.about])
        if c.on_behalf_of:
            used.add(c.on_behalf_of)
    used.update(s.publisher for s in case.sources.values() if s.publisher)
    for e in case.entities.values():
        if e.id not in used:
            checker.warn(e, e.line, f"entity {e.id!r} is not referenced by any event, claim or source",
                         "unreferenced-entity")
    cited = {c.source for r in [*case.events.values(), *case.claims.values()] for c in r.citations}
    for s in case.sources.values():
        if s.id not in cited:
            checker.problems.append(Problem(display_path(s.path), s.line,
                                            f"source {s.id!r} is not cited by any event or claim", "warning",
                                            "uncited-source", s.id))
