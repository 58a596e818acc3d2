"""The query workers: a pool of threads, or of processes forked by the zygote, and the time limit.

A request waits for a free worker until its deadline; a process worker that
overruns is killed and replaced (see :mod:`timeline.serve.zygote`).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import pickle
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
from timeline.serve.zygote import FRAME, reopen_spec, run_zygote, sandboxable


def _timeout_error(seconds: float) -> HttpError:
    return HttpError(503, f"the query did not finish within the server's time limit of {seconds:g} s and was "
                          "stopped; add LIMIT or narrow the query")


def _busy_error(workers: int) -> HttpError:
    return HttpError(503, f"all {workers} query workers stayed busy for the whole time limit; try again",
                     {"Retry-After": "1"})


async def _wait_for(waiting: collections.deque, deadline: float, workers: int) -> None:
    """Wait, on the event loop, until woken by :func:`_wake` (a worker came free) or the deadline (503)."""
    waiter = asyncio.get_running_loop().create_future()
    waiting.append(waiter)
    try:
        await asyncio.wait_for(waiter, max(0.0, deadline - time.monotonic()))
    except BaseException as exc:
        if waiter.done() and not waiter.cancelled():
            _wake(waiting)  # woken, but leaving: the free worker goes to the next in line
        if isinstance(exc, TimeoutError):
            raise _busy_error(workers) from None
        raise
    finally:
        if waiter in waiting:
            waiting.remove(waiter)


def _wake(waiting: collections.deque) -> None:
    while waiting:
        waiter = waiting.popleft()
        if not waiter.done():
            waiter.set_result(None)
            return


class ThreadEngine:
    """Queries in threads: timely answers, but a runaway step cannot be stopped.

    :meth:`answer` starts a thread per query and awaits it on the event loop that
    calls it (one loop per engine); a slot is free again only when its thread ends.
    """

    isolation = "thread"

    def __init__(self, store, workers: int, max_rows: int | None, timeout: float):
        self.store, self.workers, self.max_rows, self.timeout = store, workers, max_rows, timeout
        self._free = workers
        self._waiting: collections.deque[asyncio.Future] = collections.deque()

    async def answer(self, text: str, fmt: str, deadline: float, dataset: Dataset | None = None) -> bytes:
        """The query's answer as ``fmt``, or :class:`HttpError` (503 when the time limit ran out)."""
        while not self._free:
            await _wait_for(self._waiting, deadline, self.workers)
        self._free -= 1
        loop = asyncio.get_running_loop()
        stop, done = threading.Event(), loop.create_future()

        def work() -> None:
            box: dict = {}
            try:
                box["body"] = execute(self.store, text, fmt, self.max_rows, stop, dataset)
            except BaseException as exc:  # handed to the event loop
                _clear_frames(exc)
                box["error"] = exc
            try:
                loop.call_soon_threadsafe(self._finished, done, box)
            except RuntimeError:  # the loop has closed: the server stopped meanwhile
                pass

        threading.Thread(target=work, name="timeline-query", daemon=True).start()
        try:
            box = await asyncio.wait_for(asyncio.shield(done), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            stop.set()  # the thread stops at the next row; its slot is free only then
            raise _timeout_error(self.timeout) from None
        finally:
            if not done.done():
                stop.set()  # timed out, or the request was cancelled
        return _unbox(box)

    def _finished(self, done: asyncio.Future, box: dict) -> None:
        self._free += 1  # only when the work has really ended
        _wake(self._waiting)
        if not done.done():
            done.set_result(box)

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
    sock: socket.socket  # non-blocking here; frames as in :func:`timeline.serve.zygote.send_frame`


async def _recv_exactly(loop: asyncio.AbstractEventLoop, sock: socket.socket, n: int) -> bytes:
    data = bytearray(n)
    view, got = memoryview(data), 0
    while got < n:
        count = await loop.sock_recv_into(sock, view[got:])
        if not count:
            raise EOFError("the query worker closed its socket")
        got += count
    return bytes(data)


async def _ask(sock: socket.socket, request: tuple) -> tuple:
    """One request to a worker and its reply, on the event loop (no thread waits for it)."""
    loop = asyncio.get_running_loop()
    payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
    await loop.sock_sendall(sock, FRAME.pack(len(payload)) + payload)
    (size,) = FRAME.unpack(await _recv_exactly(loop, sock, FRAME.size))
    return pickle.loads(await _recv_exactly(loop, sock, size))  # noqa: S301 - our own worker's reply


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
    :meth:`answer` talks to the workers on the event loop that calls it (one loop
    per engine): a request waiting for its worker holds no thread.
    """

    isolation = "process"

    def __init__(self, store, workers: int, max_rows: int | None, timeout: float):
        self.workers, self.timeout = workers, timeout
        self._idle: collections.deque[_Worker] = collections.deque()
        self._waiting: collections.deque[asyncio.Future] = collections.deque()  # requests waiting for a worker
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
                self._idle.append(self._spawn())
        except BaseException:
            self.close()
            raise

    def _spawn(self) -> _Worker:
        with self._lock:
            self._ctl.sendall(struct.pack("!cq", b"S", 0))
            data, fds, _flags, _addr = socket.recv_fds(self._ctl, 8, 1)
        if len(data) != 8 or not fds:
            for fd in fds:
                os.close(fd)
            raise OSError("cannot start a query worker")
        pid = struct.unpack("!q", data)[0]
        self._live.add(pid)
        sock = socket.socket(fileno=fds[0])
        sock.setblocking(False)
        return _Worker(pid, sock)

    def _discard(self, worker: _Worker) -> None:
        self._live.discard(worker.pid)
        with self._lock:
            try:
                self._ctl.sendall(struct.pack("!cq", b"K", worker.pid))
                self._ctl.recv(1)
            except OSError:
                pass
        worker.sock.close()

    def _give(self, worker: _Worker) -> None:
        self._idle.append(worker)
        _wake(self._waiting)

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        if self._closed:
            return
        try:
            self._give(self._spawn())
        except OSError as exc:
            print(f"timeline serve: cannot replace a query worker: {exc}", file=sys.stderr)

    async def answer(self, text: str, fmt: str, deadline: float, dataset: Dataset | None = None) -> bytes:
        """The query's answer as ``fmt``, or :class:`HttpError` (503 when the time limit ran out)."""
        if not self._live:
            raise HttpError(500, "no query workers are left; restart the server")
        while not self._idle:
            await _wait_for(self._waiting, deadline, self.workers)
        worker = self._idle.popleft()
        reply, healthy = None, False
        try:
            reply = await asyncio.wait_for(_ask(worker.sock, (text, fmt, dataset)),
                                           max(0.0, deadline - time.monotonic()))
            healthy = True
        except (TimeoutError, EOFError, OSError):
            pass
        finally:  # also when the request is cancelled: a worker that may still be answering is not reused
            if healthy:
                self._give(worker)
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
        while self._idle:
            self._idle.popleft().sock.close()
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
