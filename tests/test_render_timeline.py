"""The timeline page as HTML text (no browser): offline, deterministic, escaped, lanes, filters, notebook."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from smallcase import small_case_view

from timeline.errors import TimelineError
from timeline.render import assets, themes
from timeline.render.timeline import (
    AUTO_MAX_TYPES,
    MAX_LANES,
    OTHER_LANE,
    WEB_DIR,
    TimelinePage,
    config,
    geometry,
    lanes,
    render_timeline,
    timeline_page,
)
from timeline.testing.views import synthetic_view
from timeline.views.model import Citation, ClaimView, EntityView, EventView, Participant, SourceView, View, load_view

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = '<img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def page(view) -> str:
    return render_timeline(view)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> View:
    """A user's small case: twelve events from two articles, five event types (tests/smallcase.py)."""
    return small_case_view(tmp_path_factory.mktemp("small"))


def hostile_view() -> View:
    """A case whose every text field tries to break out: titles, quotes, labels, URLs."""
    src = SourceView("evil-source", f"Title {HOSTILE_IMG}", f"Publisher {HOSTILE_SCRIPT}", "1 June 2018",
                     "javascript:alert(1)")
    good = SourceView("good-source", "A fine article", "Good News", "2 June 2018", "https://example.org/a?x=1&y=2")
    cite_evil = Citation("evil-source", f"Quote {HOSTILE_IMG}", 0, src.title, src.publisher, src.published, src.url)
    cite_good = Citation("good-source", "A <b>bold</b> quote", 10, good.title, good.publisher, good.published,
                         good.url)
    entity = EntityView("evil-actor", f"Actor {HOSTILE_SCRIPT}", "Company", "company", HOSTILE_IMG)
    event = EventView("evil-event", f"Label {HOSTILE_SCRIPT}", f"Description {HOSTILE_IMG}", "2018-06",
                      "June 2018", "2018-06-01", "2018-06-01", "2018-06-30", "2018-06-01", "2018-06-30", "month",
                      False, False, "stated", f"Note {HOSTILE_IMG}", f"Place {HOSTILE_SCRIPT}", ["meeting"],
                      [f"type {HOSTILE_IMG}"], [Participant("evil-actor", entity.label, "initiator", "Company")],
                      [cite_evil, cite_good], ["evil-claim"])
    other = EventView("second-event", "A plain second event", "Nothing special.", "2018-07-02", "2 July 2018",
                      "2018-07-02", "2018-07-02", "2018-07-02", "2018-07-02", "2018-07-02", "day", False, False,
                      "stated", "", "", ["meeting"], ["meeting"], [], [cite_good], [])
    claim = ClaimView("evil-claim", f"Claim {HOSTILE_SCRIPT}", "evil-actor", entity.label, "asserts",
                      ["evil-event"], "June 2018", [], [cite_evil])
    return View(f"Case {HOSTILE_SCRIPT}", [event, other], {"evil-claim": claim}, {"evil-actor": entity},
                {"evil-source": src, "good-source": good})


