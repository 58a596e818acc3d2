"""The pages the server shows: the timeline, graph and story pages, the saved queries, the index."""

from __future__ import annotations

import json
from typing import Protocol

from timeline import __version__, templating
from timeline.errors import TimelineError
from timeline.query.saved_queries import saved_queries
from timeline.render.graph import render_graph
from timeline.render.story import render_story
from timeline.render.timeline import render_timeline
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


def render_pages(store) -> tuple[dict[str, bytes], str | None, str]:
    """The three pages, rendered once; or why they are unavailable."""
    try:
        view = load_view(store)
    except TimelineError as exc:
        return {}, str(exc), ""
    pages = {"/timeline.html": render_timeline(view).encode("utf-8"),
             "/graph.html": render_graph(view).encode("utf-8"),
             "/story.html": render_story(view).encode("utf-8")}
    return pages, None, view.case_title


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
