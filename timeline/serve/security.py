"""The security headers of every answer, and the Content-Security-Policy of a page from its own scripts.

A page may run only the inline scripts it was served with: the policy lists the
SHA-256 of each one, so a script that an injected string might add does not run.
Styles stay ``'unsafe-inline'``: the front-end libraries (vis-timeline,
vis-network) add ``<style>`` elements and style attributes at run time, whose
text no hash could list, and CSS cannot run script.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from html.parser import HTMLParser
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# What is not a page (SPARQL results, JSON, error text): nothing may load or run, even if a browser renders it.
DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
REFERRER_POLICY = "no-referrer"  # queries travel in URLs: never tell another site what was asked
_JS_TYPES = {"", "module", "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript"}


class _InlineScripts(HTMLParser):
    """The text of each inline script that a browser would run (not ``src=``, not a JSON data block)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "script":
            return
        values = {name: value or "" for name, value in attrs}
        runs = "src" not in values and values.get("type", "").strip().lower() in _JS_TYPES
        self._open = [] if runs else None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            self.scripts.append("".join(self._open))
            self._open = None


def script_hashes(html: str) -> list[str]:
    """``'sha256-...'`` of each inline script, as the browser hashes it (after its newline normalisation)."""
    parser = _InlineScripts()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    hashes = []
    for text in parser.scripts:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return list(dict.fromkeys(hashes))


def page_csp(html: str | bytes) -> str:
    """The policy of a page: its own inline scripts, inline styles, images from itself or ``data:``."""
    text = html.decode("utf-8") if isinstance(html, bytes) else html
    scripts = " ".join(script_hashes(text)) or "'none'"
    return ("default-src 'none'; "
            f"script-src {scripts}; "
            "style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
            "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")


class SecurityHeaders:
    """ASGI middleware: ``nosniff``, ``Referrer-Policy``, and :data:`DATA_CSP` unless the answer set its own CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _value in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", DATA_CSP.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", REFERRER_POLICY.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