class Attributes(HTMLParser):
    """Every (tag, attribute, value) of a page, outside script and style contents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.found += [(tag, name, value or "") for name, value in attrs]


def attributes(text: str) -> Attributes:
    parser = Attributes()
    parser.feed(text)
    return parser


def page_config(text: str) -> dict:
    match = re.search(r'<script type="application/json" id="timeline-config">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


def page_data(text: str) -> dict:
    match = re.search(r'<script type="application/json" id="timeline-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


def markup(text: str) -> str:
    """The page without the contents of its script and style elements."""
    return re.sub(r"(<(script|style)\b[^>]*>).*?(</\2>)", r"\1\3", text, flags=re.S | re.I)


# ---------------------------------------------------------------- the document


def test_render_is_deterministic(view) -> None:
    assert render_timeline(view) == render_timeline(view)
    assert render_timeline(view, group_by="source", title="T") == render_timeline(view, group_by="source", title="T")
    small = synthetic_view(300)
    assert render_timeline(small) == render_timeline(synthetic_view(300))


def test_document_basics(page, view) -> None:
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\"")
    assert '<meta charset="utf-8">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert f"<title>{html.escape(view.case_title)}</title>" in page
    assert page.count("<script>") == 2  # vis-timeline, then ours; plus two JSON blocks
    assert page.count('<script type="application/json"') == 2


def test_page_makes_no_network_reference(page) -> None:
    bare = markup(page)
    assert not re.search(r"""\b(?:src|href|action|poster|srcset|data)\s*=\s*["']?\s*(?:https?:)?//""", bare, re.I)
    assert re.findall(r"<link[^>]*>", bare, re.I) == ['<link rel="icon" href="data:,">']  # no favicon request
    assert "<img" not in bare.lower() and "<iframe" not in bare.lower()
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", page, re.I)  # CSS
    assert "@import" not in page and "@font-face" not in page
    assert "sourceMappingURL" not in page
    for tag, name, value in attributes(page).found:
        if name in ("src", "href"):
            assert not re.match(r"\s*(?:https?:)?//", value), (tag, name, value)


def test_license_notice_and_version(page) -> None:
    version = assets.version("vis-timeline")
    assert f"vis-timeline {version}" in page
    assert 'id="tl-licenses"' in page
    notice = html.escape(assets.notice("vis-timeline"), quote=True)
    assert notice in page
    assert "Apache" in page and "MIT License" in page
    assert "moment" in page  # a library the standalone build bundles


def test_own_front_end_code_is_inlined_and_follows_the_rules(page) -> None:
    js = (WEB_DIR / "timeline.js").read_text(encoding="utf-8")
    css = (WEB_DIR / "timeline.css").read_text(encoding="utf-8")
    assert js.strip()[:200] in page and css.strip()[:200] in page
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", js, flags=re.S)
    assert ".innerHTML" not in code and "insertAdjacentHTML" not in code and "outerHTML" not in code
    assert "eval(" not in code and "new Function" not in code and "document.write" not in code
    assert not re.search(r"\b(?:doc|document|window)\.addEventListener\(\s*'key", code)
    assert "textContent" in code
    assert not re.search(r"https?://|fetch\(|XMLHttpRequest|WebSocket|sendBeacon", code)  # nothing to load


def test_no_inline_event_handlers_or_javascript_urls(page) -> None:
    for tag, name, value in attributes(page).found:
        assert not name.startswith("on"), (tag, name)
        assert not re.match(r"\s*javascript:", value, re.I), (tag, name, value)


def test_text_twin_lists_every_event_in_date_order(page, view) -> None:
    items = re.findall(r'<li data-event="([^"]+)"><span class="tl-twin-when"><time datetime="([^"]*)" '
                       r'data-edtf="([^"]*)">.*?</time>.*?</span> <a href="#([^"]+)">([^<]*)</a></li>', page)
    assert [i[0] for i in items] == [e.id for e in view.events]
    assert all(i[0] == i[3] for i in items)
    assert [html.unescape(i[4]) for i in items] == [e.label for e in view.events]
    times = dict((i[0], (i[1], i[2])) for i in items)
    assert times["amazon-ice-meeting-2018-06"] == ("2018-06", "2018-06")
    assert times["google-photos-tagging-2015"] == ("2015", "2015")
    assert times["royal-wedding-broadcast"] == ("2018-05-19", "2018-05-19")
    assert times["amazon-moratorium-2020-06"][0] == "2020-06-10"
    assert times["pogo-obtains-emails"][0] == "2018-06"  # [2018-06..2018-10-23]: the earliest bound, a month
    assert times["amazon-markets-rekognition-to-police"][0] == "2018-05-22"  # [..2018-05-22]: the only bound
    assert times["microsoft-refuses-california-request"][0] == "2019-04"  # [..2019-04]: a month
    assert '<ol class="tl-twin-list"' in page
    assert re.search(r'<details id="tl-twin" open>', page)  # small cases: the list starts open


