"""The timeline page in a real browser (Debian Chromium through Playwright).

Pages are written to a temporary directory and opened from ``file://`` or
served by ``http.server`` on the loopback interface. Every visit checks that the
page issued no network request and logged no error.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from browser import ARTIFACTS, visit  # noqa: E402
from smallcase import small_case_view  # noqa: E402

from timeline.render import themes  # noqa: E402
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


def test_every_event_of_the_store_is_drawn_once(browser, sample) -> None:
    path, view, store = sample
    n = int(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?e a tl:Event }").records()[0]["n"])
    assert n == len(view.events) == 45
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        page = v.page
        assert page.inner_text("#tl-count") == f"{n} of {n} events shown"
        assert page.eval_on_selector_all("#tl-twin-list > li", "els => els.length") == n
        assert page.eval_on_selector_all("#tl-twin-list time[datetime]", "els => els.length") == n
        # One lane (auto, for the sample): each event drawn once, all of them in the first view.
        drawn = page.eval_on_selector_all(".vis-item[data-event]", "els => els.map(e => e.dataset.event)")
        assert sorted(drawn) == sorted(e.id for e in view.events)
        assert page.eval_on_selector_all(".vis-label .tl-lane-label", "els => els.length") == 0
        # Date precision is visible: the month-precision meeting says so on the item and spans its month.
        item = page.locator(f'.vis-item[data-event="{ICE}"]').first
        assert "June 2018" in item.inner_text()
        assert "vis-range" in item.get_attribute("class")
        assert item.get_attribute("aria-label") == "Amazon Web Services pitches Rekognition to ICE in California, " \
                                                   "June 2018"
        # An approximate date has a text marker and a dashed border.
        approx = page.locator('.vis-item[data-event="amazon-employees-object"]').first
        assert approx.locator(".tl-mark").inner_text() == "~"
        assert approx.locator(".vis-item-content").evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
        # The wheel over the plot neither zooms nor scrolls the timeline: the page scrolls. Ctrl + wheel zooms.
        page.evaluate("window.scrollTo(0, 0)")
        box = page.locator("#tl-widget .vis-panel.vis-center").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 100)
        before = page.evaluate("JSON.stringify(timelinePage.timeline.getWindow())")
        page.mouse.wheel(0, 200)
        page.wait_for_function("window.scrollY > 0")
        assert page.evaluate("JSON.stringify(timelinePage.timeline.getWindow())") == before
        page.keyboard.down("Control")
        page.mouse.wheel(0, -200)
        page.keyboard.up("Control")
        page.wait_for_timeout(100)
        assert page.evaluate("JSON.stringify(timelinePage.timeline.getWindow())") != before
        clean(v)


def test_lanes_by_actor_when_asked(browser, sample, tmp_path) -> None:
    """--group-by actor: an event is drawn in the lane of each of its actors; the lanes scroll in their box."""
    _, view, _ = sample
    path = tmp_path / "actors.html"
    path.write_text(render_timeline(view, group_by="actor"), encoding="utf-8")
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        page = v.page
        labels = page.eval_on_selector_all(".vis-label .tl-lane-label", "els => els.map(e => e.textContent)")
        assert "Amazon" in labels and "U.S. Immigration and Customs Enforcement" in labels
        # The wheel over the lane names scrolls them; over the plot it leaves them alone.
        box = page.locator("#tl-widget .vis-panel.vis-center").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 100)
        lanes_top = page.evaluate("document.querySelector('#tl-widget .vis-panel.vis-left').scrollTop")
        page.mouse.wheel(0, 200)
        page.wait_for_timeout(100)
        assert page.evaluate("document.querySelector('#tl-widget .vis-panel.vis-left').scrollTop") == lanes_top
        page.evaluate("window.scrollTo(0, 0)")
        page.click("#tl-fit")
        assert drawn_events(page) == {e.id for e in view.events}
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
        assert set(page.eval_on_selector_all(".vis-item[data-event]", "els => els.map(e => e.dataset.event)")) \
            == ice_events
        assert_whole_and_inside(page.evaluate(FRAME))  # the filtered events are fitted in, labels whole
        page.select_option("#tl-type", "meeting")
        assert page.evaluate("timelinePage.shown()") == 1
        page.click("#tl-reset")
        assert page.evaluate("timelinePage.shown()") == 45
        assert page.inner_text("#tl-count") == "45 of 45 events shown"
        clean(v)


# ---------------------------------------------------------------- what a person sees at three widths

WIDTHS = [(1280, 800), (600, 900), (360, 740)]

#: Every drawn event's extent (its box, its label, its dot) against the time axis's frame; the labels and item
#: boxes whose text overflows them; the page's sideways overflow; where the timeline starts on the screen.
FRAME = """() => {
  const frame = document.querySelector('#tl-widget .vis-panel.vis-center').getBoundingClientRect();
  const out = { outside: [], overflowing: [], drawn: [], frame: [frame.left, frame.right] };
  for (const item of document.querySelectorAll('#tl-widget .vis-item[data-event]')) {
    const content = item.querySelector('.vis-item-content');
    const boxes = [item, content, item.querySelector('.vis-dot')].filter(Boolean).map(e => e.getBoundingClientRect());
    const left = Math.min(...boxes.map(b => b.left)), right = Math.max(...boxes.map(b => b.right));
    const top = Math.min(...boxes.map(b => b.top)), bottom = Math.max(...boxes.map(b => b.bottom));
    out.drawn.push(item.dataset.event);
    if (left < frame.left + 4 || right > frame.right - 4 || top < frame.top || bottom > frame.bottom) {
      out.outside.push([item.dataset.event, Math.round(left - frame.left), Math.round(frame.right - right)]);
    }
    for (const el of [content, item.querySelector('.tl-item-text'), item.querySelector('.tl-item-label')]) {
      if (el && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
        out.overflowing.push([item.dataset.event, el.className, el.scrollWidth, el.clientWidth]);
      }
    }
  }
  out.labels = [...document.querySelectorAll('#tl-widget .vis-item[data-event] .tl-item-label')]
    .map(e => [e.closest('.vis-item').dataset.event, e.textContent]);
  out.pageOverflow = document.scrollingElement.scrollWidth - innerWidth;
  out.widgetTop = document.getElementById('tl-widget').getBoundingClientRect().top;
  out.firstScreenItems = [...document.querySelectorAll('#tl-widget .vis-item[data-event]')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }).length;
  return out;
}"""


def assert_whole_and_inside(got: dict) -> None:
    assert got["pageOverflow"] <= 0, got["pageOverflow"]
    assert got["outside"] == [], got["outside"]
    assert got["overflowing"] == [], got["overflowing"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A user's small case (tests/smallcase.py): page path and view, rendered without options."""
    directory = tmp_path_factory.mktemp("small")
    view = small_case_view(directory)
    page = directory / "timeline.html"
    page.write_text(render_timeline(view), encoding="utf-8")
    return page, view


