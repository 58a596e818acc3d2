"""SHACL shapes compiled for the ``scan`` engine: each property shape's bounds and value tests, and for
each node shape a Python function, written for it, that passes a conforming subject without reporting.

Shapes the scan cannot check (inverse paths, ``sh:class``, nested ``sh:node``, ``sh:in`` with literals,
bounds that are not numbers) raise :class:`~timeline.shacl.UnsupportedShape`: the ``sparql`` engine
takes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from timeline import resources
from timeline.namespaces import XSD
from timeline.query.results import XSD_STRING, Term
from timeline.shacl import ShapesGraph, UnsupportedShape
from timeline.shacl.terms import object_of, parse_term
from timeline.shacl.xsd import LEXICAL, datatype_test, numeric_value, rest_less, sparql_less, xpath_regex

# SHACL node kinds, as the kinds of results.Term and as the first character of a term in N-Triples.
_NODE_KINDS = {"IRI": {"uri"}, "Literal": {"literal"}, "BlankNode": {"bnode"}, "BlankNodeOrIRI": {"bnode", "uri"},
               "BlankNodeOrLiteral": {"bnode", "literal"}, "IRIOrLiteral": {"uri", "literal"}}
_FIRST = {"uri": "<", "bnode": "_", "literal": '"'}


@dataclass
class CompiledProperty:
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
            value = object_of(rest)
            bad = self.verdicts.get(value)
            if bad is None:
                v = term(rest)
                bad = self.verdicts[value] = any(test(v) for test in self.tests)
            self.verdicts[rest] = bad
        return bad


@dataclass
class CompiledShape:
    """A node shape compiled for the scan: its property shapes and its targets."""

    key: str
    properties: list[CompiledProperty]
    classes: list[str]
    objects_of: list[str]
    subjects_of: list[str]
    nodes: list[str]


def _compile(graph: ShapesGraph) -> dict[str, CompiledShape]:
    shapes = {}
    for key, shape in graph.shapes.items():
        targets: dict[str, list[str]] = {"targetClass": [], "targetObjectsOf": [], "targetSubjectsOf": [],
                                         "targetNode": []}
        for kind, term in shape.targets:
            targets[kind].append(str(term))
        shapes[key] = CompiledShape(key, [_property(p) for p in shape.properties], targets["targetClass"],
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


def _property(p) -> CompiledProperty:
    if p.inverse:
        raise UnsupportedShape("inverse paths are left to the sparql SHACL engine")
    c = p.constraints
    prop = CompiledProperty(f"<{p.path}>", p.path, p.message or f"violates the constraints on <{p.path}>")
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
        prop.tests.append(datatype_test(dt.value))
    flags = c.get("flags", [])
    for pattern in c.get("pattern", []):
        rx = xpath_regex(pattern.value, flags[0].value if flags else "")
        prop.tests.append(lambda v, rx=rx: v.kind == "bnode" or rx.search(v.value) is None)
    for n in c.get("minLength", []):
        prop.tests.append(lambda v, n=int(n.value): v.kind == "bnode" or len(v.value) < n)
    for n in c.get("maxLength", []):
        prop.tests.append(lambda v, n=int(n.value): v.kind == "bnode" or len(v.value) > n)
    for name, holds in (("minInclusive", lambda v, b: not sparql_less(v, b)),
                        ("maxInclusive", lambda v, b: not sparql_less(b, v)),
                        ("minExclusive", lambda v, b: sparql_less(b, v)),
                        ("maxExclusive", lambda v, b: sparql_less(v, b))):
        for bound in c.get(name, []):
            term, _ = parse_term(str(bound))
            if numeric_value(term) is None:
                raise UnsupportedShape(f"sh:{name} {bound} is left to the sparql SHACL engine")
            prop.tests.append(lambda v, b=term, holds=holds: numeric_value(v) is None or not holds(v, b))
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
    return re.compile(rf'"(?:{LEXICAL[datatype.rpartition("#")[2]]})"\^\^<{re.escape(datatype)}> ')


def fast_check(shape: CompiledShape,
               term: Callable[[str], Term]) -> tuple[Callable[[dict], bool], list[CompiledProperty]]:
    """A function that tells, without reporting, whether a subject's lines certainly conform to the
    property shapes it covers, and the property shapes it leaves to :meth:`~timeline.shacl.scan.Scan._check`.

    Almost every subject of a built graph conforms, so this is the path the scan takes; it is Python
    written for the shape (each property's path, bounds and tests inline), several times faster than
    interpreting the shape. False means "report": the generic check then runs over every property,
    so what is reported never depends on this function, only how fast a conforming subject passes.
    """
    code, rest = ["def fast(preds):", "    get = preds.get"], []
    names = {"term": term, "rest_less": rest_less}
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
        else:  # the verdict cache of CompiledProperty.fails, looked up here: most values were seen before
            test = [f"b = V{i}.get(r)", "if b is None:", f"    b = F{i}(r, term)", "if b:", "    return False"]
            if prop.sure is not None:  # unless the value's form alone shows it good
                names[f"S{i}"] = prop.sure.match
                test = [f"if S{i}(r) is None:", *("    " + line for line in test)]
        for j, other in enumerate(prop.less_than):
            names[f"L{i}_{j}"] = other
            test += [f"for x in get(L{i}_{j}, ()):", "    if not rest_less(r, x, term):", "        return False"]
        if prop.most == 1:  # one value, the usual maximum, needs no loop
            code += ["        r = v[0]", *("        " + line for line in test)]
        else:
            code += ["        for r in v:", *("            " + line for line in test)]
    code.append("    return True")
    exec("\n".join(code), names)  # noqa: S102 - the source is made here from the compiled shape
    return names["fast"], rest


def compile_shapes(shapes: Path | None = None) -> dict[str, CompiledShape]:
    """The shapes file (default: the project's) compiled for :class:`~timeline.shacl.scan.Scan`."""
    return _compile(ShapesGraph(shapes or resources.ontology_dir() / "shapes.ttl"))
