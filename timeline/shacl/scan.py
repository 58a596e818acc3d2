"""SHACL validation in one pass over sorted N-Quads: the ``scan`` engine.

The builder writes N-Quads sorted line by line, so all the triples of a subject
are adjacent. The shapes can then be checked subject by subject while the lines
are read, without loading the graph into a store first. That load is what the
``sparql`` engine pays before its first query, and at 100k events it costs about
as much as the whole rest of a build (``benchmarks/README.md``). A subject that
conforms, almost every one in a built graph, passes through a function generated
for its shape (:func:`_fast_check`); the shape is interpreted only to report.

The parts of SHACL Core that look across subjects are handled with sets filled
during the pass: focus nodes reached through ``sh:targetObjectsOf`` that were
not already checked as instances of a target class (a second pass checks them),
and the conformance of value nodes to the shape of a ``sh:node``. Shapes this
engine cannot check in a scan (inverse paths, ``sh:class``, nested ``sh:node``,
``sh:in`` with literals, bounds that are not numbers), data that needs more than
string, number and plain date comparisons, unsorted lines and ``rdfs:subClassOf``
in the data (class targets would then include subclasses) make the scan hand
over: :meth:`Scan.finish` returns None with the reason in ``Scan.refused``
(:func:`validate_sorted_nquads` raises :class:`~timeline.shacl.UnsupportedShape`),
and the caller uses the ``sparql`` engine.

Datatypes are checked as SHACL defines them, by their IRI as written, with
well-formed lexical forms for the XSD types below. That is pySHACL's reading;
the ``sparql`` engine differs only where Oxigraph rewrites derived integer
types to ``xsd:integer`` when it loads them.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from timeline import resources
from timeline.gcpause import collections_paused
from timeline.query.results import RDF_LANGSTRING, XSD_STRING, Term
from timeline.shacl import ONTOLOGY_GRAPH, RDF_TYPE, XSD, ShapesGraph, UnsupportedShape, Violation, ordered

_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_TYPE = f"<{RDF_TYPE}>"
_ONTOLOGY_TAIL = ONTOLOGY_GRAPH + "> ."  # how a line in the ontology graph ends
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^<([^>]*)>)?')
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
# How pyoxigraph writes a literal's text, so that reports read the same whichever engine made them.
_QUOTED = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]} | {
    0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
_CHUNK = 1 << 24  # bytes decoded at a time: bounded memory whatever the graph's size

# Lexical forms of the XSD types whose well-formedness is checked (XSD 1.1 Part 2).
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_DATE = r"-?(?:[1-9][0-9]{4,}|[0-9]{4})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_LEXICAL = {
    "integer": _INTEGER, "decimal": _DECIMAL,
    "double": rf"(?:{_DECIMAL}(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)",
    "boolean": "true|false|1|0",
    "date": _DATE + _TZ,
    "dateTime": _DATE + r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)" + _TZ,
    "nonNegativeInteger": r"(?:\+?[0-9]+|-0+)", "positiveInteger": r"\+?0*[1-9][0-9]*",
}
_LEXICAL["float"] = _LEXICAL["double"]
_WELL_FORMED = {XSD + k: re.compile(v) for k, v in _LEXICAL.items()}
_INTEGER_RE, _DECIMAL_RE = re.compile(_INTEGER), re.compile(_DECIMAL)
_CALENDAR = {XSD + "date", XSD + "dateTime"}
_PLAIN_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T(?!24)[0-9:]{8}(?:\.[0-9]+)?)?")
_YMD = re.compile(r"(-?[0-9]+)-([0-9]{2})-([0-9]{2})")
_NUMERIC = {XSD + k for k in ("integer", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger",
                              "negativeInteger", "nonPositiveInteger", "long", "int", "short", "byte",
                              "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def _text(term: Term) -> str:
    """A term as the other engines report it: IRIs and labels bare, literals in N-Triples syntax as
    pyoxigraph writes them (numbers and booleans in their canonical form, as Oxigraph stores them)."""
    if term.kind != "literal":
        return term.value
    body = '"' + term.value.translate(_QUOTED) + '"'
    if term.lang:
        return f"{body}@{term.lang}"
    if term.datatype == XSD_STRING:
        return body
    number = _number(term)
    if isinstance(number, Decimal) and -(2 ** 63) <= number < 2 ** 63:
        datatype = XSD + "decimal" if term.datatype == XSD + "decimal" else XSD + "integer"
        text = format(number.normalize(), "f") if datatype.endswith("decimal") else str(int(number))
        return f'"{text}"^^<{datatype}>'
    if term.datatype == XSD + "boolean" and term.value in ("1", "0"):
        return f'"{"true" if term.value == "1" else "false"}"^^<{term.datatype}>'
    return f"{body}^^<{term.datatype}>"


def _unescape(text: str) -> str:
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


def _parse_object(text: str) -> Term:
    """An object term alone (see :func:`_object`); the usual literal, without escapes, is read without
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


