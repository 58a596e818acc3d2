"""Stores that answer SPARQL over a built graph: one interface, several places.

* ``oxigraph`` (default): pyoxigraph, fast to load and to query. A built
  ``graph.nq`` is loaded into memory (:class:`OxigraphStore`); a store
  directory made by :func:`build_disk_store` is opened on disk, read-only
  unless asked otherwise (:class:`OxigraphDiskStore`).
* ``memory``: an rdflib Dataset, for small work and as an independent check
  that the saved queries mean the same thing on another engine.
* a remote SPARQL 1.1 endpoint (``http://`` or ``https://``):
  :class:`timeline.stores.remote.RemoteStore`.

All use the union of all named graphs as the default graph, so a query sees
every fact unless it asks for a ``GRAPH`` (a remote server must be set up so;
see :mod:`timeline.stores.remote`). Queries are read-only unless the caller allows
updates explicitly.

On-disk stores
--------------
:func:`build_disk_store` bulk-loads into a temporary sibling directory
(``.NAME.building-PID-XXXX``) and only then swaps it in: rename the old store
to ``.NAME.previous-PID-XXXX``, rename the new one to ``NAME``, remove the old
one. A build that fails or is killed before the swap leaves the previous store
untouched (its temporary directory is removed by the next build). Between the
two renames -- two ``rename`` calls, microseconds apart -- ``NAME`` does not
exist; a process killed exactly there leaves the previous store complete at
``.NAME.previous-...``, and the next :func:`open_store` or build renames it
back. A store directory is recognised by :data:`STORE_MARKER`, written last,
next to Oxigraph's own files (``CURRENT``, ``*.sst``, ...), so a directory
with the marker is always a complete store.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import queue
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from timeline.errors import TimelineError
from timeline.namespaces import PREFIXES
from timeline.query.results import QueryResult, Term
from timeline.query.sparql import SparqlError, bind_values, form_of, syntax_error

BACKENDS = ("oxigraph", "memory")
GRAPH_FILE = "graph.nq"
#: Written last into a store directory built by :func:`build_disk_store`.
STORE_MARKER = "timeline-store.json"
STORE_FORMAT = "timeline-oxigraph-store"


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
              guard: Callable[[int], None] | None = None) -> QueryResult:
        """Run a read-only query; ``guard`` as for :func:`result_from_oxigraph` (``timeline serve``'s limits)."""
        form = check_form(text, False, where)
        try:
            answer = self.store.query(bind_values(text, bindings or {}), prefixes=self.prefixes,
                                      use_default_graph_as_union=True)
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


# ------------------------------------------------------------------ oxigraph on disk


class OxigraphDiskStore(OxigraphStore):
    """A store directory made by :func:`build_disk_store`, queried in place.

    Opened read-only (``pyoxigraph.Store.read_only``) unless ``writable``, so a
    query never changes a file in it. Queries, prefixes and results are those
    of :class:`OxigraphStore`. Several read-only openers may share a directory;
    a writable opener must be the only one (RocksDB's rule).
    """

    def __init__(self, path: Path, writable: bool = False) -> None:
        import pyoxigraph as ox

        path = Path(path)
        if not is_store_dir(path):
            raise TimelineError(f"{path}: not a timeline store directory (no {STORE_MARKER}); "
                                "build one with build_disk_store / `timeline build --store`")
        try:
            store = ox.Store(str(path)) if writable else ox.Store.read_only(str(path))
        except OSError as exc:
            raise TimelineError(f"{path}: cannot open the store: {' '.join(str(exc).split())}") from None
        super().__init__(store)
        self.path = path
        self.writable = writable

    @classmethod
    def open(cls, path: Path, writable: bool = False) -> OxigraphDiskStore:
        return cls(path, writable)

    @property
    def info(self) -> dict:
        """The marker: format, version, quads and graphs at build time, sha256 of the N-Quads loaded."""
        return read_marker(self.path)

    def add_nquads(self, data: bytes) -> None:
        self._writable("add_nquads")
        super().add_nquads(data)

    def update(self, text: str, where: str = "query") -> None:
        self._writable(where)
        super().update(text, where)

    def save(self, path: Path) -> None:
        """Flush updates when ``path`` is this store; write N-Quads when it is a file name."""
        path = Path(path)
        if path.exists() and path.resolve() == self.path.resolve():
            if self.writable:
                self.store.flush()
            return
        if path.is_dir():
            raise TimelineError(f"{path}: is a directory; give a file name for the N-Quads, "
                                "or build a store there with build_disk_store")
        super().save(path)

    def close(self) -> None:
        """Release the directory (RocksDB closes when the last reference goes)."""
        if self.writable and self.store is not None:
            self.store.flush()
        self.store = None

    def __enter__(self) -> OxigraphDiskStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _writable(self, where: str) -> None:
        if not self.writable:
            raise ReadOnlyError(f"{where}: {self.path} is opened read-only; open it writable "
                                "(open_store(..., writable=True), i.e. --allow-update) to change it")


@dataclass
class DiskStoreInfo:
    """What building an on-disk store made."""

    path: Path
    quads: int
    graphs: int
    seconds: float
    replaced: bool  # a previous store was swapped out

    def __str__(self) -> str:
        return (f"{self.path}: {self.quads} quads in {self.graphs} graphs "
                f"({'replaced the previous store' if self.replaced else 'new store'}, {self.seconds:.1f} s)")


def is_store_dir(path: Path | str) -> bool:
    """A directory with the timeline marker and Oxigraph's (RocksDB's) ``CURRENT`` file."""
    path = Path(path)
    return (path / STORE_MARKER).is_file() and (path / "CURRENT").is_file()


def read_marker(path: Path) -> dict:
    marker = Path(path) / STORE_MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TimelineError(f"{marker}: cannot read the store marker: {exc}") from None
    if not isinstance(info, dict) or info.get("format") != STORE_FORMAT:
        raise TimelineError(f"{marker}: not a timeline store marker")
    return info


def build_disk_store(nquads: bytes | Path, target_dir: Path) -> DiskStoreInfo:
    """Bulk-load N-Quads (bytes, or the path of a ``.nq`` file) into a store directory, replacing it atomically.

    The load goes to a temporary sibling directory; the result is swapped in
    only once complete (see the module docstring for the exact steps). A
    failure leaves the previous store at ``target_dir`` as it was and removes
    the temporary directory. ``target_dir`` must be absent, an empty
    directory, or a store built here before: any other directory is refused.
    """
    import pyoxigraph as ox

    started = time.perf_counter()
    target = Path(target_dir).absolute()
    parent, name = target.parent, target.name
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TimelineError(f"{parent}: cannot create: {exc.strerror or exc}") from None
    with _dir_lock(parent):
        _cleanup_siblings(target)
    _check_replaceable(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.building-{os.getpid()}-", dir=parent))
    try:
        os.chmod(tmp, new_dir_mode())  # mkdtemp makes it 0700; a published store is readable as any new directory
        digest = hashlib.sha256()
        in_memory = isinstance(nquads, (bytes, bytearray, memoryview))
        where = "N-Quads" if in_memory else str(nquads)
        store = ox.Store(str(tmp))
        try:
            if in_memory:
                digest.update(nquads)
                store.bulk_load(bytes(nquads), format=ox.RdfFormat.N_QUADS)
            else:
                with open(nquads, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
                store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
            store.flush()
            quads = len(store)
            graphs = sum(1 for _ in store.named_graphs())
        except (SyntaxError, ValueError, OSError) as exc:
            raise TimelineError(f"{where}: cannot build the store at {target}: "
                                f"{' '.join(str(exc).split())}") from None
        finally:
            store = None  # closes RocksDB before the directory moves
        marker = {"format": STORE_FORMAT, "version": 1, "quads": quads, "graphs": graphs,
                  "sha256": digest.hexdigest(), "pyoxigraph": ox.__version__,
                  "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        write_atomic(tmp / STORE_MARKER, (json.dumps(marker, indent=1) + "\n").encode("utf-8"))
        _fsync_dir(tmp)
        with _dir_lock(parent):
            replaced = _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return DiskStoreInfo(target, quads, graphs, time.perf_counter() - started, replaced)


def _check_replaceable(target: Path) -> None:
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_dir():
        raise TimelineError(f"{target}: exists and is not a store directory; refusing to replace it")
    if is_store_dir(target):
        read_marker(target)  # ours, not some other RocksDB directory
        return
    if any(target.iterdir()):
        raise TimelineError(f"{target}: exists and is not a timeline store (no {STORE_MARKER}); "
                            "refusing to replace it: give a new or empty directory")


def _swap_in(tmp: Path, target: Path) -> bool:
    """Move the finished store to ``target``; the previous one goes aside and then away."""
    backup = None
    if target.exists():
        _check_replaceable(target)  # again, under the lock
        backup = target.with_name(f".{target.name}.previous-{os.getpid()}-{secrets.token_hex(4)}")
        os.rename(target, backup)
    try:
        os.rename(tmp, target)
    except BaseException:
        if backup is not None:
            os.rename(backup, target)
        raise
    _fsync_dir(target.parent)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
    return backup is not None


_SIBLING = re.compile(r"^\.(?P<name>.+)\.(?P<kind>building|previous)-(?P<pid>\d+)-[A-Za-z0-9_]+$")


def _siblings(target: Path) -> list[tuple[Path, str, int]]:
    found = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _SIBLING.match(entry.name)
        if match and match["name"] == target.name:
            found.append((entry, match["kind"], int(match["pid"])))
    return sorted(found)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _cleanup_siblings(target: Path) -> bool:
    """Undo what a killed build left next to ``target`` (call under the directory lock).

    A previous store set aside by a build killed mid-swap is renamed back when
    ``target`` is missing; temporary build directories of dead processes are
    removed. Returns True when a store was recovered.
    """
    recovered = False
    for path, kind, pid in _siblings(target):
        if _alive(pid):
            continue
        if kind == "previous" and not target.exists() and is_store_dir(path):
            os.rename(path, target)
            _fsync_dir(target.parent)
            recovered = True
        else:
            shutil.rmtree(path, ignore_errors=True)
    return recovered


def recover_store(target_dir: Path) -> bool:
    """Put back a store that a build killed between its two renames left aside; True if one was."""
    target = Path(target_dir).absolute()
    if target.exists() or not any(kind == "previous" for _, kind, _ in _siblings(target)):
        return False
    with _dir_lock(target.parent):
        return _cleanup_siblings(target)


@contextlib.contextmanager
def _dir_lock(directory: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the parent directory while stores are swapped (POSIX; a no-op elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks: the renames are still each atomic
            pass
        yield
    finally:
        os.close(fd)  # releases the lock


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
        raise ReadOnlyError(f"{where}: updates run on the oxigraph backend; use --backend oxigraph")

    def save(self, path: Path) -> None:
        raise ReadOnlyError("the memory backend is read-only")


# ------------------------------------------------------------------ helpers


def open_store(path: Path | str, backend: str = "oxigraph", *, writable: bool = False,
               update_url: str | None = None, store_url: str | None = None,
               timeout: float | None = None) -> Store:
    """Open a built graph with the chosen engine.

    ``path`` is a built ``graph.nq`` (or a directory holding one), a store
    directory made by :func:`build_disk_store` (opened read-only unless
    ``writable``), or the ``http(s)://`` URL of a SPARQL 1.1 query endpoint
    (``update_url``, ``store_url`` and ``timeout`` go to
    :class:`timeline.stores.remote.RemoteStore`).
    """
    if backend not in BACKENDS:
        raise TimelineError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if isinstance(path, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        from timeline.stores.remote import open_remote

        if backend != "oxigraph":
            raise TimelineError(f"{path}: an endpoint answers its own queries; --backend {backend} "
                                "reads a built graph file")
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
    if backend == "oxigraph":
        store = OxigraphStore.load(path)
    else:
        store = MemoryStore.load(path)
    store.prefixes.update(case_prefixes(store))
    return store


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


def write_atomic(path: Path, data: bytes, *, keep_mode: bool = False) -> None:
    r"""Write via a temporary file in the same directory and rename over the target.

    Readers see the old file or the new one, never a part. A process killed
    before the rename leaves the old file as it was, and a temporary
    ``.NAME.PID-XXXX.tmp`` beside it, which the next write to the same path
    removes once that process is gone. Errors are :class:`TimelineError`\ s
    naming ``path``. The file gets the permissions of a new file (see
    :class:`AtomicFile` for ``keep_mode``).
    """
    out = AtomicFile(path, keep_mode=keep_mode)
    try:
        out.write(data)
        out.commit()
    except BaseException:
        out.discard()
        raise


class AtomicFile:
    """A file written in pieces under a temporary name, then renamed into place by :meth:`commit`
    (as :func:`write_atomic`); :meth:`discard` drops it and leaves the target as it was.

    With ``background``, the pieces are written by a thread. Writing releases the GIL, so a
    build's 1.5 GB graph goes to disk while its SHACL check runs, instead of after it. At most
    ``depth`` pieces wait in memory.

    Permissions: those the umask gives a new file (``0o666 & ~umask``: 0644 under 0022), set
    on the temporary file before the rename, so the file is never seen with other ones. This
    holds when the target exists too, as for a compiler's output: outputs are regenerated,
    and keeping an existing file's mode would keep the 0600 that earlier versions gave every
    output (a page copied to a web server was refused). To publish less, set a stricter
    umask. ``keep_mode`` is for a user's own file rewritten in place (a case's CSV): an
    existing target keeps its permission bits, as an editor does; a new one gets the umask's.
    """

    def __init__(self, path: Path, background: bool = False, depth: int = 4, *, keep_mode: bool = False):
        self.path = path = Path(path)
        _refuse_as_file(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):  # a file put in the way since: named if it is still there
            _refuse_as_file(path)
            raise TimelineError(f"{path}: cannot write: {path.parent} is a file, not a directory") from None
        except OSError as exc:
            raise TimelineError(f"{path}: cannot write: {exc.strerror or exc}") from None
        _remove_stale_temporaries(path)
        try:
            fd, self._tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
        except OSError as exc:
            raise TimelineError(f"{path}: cannot write: {exc.strerror or exc}") from None
        try:  # mkstemp makes the file 0600: give it the mode it will keep once renamed
            os.fchmod(fd, _target_mode(path, keep_mode))
        except OSError as exc:
            os.close(fd)
            os.unlink(self._tmp)
            raise TimelineError(f"{path}: cannot write: {exc.strerror or exc}") from None
        self._handle = os.fdopen(fd, "wb")
        self._error: BaseException | None = None
        self._queue: queue.Queue | None = None
        if background:
            self._queue = queue.Queue(maxsize=depth)
            self._thread = threading.Thread(target=self._drain, name=f"write {path.name}", daemon=True)
            self._thread.start()

    def write(self, data: bytes) -> None:
        self._raise_failure()
        if self._queue is None:
            self._write(data)
        else:
            self._queue.put(data)

    def written(self) -> bytes:
        """What has been written so far, read back from the temporary file (once the thread caught up)."""
        if self._queue is not None:
            self._queue.join()
        self._raise_failure()
        try:
            self._handle.flush()
            with open(self._tmp, "rb") as handle:
                return handle.read()
        except OSError as exc:
            self._error = exc
        self._raise_failure()  # raises: the error is set

    def commit(self) -> None:
        """Flush, sync and rename over the target; then sync the directory so the new name lasts."""
        self._finish(None)
        self._raise_failure()
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self._error = exc
            self._raise_failure()
        _fsync_dir(self.path.parent)

    def discard(self) -> None:
        """Stop writing and remove the temporary file; the target keeps its previous content."""
        self._finish(_DISCARD)
        try:
            os.unlink(self._tmp)
        except OSError:
            pass

    def _finish(self, end: object) -> None:
        if self._queue is not None:
            self._queue.put(end)
            self._thread.join()
            self._queue = None
        elif end is None:
            self._sync()
        if not self._handle.closed:
            try:
                self._handle.close()
            except OSError as exc:
                self._error = self._error or exc

    def _drain(self) -> None:
        """The writer thread: pieces until None (sync) or _DISCARD (stop)."""
        while True:
            data = self._queue.get()
            if data is _DISCARD:
                return
            if data is None:
                self._sync()
                return
            if self._error is None:
                self._write(data)
            self._queue.task_done()  # for written()

    def _write(self, data: bytes) -> None:
        try:
            self._handle.write(data)
        except BaseException as exc:  # a full disk, a quota ...
            self._error = exc

    def _sync(self) -> None:
        if self._error is None:
            try:
                self._handle.flush()
                os.fsync(self._handle.fileno())
            except BaseException as exc:
                self._error = exc

    def _raise_failure(self) -> None:
        exc = self._error
        if exc is None:
            return
        if isinstance(exc, OSError):
            raise TimelineError(f"{self.path}: cannot write: {exc.strerror or exc}") from None
        raise exc


_DISCARD = object()  # tells the writer thread to stop without syncing


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read each time (a test or a caller may change it between writes).

    Linux reports it in ``/proc/self/status`` without changing it. Elsewhere it can only be read
    by setting it: to 0o077 for the instant before it is put back, so a file another thread
    creates meanwhile is more private, never less; the lock keeps two readers from restoring
    each other's temporary value.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The permissions a new file gets under the current umask (0o644 under 0o022)."""
    return 0o666 & ~current_umask()


def new_dir_mode() -> int:
    """The permissions a new directory gets under the current umask (0o755 under 0o022)."""
    return 0o777 & ~current_umask()


def _target_mode(path: Path, keep_mode: bool) -> int:
    if keep_mode:
        try:
            return path.stat().st_mode & 0o777
        except OSError:  # absent (or unreadable): a new file
            pass
    return new_file_mode()


def check_writable(path: Path) -> None:
    """Fail at once, before any work, where :func:`write_atomic` would fail at the end.

    Raises the same :class:`TimelineError`: ``path`` is a directory, an
    ancestor is a file, or the nearest existing ancestor cannot be written to.
    """
    path = Path(path)
    existing = _refuse_as_file(path)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise TimelineError(f"{path}: cannot write: Permission denied ({existing})")


def _refuse_as_file(path: Path) -> Path | None:
    """Raise where ``path`` cannot become a file: it is a directory, or its nearest existing ancestor is
    a file. Returns that ancestor (a directory), or None if no ancestor exists."""
    if path.is_dir():
        raise TimelineError(f"{path}: is a directory; give a file name")
    existing = next((p for p in [path.parent, *path.parent.parents] if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise TimelineError(f"{path}: cannot write: {existing} is a file, not a directory")
    return existing


_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[A-Za-z0-9_]+\.tmp$")


def _remove_stale_temporaries(path: Path) -> None:
    """Remove the temporary files that killed writers of ``path`` left (those of live processes stay)."""
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match and match["name"] == path.name and not _alive(int(match["pid"])) and entry.is_file():
            try:
                entry.unlink()
            except OSError:
                pass


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
