"""The workbench's reading pages: home, search, entity, event and source pages, and ``GET /suggest``.

Each handler reads the :class:`~timeline.serve.catalog.Catalog` built at start-up and renders one template of
``timeline/templates/workbench/`` with :func:`~timeline.serve.workbench.render_page`. Rendering is CPU work: it
runs in the thread pool, so the event loop stays free for the other requests. The home page does not change
while the server runs: it is rendered once, on first request.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from timeline.namespaces import wikidata_id
from timeline.serve import figures
from timeline.serve.catalog import KINDS, Catalog, entity_url, event_url, source_url
from timeline.serve.pages import index_html
from timeline.serve.security import page_csp
from timeline.serve.workbench import not_found, page_response, render_page, template_csp
from timeline.views.model import ClaimView, EventView
from timeline.views.network import centrality, coparticipation_graph

MAX_QUERY = 200  # characters of a search or suggestion: more is not a name anyone types
EVENTS_PER_PAGE = 100  # an entity's events listed on one page; ?page=2 for the next
EGO_NEIGHBOURS = 12  # the entities drawn around an entity: those it shares most events with
EGO_WIDTH, EGO_HEIGHT = 560, 400
STRIP_EVENTS = 300  # an entity's events drawn as dots on its time strip; more are drawn as bars per year
LIST_CAP = 100  # relations and claims listed per kind on an entity page; the page says how many more
TOP_ACTORS = 10
EXACT_CENTRALITY = 400  # entities up to which the home page ranks actors by betweenness; above, by partners
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"


def _catalog(request: Request) -> Catalog | None:
    return request.app.state.endpoint.catalog


def _text(request: Request, name: str) -> str:
    return " ".join(request.query_params.get(name, "").split())[:MAX_QUERY]


def _unavailable(request: Request) -> Response:
    why = request.app.state.endpoint.pages_error or "the server runs without pages"
    return not_found(request, f"This page is not available: {why}")


class PageCache:
    """The most recently rendered pages, up to ``budget`` bytes: the case does not change while the server runs,
    so a page asked for again (an analyst going back, several analysts on one entity) is not rendered again."""

    def __init__(self, budget: int = 64 * 2**20):
        self.budget, self.size = budget, 0
        self.pages: OrderedDict[str, tuple[bytes, str]] = OrderedDict()  # key: (page, its CSP)
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self.lock:
            found = self.pages.get(key)
            if found is not None:
                self.pages.move_to_end(key)
            return found

    def put(self, key: str, body: bytes, csp: str) -> None:
        with self.lock:
            if key in self.pages or len(body) > self.budget // 8:
                return
            self.pages[key] = (body, csp)
            self.size += len(body)
            while self.size > self.budget:
                self.size -= len(self.pages.popitem(last=False)[1][0])


async def _page(request: Request, build: Callable[[Catalog], tuple[str, dict[str, Any]] | None],
                missing: str = "", cache: bool = False, inline: bool = False) -> Response:
    """Render what ``build`` returns (a template and its context) in a worker thread; 404 if it returns None.
    ``cache``: keep the page (by its path and query) in the server's :class:`PageCache`. ``inline``: render on the
    event loop, for a page that costs about a millisecond (handing it to a thread and back costs more)."""
    endpoint = request.app.state.endpoint
    catalog = _catalog(request)
    if catalog is None:
        return _unavailable(request)
    key = request.url.path + "?" + request.url.query
    pages: PageCache | None = getattr(endpoint, "page_cache", None) if cache else None
    found = pages.get(key) if pages else None
    if found is None:
        def work() -> tuple[bytes, str] | None:
            built = build(catalog)
            if built is None:
                return None
            body = render_page(built[0], case_title=endpoint.case_title, **built[1])
            return body, template_csp(built[0], body)

        found = work() if inline else await run_in_threadpool(work)
        if found is not None and pages is not None:
            pages.put(key, *found)
    return not_found(request, missing) if found is None else page_response(found[0], csp=found[1])


# ------------------------------------------------------------ suggestions and search


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


async def search(request: Request) -> Response:
    text = _text(request, "q")

    def build(catalog: Catalog):
        results = catalog.search(text)
        groups = [(kind, results[kind]) for kind in KINDS if results[kind]["total"]]
        return "workbench/search.html.j2", {"active": "", "query": text, "groups": groups,
                                            "total": sum(g["total"] for _k, g in groups),
                                            "more": any(g["more"] for _k, g in groups)}

    return await _page(request, build)


# ------------------------------------------------------------ home and the endpoint's page


async def endpoint_page(request: Request) -> Response:
    """``GET /endpoint``: the SPARQL endpoint's URL, result formats, limits, an example query, the saved queries."""
    endpoint = request.app.state.endpoint
    if not endpoint.index_html:  # an app not run by Server (a test client): the URL it was reached at
        endpoint.url = endpoint.url or str(request.base_url).rstrip("/")
        endpoint.set_index(index_html(endpoint))
    return page_response(endpoint.index_html, csp=endpoint.index_csp)


