"""The timeline page in a real browser (Debian Chromium through Playwright).

Pages are written to a temporary directory and opened from ``file://`` or
served by ``http.server`` on the loopback interface. Every visit checks that the
page issued no network request and logged no error.
"""

from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from browser import visit  # noqa: E402

from timeline.render.embed import HEIGHT_MESSAGE, embed_snippet  # noqa: E402
from timeline.render.timeline import render_timeline, timeline_page  # noqa: E402
from timeline.stores import open_store  # noqa: E402
from timeline.testing.views import synthetic_view  # noqa: E402
from timeline.views.model import (  # noqa: E402
    Citation,
    ClaimView,
    EntityView,
    EventView,
    Participant,
    SourceView,
    View,
    load_view,
)

ICE = "amazon-ice-meeting-2018-06"
ICE_QUOTE = "In June 2018, Amazon Web Services sales representatives met with ICE officials"
READY = "html.tl-ready"


@pytest.fixture(scope="module")
def sample(tmp_path_factory, sample_graph):
    """The sample case's page on disk, view and store: (page path, view, store)."""
    store = open_store(sample_graph)
    view = load_view(store)
    page = tmp_path_factory.mktemp("timeline") / "timeline.html"
    page.write_text(render_timeline(view), encoding="utf-8")
    return page, view, store


def clean(v) -> None:
    assert v.requests == [], v.requests
    assert v.console_errors == [], v.console_errors
    assert v.page_errors == [], v.page_errors


def drawn_events(page) -> set[str]:
    """Events drawn on the timeline, scrolling the lanes from top to bottom (lanes out of sight are not drawn)."""
    box = page.locator("#tl-widget .vis-panel.vis-left").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # over the lane names
    seen: set[str] = set()
    last = None
    for _ in range(100):
        seen |= set(page.eval_on_selector_all(".vis-item[data-event]", "els => els.map(e => e.dataset.event)"))
        top = page.evaluate("document.querySelector('#tl-widget .vis-panel.vis-left').scrollTop")
        if top == last:
            break
        last = top
        page.mouse.wheel(0, 300)
        page.wait_for_function(f"document.querySelector('#tl-widget .vis-panel.vis-left').scrollTop != {top} || "
                               "document.querySelector('#tl-widget .vis-panel.vis-left').scrollHeight - "
                               f"{top} <= document.querySelector('#tl-widget .vis-panel.vis-left').clientHeight + 1")
        page.wait_for_timeout(50)  # vis-timeline redraws the lanes that came into view
    return seen


# ---------------------------------------------------------------- the sample case


def test_every_event_of_the_store_is_drawn(browser, sample) -> None:
    path, view, store = sample
    n = int(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?e a tl:Event }").records()[0]["n"])
    assert n == len(view.events) == 45
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        page = v.page
        assert page.inner_text("#tl-count") == f"{n} of {n} events shown"
        assert page.eval_on_selector_all("#tl-twin-list > li", "els => els.length") == n
        assert page.eval_on_selector_all("#tl-twin-list time[datetime]", "els => els.length") == n
        # Lanes are labelled with text, not colour alone.
        labels = page.eval_on_selector_all(".vis-label .tl-lane-label", "els => els.map(e => e.textContent)")
        assert "Amazon" in labels and "U.S. Immigration and Customs Enforcement" in labels
        # Date precision is visible: the month-precision meeting says so on the item and spans its month.
        item = page.locator(f'.vis-item[data-event="{ICE}"]').first
        assert "June 2018" in item.inner_text()
        assert "vis-range" in item.get_attribute("class")
        assert item.get_attribute("aria-label") == "Amazon Web Services pitches Rekognition to ICE in California, " \
                                                   "June 2018"
        # An approximate date has a text marker and a dashed border.
        approx = page.locator('.vis-item[data-event="amazon-employees-object"]').first
        assert approx.locator(".tl-mark").inner_text() == "~"
        assert approx.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
        # The wheel over the plot neither zooms nor scrolls the lanes: the page scrolls. Ctrl + wheel zooms.
        page.evaluate("window.scrollTo(0, 0)")
        box = page.locator("#tl-widget .vis-panel.vis-center").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 100)
        before = page.evaluate("JSON.stringify(timelinePage.timeline.getWindow())")
        lanes_top = page.evaluate("document.querySelector('#tl-widget .vis-panel.vis-left').scrollTop")
        page.mouse.wheel(0, 200)
        page.wait_for_function("window.scrollY > 0")
        assert page.evaluate("JSON.stringify(timelinePage.timeline.getWindow())") == before
        assert page.evaluate("document.querySelector('#tl-widget .vis-panel.vis-left').scrollTop") == lanes_top
        page.keyboard.down("Control")
        page.mouse.wheel(0, -200)
        page.keyboard.up("Control")
        page.wait_for_timeout(100)
        assert page.evaluate("JSON.stringify(timelinePage.timeline.getWindow())") != before
        page.click("#tl-fit")
        assert len(drawn_events(page)) == n
        clean(v)


