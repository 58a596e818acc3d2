"""The interactive timeline page: one offline, embeddable, accessible HTML file.

:func:`render_timeline` turns a :class:`~timeline.views.model.View` into a whole
HTML document. Everything is inlined: vis-timeline (from npm, with its license
notices), the theme colours (:mod:`timeline.render.themes`), the page's own
``timeline/render/web/timeline.js`` and ``timeline.css``, the view as JSON and
a small JSON configuration computed here (lanes, where each event is drawn,
which source URLs may become links). The page makes no network request.

What is computed here rather than in the browser, so it can be tested without
one: the lanes (one, or by actor, event type or source; ``auto`` picks one lane
or lanes by type, :data:`AUTO_RULE`), the drawn extent of every
event from its date bounds (a month-precision event spans its month, an open
end runs to the end of the view, an "on or before" date is a point at its
latest bound), the ``<time datetime>`` of the text twin, the printed handout
(every event with its quotes and numbered sources), and which URLs are safe
(``http``/``https`` only; the script checks again).

A case of more than :data:`LOD_FROM` events gets the page in levels of
detail: its data as gzipped columns (:mod:`timeline.render.timeline_data`),
bars of how many events begin when over the whole range, and the events
themselves once the window holds :data:`DETAIL_MAX` or fewer; search and
filters still cover every event, a search lists its matches, and the list of
events is the list of those in view. A smaller case's page is as it was.

The page is the template ``timeline/templates/timeline.html.j2``: every
piece of case text is autoescaped (:mod:`timeline.templating`) or embedded
as JSON that cannot close its ``<script>`` element
(:func:`timeline.htmlsafe.script_json`); the script builds the DOM with
``textContent`` only. The output is deterministic: same view and options,
same bytes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from timeline import __version__, templating
from timeline.errors import TimelineError
from timeline.gcpause import collections_paused
from timeline.htmlsafe import safe_url, script_json
from timeline.render import assets, themes, timeline_data
from timeline.render.embed import HEIGHT_MESSAGE
from timeline.render.pages import Page
from timeline.views.model import EventView, View

WEB_DIR = Path(__file__).resolve().parent / "web"
GROUP_BYS = ("auto", "actor", "type", "source", "none")
#: ``auto`` draws lanes by event type when the events fall into this many types or fewer (and at least two),
#: each event in exactly one, so that no event is drawn twice; otherwise one lane.
AUTO_MAX_TYPES = 5
AUTO_RULE = (f"auto: lanes by event type when the events fall into 2 to {AUTO_MAX_TYPES} types, each event in "
             "exactly one; otherwise one lane (every event drawn once)")
#: More lanes than this and the smallest ones are folded into one "Other …" lane.
MAX_LANES = 60
#: From this many timeline items on, vis-timeline clusters items that crowd each other.
CLUSTER_FROM = 400
#: Up to this many events the text twin (the list of all events) starts open.
TWIN_OPEN_UP_TO = 150
#: Up to this many events the page prints as a handout with every quote; a larger case prints its list of events
#: (a handout of thousands of events is not one, and its quotes would weigh on every page load).
HANDOUT_UP_TO = 400
#: More events than this and the page draws in levels of detail (:mod:`timeline.render.timeline_data`): the
#: density of the events over time, and the events themselves once the visible stretch holds few enough
#: (:data:`DETAIL_MAX`). Its data is compact (columns, string tables, gzip) and its list of events is the
#: list of the events in view.
LOD_FROM = 5000
#: In the level-of-detail page, a stretch of time holding at most this many shown events draws them.
DETAIL_MAX = 300
#: In the level-of-detail page the actor filter lists the actors with the most events, this many (thousands
#: of options take seconds to lay out); the search finds the others.
LOD_ACTORS = 300
OTHER_LANE = "~other"
NONE_LANE = "~none"
ALL_LANE = "all"

# The packages vis-timeline's standalone build bundles; listed in assets, which the build reads to vendor them.
BUNDLED = assets.TIMELINE_BUNDLED

BASIS = {
    "stated": "stated: the date is written in a cited source",
    "resolved": "resolved: a relative expression in a source (such as \u201clast month\u201d) was resolved "
                "against the article\u2019s date",
    "inferred": "inferred: the date was bounded from context in the sources",
    "external": "external: the date comes from knowledge outside the case\u2019s sources",
}

_LANE_WORDS = {"actor": ("actor", "actors"), "type": ("event type", "event types"),
               "source": ("source", "sources")}


@dataclass(frozen=True)
class Lane:
    """One lane (a vis-timeline group): ``id`` is used in item ids, ``label`` shown at the left."""

    id: str
    label: str
    detail: str
    count: int


def resolve_group_by(view: View, group_by: str) -> str:
    """``group_by`` with ``auto`` decided for ``view`` (:data:`AUTO_RULE`); any other value is kept (or refused)."""
    if group_by not in GROUP_BYS:
        raise TimelineError(f"group_by {group_by!r}: expected one of {', '.join(GROUP_BYS)}", param="group_by",
                            said=f"group_by {group_by!r}", value=group_by)
    if group_by != "auto":
        return group_by
    kinds = {t for e in view.events for t in e.types}
    single = all(len(set(e.types)) == 1 for e in view.events)
    return "type" if single and 2 <= len(kinds) <= AUTO_MAX_TYPES else "none"


def lanes(view: View, group_by: str = "auto") -> tuple[list[Lane], dict[str, list[str]]]:
    """The lanes in display order, and for each event id the ids of the lanes it is drawn in.

    ``auto`` is decided first (:func:`resolve_group_by`). Busiest lanes first
    (then by label). An event appears once in each of its actors' (types',
    sources') lanes. Beyond :data:`MAX_LANES` the smallest
    lanes are folded into one "Other" lane; events with no actor (type,
    source) go to a lane of their own. With ``group_by="none"`` there are no
    lanes and every event is drawn once.
    """
    group_by = resolve_group_by(view, group_by)
    if group_by == "none":
        return [], {e.id: [ALL_LANE] for e in view.events}
    keys: dict[str, list[tuple[str, str, str]]] = {}
    for event in view.events:
        keys[event.id] = _lane_keys(view, event, group_by)
    counts = Counter(key for ks in keys.values() for key, _, _ in ks)
    labels = {key: (label, detail) for ks in keys.values() for key, label, detail in ks}
    order = sorted(counts, key=lambda k: (-counts[k], labels[k][0].casefold(), k))
    kept = order if len(order) <= MAX_LANES else order[:MAX_LANES - 1]
    folded = set(order) - set(kept)
    out = [Lane(k, labels[k][0], labels[k][1], counts[k]) for k in kept]
    rank = {k: i for i, k in enumerate(order)}
    members: dict[str, list[str]] = {}
    other_events = none_events = 0
    for event in view.events:
        ids = [k for k, _, _ in keys[event.id] if k not in folded]
        if any(k in folded for k, _, _ in keys[event.id]):
            ids.append(OTHER_LANE)
            other_events += 1
        if not keys[event.id]:
            ids.append(NONE_LANE)
            none_events += 1
        members[event.id] = sorted(set(ids), key=lambda k: (k in (OTHER_LANE, NONE_LANE), rank.get(k, 0), k))
    singular, plural = _LANE_WORDS[group_by]
    if folded:
        out.append(Lane(OTHER_LANE, f"Other {plural}", f"{len(folded)} {plural} with fewer events", other_events))
    if none_events:
        out.append(Lane(NONE_LANE, f"No {singular}", "", none_events))
    return out, members


def _lane_keys(view: View, event: EventView, group_by: str) -> list[tuple[str, str, str]]:
    if group_by == "actor":
        seen: dict[str, tuple[str, str, str]] = {}
        for p in event.participants:
            entity = view.entities.get(p.id)
            seen.setdefault(p.id, (p.id, p.label, entity.kind_label if entity else p.kind))
        return sorted(seen.values())
    if group_by == "type":
        labels = dict(zip(event.types, event.type_labels, strict=False))
        return sorted((t, labels.get(t) or t, "") for t in set(event.types))
    out = []
    for source_id in event.sources:
        source = view.sources.get(source_id)
        if source is None:
            out.append((source_id, source_id, ""))
        else:
            out.append((source_id, source.publisher or source.title, _source_detail(source.publisher,
                                                                                   source.title, source.published)))
    return out


def _source_detail(publisher: str, title: str, published: str) -> str:
    return f"{title}, {published}" if publisher else published


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _bounds(view: View) -> tuple[date, date] | None:
    days = [d for e in view.events for d in map(_day, (e.earliest_begin, e.latest_begin, e.earliest_end,
                                                        e.latest_end)) if d]
    return (min(days), max(days)) if days else None


def geometry(event: EventView, view_end: date | None) -> dict[str, object]:
    """Where an event is drawn: ``{"kind": "point"|"range", "start", "end", "open"}`` (ISO dates, end exclusive).

    A single day is a point (a dot with its text to the right); a month, a year, an interval or a one-of range
    spans from the earliest begin to the latest end; an open end runs to the
    end of the view; an unknown beginning ("on or before") is a point at the
    latest possible date, marked ``open: "start"``.
    """
    eb, lb, ee, le = (_day(event.earliest_begin), _day(event.latest_begin), _day(event.earliest_end),
                      _day(event.latest_end))
    if eb is None:
        at = lb or ee or le or view_end
        return {"kind": "point", "start": _iso(at), "end": None, "open": "start"}
    if ee is None and le is None:
        end = max(view_end or eb, lb or eb, eb)
        return {"kind": "range", "start": eb.isoformat(), "end": (end + timedelta(days=1)).isoformat(),
                "open": "end"}
    end = le or ee
    if end <= eb:
        return {"kind": "point", "start": eb.isoformat(), "end": None, "open": ""}
    return {"kind": "range", "start": eb.isoformat(), "end": (end + timedelta(days=1)).isoformat(), "open": ""}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def datetime_attr(event: EventView) -> str:
    """A valid HTML ``datetime`` for the event's earliest bound, at the precision written ("2018", "2018-06", a day).

    The precision is that of the first date in the EDTF (the moratorium,
    ``2020-06-10/2021-06``, begins on a day although it ends in a month).
    """
    bound = event.earliest_begin or event.latest_begin or event.earliest_end or event.latest_end or ""
    if not bound:
        return ""
    core = re.sub(r"[\[\]{}~?%]", "", event.edtf)
    parts = [p for p in re.split(r"/|\.\.|,", core) if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", p)]
    if parts and (event.earliest_begin or not core.startswith("..")):
        width = len(parts[0].split("-"))
    else:
        width = {"year": 1, "month": 2}.get(event.unit, 3)
    return bound[:{1: 4, 2: 7}.get(width, 10)]


def marker(event: EventView) -> str:
    """The text marker of an imprecise date: "~" approximate, "?" uncertain, "~?" both, "" otherwise."""
    return ("~" if event.approximate else "") + ("?" if event.uncertain else "")


def config(view: View, group_by: str = "auto") -> dict[str, object]:
    """What the page's script needs besides the view: lanes, drawn extents, safe URLs, wording."""
    group_by = resolve_group_by(view, group_by)
    lane_list, members = lanes(view, group_by)
    bounds = _bounds(view)
    view_end = bounds[1] if bounds else None
    events = []
    for event in view.events:
        geo = geometry(event, view_end)
        geo.update(id=event.id, lanes=members[event.id], marker=marker(event), datetime=datetime_attr(event))
        events.append(geo)
    n_items = sum(len(e["lanes"]) for e in events)
    singular, plural = _LANE_WORDS.get(group_by, ("", ""))
    return {
        "basis": BASIS,
        "bounds": [bounds[0].isoformat(), (bounds[1] + timedelta(days=1)).isoformat()] if bounds else None,
        "cluster": n_items >= CLUSTER_FROM,
        "events": events,
        "groupBy": group_by,
        "heightMessage": HEIGHT_MESSAGE,
        "laneWord": singular,
        "lanes": [{"id": lane.id, "label": lane.label, "detail": lane.detail, "count": lane.count}
                  for lane in lane_list],
        "safeUrls": _safe_urls(view),
    }