@functools.lru_cache(maxsize=1 << 16)
def _number(term: Term) -> Decimal | float | None:
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


def _less(a: Term, b: Term) -> bool:
    """SPARQL's ``a < b`` for the terms the project's shapes compare; an error counts as not less."""
    x, y = _number(a), _number(b)
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
    raise UnsupportedShape(f"comparing {_text(a)} with {_text(b)} is left to the sparql SHACL engine")


# An integer literal, by the types _number reads as integers, at the start of a line remainder.
_INTEGER_TYPES = "|".join(re.escape(t) for t in sorted(_NUMERIC - {XSD + "decimal", XSD + "double", XSD + "float"}))
_INTEGER_LITERAL = re.compile(rf'"([+-]?[0-9]+)"\^\^<(?:{_INTEGER_TYPES})> ')


def _rest_less(a: str, b: str, term: Callable[[str], Term]) -> bool:
    """:func:`_less` on the objects of two line remainders; integers (offsets) are compared as read."""
    m, n = _INTEGER_LITERAL.match(a), _INTEGER_LITERAL.match(b)
    if m is not None and n is not None:
        return int(m[1]) < int(n[1])
    return _less(term(a), term(b))


def _regex(pattern: str, flags: str) -> re.Pattern:
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


def _datatype_test(datatype: str) -> Callable[[Term], bool]:
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


# SHACL node kinds, as the kinds of results.Term and as the first character of a term in N-Triples.
_NODE_KINDS = {"IRI": {"uri"}, "Literal": {"literal"}, "BlankNode": {"bnode"}, "BlankNodeOrIRI": {"bnode", "uri"},
               "BlankNodeOrLiteral": {"bnode", "literal"}, "IRIOrLiteral": {"uri", "literal"}}
_FIRST = {"uri": "<", "bnode": "_", "literal": '"'}


@dataclass
class _Property:
    """A property shape compiled for the scan."""

    path: str  # in N-Triples syntax, as it appears in the lines
    iri: str
    message: str
    least: int | None = None
    most: int | None = None
    tests: list[Callable[[Term], bool]] = field(default_factory=list)
    less_than: list[str] = field(default_factory=list)
    node: str | None = None
    kinds: str | None = None  # when node kinds are the only value test: the first characters allowed
    verdicts: dict[str, bool] = field(default_factory=dict)  # object term or line remainder -> fails a test
    sure: re.Pattern | None = None  # see _sure

    def fails(self, rest: str, term: Callable[[str], Term]) -> bool:
        """Whether the object of a line's remainder fails a value test; values repeat (dates, concepts,
        offsets, flags), in one graph or several, so each is tested once. Remembered by the remainder
        too, which the scan's fast path looks up without cutting the object out."""
        bad = self.verdicts.get(rest)
        if bad is None:
            if len(self.verdicts) > 40_000:
                self.verdicts.clear()
            value = _object(rest)
            bad = self.verdicts.get(value)
            if bad is None:
                v = term(rest)
                bad = self.verdicts[value] = any(test(v) for test in self.tests)
            self.verdicts[rest] = bad
        return bad


@dataclass
class _Shape:
    """A node shape compiled for the scan: its property shapes and its targets."""

    key: str
    properties: list[_Property]
    classes: list[str]
    objects_of: list[str]
    subjects_of: list[str]
    nodes: list[str]


