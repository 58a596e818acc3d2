"""An ``<iframe>`` snippet to embed a rendered page in another site (course page, LMS), from the autoescaped
template ``timeline/templates/embed.html.j2``."""

from __future__ import annotations

import hashlib

from timeline import templating
from timeline.htmlsafe import safe_url

#: The page posts {"type": "timeline:height", "height": N} to its parent when its height changes.
HEIGHT_MESSAGE = "timeline:height"


def embed_snippet(src: str, title: str, height: int = 640) -> str:
    """Responsive width, a starting height, and a listener that follows the page's reported height.

    The listener only accepts messages from this iframe's own window, so other
    frames on the host page cannot resize it; it adds no key listeners.
    """
    frame_id = "timeline-" + hashlib.sha256(f"{src}\n{title}".encode()).hexdigest()[:10]
    return templating.render("embed.html.j2", frame_id=frame_id, src=_frame_src(src), title=title,
                             height=int(height), height_message=HEIGHT_MESSAGE)


def _frame_src(src: str) -> str:
    """An http(s) URL as it is; anything else is a path relative to the host page, so that a file name such as
    ``javascript:alert(1)`` (``-o`` takes any name) stays a file name: "./" keeps its colon from reading as a
    scheme, which would run it in the host page."""
    first = src.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return src if safe_url(src) or ":" not in first else "./" + src