def test_click_shows_citations_and_screenshots(browser, sample) -> None:
    path, view, _ = sample
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        page = v.page
        page.wait_for_timeout(300)
        v.screenshot("timeline-sample.png")
        page.locator(f'.vis-item[data-event="{ICE}"]').first.click()
        page.wait_for_selector("#tl-detail:not([hidden])")
        detail = page.inner_text("#tl-detail")
        event = next(e for e in view.events if e.id == ICE)
        assert event.label in detail
        assert ICE_QUOTE in detail
        for citation in event.citations:  # every citation, with its article
            assert citation.quote in detail
            assert citation.title in detail
        assert "Amazon Web Services \u2014 initiator" in detail
        assert "June 2018" in detail and "2018-06" in detail
        links = page.eval_on_selector_all("#tl-detail a.tl-cite-title", "els => els.map(a => a.href)")
        assert links and all(href.startswith("https://www.news.com.au/") for href in links)
        assert page.evaluate("location.hash") == f"#{ICE}"
        assert page.inner_text("#tl-live") == f"{event.label}, {event.date_label}"
        page.wait_for_timeout(300)
        v.screenshot("timeline-sample-panel.png")
        clean(v)


def test_keyboard_model(browser, sample) -> None:
    path, view, _ = sample
    first, second = view.events[0], view.events[1]
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        page = v.page
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "tl-widget":
                break
        assert page.evaluate("document.activeElement.id") == "tl-widget"
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("ArrowRight")
        assert page.evaluate("timelinePage.current()") == first.id
        page.keyboard.press("ArrowRight")
        assert page.evaluate("timelinePage.current()") == second.id
        assert page.inner_text("#tl-live") == f"{second.label}, {second.date_label}"
        assert page.evaluate("location.hash") == f"#{second.id}"
        page.keyboard.press("Enter")
        page.wait_for_selector("#tl-detail:not([hidden])")
        assert second.label in page.inner_text("#tl-detail")
        assert page.evaluate("document.activeElement.id") == "tl-detail-title"
        page.keyboard.press("Escape")
        assert page.is_hidden("#tl-detail")
        assert page.evaluate("document.activeElement.id") == "tl-widget"
        page.keyboard.press("ArrowLeft")
        assert page.evaluate("timelinePage.current()") == first.id
        page.keyboard.press("End")
        assert page.evaluate("timelinePage.current()") == view.events[-1].id
        # The page adds no key listener to the document: a key pressed elsewhere does nothing.
        page.focus("#tl-search")
        page.keyboard.press("Escape")
        assert page.evaluate("timelinePage.current()") == view.events[-1].id
        clean(v)


