"""The Store interface every backend implements, and what they share: read-only checks and case prefixes."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from timeline.errors import TimelineError
from timeline.query.results import QueryResult, Term
from timeline.query.sparql import SparqlError, form_of

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
                            "allow_update=True", param="allow_update", said="allow_update=True")
    return form


CASE_PREFIXES = ("entity", "event", "claim", "source", "graph", "mention")


def case_prefixes(store: Store) -> dict[str, str]:
    """``entity:``, ``event:``, ``claim:``, ``source:``, ``graph:``, ``mention:`` for the graph's case."""
    rows = store.query("SELECT ?case WHERE { ?case a tl:Case } ORDER BY ?case LIMIT 2", where="case lookup").rows
    if len(rows) != 1:
        return {}
    return case_namespaces(rows[0]["case"].value)


def case_namespaces(base: str) -> dict[str, str]:
    """The :data:`CASE_PREFIXES` of the case whose IRI is ``base``."""
    return {name: f"{base}{name}/" for name in CASE_PREFIXES}
