"""Our TimelineJS export in the real Knight Lab player (``@knight-lab/timelinejs`` from npm, a devDependency).

The player's own ``dist`` files are loaded from ``node_modules`` by ``file://`` into a page that holds the
export, in a 650 px high frame (the height of the Knight Lab embed generator), with ``font: null`` and a local
``script_path`` so that the player asks for no font, language file or anything else over the network: every
request that is not ``file://`` is aborted and recorded, and a test fails if there is one.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from test_media import png, write_image  # noqa: E402

from timeline.export import TIMELINEJS_MAX_GROUPS, to_timelinejs  # noqa: E402
from timeline.htmlsafe import script_json  # noqa: E402
from timeline.render.media import media_src  # noqa: E402
from timeline.views.model import MediaView  # noqa: E402

PLAYER = Path(__file__).resolve().parents[1] / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SHOTS = Path("/tmp/shots")
FRAME_HEIGHT = 650
WIDTHS = (1280, 600)

needs_player = pytest.mark.skipif(not (PLAYER / "js" / "timeline.js").is_file(),
                                  reason="node_modules/@knight-lab/timelinejs is not installed: run `npm ci`")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TimelineJS player</title>
<link rel="stylesheet" href="{css}">
<script src="{js}"></script>
<style>html, body {{ margin: 0; }} #frame {{ width: 100%; height: {height}px; }}</style>
</head><body>
<div id="frame"></div>
<script type="application/json" id="doc">{doc}</script>
<script>
  const doc = JSON.parse(document.getElementById("doc").textContent);
  window.timeline = new TL.Timeline("frame", doc, {{
    font: null, script_path: "{script_path}", language: "en", hash_bookmark: false, duration: 0}});
  window.timeline.on("loaded", () => {{ window.tlLoaded = true; }});
</script>
</body></html>
"""


def player_page(doc: dict, directory: Path, height: int = FRAME_HEIGHT) -> Path:
    """An HTML file in ``directory`` that shows ``doc`` in the player, in a frame ``height`` px high."""
    page = directory / "player.html"
    page.write_text(PAGE.format(css=(PLAYER / "css" / "timeline.css").as_uri(),
                                js=(PLAYER / "js" / "timeline.js").as_uri(),
                                script_path=(PLAYER / "js").as_uri() + "/", height=height,
                                doc=script_json(json.dumps(doc, ensure_ascii=False))), encoding="utf-8")
    return page


@contextmanager
def open_player(browser, page: Path, width: int, height: int = FRAME_HEIGHT):
    """The player page opened at ``width`` x ``height``; yields (page, requests made that were not file://)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    outside: list[str] = []
    local = ("file://", "data:")
    context.route(lambda url: not url.startswith(local), lambda route: route.abort())  # never reach the network
    tab = context.new_page()
    tab.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    try:
        tab.goto(page.as_uri())
        tab.wait_for_function("window.tlLoaded === true")
        tab.wait_for_timeout(300)  # the player lays the navigation out again once the frame is in view
        yield tab, outside
    finally:
        context.close()


def layout(tab) -> dict:
    """Where the player drew its parts, in page pixels: frame, navigation, arrows, markers and groups."""
    return tab.evaluate("""() => {
        const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
                              return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                                      height: r.height}; };
        const shown = (sel) => [...document.querySelectorAll(sel)].filter(el => el.offsetParent !== null);
        return {frame: box(document.getElementById("frame")),
                timenav: box(document.querySelector(".tl-timenav")),
                storyslider: box(document.querySelector(".tl-storyslider")),
                previous: shown(".tl-slidenav-previous").map(box),
                next: shown(".tl-slidenav-next").map(box),
                markers: document.querySelectorAll(".tl-timemarker").length,
                groups: document.querySelectorAll(".tl-timegroup").length};
    }""")


def current_slide(tab) -> dict:
    """The slide a person sees: the player's current id, and the headline and date of the slide in the frame."""
    return tab.evaluate("""() => {
        const frame = document.getElementById("frame").getBoundingClientRect();
        const seen = [...document.querySelectorAll(".tl-slide")].filter(s => {
            const r = s.getBoundingClientRect();
            return r.width > 0 && Math.abs(r.left - frame.left) < 2; });
        const text = (s, sel) => { const el = s && s.querySelector(sel); return el ? el.innerText.trim() : null; };
        return {id: window.timeline.current_id, count: seen.length,
                headline: text(seen[0], ".tl-headline"), date: text(seen[0], ".tl-headline-date")};
    }""")


def click_next(tab) -> None:
    """Click the next arrow, as a person does, and wait until another slide has come into the frame."""
    before = current_slide(tab)["headline"]
    tab.locator(".tl-slidenav-next").click()
    tab.wait_for_function("""(before) => { const f = document.getElementById("frame").getBoundingClientRect();
        const seen = [...document.querySelectorAll(".tl-slide")].filter(s => s.getBoundingClientRect().width > 0
            && Math.abs(s.getBoundingClientRect().left - f.left) < 2);
        return seen.length === 1 && seen[0].querySelector(".tl-headline").innerText.trim() !== before; }""",
                          arg=before)


def inside(box: dict, frame: dict, slack: float = 0) -> bool:
    return (box["top"] >= frame["top"] and box["bottom"] <= frame["bottom"] + slack
            and box["left"] >= frame["left"] and box["right"] <= frame["right"])


