"""Finding quotes in article text, and the closest passage when one is missing."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

CONTEXT = 32  # characters of prefix/suffix kept in a TextQuoteSelector

_QUOTE_MARKS = {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}


@dataclass(frozen=True)
class Match:
    """Where a quote was found in an article."""

    start: int
    end: int
    count: int  # how many times the quote occurs


def find(text: str, quote: str) -> Match | None:
    """Exact (verbatim) search; offsets are code points, end exclusive."""
    start = text.find(quote)
    if start < 0:
        return None
    # Counting every occurrence read the whole article again for each quote; most occur once.
    once = text.find(quote, start + max(1, len(quote))) < 0
    return Match(start, start + len(quote), 1 if once else text.count(quote))


def selector_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix around a match, as in a W3C TextQuoteSelector."""
    return text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


def _normal(s: str) -> str:
    for mark, plain in _QUOTE_MARKS.items():  # str.replace: fast on a text of megabytes, unlike translate
        s = s.replace(mark, plain)
    return " ".join(s.split())


def same_passage(a: str, b: str) -> bool:
    """Whether two quotes are the same passage, one cut shorter than the other: compared with curly quotes,
    dashes and whitespace made plain and a final stop left out."""
    a, b = _normal(a).rstrip(". "), _normal(b).rstrip(". ")
    return bool(a and b) and (a in b or b in a)


def overlap(a: str, b: str) -> int:
    """The length of the shorter quote when :func:`same_passage` holds, else 0."""
    return min(len(a), len(b)) if same_passage(a, b) else 0


@functools.lru_cache(maxsize=4)  # every broken quote of one article compares against the same text
def _normal_text(text: str) -> str:
    return _normal(text)


def closest_passage(text: str, quote: str) -> tuple[str, float, str]:
    """The passage of ``text`` most like ``quote``: (passage, similarity 0..1, hint).

    difflib's longest-match search takes time proportional to the text's
    length times the quote's: well under a second for a sentence in an
    article, minutes for a paragraph in a text of megabytes. So beyond
    :data:`_FULL_SEARCH` the text is first narrowed to the few places where
    pieces of the quote occur verbatim (found with ``str.find``), a long quote
    is aligned by its first :data:`_ALIGN` characters, and a long passage is
    compared word by word.
    """
    if len(text) * max(len(quote), 1) <= _FULL_SEARCH:
        starts = [_align(text, quote)]
    else:
        head = quote[:_ALIGN]
        starts = [a + _align(text[a:b], head) for a, b in _windows(text, quote)]
    passage, ratio = max((_passage(text, s, quote) for s in starts), key=lambda found: found[1])
    hint = ""
    norm_quote = _normal(quote)
    if norm_quote and norm_quote in _normal_text(text):
        hint = "the quote differs only in quotation marks, dashes or spacing; copy it exactly from the article"
    return passage, ratio, hint


_FULL_SEARCH = 20_000_000  # len(text) * len(quote) compared in full (about half a second)
_ALIGN = 1000  # characters of a long quote used to find where it belongs, and compared character by character
_BUCKET = 200  # characters: where a quote starts is voted for to this precision
_MAX_PIECES = 64  # pieces of a quote looked up in a long text
_MAX_HITS = 64  # occurrences of one piece that count (common pieces say little)


def _align(text: str, quote: str) -> int:
    """Where ``quote`` would start in ``text``, judging by their longest common block."""
    import difflib  # only for quotes that are not found

    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    return max(0, block.a - block.b)


def _passage(text: str, start: int, quote: str) -> tuple[str, float]:
    """The passage as long as ``quote`` from ``start``, widened to word boundaries, and its similarity."""
    start = min(start, len(text))
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = start + len(quote)
    while end < len(text) and not text[end].isspace():
        end += 1
    passage = text[start:end].strip()
    import difflib

    if max(len(passage), len(quote)) <= _ALIGN:
        return passage, difflib.SequenceMatcher(None, passage, quote, autojunk=False).ratio()
    return passage, difflib.SequenceMatcher(None, passage.split(), quote.split(), autojunk=False).ratio()


def _windows(text: str, quote: str, keep: int = 3) -> list[tuple[int, int]]:
    """Up to ``keep`` stretches of ``text`` where most pieces of ``quote`` say it would start, best first."""
    n = max(len(quote), 1)
    size = min(16, max(4, n // 4))
    pieces = [(m.start(), m.group()) for m in re.finditer(r"\w{5,}", quote)]
    pieces += [(i, quote[i:i + size]) for i in range(0, max(1, n - size + 1), max(1, size // 2))]
    if len(pieces) > _MAX_PIECES:  # evenly spread over the quote
        pieces = [pieces[i * len(pieces) // _MAX_PIECES] for i in range(_MAX_PIECES)]
    votes: dict[int, int] = {}
    for offset, piece in pieces:
        pos, hits = text.find(piece), 0
        while pos >= 0 and hits < _MAX_HITS:
            bucket = max(0, pos - offset) // _BUCKET
            votes[bucket] = votes.get(bucket, 0) + 1
            pos, hits = text.find(piece, pos + 1), hits + 1
    best = sorted(votes, key=lambda b: (-votes[b], b))[:keep] or [0]
    reach = min(n, _ALIGN)
    return [(max(0, b * _BUCKET - 2 * _BUCKET), min(len(text), (b + 1) * _BUCKET + reach + 2 * _BUCKET))
            for b in best]
