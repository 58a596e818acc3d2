"""Escaping for HTML outputs: case text (titles, quotes, labels, URLs) is untrusted.

Pages and fragments come from autoescaped templates (:mod:`timeline.templating`); what stays here is what
a template cannot decide: which URLs may become links, and JSON safe inside ``<script>``.
"""

from __future__ import annotations

import re

_EDGES = "".join(map(chr, range(0x21)))  # the URL parser strips C0 controls and spaces from both ends
_TAB_NEWLINE = re.compile(r"[\t\n\r]")  # ... and removes tabs and newlines anywhere ("java\tscript:")
_HTTP = re.compile(r"https?://", re.ASCII | re.IGNORECASE)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: ``javascript:``, ``data:`` and the like never become links."""
    if not url:
        return None
    # What the browser's URL parser reads; any other control character or space in the scheme makes the URL
    # relative ("h ttp://x" is a path on the page's own site), so it is refused.
    probe = _TAB_NEWLINE.sub("", url.strip(_EDGES))
    return url if _HTTP.match(probe) else None


def script_json(text: str) -> str:
    """JSON made safe inside ``<script type="application/json">``: no '<', '>', '&', U+2028/9."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
