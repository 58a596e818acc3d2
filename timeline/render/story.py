"""The story page: one event per slide, in date order, as educators tell a case to a class.

:func:`render_story` turns a :class:`~timeline.views.model.View` into one offline HTML document. It opens on a
title slide (the case's title and description, the years it spans, how many events, how to move on); then each
event has a slide with its date as written (with the "~"/"?" marker and the words the timeline page uses), its
headline and description, who took part and in what role, every cited quote with its article (title,
publisher, date, a link only for http(s) URLs), the claims about it with their claimant and stance, the claims
that contradict them, and an image when the event has one. Previous/next buttons, the arrow keys, Home/End, a
swipe, links to ``#EVENT-ID`` and a compact navigator of dated ticks move between slides.

Everything is written here, through the autoescaped template ``timeline/templates/story.html.j2``: the slides
are plain HTML that reads (and prints) without JavaScript, and ``timeline/render/web/story.js`` only shows one
slide at a time and lays out the navigator. No library, nothing fetched. Same view and options, same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from timeline import __version__, templating
from timeline.htmlsafe import safe_url
from timeline.render import themes
from timeline.render.media import media_src
from timeline.render.pages import Page
from timeline.render.timeline import (
    BASIS,
    _bounds,
    _day,
    _filters_text,
    _inline,
    _read_web,
    _years,
    datetime_attr,
    marker,
)
from timeline.views.model import Citation, ClaimView, EventView, View


@dataclass
class Quote:
    """A cited passage as a slide shows it: the words, the article, and a link only if it is http(s)."""

    text: str
    title: str
    publisher: str
    published: str
    url: str | None


@dataclass
class Counter:
    """A claim that contradicts one on the slide (or that one contradicts), and the slide it is told on."""

    claimant: str
    stance: str
    text: str
    event: str = ""         # the id of a slide where it is shown, if it is not this one
    event_label: str = ""


@dataclass
class ClaimSlide:
    claimant: str
    stance: str
    text: str
    date: str
    sources: list[Quote] = field(default_factory=list)
    #: The claims this one contradicts and those that contradict it: a conflict either side records.
    contradicted_by: list[Counter] = field(default_factory=list)


@dataclass
class Image:
    """An event's picture: ``src`` a data URI (inlined, so the page stays offline), else ``url`` a link, else
    neither (a case file this page could not read: rendered from a graph alone, or changed since the build)."""

    alt: str
    credit: str
    src: str | None = None
    url: str | None = None


@dataclass
class Slide:
    id: str
    number: int
    label: str
    description: str
    date_label: str
    datetime: str
    marker: str
    precision_note: str     # "approximate", "uncertain", "approximate and uncertain" or ""
    basis: str
    date_note: str
    kicker: str             # event types and place
    participants: list[tuple[str, str, str]]   # (label, role, kind)
    quotes: list[Quote]
    claims: list[ClaimSlide]
    images: list[Image]
    position: float         # where its tick sits on the navigator, 0..1
    year: str               # the year its tick starts, if the tick before is in another year


# ------------------------------------------------------------------------------------------------ slides


def _quote(c: Citation) -> Quote:
    return Quote(c.quote, c.title, c.publisher, c.published, safe_url(c.url))


def _when(event: EventView) -> date | None:
    """Where the event's tick goes: its first known bound (a point "on or before" at its latest)."""
    return _day(event.earliest_begin or event.latest_begin or event.earliest_end or event.latest_end)


def _shown_on(view: View, claim: ClaimView, here: str, slides: dict[str, str]) -> tuple[str, str]:
    """The slide (id, label) that tells ``claim``, unless it is ``here`` or not in the story."""
    for target in claim.about:
        if target == here:
            return "", ""
    for event in view.events:
        if claim.id in event.claims:
            return (event.id, slides[event.id]) if event.id != here else ("", "")
    return "", ""


def _counter(view: View, claim: ClaimView, here: str, slides: dict[str, str]) -> Counter:
    event, label = _shown_on(view, claim, here, slides)
    return Counter(claim.claimant_label, claim.stance, claim.text, event, label)


def _claims(view: View, event: EventView, slides: dict[str, str],
            against: dict[str, list[ClaimView]]) -> list[ClaimSlide]:
    out = []
    for claim_id in event.claims:
        claim = view.claims.get(claim_id)
        if claim is None:
            continue
        others = {c: view.claims[c] for c in claim.contradicts if c in view.claims}
        others.update((c.id, c) for c in against.get(claim.id, []))
        conflicts = [_counter(view, others[c], event.id, slides) for c in sorted(others)]
        out.append(ClaimSlide(claim.claimant_label, claim.stance, claim.text, claim.date,
                              [_quote(c) for c in claim.citations], conflicts))
    return out


