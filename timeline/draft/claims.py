"""Reported speech: who said what. "X said", "said X", "according to X", "X told Y", "X wrote in
an email", a quotation followed by its speaker, "X denied" give a claim with its claimant, a
stance guessed from the verb, and the sentence as its quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from timeline.draft.mentions import ANAPHORS, Mention, antecedent
from timeline.draft.sentences import Sentence

#: Reporting verb -> stance (the ontology's stances); ``asserts`` for any other reporting verb.
STANCES: dict[str, str] = {
    "denied": "denies", "denies": "denies", "disputed": "denies", "disputes": "denies", "rejected": "denies",
    "criticized": "criticises", "criticised": "criticises", "slammed": "criticises", "condemned": "criticises",
    "warned": "criticises", "demanded": "demands", "urged": "demands", "called": "demands", "asked": "demands",
    "defended": "defends", "supported": "supports", "opposed": "opposes", "objected": "opposes",
    "objects": "opposes", "protested": "opposes", "pledged": "commits",
    "promised": "commits", "committed": "commits",
}
_VERBS = (r"said|says|saying|told|tells|wrote|writes|added|stated|stating|explained|noted|argued|claimed|claims|"
          r"insisted|confirmed|acknowledged|denied|denies|disputed|disputes|rejected|criticized|criticised|"
          r"slammed|condemned|warned|demanded|urged|called|asked|defended|supported|opposed|pledged|promised|"
          r"committed|found|finds|estimated|estimates|estimate|contends|contended|revealed|reveals|cited|cites|"
          r"citing|concluded|believes|believe|maintains|maintained|alleged|alleges|suggested|suggests|purports|"
          r"lists|listed|admitted|announced|announces|reported|reports|hopes|wants|described|describes|objected|"
          r"objects|protested|indicated|indicates|indicate|showed|shows")
_VERB = re.compile(rf"(?<![\w-])({_VERBS})\b")
_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+(?:the\s+)?$")
#: Up to four words between a name and its verb ("ACLU experts said", "Amazon also said", "the ACLU in May
#: criticized"), or an apposition between commas ("Amazon's chief, Andy Jassy, said").
_BETWEEN = re.compile(r"^(?:['’]s)?(?:\s*,[^,.]{1,60},|\s*,)?(?:\s+[\w-]+){0,4}\s+$")


@dataclass
class FoundClaim:
    sentence: Sentence
    claimant: Mention
    verb: str
    stance: str
    how: str
    about: list[str]


_ANAPHOR = re.compile(rf"\b(?i:({'|'.join(ANAPHORS)}))\s+(?:also\s+)?({_VERBS})\b|\b({_VERBS})\s+(he|she)\b")


def find_claims(sentences: list[Sentence], mentions: list[Mention], types: dict[str, str] | None = None, *,
                text: str = "", publisher: Mention | None = None, events: frozenset[int] = frozenset(),
                ) -> list[FoundClaim]:
    """A claim for each sentence with reported speech whose speaker is a name.

    With ``types`` (entity id -> type), "he said", "the company said" name the last person (company)
    mentioned before, as a guess the evidence says. With ``text`` (the article), a quotation that
    runs on into sentences without a speaker is the speaker's too. With ``publisher`` (a mention of
    the article's publisher), a sentence that names someone but reports neither speech nor, unless it
    hedges ("is believed", "appears"), an event (``events``: the starts of event sentences) is the
    article's own assertion, claimed by its publisher.
    """
    claims: list[FoundClaim | None] = []
    quoted = _quotations(text)
    for s in sentences:
        inside = [m for m in mentions if s.start <= m.start and m.end <= s.end]
        # a name inside a quotation is what is said, not who says it
        speakers = [m for m in inside if not any(a < m.start and m.end < b for a, b in quoted)]
        claim = _speaker(s, speakers, inside) or _according(s, speakers, inside)
        if claim is None and types:
            claim = _anaphor(s, mentions, types, inside)
        claims.append(claim)
    if text:
        _continued_quotations(text, sentences, claims)
    for i, s in enumerate(sentences):
        if claims[i] is None and publisher is not None:
            inside = [m for m in mentions if s.start <= m.start and m.end <= s.end]
            hedge = _HEDGE.search(s.text)
            if not inside and hedge and types:  # "The company is believed to ...": about the company named before
                named = antecedent(s.text, s.start, mentions, types)
                inside = [named] if named else []
            if inside and (hedge or s.start not in events):
                why = f"{hedge.group(0)!r}: an assertion the article makes" if hedge else \
                    "no speaker named and no event: an assertion the article makes"
                claims[i] = _claim(s, publisher, "", "asserts", f"{why}, so its publisher's (a guess)", inside)
    return [c for c in claims if c is not None]


#: Words by which an article asserts or judges rather than reports a happening: hedges ("is believed",
#: "appears"), negation (what did not happen is no event) and contrast ("despite", "rather than").
_HEDGE = re.compile(r"(?:\b(?:is|are|was|were)|['’]s)\s+(?:also\s+)?(?:believed|thought|said|reported|claimed|"
                    r"alleged)\b|\b(?:appears?|reportedly|allegedly|apparently|purports?|seems?|despite|"
                    r"rather\s+than|long\s+after|never|neither|nor)\b|\b\w+n['’]t\b", re.IGNORECASE)
_QUOTATION = re.compile(r"“[^”\n]*”?|\"[^\"\n]*\"?")


def _quotations(text: str) -> list[tuple[int, int]]:
    """The spans of the quotations in ``text``; one left open ends with its paragraph."""
    return [(m.start(), m.end()) for m in _QUOTATION.finditer(text) if m.end() - m.start() > 2]


def _continued_quotations(text: str, sentences: list[Sentence], claims: list[FoundClaim | None]) -> None:
    """Give a sentence of a quotation without a speaker the speaker of the same quotation, or of
    the sentence next to it (before, then after) in its paragraph."""
    spans = _quotations(text)
    for i, s in enumerate(sentences):
        if claims[i] is not None:
            continue
        quoted = [(a, b) for a, b in spans if a < s.end and s.start < b]
        if not quoted:
            continue
        source = None
        for j, other in enumerate(claims):
            if other is not None and j != i and any(a < sentences[j].end and sentences[j].start < b
                                                    for a, b in quoted):
                source = other
                how = "the same quotation"
                break
        opens = s.text[:1] in "“\"'‘"  # a paragraph opening a quotation may continue the one before
        if source is None:
            for j in (i - 1, i + 1):
                if 0 <= j < len(sentences) and claims[j] is not None and claims[j].verb and (
                        (opens and j < i)
                        or "\n" not in text[min(s.end, sentences[j].end):max(s.start, sentences[j].start)]):
                    source, how = claims[j], "the next sentence" if j > i else "the sentence before"
                    break
        if source is not None:
            speaker = source.claimant
            claims[i] = _claim(s, speaker, source.verb, "asserts",
                               f"a quotation whose speaker, {speaker.text!r}, is named in {how}", [])
            claims[i].about = [e for e in source.about]


def _according(s: Sentence, speakers: list[Mention], inside: list[Mention]) -> FoundClaim | None:
    for m in speakers:
        if _ACCORDING.search(s.text[:m.start - s.start]):
            return _claim(s, m, "according to", "asserts", f"'according to {m.text}'", inside)
    return None


def _speaker(s: Sentence, speakers: list[Mention], inside: list[Mention]) -> FoundClaim | None:
    for v in _VERB.finditer(s.text):
        if _PASSIVE.search(s.text[:v.start()]):
            continue  # "is claimed to", "was reported": nobody named says it
        at = s.start + v.start()
        before = [m for m in speakers if m.end <= at and _BETWEEN.match(s.text[m.end - s.start:v.start()])]
        if before:
            m = before[-1]
            return _claim(s, m, v.group(1), STANCES.get(v.group(1), "asserts"),
                          f"{m.text!r} before {v.group(1)!r}", inside)
        after = [m for m in speakers if m.start >= s.start + v.end()
                 and re.fullmatch(r"\s+(?:\w+\s+){0,3}", s.text[v.end():m.start - s.start] + " ")]
        if after and v.group(1) in ("said", "says", "added", "wrote", "told"):
            m = after[0]
            return _claim(s, m, v.group(1), "asserts", f"{m.text!r} after {v.group(1)!r}", inside)
    return None


_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$")


def _anaphor(s: Sentence, mentions: list[Mention], types: dict[str, str],
             inside: list[Mention]) -> FoundClaim | None:
    m = _ANAPHOR.search(s.text)
    if m is None:
        return None
    word = (m.group(1) or m.group(4)).lower()
    verb = m.group(2) or m.group(3)
    at = s.start + m.start()
    earlier = [x for x in mentions if x.end <= at and types.get(x.entity) in ANAPHORS[word]]
    if not earlier:
        return None
    named = earlier[-1]
    speaker = Mention(at, at + len(word), named.text, named.entity, named.proposed, named.linked_by)
    return _claim(s, speaker, verb, STANCES.get(verb, "asserts"),
                  f"{word!r} before {verb!r} taken to be {named.text!r}, the last named before (a guess)", inside)


def _claim(s: Sentence, m: Mention, verb: str, stance: str, how: str, inside: list[Mention]) -> FoundClaim:
    about = []
    for other in inside:
        if other.entity != m.entity and other.entity not in about:
            about.append(other.entity)
    return FoundClaim(s, m, verb, stance, how, about)
