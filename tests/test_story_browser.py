"""The story page in a real browser (Debian Chromium through Playwright), at the sizes it is shown at.

1280x800 (a classroom projector or laptop), 600x900 (a course page's column in an LMS), 360x740 (a phone), and
650 px high (an iframe in a course page). At each: every slide is reached with Next, with the keyboard and with a
swipe; a link to an event opens its slide; the navigator stays inside the frame; the page never scrolls sideways
and no text runs out of its box; nothing is fetched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from browser import ARTIFACTS, Visit, visit  # noqa: E402

from timeline.render.embed import embed_snippet  # noqa: E402
from timeline.render.story import case_description, render_story  # noqa: E402

ICE = "amazon-ice-meeting-2018-06"
READY = "html.st-ready"
SIZES = [(1280, 800), (600, 900), (360, 740), (600, 650)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory, view, store) -> tuple[Path, object]:
    """The sample's story page on disk, and its view."""
    page = tmp_path_factory.mktemp("story") / "story.html"
    page.write_text(render_story(view, description=case_description(store)), encoding="utf-8")
    return page, view


def clean(v: Visit) -> None:
    assert v.requests == [], v.requests
    assert v.console_errors == [], v.console_errors
    assert v.page_errors == [], v.page_errors


# What a person would see go wrong, measured on the page as it is now: the current slide, where the navigator and
# its current tick are, sideways scrolling, text running out of its box (the navigator's strip scrolls by design).
STATE = """(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const slide = document.querySelector('.st-slide.st-current');
  const overflowing = [];
  const scope = [...slide.querySelectorAll('*'), ...document.querySelectorAll('.st-bar *, .st-steps *')];
  const hidden = (el) => { for (let e = el; e; e = e.parentElement)
    if (getComputedStyle(e).clipPath !== 'none') return true; return false; };  // only for screen readers
  for (const el of scope) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).display === 'inline' || hidden(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1 || r.right > innerWidth + 0.5 || r.left < -0.5)
      overflowing.push((el.className || el.tagName) + ': ' + el.textContent.trim().slice(0, 50));
  }
  const current = document.querySelector('.st-tick[aria-current]');
  const visible = [...document.querySelectorAll('.st-slide')].filter(s => s.getBoundingClientRect().height > 0);
  return {
    index: storyPage.current(), id: storyPage.currentId(), shown: visible.length,
    heading: (slide.querySelector('h2') || {}).textContent,
    nav: box(document.querySelector('.st-controls')), track: box(document.getElementById('st-track')),
    tick: current ? box(current) : null, tickIndex: current ? Number(current.dataset.index) : -1,
    sideways: document.documentElement.scrollWidth - innerWidth, overflowing,
    hash: location.hash, live: document.getElementById('st-live').textContent,
  };
})()"""


def state(page) -> dict:
    return page.evaluate(STATE)


def check_frame(s: dict, size: tuple[int, int], where: str) -> None:
    """The navigator and its current tick inside the frame; no sideways scrolling; no text out of its box."""
    width, height = size
    left, top, right, bottom = s["nav"]
    assert left >= -0.5 and top >= -0.5 and right <= width + 0.5 and bottom <= height + 0.5, (where, s["nav"])
    t_left, _, t_right, t_bottom = s["track"]
    x0, y0, x1, y1 = s["tick"]
    assert t_left - 0.5 <= x0 and x1 <= t_right + 0.5 and y1 <= height + 0.5, (where, s["tick"], s["track"])
    assert s["tickIndex"] == s["index"], where
    assert s["sideways"] <= 0, (where, s["sideways"])
    assert s["overflowing"] == [], (where, s["overflowing"])
    assert s["shown"] == 1, where


def expected(view, i: int) -> tuple[str, str]:
    """(event id, heading) of slide ``i`` (0: the title slide)."""
    return ("", view.case_title) if i == 0 else (view.events[i - 1].id, view.events[i - 1].label)


