"""The timeline page of a large case (levels of detail) in a real browser: the synthetic case of 100,000 events.

The page is built once for the module (reading the 100,000-event view takes
about a minute and a half): bars of the events' density when the window holds
too many to draw, the events themselves once it holds few enough; search and
filters cover every event. Every visit checks that the page made no network
request and logged no error.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date

import pytest

pytest.importorskip("playwright")

from browser import visit  # noqa: E402

from timeline.render import timeline as timeline_page  # noqa: E402
from timeline.render.timeline import render_timeline  # noqa: E402
from timeline.testing.views import synthetic_view  # noqa: E402

N = 100_000
READY = "html.tl-ready"
LOADED = "html.tl-loaded"


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The 100,000-event page on disk and its view: (path, view)."""
    view = synthetic_view(N)
    path = tmp_path_factory.mktemp("lod") / "timeline.html"
    path.write_text(render_timeline(view), encoding="utf-8")
    return path, view


def clean(v) -> None:
    assert v.requests == [], v.requests
    assert v.console_errors == [], v.console_errors
    assert v.page_errors == [], v.page_errors


def open_page(browser, path):
    return visit(browser, path.as_uri(), wait_for=READY, timeout=60_000)


def loaded(page) -> None:
    page.wait_for_selector(LOADED, state="attached", timeout=60_000)


def set_window(page, start: date, end: date) -> None:
    page.evaluate("([a, b]) => timelinePage.timeline.setWindow(new Date(a[0], a[1] - 1, a[2]), "
                  "new Date(b[0], b[1] - 1, b[2]), {animation: false})",
                  [[start.year, start.month, start.day], [end.year, end.month, end.day]])


def test_the_page_is_one_compact_file(big) -> None:
    path, _ = big
    html = path.read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < 12_000_000  # the view as JSON would be 145 MB
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert html.count("<option") < 400  # the actor filter lists the busiest actors, not 12,000


def test_the_first_view_shows_the_density_of_every_event(browser, big) -> None:
    path, _ = big
    with open_page(browser, path) as v:
        page = v.page
        assert page.inner_text("#tl-count") == f"{N} of {N} events shown"
        assert "100,000 events begin" in page.inner_text("#tl-lod-status")
        canvas = page.locator("#tl-widget canvas.tl-density")
        box = canvas.bounding_box()
        assert box["width"] > 600 and box["height"] > 300
        assert page.evaluate("timelinePage.density().reduce((a, b) => a + b, 0)") == N
        assert page.locator(".vis-item").count() == 0
        # Bars are drawn: the canvas is not blank.
        assert page.evaluate("""() => {
            const c = document.querySelector('canvas.tl-density');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let inked = 0;
            for (let k = 3; k < d.length; k += 4) if (d[k] > 0) inked++;
            return inked / (c.width * c.height);
        }""") > 0.2
        loaded(page)
        clean(v)


def test_zooming_into_a_short_stretch_draws_its_events(browser, big) -> None:
    path, view = big
    start, end = date(2018, 6, 10), date(2018, 6, 20)
    begin = [e for e in view.events if start <= date.fromisoformat(timeline_page.geometry(e, None)["start"]) < end]
    with open_page(browser, path) as v:
        page = v.page
        loaded(page)
        set_window(page, start, end)
        page.wait_for_function("timelinePage.detail()")
        drawn = set(page.eval_on_selector_all(".vis-item[data-event]", "els => els.map(e => e.dataset.event)"))
        assert {e.id for e in begin} <= drawn
        assert page.inner_text("#tl-lod-status").startswith(f"Showing the {len(begin)} events that begin")
        listed = page.eval_on_selector_all("#tl-twin-list > li", "els => els.map(e => e.dataset.event)")
        assert sorted(listed) == sorted(e.id for e in begin)
        # Zooming out past the limit goes back to the bars.
        page.click("#tl-fit")
        page.wait_for_function("!timelinePage.detail()")
        assert page.locator(".vis-item").count() == 0
        clean(v)


def test_a_click_on_a_bar_lists_its_events(browser, big) -> None:
    path, _ = big
    with open_page(browser, path) as v:
        page = v.page
        loaded(page)
        box = page.locator("#tl-widget .vis-panel.vis-center").bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] - 10)
        page.wait_for_selector("#tl-results:not([hidden])")
        heading = page.inner_text("#tl-results-heading")
        assert re.match(r"[\d,]+ events? begins? between", heading), heading
        assert page.locator("#tl-results-list a[data-event]").count() > 0
        clean(v)


def test_search_reaches_any_event(browser, big) -> None:
    path, view = big
    rng = random.Random(20)
    labels = Counter(e.label for e in view.events)
    picks = [e for e in rng.sample(view.events, 40) if labels[e.label] == 1][:3]
    year_long = next(e for e in view.events if e.unit == "year" and labels[e.label] == 1)  # in a pile of ~600
    with open_page(browser, path) as v:
        page = v.page
        for event in [*picks, year_long]:
            page.fill("#tl-search", event.label)
            page.wait_for_function("([label]) => [...document.querySelectorAll('#tl-results-list a')]"
                                   ".some(a => a.textContent === label)", arg=[event.label], timeout=60_000)
            assert page.inner_text("#tl-count") == f"1 of {N} events shown"
            page.locator("#tl-results-list a", has_text=event.label).first.click()
            page.wait_for_function("([id]) => timelinePage.current() === id", arg=[event.id])
            assert page.inner_text("#tl-detail-title") == event.label
            item = page.locator(f'.vis-item.vis-selected[data-event="{event.id}"]').first
            item.wait_for()
            assert item.is_visible()
            page.click("#tl-reset")
            page.wait_for_function(f"document.getElementById('tl-count').textContent === '{N} of {N} events shown'")
        clean(v)


def test_filters_change_the_density(browser, big) -> None:
    path, view = big
    counts = Counter(t for e in view.events for t in set(e.types))
    kind, n = counts.most_common()[3]
    with open_page(browser, path) as v:
        page = v.page
        loaded(page)
        before = page.evaluate("timelinePage.density()")
        page.select_option("#tl-type", kind)
        page.wait_for_function(f"document.getElementById('tl-count').textContent === '{n} of {N} events shown'")
        page.click("#tl-fit")
        after = page.evaluate("timelinePage.density()")
        assert sum(after) == n and after != before
        clean(v)


def test_a_small_page_is_drawn_whole(browser, tmp_path) -> None:
    """Under the threshold nothing changes: the view is embedded as it always was, every event drawn."""
    view = synthetic_view(60)
    html = render_timeline(view)
    assert 'id="tl-lod-status"' not in html and '"lod":{' not in html
    assert 'id="tl-lod-status"' in render_timeline(view, lod_from=59)
    lod = render_timeline(view, lod_from=20)
    assert lod == render_timeline(synthetic_view(60), lod_from=20)  # deterministic, gzip included
    path = tmp_path / "lod.html"
    path.write_text(lod, encoding="utf-8")
    with visit(browser, path.as_uri(), wait_for=READY) as v:
        page = v.page
        loaded(page)
        page.click("#tl-fit")
        page.wait_for_function("timelinePage.detail()")  # 60 events fit under the limit: all drawn
        drawn = set(page.eval_on_selector_all(".vis-item[data-event]", "els => els.map(e => e.dataset.event)"))
        assert drawn == {e.id for e in view.events}
        clean(v)