@pytest.fixture(params=["sample", "small"])
def case_page(request, sample, small):
    """Each of the two cases as a page rendered without options: (name, page path, view)."""
    if request.param == "sample":
        return "sample", sample[0], sample[1]
    return "small", small[0], small[1]


def first_screen(v, name: str) -> None:
    """Screenshots to look at: the first screen, and the whole page."""
    ARTIFACTS.mkdir(exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    v.screenshot(f"{name}-full.png")


@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s[0]}px")
def test_first_view_reads_at_a_glance(browser, case_page, size) -> None:
    name, path, view = case_page
    with visit(browser, path.as_uri(), viewport=size, wait_for=READY) as v:
        page = v.page
        page.wait_for_timeout(200)
        first_screen(v, f"timeline-{name}-{size[0]}")
        got = page.evaluate(FRAME)
        # Every event drawn once, whole (labels are the full titles, wrapped between words), inside the frame.
        assert sorted(got["drawn"]) == sorted(e.id for e in view.events)
        assert dict(got["labels"]) == {e.id: e.label for e in view.events}
        assert_whole_and_inside(got)
        # The first screen is the timeline, not the controls.
        assert got["widgetTop"] <= 0.3 * size[1], got["widgetTop"]
        assert got["firstScreenItems"] >= 3
        # Zoomed in and moved, then "Fit all": the same whole view again.
        page.click("#tl-zoom-in")
        page.click("#tl-zoom-in")
        page.wait_for_timeout(400)
        assert page.evaluate(FRAME)["outside"] != []
        page.click("#tl-fit")
        page.wait_for_timeout(400)
        assert_whole_and_inside(page.evaluate(FRAME))
        clean(v)


