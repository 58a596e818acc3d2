"""What the server shows besides query answers: the case's view and pages (timeline, graph, story) read once at
start-up, the workbench's :class:`~timeline.serve.catalog.Catalog`, the saved queries, the endpoint page."""

from __future__ import annotations

import json
from typing import Protocol

from timeline import __version__, templating
from timeline.errors import TimelineError
from timeline.query.saved_queries import saved_queries
from timeline.render.casepages import render_case_pages
from timeline.render.story import case_description
from timeline.serve.catalog import Catalog
from timeline.serve.negotiation import GRAPH_FORMATS, RESULT_FORMATS
from timeline.views.model import load_view


class Served(Protocol):
    """What the index page shows of a server."""

    case_title: str
    pages: dict[str, bytes]
    pages_error: str | None
    timeout: float
    max_rows: int | None
    saved: list[dict]

    @property
    def url(self) -> str: ...


class CasePages:
    """The view, the three pages (by path) and the catalog of a store; or why they are unavailable."""

    def __init__(self, store=None):
        self.pages: dict[str, bytes] = {}
        self.error: str | None = None  # None and no pages: the server was asked to run without them
        self.case_title = ""
        self.catalog: Catalog | None = None
        if store is None:
            return
        try:
            view = load_view(store)
        except TimelineError as exc:
            self.error = str(exc)
            return
        self.case_title = view.case_title
        self.pages = {"/" + name: html.encode("utf-8") for name, html in render_case_pages(view, store).items()}
        self.catalog = Catalog(view, source_texts(store), case_description(store))


def source_texts(store) -> dict[str, str]:
    """The text of each source article (``schema:text``), by source id: what its quote positions count in."""
    rows = store.query("SELECT ?id ?text WHERE { ?s a tl:SourceArticle ; dcterms:identifier ?id ; "
                       "schema:text ?text }", None, where="view").records()
    return {r["id"]: r["text"] for r in rows}


def saved_query_items() -> list[dict]:
    """The saved queries, their parameters and text: what ``GET /queries`` and the index show."""
    return [{"name": q.name, "title": q.title, "description": q.description,
             "params": [{"name": p.name, "type": p.type, "doc": p.doc, "optional": p.optional,
                         "default": p.default} for p in q.params],
             "query": q.text} for q in saved_queries().values()]


def saved_queries_json(items: list[dict] | None = None) -> bytes:
    """The saved queries as JSON, for ``GET /queries``."""
    items = saved_query_items() if items is None else items
    return (json.dumps(items, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


EXAMPLE_QUERY = """SELECT ?event ?date ?label WHERE {
  ?event a tl:Event ; rdfs:label ?label ; tl:dateLabel ?date .
}
ORDER BY ?event
LIMIT 20"""


def index_html(server: Served) -> bytes:
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
