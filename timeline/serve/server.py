"""The HTTP server: the application (:mod:`timeline.serve.app`) on uvicorn, and the entry points.

The server binds its own socket (so that port 0 picks a free port that ``url``
tells, and a port in use is a one-line error), then hands it to uvicorn.
SIGINT and SIGTERM stop it gracefully: uvicorn stops accepting connections,
closes the idle ones and lets the requests in flight finish for up to ``grace``
seconds; then the query workers are killed.
"""

from __future__ import annotations

import gc
import ipaddress
import signal
import socket
import sys
import threading

import uvicorn

from timeline import __version__
from timeline.errors import TimelineError
from timeline.serve.app import Endpoint, create_app
from timeline.serve.pages import index_html

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
MAX_REQUEST_HEAD = 1 << 16  # bytes of a request line and headers: a long query in a GET URL fits


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family, backlog=2048)
    except OSError as exc:  # port in use, no such address, ...
        raise TimelineError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class Server:
    """``timeline serve`` on one socket; ``url`` is ``http://HOST:PORT`` (no trailing slash).

    Run it with :meth:`serve_forever` (in any thread); stop it with :meth:`shutdown`
    from another thread, or with SIGINT/SIGTERM when it runs in the main thread;
    then :meth:`server_close`.
    """

    def __init__(self, store, *, host: str = DEFAULT_HOST, port: int = 0, timeout: float = DEFAULT_TIMEOUT,
                 max_rows: int | None = DEFAULT_MAX_ROWS, pages: bool = True, workers: int | None = None,
                 isolation: str = "auto", quiet: bool = False, public: bool = False, grace: float | None = None):
        if not public and not is_loopback(host):
            raise TimelineError(f"{host} can be reached from other machines, not only this one; pass public=True "
                                "to listen there anyway", param="public", said="public=True")
        self.public = public
        self.endpoint = Endpoint(store, timeout=timeout, max_rows=max_rows, pages=pages, workers=workers,
                                 isolation=isolation, log=None if quiet else _stderr)
        try:
            self.socket = _listen(host, port)
        except BaseException:
            self.endpoint.engine.close()
            raise
        self.server_address = self.socket.getsockname()[:2]
        self.endpoint.url = self.url
        self.endpoint.set_index(index_html(self.endpoint))
        # In-flight queries end by their own time limit: by default the grace period waits for them.
        self.grace = float(grace) if grace is not None else min(self.endpoint.timeout, 10.0) + 1.0
        config = uvicorn.Config(create_app(self.endpoint), interface="asgi3", lifespan="off", loop="asyncio",
                                http="h11", log_config=None, access_log=False, proxy_headers=False,
                                server_header=False, headers=[("server", f"timeline/{__version__}")],
                                timeout_graceful_shutdown=self.grace,  # type: ignore[arg-type] - a float works
                                h11_max_incomplete_event_size=MAX_REQUEST_HEAD)
        self._uvicorn = uvicorn.Server(config)
        self._serving = threading.Event()
        self._done = threading.Event()

    # What the index page and the tests read.
    engine = property(lambda self: self.endpoint.engine)
    timeout = property(lambda self: self.endpoint.timeout)
    max_rows = property(lambda self: self.endpoint.max_rows)
    index_html = property(lambda self: self.endpoint.index_html)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def serve_forever(self, poll_interval: float = 0.1) -> None:
        """Answer requests until :meth:`shutdown`, or SIGINT/SIGTERM in the main thread.

        ``poll_interval`` is accepted as ``socketserver``'s is, and ignored: uvicorn looks every 0.1 s.
        """
        self._serving.set()
        try:
            self._uvicorn.run(sockets=[self.socket])
        finally:
            self._done.set()

    def shutdown(self) -> None:
        """Stop as SIGTERM would, and wait until :meth:`serve_forever` has returned."""
        self._uvicorn.should_exit = True
        if self._serving.is_set():
            self._done.wait(self.grace + 5)

    def server_close(self) -> None:
        self.socket.close()
        self.endpoint.engine.close()


# ------------------------------------------------------------ entry points


def make_server(store, *, host: str = DEFAULT_HOST, port: int = 0, timeout: float = DEFAULT_TIMEOUT,
                max_rows: int | None = DEFAULT_MAX_ROWS, pages: bool = True, workers: int | None = None,
                isolation: str = "auto", quiet: bool = False, public: bool = False,
                grace: float | None = None) -> Server:
    """A server for ``store`` (see the package's documentation); call ``serve_forever()`` on it.

    ``port=0`` picks a free port (``server.url`` tells which). ``max_rows=None``:
    no size limit. ``workers``: queries that run at once (default 2-4, by CPU count).
    ``isolation``: "process" (hard time limit), "thread", or "auto" (process where
    ``fork`` exists). ``public``: required to listen on an address other machines
    reach. ``grace``: seconds that requests in flight get to finish when the server
    stops (default: the time limit, at most 10 s, plus 1 s). Close it with
    ``shutdown()`` then ``server_close()``.
    """
    return Server(store, host=host, port=port, timeout=timeout, max_rows=max_rows, pages=pages, workers=workers,
                  isolation=isolation, quiet=quiet, public=public, grace=grace)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def serve(store, **kw) -> None:
    """Run :func:`make_server` until SIGINT (Ctrl-C) or SIGTERM (the ``timeline serve`` command)."""
    server = make_server(store, **kw)
    limit = f"{server.max_rows} rows" if server.max_rows is not None else "no row limit"
    print(f"timeline serve: {server.url}/ (SPARQL endpoint {server.url}/sparql; {server.timeout:g} s and "
          f"{limit} per query; {server.engine.workers} {server.engine.isolation} workers). Ctrl-C stops.",
          file=sys.stderr, flush=True)
    if not is_loopback(server.server_address[0]):
        print(f"timeline serve: warning: listening on {server.server_address[0]} (--public): anyone who can reach "
              "this machine can query the graph and read the pages", file=sys.stderr, flush=True)
    # What start-up made (the case's indexes, the pages rendered) lives as long as the server: frozen, the
    # collector never walks it again. Unfrozen, each full collection walked it all (about 0.3 s at 10,000 events),
    # a pause every request in flight waited out.
    gc.collect()
    gc.freeze()
    # uvicorn stops gracefully on SIGTERM, then raises it again: as KeyboardInterrupt, it ends us cleanly too.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if main:
            signal.signal(signal.SIGTERM, previous)
