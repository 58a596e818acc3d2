"""The ASGI application (Starlette): the endpoint's state and its routes.

A page is a route whose handler renders a template (:mod:`timeline.templating`)
and answers with :func:`page_response`, which gives it a Content-Security-Policy
that lets exactly its own inline scripts run. Queries never run on the event
loop: :func:`sparql` hands them to the worker pool and awaits the answer, so a
slow query holds one worker, never the other requests.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from timeline.errors import TimelineError
from timeline.query.sparql import form_of
from timeline.serve import browse, querypages
from timeline.serve.accesslog import AccessLog
from timeline.serve.errors import READ_ONLY, HttpError
from timeline.serve.guard import refused
from timeline.serve.negotiation import RESULT_FORMATS, negotiate
from timeline.serve.pages import CasePages, saved_queries_json, saved_query_items
from timeline.serve.protocol import MAX_BODY, query_request
from timeline.serve.security import ASGIApp, SecurityHeaders, page_csp
from timeline.serve.workbench import page_response
from timeline.serve.workers import ProcessEngine, ThreadEngine
from timeline.stores import MemoryStore

CORS = {"Access-Control-Allow-Origin": "*"}
PAGE_PATHS = ("/timeline.html", "/graph.html", "/story.html")


class Endpoint:
    """What the routes answer from: the query workers, the limits, and the pages rendered at start-up.

    ``url`` and ``index_html`` are set by the server once it listens.
    """

    def __init__(self, store, *, timeout: float, max_rows: int | None, pages: bool, workers: int | None,
                 isolation: str, log: Callable[[str], None] | None = None):
        if not timeout or timeout <= 0:
            raise TimelineError("timeout must be a positive number of seconds", param="timeout")
        if max_rows is not None and max_rows < 0:
            raise TimelineError("max_rows must be 0 or more", param="max_rows")
        if isolation not in ("auto", "process", "thread"):
            raise TimelineError(f"unknown isolation {isolation!r}; choose auto, process or thread")
        if isolation == "auto":
            isolation = "process" if hasattr(os, "fork") and hasattr(socket, "send_fds") else "thread"
        self.timeout, self.max_rows, self.log = float(timeout), max_rows, log
        self.remote_from = isinstance(store, MemoryStore)  # rdflib loads FROM <url> from the web
        engine_class = ProcessEngine if isolation == "process" else ThreadEngine
        # The pool first: it forks, and should inherit neither the listening socket nor threads.
        self.engine = engine_class(store, workers or min(4, max(2, os.cpu_count() or 2)), max_rows, self.timeout)
        try:
            case = CasePages(store if pages else None)
            self.pages, self.pages_error, self.case_title = case.pages, case.error, case.case_title
            self.catalog = case.catalog  # the workbench's indexes; None without pages
            self.page_cache = browse.PageCache()
            if self.catalog is not None:
                browse.warm(self.page_cache, self.case_title, self.catalog)
            self.home_html = browse.render_home(self.case_title, self.catalog) if self.catalog else None
            self.home_csp = page_csp(self.home_html) if self.home_html else None
            self.page_csp = {path: page_csp(body) for path, body in self.pages.items()}
            self.saved = saved_query_items()
            self.saved_json = saved_queries_json(self.saved)
        except BaseException:
            self.engine.close()
            raise
        self.url = ""
        self.index_html = b""
        self.index_csp = page_csp(b"")

    def set_index(self, html: bytes) -> None:
        self.index_html, self.index_csp = html, page_csp(html)


# ------------------------------------------------------------ answers


def error_response(error: HttpError, cors: bool = False) -> Response:
    headers = {**(CORS if cors else {}), **error.headers, "Cache-Control": "no-store"}
    body = " ".join(error.message.split()) + "\n"
    return Response(body.encode("utf-8"), error.status, headers=headers, media_type="text/plain; charset=utf-8")


# ------------------------------------------------------------ routes


async def page(request: Request) -> Response:
    endpoint: Endpoint = request.app.state.endpoint
    path = request.url.path
    if path not in endpoint.pages:
        why = endpoint.pages_error or "the server runs without pages"
        return error_response(HttpError(404, f"{path}: not available: {why}"))
    return page_response(endpoint.pages[path], csp=endpoint.page_csp[path])


async def queries(request: Request) -> Response:
    endpoint: Endpoint = request.app.state.endpoint
    return Response(endpoint.saved_json, media_type="application/json; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})


async def no_icon(request: Request) -> Response:
    return Response(b"", 204, headers={"Cache-Control": "max-age=86400"})  # browsers ask; a 404 is a console error


async def sparql(request: Request) -> Response:
    """The SPARQL 1.1 Protocol's query operation (GET, POST form, POST ``application/sparql-query``)."""
    if request.method == "OPTIONS":
        return Response(b"", 204, headers={**CORS, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                           "Access-Control-Allow-Headers": "Accept, Content-Type",
                                           "Access-Control-Max-Age": "86400", "Allow": "GET, HEAD, POST, OPTIONS"})
    try:
        return await _answer(request)
    except HttpError as exc:
        return error_response(exc, cors=True)
    except Exception as exc:  # a bug: answer 500 rather than drop the connection
        return error_response(HttpError(500, f"internal error: {type(exc).__name__}: {exc}"), cors=True)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise HttpError(413, f"the request body must be between 0 and {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HttpError(413, f"the request body must be between 0 and {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _answer(request: Request) -> Response:
    endpoint: Endpoint = request.app.state.endpoint
    body = await _body(request) if request.method == "POST" else b""
    asked = query_request(request.scope["query_string"], request.method, request.headers.get("content-type"), body)
    deadline = time.monotonic() + endpoint.timeout  # the clock starts when the whole request has been read
    form = form_of(asked.text)
    if form == "EMPTY":
        raise HttpError(400, "the query is empty")
    if form == "UPDATE":
        raise HttpError(403, READ_ONLY)
    reason = refused(asked.text, endpoint.remote_from)
    if reason:
        raise HttpError(403, reason)
    try:
        fmt = negotiate(request.headers.get("accept"), asked.formats, form)
    except HttpError:
        if form != "UNKNOWN":
            raise
        fmt = RESULT_FORMATS[0]  # not a query we recognise: let the parser say why
    answer = await endpoint.engine.answer(asked.text, fmt.key, deadline, asked.dataset)
    content_type = fmt.media_type + ("" if fmt.key in ("json", "jsonld") else "; charset=utf-8")
    return Response(answer, 200, media_type=content_type, headers={**CORS, "Vary": "Accept",
                                                                  "Cache-Control": "no-store"})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    path = request.url.path
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "GET, HEAD")
        return error_response(HttpError(405, f"{path}: only {allow} here", {"Allow": allow}))
    if exc.status_code == 404:
        return error_response(HttpError(404, f"{path}: not found; see / for what this server offers"))
    return error_response(HttpError(exc.status_code, str(exc.detail)))


def create_app(endpoint: Endpoint) -> ASGIApp:
    """The ASGI application for ``endpoint``, with its security headers and, if ``endpoint.log``, its access log."""
    routes = [
        Route("/index.html", browse.endpoint_page, methods=["GET"]),
        Route("/endpoint", browse.endpoint_page, methods=["GET"]),
        *browse.routes(),
        *querypages.routes(),
        *(Route(path, page, methods=["GET"]) for path in PAGE_PATHS),
        Route("/queries", queries, methods=["GET"]),
        Route("/favicon.ico", no_icon, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST", "OPTIONS"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.endpoint = endpoint
    wrapped = SecurityHeaders(app)  # outside Starlette's own error handling, so a 500 has the headers too
    return AccessLog(wrapped, endpoint.log) if endpoint.log else wrapped
