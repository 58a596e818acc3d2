"""Sentences of news text, found by rule: where a full stop ends a sentence and where it ends an
abbreviation (U.S., Inc., Mr., an initial), with quotes and brackets kept with their sentence.

Each sentence is a span of the text, so a quote cut from it is verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words a full stop follows without ending the sentence (compared without the stop, case-insensitively).
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr rev hon pres supt det insp
inc corp co ltd llc plc bros dept univ assn est approx vs etc al fig no nos vol
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun
u.s u.k u.n e.u d.c a.m p.m e.g i.e n.y l.a
""".split())
#: Abbreviations that often end a sentence too: a stop after them ends it when a capitalised word follows
#: that is not a name's next word ("... Amazon.com Inc. The company ...").
_ENDS_TOO = frozenset("inc corp co ltd llc plc etc u.s u.k a.m p.m".split())
#: A stop before a capital, or a blank line (a paragraph), or a line break: a line of its own (a heading, a
#: caption) is a sentence of its own, unless the text is hard-wrapped (see :func:`_wrapped`).
_CANDIDATE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n[^\S\n]*\n|\n")
_CANDIDATE_WRAPPED = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n[^\S\n]*\n")
_WRAP_WIDTH = 100
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_STARTERS = frozenset("The A An It He She They We This That These Those But And In On At As After Before When "
                      "While Its His Her Their Our Some Many Last Earlier Later According".split())


@dataclass(frozen=True)
class Sentence:
    """A sentence: ``text == article[start:end]``."""

    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order, leading and trailing whitespace left out of each span."""
    cuts = [0]
    for m in (_CANDIDATE_WRAPPED if _wrapped(text) else _CANDIDATE).finditer(text):
        if m.group(0).startswith("\n") or _ends_sentence(text, m):
            cuts.append(m.end())
    cuts.append(len(text))
    result = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b]
        stripped = piece.strip()
        if stripped:
            start = a + len(piece) - len(piece.lstrip())
            result.append(Sentence(start, start + len(stripped), stripped))
    return result


def _wrapped(text: str) -> bool:
    """Whether ``text`` is hard-wrapped (every line short, several lines to a paragraph), so that a line
    break inside a paragraph is a space; a text with a paragraph to a line has lines longer than that."""
    lines = [line for line in text.splitlines() if line.strip()]
    paragraphs = len([p for p in re.split(r"\n[^\S\n]*\n", text) if p.strip()])
    return len(lines) >= 2 * paragraphs and all(len(line) <= _WRAP_WIDTH for line in lines)


def _ends_sentence(text: str, m: re.Match) -> bool:
    if not m.group(0).startswith("."):
        return True  # ! and ? always end one
    before = _WORD_BEFORE.search(text, max(0, m.start() - 20), m.start() + 1)
    if before is None:
        return True
    word = before.group(1).casefold().rstrip(".")
    if len(word) == 1 and before.group(1).isupper():
        return False  # an initial: "Jeffrey P. Bezos"
    if word not in ABBREVIATIONS:
        return True
    if word in _ENDS_TOO:
        nxt = re.match(r"\s+[\"'“‘(]?(\w+)", text[m.end():])
        return bool(nxt) and nxt.group(1) in _STARTERS
    return False