def _safe_urls(view: View) -> dict[str, str]:
    """Each source's URL, when it is http(s): the only ones that become links."""
    urls: dict[str, str] = {}
    for source in view.sources.values():
        if safe_url(source.url):
            urls[source.id] = source.url
    for citation in _all_citations(view):
        if citation.source not in urls and safe_url(citation.url):
            urls[citation.source] = citation.url
    return dict(sorted(urls.items()))


def _all_citations(view: View):
    for event in view.events:
        yield from event.citations
    for claim in view.claims.values():
        yield from claim.citations


def _read_web(name: str) -> str:
    try:
        return (WEB_DIR / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise TimelineError(f"{WEB_DIR / name}: cannot read the page's own front-end code: "
                            f"{exc.strerror or exc}") from None


def _inline(text: str, kind: str) -> str:
    """Text for an inline ``<script>``/``<style>``: no closing tag inside, no source-map comment (a request)."""
    closing = "</script" if kind == "js" else "</style"
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(("//# sourceMappingURL=",
                                                                                    "/*# sourceMappingURL="))]
    out = "\n".join(lines)
    if closing in out.lower():
        out = re.sub(re.escape(closing), "<\\\\/" + closing[2:], out, flags=re.IGNORECASE)
    return out


def license_notices() -> list[str]:
    """vis-timeline's notice, then those of the packages its standalone build bundles (as installed)."""
    root = assets.node_modules()
    notices = [assets.notice("vis-timeline")]
    notices += [assets.notice(name) for name in BUNDLED if (root / name / "package.json").is_file()]
    return notices


