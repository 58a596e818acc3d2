"""One line per request, in the Common Log Format plus the milliseconds taken (Apache's ``%{ms}T``).

    127.0.0.1 - - [06/Dec/2026:18:33:00 +0000] "GET /sparql HTTP/1.1" 200 1234 12

The request line keeps the path but never the query string: a query is the
analyst's business, and a log is read by others.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from timeline.serve.security import ASGIApp, Message, Receive, Scope, Send

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _printable(text: str) -> str:
    """Quotes, backslashes and control characters escaped as ``\\xNN``, as Apache does."""
    return "".join(c if " " <= c < "\x7f" and c not in '"\\' else f"\\x{ord(c):02x}" for c in text)


def log_line(client: str, method: str, path: str, http_version: str, status: int, size: int,
             when: datetime, ms: float) -> str:
    stamp = f"{when.day:02d}/{_MONTHS[when.month - 1]}/{when.year}:{when:%H:%M:%S %z}"
    request = _printable(f"{method} {path} HTTP/{http_version}")
    return f'{client} - - [{stamp}] "{request}" {status} {size or "-"} {round(ms)}'


class AccessLog:
    """ASGI middleware: calls ``write(line)`` once per HTTP request, when its answer has been sent."""

    def __init__(self, app: ASGIApp, write: Callable[[str], None]) -> None:
        self.app, self.write = app, write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, when = time.perf_counter(), datetime.now().astimezone()
        status, size = [500], [0]  # an app that fails before it answers: the server answers 500

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body" and scope["method"] != "HEAD":
                size[0] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            client = (scope.get("client") or ("-",))[0]
            raw = scope.get("raw_path") or scope["path"].encode("utf-8")
            path = raw.split(b"?", 1)[0].decode("latin-1")
            self.write(log_line(client, scope["method"], path, scope.get("http_version", "1.1"), status[0], size[0],
                                when, (time.perf_counter() - started) * 1000))