def test_accessibility_hooks_in_markup(page) -> None:
    assert re.search(r'<div id="tl-widget"[^>]*tabindex="0"[^>]*role="application"', page)
    assert 'aria-label="Timeline of 45 events' in page
    assert page.count('aria-live="polite"') == 1
    assert 'aria-live="assertive"' not in page and 'role="status"' not in page and 'role="alert"' not in page
    for control in ("tl-search", "tl-actor", "tl-type"):
        assert re.search(f'<label for="{control}"[^>]*>', page)
    assert re.search(r'<button type="button" id="tl-filters-toggle"[^>]*aria-expanded="false"'
                     r'[^>]*aria-controls="tl-filter-fields"', page, re.S)
    for button in ("tl-zoom-in", "tl-zoom-out", "tl-fit"):
        assert f'id="{button}"' in page


# ---------------------------------------------------------------- hostile input


def test_hostile_text_is_escaped() -> None:
    text = render_timeline(hostile_view())
    assert HOSTILE_SCRIPT not in text
    assert "<script>alert" not in text.lower()
    assert "<img" not in text.lower()
    assert "<b>bold" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # visible as text in the title and the list
    assert "\\u003cimg src=x onerror=" in text  # kept, inert, in the JSON data
    bare = markup(text)
    assert "javascript:" not in bare.lower()
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript", text, re.I)
    for tag, name, value in attributes(text).found:
        assert not name.startswith("on"), (tag, name)
        assert "javascript:" not in value.lower(), (tag, name, value)
    # Only the tags the page itself writes: nothing from the case.
    assert set(attributes(text).tags) <= {"html", "head", "meta", "link", "title", "style", "body", "div", "header",
                                          "h1", "p", "span", "label", "input", "select", "option", "button", "main",
                                          "section", "h2", "noscript", "strong", "aside", "details", "summary",
                                          "ol", "li", "a", "time", "footer", "pre", "script", "h3",
                                          "blockquote"}


def test_only_http_urls_become_links() -> None:
    view = hostile_view()
    cfg = config(view)
    assert cfg["safeUrls"] == {"good-source": "https://example.org/a?x=1&y=2"}
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
                "vbscript:x", "//evil.example/x", "ftp://x/y"):
        view.sources["evil-source"].url = url
        for c in view.events[0].citations:
            if c.source == "evil-source":
                c.url = url
        assert "evil-source" not in config(view)["safeUrls"], url


# ---------------------------------------------------------------- lanes and items


@pytest.mark.parametrize("group_by", ["actor", "type", "source", "none"])
def test_lanes_by_group(view, group_by) -> None:
    text = render_timeline(view, group_by=group_by)
    cfg = page_config(text)
    expected = {
        "actor": {p.id for e in view.events for p in e.participants},
        "type": {t for e in view.events for t in e.types},
        "source": {s for e in view.events for s in e.sources},
        "none": set(),
    }[group_by]
    assert {lane["id"] for lane in cfg["lanes"]} == expected
    assert len(cfg["lanes"]) == {"actor": 49, "type": 27, "source": 5, "none": 0}[group_by]
    assert cfg["groupBy"] == group_by
    assert [e["id"] for e in cfg["events"]] == [e.id for e in view.events]
    items = [f"{e['id']}|{lane}" for e in cfg["events"] for lane in e["lanes"]]
    assert len(items) == len(set(items))  # unique item ids
    if group_by == "actor":
        by_id = {e["id"]: e for e in cfg["events"]}
        assert by_id["amazon-ice-meeting-2018-06"]["lanes"][:2] == ["amazon", "rekognition"]  # busiest first
        assert set(by_id["amazon-ice-meeting-2018-06"]["lanes"]) == {"amazon-web-services", "amazon", "ice",
                                                                     "rekognition"}
        counts = [lane["count"] for lane in cfg["lanes"]]
        assert counts == sorted(counts, reverse=True)
    if group_by == "none":
        assert all(e["lanes"] == ["all"] for e in cfg["events"])


