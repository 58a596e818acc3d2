"""Property: every HTML output shows case text as that very text, and runs none of it.

Hypothesis draws strings (any Unicode but surrogates and NUL, biased toward
markup, script, comment, CDATA, JSON and template breakers, ends of raw-text
elements, ``javascript:`` URLs, quotes and backticks, U+2028/U+2029, bidi
marks, control characters, emoji and very long strings) and hands them out,
one field after another, to every text field that reaches a page: the case
title; entity labels, type labels, descriptions and aliases; event labels,
date labels, descriptions, date notes, places and type labels; claim texts
and dates; citation quotes; article titles, publishers, dates and URLs
(entity positions and the case description are written in the end-to-end
case too, though no page shows them). One page holds :data:`N_EVENTS`
events: about 370 text fields. Each page is opened in Debian Chromium with a
trap installed before any script of any frame runs (``alert``, ``confirm``,
``prompt`` and ``print`` replaced, a ``window.__pwned`` setter, and
``__pwn(tag)``, which the payloads call with the name of the field they sit
in), and the tests assert:

(a) nothing ran: no trap fired and no dialog opened, after load and after
    the detail panel (timeline) or profile (graph, and some edges) of every
    item was opened, by keyboard, by mouse and through the text twin's
    links; no element the page does not make itself (outside the panel, a
    census of script, img, iframe, svg, ... tags equal to that of the same
    page made from plain text; inside, only the panel's own tags), no
    ``on*``/``src``-like attribute, and no link but to ``#id`` or http(s);
(b) the text is that exact text: titles, headings, the text twins (the
    list of events, the table of nodes), select options, drawn items, lanes,
    tooltips and every panel, compared by ``textContent`` (text parsed from
    the HTML has CR and CRLF turned into LF, as the HTML parser does; text
    the scripts insert is compared exactly); an article URL that is not
    http(s) is never a link, one that is always is;
(c) no network request, console error or page error.

The direct tests build :class:`~timeline.views.model.View` objects (the
embed snippet is checked with each timeline's title); the end-to-end test
writes the case as YAML and article files and goes through ``timeline
build``, ``timeline render timeline|graph`` (with ``--embed-snippet``),
``timeline query --view timeline|graph``, the notebook frames and the
``timeline serve`` index. Examples are few and fixed (``derandomize``, no
database, no shrinking: a failure names the field whose payload ran).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

pytest.importorskip("playwright")
pytest.importorskip("hypothesis")
pytest.importorskip("pyvis.network")  # imported here, not inside a test: it raises the recursion limit

from browser import Visit as PageVisit  # noqa: E402
from browser import visit as open_page  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from servers import timeline_server  # noqa: E402

from timeline.render.embed import embed_snippet  # noqa: E402
from timeline.render.graph import render_graph  # noqa: E402
from timeline.render.timeline import lanes, marker, render_timeline, resolve_group_by  # noqa: E402
from timeline.views.model import (  # noqa: E402
    Citation,
    ClaimView,
    EntityView,
    EventView,
    Participant,
    SourceView,
    View,
)

# The drawn pools are large; Hypothesis says so on each example (its repr is only for reporting a failure).
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

N_EVENTS = 20
JS = "\x00"  # where a payload runs code; replaced by __pwn('<field>') (NUL itself is never generated)

# ---------------------------------------------------------------------------------------------- payloads

HOSTILE = [
    f"<script>{JS}</script>", "<script>alert(1)</script>", f'<img src=x onerror="{JS}">', f"<img src=x onerror={JS}>",
    f"<svg onload={JS}>", f"<svg><script>{JS}</script></svg>", f"</script><script>{JS}</script>", "</script><!--",
    "<!--<script>", "-->", f"</title><script>{JS}</script>", f"</textarea><script>{JS}</script>",
    f"</style><img src=x onerror={JS}>", f'"><img src=x onerror="{JS}">', f"'><img src=x onerror='{JS}'>",
    f"`><img src=x onerror=`{JS}`>", f'<!--<img src="--><img src=x onerror={JS}//">',
    f"]]><img src=x onerror={JS}>", f"<![CDATA[<script>{JS}</script>]]>",
    f'<iframe srcdoc="<script>parent.{JS}</script>"></iframe>', f'<iframe src="javascript:parent.{JS}"></iframe>',
    f'<a href="javascript:{JS}">click</a>', f"javascript:{JS}", f'<details open ontoggle="{JS}">',
    f'<body onload="{JS}">', f'<input autofocus onfocus="{JS}">',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{JS}">',
    f'<noscript><p title="</noscript><img src=x onerror={JS}>">',
    f'<x onmouseover="{JS}" style="position:fixed;inset:0;z-index:99">hover</x>', f"${{{JS}}}",
    f'{{{{constructor.constructor("{JS}")()}}}}', f'"}});{JS};({{"', f'\\"}});{JS};//', f"\u2028{JS}\u2029",
    "window.__pwned=1", '<base href="http://evil.invalid/">', '<link rel=stylesheet href="http://evil.invalid/x.css">',
    '<img src="http://evil.invalid/pixel.png">', f'<meta http-equiv="refresh" content="0;url=javascript:{JS}">',
    f'<object data="javascript:{JS}"></object>', f'<embed src="javascript:{JS}">',
    f'<form><button formaction="javascript:{JS}">x</button></form>', '<style>@import "http://evil.invalid/x.css";</style>',
    f"&lt;script&gt;{JS}&lt;/script&gt;", f"&#60;img src=x onerror={JS}&#62;", "&amp;", "&",
    f"\\u003cscript\\u003e{JS}\\u003c/script\\u003e", "<plaintext>", "<xmp>", "<template>", "</body></html>",
    # Ends of raw-text elements without '>' (a JSON escape of '>' alone would not stop these), and the
    # "<!--<script " that makes a script element swallow the rest of the page.
    f"</script x=1><script>{JS}</script>", f"</SCRIPT/><img src=x onerror={JS}>", "<!--<script ", "<!--<script/",
    f"</style\t><img src=x onerror={JS}>", f"</title\n><img src=x onerror={JS}>",
    f"</textarea ><img src=x onerror={JS}>",
]
ODD = [
    "", " ", "  padded  ", "\t", "\n", "\r\n", "\r", "\x0b\x0c", "\x1b[31m", "\x01\x02\x1f", "\x7f", "\x85",
    "\u00a0", "\u2028", "\u2029", "\u200b", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u061c",
    "\ufeff", "\ufffd", "\ufffe", "\uffff", "\U0010ffff", "e\u0301", "\U0001f469\U0001f3fd\u200d\U0001f4bb",
    "\U0001f3f3\ufe0f\u200d\U0001f308", "\U0001f44d", "\u05e2\u05d1\u05e8\u05d9\u05ea",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    '"', "'", "`", "\\", "<", ">", "${}", "{{}}", "%3Cscript%3E", "__proto__", "constructor", "toString", "null",
    "undefined", "#", "\u2014", "\u2026",
]
# (URL, link expected): True must be a link, False must not, None: if a link, then to http(s).
UNSAFE_URLS = [
    f"javascript:{JS}", f"JaVaScRiPt:{JS}", f" javascript:{JS}", f"java\tscript:{JS}", f"java\nscript:{JS}",
    f"\x01javascript:{JS}", f"javascript&colon;{JS}", f"data:text/html,<script>{JS}</script>", "vbscript:msgbox(1)",
    "file:///etc/passwd", "//evil.invalid/x", "/relative/path", "#fragment", "http:\\\\evil.invalid\\",
    "https:evil.invalid", "h ttp://evil.invalid/", "h\x01ttps://evil.invalid/", "ftp://evil.invalid/",
    "blob:https://evil.invalid/x", "", f"javascript://example.org/%0a{JS}",
]
SAFE_URLS = [
    f"https://example.org/a?q=<script>{JS}</script>", f'http://example.org/"onmouseover={JS}',
    f"https://example.org/'><img src=x onerror={JS}>", "HTTPS://EXAMPLE.ORG/UPPER", f"https://example.org/javascript:{JS}",
    "https://example.org/path#frag`${}`", "https://user:pw@example.org:8443/x?y=1&z=2",
]

CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
ATOM = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(ODD), st.text(CHARS, max_size=30))
SHORT = st.lists(ATOM, min_size=1, max_size=4).map("".join)
LONG = st.builds(lambda s, n: (s * n)[:5000], st.lists(ATOM, min_size=1, max_size=3).map("".join).filter(bool),
                 st.integers(30, 300))
# Mostly short strings, and up to two very long ones (each still lands in several fields).
POOL = st.builds(lambda short, long: short + long, st.lists(SHORT, min_size=N_EVENTS, max_size=2 * N_EVENTS),
                 st.lists(LONG, max_size=2))
URL = st.one_of(st.tuples(st.sampled_from(UNSAFE_URLS), st.just(False)),
                st.tuples(st.sampled_from(SAFE_URLS), st.just(True)),
                st.tuples(SHORT, st.just(None)),
                st.tuples(SHORT.map(lambda s: "https://example.org/?q=" + s), st.just(True)))
URLS = st.lists(URL, min_size=4, max_size=12)

# Reproducible (derandomize, no example database) and no shrinking: a page takes seconds, so shrinking a failure
# would take many minutes; the failure names the field it saw (every payload calls __pwn('<field>')) instead.
SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def arm(text: str, tag: str) -> str:
    """The payload with its code placeholder replaced by a call that names the field."""
    return text.replace(JS, f"__pwn('{tag}')")


def html_text(text: str) -> str:
    """What ``textContent`` gives for ``text`` escaped into markup: the HTML parser turns CRLF and CR into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def case_title(t) -> str:
    """A drawn string, then every hostile payload: the title is one field per page, and sits in <title> too."""
    return t("case.title") + arm("".join(HOSTILE), "case.title")