def test_the_23_december_events_show_in_full(browser, small) -> None:
    path, view = small
    last = [e.id for e in view.events if e.date_label == "23 December 2023"]
    assert len(last) == 2
    for size in WIDTHS:
        with visit(browser, path.as_uri(), viewport=size, wait_for=READY) as v:
            got = v.page.evaluate(FRAME)
            assert set(last) <= set(got["drawn"]) and got["outside"] == []
            for event_id in last:
                text = v.page.locator(f'.vis-item[data-event="{event_id}"] .tl-item-text').inner_text()
                assert text.replace("\n", " ").startswith("23 December 2023")
            clean(v)


def test_a_week_long_event_shows_its_label(browser, small) -> None:
    path, _ = small
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        item = v.page.locator('.vis-item[data-event="week-long-trial"]')
        bar = item.bounding_box()
        label = item.locator(".tl-item-text").bounding_box()
        assert bar["width"] < 20  # a sliver of a bar at this zoom ...
        assert label["width"] > 150 and item.locator(".tl-item-label").is_visible()  # ... with its whole label
        assert "Riverside High tries face matching for a week" in item.inner_text()
        clean(v)


def test_a_new_width_fits_again(browser, small) -> None:
    path, _ = small
    with visit(browser, path.as_uri(), viewport=(1280, 800), wait_for=READY) as v:
        v.page.set_viewport_size({"width": 360, "height": 740})
        v.page.wait_for_timeout(600)
        assert_whole_and_inside(v.page.evaluate(FRAME))
        clean(v)


def tab_to_timeline(page) -> None:
    for _ in range(25):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "tl-widget":
            return
    raise AssertionError("Tab never reached the timeline")


PANEL_IN_SIGHT = """() => {
  const r = document.getElementById('tl-panel').getBoundingClientRect();
  return r.height > 0 && r.top < innerHeight - 40 && r.bottom > 40;
}"""


@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s[0]}px")
def test_first_event_by_keyboard(browser, case_page, size) -> None:
    name, path, view = case_page
    first = view.events[0]
    with visit(browser, path.as_uri(), viewport=size, wait_for=READY) as v:
        page = v.page
        tab_to_timeline(page)
        page.keyboard.press("ArrowRight")
        assert page.evaluate("timelinePage.current()") == first.id
        page.wait_for_selector("#tl-detail:not([hidden])")
        assert page.inner_text("#tl-detail-title") == first.label
        assert page.evaluate(PANEL_IN_SIGHT)
        assert page.evaluate("document.activeElement.id") == "tl-widget"  # arrows go on from here
        assert page.locator(f'.vis-item.vis-selected[data-event="{first.id}"]').count() == 1
        page.wait_for_timeout(300)
        first_screen(v, f"timeline-{name}-{size[0]}-keyboard")
        page.keyboard.press("Escape")
        assert page.is_hidden("#tl-detail")
        clean(v)


def touch(cdp, kind: str, points: list[tuple[float, float]]) -> None:
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]})


def gesture(page, cdp, start: list[tuple[float, float]], end: list[tuple[float, float]], steps: int = 12) -> None:
    """Fingers put down at ``start``, moved in steps to ``end``, lifted."""
    touch(cdp, "touchStart", start)
    for k in range(1, steps + 1):
        touch(cdp, "touchMove", [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps)
                                 for (x0, y0), (x1, y1) in zip(start, end, strict=True)])
        page.wait_for_timeout(16)
    touch(cdp, "touchEnd", [])
    page.wait_for_timeout(300)


WINDOW = "(() => { const w = timelinePage.timeline.getWindow(); return [w.start.getTime(), w.end.getTime()]; })()"


@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s[0]}px")
def test_touch_tap_swipe_pinch(browser, case_page, size) -> None:
    name, path, view = case_page
    first = view.events[0]
    with visit(browser, path.as_uri(), viewport=size, touch=True, wait_for=READY) as v:
        page = v.page
        # Tap selects, and the details show the event.
        page.locator(f'.vis-item[data-event="{first.id}"] .vis-item-content').tap()
        page.wait_for_function(f"timelinePage.current() === {first.id!r}")
        page.wait_for_selector("#tl-detail:not([hidden])")
        assert page.inner_text("#tl-detail-title") == first.label
        assert page.evaluate(PANEL_IN_SIGHT)
        page.click("#tl-detail .tl-close")
        # Swipe left: later times come into view; the page does not scroll sideways.
        page.evaluate("document.getElementById('tl-widget').scrollIntoView({block: 'start'})")
        box = page.locator("#tl-widget .vis-panel.vis-center").bounding_box()
        y = box["y"] + 40
        cdp = page.context.new_cdp_session(page)
        before = page.evaluate(WINDOW)
        gesture(page, cdp, [(box["x"] + box["width"] * 0.8, y)], [(box["x"] + box["width"] * 0.3, y)])
        after = page.evaluate(WINDOW)
        assert after[0] > before[0] and abs((after[1] - after[0]) - (before[1] - before[0])) < 1000
        assert page.evaluate("document.scrollingElement.scrollLeft") == 0
        # Pinch out: zoomed in.
        mid = box["x"] + box["width"] / 2
        gesture(page, cdp, [(mid - 20, y), (mid + 20, y)], [(mid - 120, y), (mid + 120, y)])
        pinched = page.evaluate(WINDOW)
        assert pinched[1] - pinched[0] < 0.8 * (after[1] - after[0])
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