def _images(event: EventView, case_dir: Path | None) -> list[Image]:
    """The event's image inlined from the case, else its link; neither: its alt text and credit say what is
    missing."""
    if event.media is None:
        return []
    src = media_src(event.media, case_dir)
    url = None if src else safe_url(event.media.url)
    return [Image(event.media.alt, event.media.credit, src, url)]


def slides(view: View, case_dir: Path | None = None) -> list[Slide]:
    """One slide per event of the view, in its (date) order."""
    labels = {e.id: e.label for e in view.events}
    against: dict[str, list[ClaimView]] = {}
    for claim in sorted(view.claims.values(), key=lambda c: c.id):
        for other in claim.contradicts:
            against.setdefault(other, []).append(claim)
    span = _bounds(view)
    width = max((span[1] - span[0]).days, 1) if span else 1
    out, last_year = [], ""
    for n, event in enumerate(view.events, start=1):
        when = _when(event)
        year = str(when.year) if when else ""
        words = [w for w, on in (("approximate", event.approximate), ("uncertain", event.uncertain)) if on]
        kicker = " \u00b7 ".join(x for x in (", ".join(event.type_labels), event.place) if x)
        people = []
        for p in event.participants:
            entity = view.entities.get(p.id)
            kind = entity.kind_label if entity else p.kind
            people.append((p.label, p.role, "" if kind.casefold() == p.role.casefold() else kind))
        out.append(Slide(
            event.id, n, event.label, event.description, event.date_label, datetime_attr(event), marker(event),
            " and ".join(words), BASIS.get(event.basis, event.basis), event.date_note, kicker, people,
            [_quote(c) for c in event.citations], _claims(view, event, labels, against),
            _images(event, case_dir),
            round((when - span[0]).days / width, 4) if when and span else 0.0,
            year if year != last_year else ""))
        last_year = year or last_year
    return out


# ------------------------------------------------------------------------------------------------ page


def case_description(store) -> str:
    """The case's description (``dcterms:description`` of the ``tl:Case``) for the title slide, or ""."""
    rows = store.query("SELECT ?d WHERE { ?case a tl:Case ; dcterms:description ?d } LIMIT 1",
                       where="view").records()
    return rows[0]["d"] if rows else ""


def render_story(view: View, *, title: str | None = None, show_title: bool = True, theme: str = "auto",
                 accent: str | None = None, description: str = "", case_dir: Path | None = None) -> str:
    """The whole HTML document of the story of ``view`` (template ``story.html.j2``).

    ``theme`` and ``accent`` (``#rgb`` or ``#rrggbb``): the colours, as on the timeline page
    (:mod:`timeline.render.themes`; the accent colours the buttons, links, quote bars and the current tick);
    ``show_title=False`` leaves out the title bar (for a host page that has its own heading);
    ``description`` opens the title slide (see :func:`case_description`); ``case_dir`` is where event
    images' files are read from.
    """
    from markupsafe import Markup

    theme = themes.check_theme(theme)
    accent = themes.check_accent(accent)
    page_title = title or view.case_title or "Story"
    n = len(view.events)
    return templating.render(
        "story.html.j2",
        version=__version__,
        title=page_title,
        show_title=show_title,
        description=description,
        theme=theme,
        n=n,
        events_word="event" if n == 1 else "events",
        span=_years(view),
        filters=_filters_text(view),
        slides=slides(view, case_dir),
        # Safe as they are: theme_css is built from checked #rrggbb colours, and _inline leaves no closing
        # </style> or </script> in our CSS and JS.
        theme_css=Markup(themes.theme_css(accent)),
        css=Markup(_inline(_read_web("story.css"), "css")),
        js=Markup(_inline(_read_web("story.js"), "js")),
    )


class StoryPage(Page):
    """A rendered story: ``.html``, ``.save(path)``, and inline display in a notebook."""

    def __init__(self, html: str, title: str = "Story", height: int = 650):
        super().__init__(html, title, height)


def story_page(view: View, **kw) -> StoryPage:
    """:func:`render_story` wrapped for a notebook (``_repr_html_``) and for saving."""
    return StoryPage(render_story(view, **kw), kw.get("title") or view.case_title or "Story")
