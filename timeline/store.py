"""Stores that answer SPARQL over a built graph: one interface, two engines.

* ``oxigraph`` (default): pyoxigraph, fast to load and to query.
* ``memory``: an rdflib Dataset, for small work and as an independent check
  that the saved queries mean the same thing on another engine.

Both use the union of all named graphs as the default graph, so a query sees
every fact unless it asks for a ``GRAPH``. Queries are read-only unless the
caller allows updates explicitly.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from timeline.errors import TimelineError
from timeline.prefixes import PREFIXES
from timeline.results import QueryResult, Term
from timeline.sparql import SparqlError, bind_values, form_of, syntax_error

BACKENDS = ("oxigraph", "memory")
GRAPH_FILE = "graph.nq"


class ReadOnlyError(TimelineError):
    pass


class Store(Protocol):
    prefixes: dict[str, str]

    def query(self, text: str, bindings: dict[str, Term] | None = None, where: str = "query") -> QueryResult: ...

    def update(self, text: str, where: str = "query") -> None: ...

    def save(self, path: Path) -> None: ...

    def __len__(self) -> int: ...


def check_form(text: str, allow_update: bool, where: str) -> str:
    form = form_of(text)
    if form == "EMPTY":
        raise SparqlError(f"{where}: the query is empty")
    if form == "UPDATE" and not allow_update:
        raise ReadOnlyError(f"{where}: this is a SPARQL UPDATE; queries are read-only unless you pass "
                            "--allow-update")
    return form


# ------------------------------------------------------------------ oxigraph


class OxigraphStore:
    def __init__(self) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.store = ox.Store()
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

    def _term(self, term: Term):
        ox = self._ox
        if term.kind == "uri":
            return ox.NamedNode(term.value)
        if term.kind == "bnode":
            return ox.BlankNode(term.value)
        if term.lang:
            return ox.Literal(term.value, language=term.lang)
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype)) if term.datatype else ox.Literal(term.value)

    def _from(self, node) -> Term:
        ox = self._ox
        if isinstance(node, ox.NamedNode):
            return Term.iri(node.value)
        if isinstance(node, ox.BlankNode):
            return Term("bnode", node.value)
        if isinstance(node, ox.Literal):
            return Term.literal(node.value, node.datatype.value, node.language)
        raise TimelineError(f"unsupported term in result: {node!r}")  # RDF-star triples

    def query(self, text: str, bindings: dict[str, Term] | None = None, where: str = "query") -> QueryResult:
        ox = self._ox
        form = check_form(text, False, where)
        try:
            answer = self.store.query(bind_values(text, bindings or {}), prefixes=self.prefixes,
                                      use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise syntax_error(where, str(exc)) from None
        except OSError as exc:
            raise SparqlError(f"{where}: query failed: {exc}") from None
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = []
            for solution in answer:
                row = {}
                for var in variables:
                    value = solution[var]
                    if value is not None:
                        row[var] = self._from(value)
                rows.append(row)
            return QueryResult("SELECT", variables=variables, rows=rows)
        triples = [(self._from(t.subject), self._from(t.predicate), self._from(t.object)) for t in answer]
        return QueryResult(form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT", triples=triples)

    def update(self, text: str, where: str = "query") -> None:
        try:
            self.store.update(text, prefixes=self.prefixes)
        except SyntaxError as exc:
            raise syntax_error(where, str(exc)) from None

    def save(self, path: Path) -> None:
        data = self._ox.serialize(self.store, format=self._ox.RdfFormat.N_QUADS)
        write_atomic(path, b"".join(sorted(data.splitlines(keepends=True))))


# ------------------------------------------------------------------ rdflib


class MemoryStore:
    def __init__(self) -> None:
        from rdflib import Dataset

        # rdflib's default_union=True re-scans every graph per pattern (seconds per query
        # here), so the union is copied into the default graph once, at load time.
        self.dataset = Dataset(default_union=False)
        self.prefixes = dict(PREFIXES)

    @classmethod
    def load(cls, path: Path) -> MemoryStore:
        self = cls()
        try:
            self.dataset.parse(str(path), format="nquads")
        except Exception as exc:  # rdflib raises many kinds for bad input
            raise TimelineError(f"{path}: cannot load the built graph: {exc}") from None
        default = self.dataset.default_graph
        for graph in list(self.dataset.graphs()):
            if graph.identifier != default.identifier:
                default += graph
        return self

    def __len__(self) -> int:
        default = self.dataset.default_graph.identifier
        return sum(len(g) for g in self.dataset.graphs() if g.identifier != default)

    @staticmethod
    def _term(term: Term):
        from rdflib import BNode, Literal, URIRef

        if term.kind == "uri":
            return URIRef(term.value)
        if term.kind == "bnode":
            return BNode(term.value)
        return Literal(term.value, lang=term.lang, datatype=None if term.lang else URIRef(term.datatype))

    @staticmethod
    def _from(node) -> Term:
        from rdflib import BNode, Literal, URIRef

        if isinstance(node, URIRef):
            return Term.iri(str(node))
        if isinstance(node, BNode):
            return Term("bnode", str(node))
        if isinstance(node, Literal):
            datatype = str(node.datatype) if node.datatype else None
            return Term.literal(str(node), datatype, node.language)
        raise TimelineError(f"unsupported term in result: {node!r}")

    def query(self, text: str, bindings: dict[str, Term] | None = None, where: str = "query") -> QueryResult:
        form = check_form(text, False, where)
        try:
            answer = self.dataset.query(bind_values(text, bindings or {}), initNs=self.prefixes)
        except Exception as exc:  # pyparsing raises ParseException with line/col
            line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
            if line is not None:
                raise SparqlError(f"{where}:{line}:{col}: SPARQL syntax error: {getattr(exc, 'msg', exc)}") from None
            raise SparqlError(f"{where}: query failed: {exc}") from None
        if answer.type == "ASK":
            return QueryResult("ASK", boolean=bool(answer.askAnswer))
        if answer.type == "SELECT":
            variables = [str(v) for v in answer.vars]
            rows = []
            for solution in answer:
                rows.append({v: self._from(solution[i]) for i, v in enumerate(variables) if solution[i] is not None})
            return QueryResult("SELECT", variables=variables, rows=rows)
        return QueryResult(form, triples=[tuple(self._from(x) for x in t) for t in answer])

    def update(self, text: str, where: str = "query") -> None:
        raise ReadOnlyError(f"{where}: updates run on the oxigraph backend; use --backend oxigraph")

    def save(self, path: Path) -> None:
        raise ReadOnlyError("the memory backend is read-only")


# ------------------------------------------------------------------ helpers


def open_store(path: Path, backend: str = "oxigraph") -> Store:
    """Open a built graph (``graph.nq``) with the chosen engine."""
    path = Path(path)
    if path.is_dir():
        path = path / GRAPH_FILE
    if not path.exists():
        raise TimelineError(f"{path}: no built graph here; run `timeline build` first")
    if backend == "oxigraph":
        store: Store = OxigraphStore.load(path)
    elif backend == "memory":
        store = MemoryStore.load(path)
    else:
        raise TimelineError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    store.prefixes.update(case_prefixes(store))
    return store


CASE_PREFIXES = ("entity", "event", "claim", "source", "graph", "mention")


def case_prefixes(store: Store) -> dict[str, str]:
    """``entity:``, ``event:``, ``claim:``, ``source:``, ``graph:``, ``mention:`` for the graph's case."""
    rows = store.query("SELECT ?case WHERE { ?case a tl:Case } ORDER BY ?case LIMIT 2", where="case lookup").rows
    if len(rows) != 1:
        return {}
    base = rows[0]["case"].value
    return {name: f"{base}{name}/" for name in CASE_PREFIXES}


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory and rename over the target."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise TimelineError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def serialize_triples(triples: list[tuple[Term, Term, Term]], fmt: str, prefixes: dict[str, str] | None = None) -> str:
    """CONSTRUCT/DESCRIBE results as Turtle, N-Triples or JSON-LD (same bytes for every backend)."""
    import pyoxigraph as ox

    helper = OxigraphStore.__new__(OxigraphStore)
    helper._ox = ox
    items = sorted(set(triples))
    converted = [ox.Triple(helper._term(s), helper._term(p), helper._term(o)) for s, p, o in items]
    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
    iris = {t.value for triple in items for t in triple if t.kind == "uri"} | {
        t.datatype for triple in items for t in triple if t.datatype}
    used = {p: ns for p, ns in (prefixes or PREFIXES).items() if any(i.startswith(ns) for i in iris)}
    kwargs = {"prefixes": used} if fmt in ("turtle", "jsonld") else {}
    try:
        return ox.serialize(converted, format=formats[fmt], **kwargs).decode("utf-8")
    except TypeError:  # a format that takes no prefixes
        return ox.serialize(converted, format=formats[fmt]).decode("utf-8")