def home_context(catalog: Catalog) -> dict[str, Any]:
    view = catalog.view
    citations = sum(len(p) for p in catalog.passages.values())
    counts = [("events", len(view.events)), ("entities", len(view.entities)), ("claims", len(view.claims)),
              ("sources", len(view.sources)), ("cited passages", citations)]
    actors = []
    for row in _central(view):
        entity = view.entities.get(row["id"])
        actors.append({**row, "url": entity_url(row["id"]), "kind": entity.kind_label if entity else row["kind"],
                       "events": len(catalog.entity_events.get(row["id"], ()))})
    sources = [{"id": s.id, "title": s.title, "publisher": s.publisher, "published": s.published,
                "url": source_url(s.id), **catalog.source_counts.get(s.id, {})}
               for s in sorted(view.sources.values(), key=lambda s: (s.published, s.id))]
    kinds = Counter(e.kind_label for e in view.entities.values()).most_common()
    return {"active": "home", "counts": counts, "by_betweenness": len(view.entities) <= EXACT_CENTRALITY,
            "bars": figures.year_bars(catalog.years()),
            "description": catalog.description, "actors": actors, "sources": sources, "kinds": kinds,
            "first": view.events[0] if view.events else None, "last": view.events[-1] if view.events else None}


def _central(view) -> list[dict]:
    """The most central actors: by betweenness (networkx) in a case of up to :data:`EXACT_CENTRALITY` entities;
    in a bigger one, whose betweenness takes minutes, by how many distinct others each shares events with."""
    graph = coparticipation_graph(view)
    if len(graph) <= EXACT_CENTRALITY:
        return centrality(graph)[:TOP_ACTORS]
    rows = [{"id": n, "label": d.get("label", n), "kind": d.get("kind", ""), "degree": graph.degree(n)}
            for n, d in graph.nodes(data=True)]
    return sorted(rows, key=lambda r: (-r["degree"], str(r["id"])))[:TOP_ACTORS]


def render_home(case_title: str, catalog: Catalog) -> bytes:
    """The home page: it does not change while the server runs, so the server renders it once, at start-up."""
    return render_page("workbench/home.html.j2", case_title=case_title, **home_context(catalog))


async def home(request: Request) -> Response:
    endpoint = request.app.state.endpoint
    if endpoint.catalog is None:  # no case to show: the endpoint's own page
        return await endpoint_page(request)
    if endpoint.home_html is None:  # an endpoint made without it
        endpoint.home_html = await run_in_threadpool(render_home, endpoint.case_title, endpoint.catalog)
    if getattr(endpoint, "home_csp", None) is None:
        endpoint.home_csp = page_csp(endpoint.home_html)
    return page_response(endpoint.home_html, csp=endpoint.home_csp)


# ------------------------------------------------------------ entity


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    # ASCII digits only, and few: str.isdigit() takes "²", and int() refuses numbers of over 4,300 digits
    return int(raw) if re.fullmatch(r"[0-9]{1,6}", raw) and int(raw) > 0 else 1


