"""The analyst workbench's frame: how a workbench page of ``timeline serve`` is rendered and answered.

Every workbench page is a template under ``timeline/templates/workbench/`` that extends ``base.html.j2`` (the
header with the case title, the search box and the navigation; a skip link; the one stylesheet
``render/web/workbench.css`` inlined after the checked theme colours; light or dark as the reader's system
asks). :func:`render_page` fills in what the frame needs; :func:`workbench_response` also takes the case title
from the server and answers with :func:`page_response`, whose Content-Security-Policy lets exactly the page's
own inline scripts run. Case text reaches a page only through the template's autoescaping.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from timeline import __version__, templating
from timeline.render import themes
from timeline.resources import PACKAGE_DIR
from timeline.serve.security import page_csp

WEB_DIR = PACKAGE_DIR / "render" / "web"

#: The navigation of every page: (href, label, key); a page passes ``active=key`` to mark itself.
NAV = (
    ("/", "Home", "home"),
    ("/queries/", "Queries", "queries"),
    ("/editor", "Query editor", "editor"),
    ("/path", "Path finder", "path"),
    ("/timeline.html", "Timeline", "timeline"),
    ("/graph.html", "Graph", "graph"),
    ("/story.html", "Story", "story"),
    ("/endpoint", "SPARQL endpoint", "endpoint"),
)


def page_response(body: bytes | str, status: int = 200, csp: str | None = None) -> Response:
    """An HTML page, with the policy that lets only its own inline scripts run (computed unless given)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Response(data, status, media_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-cache", "Content-Security-Policy": csp or page_csp(data)})


def own_file(name: str, closing: str) -> Any:
    """One of the package's own scripts or stylesheets (``render/web/NAME``), to inline as it is."""
    from markupsafe import Markup  # here: importing the server must not load the template engine

    text = (WEB_DIR / name).read_text(encoding="utf-8")
    if closing in text.lower():  # our own file: a closing tag inside would end the element early
        raise ValueError(f"{WEB_DIR / name} contains {closing!r}")
    return Markup(text)  # safe: the package's own CSS/JS, checked above to hold no closing tag


@cache
def _frame() -> dict[str, Any]:
    """What every page's frame holds, read once: the stylesheet, the theme colours, the search box's script."""
    from markupsafe import Markup

    return {
        "css": own_file("workbench.css", "</style"),
        # safe: built from checked #rrggbb colours only
        "theme_css": Markup(themes.theme_css(themes.DEFAULT_ACCENT)),
        "base_js": own_file("workbench.js", "</script"),
        "nav": NAV,
        "version": __version__,
    }


def render_page(template: str, *, case_title: str = "", active: str = "", query: str = "",
                **context: Any) -> bytes:
    """The workbench page ``template`` (a name under ``timeline/templates/``, e.g. ``workbench/entity.html.j2``)
    rendered with ``context`` inside the frame: UTF-8 bytes for :func:`page_response`.

    ``active`` is the page's key in :data:`NAV` (marked ``aria-current``), ``query`` the search box's text.
    """
    return templating.render(template, **_frame(), case_title=case_title or "timeline", active=active,
                             query=query, **context).encode("utf-8")


_csp_of_template: dict[str, str] = {}


def template_csp(template: str, body: bytes) -> str:
    """The CSP of a page of ``template``, from the first page of it rendered: these templates' only scripts are
    the frame's own and the package's, the same bytes on every page, and case text is escaped, so every page of a
    template has the same scripts; parsing each page for them cost as much as rendering it. (A template whose
    script held data would differ page to page: its later pages' scripts would be blocked, visibly, never let
    through.)"""
    if template not in _csp_of_template:
        _csp_of_template[template] = page_csp(body)
    return _csp_of_template[template]


def workbench_response(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """:func:`render_page` with the server's case title, answered by :func:`page_response` (small pages only: it
    renders on the event loop; see :func:`workbench_page`)."""
    title = getattr(request.app.state.endpoint, "case_title", "")
    body = render_page(template, case_title=title, **context)
    return page_response(body, status, csp=template_csp(template, body))


async def workbench_page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """:func:`workbench_response` rendered in the thread pool: a result table of 500 rows takes tens of
    milliseconds, which the event loop would make every other request wait out."""
    from starlette.concurrency import run_in_threadpool

    title = getattr(request.app.state.endpoint, "case_title", "")
    body = await run_in_threadpool(lambda: render_page(template, case_title=title, **context))
    return page_response(body, status, csp=template_csp(template, body))


def not_found(request: Request, what: str) -> Response:
    """The workbench's 404 page: ``what`` (e.g. ``no entity 'x'``) said plainly, with the way back."""
    return workbench_response(request, "workbench/notfound.html.j2", 404, what=what, path=request.url.path)