def _filters_text(view: View) -> str:
    f = view.filters or {}
    parts = []
    if f.get("from") or f.get("to"):
        parts.append(f"dates {f.get('from') or 'any'} to {f.get('to') or 'any'}")
    actors = [view.entities[a].label if a in view.entities else str(a) for a in f.get("actors") or []]
    if actors:
        parts.append("actors: " + ", ".join(actors))
    if f.get("types"):
        parts.append("event types: " + ", ".join(str(t) for t in f["types"]))
    return "; ".join(parts)


def _actor_options(view: View, most: int | None = None) -> list[tuple[str, str, int]]:
    """The actor filter's options by label; ``most``: only that many, those with the most events."""
    counts = Counter(p.id for e in view.events for p in {p.id: p for p in e.participants}.values())
    labels = {p.id: p.label for e in view.events for p in e.participants}
    if most is not None:
        counts = Counter(dict(sorted(counts.items(), key=lambda t: (-t[1], t[0]))[:most]))
    return sorted(((a, labels[a], n) for a, n in counts.items()), key=lambda t: (t[1].casefold(), t[0]))


def _actor_count(view: View) -> int:
    return len({p.id for e in view.events for p in e.participants})


def _type_options(view: View) -> list[tuple[str, str, int]]:
    counts = Counter(t for e in view.events for t in set(e.types))
    labels = {t: lab for e in view.events for t, lab in zip(e.types, e.type_labels, strict=False)}
    return sorted(((t, labels.get(t) or t, n) for t, n in counts.items()), key=lambda t: (t[1].casefold(), t[0]))


