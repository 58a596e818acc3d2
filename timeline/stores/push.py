"""Pushing a case's named graphs into a SPARQL endpoint (``timeline push``), replacing the earlier copy.

:func:`push` loads a case's named graphs (those whose IRI starts with the
case's base IRI, ontology included) into an endpoint, replacing each one, so
a second push does not duplicate anything, and removes graphs under the base
that the new build no longer has. Other graphs are never touched. With a
Graph Store Protocol URL each graph is PUT (further chunks of a large graph
are POSTed); with only an update URL each graph is ``DROP SILENT GRAPH`` +
``INSERT DATA`` in one request (further chunks ``INSERT DATA``). One graph of
one chunk is replaced atomically on servers that run a request as one
transaction (Oxigraph, Fuseki); a push as a whole is not atomic: a query
during a push may see some graphs old and some new. Blank nodes are kept in
the first chunk of their graph so they stay one node; a blank node shared
between two graphs would become two (timeline's builds share none).

After pushing, :func:`push` asks the endpoint how ``timeline query
--endpoint`` will see the case (:meth:`RemoteStore.choose_dataset`: the
case's graphs as the protocol's dataset, or the server's union default
graph) and the summary says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from timeline.errors import TimelineError
from timeline.stores import open_store
from timeline.stores.memory import MemoryStore
from timeline.stores.oxigraph import OxigraphStore
from timeline.stores.remote import EndpointError, RemoteStore, endpoint_urls, iri_ref

# ------------------------------------------------------------------ push

CHUNK_TRIPLES = 50_000


@dataclass
class PushSummary:
    endpoint: str
    method: str  # "graph store" or "update"
    base: str
    graphs: int = 0
    triples: int = 0
    requests: int = 0
    removed: list[str] = field(default_factory=list)  # graphs under the base that the build no longer has
    skipped: int = 0  # quads outside the case's graphs, not pushed
    seconds: float = 0.0
    query_url: str = ""
    queried_by: str = ""  # how `timeline query --endpoint` will see the case (RemoteStore.queried_by)

    def __str__(self) -> str:
        text = (f"pushed {self.graphs} graphs ({self.triples} triples) to {self.endpoint} by {self.method} "
                f"in {self.seconds:.1f} s")
        if self.removed:
            text += f"; removed {len(self.removed)} graph(s) the case no longer has"
        if self.skipped:
            text += f"; skipped {self.skipped} quads outside the case's graphs"
        return text

    def how_to_query(self) -> str:
        """One line: the command that queries the pushed case, and how the endpoint will be asked."""
        return (f"query it with: timeline query --endpoint {self.query_url} QUERY; each query is answered "
                f"{self.queried_by}")


def push(source, endpoint: RemoteStore | str, *, base: str | None = None, prune: bool = True,
         chunk_triples: int = CHUNK_TRIPLES, progress: Callable[[int, int], None] | None = None) -> PushSummary:
    """Load a case's named graphs into an endpoint, replacing them there.

    ``source``: a built ``graph.nq`` or store directory (path), N-Quads bytes,
    or an open local store. ``endpoint``: a :class:`RemoteStore` with a
    ``store_url`` (Graph Store Protocol, preferred) or an ``update_url``; a
    plain URL string as below. ``base`` is
    the case IRI (found from the ``tl:Case`` in the source when not given);
    only graphs whose IRI starts with it are pushed or removed. ``progress``
    is called after each request with (triples sent so far, triples to send).
    A plain URL string is resolved as ``timeline push --endpoint`` does
    (:func:`timeline.stores.remote.endpoint_urls`: Oxigraph server or Virtuoso
    by their base URL).
    """
    import pyoxigraph as ox

    started = time.perf_counter()
    remote = endpoint if isinstance(endpoint, RemoteStore) else push_target(str(endpoint))
    if not remote.store_url and not remote.update_url:
        raise TimelineError(f"{remote.query_url}: push needs a Graph Store URL or an update URL "
                            "(Oxigraph server: BASE/store or BASE/update; Virtuoso: BASE/sparql-graph-crud-auth "
                            "or BASE/sparql-auth)")
    local = _local_store(source)
    base = base or _case_base(local)
    if not base.endswith(("/", "#")):
        base += "/"
    summary = PushSummary(remote.store_url or remote.update_url or "", "graph store" if remote.store_url
                          else "update", base)
    ours, skipped = [], 0
    for graph in local.store.named_graphs():
        if isinstance(graph, ox.NamedNode) and graph.value.startswith(base):
            ours.append(graph)
        else:
            skipped += sum(1 for _ in local.store.quads_for_pattern(None, None, None, graph))
    skipped += sum(1 for _ in local.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    summary.skipped = skipped
    ours.sort(key=lambda g: g.value)
    total = sum(sum(1 for _ in local.store.quads_for_pattern(None, None, None, g)) for g in ours)
    existing = remote.graphs(base) if prune else []
    for graph in ours:
        triples = [q.triple for q in local.store.quads_for_pattern(None, None, None, graph)]
        for number, chunk in enumerate(_chunks(triples, chunk_triples)):
            data = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
            if remote.store_url:
                remote.put_graph(graph.value, data, replace=number == 0)
            else:
                remote._post_update(_insert(graph.value, data.decode("utf-8"), number == 0), "push")
            summary.requests += 1
            summary.triples += len(chunk)
            if progress:
                progress(summary.triples, total)
        if not triples:  # an empty graph still replaces what was there
            remote.delete_graph(graph.value)
            summary.requests += 1
        summary.graphs += 1
    pushed = {g.value for g in ours}
    for graph in existing:
        if graph not in pushed:
            remote.delete_graph(graph)
            summary.removed.append(graph)
            summary.requests += 1
    summary.query_url = remote.query_url
    summary.queried_by = _queried_by(remote)
    summary.seconds = time.perf_counter() - started
    return summary


def _queried_by(remote: RemoteStore) -> str:
    """How a fresh ``open_remote`` of the query URL will see the case (the pushed dataset, as any reader would)."""
    reader = RemoteStore(remote.query_url, timeout=remote.timeout)
    try:
        reader.choose_dataset()
    except EndpointError as exc:  # several cases there: the push itself went well
        return str(exc)
    return reader.queried_by


def push_target(endpoint: str, update_url: str | None = None, store_url: str | None = None) -> RemoteStore:
    """The endpoint ``timeline push --endpoint URL [--update-url U] [--store-url S]`` writes to.

    The URL may be a server's base URL (:func:`endpoint_urls`); an update or
    Graph Store URL given explicitly is the only way to write.
    """
    urls = endpoint_urls(endpoint)
    query_url = urls["query_url"] or endpoint
    if update_url or store_url:
        return RemoteStore(query_url, update_url=update_url, store_url=store_url)
    return RemoteStore(query_url, urls["update_url"], urls["store_url"])


def _insert(graph: str, ntriples: str, replace: bool) -> str:
    """The update that adds N-Triples to a graph (replacing it first for the first chunk).

    ``INSERT DATA`` unless the triples hold blank nodes: Virtuoso refuses those
    in ``INSERT DATA`` ("not allowed in a constant clause"), and ``INSERT {...}
    WHERE {}`` means the same on every server (one solution: each label one
    fresh node).
    """
    name = iri_ref(graph)
    drop = f"DROP SILENT GRAPH {name} ;\n" if replace else ""
    if re.search(r"(^|\s)_:", ntriples):
        return f"{drop}INSERT {{ GRAPH {name} {{\n{ntriples}}} }} WHERE {{}}"
    return f"{drop}INSERT DATA {{ GRAPH {name} {{\n{ntriples}}} }}"


def _chunks(triples: list, size: int) -> list[list]:
    """Blank-node triples together in the first chunk (a blank node is one node only within a request)."""
    import pyoxigraph as ox

    size = max(1, size)
    with_bnodes, plain = [], []
    for t in triples:
        (with_bnodes if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) else plain).append(t)
    first = max(0, size - len(with_bnodes))
    chunks = [with_bnodes + plain[:first]]
    chunks += [plain[i:i + size] for i in range(first, len(plain), size)]
    return [c for c in chunks if c]


def _local_store(source):
    """A pyoxigraph-backed store holding the source's quads."""
    if isinstance(source, RemoteStore):
        raise TimelineError("push reads a built graph or a local store, not an endpoint")
    if isinstance(source, OxigraphStore):
        return source
    if isinstance(source, (bytes, bytearray)):
        store = OxigraphStore()
        try:
            store.store.bulk_load(bytes(source), format=store._ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError) as exc:
            raise TimelineError(f"N-Quads: cannot load: {' '.join(str(exc).split())}") from None
        return store
    if isinstance(source, MemoryStore):
        store = OxigraphStore()
        store.add_nquads(source.dataset.serialize(format="nquads", encoding="utf-8"))
        store.store.clear_graph(store._ox.DefaultGraph())  # MemoryStore copies the union there
        return store
    if isinstance(source, (str, Path)):
        store = open_store(Path(source))
        if not isinstance(store, OxigraphStore):  # pragma: no cover - open_store's default is oxigraph
            raise TimelineError(f"{source}: cannot read")
        return store
    raise TimelineError(f"cannot push {type(source).__name__}: give a graph.nq, a store directory or N-Quads")


def _case_base(store) -> str:
    rows = store.query("SELECT DISTINCT ?case WHERE { ?case a tl:Case } ORDER BY ?case", where="case lookup").rows
    if len(rows) != 1:
        found = ", ".join(r["case"].value for r in rows) or "none"
        raise TimelineError(f"cannot tell the case's base IRI (tl:Case found: {found}); pass base=")
    return rows[0]["case"].value
