"""N-Triples and N-Quads syntax for the ``scan`` engine: lines read in bounded pieces, terms parsed.

The scan works on the text of sorted lines, so a line is cut into subject, predicate and the rest
(object, graph, ``.``); this module finds the object in that rest and parses it into a
:class:`~timeline.query.results.Term` only when a test needs its value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from timeline.query.results import Term

_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^<([^>]*)>)?')
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_CHUNK = 1 << 24  # bytes decoded at a time: bounded memory whatever the graph's size


def _unescape(text: str) -> str:
    """A literal's text with its N-Triples escapes (``\\n``, ``\\u00E9``...) replaced by the characters."""
    if "\\" not in text:
        return text

    def one(m: re.Match) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else _ESCAPES.get(m.group(3), m.group(0))
    return _ESCAPE.sub(one, text)


def parse_term(text: str) -> tuple[Term, str]:
    """The first N-Triples term of ``text`` and what follows it."""
    if text.startswith("<"):
        end = text.index(">") + 1
        return Term.iri(text[1:end - 1]), text[end:]
    if text.startswith("_:"):
        end = text.find(" ")
        end = len(text) if end < 0 else end
        return Term("bnode", text[2:end]), text[end:]
    m = _LITERAL.match(text)
    if m is None:
        raise ValueError(f"not an N-Triples term: {text[:80]!r}")
    lexical, language, datatype = m.groups()
    return Term.literal(_unescape(lexical), datatype, language.lower() if language else None), text[m.end():]


def parse_object(text: str) -> Term:
    """An object term alone (see :func:`object_of`); the usual literal, without escapes, is read without
    the regular expression, which is slow on long quotes."""
    if text[0] == '"':
        end = text.rfind('"')
        body, tail = text[1:end], text[end + 1:]
        if end > 0 and '"' not in body and "\\" not in body:
            if not tail:
                return Term.literal(body)
            if tail.startswith("^^<") and tail.endswith(">") and ">" not in tail[3:-1]:
                return Term.literal(body, tail[3:-1])
    return parse_term(text)[0]


def line_pieces(data: bytes) -> Iterator[list[str]]:
    """The lines of N-Quads in pieces, decoded a bounded chunk at a time."""
    pos, size = 0, len(data)
    while pos < size:
        end = data.find(b"\n", min(pos + _CHUNK, size) - 1)
        end = size if end < 0 else end + 1
        yield _split_lines(data[pos:end])
        pos = end


def _split_lines(data: bytes) -> list[str]:
    """Lines at LF only: str.splitlines also cuts at U+2028, FF and other separators a literal may hold."""
    found = data.decode("utf-8").split("\n")
    if found[-1] == "":
        found.pop()
    return found


def object_of(rest: str) -> str:
    """The object term of a line's remainder (object, graph, ``.``), without the graph.

    An IRI or blank node label ends at the first space. A literal's closing quote is the last ``"``
    of the line (a graph name has none), and its language tag or datatype ends at the next space.
    """
    if rest[0] == '"':
        return rest[:rest.index(" ", rest.rfind('"'))]
    return rest[:rest.index(" ")]


def focus_of(text: str) -> str:
    """A focus node as reported: an IRI or blank node label bare; a literal (a focus reached as an object
    of a sh:targetObjectsOf property) in N-Triples syntax."""
    if text.startswith("<"):
        return text[1:-1]
    return text[2:] if text.startswith("_:") else text