def _twin(view: View, cfg: dict[str, object]) -> list[dict[str, str]]:
    """The text twin's rows: each event's date (with its marker and its datetime attribute) and label."""
    rows = []
    for event, geo in zip(view.events, cfg["events"], strict=True):
        words = [w for w, on in (("approximate", event.approximate), ("uncertain", event.uncertain)) if on]
        rows.append({"id": event.id, "datetime": geo["datetime"], "edtf": event.edtf, "marker": geo["marker"],
                     "date_label": event.date_label, "note": " and ".join(words), "label": event.label})
    return rows


def _handout(view: View, twin: list[dict[str, str]]) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    """The printed handout: each event with its quotes, each quote citing a numbered source; and the sources.

    Sources are numbered in the order the events first cite them; a URL is printed only when it is http(s).
    """
    numbers: dict[str, int] = {}
    sources: list[dict[str, str]] = []
    urls = _safe_urls(view)
    rows = []
    for event, row in zip(view.events, twin, strict=True):
        quotes = []
        for citation in event.citations:
            if citation.source not in numbers:
                numbers[citation.source] = len(numbers) + 1
                source = view.sources.get(citation.source)
                sources.append({"n": str(numbers[citation.source]),
                                "title": (source.title if source else citation.title) or citation.source,
                                "publisher": (source.publisher if source else citation.publisher) or "",
                                "published": (source.published if source else citation.published) or "",
                                "url": urls.get(citation.source, "")})
            quotes.append({"text": citation.quote, "n": numbers[citation.source]})
        rows.append({**row, "description": event.description, "quotes": quotes})
    return rows, sources


def _years(view: View) -> str:
    """The years the events span, "2015–2021" (one year: "2018"; no dated event: "")."""
    bounds = _bounds(view)
    if not bounds:
        return ""
    first, last = bounds[0].year, bounds[1].year
    return str(first) if first == last else f"{first}\u2013{last}"