class Fill:
    """Hands the drawn strings to fields in turn (shifted on each round, so a string visits many fields)."""

    def __init__(self, pool: list[str]):
        self.pool = pool
        self.k = 0

    def __call__(self, tag: str) -> str:
        n = len(self.pool)
        text = self.pool[(self.k + self.k // n) % n]
        self.k += 1
        return arm(text, tag)


# ---------------------------------------------------------------------------------------------- views

def actor(i: int) -> str:
    """Entity ids; one is a name of Object.prototype's, as a case may have (an entity "constructor")."""
    return "constructor" if i == 1 else f"actor-{i}"


def source(i: int) -> str:
    return "constructor" if i == 2 else f"source-{i}"


KINDS = ["Company", "GovernmentAgency", "Person", "AdvocacyGroup", "PoliceDepartment", "ResearchGroup"]
BASES = ["stated", "resolved", "inferred", "external"]


def hostile_view(pool: list[str], urls: list[tuple[str, bool | None]], n: int = N_EVENTS) -> tuple[View, dict]:
    """A view with a drawn string in every text field; also {url: link expected} for its article URLs."""
    t = Fill(pool)
    entities = {}
    for i in range(n):
        eid = actor(i)
        entities[eid] = EntityView(eid, t(f"a{i}.label"), KINDS[i % len(KINDS)], t(f"a{i}.kind"),
                                   t(f"a{i}.description"), [t(f"a{i}.alias1"), t(f"a{i}.alias2")],
                                   wikidata=t(f"a{i}.wikidata") if i % 5 == 0 else None,
                                   member_of=[actor((i + 3) % n)] if i % 6 == 0 else [])
    expect: dict[str, bool | None] = {}
    sources = {}
    for i in range(n):
        raw, link = urls[i % len(urls)]
        url = arm(raw, f"s{i}.url")
        expect[url] = link if expect.get(url, link) == link else None
        sources[source(i)] = SourceView(source(i), t(f"s{i}.title"), t(f"s{i}.publisher"),
                                            t(f"s{i}.published"), url or None)
    type_labels = {f"type-{k}": t(f"type{k}.label") for k in range(6)}

    def cite(i: int, tag: str, start: int) -> Citation:
        s = sources[source(i % n)]
        return Citation(s.id, t(tag), start, s.title, s.publisher, s.published, s.url)

    claims = {}
    for i in range(n):
        about = [f"event-{i}"] + ([f"event-{(i - 1) % n}"] if i % 3 == 0 else []) + (
            [actor((i + 2) % n)] if i % 4 == 0 else [])
        claims[f"claim-{i}"] = ClaimView(f"claim-{i}", t(f"c{i}.text"), actor(i), entities[actor(i)].label,
                                         "asserts" if i % 2 else "denies", about, t(f"c{i}.date"),
                                         [f"claim-{(i - 1) % n}"] if i % 2 else [], [cite(i, f"c{i}.quote", 3)])
    events = []
    start = date(2016, 1, 4)
    for i in range(n):
        day = start + timedelta(days=37 * i)
        if i % 3 == 0:
            last = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            edtf, bounds, unit = day.strftime("%Y-%m"), (day.replace(day=1), day.replace(day=1), last, last), "month"
        elif i % 3 == 1:
            edtf, bounds, unit = day.isoformat(), (day,) * 4, "day"
        else:
            end = day + timedelta(days=20)
            edtf, bounds, unit = f"{day}/{end}", (day, day, end, end), "day"
        a, b = actor(i), actor((i + 1) % n)
        events.append(EventView(
            f"event-{i}", t(f"e{i}.label"), t(f"e{i}.description"), edtf, t(f"e{i}.date"), bounds[0].isoformat(),
            *(d.isoformat() for d in bounds), unit, i % 4 == 1, i % 5 == 2, BASES[i % 4], t(f"e{i}.note"),
            t(f"e{i}.place"), [f"type-{i % 6}"], [type_labels[f"type-{i % 6}"]],
            [Participant(a, entities[a].label, "initiator", entities[a].kind),
             Participant(b, entities[b].label, "target", entities[b].kind)],
            [cite(i, f"e{i}.quote1", 0), cite(i + 1, f"e{i}.quote2", 10)],
            sorted(c.id for c in claims.values() if f"event-{i}" in c.about)))
    view = View(case_title(t), events, claims, entities, sources,
                {"from": None, "to": None, "actors": [actor(0)], "types": []})
    return view, expect


# ---------------------------------------------------------------------------------------------- the browser

TRAP = """(() => {
  const hits = [];
  const record = (what) => { hits.push(String(what)); };
  Object.defineProperty(window, '__pwnHits', { value: () => hits.slice() });
  Object.defineProperty(window, '__pwn', { value: record });
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    window[name] = function (m) { record(name + ': ' + m); };
  }
  Object.defineProperty(window, '__pwned', { get() { return undefined; }, set(v) { record('__pwned = ' + v); } });
})();"""

DANGEROUS = ["script", "style", "iframe", "frame", "img", "svg", "math", "object", "embed", "link", "base", "meta",
             "form", "input", "textarea", "button", "select", "option", "noscript", "template", "video", "audio",
             "title", "plaintext", "xmp", "marquee", "details", "x", "body", "head", "html"]

INSPECT = """([tags, panel]) => {
  const census = {};
  for (const t of tags) {
    census[t] = [...document.getElementsByTagName(t)].filter(e => !(panel && e.closest(panel))).length;
  }
  const bad = [];
  const risky = ['src', 'srcdoc', 'srcset', 'action', 'formaction', 'poster', 'background', 'data', 'ping',
                 'xlink:href'];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      const n = a.name.toLowerCase();
      if (n.startsWith('on') || risky.includes(n)) bad.push(e.tagName + ' ' + n);
      if (n === 'href' && !(e.tagName === 'A' && (a.value.startsWith('#') || /^https?:$/.test(e.protocol)))
          && !(e.tagName === 'LINK' && e.rel === 'icon' && a.value === 'data:,')) {
        bad.push(e.tagName + ' href=' + a.value.slice(0, 80));
      }
    }
  }
  return { census, bad, hits: window.__pwnHits ? window.__pwnHits() : ['no trap'] };
}"""


class Visit(PageVisit):
    def inspect(self, panel: str | None = None, frame=None) -> dict:
        """Asserts no trap fired and no element has an attribute the pages never set; returns how many of each
        :data:`DANGEROUS` tag there are outside ``panel`` (whose contents depend on what was opened last)."""
        out = (frame or self.page).evaluate(INSPECT, [DANGEROUS, panel])
        assert out["hits"] == [], f"case text ran as script: {out['hits']}"
        assert out["bad"] == [], f"markup from case text: {out['bad'][:10]}"
        return out["census"]

    def clean(self) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.requests == [], self.requests
        assert self.console_errors == [], self.console_errors
        assert self.page_errors == [], self.page_errors


@contextmanager
def visit(browser, url: str, allow: tuple[str, ...] = ()):
    """Open ``url`` (tests/browser.py) with the trap installed before any script of any frame; record requests (but
    to ``url``, ``data:`` and ``about:`` URLs and URLs starting with one of ``allow``), console and page errors, and
    dialogs."""
    with open_page(browser, url, reduced_motion=True, init_script=TRAP, ignore=("about:", *allow), timeout=10_000,
                   record=Visit) as v:
        yield v


# Panels are read in batches, in one round trip: for each selector, click it (the page's own click handler
# builds the panel at once) and read the panel; null reads the panel as it is. Each read also lists the panel's
# tags and any attribute the page never sets (on*, src, ...), so markup from case text is caught at once.
PANEL_JS = """(clicks) => {
  const texts = (root) => { const out = []; const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) out.push(w.currentNode.data); return out; };
  const risky = (root) => [...root.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => /^on|^(src|srcdoc|srcset|action|formaction|style|data|poster|background)$/i.test(a.name))
    .map(a => e.tagName + ' ' + a.name));
  const tags = (root) => [...new Set([...root.querySelectorAll('*')].map(e => e.tagName))];
  const read = %s;
  return clicks.map((sel) => {
    if (sel) document.querySelector(sel).click();
    return Object.assign(read(), { hits: window.__pwnHits() });
  });
}"""


def in_one_node(texts: list[str], wanted: str, where: str) -> None:
    """``wanted`` is whole inside one text node: markup from it would have split it or eaten characters."""
    assert any(wanted in t for t in texts), f"{where}: {wanted[:200]!r} not shown as text"


def link_ok(expect: dict, url: str | None, linked: bool, protocol: str | None, where: str) -> None:
    want = expect.get(url) if url else False
    if want is True:
        assert linked, f"{where}: http(s) URL {url!r} not a link"
    elif want is False:
        assert not linked, f"{where}: {url!r} became a link"
    if linked:
        assert protocol in ("http:", "https:"), f"{where}: link to {protocol} from {url!r}"


# ---------------------------------------------------------------------------------------------- timeline page

TIMELINE_PAGE = """() => {
  const text = (sel) => { const e = document.querySelector(sel); return e ? e.textContent : null; };
  const sub = (e, sel) => { const x = e.querySelector(sel); return x ? x.textContent : null; };
  return {
    title: text('title'), h1: text('#tl-title'), filters: text('#tl-view-filters'),
    twin: [...document.querySelectorAll('#tl-twin-list > li')].map(li =>
      [li.dataset.event, li.querySelector('time').textContent, li.querySelector('a').textContent]),
    actors: [...document.querySelectorAll('#tl-actor option')].slice(1).map(o => [o.value, o.textContent]),
    types: [...document.querySelectorAll('#tl-type option')].slice(1).map(o => [o.value, o.textContent]),
    items: [...document.querySelectorAll('.vis-item[data-event]')].map(e =>
      [e.dataset.event, sub(e, '.tl-item-label'), sub(e, '.tl-item-date'), e.getAttribute('aria-label')]),
    lanes: [...document.querySelectorAll('.vis-label .tl-lane')].map(e =>
      [sub(e, '.tl-lane-label'), sub(e, '.tl-lane-detail')]),
  };
}"""

TIMELINE_PANEL = PANEL_JS % """() => {
  const d = document.getElementById('tl-detail');
  const one = (sel) => { const e = d.querySelector(sel); return e ? e.textContent : null; };
  return {
    event: document.getElementById('tl-panel').dataset.event || null,
    title: one('#tl-detail-title'), description: one('.tl-detail-description'),
    facts: [...d.querySelectorAll('.tl-facts > dt')].map(dt => [dt.textContent, dt.nextElementSibling.textContent]),
    participants: [...d.querySelectorAll('.tl-participant')].map(e => e.textContent),
    claims: [...d.querySelectorAll('.tl-claim')].map(li =>
      [li.querySelector('.tl-claim-text').textContent, li.querySelector('.tl-claimant').textContent]),
    cites: [...d.querySelectorAll('.tl-cite')].map(li => {
      const t = li.querySelector('.tl-cite-title');
      return [li.querySelector('.tl-quote').textContent, t.textContent, t.tagName === 'A' ? t.protocol : null];
    }),
    tags: tags(d), risky: risky(d), live: document.getElementById('tl-live').textContent, texts: texts(d),
  };
}"""
PANEL_TAGS = {"DIV", "H3", "H4", "BUTTON", "P", "SPAN", "DL", "DT", "DD", "CODE", "SECTION", "UL", "OL", "LI",
              "BLOCKQUOTE", "A", "CITE"}


def date_text(ev: EventView) -> str:
    note = " and ".join(w for w, on in (("approximate", ev.approximate), ("uncertain", ev.uncertain)) if on)
    return ev.date_label + (f" ({note})" if note else "")


def check_timeline_page(v: Visit, view: View, group_by: str, title: str, expect: dict) -> None:
    page = v.page
    got = page.evaluate(TIMELINE_PAGE)
    assert got["title"] == html_text(title) and got["h1"] == html_text(title)
    actors = view.filters.get("actors") or []
    if actors:
        wanted = "actors: " + ", ".join(view.entities[a].label for a in actors)
        assert got["filters"] == html_text(f"This page shows a selection of the case: {wanted}.")
    assert got["twin"] == [[e.id, html_text(marker(e) + e.date_label), html_text(e.label)] for e in view.events]
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    type_counts: dict[str, int] = {}
    type_names: dict[str, str] = {}
    for e in view.events:
        for p in {p.id: p for p in e.participants}.values():
            counts[p.id] = counts.get(p.id, 0) + 1
            names[p.id] = p.label
        for t, label in zip(e.types, e.type_labels, strict=False):
            type_names[t] = label or t
        for t in set(e.types):
            type_counts[t] = type_counts.get(t, 0) + 1
    assert dict(got["actors"]) == {a: html_text(f"{names[a]} ({n})") for a, n in counts.items()}
    assert len(got["actors"]) == len(counts)
    assert dict(got["types"]) == {t: html_text(f"{type_names.get(t, t)} ({n})") for t, n in type_counts.items()}
    by_id = {e.id: e for e in view.events}
    assert got["items"], "no event drawn"
    for event_id, label, when, aria in got["items"]:
        ev = by_id[event_id]
        assert (label, when, aria) == (ev.label, ev.date_label, f"{ev.label}, {date_text(ev)}")
    lane_list, _ = lanes(view, group_by)
    known = {(lane.label, lane.detail or None) for lane in lane_list}
    assert got["lanes"] or group_by == "none"
    for lane in got["lanes"]:
        assert tuple(lane) in known, lane


def check_timeline_panels(v: Visit, view: View, events: list[EventView], expect: dict, clicks: list) -> None:
    """Click each of ``clicks`` (None: none) and compare the panel then shown with the event's view."""
    for ev, got in zip(events, v.page.evaluate(TIMELINE_PANEL, clicks), strict=True):
        check_timeline_panel(view, ev, got, expect)


def check_timeline_panel(view: View, ev: EventView, got: dict, expect: dict) -> None:
    where = f"panel of {ev.id}"
    assert got["hits"] == [], f"{where}: case text ran as script: {got['hits']}"
    assert got["event"] == ev.id, where
    assert set(got["tags"]) <= PANEL_TAGS and got["risky"] == [], (where, got["tags"], got["risky"])
    assert got["title"] == ev.label, where
    assert got["description"] == (ev.description or None), where
    facts = dict(got["facts"])
    assert facts.get("Date note") == (ev.date_note or None), where
    assert facts.get("Place") == (ev.place or None), where
    assert facts.get("Type") == (", ".join(ev.type_labels) or None), where
    assert facts["Date as written"] == f"{ev.date_label} {ev.edtf}", where
    assert got["participants"] == [p.label for p in ev.participants], where
    claims = [view.claims[c] for c in ev.claims if c in view.claims]
    assert got["claims"] == [[f"\u201c{c.text}\u201d", c.claimant_label] for c in claims], where
    cites = [c for claim in claims for c in claim.citations] + list(ev.citations)
    assert len(got["cites"]) == len(cites), where
    urls = {s.id: s.url for s in view.sources.values()}
    for c, (quote, cite_title, protocol) in zip(cites, got["cites"], strict=True):
        assert quote == f"\u201c{c.quote}\u201d", where
        assert cite_title == (c.title or c.source), where
        link_ok(expect, urls.get(c.source, c.url), protocol is not None, protocol, where)
    assert got["live"] == f"{ev.label}, {ev.date_label}", where
    texts = got["texts"]
    for p in ev.participants:
        entity = view.entities.get(p.id)
        in_one_node(texts, (entity.kind_label if entity else p.kind) or p.role, where)
    for claim in claims:
        in_one_node(texts, claim.date, where)
        for other in claim.about:
            if other != ev.id:
                labels = [e.label for e in view.events if e.id == other]
                in_one_node(texts, labels[0] if labels else view.entities[other].label if other in view.entities
                            else other, where)
        for other in claim.contradicts:
            if other in view.claims:
                in_one_node(texts, f"{view.claims[other].claimant_label}: \u201c{view.claims[other].text}\u201d", where)
    for c in cites:
        for part in (c.publisher, c.published):
            in_one_node(texts, part, where)


def drive_timeline(browser, path: Path, view: View, group_by: str, title: str, expect: dict) -> list[dict]:
    """Open the page, check it, open every event's panel (keyboard, mouse on the drawing, the list's links)."""
    with visit(browser, path.as_uri()) as v:
        page = v.page
        page.wait_for_selector("html.tl-ready")
        census = [v.inspect("#tl-detail")]
        check_timeline_page(v, view, group_by, title, expect)
        # Keyboard, on the focused timeline: Home selects the first event, Enter opens it.
        page.focus("#tl-widget")
        page.keyboard.press("Home")
        page.keyboard.press("Enter")
        page.wait_for_selector("#tl-panel[data-event]")
        check_timeline_panels(v, view, view.events[:1], expect, [None])
        # Mouse: click an event where it is drawn (one whose middle is in sight and not under anything else).
        page.evaluate("document.getElementById('tl-widget').scrollIntoView({block: 'center'})")
        # Polled every frame: after the scroll and the panel's opening vis-timeline redraws, the fit on
        # load may still be animating on a busy machine, and vis-timeline notices a change of its size
        # only on a one-second timer, then moves every row. So an event is clicked only once it has
        # stayed in place for longer than that timer's period.
        try:
            target = page.wait_for_function("""(first) => {
                let found = null;
                const copies = {};  // grouped by source or actor, an event is drawn once in each of its rows
                for (const item of document.querySelectorAll('.vis-item[data-event]')) {
                    const copy = copies[item.dataset.event] = (copies[item.dataset.event] ?? -1) + 1;
                    if (item.dataset.event === first) continue;
                    const r = item.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
                    const hit = document.elementFromPoint(x, y);
                    if (r.width > 4 && hit && item.contains(hit)) {
                        found = [item.dataset.event, x, y, copy];
                        break;
                    }
                }
                const last = window.__tlProbe, now = performance.now();
                const same = found && last && last.found[0] === found[0] && last.found[3] === found[3]
                    && Math.abs(last.found[1] - found[1]) < 0.5 && Math.abs(last.found[2] - found[2]) < 0.5;
                if (!same) window.__tlProbe = found && {found, since: now};
                return same && now - last.since > 1100 ? found : null; }""",
                arg=view.events[0].id, timeout=15_000).json_value()
        except PlaywrightTimeout:
            target = None
        assert target is not None, "no event drawn in sight to click"
        # Playwright's click finds the element's place again at the moment it clicks and checks that the
        # element is what the pointer hits there (a late font or redraw can move it after the poll above).
        # The copy found in sight is clicked, not the event's first copy, which may be in a row out of sight.
        page.locator(f'.vis-item[data-event="{target[0]}"]').nth(target[3]).click(timeout=15_000)
        page.wait_for_selector(f'#tl-panel[data-event="{target[0]}"]')
        check_timeline_panels(v, view, [next(e for e in view.events if e.id == target[0])], expect, [None])
        v.inspect()
        rest = view.events[1:]
        for k in range(0, len(rest), 5):
            batch = rest[k:k + 5]
            check_timeline_panels(v, view, batch, expect,
                                  [f'#tl-twin-list > li[data-event="{ev.id}"] > a' for ev in batch])
        census.append(v.inspect("#tl-detail"))
        page.fill("#tl-search", "onerror")  # the search runs over every text
        page.wait_for_timeout(120)
        v.inspect()
        v.clean()
    return census


# ---------------------------------------------------------------------------------------------- graph page

GRAPH_PAGE = """() => {
  const text = (sel) => { const e = document.querySelector(sel); return e ? e.textContent : null; };
  return {
    title: text('title'), h1: text('h1'),
    rows: [...document.querySelectorAll('.tg-table tbody tr')].map(tr => [
      tr.querySelector('th a').getAttribute('href'), tr.querySelector('th a').textContent, tr.children[1].textContent,
      [...tr.children[3].querySelectorAll('li')].map(li => li.textContent)]),
  };
}"""

GRAPH_PANEL = PANEL_JS % """() => {
  const p = document.getElementById('tg-panel');
  return {
    hidden: p.hidden, title: document.getElementById('tg-panel-title').textContent,
    quotes: [...p.querySelectorAll('blockquote')].map(b => b.textContent),
    cites: [...p.querySelectorAll('.tg-cite')].map(c => [c.querySelector('cite').textContent,
      [...c.querySelectorAll('a[href]')].map(a => a.protocol)]),
    wikidata: [...p.querySelectorAll('a[href*="wikidata"]')].map(a => a.href), tags: tags(p), risky: risky(p),
    buttons: p.querySelectorAll('.tg-linkbutton').length, texts: texts(p),
    current: window.timelineGraphPage.current(), edges: window.timelineGraph.getSelectedEdges(),
  };
}"""
GRAPH_PANEL_TAGS = {"DIV", "H2", "H3", "H4", "BUTTON", "P", "SPAN", "UL", "LI", "BLOCKQUOTE", "A", "CITE", "DETAILS",
                    "SUMMARY"}


def embedded_graph(html: str, view: View) -> dict:
    """The data the graph page embeds (what its script shows), checked against the view it was made from."""
    data = json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)[1])
    for node in data["nodes"]:
        if node["category"] == "event":
            continue
        entity = view.entities[node["id"]]
        assert (node["name"], node["kindLabel"], node["aliases"], node["description"]) == (
            entity.label, entity.kind_label, entity.aliases, entity.description)
    events = {e.id: e for e in view.events}
    for event_id, ev in data["events"].items():
        want = events[event_id]
        assert (ev["label"], ev["date"], ev["description"], ev["place"], ev["types"]) == (
            want.label, want.date_label, want.description, want.place, want.type_labels)
        assert [c["quote"] for c in ev["citations"]] == [c.quote for c in want.citations]
    for source_id, source in data["sources"].items():
        want = view.sources[source_id]
        assert (source["title"], source["publisher"], source["published"]) == (want.title, want.publisher,
                                                                               want.published)
    return data


