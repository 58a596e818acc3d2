"""Sentences that report something happening: an event type from trigger words, participants with
the role the sentence makes clear, and a date from the sentence's temporal expressions.

The trigger words map onto the event types of ``ontology/event-types.ttl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from timeline.draft.mentions import Mention
from timeline.draft.sentences import Sentence

#: (trigger, event type): the first trigger that matches a sentence gives its type.
TRIGGERS: tuple[tuple[str, str], ...] = (
    (r"(?:wrote|sent|signed)\b[^.]{0,60}\bletter|letter\s+(?:to|from|on|sent|signed)", "letter"),
    (r"e-?mail(?:ed)?\s+(?:to|on)|wrote\s+in\s+an\s+e-?mail", "email"),
    (r"met\s+with|meetings?\b|\bmet\b", "meeting"),
    (r"pitch(?:ed|ing)?\b|marketed|marketing|promot(?:ed|ing)|advertis(?:ed|ing)|sought\s+to\s+sell", "pitch"),
    (r"presented|presentation|demonstrat(?:ed|ion)|showcased|revealed|unveiled", "presentation"),
    (r"press\s+release", "press-release"),
    (r"announc(?:ed|ement)|launched|introduced", "announcement"),
    (r"(?:published|released|issued)\b[^.]{0,40}\b(?:report|study|paper|findings)|report\s+(?:published|released)|"
     r"\breport\b", "report"),
    (r"\bstudy\b|researchers?\b[^.]{0,60}\b(?:found|tested|estimated?)", "study"),
    (r"ban(?:ned|s)?\b|moratorium|paus(?:ed|e)\b|suspend(?:ed)?", "moratorium"),
    (r"\btest(?:ed|ing)?\b|pilot(?:ed)?\b|trial\b", "test"),
    (r"ended|stopp?(?:ed)?\b|discontinu(?:ed|e)|(?:would|will)\s+no\s+longer|drop(?:ped)?\b|exit(?:ed)?\b|"
     r"shut\s+down", "discontinuation"),
    (r"contract(?:ed|s)?\b|signed\s+(?:a|an)\s+deal|purchased|bought", "contract"),
    (r"partner(?:ed|ship)|teamed\s+up", "partnership"),
    (r"deploy(?:ed|ing|ment)|(?:began|started|has\s+been|have\s+been)\s+using|rolled\s+out", "deployment"),
    (r"protest(?:ed|s|ers)?\b|walk-?out|petition", "protest"),
    (r"criticiz(?:ed|e)|criticis(?:ed|e)|condemn(?:ed)?|slammed|blasted", "criticism"),
    (r"demand(?:ed|s)?\b|urged|call(?:ed|s)?\s+on", "demand"),
    (r"asked|request(?:ed)?", "request"),
    (r"refus(?:ed|al)|declined|rejected", "refusal"),
    (r"(?:passed|introduced|approved|signed)\b[^.]{0,30}\b(?:bill|law|legislation|ordinance)|legislation",
     "legislation"),
    (r"investigat(?:ed|ion|ing)|probe|audit", "investigation"),
    (r"interview(?:ed)?", "interview"),
    (r"disclos(?:ed|ure)|obtained|public\s+records", "disclosure"),
    (r"misidentif(?:ied|y)|falsely\s+matched|classified\s+some|mistak(?:enly|e)|incident", "incident"),
    (r"policy|changed\s+its|updated\s+its", "policy-change"),
)
_TRIGGERS = [(re.compile(rf"(?<![\w-])(?:{t})", re.IGNORECASE), kind) for t, kind in TRIGGERS]


@dataclass
class FoundEvent:
    """A sentence reporting an event: its types, the trigger that said so, and its participants."""

    sentence: Sentence
    types: list[str]
    triggers: list[str]
    participants: list[tuple[str, str, str]]  # (entity id, role, why)


def find_events(sentences: list[Sentence], mentions: list[Mention]) -> list[FoundEvent]:
    """The sentences that report something happening, in order."""
    found = []
    for s in sentences:
        hits = _triggers(s.text)
        if not hits:
            continue
        first_at = hits[0][0]
        inside = [m for m in mentions if s.start <= m.start and m.end <= s.end]
        found.append(FoundEvent(s, [kind for _, kind, _ in hits], [w for _, _, w in hits],
                                _participants(inside, s.start + first_at)))
    return found


def _triggers(text: str) -> list[tuple[int, str, str]]:
    hits: dict[str, tuple[int, str, str]] = {}
    for pattern, kind in _TRIGGERS:
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