def test_deep_link_opens_the_event(browser, sample) -> None:
    path, view, _ = sample
    with visit(browser, f"{path.as_uri()}#{ICE}", wait_for=READY) as v:
        page = v.page
        page.wait_for_selector("#tl-detail:not([hidden])")
        assert page.get_attribute("#tl-panel", "data-event") == ICE
        assert ICE_QUOTE in page.inner_text("#tl-detail")
        assert page.evaluate("timelinePage.current()") == ICE
        assert page.locator(f'.vis-item.vis-selected[data-event="{ICE}"]').count() >= 1
        # A link in the text twin opens its event in the same way, without leaving the page.
        other = view.events[3]
        page.click(f'#tl-twin-list li[data-event="{other.id}"] a')
        page.wait_for_function(f"timelinePage.current() === {other.id!r}")
        assert other.label in page.inner_text("#tl-detail")
        assert page.evaluate("location.hash") == f"#{other.id}"
        clean(v)


def test_search_and_filters(browser, sample) -> None:
    path, view, _ = sample
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        page = v.page
        page.fill("#tl-search", "gorillas")
        page.wait_for_function("timelinePage.shown() === 1")
        assert page.inner_text("#tl-count") == "1 of 45 events shown"
        page.wait_for_timeout(100)
        drawn = set(page.eval_on_selector_all(".vis-item[data-event]", "els => els.map(e => e.dataset.event)"))
        assert drawn == {"google-photos-tagging-2015"}
        assert page.eval_on_selector_all("#tl-twin-list > li:not([hidden])", "els => els.length") == 1
        page.fill("#tl-search", "")
        page.wait_for_function("timelinePage.shown() === 45")
        ice_events = {e.id for e in view.events if any(p.id == "ice" for p in e.participants)}
        page.select_option("#tl-actor", "ice")
        assert page.evaluate("timelinePage.shown()") == len(ice_events)
        page.wait_for_timeout(100)
        assert drawn_events(page) == ice_events
        page.select_option("#tl-type", "meeting")
        assert page.evaluate("timelinePage.shown()") == 1
        page.click("#tl-reset")
        assert page.evaluate("timelinePage.shown()") == 45
        assert page.inner_text("#tl-count") == "45 of 45 events shown"
        clean(v)


CONTRAST = """(() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const low = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let checked = 0;
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (el.closest('script, style, noscript, .tl-visually-hidden')) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility !== 'visible') continue;
    const a = lum(parse(style.color));
    const b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    checked++;
    if (ratio < 4.5) low.push([el.className || el.tagName, style.color, ratio.toFixed(2),
                               el.textContent.trim().slice(0, 40)]);
  }
  return { checked, low };
})()"""


def test_text_contrast(browser, sample) -> None:
    path, _, _ = sample
    with visit(browser, f"{path.as_uri()}#{ICE}", wait_for=READY) as v:
        page = v.page
        page.wait_for_selector("#tl-detail:not([hidden])")
        page.click("#tl-licenses summary")
        result = page.evaluate(CONTRAST)
        assert result["checked"] > 100
        assert result["low"] == []
        clean(v)


# ---------------------------------------------------------------- hostile input


def hostile_view() -> View:
    img = '<img src=x onerror="window.__xss=1">'
    svg = '<svg onload="window.__xss=2"></svg>'
    script = "<script>window.__xss=3</script>"
    quote_breaker = '"><img src=x onerror=window.__xss=5>'
    evil = SourceView("evil", f"Evil title {img}", f"Evil publisher {script}", "1 June 2018",
                      "javascript:window.__xss=4")
    good = SourceView("good", "A good article", "Good News", "2 June 2018", "https://example.org/good")
    cites = [Citation("evil", f"Quote {img}", 0, evil.title, evil.publisher, evil.published, evil.url),
             Citation("good", f"Quote {svg}", 5, good.title, good.publisher, good.published, good.url)]
    actor = EntityView("evil-actor", f"Actor {script}", "Company", "company", img)
    event = EventView("evil-event", f"Label {img}", f"Description {svg}", "2018-06", "June 2018", "2018-06-01",
                      "2018-06-01", "2018-06-30", "2018-06-01", "2018-06-30", "month", False, False, "stated",
                      f"Note {quote_breaker}", f"Place {script}", ["meeting"], [f"type {img}"],
                      [Participant("evil-actor", actor.label, "initiator", "Company")], cites, ["evil-claim"])
    day = EventView("day-event", f"Day {quote_breaker}", "A day.", "2018-07-02", "2 July 2018", "2018-07-02",
                    "2018-07-02", "2018-07-02", "2018-07-02", "2018-07-02", "day", False, True, "inferred", "", "",
                    ["meeting"], ["meeting"], [Participant("evil-actor", actor.label, "target", "Company")],
                    cites[:1], [])
    claim = ClaimView("evil-claim", f"Claim {script}", "evil-actor", actor.label, "asserts", ["evil-event"],
                      "June 2018", [], cites[:1])
    return View(f"Case {img}", [event, day], {"evil-claim": claim}, {"evil-actor": actor},
                {"evil": evil, "good": good})


