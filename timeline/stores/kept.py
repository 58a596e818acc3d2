"""The store kept beside a built graph, so that a big case answers without re-reading its N-Quads.

``graph.nq`` stays the portable artifact. Beside it, ``graph.oxigraph/`` is an
on-disk Oxigraph store of the same quads (:func:`timeline.stores.disk.build_disk_store`:
built aside and swapped in, with its marker written last), made by ``timeline build``
or by the first command that reads the graph, and opened read-only by every later one.
A cold ``timeline query`` on 100,000 events then opens RocksDB (tens of milliseconds)
instead of parsing 6.5 million quads (about 30 s).

The store is used only while it is the store of this very file:

* its marker records the sha256 of the N-Quads it was loaded from, and
  ``timeline-source.json`` beside it the file's *stamp* (size, mtime and ctime in
  ns, inode, device) taken before reading it. A
  command compares the stamp only: hashing 1.5 GB of N-Quads would cost a second or
  more on every query, while any edit, rebuild (a new file renamed over the old one)
  or copy changes the inode or ctime, which no one can set back. When the stamp
  differs the file is hashed once: the same sha256 (the pair was copied, or the file
  touched) re-stamps it; another one rebuilds the store;
* the data files the marker lists must be there with their sizes (a half-copied store
  is not used), and pyoxigraph must be the version that wrote it;
* a directory there that is not a timeline store is never used nor replaced.

Graphs below :func:`min_bytes` (the sample: 1.6 MB) are parsed in memory as before:
that takes about as long as opening RocksDB, so a store would only cost disk space.

Builds of the store are serialised by an exclusive ``flock`` on the graph file, so
concurrent first queries build it once; the others wait, then open it. Where the
directory cannot be written (a read-only checkout, another user's output), the graph
is read into memory as before, with a one-line note.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from timeline.errors import TimelineError
from timeline.files import write_atomic
from timeline.stores.disk import (
    SOURCE_STAMP,
    OxigraphDiskStore,
    build_disk_store,
    file_stamp,
    is_store_dir,
    read_marker,
    recover_store,
    tidy_store,
)

#: ``graph.nq`` -> ``graph.oxigraph``: named for the engine, so nobody takes it for an output to publish.
STORE_SUFFIX = ".oxigraph"
#: Graph files smaller than this are parsed in memory (see the module docstring); ``$TIMELINE_STORE_MIN_BYTES``.
MIN_BYTES = 4 << 20
MIN_BYTES_ENV = "TIMELINE_STORE_MIN_BYTES"

Note = Callable[[str], None]


def kept_store_path(graph: Path) -> Path:
    """Where the store of the graph file ``graph`` is kept: beside it, ``NAME.oxigraph``."""
    graph = Path(graph)
    return graph.with_name((graph.stem if graph.suffix else graph.name) + STORE_SUFFIX)


def min_bytes() -> int:
    """The smallest graph file that gets a kept store: :data:`MIN_BYTES`, or ``$TIMELINE_STORE_MIN_BYTES``."""
    value = os.environ.get(MIN_BYTES_ENV, "").strip()
    if not value:
        return MIN_BYTES
    try:
        return max(0, int(value))
    except ValueError:
        raise TimelineError(f"{MIN_BYTES_ENV}={value!r}: not a number of bytes; give e.g. 0 (always keep a store) "
                            f"or {MIN_BYTES} (the default)") from None


def wants_store(graph: Path) -> bool:
    """True when ``graph`` is a graph file big enough for a kept store."""
    try:
        return Path(graph).stat().st_size >= min_bytes()
    except OSError:
        return False


def open_kept_store(graph: Path, note: Note | None = None) -> OxigraphDiskStore | None:
    """The store kept beside ``graph``, opened read-only; built (or rebuilt) first when missing or stale.

    None when the graph is too small to want one, or when no usable store can be
    made (``note`` then says why in one line): the caller loads the graph in memory.
    """
    graph = Path(graph)
    if not wants_store(graph):
        return None
    target = kept_store_path(graph)
    store = _open_if_current(graph, target)
    if store is not None:
        return store
    try:
        with _locked(graph):
            store = _open_if_current(graph, target)  # another process may have built it meanwhile
            if store is None:
                build_disk_store(graph, target)
                store = _open_if_current(graph, target)
    except (TimelineError, OSError) as exc:
        if note is not None:
            why = str(exc) if isinstance(exc, TimelineError) else f"{target}: {exc.strerror or exc}"
            note(f"note: no query store kept beside {graph.name} ({why}); reading the graph into memory")
        return None
    return store


def keep_store(graph: Path, note: Note | None = None) -> Path | None:
    """Make sure the store beside ``graph`` is current (``timeline build``); its path, or None as above.

    Also removes what earlier builds of it, killed midway, left beside it (read commands leave that to builds).
    """
    store = open_kept_store(graph, note)
    with contextlib.suppress(OSError):
        tidy_store(kept_store_path(graph))
    if store is None:
        return None
    store.close()
    return store.path


def store_is_current(graph: Path, target: Path | None = None) -> bool:
    """Whether ``target`` (default: the kept store's place) holds exactly the quads of ``graph`` now."""
    target = kept_store_path(graph) if target is None else Path(target)
    return _current_marker(Path(graph), target) is not None


def _open_if_current(graph: Path, target: Path) -> OxigraphDiskStore | None:
    if _current_marker(graph, target) is None:
        return None
    try:
        return OxigraphDiskStore(target)
    except TimelineError:  # RocksDB refused it (damaged): rebuilt like a stale one
        return None


def _current_marker(graph: Path, target: Path) -> dict | None:
    """The marker of ``target`` if it is a complete store of the file ``graph`` as it is now, else None."""
    import pyoxigraph

    if not target.exists():
        recover_store(target)  # a build killed mid-swap left the previous store aside
    if not is_store_dir(target):
        return None
    try:
        marker = read_marker(target)
        stamp = file_stamp(graph.stat())
    except (TimelineError, OSError):
        return None
    if marker.get("pyoxigraph") != pyoxigraph.__version__ or not _files_intact(target, marker.get("files")):
        return None
    if _read_stamp(target) == stamp:
        return marker
    if marker.get("sha256") != _sha256(graph):
        return None
    _restamp(target, stamp)
    return marker


def _read_stamp(target: Path) -> dict | None:
    try:
        return json.loads((target / SOURCE_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _files_intact(target: Path, files: object) -> bool:
    """Every data file the marker lists is there with its size (a store copied half-way is not)."""
    if not isinstance(files, dict) or not files:
        return False
    for name, size in files.items():
        try:
            if (target / name).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _restamp(target: Path, stamp: dict) -> None:
    """Record the new stamp of an unchanged graph (copied, touched), so later commands need not hash it again.

    The marker stays as it is: a server that opened the store takes a changed marker for a rebuilt store.
    """
    try:
        write_atomic(target / SOURCE_STAMP, (json.dumps(stamp) + "\n").encode("utf-8"))
    except (TimelineError, OSError):
        pass  # a read-only directory: the store is still right, it is only hashed again next time


@contextlib.contextmanager
def _locked(graph: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the graph file while its store is built (POSIX; a no-op elsewhere).

    The graph file, not its directory: :func:`build_disk_store` takes the directory's lock
    for its swap, and holding that one for a whole build would block every other store there.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(graph, "rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except OSError:  # a file system without locks: builds may race, each swap is still atomic
            pass
        yield