# ---------------------------------------------------------------- every slide, three ways, at every size


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_slide_by_next_and_by_keyboard(browser, sample, size) -> None:
    path, view = sample
    n = len(view.events)
    with visit(browser, path.as_uri(), viewport=size, reduced_motion=True, wait_for=READY) as v:
        page = v.page
        s = state(page)
        assert (s["id"], s["heading"]) == expected(view, 0) and s["hash"] == ""
        check_frame(s, size, "title slide")
        v.screenshot(f"story-title-{size[0]}x{size[1]}.png")
        assert page.get_attribute("#st-prev", "aria-disabled") == "true"
        for i in range(1, n + 1):  # Next, by mouse
            page.click("#st-next")
            s = state(page)
            assert (s["id"], s["heading"]) == expected(view, i), i
            assert s["hash"] == f"#{view.events[i - 1].id}"
            check_frame(s, size, f"slide {i} by Next")
            if view.events[i - 1].id == ICE:
                v.screenshot(f"story-ice-{size[0]}x{size[1]}.png")
        assert page.get_attribute("#st-next", "aria-disabled") == "true"
        page.click("#st-next", force=True)  # at the end, Next (aria-disabled) does nothing
        assert state(page)["index"] == n
        # The keyboard: Home, then → through every slide, ← back one, End.
        page.keyboard.press("Home")
        assert state(page)["index"] == 0
        for i in range(1, n + 1):
            page.keyboard.press("ArrowRight")
            s = state(page)
            assert (s["id"], s["heading"]) == expected(view, i), i
            check_frame(s, size, f"slide {i} by the keyboard")
        page.keyboard.press("ArrowLeft")
        assert state(page)["index"] == n - 1
        page.keyboard.press("Home")
        page.keyboard.press("End")
        assert state(page)["index"] == n
        clean(v)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_slide_by_swipe(browser, sample, size) -> None:
    path, view = sample
    n = len(view.events)
    with visit(browser, path.as_uri(), viewport=size, touch=True, wait_for=READY, reduced_motion=True) as v:
        page = v.page
        cdp = page.context.new_cdp_session(page)

        def swipe(dx: float, dy: float = 0) -> None:
            x, y = size[0] / 2 - dx / 2, size[1] * 0.4
            cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
            for step in range(1, 6):
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                    {"x": x + dx * step / 5, "y": y + dy * step / 5}]})
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

        for i in range(1, n + 1):  # right to left: the next slide
            swipe(-size[0] * 0.5)
            s = state(page)
            assert (s["id"], s["heading"]) == expected(view, i), i
            check_frame(s, size, f"slide {i} by swipe")
        swipe(size[0] * 0.5)  # left to right: back
        assert state(page)["index"] == n - 1
        swipe(-30, 250)  # mostly up-down: the slide scrolls, the story stays
        assert state(page)["index"] == n - 1
        if size == (360, 740):
            v.screenshot("story-swiped-360x740.png")
        # A tap on a tick of the navigator opens that date's slide.
        page.locator(f'.st-tick[href="#{ICE}"]').scroll_into_view_if_needed()
        page.locator(f'.st-tick[href="#{ICE}"]').tap()
        assert state(page)["id"] == ICE
        clean(v)


# ---------------------------------------------------------------- addresses and history


def test_a_link_to_an_event_opens_its_slide_and_back_goes_back(browser, sample) -> None:
    path, view = sample
    index = next(i for i, e in enumerate(view.events, start=1) if e.id == ICE)
    size = (1280, 800)
    with visit(browser, f"{path.as_uri()}#{ICE}", viewport=size, wait_for=READY) as v:
        page = v.page
        s = state(page)
        assert (s["index"], s["id"]) == (index, ICE)
        event = view.events[index - 1]
        assert s["live"] == f"Event {index} of {len(view.events)}: {event.date_label}, {event.label}"
        page.wait_for_timeout(300)  # the slide's entrance
        check_frame(state(page), size, "deep link")
        text = page.inner_text(".st-slide.st-current")
        for citation in event.citations:
            assert citation.quote.split()[0] in text and citation.title in text
        links = page.eval_on_selector_all(".st-slide.st-current a.st-source-title", "els => els.map(a => a.href)")
        assert links and all(u.startswith("https://") for u in links)
        v.screenshot("story-1280.png")
        # Moving updates the address; the browser's Back returns to the slide before, Forward again.
        page.click("#st-next")
        assert state(page)["hash"] == f"#{view.events[index].id}"
        page.go_back()
        page.wait_for_function(f"storyPage.currentId() === {json.dumps(ICE)}")
        page.go_forward()
        page.wait_for_function(f"storyPage.currentId() === {json.dumps(view.events[index].id)}")
        # Typing another address (a hash change) moves too; an unknown one opens the title slide.
        page.evaluate("location.hash = '#aclu-report-2018-05'")
        page.wait_for_function("storyPage.currentId() === 'aclu-report-2018-05'")
        page.evaluate("location.hash = '#no-such-event'")
        page.wait_for_function("storyPage.current() === 0")
        # A claim's "on the slide ..." link moves to the slide that tells the contradicting claim.
        page.evaluate("location.hash = '#mashable-report-2018-10-23'")
        page.wait_for_function("storyPage.currentId() === 'mashable-report-2018-10-23'")
        page.click(".st-slide.st-current a.st-slide-link[href='#amazon-ice-meeting-2018-06']")
        assert state(page)["id"] == ICE
        clean(v)
    with visit(browser, f"{path.as_uri()}#{ICE}", viewport=(360, 740), wait_for=READY) as v:
        page = v.page
        page.wait_for_timeout(300)
        check_frame(state(page), (360, 740), "deep link on a phone")
        v.screenshot("story-360.png")
        # The quotes are below the fold on a phone: the frame says so until the slide is scrolled to its end.
        assert page.is_visible(".st-more-cue")
        page.evaluate("document.getElementById('st-viewport').scrollTop = 1e6")
        page.wait_for_selector(".st-more-cue", state="hidden")
        assert page.is_visible(".st-slide.st-current .st-quote")
        clean(v)