def test_hostile_text_stays_text(browser, tmp_path) -> None:
    path = tmp_path / "xss.html"
    path.write_text(render_timeline(hostile_view()), encoding="utf-8")
    with visit(browser, path.as_uri() + "#evil-event", wait_for=READY) as v:
        page = v.page
        page.wait_for_selector("#tl-detail:not([hidden])")
        assert page.evaluate("document.querySelectorAll('img, svg, iframe, object, embed').length") == 0
        assert page.evaluate("document.querySelectorAll('script').length") == 4  # the page's own
        detail = page.inner_text("#tl-detail")
        assert 'Label <img src=x onerror="window.__xss=1">' in detail
        assert 'Quote <svg onload="window.__xss=2"></svg>' in detail
        assert "Evil publisher <script>window.__xss=3</script>" in detail
        assert "Claim <script>window.__xss=3</script>" in detail
        assert page.title() == 'Case <img src=x onerror="window.__xss=1">'
        labels = page.eval_on_selector_all(".vis-label .tl-lane-label", "els => els.map(e => e.textContent)")
        assert labels == ["Actor <script>window.__xss=3</script>"]
        item = page.locator('.vis-item[data-event="day-event"]').first
        assert 'Day "><img src=x onerror=window.__xss=5>' in item.inner_text()
        hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
        assert not [h for h in hrefs if "javascript" in h.lower()]
        links = page.eval_on_selector_all("#tl-detail a.tl-cite-title", "els => els.map(a => a.href)")
        assert set(links) == {"https://example.org/good"}
        assert page.locator("#tl-detail cite.tl-cite-title", has_text="Evil title").count() >= 1
        page.locator('.vis-item[data-event="day-event"]').first.click()
        page.wait_for_function("timelinePage.current() === 'day-event'")
        assert "uncertain" in page.inner_text("#tl-detail")
        page.fill("#tl-search", "onerror")
        page.wait_for_function("timelinePage.shown() === 2")
        assert page.evaluate("window.__xss") is None
        clean(v)


