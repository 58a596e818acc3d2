"""Files written atomically, with the permissions the user's umask gives.

Outputs and stores are never seen half-written, and a failed write leaves the previous file as it was.
"""

from __future__ import annotations

import os
import queue
import re
import stat
import tempfile
import threading
from pathlib import Path

from timeline.errors import TimelineError


def fsync_dir(directory: Path) -> None:
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


def write_all(changes: dict[Path, bytes | None]) -> None:
    """Replace every file of ``changes`` (``None``: remove it) or change none: if one fails, those already
    replaced are put back. For a user's own files (a case's records and articles): an existing file keeps
    its permission bits, as with ``keep_mode``.

    All the new contents are written to temporary files before the first is renamed into place, so a full
    disk fails before anything changes.
    """
    old = {path: path.read_bytes() if path.exists() else None for path in changes}
    pending: list[AtomicFile] = []
    try:
        for path, data in changes.items():
            if data is not None:
                out = AtomicFile(path, keep_mode=True)
                pending.append(out)
                out.write(data)
    except BaseException:
        for out in pending:
            out.discard()
        raise
    done: list[Path] = []  # listed before it is touched: putting back what did not change changes nothing
    try:
        for out in pending:
            done.append(out.path)
            out.commit()
        for path, data in changes.items():
            if data is None and path.exists():
                done.append(path)
                path.unlink()
    except BaseException:
        for out in pending:
            out.discard()  # the temporary file of one not renamed into place; nothing of one that was
        for path in done:  # put back what was replaced or removed, each one even if another cannot be
            try:
                if old[path] is None:
                    path.unlink(missing_ok=True)
                else:
                    write_atomic(path, old[path], keep_mode=True)
            except Exception:  # noqa: S112 - the first failure is the one to report
                continue
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
        self._error: BaseException | None = None
        self._queue: queue.Queue | None = None
        self._copy: list[bytes] | None = None
        if _is_stream(path):  # /dev/null, /dev/stdout, a pipe: written through, never renamed over
            self._open_stream(path)
            return
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
        if background:
            self._queue = queue.Queue(maxsize=depth)
            self._thread = threading.Thread(target=self._drain, name=f"write {path.name}", daemon=True)
            self._thread.start()

    def _open_stream(self, path: Path) -> None:
        self._tmp = None
        self._copy = []  # what written() reads back: a stream cannot be read
        try:
            self._handle = open(path, "wb")  # noqa: SIM115 - closed by commit or discard
        except OSError as exc:
            raise TimelineError(f"{path}: cannot write: {exc.strerror or exc}") from None

    def write(self, data: bytes) -> None:
        self._raise_failure()
        if self._copy is not None:
            self._copy.append(data)
        if self._queue is None:
            self._write(data)
        else:
            self._queue.put(data)

    def written(self) -> bytes:
        """What has been written so far, read back from the temporary file (once the thread caught up)."""
        if self._queue is not None:
            self._queue.join()
        self._raise_failure()
        if self._copy is not None:
            return b"".join(self._copy)
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
        if self._tmp is None:  # a stream: written through, nothing to rename
            return
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self._error = exc
            self._raise_failure()
        fsync_dir(self.path.parent)

    def discard(self) -> None:
        """Stop writing and remove the temporary file; the target keeps its previous content."""
        self._finish(_DISCARD)
        if self._tmp is None:
            return
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
                if self._tmp is not None:  # a device or a pipe has nothing to sync
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


def _is_stream(path: Path) -> bool:
    """Whether ``path`` is a character device, a pipe or a socket (``-o /dev/null``, ``-o /dev/stdout``):
    renaming a file over it would put a regular file in its place, for every program of the machine."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


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
        if match and match["name"] == path.name and not pid_alive(int(match["pid"])) and entry.is_file():
            try:
                entry.unlink()
            except OSError:
                pass


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True