def check_graph_page(v: Visit, data: dict, title: str) -> None:
    got = v.page.evaluate(GRAPH_PAGE)
    assert got["title"] == html_text(f"{title} \u2014 network") and got["h1"] == html_text(title)
    names = {n["id"]: n["name"] for n in data["nodes"]}
    links: dict[str, list[str]] = {n["id"]: [] for n in data["nodes"]}
    for edge in data["edges"]:
        detail = edge["relation"] + (f" ({len(edge['events'])} events)" if len(edge["events"]) > 1 else "")
        links[edge["from"]].append(html_text(f"{names[edge['to']]}: {detail}"))
        links[edge["to"]].append(html_text(f"{names[edge['from']]}: {detail}"))
    assert [row[:3] for row in got["rows"]] == [[f"#{n['id']}", html_text(n["name"]), html_text(n["kindLabel"])]
                                               for n in data["nodes"]]
    for (_, _, _, items), node in zip(got["rows"], data["nodes"], strict=True):
        assert sorted(items) == sorted(links[node["id"]]), node["id"]


def check_graph_panel(got: dict, data: dict, title: str, citations: list[dict], source_urls: dict, expect: dict,
                      where: str, wanted: list[str]) -> None:
    """The panel's title, quotes, article titles and links; each of ``wanted`` whole in one text node."""
    assert got["hits"] == [], f"{where}: case text ran as script: {got['hits']}"
    assert not got["hidden"], where
    assert set(got["tags"]) <= GRAPH_PANEL_TAGS and got["risky"] == [], (where, got["tags"], got["risky"])
    assert got["title"] == title, where
    assert got["quotes"] == [c["quote"] for c in citations], where
    assert len(got["cites"]) == len(citations), where
    for c, (cite_title, protocols) in zip(citations, got["cites"], strict=True):
        assert cite_title == data["sources"][c["source"]]["title"], where
        link_ok(expect, source_urls.get(c["source"]), bool(protocols), protocols[0] if protocols else None, where)
    for href in got["wikidata"]:
        assert re.fullmatch(r"https://www\.wikidata\.org/wiki/Q[1-9][0-9]*", href), (where, href)
    for text in wanted:
        in_one_node(got["texts"], text, where)