def render_timeline(view: View, *, group_by: str = "auto", title: str | None = None, show_title: bool = True,
                    theme: str = "auto", accent: str | None = None, lod_from: int = LOD_FROM) -> str:
    """The whole HTML document of the interactive timeline of ``view`` (template ``timeline.html.j2``).

    ``group_by``: the lanes (:data:`GROUP_BYS`; :data:`AUTO_RULE`). ``show_title=False`` keeps the heading for
    screen readers and the printed handout only (an embed under the host page's own heading). ``theme`` and
    ``accent`` (``#rgb`` or ``#rrggbb``): the colours (:mod:`timeline.render.themes`). More events than
    ``lod_from``: the level-of-detail page (:data:`LOD_FROM`).
    """
    theme = themes.check_theme(theme)
    accent = themes.check_accent(accent)
    with collections_paused():  # 100,000 events make millions of short-lived containers and no cycle
        return _render(view, group_by, title, show_title, theme, accent, lod_from)


def _render(view: View, group_by: str, title: str | None, show_title: bool, theme: str, accent: str,
            lod_from: int) -> str:
    from markupsafe import Markup

    cfg = config(view, group_by)
    group_by = str(cfg["groupBy"])
    n = len(view.events)
    lod = n > lod_from
    if lod:
        data_json, rest_json = _lod_data(view, cfg)
        twin: list[dict[str, str]] = []
    else:
        data_json, rest_json = view.to_json(), ""
        twin = _twin(view, cfg)
    config_json = json.dumps(cfg, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    quotes = n <= HANDOUT_UP_TO and not lod
    handout, handout_sources = _handout(view, twin) if quotes else ([], [])
    return templating.render(
        "timeline.html.j2",
        version=__version__,
        vis_version=assets.version("vis-timeline"),
        title=title or view.case_title or "Timeline",
        show_title=show_title,
        theme=theme,
        years=_years(view),
        n=n,
        events_word="event" if n == 1 else "events",
        lane_note=("" if group_by == "none"
                   else f"lanes by {_LANE_WORDS[group_by][0]} ({len(cfg['lanes'])})"),
        filters=_filters_text(view),
        actor_options=_actor_options(view, LOD_ACTORS if lod else None),
        actors_total=_actor_count(view) if lod else 0,
        type_options=_type_options(view),
        twin=twin,
        twin_open=n <= TWIN_OPEN_UP_TO,
        lod=lod,
        handout=handout,
        handout_sources=handout_sources,
        handout_quotes=quotes,
        notices="\n\n".join(license_notices()),
        # Safe as they are: _inline leaves no closing </style> or </script> in the CSS and JS (ours and
        # vis-timeline's), theme_css is built from checked #rrggbb colours, and script_json leaves no '<', '>'
        # or '&' in the JSON.
        vis_css=Markup(_inline(assets.read(assets.TIMELINE_CSS), "css")),
        theme_css=Markup(themes.theme_css(accent)),
        own_css=Markup(_inline(_read_web("timeline.css"), "css")),
        data_json=Markup(script_json(data_json)),
        rest_json=Markup(script_json(rest_json)),
        config_json=Markup(script_json(config_json)),
        vis_js=Markup(_inline(assets.read(assets.TIMELINE_JS), "js")),
        own_js=Markup(_inline(_read_web("timeline.js"), "js")),
    )


def _lod_data(view: View, cfg: dict[str, object]) -> tuple[str, str]:
    """The level-of-detail page's data: a JSON object of the packed first-view columns and tables, and a JSON
    array of the packed chunks of the rest, which the page carries after its scripts (they run, and draw the
    first view, before the browser has read the chunks). ``cfg`` loses its per-event list (the columns carry
    it) and gains the page's ``lod`` settings."""
    lane_ids = [lane["id"] for lane in cfg["lanes"]] if cfg["groupBy"] != "none" else None
    parts = timeline_data.pack_parts(timeline_data.compact_data(view, cfg.pop("events"), lane_ids))
    cfg["cluster"] = False
    cfg["lod"] = {"detailMax": DETAIL_MAX, "flags": timeline_data.FLAGS, "version": timeline_data.VERSION}
    first = {"core": parts["core"], "tables": parts["tables"]}
    return (json.dumps(first, sort_keys=True, separators=(",", ":")),
            json.dumps(parts["chunks"], separators=(",", ":")))


class TimelinePage(Page):
    """A rendered timeline: ``.html``, ``.save(path)``, and inline display in a notebook."""

    def __init__(self, html: str, title: str = "Timeline", height: int = 900):
        super().__init__(html, title, height)


def timeline_page(view: View, **kw) -> TimelinePage:
    """:func:`render_timeline` wrapped for a notebook (``_repr_html_``) and for saving."""
    title = kw.get("title") or view.case_title or "Timeline"
    return TimelinePage(render_timeline(view, **kw), title)
