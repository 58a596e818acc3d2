"""One event, reported by several sentences (of this article or of the case's others), dated by the
most precise of them.

An article often dates an event loosely ("in May", "over the summer") or not at all, where another
report of the same event gives its day. A drafted event takes a finer date from another drafted
sentence that reports an event of the same type with the same agents, when that date lies within its
own (or, where the sentence gives none, before the article appeared). The date note and the evidence
name the sentence the date comes from, so a reviewer can check that both report the same event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from timeline.case.dates import DateSpan, EdtfError, parse_edtf
from timeline.case.model import Source

#: Types too general to tell one event from another: anyone "said" many things.
_ANY_EVENT = frozenset({"statement"})


@dataclass
class Anchor:
    """A drafted event sentence and the date it gives."""

    source: str
    quote: str
    types: set[str]
    agents: set[str]  # its participants that are agents (people, organisations)
    date: str
    basis: str
    #: The article and sentence the date was read from, when this one took it from another report.
    origin: tuple[str, str] | None = None

    @property
    def said_by(self) -> tuple[str, str]:
        return self.origin or (self.source, self.quote)


def refine_dates(events: list[dict[str, Any]], anchors: list[Anchor], source: Source,
                 agents_of: dict[str, set[str]]) -> dict[int, tuple[str, str]]:
    """Give each drafted event in ``events`` (records of ``source``) a finer date from ``anchors`` where
    one reports the same event; the record's date fields and evidence are changed in place.

    ``agents_of``: an agent's id -> it and the organisations it is part of (Amazon Web Services ->
    Amazon), so that "AWS met ICE" and "Amazon met ICE" count as the same agents. Returns, for each record
    refined (by its index), the article and sentence its date was read from.
    """
    refined: dict[int, tuple[str, str]] = {}
    for index, record in enumerate(events):
        own = _span(record["date"])
        if own is None:
            continue
        kinds = {record["type"]} if isinstance(record["type"], str) else set(record["type"])
        own_agents = {p["entity"] for p in record["participants"] if p["entity"] in agents_of} - {source.publisher}
        agents = _widen(own_agents, agents_of)
        guessed = record["date_basis"] == "inferred"
        candidates = []
        for a in anchors:
            if a.quote == record["citations"][0]["quote"] or a.basis not in ("stated", "resolved") \
                    or a.types <= _ANY_EVENT:  # a statement mentioning someone does not date what they did
                continue
            theirs = _widen(a.agents, agents_of)
            shared = agents & theirs
            same_type = bool((kinds & a.types) - _ANY_EVENT)
            # another type of event may be the same one when the anchor has all its agents (and all agree);
            # an organisation counts with its parent here too (ACLU Northern California is in "the ACLU")
            if len(shared) < (2 if guessed else 1) or not (same_type or (own_agents and all(
                    agents_of[x] & theirs for x in own_agents))):
                continue
            span = _span(a.date)
            if span is not None and _finer_within(span, own, before=guessed):
                candidates.append((not same_type, -len(shared), _width(span), a, span))
        if not candidates:
            continue
        fit = min(c[:2] for c in candidates)  # of the same type if any, then sharing the most agents
        same = sorted([c for c in candidates if c[:2] == fit], key=lambda c: c[2])
        # the reports that fit best must agree: the finest lies within every other (June 2018 within summer
        # 2018); two that exclude each other are two events, or a doubt, and the draft keeps its own date
        if all(_finer_within(same[0][4], c[4], before=False) or same[0][3].date == c[3].date for c in same[1:]):
            _take(record, same[0][3], same_type=not same[0][0])
            refined[index] = same[0][3].said_by
    return refined


def carry_dates(events: list[dict[str, Any]], spans: list[Any], text: str, agents: dict[int, set[str]],
                agents_of: dict[str, set[str]]) -> None:
    """Give an event whose sentence has no date the date of the event in the sentence just before it (news
    writes a paragraph to a sentence), when that one is dated and shares an agent: "In April last year,
    Microsoft's president revealed it had refused. According to Reuters, Microsoft concluded ..." tells one
    story in one time."""
    for i, record in enumerate(events):
        if record["date_basis"] != "inferred" or i == 0:
            continue
        before = events[i - 1]
        next_to = not text[spans[i - 1].end:spans[i].start].strip()  # the very next sentence, or paragraph
        if before["date_basis"] in ("stated", "resolved") and next_to and \
                _widen(agents[i], agents_of) & _widen(agents[i - 1], agents_of):
            was = record["date"]
            record["date"], record["date_basis"] = before["date"], before["date_basis"]
            record["date_note"] = (f"{before['date']} from the sentence before, about the same people or "
                                   f"organisations: “{before['citations'][0]['quote']}” "
                                   f"(this sentence alone gives {was}).")
            record["evidence"]["date"] = ("the date of the sentence before (same agents; a guess); "
                                          f"this sentence: {was}")


def _widen(agents: set[str], agents_of: dict[str, set[str]]) -> set[str]:
    return {x for a in agents if a in agents_of for x in agents_of[a]}


def _take(record: dict[str, Any], anchor: Anchor, *, same_type: bool) -> None:
    was = record["date"]
    source, quote = anchor.said_by
    where = "this article" if source == record["citations"][0]["source"] else source
    record["date"], record["date_basis"] = anchor.date, anchor.basis
    record["date_note"] = (f"{anchor.date} from {where}, which reports the same event: “{quote}” "
                           f"(this sentence alone gives {was}).")
    how = ("an event of the same type with the same people or organisations" if same_type else
           "an event of another type with all the people or organisations of this one")
    record["evidence"]["date"] = (f"a finer date from {where}: {how} (a guess; check that both report one event); "
                                  f"this sentence: {was}")


def _span(edtf: str) -> DateSpan | None:
    try:
        return parse_edtf(edtf)
    except EdtfError:
        return None


def _bounds(span: DateSpan) -> tuple[date | None, date | None]:
    return (span.earliest_begin or span.latest_begin, span.latest_end or span.earliest_end)


def _finer_within(inner: DateSpan, outer: DateSpan, *, before: bool) -> bool:
    """``inner`` is narrower than ``outer`` and inside it; with ``before``, only not after ``outer`` ends
    (``outer`` is the publication date: the event happened by then)."""
    (a, b), (c, d) = _bounds(inner), _bounds(outer)
    if before and b is None and a is not None and d is not None:
        return a <= d  # "since 2017", ongoing: it had begun by the time the article appeared
    if None in (a, b, c, d):
        return False
    if before:
        return b <= d and _width(inner) < _width(outer) or b < c
    return c <= a and b <= d and _width(inner) < _width(outer)


def _width(span: DateSpan) -> int:
    a, b = _bounds(span)
    return (b - a).days if a and b else 10**6