def cited(data: dict, event_ids) -> list[dict]:
    return [c for e in event_ids if e in data["events"] for c in data["events"][e]["citations"]]


def check_graph_panels(v: Visit, data: dict, view: View, expect: dict, plan: list[tuple[str | None, dict | None]]):
    """Click each selector of ``plan`` (None: none) and compare the panel with the node given, or with the
    edge then selected when the node is None."""
    by_id = {n["id"]: n for n in data["nodes"]}
    source_urls = {s.id: s.url for s in view.sources.values()}
    for (_, node), got in zip(plan, v.page.evaluate(GRAPH_PANEL, [sel for sel, _ in plan]), strict=True):
        if node is None:
            (edge_id,) = got["edges"]
            edge = next(e for e in data["edges"] if e["id"] == edge_id)
            shown = [r["event"] for r in edge["relations"] if r["event"]]
            check_graph_panel(got, data, f"{by_id[edge['from']]['name']} \u2014 {by_id[edge['to']]['name']}",
                              cited(data, shown), source_urls, expect, f"edge {edge_id}",
                              [data["events"][e]["label"] for e in shown if e in data["events"]])
            continue
        assert got["current"] == node["id"]
        if node["category"] == "event":
            ev = data["events"][node["eventId"]]
            wanted = [ev["date"], *ev["types"], ev["description"], *(p["label"] for p in ev["participants"])]
        else:
            wanted = [node["kindLabel"], *node["aliases"], node["description"]]
            for e in node["events"]:
                if e in data["events"]:
                    ev = data["events"][e]
                    wanted += [ev["label"], ev["date"], ev["description"], ev["place"], *ev["types"]]
        check_graph_panel(got, data, node["name"], cited(data, node["events"][:150]), source_urls, expect,
                          f"profile of {node['id']}", wanted)