def _compile(graph: ShapesGraph) -> dict[str, _Shape]:
    shapes = {}
    for key, shape in graph.shapes.items():
        targets: dict[str, list[str]] = {"targetClass": [], "targetObjectsOf": [], "targetSubjectsOf": [],
                                         "targetNode": []}
        for kind, term in shape.targets:
            targets[kind].append(str(term))
        shapes[key] = _Shape(key, [_property(p) for p in shape.properties], targets["targetClass"],
                             targets["targetObjectsOf"], targets["targetSubjectsOf"], targets["targetNode"])
    for shape in shapes.values():
        for prop in shape.properties:
            if prop.node is None:
                continue
            nested = shapes.get(prop.node)
            if nested is None:
                raise UnsupportedShape(f"sh:node {prop.node} is not a node shape in the shapes graph")
            if any(p.node for p in nested.properties):
                raise UnsupportedShape("nested sh:node is left to the sparql SHACL engine")
    return shapes


def _property(p) -> _Property:
    if p.inverse:
        raise UnsupportedShape("inverse paths are left to the sparql SHACL engine")
    c = p.constraints
    prop = _Property(f"<{p.path}>", p.path, p.message or f"violates the constraints on <{p.path}>")
    if c.get("minCount"):
        prop.least = max(int(n.value) for n in c["minCount"])
    if c.get("maxCount"):
        prop.most = min(int(n.value) for n in c["maxCount"])
    kinds = "<_\""
    for kind in c.get("nodeKind", []):
        allowed = _NODE_KINDS[kind.value.rpartition("#")[2]]
        prop.tests.append(lambda v, allowed=allowed: v.kind not in allowed)
        kinds = "".join(ch for ch in kinds if any(_FIRST[k] == ch for k in allowed))
    for dt in c.get("datatype", []):
        prop.tests.append(_datatype_test(dt.value))
    flags = c.get("flags", [])
    for pattern in c.get("pattern", []):
        rx = _regex(pattern.value, flags[0].value if flags else "")
        prop.tests.append(lambda v, rx=rx: v.kind == "bnode" or rx.search(v.value) is None)
    for n in c.get("minLength", []):
        prop.tests.append(lambda v, n=int(n.value): v.kind == "bnode" or len(v.value) < n)
    for n in c.get("maxLength", []):
        prop.tests.append(lambda v, n=int(n.value): v.kind == "bnode" or len(v.value) > n)
    for name, holds in (("minInclusive", lambda v, b: not _less(v, b)), ("maxInclusive", lambda v, b: not _less(b, v)),
                        ("minExclusive", lambda v, b: _less(b, v)), ("maxExclusive", lambda v, b: _less(v, b))):
        for bound in c.get(name, []):
            term, _ = parse_term(str(bound))
            if _number(term) is None:
                raise UnsupportedShape(f"sh:{name} {bound} is left to the sparql SHACL engine")
            prop.tests.append(lambda v, b=term, holds=holds: _number(v) is None or not holds(v, b))
    for members in c.get("in", []):
        if any(not str(m).startswith("<") for m in members):
            raise UnsupportedShape("sh:in with literals is left to the sparql SHACL engine")
        iris = frozenset(m.value for m in members)
        prop.tests.append(lambda v, iris=iris: v.kind != "uri" or v.value not in iris)
    if c.get("class"):
        raise UnsupportedShape("sh:class is left to the sparql SHACL engine")
    prop.less_than = [str(o) for o in c.get("lessThan", [])]
    nodes = c.get("node", [])
    if len(nodes) > 1:
        raise UnsupportedShape("several sh:node on one property are left to the sparql SHACL engine")
    prop.node = str(nodes[0]) if nodes else None
    if len(prop.tests) == len(c.get("nodeKind", [])):
        prop.kinds = kinds
    prop.sure = _sure(c)
    return prop


# Datatypes whose lexical pattern alone makes a literal valid: no further test (a real day, a range) applies.
_PATTERN_ONLY = {XSD + k for k in ("nonNegativeInteger", "positiveInteger", "decimal", "boolean")}


