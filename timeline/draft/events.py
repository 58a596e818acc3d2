"""Sentences that report something happening: an event type from trigger words, participants with
the role the sentence makes clear, and a date from the sentence's temporal expressions.

The trigger words map onto the event types of ``ontology/event-types.ttl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from timeline.draft.mentions import Mention, antecedent
from timeline.draft.sentences import Sentence

#: (trigger, event type): the first trigger that matches a sentence gives its type.
TRIGGERS: tuple[tuple[str, str], ...] = (
    (r"(?:wrote|sent|signed)\b[^.]{0,60}\bletter|letter\s+(?:to|from|on|sent|signed)", "letter"),
    (r"e-?mail(?:ed)?\s+(?:to|on)|wrote\s+in\s+an\s+e-?mail|(?:an|the|internal)\s+e-?mails?\b", "email"),
    (r"met\s+with|meets?\s+with|meetings?\b|\bmet\b|followed\s+up|follow-up|participat(?:ed|es|ing)\b|"
     r"attend(?:ed|s)?\b|boot\s+camps?|conference", "meeting"),
    (r"pitch(?:ed|ing)?\b|marketed|marketing|promot(?:ed|ing|ional)|advertis(?:ed|ing)|sought\s+to\s+sell|"
     r"tout(?:ed|s|ing)?\b|courted|court(?:ing)?\s+(?!of\b|order|ruling|case|date|hearing|filing)(?:the\s+)?(?-i:[A-Z])",
     "pitch"),
    (r"presented|presentation|demonstrat(?:ed|ion)|showcased|revealed|unveiled|\bcit(?:e|es|ed|ing)\b", "presentation"),
    (r"press\s+release", "press-release"),
    (r"announc(?:ed|ement|es)|launched|introduced", "announcement"),
    (r"(?:published|released|issued)\b.{0,40}?\b(?:report|study|paper|findings)|"
     r"(?:report|study|paper)\s+(?:published|released)|\breport\b", "report"),
    (r"(?:was|were|been|first)\s+reported|reported\s+(?:by|on|earlier|that)", "news-report"),
    (r"\bstudy\b|\bpaper\b|research(?:ers?)?\b.{0,80}?\b(?:found|tested|estimated?)|\bfinds\b|findings|"
     r"\bestimated?\b", "study"),
    (r"ban(?:ned|s)?\b|moratorium|paus(?:ed|e)\b|suspend(?:ed)?", "moratorium"),
    (r"\btest(?:ed|ing)?\b|pilot(?:ed)?\b|trial\b", "test"),
    (r"ended|stopp?(?:ed)?\b|discontinu(?:ed|e)|(?:would|will)\s+no\s+longer|drop(?:ped)?\b|exit(?:ed)?\b|"
     r"shut\s+down|quit\b", "discontinuation"),
    (r"contract(?:ed|s)?\b|signed\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}(?:deal|agreement|contract)|agreement\b|"
     r"purchased|bought|as\s+(?:a\s+)?(?:customer|client)", "contract"),
    (r"partner(?:ed|ship|s)?\b|teamed\s+up", "partnership"),
    (r"deploy(?:ed|ing|ment)?|(?:began|started|has\s+been|have\s+been)\s+using|rolled\s+out|"
     r"(?:is|are|was|were|been|being|has|have|had)\s+(?:\w+\s+){0,2}used\b|in\s+use\b|\buses\b|"
     r"(?:is|are|was|were)\s+(?:already\s+|now\s+|still\s+)?using\b", "deployment"),
    (r"protest(?:ed|s|ers)?\b|walk-?out|petition", "protest"),
    (r"criticiz(?:ed|e)|criticis(?:ed|e)|condemn(?:ed)?|slammed|blasted", "criticism"),
    (r"demand(?:ed|s)?\b|urged|call(?:ed|s)?\s+on", "demand"),
    (r"asked|request(?:ed)?|reached\s+out|reached\s+for\s+comment|thank(?:ed|s)?\b", "request"),
    (r"refus(?:ed|al)|declined|rejected", "refusal"),
    (r"(?:passed|introduced|approved|signed)\b[^.]{0,30}\b(?:bill|law|legislation|ordinance)|legislation|"
     r"authori[sz]ed", "legislation"),
    (r"investigat(?:ed|ion|ing)|probe|audit", "investigation"),
    (r"interview(?:ed)?|told\s+(?:the\s+)?(?-i:[A-Z])", "interview"),
    (r"disclos(?:ed|ure)|obtained|public\s+records|uncovered", "disclosure"),
    (r"misidentif(?:ied|y)|falsely\s+matched|classified\s+some|mistak(?:enly|e)|incident", "incident"),
    (r"broadcast", "broadcast"),
    (r"(?:new|changed?|changes|updated?|revised?|reversed?)\s+(?:its\s+|their\s+|the\s+)?polic(?:y|ies)|"
     r"changed\s+its|updated\s+its|remov(?:ed|ing)|scrubbed|deleted", "policy-change"),
)
#: Types a sentence gets only when no other trigger matches it: saying something is an event too.
FALLBACK_TRIGGERS: tuple[tuple[str, str], ...] = (
    (r"\b(?:said|says|saying|stated|statement|wrote|concluded|according\s+to)\b", "statement"),
)
#: "As The Daily Beast points out, <what it reported>": the sentence reports a report or a remark by
#: whoever is named in the frame; what follows the comma is what they reported, with dates of its own.
_FRAME = re.compile(r"^(?:As|Like)\s+(?P<who>[^,]{2,80}?)\s+(?:has\s+|had\s+|first\s+)?"
                    r"(?P<verb>points?\s+out|pointed\s+out|notes?|noted|reports?|reported|writes|wrote|observes|"
                    r"observed|explains|explained)\s*,\s*")
_TRIGGERS = [(re.compile(rf"(?<![\w-])(?:{t})", re.IGNORECASE), kind) for t, kind in TRIGGERS]
_FALLBACK = [(re.compile(rf"(?<![\w-])(?:{t})", re.IGNORECASE), kind) for t, kind in FALLBACK_TRIGGERS]


@dataclass
class FoundEvent:
    """A sentence reporting an event: its types, the trigger that said so, and its participants."""

    sentence: Sentence
    types: list[str]
    triggers: list[str]
    participants: list[tuple[str, str, str]]  # (entity id, role, why)
    #: Where what the sentence reports begins (an offset in the article): dates from there on are that
    #: content's, not this event's.
    reported_from: int | None = None


def find_events(sentences: list[Sentence], mentions: list[Mention],
                types: dict[str, str] | None = None, dated: list[tuple[int, int]] | None = None) -> list[FoundEvent]:
    """The sentences that report something happening, in order.

    A sentence that names nobody takes its participant from an anaphor ("the agency", with ``types``,
    entity id -> type) or else the last name written before it, as a guess; with no name before it
    either, it is left out: an event needs a participant. A clause after "after", "before" or "because"
    that reports another happening with a date of its own (``dated``: the spans of the article's temporal
    expressions) is an event too, quoted as the clause: "demanded ... after learning it was in use as
    early as 2017" is a demand and a use since 2017.
    """
    found = []
    for s in sentences:
        framed = _framed(s, mentions, types or {})
        if framed is not None:
            found.extend(framed)
            continue
        clause = _dated_clause(s, dated or [])
        more = find_events([clause], mentions, types) if clause is not None else []
        hits = _triggers(s.text)
        if not hits:
            continue
        first_at = hits[0][0]
        inside = [m for m in mentions if s.start <= m.start and m.end <= s.end]
        participants = _participants(inside, s.start + first_at)
        if not participants:
            participants = _outside(s, mentions, types or {})
            if not participants:
                continue
        found.append(FoundEvent(s, [kind for _, kind, _ in hits], [w for _, _, w in hits], participants))
        found.extend(more)
    return found


def _framed(s: Sentence, mentions: list[Mention], types: dict[str, str]) -> list[FoundEvent] | None:
    """A sentence opened by a reporting frame: the report (by the names in the frame; the rest take part),
    and what was reported as an event of its own when it has a trigger."""
    m = _FRAME.match(s.text)
    if m is None:
        return None
    frame_end, content = s.start + m.end(), s.start + m.end()
    inside = [x for x in mentions if s.start <= x.start and x.end <= s.end]
    who = [x for x in inside if x.end <= s.start + m.end("who")]
    if not who:
        return None
    kind = "news-report" if any(types.get(x.entity) == "news-organization" for x in who) else "statement"
    participants, seen = [], set()
    for x in inside:
        if x.entity not in seen:
            seen.add(x.entity)
            participants.append((x.entity, "initiator", f"{x.text!r} is named in the reporting frame {m.group(0)!r}")
                                if x in who else (x.entity, "participant", f"{x.text!r} is named in what was reported"))
    text = s.text[m.end():]
    reported = find_events([Sentence(content, s.end, text)], mentions, types) if text.strip() else []
    return [FoundEvent(s, [kind], [m.group("verb")], participants, reported_from=frame_end), *reported]


_CLAUSE = re.compile(r"\b(?:after|before|because)\s+(?:learning|finding|discovering|hearing|reports?\s+that|)\s*",
                     re.IGNORECASE)


def _dated_clause(s: Sentence, dated: list[tuple[int, int]]) -> Sentence | None:
    """The clause after a subordinator that holds a date and a trigger of its own, as a span of the article."""
    m = _CLAUSE.search(s.text)
    if m is None or m.start() == 0:
        return None
    start = s.start + m.end()
    text = s.text[m.end():].rstrip(" .")
    if not text or not any(start <= a and b <= start + len(text) for a, b in dated) or not _triggers(text):
        return None
    return Sentence(start, start + len(text), text)


def _outside(s: Sentence, mentions: list[Mention], types: dict[str, str]) -> list[tuple[str, str, str]]:
    named = antecedent(s.text, s.start, mentions, types)
    if named is not None:
        return [(named.entity, "participant", f"an anaphor in the sentence taken to be {named.text!r}, the last "
                 "such name before it (a guess)")]
    before = [m for m in mentions if m.end <= s.start]
    if before:
        return [(before[-1].entity, "participant", f"no name in the sentence: {before[-1].text!r}, the last "
                 "name before it (a guess)")]
    return []


def _triggers(text: str) -> list[tuple[int, str, str]]:
    return _first_hits(text, _TRIGGERS) or _first_hits(text, _FALLBACK)


def _first_hits(text: str, triggers: list[tuple[re.Pattern, str]]) -> list[tuple[int, str, str]]:
    hits: dict[str, tuple[int, str, str]] = {}
    for pattern, kind in triggers:
        m = pattern.search(text)
        if m and kind not in hits:
            hits[kind] = (m.start(), kind, m.group(0))
    ordered = sorted(hits.values())
    return ordered[:2]  # the sentence's main event and at most one more type


def _participants(inside: list[Mention], trigger_at: int) -> list[tuple[str, str, str]]:
    """The subject (the last name before the trigger) initiates; the first name after it is the target."""
    result: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    before = [m for m in inside if m.end <= trigger_at]
    after = [m for m in inside if m.start >= trigger_at]
    subject = before[-1] if before else None
    target = after[0] if after else None
    for m in inside:
        if m.entity in seen:
            continue
        seen.add(m.entity)
        if m is subject:
            result.append((m.entity, "initiator", f"{m.text!r} is named before the trigger (its subject)"))
        elif m is target:
            result.append((m.entity, "target", f"{m.text!r} is the first name after the trigger (its object)"))
        else:
            result.append((m.entity, "participant", f"{m.text!r} is named in the sentence; its role is unclear"))
    return result
