"""The HTTP server and its request handler: the endpoint's routes, and the entry points."""

from __future__ import annotations

import json
import os
import socket
import socketserver
import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from timeline import __version__
from timeline.errors import TimelineError
from timeline.query.sparql import form_of
from timeline.serve.errors import READ_ONLY, HttpError
from timeline.serve.guard import refused
from timeline.serve.negotiation import RESULT_FORMATS, negotiate
from timeline.serve.pages import index_html, render_pages, saved_queries_json
from timeline.serve.workers import ProcessEngine, ThreadEngine
from timeline.stores import MemoryStore

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
MAX_BODY = 1 << 20  # bytes of a POST body


class Server(ThreadingHTTPServer):
    """The HTTP server; ``url`` is ``http://HOST:PORT`` (no trailing slash)."""

    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not hold up server_close()
    request_queue_size = 128  # listen() backlog; socketserver's 5 drops connections from 8 clients (1 s SYN retry)

    def __init__(self, store, *, host: str = DEFAULT_HOST, port: int = 0, timeout: float = DEFAULT_TIMEOUT,
                 max_rows: int | None = DEFAULT_MAX_ROWS, pages: bool = True, workers: int | None = None,
                 isolation: str = "auto", quiet: bool = False):
        if not timeout or timeout <= 0:
            raise TimelineError("timeout must be a positive number of seconds", param="timeout")
        if max_rows is not None and max_rows < 0:
            raise TimelineError("max_rows must be 0 or more", param="max_rows")
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
            self.pages, self.pages_error, self.case_title = render_pages(store) if pages else ({}, None, "")
            self.saved_json = saved_queries_json()
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
        self.index_html = index_html(self)

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
    """A server for ``store`` (see the package's documentation); call ``serve_forever()`` on it.

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