def drive_graph(browser, path: Path, view: View, data: dict, title: str, expect: dict) -> list[dict]:
    """Open the page, check it, hover a node, open every node's profile (keyboard, mouse, script) and some edges."""
    linked = {e["from"] for e in data["edges"]} | {e["to"] for e in data["edges"]}
    button = "#tg-panel .tg-linkbutton"
    with visit(browser, path.as_uri()) as v:
        page = v.page
        page.wait_for_selector("html[data-graph-ready]")
        census = [v.inspect("#tg-panel")]
        check_graph_page(v, data, title)
        # Hover a node: vis-network's tooltip is plain text.
        page.evaluate("document.getElementById('tg-network').scrollIntoView({block: 'center'})")
        point = page.evaluate("""(id) => { const net = window.timelineGraph, dom = net.canvasToDOM(net.getPosition(id));
            const box = document.querySelector('#tg-network .vis-network').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y}; }""", data["nodes"][0]["id"])
        page.mouse.move(point["x"] - 3, point["y"] - 3)
        page.mouse.move(point["x"], point["y"], steps=3)
        page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
        tip = page.evaluate("""() => { const t = document.querySelector('div.vis-tooltip');
            return [t.textContent, [...t.querySelectorAll('*')].filter(e => e.tagName !== 'BR').length]; }""")
        titles = {re.sub(r"\r\n|\r|\n", "", x["title"]) for x in data["nodes"] + data["edges"]}
        assert tip[1] == 0 and tip[0] in titles, tip
        page.mouse.move(1, 1)
        # Keyboard: arrow keys go through the nodes in name order, Enter opens the profile.
        page.focus("#tg-network .vis-network")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        page.wait_for_selector("#tg-panel:not([hidden])")
        check_graph_panels(v, data, view, expect, [(None, data["nodes"][0])])
        # Mouse: a node's link in the table (the text twin), then the first of its links' buttons.
        page.click("#tg-twin summary")
        sized = page.eval_on_selector_all(".tg-table th a", "els => els.map(a => a.getBoundingClientRect().width > 2)")
        mouse = sized.index(True) if True in sized else 0
        node = data["nodes"][mouse]
        page.click(f'.tg-table th a[href="#{node["id"]}"]')
        check_graph_panels(v, data, view, expect, [(None, node)])
        if node["id"] in linked and node["category"] != "event":
            page.click(button)
            check_graph_panels(v, data, view, expect, [(None, None)])
        v.inspect()
        # The others by script (a blank name has no size to click); every third, an edge from its profile.
        plan: list[tuple[str | None, dict | None]] = []
        for k, node in enumerate(data["nodes"]):
            if k in (0, mouse):
                continue
            plan.append((f'.tg-table th a[href="#{node["id"]}"]', node))
            if k % 3 == 0 and node["id"] in linked and node["category"] != "event":  # events list participants
                plan.append((button, None))
        for k in range(0, len(plan), 8):
            check_graph_panels(v, data, view, expect, plan[k:k + 8])
        page.keyboard.press("Escape")
        # The search box lists names and aliases.
        page.fill("#tg-search-input", "<")
        options = page.evaluate("""() => [...document.querySelectorAll('#tg-search-list li')].map(
            li => [...li.querySelectorAll('span')].map(s => s.textContent))""")
        names = {n["name"] for n in data["nodes"]}
        aliases = {f" \u00b7 also \u201c{a}\u201d" for n in data["nodes"] for a in n["aliases"]}
        for spans in options:
            assert not spans or (spans[0] in names and (len(spans) < 3 or spans[2] in aliases)), spans
        census.append(v.inspect("#tg-panel"))
        v.clean()
    return census


