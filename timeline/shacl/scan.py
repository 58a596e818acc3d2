"""SHACL validation in one pass over sorted N-Quads: the ``scan`` engine.

The builder writes N-Quads sorted line by line, so all the triples of a subject
are adjacent. The shapes can then be checked subject by subject while the lines
are read, without loading the graph into a store first. That load is what the
``sparql`` engine pays before its first query, and at 100k events it costs about
as much as the whole rest of a build (``benchmarks/README.md``). A subject that
conforms, almost every one in a built graph, passes through a function generated
for its shape (:func:`~timeline.shacl.compiler.fast_check`); the shape is interpreted only to report.

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
well-formed lexical forms (:mod:`timeline.shacl.xsd`). That is pySHACL's reading;
the ``sparql`` engine differs only where Oxigraph rewrites derived integer
types to ``xsd:integer`` when it loads them.

This module holds the pass itself; the shapes are compiled by
:mod:`timeline.shacl.compiler` and the lines read by :mod:`timeline.shacl.terms`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from timeline.gcpause import collections_paused
from timeline.namespaces import RDF_TYPE, RDFS_SUBCLASS_OF
from timeline.query.results import Term
from timeline.shacl import ONTOLOGY_GRAPH, UnsupportedShape, Violation, ordered
from timeline.shacl.compiler import CompiledProperty, CompiledShape, compile_shapes, fast_check
from timeline.shacl.terms import focus_of, line_pieces, object_of, parse_object, parse_term
from timeline.shacl.xsd import canonical_text, sparql_less

__all__ = ["Scan", "compile_shapes", "parse_term", "validate_sorted_nquads"]

_SUBCLASS = f"<{RDFS_SUBCLASS_OF}>"
_TYPE = f"<{RDF_TYPE}>"
_ONTOLOGY_TAIL = ONTOLOGY_GRAPH + "> ."  # how a line in the ontology graph ends


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
    for piece in line_pieces(data):
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
        self.by_class: dict[str, list[CompiledShape]] = {}
        self.by_subject_of: dict[str, list[CompiledShape]] = {}
        self.by_node: dict[str, list[CompiledShape]] = {}
        for shape in compiled.values():
            for c in shape.classes:
                self.by_class.setdefault(c, []).append(shape)
            for p in shape.subjects_of:
                self.by_subject_of.setdefault(p, []).append(shape)
            for n in shape.nodes:
                self.by_node.setdefault(n, []).append(shape)
        self.objects_of = [(p, s) for s in compiled.values() for p in s.objects_of]
        self._by_type: dict[str, list[CompiledShape]] = {}  # rdf:type line remainder (class and graph) -> shapes
        self.fast = {key: fast_check(shape, self._term) for key, shape in compiled.items()}
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
        self.pending: list[tuple[str, CompiledProperty, Term]] = []

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

    def _conforms(self, focus: str, prop: CompiledProperty, value: Term, found: list) -> None:
        """Whether a value node conforms to the shape of ``prop``'s sh:node, once all its triples were read."""
        if (value.value in self.marked[prop.node] and value.kind != "literal") == self.empty_ok[prop.node]:
            found.append(Violation(focus, prop.iri, prop.message, canonical_text(value)))

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
                focus = focus_of(subject)
                waiting = self.reached[shape.key]
                if focus in waiting:
                    waiting.discard(focus)
                else:
                    done.add(focus)
        for predicate, shape in self.objects_of:
            for rest in preds.get(predicate, ()):
                node = rest[1:rest.index(">")] if rest[0] == "<" else canonical_text(self._term(rest))
                done = self.checked[shape.key]
                if node in done:
                    done.discard(node)
                else:
                    self.reached[shape.key].add(node)
        for key, shape, empty_ok, required in self._nested:
            if not empty_ok and not preds.keys() >= required:
                continue  # fails like a node without triples: nothing to keep
            if (not self._check(subject, shape, preds, [], [])) != empty_ok:
                self.marked[key].add(focus_of(subject))

    def _late(self, data: bytes, late: dict[str, set[str]]) -> list[Violation]:
        """A second pass for focus nodes reached only as objects of a sh:targetObjectsOf property.

        The first pass has read every line, so its sh:node verdicts (``marked``) are complete.
        """
        found: list[Violation] = []
        pending: list = []
        for subject, preds in _all_groups(data):
            for key, nodes in late.items():
                if focus_of(subject) in nodes:
                    nodes.discard(focus_of(subject))
                    self._check(subject, self.shapes[key], preds, found, pending)
        for key, nodes in late.items():  # nodes without triples of their own
            for node in nodes:
                self._check(node if node.startswith('"') else f"<{node}>", self.shapes[key], {}, found, pending)
        for focus, prop, value in pending:
            self._conforms(focus, prop, value, found)
        return found

    def _targets(self, subject: str, preds: dict[str, list[str]]) -> list[CompiledShape] | tuple[CompiledShape, ...]:
        types = preds.get(_TYPE, ())
        if len(types) == 1 and self._by_class_only:  # one class: its shapes, remembered
            shapes = self._by_type.get(types[0])
            if shapes is None:
                shapes = self._by_type[types[0]] = self.by_class.get(types[0][:types[0].find(">") + 1], ())
            return shapes
        shapes: dict[str, CompiledShape] = {}
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
            value = object_of(rest)
            term = self._terms.get(value)
            if term is None:
                if len(self._terms) > 50_000:
                    self._terms.clear()
                term = self._terms[value] = parse_object(value)
        return term

    def _check(self, subject: str, shape: CompiledShape, preds: dict[str, list[str]], found: list,
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
        focus, before, term = focus_of(subject), len(found), self._term
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
                    found.append(Violation(focus, prop.iri, prop.message, canonical_text(term(r))))
                if not prop.less_than and prop.node is None:
                    continue
                # An IRI is read here, not remembered: a sh:node value (a mention's target) is one of a kind.
                v = Term.iri(r[1:r.index(">")]) if r[0] == "<" else term(r)
                for other in prop.less_than:
                    for w in {term(x) for x in preds.get(other, ())}:
                        if not sparql_less(v, w):
                            found.append(Violation(focus, prop.iri, prop.message, canonical_text(v)))
                if prop.node is not None:
                    node = f"<{v.value}>" if v.kind == "uri" else f"_:{v.value}"
                    if v.kind == "literal" or node < self._grouper.previous:
                        self._conforms(focus, prop, v, found)  # its triples came already (or never will)
                    else:
                        pending.append((focus, prop, v))
        return len(found) > before


def validate_sorted_nquads(data: bytes, shapes: Path | None = None) -> list[Violation]:
    """Violations of the shapes in sorted N-Quads (as the builder writes them), in one pass.

    Raises :class:`~timeline.shacl.UnsupportedShape` where the ``sparql`` engine must be used.
    """
    scan = Scan(shapes)
    with collections_paused():
        for piece in line_pieces(data):
            scan.feed(piece)
        found = scan.finish(lambda: data)
    if found is None:
        raise UnsupportedShape(scan.refused)
    return found
