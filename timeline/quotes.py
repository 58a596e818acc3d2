"""Finding quotes in article text, and the closest passage when one is missing."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

CONTEXT = 32  # characters of prefix/suffix kept in a TextQuoteSelector

_QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    count: int  # how many times the quote occurs


def find(text: str, quote: str) -> Match | None:
    """Exact (verbatim) search; offsets are code points, end exclusive."""
    start = text.find(quote)
    if start < 0:
        return None
    return Match(start, start + len(quote), text.count(quote))


def selector_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix around a match, as in a W3C TextQuoteSelector."""
    return text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


def _normal(s: str) -> str:
    return re.sub(r"\s+", " ", s.translate(_QUOTE_MARKS)).strip()


def closest_passage(text: str, quote: str) -> tuple[str, float, str]:
    """The passage of ``text`` most like ``quote``: (passage, similarity 0..1, hint)."""
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    start = max(0, block.a - block.b)
    passage = text[start:start + len(quote)]
    # Widen to word boundaries so the passage reads naturally.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = start + len(quote)
    while end < len(text) and not text[end].isspace():
        end += 1
    passage = text[start:end].strip()
    ratio = difflib.SequenceMatcher(None, passage, quote, autojunk=False).ratio()
    hint = ""
    norm_quote = _normal(quote)
    if norm_quote and norm_quote in _normal(text):
        hint = "the quote differs only in quotation marks, dashes or spacing; copy it exactly from the article"
    return passage, ratio, hint