def _sure(c: dict) -> re.Pattern | None:
    """A pattern matching the start of a line remainder whose object certainly passes the property's
    value tests, or None. It proves the common literals (offsets, quotes, strings) good without parsing
    them; what it does not match is tested as usual."""
    tests = {k for k, v in c.items() if v} - {"minCount", "maxCount", "lessThan", "node"}
    if not tests or not tests <= {"nodeKind", "datatype", "minLength", "maxLength"}:
        return None
    if any("literal" not in _NODE_KINDS[k.value.rpartition("#")[2]] for k in c.get("nodeKind", [])):
        return None
    datatypes = {d.value for d in c.get("datatype", [])}
    if not datatypes or datatypes == {XSD_STRING}:  # a string without escapes: its text is its value
        least = max((int(n.value) for n in c.get("minLength", [])), default=0)
        most = min((int(n.value) for n in c.get("maxLength", [])), default="")
        return re.compile(rf'"[^"\\\n\r]{{{least},{most}}}"(?:\^\^<{re.escape(XSD_STRING)}>)? ')
    (datatype,) = datatypes if len(datatypes) == 1 else (None,)
    if tests & {"minLength", "maxLength"}:
        return None
    if datatype == XSD + "date":  # a plain date whose day is at most 28 exists in every month
        return re.compile(rf'"[0-9]{{4}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"\^\^<{re.escape(datatype)}> ')
    if datatype not in _PATTERN_ONLY:
        return None
    return re.compile(rf'"(?:{_LEXICAL[datatype.rpartition("#")[2]]})"\^\^<{re.escape(datatype)}> ')


def _lines(data: bytes) -> Iterator[list[str]]:
    """The lines of N-Quads in pieces, decoded a bounded chunk at a time."""
    pos, size = 0, len(data)
    while pos < size:
        end = data.find(b"\n", min(pos + _CHUNK, size) - 1)
        end = size if end < 0 else end + 1
        yield _split_lines(data[pos:end])
        pos = end


def _split_lines(data: bytes) -> list[str]:
    """Lines at LF only: str.splitlines also cuts at U+2028, FF and other separators a literal may hold."""
    lines = data.decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _object(rest: str) -> str:
    """The object term of a line's remainder (object, graph, ``.``), without the graph.

    An IRI or blank node label ends at the first space. A literal's closing quote is the last ``"``
    of the line (a graph name has none), and its language tag or datatype ends at the next space.
    """
    if rest[0] == '"':
        return rest[:rest.index(" ", rest.rfind('"'))]
    return rest[:rest.index(" ")]


def _subject(text: str) -> str:
    """A focus node as reported: an IRI or blank node label bare; a literal (a focus reached as an object
    of a sh:targetObjectsOf property) in N-Triples syntax."""
    if text.startswith("<"):
        return text[1:-1]
    return text[2:] if text.startswith("_:") else text


def _in_ontology(rest: str) -> bool:
    graph = parse_term(rest)[1].strip()
    return graph.startswith("<") and graph.endswith(_ONTOLOGY_TAIL)


class _Grouper:
    """Sorted lines in, (subject, {predicate: [object and graph, ...]}) out, one group per subject.

    Lines may come in pieces; the group open at the end of a piece goes on with the next. Lines in the
    ontology graph are left out. Raises :class:`UnsupportedShape` if a subject comes back (not sorted).
    """

    def __init__(self) -> None:
        self.subject: str | None = None
        self.preds: dict[str, list[str]] = {}
        self.previous = ""  # the last subject read: every node sorting before it has had all its lines

    def groups(self, lines: list[str]) -> Iterator[tuple[str, dict[str, list[str]]]]:
        subject, preds = self.subject, self.preds
        for line in lines:
            s, p, rest = line.split(" ", 2)
            if s != subject:
                if subject is not None:
                    yield subject, preds
                if s < self.previous:
                    raise UnsupportedShape("the N-Quads are not sorted; the sparql SHACL engine takes any order")
                subject, preds = s, {}
                self.previous = s
            if _ONTOLOGY_TAIL in rest and _in_ontology(rest):
                continue
            values = preds.get(p)
            if values is None:
                preds[p] = [rest]
            else:
                values.append(rest)
        self.subject, self.preds = subject, preds

    def last(self) -> Iterator[tuple[str, dict[str, list[str]]]]:
        """The group still open when the lines end."""
        if self.subject is not None:
            yield self.subject, self.preds
            self.subject, self.preds = None, {}


def _all_groups(data: bytes) -> Iterator[tuple[str, dict[str, list[str]]]]:
    grouper = _Grouper()
    for piece in _lines(data):
        yield from grouper.groups(piece)
    yield from grouper.last()