def test_by_default_every_event_is_drawn_once(view, small) -> None:
    """auto: one lane for the sample (27 types, some events of two), lanes by type for the small case."""
    sample, little = config(view), config(small)
    assert (sample["groupBy"], sample["lanes"]) == ("none", [])
    assert little["groupBy"] == "type"
    assert [lane["label"] for lane in little["lanes"]] == ["meeting", "statement", "contract", "deployment",
                                                            "protest"]
    for cfg, v in ((sample, view), (little, small)):
        assert [len(e["lanes"]) for e in cfg["events"]] == [1] * len(v.events)
    assert "lanes by event type (5)" in render_timeline(small)
    assert "45 of 45 events shown</span>, 2015\u20132021." in render_timeline(view)


def test_auto_lanes_follow_the_rule(small) -> None:
    def grouping(types_of_each: list[list[str]]) -> str:
        copy = View(small.case_title, [], {}, small.entities, small.sources)
        for event, types in zip(small.events, types_of_each, strict=False):
            copy.events.append(EventView(**{**event.__dict__, "types": types, "type_labels": types}))
        return config(copy)["groupBy"]

    n = len(small.events)
    assert grouping([["meeting"]] * n) == "none"  # one type: a single lane says the same
    assert grouping([["meeting"], ["letter"]] * (n // 2)) == "type"
    few = [[f"type-{i % AUTO_MAX_TYPES}"] for i in range(n)]
    assert grouping(few) == "type"
    assert grouping([[f"type-{i % (AUTO_MAX_TYPES + 1)}"] for i in range(n)]) == "none"  # too many lanes
    assert grouping([["meeting", "letter"]] + few[1:]) == "none"  # an event would be drawn twice
    assert grouping([[]] + few[1:]) == "none"


def test_unknown_group_by_is_refused(view) -> None:
    with pytest.raises(TimelineError, match="group_by"):
        render_timeline(view, group_by="colour")


def test_many_lanes_fold_into_other() -> None:
    big = synthetic_view(1000)
    lane_list, members = lanes(big, "actor")
    assert len(lane_list) == MAX_LANES
    assert lane_list[-1].id == OTHER_LANE and lane_list[-1].label == "Other actors"
    assert any(OTHER_LANE in m for m in members.values())
    assert all(len(m) == len(set(m)) for m in members.values())
    assert config(big)["cluster"] is True
    assert config(synthetic_view(20))["cluster"] is False


def test_events_without_actor_get_their_own_lane() -> None:
    view = hostile_view()
    lane_list, members = lanes(view, "actor")
    assert [lane.label for lane in lane_list] == [view.entities["evil-actor"].label, "No actor"]
    assert members["second-event"] == ["~none"]


def test_date_precision_geometry(view) -> None:
    cfg = {e["id"]: e for e in config(view)["events"]}
    assert cfg["amazon-ice-meeting-2018-06"].items() >= {"kind": "range", "start": "2018-06-01",
                                                         "end": "2018-07-01", "open": "", "marker": ""}.items()
    assert cfg["google-photos-tagging-2015"]["start"] == "2015-01-01"
    assert cfg["google-photos-tagging-2015"]["end"] == "2016-01-01"
    assert cfg["royal-wedding-broadcast"]["kind"] == "point"
    assert cfg["royal-wedding-broadcast"]["end"] is None
    # The moratorium, an interval from a day to a month.
    assert (cfg["amazon-moratorium-2020-06"]["start"], cfg["amazon-moratorium-2020-06"]["end"]) == (
        "2020-06-10", "2021-07-01")
    # Open end: to the end of the view (the latest bound of any event).
    assert cfg["washington-county-uses-rekognition"]["open"] == "end"
    assert cfg["washington-county-uses-rekognition"]["end"] == "2021-07-01"
    # One of a range of days: across the range, marked uncertain.
    assert cfg["pogo-obtains-emails"]["start"] == "2018-06-01"
    assert cfg["pogo-obtains-emails"]["end"] == "2018-10-24"
    assert cfg["pogo-obtains-emails"]["marker"] == "?"
    # On or before: a point at the latest date, open at the start.
    assert cfg["amazon-markets-rekognition-to-police"].items() >= {"kind": "point", "start": "2018-05-22",
                                                                   "open": "start", "marker": "?"}.items()
    assert cfg["washington-county-employees-question-use"]["marker"] == "~"
    assert cfg["orlando-rekognition-pilot"]["marker"] == "?"


def test_geometry_of_an_event_without_bounds() -> None:
    event = hostile_view().events[0]
    event.earliest_begin = event.latest_begin = event.earliest_end = event.latest_end = None
    assert geometry(event, None) == {"kind": "point", "start": None, "end": None, "open": "start"}


# ---------------------------------------------------------------- filters of the view


def test_filters_of_the_view_are_shown(store) -> None:
    from datetime import date

    view = load_view(store, date(2018, 6, 1), date(2018, 12, 31), actors=["ice"])
    text = render_timeline(view)
    cfg = page_config(text)
    assert 0 < len(cfg["events"]) < 45
    assert {e["id"] for e in cfg["events"]} == {e.id for e in view.events}
    assert "This page shows a selection of the case" in text
    assert "dates 2018-06-01 to 2018-12-31" in text
    assert "actors: U.S. Immigration and Customs Enforcement" in text
    assert page_data(text)["filters"]["actors"] == ["ice"]
    assert f"{len(view.events)} of {len(view.events)} events shown" in text
    unfiltered = render_timeline(load_view(store))
    assert "This page shows a selection" not in unfiltered


def test_filter_options_list_actors_and_types(page, view) -> None:
    actors = re.search(r'<select id="tl-actor">(.*?)</select>', page, re.S).group(1)
    assert '<option value="amazon">Amazon (22)</option>' in actors
    assert actors.count("<option") == 1 + len({p.id for e in view.events for p in e.participants})
    types = re.search(r'<select id="tl-type">(.*?)</select>', page, re.S).group(1)
    assert '<option value="meeting">meeting (1)</option>' in types


def test_empty_view_renders() -> None:
    empty = View("Nothing yet", [], {}, {}, {})
    text = render_timeline(empty)
    assert "0 of 0 events shown" in text
    assert page_config(text)["bounds"] is None


# ---------------------------------------------------------------- the printed handout


def handout_of(text: str) -> str:
    return re.search(r'<section class="tl-handout".*?</section>', text, re.S).group(0)


def test_handout_lists_every_event_with_its_quotes_and_sources(page, view) -> None:
    handout = handout_of(page)
    events = re.findall(r'<li class="tl-handout-event">(.*?)</li>', handout, re.S)
    assert len(events) == len(view.events)
    sources = [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in
               re.findall(r"<li>(.*?)</li>", re.search(r'<ol class="tl-handout-sources">(.*?)</ol>', handout,
                                                        re.S).group(1), re.S)]
    assert len(sources) == len({c.source for e in view.events for c in e.citations}) == 5
    for event, text in zip(view.events, events, strict=True):
        assert html.unescape(re.search(r'<h3 class="tl-handout-title">(.*?)</h3>', text).group(1)) == event.label
        assert event.date_label in html.unescape(text)
        if event.description:
            assert html.escape(event.description) in text
        quotes = re.findall(r'<p>\u201c(.*?)\u201d <span class="tl-handout-ref">\[(\d+)\]</span>', text, re.S)
        assert [html.unescape(q) for q, _ in quotes] == [c.quote for c in event.citations]
        for (_, number), citation in zip(quotes, event.citations, strict=True):
            source = view.sources[citation.source]
            assert source.title in sources[int(number) - 1] and (source.url or "") in sources[int(number) - 1]
    # Numbered in the order the events first cite them.
    first = [int(n) for text in events for n in re.findall(r'tl-handout-ref">\[(\d+)\]', text)]
    assert sorted(set(first)) == list(range(1, 6)) and first[0] == 1


def test_a_large_case_prints_its_list_without_quotes(view, monkeypatch) -> None:
    import timeline.render.timeline as module

    monkeypatch.setattr(module, "HANDOUT_UP_TO", len(view.events) - 1)
    text = render_timeline(view)
    assert '<html lang="en" class="tl-no-js tl-print-list" data-theme="auto">' in text
    handout = handout_of(text)
    assert "tl-handout-event" not in handout and "tl-handout-quote" not in handout
    assert "45 events, 2015\u20132021: too many to print with\n their quotes" in handout
    assert len(re.findall(r'<li data-event="', text)) == 45  # the list that is printed instead


def test_handout_prints_only_http_addresses() -> None:
    handout = handout_of(render_timeline(hostile_view()))
    assert "https://example.org/a?x=1&amp;y=2" in handout
    assert "javascript" not in handout.lower()
    assert "&lt;img src=x onerror" in handout and "<img" not in handout  # the quotes, as text


# ---------------------------------------------------------------- themes, title, accent


def test_theme_title_and_accent(view) -> None:
    text = render_timeline(view, theme="dark", show_title=False, accent="#E91E63")
    assert '<html lang="en" class="tl-no-js" data-theme="dark">' in text
    assert f'<h1 id="tl-title" class="tl-visually-hidden">{html.escape(view.case_title)}</h1>' in text
    assert themes.theme_css("#e91e63") in text
    plain = render_timeline(view)
    assert 'data-theme="auto"' in plain and '<h1 id="tl-title">' in plain
    assert themes.theme_css(themes.DEFAULT_ACCENT) in plain


@pytest.mark.parametrize(("options", "message"), [
    ({"theme": "sepia"}, "theme 'sepia'"),
    ({"accent": "red"}, "#rgb or #rrggbb"),
    ({"accent": "#12345"}, "#rgb or #rrggbb"),
    ({"accent": "#fff;}body{x"}, "#rgb or #rrggbb"),
])
def test_bad_theme_or_accent_is_refused(view, options, message) -> None:
    with pytest.raises(TimelineError, match=re.escape(message)):
        render_timeline(view, **options)


# ---------------------------------------------------------------- notebook and saving


def test_repr_html_is_a_sandboxed_srcdoc_iframe(view) -> None:
    page = timeline_page(view, group_by="type")
    assert isinstance(page, TimelinePage)
    frame = page._repr_html_()
    assert frame.startswith('<iframe srcdoc="')
    assert "width:100%" in frame
    assert 'sandbox="allow-scripts"' in frame and "allow-same-origin" not in frame
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', frame).group(1)
    assert "<" not in srcdoc and '"' not in srcdoc
    assert html.unescape(srcdoc) == page.html == render_timeline(view, group_by="type")


def test_save_writes_the_page(view, tmp_path: Path) -> None:
    page = timeline_page(view)
    target = page.save(tmp_path / "out" / "timeline.html")
    assert target.read_bytes() == page.html.encode("utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["timeline.html"]  # no temporary file left behind


def test_cli_renders_the_page(sample_graph, tmp_path: Path, view) -> None:
    from click.testing import CliRunner

    from timeline.cli import cli

    out = tmp_path / "t.html"
    result = CliRunner().invoke(cli, ["render", "timeline", "--graph", str(sample_graph), "-o", str(out),
                                      "--group-by", "source"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == render_timeline(view, group_by="source", title=view.case_title)
