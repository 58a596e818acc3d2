"""The workbench in Chromium, served by ``timeline serve`` on 127.0.0.1: an analyst finds ICE with the search
box, opens the Amazon–ICE meeting of June 2018 and reads the Bloomberg sentence highlighted in its article.
Every page runs under its Content-Security-Policy with no violation and no console error, and no request
leaves 127.0.0.1. Screenshots of each page at 1280 and 360 px go to tests/artifacts/workbench-*.png."""

from __future__ import annotations

import pytest
from browser import visit
from servers import timeline_server

from timeline.stores import open_store

pytest.importorskip("playwright")

RECORD = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
}, true);
"""
MEETING = "Amazon Web Services pitches Rekognition to ICE in California"
BLOOMBERG_SENTENCE = ("Amazon.com Inc. in June pitched its facial recognition technology — which can identify "
                      "people from surveillance footage using image databases — as a tool for U.S. Immigration "
                      "and Customs Enforcement")


@pytest.fixture(scope="module")
def served(sample_graph):
    with timeline_server(open_store(sample_graph), workers=1, isolation="thread") as server:
        yield server


def clean(v, served, status: int = 200) -> None:
    """The page kept to its CSP, logged no error and asked nothing of any host but the server."""
    assert v.page.evaluate("window.__cspViolations") == []
    expected = [] if status == 200 else [f"Failed to load resource: the server responded with a status of {status} "
                                         "(Not Found)"]  # what Chromium logs for any 404 page
    assert v.console_errors == expected and v.page_errors == []
    assert [u for u in v.requests if not u.startswith(served.url + "/")] == []


def test_find_ice_open_the_meeting_read_the_bloomberg_sentence(browser, served) -> None:
    with visit(browser, served.url + "/", init_script=RECORD, wait_for="#wb-q") as v:
        page = v.page
        v.screenshot("workbench-home-1280.png")
        clean(v, served)
        page.fill("#wb-q", "ICE")  # the search box suggests as one types
        option = page.locator("#wb-suggest [role=option]", has_text="U.S. Immigration and Customs Enforcement")
        option.first.wait_for()
        page.keyboard.press("ArrowDown")
        assert page.get_attribute("#wb-suggest-0", "aria-selected") == "true"
        page.keyboard.press("Enter")
        page.wait_for_url("**/entity/ice")
        assert page.locator("h1").inner_text() == "U.S. Immigration and Customs Enforcement"
        v.screenshot("workbench-entity-1280.png")
        clean(v, served)

        page.locator("#events ~ ol a", has_text=MEETING).click()
        page.wait_for_url("**/event/amazon-ice-meeting-2018-06")
        assert page.locator("h1").inner_text() == MEETING
        assert "June 2018" in page.locator(".wb-lede").inner_text()
        v.screenshot("workbench-event-1280.png")
        clean(v, served)

        quote = page.locator("blockquote.wb-quote", has_text=BLOOMBERG_SENTENCE)
        quote.locator("footer a").first.click()
        page.wait_for_url("**/source/bloomberg-2018-10-23#q-*")
        mark = page.locator("mark:target")
        assert mark.inner_text() == BLOOMBERG_SENTENCE
        assert mark.is_visible() and mark.evaluate(
            "m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
        background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # it is highlighted
        # The highlight leads back to what it supports.
        assert page.locator("mark:target + .wb-supports a", has_text=MEETING).count() == 1
        v.screenshot("workbench-source-1280.png")
        clean(v, served)


def test_search_without_javascript_still_works(browser, served) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.url + "/")
        page.fill("#wb-q", "Bloomberg")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=Bloomberg")
        assert page.locator("#entity a", has_text="Bloomberg").count() >= 1
        assert page.locator("mark.wb-hit").first.inner_text() == "Bloomberg"
    finally:
        context.close()


@pytest.mark.parametrize("path, name", [("/", "home"), ("/search?q=Rekognition", "search"), ("/entity/ice", "entity"),
                                        ("/event/amazon-ice-meeting-2018-06", "event"),
                                        ("/source/bloomberg-2018-10-23", "source"), ("/entity/nobody", "404")])
def test_each_page_at_phone_width_has_no_sideways_scroll(browser, served, path, name) -> None:
    with visit(browser, served.url + path, init_script=RECORD, viewport=(360, 740), wait_for="main") as v:
        assert v.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        v.page.keyboard.press("Tab")  # the skip link comes first
        assert v.page.evaluate("document.activeElement.textContent") == "Skip to content"
        v.screenshot(f"workbench-{name}-360.png")
        clean(v, served, 404 if name == "404" else 200)