class Scan:
    """Checks the lines of sorted N-Quads against the SHACL shapes as they are fed.

    ``feed`` takes the lines in order, in pieces; ``finish`` returns the violations, or None when the
    scan handed over (``refused`` says why): the caller then uses the ``sparql`` engine. Graphs named
    ``…/graph/ontology`` are left out: their axioms are not instance data.
    """

    def __init__(self, shapes: Path | None = None):
        self.refused: str | None = None
        self.seconds = 0.0  # spent in feed, for the build's timings
        try:
            compiled = compile_shapes(shapes)
        except UnsupportedShape as exc:
            self.refused, compiled = str(exc), {}
        self.shapes = compiled
        self.by_class: dict[str, list[_Shape]] = {}
        self.by_subject_of: dict[str, list[_Shape]] = {}
        self.by_node: dict[str, list[_Shape]] = {}
        for shape in compiled.values():
            for c in shape.classes:
                self.by_class.setdefault(c, []).append(shape)
            for p in shape.subjects_of:
                self.by_subject_of.setdefault(p, []).append(shape)
            for n in shape.nodes:
                self.by_node.setdefault(n, []).append(shape)
        self.objects_of = [(p, s) for s in compiled.values() for p in s.objects_of]
        self._by_type: dict[str, list[_Shape]] = {}  # rdf:type line remainder (class and graph) -> shapes
        self.fast = {key: _fast_check(shape, self._term) for key, shape in compiled.items()}
        self.found: list[Violation] = []
        self._terms: dict[str, Term] = {}
        self._grouper = _Grouper()
        # Focus nodes of sh:targetObjectsOf shapes, matched in pairs and forgotten once matched, so that
        # memory holds only the pairs still open: nodes checked as class instances and not yet reached as
        # objects, and nodes reached and not yet checked (whatever is left is checked in a second pass).
        # A node reached twice after its check is checked again there: slower, never wrong.
        self.checked: dict[str, set[str]] = {s.key: set() for _, s in self.objects_of}
        self.reached: dict[str, set[str]] = {s.key: set() for _, s in self.objects_of}
        # Shapes named by sh:node. Whether each value node conforms is decided during the pass; kept are
        # the nodes whose verdict differs from that of a node without triples (usually the few that conform).
        self.nested = {p.node: compiled[p.node] for s in compiled.values() for p in s.properties if p.node}
        self.empty_ok = {k: not self._check("", s, {}, [], []) for k, s in self.nested.items()}
        self.marked: dict[str, set[str]] = {k: set() for k in self.nested}
        # Each with whether a node without triples conforms, and the paths a node must have to differ.
        self._nested = [(k, shape, self.empty_ok[k], {p.path for p in shape.properties if p.least})
                        for k, shape in self.nested.items()]
        self._by_class_only = not self.by_subject_of and not self.by_node  # then one rdf:type names the shapes
        self.pending: list[tuple[str, _Property, Term]] = []

    def feed(self, lines: list[str]) -> None:
        """The next lines (with or without their newline), in sorted order."""
        if self.refused:
            return
        started = time.perf_counter()
        try:
            for subject, preds in self._grouper.groups(lines):
                self._group(subject, preds)
        except UnsupportedShape as exc:
            self.refused = str(exc)
        self.seconds += time.perf_counter() - started

    def finish(self, read: Callable[[], bytes]) -> list[Violation] | None:
        """The violations, or None if the scan handed over; ``read()`` gives the same N-Quads again, and
        is called only for focus nodes reached late."""
        if self.refused:
            return None
        try:
            for subject, preds in self._grouper.last():
                self._group(subject, preds)
            found = self.found
            for focus, prop, value in self.pending:
                self._conforms(focus, prop, value, found)
            late = {k: nodes for k, nodes in self.reached.items() if nodes}
            if late:
                found += self._late(read(), late)
        except UnsupportedShape as exc:
            self.refused = str(exc)
            return None
        return ordered(found)

    def _conforms(self, focus: str, prop: _Property, value: Term, found: list) -> None:
        """Whether a value node conforms to the shape of ``prop``'s sh:node, once all its triples were read."""
        if (value.value in self.marked[prop.node] and value.kind != "literal") == self.empty_ok[prop.node]:
            found.append(Violation(focus, prop.iri, prop.message, _text(value)))

    def _group(self, subject: str, preds: dict[str, list[str]]) -> None:
        if _SUBCLASS in preds:
            raise UnsupportedShape("the data has rdfs:subClassOf, so class targets are left to the sparql engine")
        types = preds.get(_TYPE, ())
        shapes = self._by_type.get(types[0]) if len(types) == 1 and self._by_class_only else None
        for shape in self._targets(subject, preds) if shapes is None else shapes:
            fast, left = self.fast[shape.key]
            if left or not fast(preds):  # the usual subject passes here, without a call to _check
                self._check(subject, shape, preds, self.found, self.pending)
            done = self.checked.get(shape.key)
            if done is not None:
                focus = _subject(subject)
                waiting = self.reached[shape.key]
                if focus in waiting:
                    waiting.discard(focus)
                else:
                    done.add(focus)
        for predicate, shape in self.objects_of:
            for rest in preds.get(predicate, ()):
                node = rest[1:rest.index(">")] if rest[0] == "<" else _text(self._term(rest))
                done = self.checked[shape.key]
                if node in done:
                    done.discard(node)
                else:
                    self.reached[shape.key].add(node)
        for key, shape, empty_ok, required in self._nested:
            if not empty_ok and not preds.keys() >= required:
                continue  # fails like a node without triples: nothing to keep
            if (not self._check(subject, shape, preds, [], [])) != empty_ok:
                self.marked[key].add(_subject(subject))

    def _late(self, data: bytes, late: dict[str, set[str]]) -> list[Violation]:
        """A second pass for focus nodes reached only as objects of a sh:targetObjectsOf property.

        The first pass has read every line, so its sh:node verdicts (``marked``) are complete.
        """
        found: list[Violation] = []
        pending: list = []
        for subject, preds in _all_groups(data):
            for key, nodes in late.items():
                if _subject(subject) in nodes:
                    nodes.discard(_subject(subject))
                    self._check(subject, self.shapes[key], preds, found, pending)
        for key, nodes in late.items():  # nodes without triples of their own
            for node in nodes:
                self._check(node if node.startswith('"') else f"<{node}>", self.shapes[key], {}, found, pending)
        for focus, prop, value in pending:
            self._conforms(focus, prop, value, found)
        return found

    def _targets(self, subject: str, preds: dict[str, list[str]]) -> list[_Shape] | tuple[_Shape, ...]:
        types = preds.get(_TYPE, ())
        if len(types) == 1 and self._by_class_only:  # one class: its shapes, remembered
            shapes = self._by_type.get(types[0])
            if shapes is None:
                shapes = self._by_type[types[0]] = self.by_class.get(types[0][:types[0].find(">") + 1], ())
            return shapes
        shapes: dict[str, _Shape] = {}
        for rest in types:
            for shape in self.by_class.get(rest[:rest.find(">") + 1], ()):
                shapes[shape.key] = shape
        for predicate in preds:
            for shape in self.by_subject_of.get(predicate, ()):
                shapes[shape.key] = shape
        for shape in self.by_node.get(subject, ()):
            shapes[shape.key] = shape
        return list(shapes.values())

    def _term(self, rest: str) -> Term:
        """The object of a line's remainder, parsed once per distinct object (values repeat a lot)."""
        term = self._terms.get(rest)
        if term is None:
            value = _object(rest)
            term = self._terms.get(value)
            if term is None:
                if len(self._terms) > 50_000:
                    self._terms.clear()
                term = self._terms[value] = _parse_object(value)
        return term

    def _check(self, subject: str, shape: _Shape, preds: dict[str, list[str]], found: list,
               pending: list) -> bool:
        """Violations of ``shape`` by ``subject`` added to ``found``; sh:node values whose triples are
        still to come go to ``pending``. True if any violation was found."""
        fast, rest = self.fast[shape.key]
        if fast(preds):
            if not rest:
                return False  # the usual case, so nothing else is worked out before it
            properties = rest
        else:
            properties = shape.properties
        focus, before, term = _subject(subject), len(found), self._term
        for prop in properties:
            raw = preds.get(prop.path)
            if raw is None:
                if prop.least:
                    found.append(Violation(focus, prop.iri, prop.message, None))
                continue
            if len(raw) > 1:  # the same value in several graphs counts once
                raw = list({term(r): r for r in raw}.values())
            n = len(raw)
            if (prop.least is not None and n < prop.least) or (prop.most is not None and n > prop.most):
                found.append(Violation(focus, prop.iri, prop.message, None))
            for r in raw:  # where node kinds are the only test, the first character of the term tells
                if (r[0] not in prop.kinds) if prop.kinds is not None else prop.fails(r, term):
                    found.append(Violation(focus, prop.iri, prop.message, _text(term(r))))
                if not prop.less_than and prop.node is None:
                    continue
                # An IRI is read here, not remembered: a sh:node value (a mention's target) is one of a kind.
                v = Term.iri(r[1:r.index(">")]) if r[0] == "<" else term(r)
                for other in prop.less_than:
                    for w in {term(x) for x in preds.get(other, ())}:
                        if not _less(v, w):
                            found.append(Violation(focus, prop.iri, prop.message, _text(v)))
                if prop.node is not None:
                    node = f"<{v.value}>" if v.kind == "uri" else f"_:{v.value}"
                    if v.kind == "literal" or node < self._grouper.previous:
                        self._conforms(focus, prop, v, found)  # its triples came already (or never will)
                    else:
                        pending.append((focus, prop, v))
        return len(found) > before


