"""The pyoxigraph store: a built graph loaded into memory, and the conversion of its answers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path

from timeline.errors import TimelineError
from timeline.files import write_atomic
from timeline.namespaces import PREFIXES
from timeline.query.results import QueryResult, Term
from timeline.query.sparql import SparqlError, bind_values, syntax_error
from timeline.stores.base import check_form

# ------------------------------------------------------------------ oxigraph


class OxigraphStore:
    """pyoxigraph; in memory unless given a store (see :class:`OxigraphDiskStore`)."""

    def __init__(self, store=None) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.store = ox.Store() if store is None else store
        self.prefixes = dict(PREFIXES)

    @classmethod
    def load(cls, path: Path) -> OxigraphStore:
        self = cls()
        try:
            self.store.bulk_load(path=str(path), format=self._ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError) as exc:
            raise TimelineError(f"{path}: cannot load the built graph: {exc}") from None
        return self

    def add_nquads(self, data: bytes) -> None:
        self.store.load(data, format=self._ox.RdfFormat.N_QUADS)

    def __len__(self) -> int:
        return len(self.store)

    def query(self, text: str, bindings: dict[str, Term] | None = None, where: str = "query", *,
              guard: Callable[[int], None] | None = None, default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, union: bool = True) -> QueryResult:
        """Run a read-only query over the union of all graphs as its default graph.

        ``default_graph`` and ``named_graphs``: the SPARQL 1.1 Protocol's dataset
        (``default-graph-uri``, ``named-graph-uri``); given, it replaces the
        union and the query's FROM and FROM NAMED (an empty or missing list is
        an empty one). ``union=False``: the query's own FROM and FROM NAMED
        (pyoxigraph's union would override them). ``guard`` as for
        :func:`result_from_oxigraph` (``timeline serve``'s limits).
        """
        ox = self._ox
        form = check_form(text, False, where)
        dataset: dict = {"use_default_graph_as_union": union}
        if default_graph is not None or named_graphs is not None:
            dataset = {"default_graph": [ox.NamedNode(iri) for iri in default_graph or ()],
                       "named_graphs": [ox.NamedNode(iri) for iri in named_graphs or ()]}
        try:
            answer = self.store.query(bind_values(text, bindings or {}), prefixes=self.prefixes, **dataset)
            return result_from_oxigraph(answer, form, guard)  # lazy: evaluation errors come while reading
        except SyntaxError as exc:
            raise syntax_error(where, str(exc)) from None
        except OSError as exc:
            raise SparqlError(f"{where}: query failed: {exc}") from None

    def update(self, text: str, where: str = "query") -> None:
        try:
            self.store.update(text, prefixes=self.prefixes)
        except SyntaxError as exc:
            raise syntax_error(where, str(exc)) from None

    def save(self, path: Path) -> None:
        data = self._ox.serialize(self.store, format=self._ox.RdfFormat.N_QUADS)
        write_atomic(path, b"".join(sorted(data.splitlines(keepends=True))))


@functools.cache
def _oxigraph_converter():
    import pyoxigraph as ox

    named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal

    def convert(node) -> Term:
        if isinstance(node, named):
            return Term.iri(node.value)
        if isinstance(node, blank):
            return Term("bnode", node.value)
        if isinstance(node, literal):
            return Term.literal(node.value, node.datatype.value, node.language)
        raise TimelineError(f"unsupported term in result: {node!r}")  # RDF-star triples

    return convert


def term_to_oxigraph(term: Term):
    """A :class:`Term` as a pyoxigraph term."""
    import pyoxigraph as ox

    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype)) if term.datatype else ox.Literal(term.value)


def result_from_oxigraph(answer, form: str, guard: Callable[[int], None] | None = None) -> QueryResult:
    """pyoxigraph's QueryBoolean, QuerySolutions or triples as a :class:`QueryResult`.

    Shared by every pyoxigraph-based store and the remote one. ``guard``, if
    given, is called before each row (or triple) is read with the number read
    so far, and may raise to stop reading (``timeline serve``'s row and time
    limits: pyoxigraph computes the rows as they are read).
    """
    import pyoxigraph as ox

    convert = _oxigraph_converter()
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = []
        seen: dict = {}  # results repeat terms (an actor on every row): convert each once
        for solution in answer:
            if guard is not None:
                guard(len(rows))
            row = {}
            # A solution iterates its values in the order of the variables; looking each one up by name
            # cost a fifth of a 2,000-row query's time.
            for var, value in zip(variables, solution, strict=True):
                if value is not None:
                    term = seen.get(value)
                    if term is None:
                        term = seen[value] = convert(value)
                    row[var] = term
            rows.append(row)
        return QueryResult("SELECT", variables=variables, rows=rows)
    triples = []
    for t in answer:
        if guard is not None:
            guard(len(triples))
        triples.append((convert(t.subject), convert(t.predicate), convert(t.object)))
    return QueryResult(form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT", triples=triples)


def serialize_triples(triples: list[tuple[Term, Term, Term]], fmt: str, prefixes: dict[str, str] | None = None) -> str:
    """CONSTRUCT/DESCRIBE results as Turtle, N-Triples, JSON-LD or RDF/XML (same bytes for every backend)."""
    import pyoxigraph as ox

    items = sorted(set(triples))
    converted = [ox.Triple(term_to_oxigraph(s), term_to_oxigraph(p), term_to_oxigraph(o)) for s, p, o in items]
    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
               "rdfxml": ox.RdfFormat.RDF_XML}
    iris = {t.value for triple in items for t in triple if t.kind == "uri"} | {
        t.datatype for triple in items for t in triple if t.datatype}
    used = {p: ns for p, ns in (prefixes or PREFIXES).items() if any(i.startswith(ns) for i in iris)}
    kwargs = {"prefixes": used} if fmt in ("turtle", "jsonld") else {}  # the formats that take prefixes
    return ox.serialize(converted, format=formats[fmt], **kwargs).decode("utf-8")