# ---------------------------------------------------------------------------------------------- the properties

_baselines: dict[tuple, dict] = {}


def baseline(browser, workdir: Path, kind: str, *options) -> dict:
    """The census of the same page made with plain text: the elements the page's own code makes."""
    key = (kind, *options)
    if key not in _baselines:
        view, _ = hostile_view(["plain text"], [("https://example.org/", True)])
        path = workdir / f"baseline-{kind}-{'-'.join(map(str, options))}.html"
        if kind == "timeline":
            path.write_text(render_timeline(view, group_by=options[0]), encoding="utf-8")
        else:
            path.write_text(render_graph(view, events=options[0]), encoding="utf-8")
        with visit(browser, path.as_uri()) as v:
            v.page.wait_for_selector("html.tl-ready" if kind == "timeline" else "html[data-graph-ready]")
            _baselines[key] = v.inspect("#tl-detail" if kind == "timeline" else "#tg-panel")
            v.clean()
    return _baselines[key]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("escape")


_pages = itertools.count()


@settings(max_examples=4, **SETTINGS)
@given(pool=POOL, urls=URLS, group_by=st.sampled_from(["actor", "type", "source", "none"]))
def test_timeline_page_shows_any_text_as_text(browser, workdir, pool, urls, group_by) -> None:
    view, expect = hostile_view(pool, urls)
    path = workdir / f"timeline-{next(_pages)}.html"
    path.write_text(render_timeline(view, group_by=group_by), encoding="utf-8")
    census = drive_timeline(browser, path, view, group_by, view.case_title or "Timeline", expect)
    assert census == [baseline(browser, workdir, "timeline", group_by)] * 2
    check_embed_snippet(browser, workdir, view.case_title)


def check_embed_snippet(browser, workdir: Path, title: str) -> None:
    """The embed snippet with ``title`` on a host page: the title stays an attribute. The framed page is a file
    named like a javascript: URL (``-o`` takes any name): it must be framed as that file, not run."""
    framed = "javascript:__pwn('embed.src').html"
    (workdir / framed).write_text("<!DOCTYPE html><title>framed</title>", encoding="utf-8")
    host = workdir / f"host-{next(_pages)}.html"
    host.write_text("<!DOCTYPE html><html lang=en><meta charset=utf-8><title>host</title>\n"
                    f"{embed_snippet(framed, title)}</html>", encoding="utf-8")
    with visit(browser, host.as_uri(), allow=(f"{workdir.as_uri()}/javascript:",)) as v:
        frame = v.page.wait_for_selector("iframe").content_frame()
        frame.wait_for_load_state("load")
        assert frame.evaluate("document.title") == "framed"
        assert v.page.evaluate("window.__pwnHits()") == []
        got = v.page.evaluate("""() => [document.querySelectorAll('*').length,
            document.querySelectorAll('script').length,
            [...document.querySelectorAll('iframe')].map(f => [f.getAttribute('src'), f.getAttribute('title')])]""")
        assert got == [7, 1, [[f"./{framed}", html_text(title)]]], got  # html head meta title body iframe script
        v.clean()


@settings(max_examples=4, **SETTINGS)
@given(pool=POOL, urls=URLS, events=st.booleans())
def test_graph_page_shows_any_text_as_text(browser, workdir, pool, urls, events) -> None:
    view, expect = hostile_view(pool, urls)
    html = render_graph(view, events=events)
    data = embedded_graph(html, view)
    path = workdir / f"graph-{next(_pages)}.html"
    path.write_text(html, encoding="utf-8")
    census = drive_graph(browser, path, view, data, view.case_title, expect)
    assert census == [baseline(browser, workdir, "graph", events)] * 2


# Strings that look like the start of a URL, with noise where a browser might or might not ignore it.
URL_START = st.builds(lambda base, at, noise, rest: base[:at] + noise + base[at:] + rest,
                      st.sampled_from(["http://", "https://", "HTTPS://", "javascript:", "data:", "ftp://", "//",
                                       "http:", "https:/", "http:\\\\"]),
                      st.integers(0, 9),
                      st.text(st.sampled_from("\x00\x01\t\n\r \x0b\x0c\x1f\x7f\x85\xa0\u200b\u2028\ufeff\u3000"
                                              ":/\u017f\u212a"), max_size=3),
                      st.text(CHARS, max_size=12))