def _fast_check(shape: _Shape, term: Callable[[str], Term]) -> tuple[Callable[[dict], bool], list[_Property]]:
    """A function that tells, without reporting, whether a subject's lines certainly conform to the
    property shapes it covers, and the property shapes it leaves to :meth:`Scan._check`.

    Almost every subject of a built graph conforms, so this is the path the scan takes; it is Python
    written for the shape (each property's path, bounds and tests inline), several times faster than
    interpreting the shape. False means "report": the generic check then runs over every property,
    so what is reported never depends on this function, only how fast a conforming subject passes.
    """
    code, rest = ["def fast(preds):", "    get = preds.get"], []
    names = {"term": term, "_rest_less": _rest_less}
    for i, prop in enumerate(shape.properties):
        if prop.node is not None or (prop.least or 0) > 1:  # sh:node verdicts wait for other subjects;
            rest.append(prop)  # several distinct values needed: duplicates across graphs must be merged first
            continue
        names.update({f"P{i}": prop.path, f"F{i}": prop.fails, f"K{i}": prop.kinds, f"V{i}": prop.verdicts})
        code += [f"    v = get(P{i})", "    if v is None:", f"        {'return False' if prop.least else 'pass'}",
                 "    else:"]
        if prop.most is not None:  # more lines than allowed may still be one value in several graphs
            code += [f"        if len(v) > {prop.most}:", "            return False"]
        if prop.kinds is not None and not prop.less_than:
            test = [f"if r[0] not in K{i}:", "    return False"]
        else:  # the verdict cache of _Property.fails, looked up here: most values were seen before
            test = [f"b = V{i}.get(r)", "if b is None:", f"    b = F{i}(r, term)", "if b:", "    return False"]
            if prop.sure is not None:  # unless the value's form alone shows it good
                names[f"S{i}"] = prop.sure.match
                test = [f"if S{i}(r) is None:", *("    " + line for line in test)]
        for j, other in enumerate(prop.less_than):
            names[f"L{i}_{j}"] = other
            test += [f"for x in get(L{i}_{j}, ()):", "    if not _rest_less(r, x, term):", "        return False"]
        if prop.most == 1:  # one value, the usual maximum, needs no loop
            code += ["        r = v[0]", *("        " + line for line in test)]
        else:
            code += ["        for r in v:", *("            " + line for line in test)]
    code.append("    return True")
    exec("\n".join(code), names)  # noqa: S102 - the source is made here from the compiled shape
    return names["fast"], rest


def compile_shapes(shapes: Path | None = None) -> dict[str, _Shape]:
    """The shapes file (default: the project's) compiled for :class:`Scan`."""
    return _compile(ShapesGraph(shapes or resources.ontology_dir() / "shapes.ttl"))


def validate_sorted_nquads(data: bytes, shapes: Path | None = None) -> list[Violation]:
    """Violations of the shapes in sorted N-Quads (as the builder writes them), in one pass.

    Raises :class:`~timeline.shacl.UnsupportedShape` where the ``sparql`` engine must be used.
    """
    scan = Scan(shapes)
    with collections_paused():
        for piece in _lines(data):
            scan.feed(piece)
        found = scan.finish(lambda: data)
    if found is None:
        raise UnsupportedShape(scan.refused)
    return found