@pytest.mark.parametrize(("theme", "scheme", "background"), [
    ("auto", "light", themes.LIGHT["bg"]), ("auto", "dark", themes.DARK["bg"]), ("light", "dark", themes.LIGHT["bg"]),
    ("dark", "light", themes.DARK["bg"]), ("contrast", "dark", themes.CONTRAST["bg"]),
])
def test_every_theme_keeps_text_readable(browser, sample, tmp_path, theme, scheme, background) -> None:
    _, view, _ = sample
    path = tmp_path / f"{theme}.html"
    path.write_text(render_timeline(view, theme=theme, accent="#e91e63"), encoding="utf-8")
    with visit(browser, f"{path.as_uri()}#{ICE}", wait_for=READY) as v:
        page = v.page
        page.emulate_media(color_scheme=scheme)
        page.wait_for_selector("#tl-detail:not([hidden])")
        page.wait_for_timeout(200)
        first_screen(v, f"timeline-theme-{theme}-{scheme}")
        page.click("#tl-licenses summary")
        page.click("#tl-help summary")
        rgb = "rgb({}, {}, {})".format(*(int(background[k:k + 2], 16) for k in (1, 3, 5)))
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == rgb
        result = page.evaluate(CONTRAST)
        assert result["checked"] > 100
        assert result["low"] == []
        clean(v)


def test_print_is_a_handout(browser, small, tmp_path) -> None:
    """Printed, the page is a dated list of the events with their quotes and sources; no chart, no controls."""
    _, view = small
    path = tmp_path / "embed.html"
    path.write_text(render_timeline(view, show_title=False, theme="dark"), encoding="utf-8")
    for name, (width, height) in (("a4", (794, 1123)), ("letter", (816, 1056))):
        with visit(browser, path.as_uri(), viewport=(width, height), wait_for=READY) as v:
            page = v.page
            page.emulate_media(media="print")
            for hidden in ("#tl-widget", ".tl-bar", "#tl-panel", "#tl-twin", ".tl-legend", ".tl-footer"):
                assert page.is_hidden(hidden), hidden
            assert page.is_visible("#tl-title")  # hidden on screen (--no-title), printed as the handout's title
            assert page.is_visible("#tl-handout")
            events = page.locator(".tl-handout-event")
            assert events.count() == len(view.events)
            for k, event in enumerate(view.events):
                text = events.nth(k).inner_text()
                assert event.label in text and event.date_label in text
                for citation in event.citations:
                    assert citation.quote in text
            sources = page.locator(".tl-handout-sources li").all_inner_texts()
            assert len(sources) == 2 and all("https://" in s for s in sources)
            # Black on white whatever the theme, and no line runs past the page's width.
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
            assert page.evaluate("getComputedStyle(document.querySelector('.tl-handout-title')).color") == \
                "rgb(0, 0, 0)"
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width
            smallest = page.evaluate("""Math.min(...[...document.querySelectorAll('#tl-handout *')]
                .filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize)))""")
            assert smallest >= 12  # px, 9pt
            v.screenshot(f"timeline-handout-{name}.png")
            pdf = page.pdf(format="A4" if name == "a4" else "Letter")
            pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
            assert pdf.startswith(b"%PDF") and 1 <= pages <= 4, pages  # twelve events, sixteen quotes
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
    path.write_text(render_timeline(hostile_view(), group_by="actor"), encoding="utf-8")
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
        # Printed: the list of events with a note, not 5,000 events' quotes.
        page.emulate_media(media="print")
        assert page.is_hidden("#tl-widget") and page.is_visible("#tl-handout")
        assert "too many to print with their quotes" in page.inner_text("#tl-handout")
        assert page.locator(".tl-handout-event").count() == 0
        assert page.is_visible(f'#tl-twin-list li[data-event="{view.events[-1].id}"]')
        clean(v)
