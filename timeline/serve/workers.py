"""The query workers: a pool of threads, or of processes forked by the zygote, and the time limit.

A request waits for a free worker until its deadline; a process worker that
overruns is killed and replaced (see :mod:`timeline.serve.zygote`).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from timeline.serve.errors import HttpError
from timeline.serve.execution import Stopped, execute
from timeline.serve.protocol import Dataset
from timeline.serve.zygote import reopen_spec, run_zygote, sandboxable


def _timeout_error(seconds: float) -> HttpError:
    return HttpError(503, f"the query did not finish within the server's time limit of {seconds:g} s and was "
                          "stopped; add LIMIT or narrow the query")


def _busy_error(workers: int) -> HttpError:
    return HttpError(503, f"all {workers} query workers stayed busy for the whole time limit; try again",
                     {"Retry-After": "1"})


class ThreadEngine:
    """Queries in threads: timely answers, but a runaway step cannot be stopped."""

    isolation = "thread"

    def __init__(self, store, workers: int, max_rows: int | None, timeout: float):
        self.store, self.workers, self.max_rows, self.timeout = store, workers, max_rows, timeout
        self._slots = threading.BoundedSemaphore(workers)

    def run(self, text: str, fmt: str, deadline: float, dataset: Dataset | None = None) -> bytes:
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise _busy_error(self.workers)
        stop, done, box = threading.Event(), threading.Event(), {}

        def work() -> None:
            try:
                box["body"] = execute(self.store, text, fmt, self.max_rows, stop, dataset)
            except BaseException as exc:  # handed to the waiting request thread
                _clear_frames(exc)
                box["error"] = exc
            finally:
                self._slots.release()  # only when the work has really ended
                done.set()

        threading.Thread(target=work, name="timeline-query", daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic())):
            stop.set()
            raise _timeout_error(self.timeout)
        return _unbox(box)

    def pids(self) -> list[int]:
        return []

    def close(self) -> None:
        pass


def _clear_frames(exc: BaseException | None) -> None:
    """Drop the local variables held by an exception's tracebacks (its context's too).

    pyoxigraph's result iterators belong to the thread that made them: an
    exception handed to another thread must not carry them there in its frames.
    """
    while exc is not None:
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__context__


def _unbox(box: dict) -> bytes:
    if "body" in box:
        return box["body"]
    error = box["error"]
    if isinstance(error, HttpError):
        raise error
    if isinstance(error, Stopped):
        raise HttpError(503, "the query was stopped")
    raise HttpError(500, f"the query failed: {type(error).__name__}: {error}")


@dataclass
class _Worker:
    pid: int
    conn: object  # multiprocessing.connection.Connection


class ProcessEngine:
    """Queries in worker processes, made by a "zygote" process that forks them on request.

    For a store in memory (pyoxigraph or rdflib) the zygote is forked from the
    server once, before it binds its socket or starts threads, and the workers
    inherit the graph (copy-on-write). Those workers cannot open files or
    sockets (their limit on open files is lowered to what they hold): a second
    line of defence against a query that would reach the network.

    For a store on disk (RocksDB, which runs threads of its own, so forking a
    process that has it open is unsafe) the zygote is a fresh interpreter that
    never opens it; each worker opens the directory read-only after the fork,
    and refuses to answer if the store was rebuilt since the server started.

    The zygote passes each worker's socket back over a Unix socket. A worker that
    overruns the time limit is killed (by the zygote, which reaps it) and replaced.
    """

    isolation = "process"

    def __init__(self, store, workers: int, max_rows: int | None, timeout: float):
        self.workers, self.timeout = workers, timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: set[int] = set()
        self._lock = threading.Lock()  # one conversation with the zygote at a time
        self._closed = False
        ours, theirs = socket.socketpair()
        spec = reopen_spec(store, max_rows)
        if spec is None:
            pid = os.fork()
            if pid == 0:  # the zygote
                code = 1
                try:
                    ours.close()
                    run_zygote(theirs, store, None, max_rows, sandboxable(store))
                    code = 0
                finally:
                    os._exit(code)
            self._zygote: _Child = _Forked(pid)
        else:
            spec["fd"] = theirs.fileno()
            self._zygote = _Spawned(spec, theirs.fileno())
        theirs.close()
        self._ctl = ours
        try:
            for _ in range(workers):
                self._idle.put(self._spawn())
        except BaseException:
            self.close()
            raise

    def _spawn(self) -> _Worker:
        from multiprocessing.connection import Connection

        with self._lock:
            self._ctl.sendall(struct.pack("!cq", b"S", 0))
            data, fds, _flags, _addr = socket.recv_fds(self._ctl, 8, 1)
        if len(data) != 8 or not fds:
            for fd in fds:
                os.close(fd)
            raise OSError("cannot start a query worker")
        pid = struct.unpack("!q", data)[0]
        self._live.add(pid)
        return _Worker(pid, Connection(fds[0]))

    def _discard(self, worker: _Worker) -> None:
        self._live.discard(worker.pid)
        with self._lock:
            try:
                self._ctl.sendall(struct.pack("!cq", b"K", worker.pid))
                self._ctl.recv(1)
            except OSError:
                pass
        try:
            worker.conn.close()
        except OSError:
            pass

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        if self._closed:
            return
        try:
            self._idle.put(self._spawn())
        except OSError as exc:
            print(f"timeline serve: cannot replace a query worker: {exc}", file=sys.stderr)

    def run(self, text: str, fmt: str, deadline: float, dataset: Dataset | None = None) -> bytes:
        if not self._live:
            raise HttpError(500, "no query workers are left; restart the server")
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise _busy_error(self.workers) from None
        reply, healthy = None, False
        try:
            worker.conn.send((text, fmt, dataset))
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                reply = worker.conn.recv()
                healthy = True
        except (EOFError, OSError):
            pass
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)
        if reply is None:
            if time.monotonic() >= deadline:
                raise _timeout_error(self.timeout)
            raise HttpError(500, "the query worker stopped unexpectedly (out of memory?); it has been replaced")
        if reply[0] == "ok":
            return reply[1]
        raise HttpError(reply[1], reply[2])

    def pids(self) -> list[int]:
        return sorted(self._live.copy())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().conn.close()
            except queue.Empty:
                break
        self._ctl.close()  # the zygote sees EOF, kills its workers and exits
        if not self._zygote.wait(2.0):
            self._zygote.kill()


class _Child:
    def wait(self, seconds: float) -> bool: ...

    def kill(self) -> None: ...


class _Forked(_Child):
    def __init__(self, pid: int):
        self.pid = pid

    def wait(self, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return True
            time.sleep(0.02)
        return False

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


class _Spawned(_Child):
    """A zygote in a fresh interpreter (``python -c``), given its socket by number."""

    def __init__(self, spec: dict, fd: int):
        import subprocess

        import timeline

        env = dict(os.environ)
        root = str(Path(timeline.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        code = "import sys; from timeline.serve.zygote import main; main(sys.argv[1])"
        self.process = subprocess.Popen([sys.executable, "-c", code, json.dumps(spec)], pass_fds=(fd,), env=env,
                                        stdin=subprocess.DEVNULL)

    def wait(self, seconds: float) -> bool:
        import subprocess

        try:
            self.process.wait(seconds)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
