"""``timeline serve``: a built graph as a read-only SPARQL 1.1 endpoint, plus its pages.

:func:`make_server` returns a :class:`Server` (an ``http.server.ThreadingHTTPServer``)
that answers

* ``GET /sparql?query=...`` and ``POST /sparql`` (form-encoded ``query=`` or a body of
  type ``application/sparql-query``), following the SPARQL 1.1 Protocol. Results are
  chosen by content negotiation (``Accept``), or by a ``format=`` parameter:
  SPARQL JSON (the default), XML, CSV or TSV for SELECT and ASK; Turtle (the
  default), N-Triples, JSON-LD or RDF/XML for CONSTRUCT and DESCRIBE.
* ``GET /`` an index page; ``GET /timeline.html`` and ``GET /graph.html``, the two
  pages rendered once at start-up; ``GET /queries``, the saved queries as JSON.

The server never writes: SPARQL UPDATE (as ``query=``, ``update=`` or a body of type
``application/sparql-update``) is refused with 403, and queries run through the
store's query interface, which cannot change the graph. ``SERVICE`` (a federated
query would make the server fetch URLs for its callers) is refused with 403.

Limits, both configurable:

* **Time** (``timeout``, seconds). The clock starts when the whole request has been
  read; it covers waiting for a free query worker, parsing, evaluation and writing the
  answer in the chosen format, not sending it to the client. By default (on POSIX)
  every query runs in a pool of worker processes forked from one "zygote" process
  that holds the graph; a query that overruns is answered with 503 and its worker
  is killed and replaced, so the limit is hard: nothing keeps computing after the
  answer. (pyoxigraph evaluates lazily, but an aggregate or ORDER BY computes
  everything before its first row; only a separate process can be stopped there.)
  With ``isolation="thread"`` (the fallback where ``fork`` is unavailable) queries
  run in threads: the client still gets 503 on time, and the thread stops at the
  next result row, but a long step before the first row runs to its end in the
  background, holding one of the ``workers`` slots.
* **Size** (``max_rows``): a SELECT with more rows, or a CONSTRUCT/DESCRIBE with more
  triples, is answered with 503 "more than N rows"; rows are counted while they are
  produced, so a huge result is not materialised first.

The workers serve the graph as it was when :func:`make_server` was called.
One line per request goes to stderr (client, method, path without the query text,
status, milliseconds) unless ``quiet=True``.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import re
import signal
import socket
import socketserver
import stat
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from timeline import __version__
from timeline.errors import TimelineError
from timeline.query.results import SELECT_WRITERS, QueryResult, to_json
from timeline.query.sparql import form_of
from timeline.stores import MemoryStore, OxigraphStore, ReadOnlyError, serialize_triples

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
MAX_BODY = 1 << 20  # bytes of a POST body
WHERE = "query"  # how error messages name the query: "query:LINE:COL: SPARQL syntax error: ..."
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
READ_ONLY = "SPARQL UPDATE is not allowed: this endpoint is read-only"


class HttpError(Exception):
    """An answer other than 200: a status and a one-line message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# ------------------------------------------------------------ content negotiation


@dataclass(frozen=True)
class Format:
    key: str  # what execute() writes
    media_type: str  # the Content-Type of the answer
    also: tuple[str, ...] = ()  # other media types in Accept that mean this format
    names: tuple[str, ...] = ()  # values of format= (SPARQLWrapper also sends output= and results=)

    def matches(self, media_type: str) -> bool:
        return media_type == self.media_type or media_type in self.also