# ---------------------------------------------------------------- served over http, embedded, motion, scale


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve(directory: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_served_over_http(browser, sample) -> None:
    path, _, _ = sample
    with serve(path.parent) as port:
        with visit(browser, f"http://127.0.0.1:{port}/{path.name}#{ICE}", wait_for=READY) as v:
            v.page.wait_for_selector("#tl-detail:not([hidden])")
            assert ICE_QUOTE in v.page.inner_text("#tl-detail")
            clean(v)


def test_embedded_in_a_page_from_another_origin(browser, sample, tmp_path) -> None:
    path, _, _ = sample
    host_dir = tmp_path / "host"
    host_dir.mkdir()
    with serve(path.parent) as page_port, serve(host_dir) as host_port:
        src = f"http://localhost:{page_port}/{path.name}"
        (host_dir / "index.html").write_text(
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            "<title>Course page</title></head><body>"
            "<h1>Course page</h1><p>Some text before the timeline.</p>"
            + embed_snippet(src, "Timeline") + "<p>Text after.</p></body></html>", encoding="utf-8")
        with visit(browser, f"http://127.0.0.1:{host_port}/index.html") as v:
            page = v.page
            frame_element = page.wait_for_selector("iframe")
            frame = frame_element.content_frame()
            frame.wait_for_selector(READY)
            assert frame.evaluate("window.parent !== window")
            frame.locator(f'.vis-item[data-event="{ICE}"]').first.click()
            frame.wait_for_selector("#tl-detail:not([hidden])")
            assert ICE_QUOTE in frame.inner_text("#tl-detail")
            # The page reports its height (HEIGHT_MESSAGE) and the host's snippet follows it, also as it grows.
            assert HEIGHT_MESSAGE == "timeline:height"
            for _ in range(50):
                height = page.evaluate("parseFloat(document.querySelector('iframe').style.height)")
                content = frame.evaluate("document.querySelector('.tl-page').getBoundingClientRect().bottom")
                if abs(height - content) < 40:
                    break
                page.wait_for_timeout(100)
            assert height > 700 and abs(height - content) < 40, (height, content)
            assert v.requests == [src]
            assert v.console_errors == [] and v.page_errors == []


def test_notebook_frame_is_sandboxed_and_works(browser, sample, tmp_path) -> None:
    _, view, _ = sample
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Notebook</title></head>"
                    "<body><div class='output'>" + timeline_page(view)._repr_html_() + "</div></body></html>",
                    encoding="utf-8")
    with visit(browser, host.as_uri()) as v:
        frame = v.page.wait_for_selector("iframe").content_frame()
        frame.wait_for_selector(READY)
        # An opaque origin: the page cannot reach the notebook's document.
        assert frame.evaluate("(() => { try { return !!window.parent.document; } catch (e) { return false; } })()") \
            is False
        frame.locator(f'.vis-item[data-event="{ICE}"]').first.click()
        frame.wait_for_selector("#tl-detail:not([hidden])")
        assert ICE_QUOTE in frame.inner_text("#tl-detail")
        clean(v)


def test_reduced_motion(browser, sample) -> None:
    path, view, _ = sample
    with visit(browser, path.as_uri(), reduced_motion=True, wait_for=READY) as v:
        page = v.page
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        assert page.evaluate("document.documentElement.classList.contains('tl-reduced-motion')")
        assert page.get_attribute("html", "data-motion") == "reduced"
        assert page.evaluate("timelinePage.reducedMotion()")
        assert page.evaluate("getComputedStyle(document.querySelector('#tl-fit')).transitionDuration") == "0s"
        # Without animation the view is already where it goes when the key is handled.
        page.focus("#tl-widget")
        page.keyboard.press("End")
        window = page.evaluate("(() => { const w = timelinePage.timeline.getWindow(); "
                               "return [w.start.getTime(), w.end.getTime()]; })()")
        page.wait_for_timeout(400)
        assert page.evaluate("(() => { const w = timelinePage.timeline.getWindow(); "
                             "return [w.start.getTime(), w.end.getTime()]; })()") == window
        clean(v)
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        assert v.page.get_attribute("html", "data-motion") == "full"


def test_five_thousand_events(browser, tmp_path) -> None:
    view = synthetic_view(5000)
    path = tmp_path / "big.html"
    path.write_text(render_timeline(view), encoding="utf-8")
    with visit(browser, path.as_uri()) as v:
        page = v.page
        page.wait_for_selector(READY, timeout=60000)
        assert page.locator("#tl-widget .vis-item").count() > 0  # first items (or clusters) visible
        assert page.inner_text("#tl-count") == "5000 of 5000 events shown"
        page.focus("#tl-widget")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        page.wait_for_selector("#tl-detail:not([hidden])")
        assert view.events[0].label in page.inner_text("#tl-detail")
        # The text twin starts closed for a large case and lists every event when opened.
        assert page.evaluate("document.getElementById('tl-twin').open") is False
        page.click("#tl-twin summary")
        assert page.eval_on_selector_all("#tl-twin-list > li", "els => els.length") == 5000
        assert page.is_visible(f'#tl-twin-list li[data-event="{view.events[-1].id}"]')
        clean(v)
