"""Stores that answer SPARQL over a built graph: one interface, several places.

* ``oxigraph`` (default): pyoxigraph, fast to load and to query. A built
  ``graph.nq`` is loaded into memory (:class:`OxigraphStore`); a store
  directory made by :func:`build_disk_store` is opened on disk, read-only
  unless asked otherwise (:class:`OxigraphDiskStore`).
  Beside a big ``graph.nq`` the CLI keeps such a store, ``graph.oxigraph``,
  checked against the file before each use (:mod:`.kept`).
* ``memory``: an rdflib Dataset, for small work and as an independent check
  that the saved queries mean the same thing on another engine.
* a remote SPARQL 1.1 endpoint (``http://`` or ``https://``):
  :class:`timeline.stores.remote.RemoteStore`.

All query the case's graphs together as the default graph, so a query sees
every fact unless it asks for a ``GRAPH``: the local stores by their union, a
remote server by the SPARQL 1.1 Protocol's ``default-graph-uri`` and
``named-graph-uri`` (whatever its own default graph is; see
:mod:`timeline.stores.remote`). Queries are read-only unless the caller allows
updates explicitly.

The backends live in :mod:`.oxigraph`, :mod:`.disk` (and :mod:`.kept`), :mod:`.memory` and :mod:`.remote`; this
module opens the right one (:func:`open_store`) and re-exports their public names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from timeline.errors import TimelineError
from timeline.stores.base import (
    BACKENDS,
    CASE_PREFIXES,
    GRAPH_FILE,
    ReadOnlyError,
    Store,
    case_namespaces,
    case_prefixes,
    check_form,
)
from timeline.stores.disk import (
    STORE_FORMAT,
    STORE_MARKER,
    DiskStoreInfo,
    OxigraphDiskStore,
    build_disk_store,
    is_store_dir,
    read_marker,
    recover_store,
)
from timeline.stores.kept import keep_store, kept_store_path, open_kept_store, store_is_current
from timeline.stores.memory import MemoryStore
from timeline.stores.oxigraph import OxigraphStore, result_from_oxigraph, serialize_triples, term_to_oxigraph

__all__ = [
    "BACKENDS", "CASE_PREFIXES", "GRAPH_FILE", "STORE_FORMAT", "STORE_MARKER", "DiskStoreInfo", "MemoryStore",
    "OxigraphDiskStore", "OxigraphStore", "ReadOnlyError", "Store", "build_disk_store", "case_namespaces",
    "case_prefixes", "check_form", "is_store_dir", "keep_store", "kept_store_path", "open_kept_store", "open_store",
    "read_marker", "recover_store", "store_is_current",
    "result_from_oxigraph", "serialize_triples", "term_to_oxigraph",
]


def open_store(path: Path | str, backend: str = "oxigraph", *, writable: bool = False,
               update_url: str | None = None, store_url: str | None = None,
               timeout: float | None = None, keep: bool = False,
               note: Callable[[str], None] | None = None) -> Store:
    """Open a built graph with the chosen engine.

    ``path`` is a built ``graph.nq`` (or a directory holding one), a store
    directory made by :func:`build_disk_store` (opened read-only unless
    ``writable``), or the ``http(s)://`` URL of a SPARQL 1.1 query endpoint
    (``update_url``, ``store_url`` and ``timeout`` go to
    :class:`timeline.stores.remote.RemoteStore`).

    ``keep``: a big graph file is answered from the on-disk store kept beside
    it (``graph.oxigraph``, made or rebuilt first when missing or stale; see
    :mod:`timeline.stores.kept`) instead of being parsed into memory; ``note``
    gets a one-line explanation when no store can be kept there. Only for the
    ``oxigraph`` backend, read-only.
    """
    if backend not in BACKENDS:
        raise TimelineError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if isinstance(path, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        from timeline.stores.remote import open_remote  # ssl and HTTP: loaded only for endpoints

        if backend != "oxigraph":
            said = f"backend={backend!r}"
            raise TimelineError(f"{path}: an endpoint answers its own queries; {said} reads a built graph file",
                                param="backend", said=said, value=backend)
        return open_remote(path, update_url=update_url, store_url=store_url, timeout=timeout)
    path = Path(path)
    if not path.exists():
        recover_store(path)  # a build killed mid-swap left the previous store aside
    if is_store_dir(path):
        if backend == "memory":
            with OxigraphDiskStore(path) as disk:
                data = disk._ox.serialize(disk.store, format=disk._ox.RdfFormat.N_QUADS)
            store: Store = MemoryStore.load(path, data)
        else:
            store = OxigraphDiskStore(path, writable)
        store.prefixes.update(case_prefixes(store))
        return store
    if path.is_dir():
        path = path / GRAPH_FILE
    if not path.exists():
        raise TimelineError(f"{path}: no built graph here; run `timeline build` first")
    if keep and backend == "oxigraph" and not writable:
        kept = open_kept_store(path, note)
        if kept is not None:
            kept.prefixes.update(case_prefixes(kept))
            return kept
    if backend == "oxigraph":
        store = OxigraphStore.load(path)
    else:
        store = MemoryStore.load(path)
    store.prefixes.update(case_prefixes(store))
    return store
