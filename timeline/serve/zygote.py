"""The zygote: a process that forks query workers on request, and the workers' loop and sandbox.

It runs forked from the server (a store in memory, inherited) or as a fresh
interpreter (``python -c``, :func:`main`) for a store on disk, which each
worker opens itself after the fork.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import signal
import socket
import stat
import struct
from pathlib import Path

from timeline.errors import TimelineError
from timeline.serve.errors import HttpError
from timeline.serve.execution import execute, prewarm
from timeline.stores import MemoryStore, OxigraphStore

#: How much lower the query workers' CPU priority is than the server's (``nice``): on a machine with few cores a
#: long query then takes the time the pages leave, rather than a share of it, and reading stays quick while
#: queries run; alone on the machine, a query still gets a whole core.
QUERY_NICENESS = 10
FRAME = struct.Struct("!Q")  # a message between the server and a worker: its length, then its pickle


def send_frame(sock: socket.socket, message: object) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(FRAME.pack(len(payload)) + payload)


def recv_frame(sock: socket.socket) -> object:
    """The next message, or EOFError when the server has gone."""
    header = _recv_exact(sock, FRAME.size)
    if header is None:
        raise EOFError
    payload = _recv_exact(sock, FRAME.unpack(header)[0])
    if payload is None:
        raise EOFError
    return pickle.loads(payload)  # noqa: S301 - from the server that forked us


def reopen_spec(store, max_rows: int | None) -> dict | None:
    """How a worker opens an on-disk store itself; None for a store it can inherit."""
    path = getattr(store, "path", None)
    if not isinstance(store, OxigraphStore) or not isinstance(path, (str, os.PathLike)) or not os.path.isdir(path):
        return None
    cls = type(store)
    info = getattr(store, "info", None)
    return {"class": f"{cls.__module__}:{cls.__qualname__}", "path": os.fspath(path), "prefixes": store.prefixes,
            "info": info if isinstance(info, dict) else None, "max_rows": max_rows}


def main(spec_json: str) -> None:
    import importlib

    spec = json.loads(spec_json)
    module, _, name = spec["class"].partition(":")
    cls = getattr(importlib.import_module(module), name)

    def opener():
        store = cls(Path(spec["path"]))
        if spec["info"] is not None and getattr(store, "info", None) != spec["info"]:
            raise TimelineError(f"{spec['path']}: the store was rebuilt after the server started; restart it")
        store.prefixes = dict(spec["prefixes"])
        return store

    run_zygote(socket.socket(fileno=spec["fd"]), None, opener, spec["max_rows"], False)


def sandboxable(store) -> bool:
    """A store entirely in this process's memory: its workers need no files or sockets."""
    return isinstance(store, MemoryStore) or (isinstance(store, OxigraphStore) and getattr(store, "path", None) is None)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _close_inherited_sockets(keep: int) -> None:
    """Sockets of the parent (a test's servers, its connections) must not stay open in the pool.

    Each is replaced by /dev/null rather than closed, so that its number is not
    reused: a socket object the parent left behind may still close it one day.
    """
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd")]
    except OSError:
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in fds:
            if fd <= 2 or fd in (keep, null):
                continue
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)
            except OSError:
                pass
    finally:
        os.close(null)


def run_zygote(ctl: socket.socket, store, opener, max_rows: int | None, sandbox: bool) -> None:
    """Fork workers on request ("S"), kill and reap them ("K"); end (and end them) at EOF.

    Workers use ``store`` (inherited) or, if it is None, call ``opener()`` after the fork.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; we follow it by EOF
    try:
        os.nice(QUERY_NICENESS)  # the workers forked from here inherit it
    except OSError:
        pass  # not allowed here: queries run at the server's priority
    gc.freeze()  # what the parent left behind is never collected (and never closes a descriptor) here
    _close_inherited_sockets(ctl.fileno())
    if store is not None:
        prewarm(store)
    children: set[int] = set()
    try:
        while True:
            message = _recv_exact(ctl, 9)
            if message is None:
                return
            command, pid = struct.unpack("!cq", message)
            if command == b"S":
                mine, theirs = socket.socketpair()
                try:
                    child = os.fork()
                except OSError:
                    child = -1
                if child == 0:
                    code = 1
                    try:
                        ctl.close()
                        mine.close()
                        _serve_queries(theirs, store, opener, max_rows, sandbox)
                        code = 0
                    finally:
                        os._exit(code)
                theirs.close()
                if child > 0:
                    children.add(child)
                    socket.send_fds(ctl, [struct.pack("!q", child)], [mine.fileno()])
                else:
                    ctl.sendall(struct.pack("!q", -1))
                mine.close()
            elif command == b"K":
                if pid in children:
                    children.discard(pid)
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    os.waitpid(pid, 0)
                ctl.sendall(b"k")
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass


def _no_new_files() -> None:
    import resource

    fd = os.open(os.devnull, os.O_RDONLY)  # the lowest free descriptor number
    os.close(fd)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (fd, hard))


def _serve_queries(sock: socket.socket, store, opener, max_rows: int | None, sandbox: bool) -> None:
    """A worker: (query, format, dataset) in, ("ok", bytes) or ("error", status, message) out, as frames."""
    broken = None
    if store is None:
        try:
            store = opener()
        except Exception as exc:
            broken = HttpError(503, f"the query worker cannot open the store: {exc}")
    if sandbox:
        try:
            _no_new_files()
        except (ImportError, OSError, ValueError):
            pass
    while True:
        try:
            text, fmt, dataset = recv_frame(sock)
        except (EOFError, OSError):
            return
        try:
            if broken is not None:
                raise broken
            reply = ("ok", execute(store, text, fmt, max_rows, dataset=dataset))
        except HttpError as exc:
            reply = ("error", exc.status, exc.message)
        except Exception as exc:
            reply = ("error", 500, f"the query failed: {type(exc).__name__}: {exc}")
        try:
            send_frame(sock, reply)
        except (OSError, ValueError):
            return