# ---------------------------------------------------------------- embedded, keyboard only, themes, motion


def test_embedded_in_a_course_page_at_650_px(browser, sample, tmp_path) -> None:
    path, view = sample
    host = path.parent / "course.html"
    snippet = embed_snippet(path.name, view.case_title).replace("height:640px", "height:650px")
    host.write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
                    "<title>Course page</title></head><body style='margin:0'><div style='width:600px'>"
                    "<h1>Week 3: face recognition and the police</h1>" + snippet + "<p>Text after.</p></div>"
                    "</body></html>", encoding="utf-8")
    with visit(browser, host.as_uri(), viewport=(1000, 900)) as v:
        frame = v.page.wait_for_selector("iframe").content_frame()
        frame.wait_for_selector(READY)
        assert frame.evaluate("innerHeight") == 650 and frame.evaluate("innerWidth") == 600
        assert v.page.evaluate("scrollY") == 0  # opening the story neither scrolls nor takes the host page
        for _ in range(len(view.events)):
            frame.click("#st-next")
            frame.wait_for_function("document.getAnimations().every(a => a.playState === 'finished')")
            check_frame(frame.evaluate(STATE), (600, 650), "in the iframe")
        # The frame keeps its height: the story's controls never move below the host's view of it.
        assert v.page.evaluate("document.querySelector('iframe').getBoundingClientRect().height") == 650
        v.page.screenshot(path=str(ARTIFACTS / "story-in-course-page-600x650.png"))
        assert v.requests == [path.as_uri()]  # the frame's page, nothing else
        assert v.console_errors == [] and v.page_errors == []


def test_in_a_notebook_the_sandboxed_frame_works(browser, sample, tmp_path) -> None:
    from timeline.render.story import story_page

    _, view = sample
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Notebook</title></head>"
                    "<body>" + story_page(view)._repr_html_() + "</body></html>", encoding="utf-8")
    with visit(browser, host.as_uri()) as v:
        frame = v.page.wait_for_selector("iframe").content_frame()
        frame.wait_for_selector(READY)
        for _ in range(3):
            frame.click("#st-next")
        assert frame.evaluate("storyPage.currentId()") == view.events[2].id
        clean(v)


