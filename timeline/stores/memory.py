"""The rdflib store: an independent engine, to check that the saved queries mean the same everywhere."""

from __future__ import annotations

from pathlib import Path

from timeline.errors import TimelineError
from timeline.namespaces import PREFIXES
from timeline.query.results import QueryResult, Term
from timeline.query.sparql import SparqlError, bind_values
from timeline.stores.base import ReadOnlyError, check_form

# ------------------------------------------------------------------ rdflib


class MemoryStore:
    def __init__(self) -> None:
        from rdflib import Dataset

        # rdflib's default_union=True re-scans every graph per pattern (seconds per query
        # here), so the union is copied into the default graph once, at load time.
        self.dataset = Dataset(default_union=False)
        self.prefixes = dict(PREFIXES)

    @classmethod
    def load(cls, path: Path, data: bytes | None = None) -> MemoryStore:
        """Load ``graph.nq`` (or, with ``data``, those N-Quads; ``path`` then only names them in errors)."""
        self = cls()
        try:
            if data is None:
                self.dataset.parse(str(path), format="nquads")
            else:
                self.dataset.parse(data=data, format="nquads")
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
        raise ReadOnlyError(f"{where}: updates run on the oxigraph backend; use backend='oxigraph'",
                            param="backend", said="backend='oxigraph'", value="oxigraph")

    def save(self, path: Path) -> None:
        raise ReadOnlyError("the memory backend is read-only")
