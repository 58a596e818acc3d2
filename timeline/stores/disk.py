"""On-disk Oxigraph stores: built beside the target and swapped in.

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
with the marker is always a complete store."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from timeline.errors import TimelineError
from timeline.files import fsync_dir, new_dir_mode, pid_alive, write_atomic
from timeline.stores.base import ReadOnlyError
from timeline.stores.oxigraph import OxigraphStore

#: Written last into a store directory built by :func:`build_disk_store`.
STORE_MARKER = "timeline-store.json"
#: The stamp of the N-Quads file a store was loaded from (:func:`file_stamp`), beside the marker. Not in the
#: marker: it is rewritten when the same file is found under a new stamp (copied, touched), and a server that
#: opened the store compares markers to tell a rebuilt store (:attr:`OxigraphDiskStore.info`).
SOURCE_STAMP = "timeline-source.json"
#: The case's entity names (id, label, aliases), read from the graph once when the store is built: every command
#: that names an entity needs them, and reading them from a big graph takes seconds.
ENTITY_NAMES = "entity-names.json"
STORE_FORMAT = "timeline-oxigraph-store"


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

    def kept_entity_names(self) -> list[tuple[str, str, list[str]]] | None:
        """The entity names written when the store was built, or None (a writable store may have changed since)."""
        if self.writable:
            return None
        try:
            records = json.loads((self.path / ENTITY_NAMES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return [(eid, label, list(aliases)) for eid, label, aliases in records]

    @property
    def info(self) -> dict:
        """The marker: format, version, quads and graphs at build time, sha256 of the N-Quads loaded."""
        return read_marker(self.path)

    def add_nquads(self, data: bytes) -> None:
        self._writable("add_nquads")
        self._forget_entity_names()
        super().add_nquads(data)

    def update(self, text: str, where: str = "query") -> None:
        self._writable(where)
        self._forget_entity_names()
        super().update(text, where)

    def _forget_entity_names(self) -> None:
        """The names kept at build time no longer hold once the graph changes: read from the graph from now on."""
        try:
            (self.path / ENTITY_NAMES).unlink(missing_ok=True)
        except OSError as exc:
            raise TimelineError(f"{self.path / ENTITY_NAMES}: cannot remove: {exc.strerror or exc}") from None

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
            raise ReadOnlyError(f"{where}: {self.path} is opened read-only; open it with writable=True to change it",
                                param="writable", said="writable=True")


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


def file_stamp(stat: os.stat_result) -> dict[str, int]:
    """What identifies one version of a file without reading it: size, times and inode."""
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns,
            "inode": stat.st_ino, "device": stat.st_dev}


#: RocksDB's own bookkeeping, which may change while a store is open; every other file is the data.
_VOLATILE = re.compile(r"^(LOCK|LOG(\..*)?|IDENTITY)$")


def _write_entity_names(store: OxigraphStore, directory: Path) -> None:
    """The case's entity names beside the store's data, listed in its marker like them (a graph without a case
    has none: a command that needs them says so when it asks)."""
    from timeline.query.saved_queries import entity_name_records

    try:
        records = entity_name_records(store)
    except TimelineError:
        return
    write_atomic(directory / ENTITY_NAMES, (json.dumps(records, ensure_ascii=False) + "\n").encode("utf-8"))


def store_files(path: Path) -> dict[str, int]:
    """The data files of a store directory and their sizes, as recorded in the marker (without the marker)."""
    return {entry.name: entry.stat().st_size for entry in sorted(Path(path).iterdir())
            if entry.is_file() and entry.name not in (STORE_MARKER, SOURCE_STAMP) and not _VOLATILE.match(entry.name)}


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
        source = None
        in_memory = isinstance(nquads, (bytes, bytearray, memoryview))
        where = "N-Quads" if in_memory else str(nquads)
        store = ox.Store(str(tmp))
        try:
            if in_memory:
                digest.update(nquads)
                store.bulk_load(bytes(nquads), format=ox.RdfFormat.N_QUADS)
            else:
                with open(nquads, "rb") as handle:
                    # Stamped before it is read: a file changed meanwhile no longer matches the stamp (see
                    # timeline.stores.kept), so the store is checked again rather than trusted.
                    source = file_stamp(os.fstat(handle.fileno()))
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
                store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
            store.flush()
            quads = len(store)
            graphs = sum(1 for _ in store.named_graphs())
            _write_entity_names(OxigraphStore(store), tmp)
        except (SyntaxError, ValueError, OSError) as exc:
            raise TimelineError(f"{where}: cannot build the store at {target}: "
                                f"{' '.join(str(exc).split())}") from None
        finally:
            store = None  # closes RocksDB before the directory moves
        marker = {"format": STORE_FORMAT, "version": 1, "quads": quads, "graphs": graphs,
                  "sha256": digest.hexdigest(), "pyoxigraph": ox.__version__,
                  "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "files": store_files(tmp)}
        if source is not None:
            write_atomic(tmp / SOURCE_STAMP, (json.dumps(source) + "\n").encode("utf-8"))
        write_atomic(tmp / STORE_MARKER, (json.dumps(marker, indent=1) + "\n").encode("utf-8"))
        fsync_dir(tmp)
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
    fsync_dir(target.parent)
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


def _cleanup_siblings(target: Path) -> bool:
    """Undo what a killed build left next to ``target`` (call under the directory lock).

    A previous store set aside by a build killed mid-swap is renamed back when
    ``target`` is missing; temporary build directories of dead processes are
    removed. Returns True when a store was recovered.
    """
    recovered = False
    for path, kind, pid in _siblings(target):
        if pid_alive(pid):
            continue
        if kind == "previous" and not target.exists() and is_store_dir(path):
            os.rename(path, target)
            fsync_dir(target.parent)
            recovered = True
        else:
            shutil.rmtree(path, ignore_errors=True)
    return recovered


def tidy_store(target_dir: Path) -> None:
    """Remove what builds of ``target_dir`` killed midway left beside it (a store set aside is put back)."""
    target = Path(target_dir).absolute()
    if _siblings(target):
        with _dir_lock(target.parent):
            _cleanup_siblings(target)


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