@pytest.fixture(scope="module")
def blank(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@settings(max_examples=60, **SETTINGS)
@given(urls=st.lists(URL_START, min_size=1, max_size=40))
def test_safe_url_accepts_only_what_chromium_reads_as_http(blank, urls) -> None:
    """What :func:`safe_url` lets become a link, Chromium's URL parser reads as an absolute http(s) URL (or
    cannot read at all, such as "http://", which the pages' scripts then do not link): never as another scheme,
    nor as a path relative to the page (resolved here against a file: page, as a saved page would be)."""
    from timeline.htmlsafe import safe_url

    read = blank.evaluate("""(urls) => urls.map((u) => {
        try { return new URL(u, 'file:///saved/page.html').protocol; } catch (e) { return null; } })""", urls)
    for url, protocol in zip(urls, read, strict=True):
        if safe_url(url) is not None:
            assert protocol in ("http:", "https:", None), (url, protocol)
    for url in UNSAFE_URLS:
        assert safe_url(arm(url, "url")) is None, url


# ---------------------------------------------------------------------------------------------- end to end

N_CASE = 8
# Article URLs the loader accepts (absolute http(s) IRIs without spaces, quotes or angle brackets), with hostile
# parts; None: an article without one.
CASE_URLS = ["https://example.org/a?q=javascript:alert(1)", "http://example.org/%60%24%7Balert(1)%7D%60",
             "https://example.org/%3Cscript%3Ealert(1)%3C/script%3E", "https://example.org/\u202eevil/\u200f",
             "https://example.org/?x=);alert(1)//&y=%E2%80%A8", "https://example.org/\u00e9t\u00e9?q=\U0001f44d#!$&()*+,;=",
             None]
TIMELINE_QUERY = """SELECT ?item ?label ?start ?group ?description WHERE {
  ?item a tl:Event ; rdfs:label ?label ; tl:edtf ?start ; tl:dateNote ?description ;
        tl:hasParticipation/tl:participant/rdfs:label ?group }"""
GRAPH_QUERY = """SELECT ?a ?aLabel ?b ?bLabel ?relation WHERE {
  ?e a tl:Event ; dcterms:description ?relation ; tl:hasParticipation ?p1, ?p2 .
  ?p1 tl:participant ?a ; tl:role/skos:notation "initiator" . ?a rdfs:label ?aLabel .
  ?p2 tl:participant ?b ; tl:role/skos:notation "target" . ?b rdfs:label ?bLabel }"""


def yq(text: str) -> str:
    """``text`` as a YAML double-quoted scalar on one line (PyYAML's emitter loses some texts, such as U+0085)."""
    out = []
    for c in text:
        o = ord(c)
        if 0x20 <= o < 0x7F and c not in '"\\':
            out.append(c)
        else:
            out.append(f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}")
    return '"' + "".join(out) + '"'


def write_case(root: Path, pool: list[str]) -> dict:
    """A case directory with a drawn string in every text field; returns what the view must then hold."""
    t = Fill(pool)
    n = N_CASE
    (root / "articles").mkdir(parents=True)
    title = case_title(t)
    (root / "case.yaml").write_text(f"id: hostile\ntitle: {yq(title)}\ndescription: {yq(t('case.description'))}\n"
                                    "language: en\n", encoding="utf-8")
    want: dict = {"title": title.strip(), "entities": {}, "events": {}, "claims": {}, "sources": {}}
    entities, events, claims = [], [], []
    types = ["company", "government-agency", "person", "advocacy-group"]
    for i in range(n):
        label, aliases, about = t(f"a{i}.label"), [t(f"a{i}.alias1"), t(f"a{i}.alias2")], t(f"a{i}.description")
        entities.append(f"- id: actor-{i}\n  type: {types[i % 4]}\n  label: {yq(label)}\n"
                        f"  aliases: [{', '.join(map(yq, aliases))}]\n  description: {yq(about)}\n"
                        f"  position: {yq(t(f'a{i}.position'))}\n")
        want["entities"][f"actor-{i}"] = (label.strip(), sorted(a.strip() for a in aliases), about.strip())
        place, outlet = t(f"p{i}.label"), t(f"o{i}.label")
        entities.append(f"- id: place-{i}\n  type: place\n  label: {yq(place)}\n")
        entities.append(f"- id: outlet-{i}\n  type: news-organization\n  label: {yq(outlet)}\n")
        quote1, quote2 = (t(f"e{i}.quote").replace("\r", ""), t(f"c{i}.quote").replace("\r", ""))
        body = f"Article {i}.\n\n{quote1}\n\n{quote2}\n"
        url = CASE_URLS[i % len(CASE_URLS)]
        article_title = t(f"s{i}.title")
        front = (f"id: article-{i}\ntitle: {yq(article_title)}\npublisher: outlet-{i}\npublished: '2018-10-23'\n"
                 f"language: en\n{f'url: {yq(url)}' if url else ''}\n"
                 f"sha256: {hashlib.sha256(body.encode('utf-8')).hexdigest()}\n")
        (root / "articles" / f"article-{i}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
        want["sources"][f"article-{i}"] = (article_title.strip(), outlet.strip(), url)
        label, about, note = t(f"e{i}.label"), t(f"e{i}.description"), t(f"e{i}.note")
        day = date(2016, 1, 5) + timedelta(days=41 * i)
        events.append(f"- id: event-{i}\n  type: [meeting]\n  label: {yq(label)}\n  description: {yq(about)}\n"
                      f"  date: '{day}'\n  date_basis: stated\n  date_note: {yq(note)}\n  place: place-{i}\n"
                      f"  participants:\n    - {{entity: actor-{i}, role: initiator}}\n"
                      f"    - {{entity: actor-{(i + 1) % n}, role: target}}\n"
                      f"  citations:\n    - {{source: article-{i}, quote: {yq(quote1)}}}\n")
        want["events"][f"event-{i}"] = (label.strip(), about.strip(), note.strip(), place.strip(), [quote1])
        text = t(f"c{i}.text")
        claims.append(f"- id: claim-{i}\n  claimant: actor-{i}\n  about: [event-{i}]\n  stance: asserts\n"
                      f"  text: {yq(text)}\n  citations:\n    - {{source: article-{i}, quote: {yq(quote2)}}}\n"
                      + (f"  contradicts: [claim-{i - 1}]\n" if i % 2 else ""))
        want["claims"][f"claim-{i}"] = (text.strip(), [quote2])
    for name, records in (("entities", entities), ("events", events), ("claims", claims)):
        (root / f"{name}.yaml").write_text("".join(records), encoding="utf-8")
    return want


def check_view_holds(view: View, want: dict) -> None:
    """The pipeline (YAML, RDF, SPARQL) kept every text as written (less the surrounding space YAML fields lose)."""
    assert view.case_title == want["title"]
    for eid, (label, aliases, about) in want["entities"].items():
        e = view.entities[eid]
        assert (e.label, sorted(e.aliases), e.description) == (label, aliases, about), eid
    for eid, (label, about, note, place, quotes) in want["events"].items():
        ev = next(e for e in view.events if e.id == eid)
        assert (ev.label, ev.description, ev.date_note, ev.place) == (label, about, note, place), eid
        assert [c.quote for c in ev.citations] == quotes, eid
    for cid, (text, quotes) in want["claims"].items():
        assert (view.claims[cid].text, [c.quote for c in view.claims[cid].citations]) == (text, quotes), cid
    for sid, (title, publisher, url) in want["sources"].items():
        s = view.sources[sid]
        assert (s.title, s.publisher, s.url) == (title, publisher, url), sid


def frame_of(page, selector: str, ready: str):
    frame = page.wait_for_selector(selector).content_frame()
    frame.wait_for_selector(ready)
    return frame


_hosts_checked: list[bool] = []  # the host pages below are checked in the first example only


@settings(max_examples=2, **SETTINGS)
@given(pool=st.builds(lambda short, long: short + long,
                      st.lists(SHORT.filter(str.strip), min_size=N_CASE, max_size=3 * N_CASE),
                      st.lists(LONG.filter(str.strip), max_size=1)))  # YAML fields cannot be blank
def test_case_files_to_pages_end_to_end(browser, tmp_path_factory, pool) -> None:
    """YAML and articles -> build -> render timeline|graph, query --view timeline|graph, embed, notebook."""
    from timeline.cli import cli
    from timeline.render.graph import graph_page
    from timeline.render.timeline import timeline_page
    from timeline.stores import open_store
    from timeline.views import resultview
    from timeline.views.model import load_view

    work = tmp_path_factory.mktemp("e2e")
    # Every hostile payload goes through the whole path in every example, with the drawn ones.
    want = write_case(work / "case", pool + [h for h in HOSTILE if h.strip()])
    runner = CliRunner()

    def run(*args) -> str:
        result = runner.invoke(cli, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result.stdout

    graph, pages = work / "graph.nq", {k: work / f"{k}.html" for k in ("timeline", "graph", "qt", "qg")}
    run("build", work / "case", "-o", graph, "-q")
    snippet = run("render", "timeline", "--graph", graph, "-o", pages["timeline"], "--embed-snippet")
    run("render", "graph", "--graph", graph, "-o", pages["graph"], "--events")
    run("query", "--graph", graph, TIMELINE_QUERY, "--view", "timeline", "-o", pages["qt"])
    run("query", "--graph", graph, GRAPH_QUERY, "--view", "graph", "-o", pages["qg"])

    store = open_store(graph)
    view = load_view(store)
    check_view_holds(view, want)
    expect = {url: True for url in CASE_URLS if url}
    drive_timeline(browser, pages["timeline"], view, resolve_group_by(view, "auto"), view.case_title, expect)
    drive_graph(browser, pages["graph"], view, embedded_graph(pages["graph"].read_text("utf-8"), view),
                view.case_title, expect)
    as_timeline = resultview.to_timeline_view(store.query(TIMELINE_QUERY), view, "Query result").view
    assert {e.id for e in as_timeline.events} and all(e.type_labels for e in as_timeline.events)
    drive_timeline(browser, pages["qt"], as_timeline, "type", "Query result", expect)
    as_graph = resultview.to_graph_view(store.query(GRAPH_QUERY), view, "Query result").view
    drive_graph(browser, pages["qg"], as_graph, embedded_graph(pages["qg"].read_text("utf-8"), as_graph),
                "Query result", expect)

    if _hosts_checked:
        return  # they show the case title, which holds every hostile payload in every example
    _hosts_checked.append(True)
    # The embed snippet on a host page: the title is an attribute, the page still works inside.
    host = work / "host.html"
    host.write_text(f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>host</title>\n{snippet}</html>",
                    encoding="utf-8")
    with visit(browser, host.as_uri(), allow=(pages["timeline"].as_uri(),)) as v:
        frame = frame_of(v.page, "iframe", "html.tl-ready")
        assert v.page.get_attribute("iframe", "title") == html_text(view.case_title)
        assert v.page.evaluate("window.__pwnHits()") == []
        assert frame.evaluate("document.getElementById('tl-title').textContent") == html_text(view.case_title)
        v.inspect(frame=frame)
        v.clean()
    # The notebook frames (srcdoc: the page is an attribute value, then parsed again).
    notebook = work / "notebook.html"
    notebook.write_text("<!DOCTYPE html><html lang=en><meta charset=utf-8><title>notebook</title>\n"
                        f"{timeline_page(view)._repr_html_()}\n{graph_page(view)._repr_html_()}</html>",
                        encoding="utf-8")
    with visit(browser, notebook.as_uri()) as v:
        assert v.page.evaluate("window.__pwnHits()") == []
        for k, (ready, heading) in enumerate((("html.tl-ready", "#tl-title"), ("html[data-graph-ready]", "h1"))):
            frame = frame_of(v.page, f"iframe >> nth={k}", ready)
            assert v.page.get_attribute(f"iframe >> nth={k}", "title") == html_text(view.case_title)
            assert frame.evaluate("(sel) => document.querySelector(sel).textContent", heading) == html_text(
                view.case_title)
            v.inspect(frame=frame)
        v.clean()
    # `timeline serve`: its endpoint page names the case (its /timeline.html and /graph.html are the pages above),
    # and so do the workbench's pages, which show every record's text.
    with timeline_server(store, workers=1, isolation="thread") as server:
        with visit(browser, server.url + "/endpoint") as v:
            got = v.page.evaluate("""() => [document.querySelector('title').textContent,
                document.querySelector('h1').textContent, document.querySelectorAll('script, img, iframe').length,
                window.__pwnHits()]""")
            assert got == [html_text(view.case_title) + " \u2014 timeline serve", html_text(view.case_title), 0, []]
            v.clean()
        check_workbench(browser, server, view, want)


# What a workbench page may hold: its own script, style, metas and search forms; nothing else a payload could add.
WORKBENCH_TAGS = ["script", "style", "meta", "form", "input", "button", "img", "iframe", "frame", "object", "embed",
                  "link", "base", "textarea", "select", "template", "math", "video", "audio", "details", "noscript",
                  "plaintext", "xmp", "marquee", "x", "body", "head", "html"]
WORKBENCH_JS = """(tags) => {
  const bad = [];
  const risky = ['src', 'srcdoc', 'srcset', 'formaction', 'poster', 'background', 'data', 'ping', 'xlink:href'];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      const n = a.name.toLowerCase();
      if (n.startsWith('on') || risky.includes(n)) bad.push(e.tagName + ' ' + n);
      if (n === 'action' && !(e.tagName === 'FORM' && a.value === '/search')) bad.push('action=' + a.value);
      if (n === 'href') {
        const u = new URL(a.value, location.href);
        if (u.origin !== location.origin && !/^https?:$/.test(u.protocol)) bad.push('href=' + a.value.slice(0, 80));
      }
    }
  }
  const census = {};
  for (const t of tags) census[t] = document.getElementsByTagName(t).length;
  const h1 = document.querySelector('h1');
  return { bad, census, hits: window.__pwnHits(), h1: h1 ? h1.textContent : null,
           marks: document.querySelectorAll('article mark, mark.wb-hit').length };
}"""


def check_workbench(browser, server, view: View, want: dict) -> None:
    """Every workbench page of the hostile case: nothing ran, no element or attribute came from case text, and the
    headings are the records' very text."""
    first_entity, first_event, first_source = sorted(want["entities"])[0], "event-1", sorted(want["sources"])[0]
    pages = {
        "/": html_text(view.case_title),
        "/search?q=%3C": "Search",
        f"/entity/{first_entity}": html_text(want["entities"][first_entity][0]),
        f"/event/{first_event}": html_text(want["events"][first_event][0]),
        f"/source/{first_source}": html_text(want["sources"][first_source][0]),
        "/entity/%3Cscript%3E__pwn('path')%3C%2Fscript%3E": "Not found",
    }
    for path, heading in pages.items():
        with visit(browser, server.url + path) as v:
            got = v.page.evaluate(WORKBENCH_JS, WORKBENCH_TAGS)
            assert got["hits"] == [], (path, got["hits"])
            assert got["bad"] == [], (path, got["bad"][:10])
            forms = 2 if path == "/" else 1  # the header's search box; the home page has a second
            census = {t: 0 for t in WORKBENCH_TAGS} | {"script": 1, "style": 1, "meta": 4, "form": forms,
                                                       "input": forms, "button": forms, "body": 1, "head": 1,
                                                       "html": 1}
            assert got["census"] == census, path
            assert got["h1"] == heading, path
            if path.startswith(("/source/", "/search")):
                assert got["marks"] > 0, path  # the cited passages, the matches: marked, as text
            assert v.requests == [] and v.page_errors == [] and v.dialogs == []
            assert [e for e in v.console_errors if "404" not in e] == []  # the not-found page is a 404