def test_keyboard_only_with_visible_focus_and_announcements(browser, sample) -> None:
    path, view = sample
    with visit(browser, path.as_uri(), viewport=(600, 900), wait_for=READY) as v:
        page = v.page
        order = []
        for _ in range(5):  # the sixth leaves the page for the browser's own controls
            page.keyboard.press("Tab")
            order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", order[-1]
        assert order == ["st-viewport", "st-start", "st-tick", "st-prev", "st-next"], order
        page.focus("#st-start")
        page.keyboard.press("Enter")
        first = view.events[0]
        assert state(page)["id"] == first.id
        assert page.evaluate("document.activeElement.id") == "st-next"  # Enter again goes on
        assert page.inner_text("#st-live") == f"Event 1 of {len(view.events)}: {first.date_label}, {first.label}"
        page.keyboard.press("Enter")
        assert state(page)["index"] == 2
        # On the navigator: one tab stop (the current tick); the arrows move it along, and the focus with it.
        page.focus(".st-tick[aria-current]")
        page.keyboard.press("ArrowRight")
        assert state(page)["index"] == 3
        assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "step"
        page.keyboard.press("Enter")  # a tick's link opens its own slide: no change
        assert state(page)["index"] == 3
        assert page.eval_on_selector_all(".st-tick[tabindex='0']", "els => els.length") == 1
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
    return parse(getComputedStyle(document.documentElement).backgroundColor) || { r: 255, g: 255, b: 255, a: 1 };
  };
  const low = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (el.closest('script, style, .st-visually-hidden, [aria-disabled="true"]')) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const ratio = ((a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05))(
      lum(parse(getComputedStyle(el).color)), lum(background(el)));
    checked++;
    if (ratio < 4.5) low.push([el.className || el.tagName, ratio.toFixed(2), el.textContent.trim().slice(0, 30)]);
  }
  return { checked, low };
})()"""


@pytest.mark.parametrize("theme", ["light", "dark", "contrast", "auto-dark"])
def test_themes_keep_text_readable(browser, sample, tmp_path, view, store, theme) -> None:
    page_path = tmp_path / f"{theme}.html"
    page_path.write_text(render_story(view, description=case_description(store), accent="#ff9900",
                                      theme="auto" if theme == "auto-dark" else theme), encoding="utf-8")
    with visit(browser, f"{page_path.as_uri()}#{ICE}", viewport=(1280, 800), wait_for=READY) as v:
        page = v.page
        if theme == "auto-dark":
            page.emulate_media(color_scheme="dark")
        dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (dark == "rgb(255, 255, 255)") == (theme in ("light", "contrast")), dark
        for target in (ICE, "washington-county-employees-question-use", ""):
            page.evaluate(f"location.hash = {json.dumps('#' + target)}")
            page.wait_for_function(f"storyPage.currentId() === {json.dumps(target)}")
            result = page.evaluate(CONTRAST)
            assert result["checked"] > 15 and result["low"] == [], (target, result)
        v.screenshot(f"story-theme-{theme}.png")
        clean(v)


def test_reduced_motion_is_respected(browser, sample) -> None:
    path, _ = sample
    with visit(browser, path.as_uri(), reduced_motion=True, wait_for=READY) as v:
        page = v.page
        page.click("#st-next")
        assert page.evaluate("getComputedStyle(document.querySelector('.st-slide.st-current')).animationName") \
            == "none"
        assert page.evaluate("storyPage.reducedMotion()")
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        page = v.page
        page.click("#st-next")
        assert page.evaluate("getComputedStyle(document.querySelector('.st-slide.st-current')).animationName") \
            == "st-enter"
        # With motion, the navigator glides to the current tick; it ends inside the strip all the same.
        page.keyboard.press("End")
        page.wait_for_timeout(800)
        check_frame(state(page), (1280, 900), "after a smooth scroll")
        clean(v)


def test_without_javascript_every_slide_reads_as_a_page(browser, sample) -> None:
    path, view = sample
    context = browser.new_context(java_script_enabled=False, viewport={"width": 600, "height": 900})
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        shown = page.eval_on_selector_all(".st-slide", "els => els.filter(e => e.offsetHeight > 0).length")
        assert shown == len(view.events) + 1
        assert not page.is_visible(".st-controls") and not page.is_visible("#st-start")
    finally:
        context.close()


def test_the_page_says_when_it_is_ready(browser, sample) -> None:
    """storyPage.readyAt (ms from navigation start) is what benchmarks/bench_render.py times: it is set once the
    first slide shows and the keys work. (How fast is measured there, not here.)"""
    path, _ = sample
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        ready = v.page.evaluate("storyPage.readyAt")
        assert isinstance(ready, (int, float)) and ready > 0
        v.page.keyboard.press("ArrowRight")
        assert v.page.evaluate("location.hash")


def test_an_event_image_shows_inside_the_frame_and_nothing_is_fetched(browser, case_copy, tmp_path) -> None:
    from test_render_story import image_case

    from timeline.stores import open_store
    from timeline.views.model import load_view

    built = tmp_path / "out"
    case_dir = image_case(case_copy, built)
    store = open_store(built / case_dir.name / "graph.nq")
    page_path = tmp_path / "story.html"
    page_path.write_text(render_story(load_view(store), description=case_description(store), case_dir=case_dir),
                         encoding="utf-8")
    for size in ((1280, 800), (360, 740)):
        with visit(browser, f"{page_path.as_uri()}#{ICE}", viewport=size, reduced_motion=True, wait_for=READY) as v:
            page = v.page
            image = page.locator(".st-slide.st-current img")
            assert image.get_attribute("alt") == "A blue rectangle standing for the meeting room"
            assert page.evaluate("document.querySelector('.st-slide.st-current img').naturalWidth") == 48
            assert "Test pattern, CC0" in page.inner_text(".st-slide.st-current figcaption")
            check_frame(state(page), size, "a slide with an image")
            v.screenshot(f"story-image-{size[0]}x{size[1]}.png")
            page.evaluate("location.hash = '#aclu-report-2018-05'")
            page.wait_for_function("storyPage.currentId() === 'aclu-report-2018-05'")
            assert page.locator(".st-slide.st-current img").count() == 0
            assert page.locator(".st-slide.st-current a[href='https://example.org/report-cover.jpg']").count() == 1
            clean(v)
