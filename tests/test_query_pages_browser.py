"""The workbench's query pages in Chromium, served by `timeline serve`: what an analyst does and sees.

Each visit records requests that leave the server, console errors and CSP violations (in every frame): there
must be none.
"""

from __future__ import annotations

import pytest
from browser import visit
from servers import timeline_server

from timeline.stores import open_store

RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
}, true);
"""


@pytest.fixture(scope="module")
def served(sample_graph):
    with timeline_server(open_store(sample_graph), workers=2, isolation="thread") as server:
        yield server


def outside(server, requests: list[str]) -> list[str]:
    """Requests to anywhere but the server itself."""
    return [url for url in requests if not url.startswith(server.url + "/")]


def clean(server, v) -> None:
    for frame in v.page.frames:
        assert frame.evaluate("window.__cspViolations || []") == [], frame.url
    assert v.console_errors == [] and v.page_errors == []
    assert outside(server, v.requests) == []
    assert server.url.startswith("http://127.0.0.1:")


def test_run_actor_timeline_for_ice_from_its_form_and_see_it_as_a_timeline(browser, served) -> None:
    with visit(browser, served.url + "/queries/actor-timeline", init_script=RECORD_CSP_VIOLATIONS,
               wait_for="#p-actor[role=combobox]") as v:
        page = v.page
        page.locator("#p-actor").press_sequentially("ICE", delay=30)
        option = page.get_by_role("option", name="U.S. Immigration and Customs Enforcement")
        option.click()
        assert page.locator("#p-actor").input_value() == "U.S. Immigration and Customs Enforcement"
        page.get_by_role("button", name="Run the query").click()
        page.wait_for_selector("table.wbq-table")
        rows = page.locator("table.wbq-table tbody tr")
        assert rows.count() == 9
        assert "/event/amazon-ice-meeting-2018-06" in page.locator("table.wbq-table a").first.get_attribute("href")
        v.screenshot("workbench-query-table.png")
        page.get_by_role("link", name="As a timeline").click()
        frame = page.frame_locator("iframe.wbq-frame")
        frame.locator(".vis-item[data-event]").first.wait_for()
        assert frame.locator(".vis-item[data-event]").count() >= 5
        page.wait_for_timeout(300)
        v.screenshot("workbench-query-timeline.png")
        clean(served, v)


def test_a_keyboard_user_picks_a_suggestion_with_the_arrow_keys(browser, served) -> None:
    with visit(browser, served.url + "/path", init_script=RECORD_CSP_VIOLATIONS,
               wait_for="#path-from[role=combobox]") as v:
        page = v.page
        page.locator("#path-from").press_sequentially("ICE", delay=30)
        page.wait_for_selector("#path-from-suggest li")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")  # takes the name; does not send the form
        assert page.locator("#path-from").input_value() == "U.S. Immigration and Customs Enforcement"
        page.locator("#path-to").fill("Amazon")
        page.locator("#path-hops").fill("2")
        page.locator("#path-hops").press("Enter")
        page.wait_for_selector(".wbq-hop")
        assert page.locator(".wbq-hop blockquote").count() >= 1
        v.screenshot("workbench-query-path.png")
        clean(served, v)


def _type_query(page, text: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_the_editor_highlights_sparql_runs_on_ctrl_enter_and_marks_an_error_at_its_line(browser, served) -> None:
    with visit(browser, served.url + "/editor", init_script=RECORD_CSP_VIOLATIONS, wait_for=".cm-editor") as v:
        page = v.page
        assert page.locator("#wbq-query").is_hidden()  # the editor took the textarea's place
        keyword = page.locator(".cm-line span", has_text="SELECT").first
        variable = page.locator(".cm-line span", has_text="?event").first
        colours = {keyword.evaluate("e => getComputedStyle(e).color"),
                   variable.evaluate("e => getComputedStyle(e).color"),
                   page.locator(".cm-content").evaluate("e => getComputedStyle(e).color")}
        assert len(colours) == 3  # keyword, variable and plain text each in their own colour
        v.screenshot("workbench-query-editor.png")

        _type_query(page, "SELECT ?e ?label WHERE {\n  ?e a tl:Event ; rdfs:label ?label .\n}\nLIMIT 4")
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        page.wait_for_selector("table.wbq-table")
        assert page.locator("table.wbq-table tbody tr").count() == 4
        assert "query=SELECT" in page.url  # the address is the query and its answer: it can be shared
        v.screenshot("workbench-query-editor-result.png")

        page.wait_for_selector(".cm-editor")
        _type_query(page, "SELECT * WHERE {\n  ?s ?p ?o\n  ?s ?p ?o ) .\n}")  # a stray ")" on line 3
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        page.wait_for_selector(".cm-lintRange-error")
        assert page.locator("#wbq-error").get_attribute("data-line") == "3"
        lines = page.locator(".cm-line")
        marked = [i + 1 for i in range(lines.count()) if lines.nth(i).locator(".cm-lintRange-error").count()]
        assert marked == [3] and page.locator(".cm-lintRange-error").inner_text() == ")"
        assert "Line 3" in page.locator("#wbq-error").inner_text()
        v.screenshot("workbench-query-editor-error.png")
        clean(served, v)


def test_the_editor_and_the_list_keep_to_their_policy(browser, served) -> None:
    with visit(browser, served.url + "/queries/", init_script=RECORD_CSP_VIOLATIONS, wait_for="h1") as v:
        v.page.get_by_role("link", name="Timeline of an actor").click()
        v.page.wait_for_selector("#p-actor")
        v.page.goto(served.url + "/editor?query=SELECT%20%3Fx%20WHERE%20%7B%20%3Fx%20a%20tl%3ACase%20%7D&run=1"
                    "&view=graph")
        v.page.frame_locator("iframe.wbq-frame").locator("canvas").first.wait_for()
        v.page.wait_for_timeout(300)
        clean(served, v)
