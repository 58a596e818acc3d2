"""Escaping for HTML outputs: case text (titles, quotes, labels, URLs) is untrusted."""

from __future__ import annotations

import html
import re

_SAFE_SCHEMES = ("http", "https")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def esc(text: object) -> str:
    """Text for an HTML element or a quoted attribute value."""
    return html.escape("" if text is None else str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: ``javascript:``, ``data:`` and the like never become links."""
    if not url:
        return None
    probe = _CONTROL.sub("", url).lower()  # browsers ignore these inside a scheme ("java\tscript:")
    scheme = probe.split(":", 1)[0] if ":" in probe else ""
    return url if scheme in _SAFE_SCHEMES and "://" in probe else None


def script_json(text: str) -> str:
    """JSON made safe inside ``<script type="application/json">``: no '<', '>', '&', U+2028/9."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
