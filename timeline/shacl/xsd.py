"""XSD datatypes for the ``scan`` engine: lexical forms, values, order, and terms written as reported.

Datatypes are checked as SHACL defines them, by their IRI as written, with well-formed lexical forms
(XSD 1.1 Part 2) for the types below; comparisons follow SPARQL's ``<`` where the project's shapes
need it and hand anything else over to the ``sparql`` engine (:class:`~timeline.shacl.UnsupportedShape`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from timeline.namespaces import RDF_LANGSTRING, XSD
from timeline.query.results import XSD_STRING, Term
from timeline.shacl import UnsupportedShape

# How pyoxigraph writes a literal's text, so that reports read the same whichever engine made them.
_QUOTED = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]} | {
    0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}

# Lexical forms of the XSD types whose well-formedness is checked (XSD 1.1 Part 2).
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_DATE = r"-?(?:[1-9][0-9]{4,}|[0-9]{4})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
#: Lexical forms by the local name of their XSD type, as regular expressions.
LEXICAL = {
    "integer": _INTEGER, "decimal": _DECIMAL,
    "double": rf"(?:{_DECIMAL}(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)",
    "boolean": "true|false|1|0",
    "date": _DATE + _TZ,
    "dateTime": _DATE + r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)" + _TZ,
    "nonNegativeInteger": r"(?:\+?[0-9]+|-0+)", "positiveInteger": r"\+?0*[1-9][0-9]*",
}
LEXICAL["float"] = LEXICAL["double"]
_WELL_FORMED = {XSD + k: re.compile(v) for k, v in LEXICAL.items()}
_INTEGER_RE, _DECIMAL_RE = re.compile(_INTEGER), re.compile(_DECIMAL)
_CALENDAR = {XSD + "date", XSD + "dateTime"}
_PLAIN_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T(?!24)[0-9:]{8}(?:\.[0-9]+)?)?")
_YMD = re.compile(r"(-?[0-9]+)-([0-9]{2})-([0-9]{2})")
_NUMERIC = {XSD + k for k in ("integer", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger",
                              "negativeInteger", "nonPositiveInteger", "long", "int", "short", "byte",
                              "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def canonical_text(term: Term) -> str:
    """A term as the other engines report it: IRIs and labels bare, literals in N-Triples syntax as
    pyoxigraph writes them (numbers and booleans in their canonical form, as Oxigraph stores them)."""
    if term.kind != "literal":
        return term.value
    body = '"' + term.value.translate(_QUOTED) + '"'
    if term.lang:
        return f"{body}@{term.lang}"
    if term.datatype == XSD_STRING:
        return body
    number = numeric_value(term)
    if isinstance(number, Decimal) and -(2 ** 63) <= number < 2 ** 63:
        datatype = XSD + "decimal" if term.datatype == XSD + "decimal" else XSD + "integer"
        text = format(number.normalize(), "f") if datatype.endswith("decimal") else str(int(number))
        return f'"{text}"^^<{datatype}>'
    if term.datatype == XSD + "boolean" and term.value in ("1", "0"):
        return f'"{"true" if term.value == "1" else "false"}"^^<{term.datatype}>'
    return f"{body}^^<{term.datatype}>"


@functools.lru_cache(maxsize=1 << 16)
def numeric_value(term: Term) -> Decimal | float | None:
    """The value of a well-formed numeric literal, else None (remembered: offsets and counts repeat)."""
    if term.datatype not in _NUMERIC:
        return None
    lexical = term.value
    if term.datatype in (XSD + "double", XSD + "float"):
        if not _WELL_FORMED[XSD + "double"].fullmatch(lexical):
            return None
        return float(lexical.replace("INF", "inf"))
    if not (_DECIMAL_RE if term.datatype == XSD + "decimal" else _INTEGER_RE).fullmatch(lexical):
        return None
    try:
        return Decimal(lexical)
    except InvalidOperation:  # pragma: no cover - the patterns admit only valid numbers
        return None


def sparql_less(a: Term, b: Term) -> bool:
    """SPARQL's ``a < b`` for the terms the project's shapes compare; an error counts as not less."""
    x, y = numeric_value(a), numeric_value(b)
    if x is not None and y is not None:
        return x < y
    if a.kind != "literal" or b.kind != "literal" or a.datatype != b.datatype or a.datatype in _NUMERIC:
        return False  # IRIs, mixed types, ill-formed numbers: a type error in SPARQL
    if a.datatype == XSD_STRING:
        return a.value < b.value
    if a.datatype in _CALENDAR:
        check = _WELL_FORMED[a.datatype]
        if not all(check.fullmatch(v) and _real_day(v) for v in (a.value, b.value)):
            return False  # an ill-formed date is a type error
        if _PLAIN_TIME.fullmatch(a.value) and _PLAIN_TIME.fullmatch(b.value):
            return a.value < b.value  # four-digit years, no time zone, no 24:00: the text orders as the time
    raise UnsupportedShape(f"comparing {canonical_text(a)} with {canonical_text(b)} is left to the sparql SHACL "
                           "engine")


# An integer literal, by the types numeric_value reads as integers, at the start of a line remainder.
_INTEGER_TYPES = "|".join(re.escape(t) for t in sorted(_NUMERIC - {XSD + "decimal", XSD + "double", XSD + "float"}))
_INTEGER_LITERAL = re.compile(rf'"([+-]?[0-9]+)"\^\^<(?:{_INTEGER_TYPES})> ')


def rest_less(a: str, b: str, term: Callable[[str], Term]) -> bool:
    """:func:`sparql_less` on the objects of two line remainders; integers (offsets) are compared as read."""
    m, n = _INTEGER_LITERAL.match(a), _INTEGER_LITERAL.match(b)
    if m is not None and n is not None:
        return int(m[1]) < int(n[1])
    return sparql_less(term(a), term(b))


def xpath_regex(pattern: str, flags: str) -> re.Pattern:
    """An XPath regular expression (sh:pattern) as a Python one: ``$`` ends the text, as in XPath."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "$" and not in_class and "m" not in flags:
            c = r"\Z"
        out.append(c)
        i += 1
    mode = 0
    for flag in flags:
        mode |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(flag, 0)
        if flag not in "imsx":
            raise UnsupportedShape(f"regular expression flag {flag!r} is left to the sparql SHACL engine")
    try:
        return re.compile("".join(out), mode)
    except re.error as e:
        raise UnsupportedShape(f"sh:pattern {pattern!r}: {e}; left to the sparql SHACL engine") from None


def _real_day(lexical: str) -> bool:
    """Whether the day of a well-formed xsd:date or xsd:dateTime exists (no 30 February)."""
    year, month, day = (int(x) for x in _YMD.match(lexical).groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= (29 if leap else 28) if month == 2 else day <= (30 if month in (4, 6, 9, 11) else 31)


def datatype_test(datatype: str) -> Callable[[Term], bool]:
    """A test that is true for a value that is not a well-formed literal of ``datatype`` (sh:datatype)."""
    well_formed = _WELL_FORMED.get(datatype)

    def wrong(v: Term) -> bool:
        if (v.datatype or (RDF_LANGSTRING if v.lang else None)) != datatype:
            return True
        if well_formed is None:
            return False
        if not well_formed.fullmatch(v.value):
            return True
        if datatype in (XSD + "date", XSD + "dateTime"):
            return not _real_day(v.value)
        if datatype == XSD + "integer":  # Oxigraph's integers are 64-bit; larger ones do not parse
            return not -(2 ** 63) <= int(v.value) < 2 ** 63
        if datatype in (XSD + "double", XSD + "float"):
            return v.value == "NaN"  # NaN never equals itself, so the cast test fails in SPARQL too
        return False
    return wrong