def entity_context(catalog: Catalog, eid: str, page: int = 1) -> dict[str, Any] | None:
    entity = catalog.view.entities.get(eid)
    if entity is None:
        return None
    events = catalog.entity_events.get(eid, [])
    pages = max(1, -(-len(events) // EVENTS_PER_PAGE))
    page = min(page, pages)
    shown = events[(page - 1) * EVENTS_PER_PAGE:page * EVENTS_PER_PAGE]
    outgoing, incoming = catalog.relations_out.get(eid, []), catalog.relations_in.get(eid, [])
    rel_out = [_relation(catalog, r, r["to"], r["fromRole"], r["toRole"]) for r in outgoing[:LIST_CAP]]
    rel_in = [_relation(catalog, r, r["from"], r["toRole"], r["fromRole"]) for r in incoming[:LIST_CAP]]
    made, about = catalog.claims_made.get(eid, []), catalog.claims_about.get(eid, [])
    qid = wikidata_id(entity.wikidata)
    if len(events) > STRIP_EVENTS:  # too many dots to tell apart: how many a year instead
        dots, ticks, strip_height = [], [], 0
        bars = figures.year_bars(sorted(Counter(ev.sort[:4] for ev, _roles in events if ev.sort).items()))
    else:
        strip = [(ev.id, ev.label, ev.date_label, ev.sort, event_url(ev.id)) for ev, _roles in events]
        dots, ticks, strip_height = figures.time_strip(strip)
        bars = []
    return {
        "active": "", "entity": entity, "wikidata": qid, "wikidata_url": WIKIDATA_PAGE + qid if qid else None,
        "member_of": [_named(catalog, i) for i in entity.member_of],
        "members": [_named(catalog, i) for i in catalog.members.get(eid, [])],
        "events": [{"event": ev, "roles": roles, "url": event_url(ev.id)} for ev, roles in shown],
        "event_total": len(events), "page": page, "pages": pages, "per_page": EVENTS_PER_PAGE,
        "relations_out": rel_out, "relations_in": rel_in,
        "relations_more": len(outgoing) + len(incoming) - len(rel_out) - len(rel_in),
        "claims_made": [_claim(catalog, c) for c in made[:LIST_CAP]], "claims_made_total": len(made),
        "claims_about": [_claim(catalog, c) for c in about[:LIST_CAP]], "claims_about_total": len(about),
        "sources": [catalog.view.sources[s] for s in catalog.entity_sources(eid)],
        "ego": _ego(catalog, eid), "dots": dots, "ticks": ticks, "strip_height": strip_height,
        "bars": bars,
        "graph_link": "/graph.html#" + eid,
    }


def _named(catalog: Catalog, some_id: str) -> dict[str, str | None]:
    return {"id": some_id, "label": catalog.label(some_id), "url": catalog.url(some_id)}


def _relation(catalog: Catalog, rel: dict, other: str, role: str, other_role: str) -> dict:
    event = catalog.events.get(rel["event"])
    return {"other": _named(catalog, other), "relation": rel["relation"], "role": role, "other_role": other_role,
            "event": event, "event_url": event_url(event.id) if event else None}


def _claim(catalog: Catalog, claim: ClaimView) -> dict:
    return {"claim": claim, "url": catalog.claim_url(claim), "claimant_url": catalog.url(claim.claimant),
            "contradicted": bool(claim.contradicts or catalog.contradicted_by.get(claim.id)),
            "about": [_named(catalog, a) for a in claim.about],
            "citations": [{"citation": c, "url": source_url(c.source, c.start, c.start + len(c.quote))}
                          for c in claim.citations]}


def _ego(catalog: Catalog, eid: str) -> dict | None:
    """The entity and the few entities it shares most events with, each line labelled with how many."""
    shared: Counter[str] = Counter()
    for ev, _roles in catalog.entity_events.get(eid, []):
        for other in {p.id for p in ev.participants} - {eid}:
            shared[other] += 1
    if not shared:
        return None
    entities = catalog.view.entities
    top = sorted(shared.items(), key=lambda kv: (-kv[1], catalog.label(kv[0]).casefold()))[:EGO_NEIGHBOURS]
    centre = figures.Node(eid, entities[eid].label, entities[eid].kind_label, 0, 0)
    ring = [figures.Node(i, catalog.label(i), entities[i].kind_label if i in entities else "", 0, 0, n,
                         entity_url(i)) for i, n in top]
    centre, ring = figures.ego_ring(centre, ring, EGO_WIDTH, EGO_HEIGHT)
    return {"centre": centre, "ring": ring, "total": len(shared), "width": EGO_WIDTH, "height": EGO_HEIGHT}


WARM_ENTITIES = 64  # the busiest entities' pages, rendered at start-up


def warm(page_cache: PageCache, case_title: str, catalog: Catalog) -> None:
    """Render the pages of the entities with the most events (more than a page of them) into the cache: they
    cost tens of milliseconds each, the others about one."""
    busy = sorted((eid for eid, events in catalog.entity_events.items()
                   if len(events) > EVENTS_PER_PAGE and eid in catalog.view.entities),
                  key=lambda eid: (-len(catalog.entity_events[eid]), eid))[:WARM_ENTITIES]
    for eid in busy:
        body = render_page("workbench/entity.html.j2", case_title=case_title, **entity_context(catalog, eid))
        page_cache.put(f"/entity/{eid}?", body, template_csp("workbench/entity.html.j2", body))


async def entity(request: Request) -> Response:
    eid, page = request.path_params["id"], _page_number(request)

    def build(catalog: Catalog):
        context = entity_context(catalog, eid, page)
        return None if context is None else ("workbench/entity.html.j2", context)

    return await _page(request, build, f"There is no entity with the id “{eid}” in this case", cache=True)


# ------------------------------------------------------------ event


def event_context(catalog: Catalog, eid: str) -> dict[str, Any] | None:
    ev = catalog.events.get(eid)
    if ev is None:
        return None
    participants = [{"p": p, "url": entity_url(p.id) if p.id in catalog.view.entities else None}
                    for p in ev.participants]
    citations = [{"citation": c, "url": source_url(c.source, c.start, c.start + len(c.quote))}
                 for c in ev.citations]
    return {"active": "", "event": ev, "participants": participants, "citations": citations,
            "claim_groups": _claim_groups(catalog, ev), "precision": _precision(ev),
            "timeline_link": "/timeline.html#" + ev.id, "graph_link": "/graph.html#" + ev.id,
            "story_link": "/story.html#" + ev.id, "neighbours": _neighbours(catalog, ev)}


def _precision(ev: EventView) -> str:
    words = [f"to the {ev.unit}" if ev.unit else ""]
    if ev.approximate:
        words.append("approximate")
    if ev.uncertain:
        words.append("uncertain")
    return ", ".join(w for w in words if w)


def _claim_groups(catalog: Catalog, ev: EventView) -> list[list[dict]]:
    """The event's claims, each with the claims that contradict it (wherever those were made) beside it: a group
    of several is a disagreement, shown side by side."""
    claims = catalog.view.claims
    groups: list[list[dict]] = []
    placed: set[str] = set()
    for cid in ev.claims:
        if cid in placed or cid not in claims:
            continue
        group, todo = [], [cid]
        while todo:  # a claim, what it contradicts and what contradicts it, transitively
            current = todo.pop(0)
            if current in placed or current not in claims:
                continue
            placed.add(current)
            group.append(current)
            todo += claims[current].contradicts
            todo += [c.id for c in catalog.contradicted_by.get(current, [])]
        groups.append([_claim(catalog, claims[c]) for c in group])
    return groups


def _neighbours(catalog: Catalog, ev: EventView) -> dict[str, EventView | None]:
    i = catalog.order[ev.id]
    events = catalog.view.events
    return {"previous": events[i - 1] if i > 0 else None, "next": events[i + 1] if i + 1 < len(events) else None}


async def event(request: Request) -> Response:
    eid = request.path_params["id"]

    def build(catalog: Catalog):
        context = event_context(catalog, eid)
        return None if context is None else ("workbench/event.html.j2", context)

    return await _page(request, build, f"There is no event with the id “{eid}” in this case", cache=True,
                       inline=True)


# ------------------------------------------------------------ source


def source_context(catalog: Catalog, sid: str) -> dict[str, Any] | None:
    source = catalog.view.sources.get(sid)
    if source is None:
        return None
    text = catalog.texts.get(sid, "")
    return {"active": "", "source": source, "paragraphs": catalog.article(sid), "has_text": bool(text),
            "passages": catalog.passages.get(sid, []), "counts": catalog.source_counts.get(sid, {})}


async def source(request: Request) -> Response:
    sid = request.path_params["id"]

    def build(catalog: Catalog):
        context = source_context(catalog, sid)
        return None if context is None else ("workbench/source.html.j2", context)

    return await _page(request, build, f"There is no source with the id “{sid}” in this case", cache=True)


def routes() -> list[Route]:
    return [Route("/", home, methods=["GET"]),
            Route("/search", search, methods=["GET"]),
            Route("/suggest", suggest, methods=["GET"]),
            Route("/entity/{id:path}", entity, methods=["GET"]),
            Route("/event/{id:path}", event, methods=["GET"]),
            Route("/source/{id:path}", source, methods=["GET"])]
