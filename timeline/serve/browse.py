"""The workbench's reading pages: home, search, entity, event and source pages, and ``GET /suggest``.

Each handler reads the :class:`~timeline.serve.catalog.Catalog` built at start-up and renders one template of
``timeline/templates/workbench/`` with :func:`~timeline.serve.workbench.workbench_response`. Rendering a page
is CPU work: it runs in the thread pool, so the event loop stays free for the other requests.
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from timeline.serve.catalog import Catalog

MAX_QUERY = 200  # characters of a search or suggestion: more is not a name anyone types


def _catalog(request: Request) -> Catalog | None:
    return request.app.state.endpoint.catalog


def _text(request: Request, name: str) -> str:
    return " ".join(request.query_params.get(name, "").split())[:MAX_QUERY]


async def suggest(request: Request) -> Response:
    """``GET /suggest?q=TEXT[&kind=entity|event]``: ``[{id, label, kind, url}]``, at most 20, best first."""
    catalog = _catalog(request)
    kind = request.query_params.get("kind", "")
    if kind not in ("", "entity", "event"):
        body = json.dumps({"error": "kind must be entity or event"}).encode()
        return Response(body, 400, media_type="application/json")
    found = await run_in_threadpool(catalog.suggest, _text(request, "q"), kind) if catalog else []
    return Response(json.dumps(found, ensure_ascii=False).encode("utf-8"), media_type="application/json",
                    headers={"Cache-Control": "no-cache"})


def routes() -> list[Route]:
    return [Route("/suggest", suggest, methods=["GET"])]
