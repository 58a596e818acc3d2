"""A rendered page as a notebook or a script holds it: its HTML, ``save(path)``, and inline display in a
notebook, in a sandboxed ``srcdoc`` frame so the page's scripts run in an opaque origin and cannot reach
the notebook. The timeline, story and graph pages differ only in their frame and default height."""

from __future__ import annotations

from pathlib import Path

from timeline import templating
from timeline.files import write_atomic


class Page:
    """A rendered page: ``.html``, ``.save(path)``, and inline display in a notebook."""

    frame = "timeline_frame"  # the macro of notebook.html.j2 that frames it

    def __init__(self, html: str, title: str = "Page", height: int = 900):
        self.html = html
        self.title = title
        self.height = height

    def save(self, path: str | Path) -> Path:
        """Write the page atomically (with the permissions the umask gives) and return its path."""
        path = Path(path)
        write_atomic(path, self.html.encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        return str(getattr(templating.macros("notebook.html.j2"), self.frame)(self.html, self.title, int(self.height)))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.title!r}: {len(self.html.encode('utf-8')) / 1024:.0f} KiB>"