RESULT_FORMATS = (
    Format("json", "application/sparql-results+json",
           ("application/json", "text/javascript", "application/javascript"), ("json", "srj")),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml", "srx")),
    Format("csv", "text/csv", (), ("csv",)),
    Format("tsv", "text/tab-separated-values", (), ("tsv",)),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3",
                                     "application/n3"), ("turtle", "ttl", "n3")),
    Format("nt", "application/n-triples", (), ("nt", "ntriples", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/x-json+ld",), ("jsonld", "json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdfxml", "rdf+xml", "rdf", "xml")),
)


def _accept_ranges(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range in Accept that covers the format (0 if none)."""
    best, rank = 0.0, -1
    kind = fmt.media_type.split("/")[0]  # text/* covers CSV and TSV, not JSON's text/javascript alias
    for media, q in ranges:
        if fmt.matches(media):
            this = 2
        elif media == f"{kind}/*":
            this = 1
        elif media == "*/*":
            this = 0
        else:
            continue
        if this > rank:
            best, rank = q, this
    return best


def negotiate(accept: str | None, names: list[str], form: str) -> Format:
    """The answer's format: a ``format=`` value if one is given, else the best match for Accept."""
    formats = GRAPH_FORMATS if form in GRAPH_FORMS else RESULT_FORMATS
    kind = "CONSTRUCT or DESCRIBE" if form in GRAPH_FORMS else "SELECT or ASK"
    available = ", ".join(f.media_type for f in formats)
    if names:
        for name in names:
            wanted = name.split(";")[0].strip().lower()
            for fmt in formats:
                if wanted in fmt.names or fmt.matches(wanted):
                    return fmt
        shown = ", ".join(f.names[0] for f in formats)
        raise HttpError(406, f"format={names[0]}: not available for a {kind} query; use one of {shown}")
    if not accept or not accept.strip():
        return formats[0]
    ranges = _accept_ranges(accept)
    scored = [(_quality(fmt, ranges), -i, fmt) for i, fmt in enumerate(formats)]
    q, _, fmt = max(scored, key=lambda s: s[:2])
    if q <= 0:
        raise HttpError(406, f"cannot answer a {kind} query as {' '.join(accept.split())}; available: {available}")
    return fmt


# ------------------------------------------------------------ what may run


# Comments, strings and IRIs, whose text is not SPARQL syntax (strings as in the
# SPARQL grammar, escapes included, so that a quote inside a string ends nothing).
_OPAQUE = re.compile(
    r"""\#[^\r\n]*
      | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
      | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
      | '(?:[^'\\\r\n]|\\.)*'
      | "(?:[^"\\\r\n]|\\.)*"
      | <[^<>"{}|^`\\\x00-\x20]*>
    """,
    re.VERBOSE | re.DOTALL,
)
# Variables and the local part of prefixed names: greedy tokens in every SPARQL parser,
# so a keyword can never start inside them (under-matching only makes the check stricter).
_NAMES = re.compile(r"[?$][A-Za-z0-9_]+|:(?:[A-Za-z0-9_:]|%[0-9A-Fa-f]{2}|\\[-_~.!$&'()*+,;=/?#@%])"
                    r"(?:[A-Za-z0-9_.:-]|%[0-9A-Fa-f]{2}|\\[-_~.!$&'()*+,;=/?#@%])*")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _syntax_only(text: str) -> str:
    """The query with comments, strings, IRIs, variables and local names blanked out."""
    return _NAMES.sub(" ", _OPAQUE.sub(" ", text))


def _unescape(text: str) -> str:
    """rdflib applies \\u escapes to the whole query before parsing it."""
    def char(match: re.Match) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except ValueError:
            return match.group(0)
    return _UNICODE_ESCAPE.sub(char, text)


def refused(text: str, remote_from: bool) -> str | None:
    """Why a query may not run here, or None.

    ``SERVICE`` makes the engine fetch a URL (pyoxigraph does so even where the
    keyword is glued to the token before it, as in ``trueSERVICE<...>``), so any
    occurrence of the word outside strings, comments, IRIs, variables and local
    names is refused. ``remote_from``: the engine (rdflib) would also load FROM
    graphs from the web.
    """
    for variant in {text, _unescape(text)}:
        syntax = _syntax_only(variant)
        if re.search(r"service", syntax, re.IGNORECASE):
            return "SERVICE (federated query) is not allowed on this endpoint"
        if remote_from and re.search(r"(?<![A-Za-z0-9_])from(?![A-Za-z0-9_])", syntax, re.IGNORECASE):
            return "FROM is not allowed with this engine (it would load graphs from the web); use GRAPH"
    return None


# ------------------------------------------------------------ running one query


class _TooBig(Exception):
    pass


class _Stopped(Exception):
    pass


def _evaluate(store, text: str, max_rows: int | None, stop: threading.Event | None) -> QueryResult:
    if not isinstance(store, OxigraphStore):
        result = store.query(text, where=WHERE)
        size = len(result.rows) if result.form == "SELECT" else len(result.triples)
        if max_rows is not None and size > max_rows:
            raise _TooBig()
        return result

    def guard(count: int) -> None:  # pyoxigraph streams: rows are counted (and the stop flag read) as they come
        if count == max_rows:
            raise _TooBig()
        if stop is not None and stop.is_set():
            raise _Stopped()

    return store.query(text, where=WHERE, guard=guard)


def execute(store, text: str, fmt: str, max_rows: int | None = None,
            stop: threading.Event | None = None) -> bytes:
    """Run a read-only query and write its answer as ``fmt`` (a :class:`Format` key).

    Raises :class:`HttpError`: 400 for a bad query, 403 for an update, 503 when the
    answer has more than ``max_rows`` rows (or triples).
    """
    try:
        result = _evaluate(store, text, max_rows, stop)
    except _TooBig:
        unit = "triples" if form_of(text) in GRAPH_FORMS else "rows"
        raise HttpError(503, f"the answer has more than {max_rows} {unit} (the server's limit); "
                             "add LIMIT or narrow the query") from None
    except ReadOnlyError:
        raise HttpError(403, READ_ONLY) from None
    except TimelineError as exc:  # SparqlError and the store's other one-line errors
        raise HttpError(400, str(exc)) from None
    if result.form in GRAPH_FORMS:
        if fmt not in {f.key for f in GRAPH_FORMATS}:
            fmt = GRAPH_FORMATS[0].key
        return serialize_triples(result.triples, fmt, store.prefixes).encode("utf-8")
    return SELECT_WRITERS.get(fmt, to_json)(result).encode("utf-8")


def _prewarm(store) -> None:
    """Import whatever the engine and the writers load lazily (a worker cannot open files)."""
    for text, fmts in (("SELECT * WHERE { ?s ?p ?o } LIMIT 1", SELECT_WRITERS),
                       ("ASK { ?s ?p ?o }", ("json",)),
                       ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", ("turtle", "nt", "jsonld", "rdfxml"))):
        for fmt in fmts:
            try:
                execute(store, text, fmt)
            except Exception:  # noqa: S112 - best effort; the real query reports its own error
                continue


# ------------------------------------------------------------ engines


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

    def run(self, text: str, fmt: str, deadline: float) -> bytes:
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise _busy_error(self.workers)
        stop, done, box = threading.Event(), threading.Event(), {}

        def work() -> None:
            try:
                box["body"] = execute(self.store, text, fmt, self.max_rows, stop)
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
    if isinstance(error, _Stopped):
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
        spec = _reopen_spec(store, max_rows)
        if spec is None:
            pid = os.fork()
            if pid == 0:  # the zygote
                code = 1
                try:
                    ours.close()
                    _zygote(theirs, store, None, max_rows, _sandboxable(store))
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

    def run(self, text: str, fmt: str, deadline: float) -> bytes:
        if not self._live:
            raise HttpError(500, "no query workers are left; restart the server")
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise _busy_error(self.workers) from None
        reply, healthy = None, False
        try:
            worker.conn.send((text, fmt))
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
        code = "import sys; from timeline.serve.app import _zygote_main; _zygote_main(sys.argv[1])"
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


def _reopen_spec(store, max_rows: int | None) -> dict | None:
    """How a worker opens an on-disk store itself; None for a store it can inherit."""
    path = getattr(store, "path", None)
    if not isinstance(store, OxigraphStore) or not isinstance(path, (str, os.PathLike)) or not os.path.isdir(path):
        return None
    cls = type(store)
    info = getattr(store, "info", None)
    return {"class": f"{cls.__module__}:{cls.__qualname__}", "path": os.fspath(path), "prefixes": store.prefixes,
            "info": info if isinstance(info, dict) else None, "max_rows": max_rows}


def _zygote_main(spec_json: str) -> None:
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

    _zygote(socket.socket(fileno=spec["fd"]), None, opener, spec["max_rows"], False)


def _sandboxable(store) -> bool:
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


def _zygote(ctl: socket.socket, store, opener, max_rows: int | None, sandbox: bool) -> None:
    """Fork workers on request ("S"), kill and reap them ("K"); end (and end them) at EOF.

    Workers use ``store`` (inherited) or, if it is None, call ``opener()`` after the fork.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; we follow it by EOF
    gc.freeze()  # what the parent left behind is never collected (and never closes a descriptor) here
    _close_inherited_sockets(ctl.fileno())
    if store is not None:
        _prewarm(store)
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
    """A worker: (query, format) in, ("ok", bytes) or ("error", status, message) out."""
    from multiprocessing.connection import Connection

    conn = Connection(sock.detach())
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
            text, fmt = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if broken is not None:
                raise broken
            reply = ("ok", execute(store, text, fmt, max_rows))
        except HttpError as exc:
            reply = ("error", exc.status, exc.message)
        except Exception as exc:
            reply = ("error", 500, f"the query failed: {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


# ------------------------------------------------------------ pages


def _render_pages(store) -> tuple[dict[str, bytes], str | None, str]:
    """The two pages, rendered once; or why they are unavailable."""
    from timeline.render.graph import render_graph
    from timeline.render.timeline import render_timeline
    from timeline.views.model import load_view

    try:
        view = load_view(store)
    except TimelineError as exc:
        return {}, str(exc), ""
    pages = {"/timeline.html": render_timeline(view).encode("utf-8"),
             "/graph.html": render_graph(view).encode("utf-8")}
    return pages, None, view.case_title


def _saved_queries_json() -> bytes:
    from timeline.query.saved_queries import saved_queries

    items = [{"name": q.name, "title": q.title, "description": q.description,
              "params": [{"name": p.name, "type": p.type, "doc": p.doc, "optional": p.optional,
                          "default": p.default} for p in q.params],
              "query": q.text} for q in saved_queries().values()]
    return (json.dumps(items, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


EXAMPLE_QUERY = """SELECT ?event ?date ?label WHERE {
  ?event a tl:Event ; rdfs:label ?label ; tl:dateLabel ?date .
}
ORDER BY ?event
LIMIT 20"""


def _index_html(server: Server) -> bytes:
    from timeline import templating

    groups = (("SELECT, ASK", RESULT_FORMATS), ("CONSTRUCT, DESCRIBE", GRAPH_FORMATS))
    return templating.render(
        "serve-index.html.j2",
        title=server.case_title or "timeline",
        pages=server.pages,
        pages_error=server.pages_error,
        url=server.url,
        timeout=f"{server.timeout:g}",
        limit=f"{server.max_rows} rows" if server.max_rows is not None else "no row limit",
        example_query=EXAMPLE_QUERY,
        format_groups=[(label, [(f.names[0], f.media_type) for f in formats]) for label, formats in groups],
        saved=server.saved,
        version=__version__,
    ).encode()


# ------------------------------------------------------------ HTTP


class Server(ThreadingHTTPServer):
    """The HTTP server; ``url`` is ``http://HOST:PORT`` (no trailing slash)."""

    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not hold up server_close()
    request_queue_size = 128  # listen() backlog; socketserver's 5 drops connections from 8 clients (1 s SYN retry)

    def __init__(self, store, *, host: str = DEFAULT_HOST, port: int = 0, timeout: float = DEFAULT_TIMEOUT,
                 max_rows: int | None = DEFAULT_MAX_ROWS, pages: bool = True, workers: int | None = None,
                 isolation: str = "auto", quiet: bool = False):
        if not timeout or timeout <= 0:
            raise TimelineError("--timeout must be a positive number of seconds")
        if max_rows is not None and max_rows < 0:
            raise TimelineError("--max-rows must be 0 or more")
        if isolation not in ("auto", "process", "thread"):
            raise TimelineError(f"unknown isolation {isolation!r}; choose auto, process or thread")
        if isolation == "auto":
            isolation = "process" if hasattr(os, "fork") and hasattr(socket, "send_fds") else "thread"
        workers = workers or min(4, max(2, os.cpu_count() or 2))
        self.timeout, self.max_rows, self.quiet = float(timeout), max_rows, quiet
        self.remote_from = isinstance(store, MemoryStore)  # rdflib loads FROM <url> from the web
        # The pool first: it forks, and should inherit neither the listening socket nor threads.
        engine_class = ProcessEngine if isolation == "process" else ThreadEngine
        self.engine = engine_class(store, workers, max_rows, self.timeout)
        try:
            self.pages, self.pages_error, self.case_title = _render_pages(store) if pages else ({}, None, "")
            self.saved_json = _saved_queries_json()
            self.saved = json.loads(self.saved_json)
            if ":" in host:
                self.address_family = socket.AF_INET6
            try:
                super().__init__((host, port), Handler)
            except OSError as exc:  # port in use, no such address, ...
                raise TimelineError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
        except BaseException:
            self.engine.close()
            raise
        self.index_html = _index_html(self)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # HTTPServer's would look the host name up in DNS
        host, port = self.server_address[:2]
        self.server_name, self.server_port = host, port

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def server_close(self) -> None:
        super().server_close()
        self.engine.close()

    def log(self, line: str) -> None:
        if not self.quiet:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


INDEX_CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
             "frame-ancestors 'none'")
CORS = {"Access-Control-Allow-Origin": "*"}


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    server_version = f"timeline/{__version__}"
    timeout = 60  # an idle keep-alive connection is closed after this many seconds

    # ---- logging: one line per response, the path without its query string

    def parse_request(self) -> bool:
        self._t0 = time.perf_counter()
        return super().parse_request()

    def log_request(self, code="-", size="-") -> None:
        started = getattr(self, "_t0", None)
        ms = (time.perf_counter() - started) * 1000 if started else 0.0
        method = getattr(self, "command", None) or "-"
        path = urlsplit(getattr(self, "path", "") or "").path or "-"
        status = code.value if isinstance(code, HTTPStatus) else code
        self.server.log(f"{self.client_address[0]} {method} {path} {status} {ms:.1f} ms")
        self._t0 = None

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        pass  # log_request covers every response

    # ---- responses

    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, error: HttpError, cors: bool = False) -> None:
        headers = {**(CORS if cors else {}), **error.headers, "Cache-Control": "no-store"}
        body = (" ".join(error.message.split()) + "\n").encode("utf-8")
        self._send(error.status, "text/plain; charset=utf-8", body, headers)

    # ---- methods

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/sparql":
            try:
                params = self._params(url.query)
            except HttpError as exc:
                self._error(exc, cors=True)
                return
            self._sparql(params, None)
        elif url.path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self.server.index_html,
                       {"Content-Security-Policy": INDEX_CSP, "Cache-Control": "no-cache"})
        elif url.path in self.server.pages:
            self._send(200, "text/html; charset=utf-8", self.server.pages[url.path], {"Cache-Control": "no-cache"})
        elif url.path == "/queries":
            self._send(200, "application/json; charset=utf-8", self.server.saved_json, {"Cache-Control": "no-cache"})
        elif url.path in ("/timeline.html", "/graph.html"):
            why = self.server.pages_error or "the server runs without pages"
            self._error(HttpError(404, f"{url.path}: not available: {why}"))
        else:
            self._error(HttpError(404, f"{url.path}: not found; see / for what this server offers"))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path != "/sparql":
            self.close_connection = True  # the body is not read
            known = path in ("/", "/index.html", "/queries", *self.server.pages)
            self._error(HttpError(405, f"{path}: only GET here", {"Allow": "GET"}) if known
                        else HttpError(404, f"{path}: not found; see / for what this server offers"))
            return
        try:
            body = self._body()
            media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            params = self._params(urlsplit(self.path).query)
            if media == "application/x-www-form-urlencoded":
                for name, values in self._params(body.decode("utf-8")).items():
                    params.setdefault(name, []).extend(values)
                self._sparql(params, None)
            elif media == "application/sparql-query":
                self._sparql(params, body.decode("utf-8"))
            elif media == "application/sparql-update":
                raise HttpError(403, READ_ONLY)
            else:
                raise HttpError(415, "POST a query as application/sparql-query or as a form "
                                     "(application/x-www-form-urlencoded) with query=")
        except UnicodeDecodeError:
            self._error(HttpError(400, "the request is not valid UTF-8"), cors=True)
        except HttpError as exc:
            self._error(exc, cors=True)

    def do_OPTIONS(self) -> None:
        if urlsplit(self.path).path != "/sparql":
            self._error(HttpError(404, "not found"))
            return
        self._send(204, "text/plain", b"", {**CORS, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                             "Access-Control-Allow-Headers": "Accept, Content-Type",
                                             "Access-Control-Max-Age": "86400", "Allow": "GET, POST, OPTIONS"})

    # ---- the endpoint

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            raise HttpError(411, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            raise HttpError(413, f"the request body must be between 0 and {MAX_BODY} bytes")
        return self.rfile.read(length)

    def _params(self, text: str) -> dict[str, list[str]]:
        try:
            return parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict", max_num_fields=100)
        except ValueError as exc:
            raise HttpError(400, f"cannot read the parameters: {exc}") from None

    def _sparql(self, params: dict[str, list[str]], body_query: str | None) -> None:
        try:
            self._answer(params, body_query)
        except HttpError as exc:
            self._error(exc, cors=True)
        except Exception as exc:  # a bug: answer 500 rather than drop the connection
            self._error(HttpError(500, f"internal error: {type(exc).__name__}: {exc}"), cors=True)

    def _answer(self, params: dict[str, list[str]], body_query: str | None) -> None:
        if "update" in params:
            raise HttpError(403, READ_ONLY)
        for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
            if name in params:
                raise HttpError(400, f"{name} is not supported here; the default graph is the union of all "
                                     "graphs, use GRAPH to pick one")
        queries = params.get("query", []) + ([body_query] if body_query is not None else [])
        if not queries:
            raise HttpError(400, "no query: send query=... (GET or a POST form) or POST application/sparql-query;"
                                 " see / for a form")
        if len(queries) > 1:
            raise HttpError(400, "send one query per request")
        text = queries[0]
        form = form_of(text)
        if form == "EMPTY":
            raise HttpError(400, "the query is empty")
        if form == "UPDATE":
            raise HttpError(403, READ_ONLY)
        reason = refused(text, self.server.remote_from)
        if reason:
            raise HttpError(403, reason)
        names = params.get("format", []) + params.get("output", [])
        try:
            fmt = negotiate(self.headers.get("Accept"), names, form)
        except HttpError:
            if form != "UNKNOWN":
                raise
            fmt = RESULT_FORMATS[0]  # not a query we recognise: let the parser say why
        deadline = time.monotonic() + self.server.timeout
        body = self.server.engine.run(text, fmt.key, deadline)
        content_type = fmt.media_type + ("" if fmt.key in ("json", "jsonld") else "; charset=utf-8")
        self._send(200, content_type, body, {**CORS, "Vary": "Accept", "Cache-Control": "no-store"})


# ------------------------------------------------------------ entry points


def make_server(store, *, host: str = DEFAULT_HOST, port: int = 0, timeout: float = DEFAULT_TIMEOUT,
                max_rows: int | None = DEFAULT_MAX_ROWS, pages: bool = True, workers: int | None = None,
                isolation: str = "auto", quiet: bool = False) -> Server:
    """A server for ``store`` (see the module's documentation); call ``serve_forever()`` on it.

    ``port=0`` picks a free port (``server.url`` tells which). ``max_rows=None``:
    no size limit. ``workers``: queries that run at once (default 2-4, by CPU count).
    ``isolation``: "process" (hard time limit), "thread", or "auto" (process where
    ``fork`` exists). Close it with ``shutdown()`` then ``server_close()``.
    """
    return Server(store, host=host, port=port, timeout=timeout, max_rows=max_rows, pages=pages, workers=workers,
                  isolation=isolation, quiet=quiet)


def serve(store, **kw) -> None:
    """Run :func:`make_server` until Ctrl-C (the ``timeline serve`` command)."""
    server = make_server(store, **kw)
    limit = f"{server.max_rows} rows" if server.max_rows is not None else "no row limit"
    print(f"timeline serve: {server.url}/ (SPARQL endpoint {server.url}/sparql; {server.timeout:g} s and "
          f"{limit} per query; {server.engine.workers} {server.engine.isolation} workers). Ctrl-C stops.",
          file=sys.stderr, flush=True)
    if server.server_address[0] not in ("127.0.0.1", "::1", "localhost"):
        print(f"timeline serve: warning: listening on {server.server_address[0]}, not only this machine: anyone who "
              "can reach it can query the graph and read the pages", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