@pytest.fixture(scope="module")
def sample_doc(view) -> dict:
    """Our export of the sample, as `timeline export --format timelinejs` writes it (grouping: auto)."""
    return json.loads(json.dumps(to_timelinejs(view)))


@needs_player
@pytest.mark.parametrize("width", WIDTHS)
def test_the_player_shows_our_export_of_the_sample_with_its_navigation_in_a_650_px_frame(
        browser, sample_doc, view, tmp_path, width) -> None:
    errors: list[str] = []
    with open_player(browser, player_page(sample_doc, tmp_path), width) as (tab, outside):
        tab.on("pageerror", lambda e: errors.append(str(e)))
        seen = layout(tab)
        frame = seen["frame"]
        assert frame["height"] == FRAME_HEIGHT
        assert seen["markers"] == len(view.events) == len(sample_doc["events"])
        # The navigation is inside the frame (the player draws its top border 1 px past the slides it sizes
        # as the frame minus the navigation, at every size), with room left for the slide above it.
        assert inside(seen["timenav"], frame, slack=1), seen
        assert seen["storyslider"]["height"] >= FRAME_HEIGHT / 2, seen
        assert current_slide(tab)["headline"] == sample_doc["title"]["text"]["headline"]
        for i in range(2):  # title -> first event -> second event, by the arrow a person clicks
            click_next(tab)
            slide = current_slide(tab)
            event = view.events[i]
            assert slide["id"] == event.id and slide["count"] == 1
            assert slide["headline"] == event.label and slide["date"] == event.date_label
        seen = layout(tab)
        assert len(seen["previous"]) == len(seen["next"]) == 1, seen
        assert inside(seen["previous"][0], frame) and inside(seen["next"][0], frame), seen
        ARTIFACTS.mkdir(exist_ok=True)
        shot = tab.screenshot(path=str(ARTIFACTS / f"timelinejs-{width}.png"))
        SHOTS.mkdir(exist_ok=True)
        (SHOTS / f"timelinejs-{width}.png").write_bytes(shot)
    assert outside == [], outside
    assert errors == [], errors


def with_groups(doc: dict, groups: int) -> dict:
    """``doc`` with its slides dealt round-robin into ``groups`` groups (every group used)."""
    out = json.loads(json.dumps(doc))
    for i, slide in enumerate(out["events"]):
        slide["group"] = f"Group {i % groups + 1}"
    return out


@needs_player
def test_the_group_limit_is_the_most_groups_that_leave_the_slide_half_the_frame(
        browser, sample_doc, view, tmp_path) -> None:
    # Each group is a row of the navigation; past TIMELINEJS_MAX_GROUPS the slide above gets less than half of
    # a 650 px frame, and the sample grouped by type (the issue: 24 groups) pushes the navigation out of it.
    def measure(doc: dict) -> dict:
        with open_player(browser, player_page(doc, tmp_path), 1280) as (tab, outside):
            assert outside == [], outside
            return layout(tab)

    at_limit = measure(with_groups(sample_doc, TIMELINEJS_MAX_GROUPS))
    assert at_limit["groups"] == TIMELINEJS_MAX_GROUPS
    assert inside(at_limit["timenav"], at_limit["frame"], slack=1), at_limit
    assert at_limit["storyslider"]["height"] >= FRAME_HEIGHT / 2, at_limit
    past = measure(with_groups(sample_doc, TIMELINEJS_MAX_GROUPS + 1))
    assert past["storyslider"]["height"] < FRAME_HEIGHT / 2, past
    by_type = measure(to_timelinejs(view, group_by="type"))
    assert by_type["groups"] == 24 and by_type["markers"] == len(view.events)
    assert by_type["timenav"]["bottom"] > by_type["frame"]["bottom"] + 1, by_type
    assert by_type["next"] and by_type["next"][0]["top"] < by_type["frame"]["top"], by_type  # the arrow too


@needs_player
def test_the_player_shows_an_event_image_the_export_inlined(browser, view, tmp_path) -> None:
    image = png(40, 30)
    write_image(tmp_path, "meeting.png", image)
    first = dataclasses.replace(view.events[0], media=MediaView("images/meeting.png", None, "A red rectangle",
                                                               "Test pattern, CC0", hashlib.sha256(image).hexdigest()))
    lesson = dataclasses.replace(view, events=[first, *view.events[1:]])
    doc = to_timelinejs(lesson, image_src=functools.partial(media_src, case_dir=tmp_path))
    with open_player(browser, player_page(doc, tmp_path), 1280) as (tab, outside):
        click_next(tab)
        shown = tab.evaluate("""() => {
            const f = document.getElementById("frame").getBoundingClientRect();
            const s = [...document.querySelectorAll(".tl-slide")].find(s => s.getBoundingClientRect().width > 0
                && Math.abs(s.getBoundingClientRect().left - f.left) < 2);
            const img = s.querySelector("img.tl-media-image");
            const text = (sel) => { const el = s.querySelector(sel); return el ? el.innerText.trim() : null; };
            return {src: img && img.src, width: img && img.naturalWidth, alt: img && img.alt,
                    caption: text(".tl-caption"), credit: text(".tl-credit")};
        }""")
    assert shown["src"].startswith("data:image/png;base64,") and shown["width"] == 40, shown
    assert shown["caption"] == "A red rectangle" and shown["credit"] == "Test pattern, CC0", shown
    assert outside == [], outside
