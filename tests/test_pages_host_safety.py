"""Both pages leave the host alone: no global key listeners, no scroll hijacking; served, they keep to their CSP.

An init script wraps addEventListener before the page's (and the libraries')
code runs and records every key listener registered on the document or the
window, so a library adding one behind our back would be caught too.
"""

from __future__ import annotations

import pytest
from browser import visit
from servers import timeline_server

from timeline.render.graph import render_graph
from timeline.render.timeline import render_timeline
from timeline.stores import open_store
from timeline.views.model import load_view

RECORD_KEY_LISTENERS = """
window.__globalKeyListeners = [];
for (const target of [window, document]) {
  const original = target.addEventListener.bind(target);
  target.addEventListener = function (type, listener, options) {
    if (/^key/i.test(String(type))) {
      window.__globalKeyListeners.push((target === window ? 'window:' : 'document:') + type);
    }
    return original(type, listener, options);
  };
}
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory, sample_graph):
    work = tmp_path_factory.mktemp("host")
    view = load_view(open_store(sample_graph))
    paths = {"timeline": work / "timeline.html", "graph": work / "graph.html"}
    paths["timeline"].write_text(render_timeline(view), encoding="utf-8")
    paths["graph"].write_text(render_graph(view), encoding="utf-8")
    return paths


@pytest.mark.parametrize("kind", ["timeline", "graph"])
def test_no_key_listeners_on_document_or_window(browser, pages, kind) -> None:
    context = browser.new_context()
    context.add_init_script(RECORD_KEY_LISTENERS)
    page = context.new_page()
    try:
        page.goto(pages[kind].as_uri())
        page.wait_for_load_state("load")
        page.keyboard.press("Tab")  # let lazy set-up run, as a user would
        page.keyboard.press("ArrowRight")
        assert page.evaluate("window.__globalKeyListeners") == []
    finally:
        context.close()


WIDGET = {"timeline": ".vis-timeline", "graph": "canvas"}


@pytest.mark.parametrize("kind", ["timeline", "graph"])
def test_a_plain_wheel_over_the_widget_scrolls_the_page(browser, pages, kind) -> None:
    """No scroll hijacking: without Ctrl the wheel scrolls the page; the widget does not zoom."""
    with visit(browser, pages[kind].as_uri(), viewport=(1280, 600)) as v:
        widget = v.page.locator(WIDGET[kind]).first
        widget.wait_for()
        box = widget.bounding_box()
        v.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 150))
        assert v.page.evaluate("document.documentElement.scrollHeight > window.innerHeight")
        v.page.mouse.wheel(0, 400)
        v.page.wait_for_timeout(400)
        assert v.page.evaluate("window.scrollY") > 0


RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
}, true);
"""
READY = {"/timeline.html": "html.tl-ready", "/graph.html": "html[data-graph-ready]", "/story.html": "html.st-ready",
         "/": "form"}


@pytest.fixture(scope="module")
def served(sample_graph):
    with timeline_server(open_store(sample_graph), workers=1, isolation="thread") as server:
        yield server


@pytest.mark.parametrize("path", list(READY))
def test_a_served_page_runs_under_its_content_security_policy(browser, served, path) -> None:
    """The server's CSP (scripts only by their hashes) lets the page start and respond, and blocks nothing."""
    with visit(browser, served.url + path, init_script=RECORD_CSP_VIOLATIONS, wait_for=READY[path]) as v:
        v.page.keyboard.press("Tab")  # what a reader does first: lazy set-up runs
        v.page.keyboard.press("ArrowRight")
        if path == "/timeline.html":
            v.page.locator(".vis-item[data-event]").first.click()  # opens an event's details
            v.page.wait_for_selector("#tl-detail:not([hidden])")
        v.page.wait_for_timeout(300)
        assert v.page.evaluate("window.__cspViolations") == []
        assert v.console_errors == [] and v.page_errors == []
        assert v.requests == []  # nothing but the page itself (and its data: URLs)
