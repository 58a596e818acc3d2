"""Reported speech: who said what. "X said", "said X", "according to X", "X told Y", "X wrote in
an email", a quotation followed by its speaker, "X denied" give a claim with its claimant, a
stance guessed from the verb, and the sentence as its quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from timeline.draft.mentions import Mention
from timeline.draft.sentences import Sentence

#: Reporting verb -> stance (the ontology's stances); ``asserts`` for any other reporting verb.
STANCES: dict[str, str] = {
    "denied": "denies", "denies": "denies", "disputed": "denies", "disputes": "denies", "rejected": "denies",
    "criticized": "criticises", "criticised": "criticises", "slammed": "criticises", "condemned": "criticises",
    "warned": "criticises", "demanded": "demands", "urged": "demands", "called": "demands", "asked": "demands",
    "defended": "defends", "supported": "supports", "opposed": "opposes", "pledged": "commits",
    "promised": "commits", "committed": "commits",
}
_VERBS = (r"said|says|told|tells|wrote|writes|added|stated|explained|noted|argued|claimed|insisted|"
          r"confirmed|acknowledged|denied|denies|disputed|disputes|rejected|criticized|criticised|slammed|"
          r"condemned|warned|demanded|urged|called|asked|defended|supported|opposed|pledged|promised|committed")
_VERB = re.compile(rf"(?<![\w-])({_VERBS})\b")
_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+$")
#: Up to three lower-case words between a name and its verb ("ACLU experts said", "Amazon also said").
_BETWEEN = re.compile(r"^(?:['’]s)?(?:\s*,[^,]{1,60},)?(?:\s+[a-z][\w-]*){0,3}\s+$")


@dataclass
class FoundClaim:
    sentence: Sentence
    claimant: Mention
    verb: str
    stance: str
    how: str
    about: list[str]


#: A pronoun or description standing for a speaker named earlier -> the entity types it may stand for.
_ANAPHORS = {"he": ("person",), "she": ("person",), "the company": ("company",),
             "the agency": ("government-agency",), "the department": ("police-department", "government-agency"),
             "the group": ("advocacy-group", "research-group", "group"), "the organization": ("advocacy-group",)}
_ANAPHOR = re.compile(rf"\b(?i:({'|'.join(_ANAPHORS)}))\s+(?:also\s+)?({_VERBS})\b|\b({_VERBS})\s+(he|she)\b")


def find_claims(sentences: list[Sentence], mentions: list[Mention],
                types: dict[str, str] | None = None) -> list[FoundClaim]:
    """A claim for each sentence with reported speech whose speaker is a name.

    With ``types`` (entity id -> type), "he said", "the company said" name the last person (company)
    mentioned before, as a guess the evidence says.
    """
    found = []
    for s in sentences:
        inside = [m for m in mentions if s.start <= m.start and m.end <= s.end]
        claim = _according(s, inside) or _speaker(s, inside)
        if claim is None and types:
            claim = _anaphor(s, mentions, types, inside)
        if claim:
            found.append(claim)
    return found


def _according(s: Sentence, inside: list[Mention]) -> FoundClaim | None:
    for m in inside:
        if _ACCORDING.search(s.text[:m.start - s.start]):
            return _claim(s, m, "according to", "asserts", f"'according to {m.text}'", inside)
    return None


def _speaker(s: Sentence, inside: list[Mention]) -> FoundClaim | None:
    for v in _VERB.finditer(s.text):
        at = s.start + v.start()
        before = [m for m in inside if m.end <= at and _BETWEEN.match(s.text[m.end - s.start:v.start()])]
        if before:
            m = before[-1]
            return _claim(s, m, v.group(1), STANCES.get(v.group(1), "asserts"),
                          f"{m.text!r} before {v.group(1)!r}", inside)
        after = [m for m in inside if m.start >= s.start + v.end()
                 and re.fullmatch(r"\s+(?:\w+\s+){0,3}", s.text[v.end():m.start - s.start] + " ")]
        if after and v.group(1) in ("said", "says", "added", "wrote", "told"):
            m = after[0]
            return _claim(s, m, v.group(1), "asserts", f"{m.text!r} after {v.group(1)!r}", inside)
    return None


def _anaphor(s: Sentence, mentions: list[Mention], types: dict[str, str],
             inside: list[Mention]) -> FoundClaim | None:
    m = _ANAPHOR.search(s.text)
    if m is None:
        return None
    word = (m.group(1) or m.group(4)).lower()
    verb = m.group(2) or m.group(3)
    at = s.start + m.start()
    earlier = [x for x in mentions if x.end <= at and types.get(x.entity) in _ANAPHORS[word]]
    if not earlier:
        return None
    named = earlier[-1]
    speaker = Mention(at, at + len(word), named.text, named.entity, named.proposed)
    return _claim(s, speaker, verb, STANCES.get(verb, "asserts"),
                  f"{word!r} before {verb!r} taken to be {named.text!r}, the last named before (a guess)", inside)


def _claim(s: Sentence, m: Mention, verb: str, stance: str, how: str, inside: list[Mention]) -> FoundClaim:
    about = []
    for other in inside:
        if other.entity != m.entity and other.entity not in about:
            about.append(other.entity)
    return FoundClaim(s, m, verb, stance, how, about)
