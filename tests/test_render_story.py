"""The story page as HTML text (no browser) and `timeline render story` as a user runs it."""

from __future__ import annotations

import base64
import html
import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.cli import cli
from timeline.render import themes
from timeline.render.story import StoryPage, case_description, render_story, slides, story_page
from timeline.render.timeline import WEB_DIR
from timeline.views.model import Citation, ClaimView, EntityView, EventView, Participant, SourceView, View

ICE = "amazon-ice-meeting-2018-06"
HOSTILE_SCRIPT = "<script>window.__xss=1</script>"
HOSTILE_IMG = '<img src=x onerror="window.__xss=2">'


@pytest.fixture(scope="module")
def page(view, store) -> str:
    return render_story(view, description=case_description(store))


class Page(HTMLParser):
    """The page's elements as (tag, attributes) and the text of each slide, outside script and style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.slides: list[dict[str, str]] = []
        self._skip = 0
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "article" and "st-slide" in found.get("class", ""):
            self.slides.append({"id": found.get("data-event", ""), "text": ""})
            self._depth = 1
        elif self._depth and tag == "article":
            self._depth += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if self._depth and tag == "article":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth and not self._skip:
            self.slides[-1]["text"] += data


def parse(text: str) -> Page:
    parser = Page()
    parser.feed(text)
    return parser


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def markup(text: str) -> str:
    """The page without the contents of its script and style elements."""
    return re.sub(r"(<(script|style)\b[^>]*>).*?(</\2>)", r"\1\3", text, flags=re.S | re.I)


def hostile_view() -> View:
    """Every text field tries to break out: title, labels, quotes, claims, names, URLs."""
    evil = SourceView("evil", f"Title {HOSTILE_IMG}", f"Publisher {HOSTILE_SCRIPT}", "1 June 2018",
                      "javascript:window.__xss=3")
    good = SourceView("good", "A good article", "Good News", "2 June 2018", "https://example.org/a?x=1&y=2")
    cites = [Citation("evil", f"Quote {HOSTILE_SCRIPT}", 0, evil.title, evil.publisher, evil.published, evil.url),
             Citation("good", f"Quote {HOSTILE_IMG}", 5, good.title, good.publisher, good.published, good.url)]
    actor = EntityView("evil-actor", f"Actor {HOSTILE_SCRIPT}", "Company", "company")
    event = EventView("evil-event", f"Label {HOSTILE_SCRIPT}", f"Description {HOSTILE_IMG}", "2018-06", "June 2018",
                      "2018-06-01", "2018-06-01", "2018-06-30", "2018-06-01", "2018-06-30", "month", False, False,
                      "stated", f"Note {HOSTILE_IMG}", f"Place {HOSTILE_SCRIPT}", ["meeting"], [f"type {HOSTILE_IMG}"],
                      [Participant("evil-actor", actor.label, "initiator", "Company")], cites, ["evil-claim"])
    claim = ClaimView("evil-claim", f"Claim {HOSTILE_SCRIPT}", "evil-actor", actor.label, "asserts", ["evil-event"],
                      "June 2018", [], cites[:1])
    return View(f"Case {HOSTILE_SCRIPT}", [event], {"evil-claim": claim}, {"evil-actor": actor},
                {"evil": evil, "good": good})


# ---------------------------------------------------------------- the page


def test_a_title_slide_then_one_slide_per_event_in_date_order(page, view) -> None:
    parsed = parse(page)
    assert [s["id"] for s in parsed.slides] == [""] + [e.id for e in view.events]
    assert len(view.events) == 45
    cover = squeeze(parsed.slides[0]["text"])
    assert view.case_title in cover
    assert "A story in 45 events, 2015\u20132021" in cover
    assert "face-recognition service to police and immigration agencies" in cover  # the case's description
    assert "Start the story" in cover and "swipe" in cover


def test_an_event_slide_tells_date_quotes_people_and_claims(page, view) -> None:
    texts = {s["id"]: squeeze(s["text"]) for s in parse(page).slides}
    event = next(e for e in view.events if e.id == ICE)
    text = texts[ICE]
    assert text.startswith("June 2018")
    assert event.label in text and event.description in text
    for citation in event.citations:  # each quote with its article's title, publisher and date
        assert f"\u201c{squeeze(citation.quote)}\u201d" in text
        assert squeeze(f"{citation.title}, {citation.publisher}, {citation.published}") in text
    assert "Amazon Web Services initiator" in text and "U.S. Immigration and Customs Enforcement target" in text
    claim = view.claims["ice-no-current-contract"]
    assert claim.claimant_label in text and claim.text in text
    # What contradicts it, and where that claim is told.
    assert "Contradicted by" in text
    assert view.claims["newscomau-ice-believed-user"].text in text


def test_imprecise_dates_are_shown_as_on_the_timeline_page(page) -> None:
    texts = {s["id"]: squeeze(s["text"]) for s in parse(page).slides}
    assert texts["amazon-markets-rekognition-to-police"].startswith("? on or before 22 May 2018 (uncertain)")
    assert texts["washington-county-employees-question-use"].startswith("~ about 2017 (approximate)")
    assert "How the date is known: inferred" in texts["amazon-markets-rekognition-to-police"]
    times = [a for t, a in parse(page).tags if t == "time"]
    assert {"datetime": "2018-05-22"} in times and {"datetime": "2018-06"} in times


def test_the_navigator_has_a_dated_tick_per_slide(page, view) -> None:
    ticks = [a for t, a in parse(page).tags if t == "a" and "st-tick" in a.get("class", "")]
    assert [a["href"] for a in ticks] == ["#"] + [f"#{e.id}" for e in view.events]
    assert ticks[1]["aria-label"] == f"{view.events[0].date_label}: {view.events[0].label}"
    positions = [float(a["data-pos"]) for t, a in parse(page).tags if t == "li" and "data-pos" in a]
    assert positions == sorted(positions) and positions[-1] < 1  # date order; the last event ends before 2021
    years = re.findall(r'<span class="st-year" aria-hidden="true">(\d{4})</span>', page)
    assert years == ["2015", "2016", "2017", "2018", "2019", "2020"]


def test_page_makes_no_network_reference(page) -> None:
    bare = markup(page)
    assert re.findall(r"<link[^>]*>", bare, re.I) == ['<link rel="icon" href="data:,">']
    assert not re.search(r"<(img|iframe|script|video|audio|source|object|embed)\b[^>]*\bsrc=", bare, re.I)
    assert not re.search(r"url\(|@import|@font-face|sourceMappingURL", page, re.I)
    links = [a for t, a in parse(page).tags if t == "a" and a.get("href", "").startswith("http")]
    assert links and all(a["target"] == "_blank" and "noopener" in a["rel"] for a in links)


def test_accessibility_hooks(page) -> None:
    tags = parse(page).tags
    assert [t for t, _ in tags if t in ("header", "main", "nav", "footer")] == ["header", "main", "footer", "nav"]
    assert ("div", {"id": "st-live", "class": "st-visually-hidden", "aria-live": "polite", "aria-atomic": "true"}) \
        in tags
    buttons = {a["id"]: a for t, a in tags if t == "button"}
    assert buttons["st-prev"]["aria-label"] == "Previous slide" and buttons["st-next"]["aria-label"] == "Next slide"
    slides_ = [a for t, a in tags if t == "article"]
    assert all(a["aria-roledescription"] == "slide" and a["aria-labelledby"] for a in slides_)
    assert page.count("<h1") == 1


def test_render_is_deterministic_and_options_apply(view) -> None:
    assert render_story(view) == render_story(view)
    dark = render_story(view, theme="dark", accent="#C60", show_title=False, title="Lesson 3")
    assert '<html lang="en" class="st-no-js" data-theme="dark">' in dark
    assert themes.theme_css("#cc6600") in dark  # the timeline page's colours, with the accent made readable
    assert "<title>Lesson 3</title>" in dark and '<header class="st-bar st-visually-hidden">' in dark
    assert 'id="st-cover-title">Lesson 3</h2>' in dark  # the title slide stays
    # The page's own CSS takes every colour from the themes' custom properties.
    css = (WEB_DIR / "story.css").read_text(encoding="utf-8")
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b|rgb\(", css.split("@media (forced-colors", 1)[0])
    assert set(re.findall(r"var\(--(tl-[a-z-]+)\)", css)) <= {f"tl-{k}" for k in themes.palette("light")}


def test_hostile_text_is_escaped_and_bad_urls_are_not_links() -> None:
    page = render_story(hostile_view())
    bare = markup(page)
    assert "<script>window.__xss" not in page and "<img src=x" not in bare
    assert html.escape(f"Label {HOSTILE_SCRIPT}") in page
    assert html.escape(f"Quote {HOSTILE_IMG}") in page
    assert html.escape(f"Claim {HOSTILE_SCRIPT}") in page
    assert f"<title>{html.escape(f'Case {HOSTILE_SCRIPT}')}</title>" in page
    hrefs = [a.get("href", "") for t, a in parse(page).tags if t == "a"]
    assert "javascript" not in " ".join(hrefs).lower()
    assert "https://example.org/a?x=1&y=2" in hrefs
    assert f'<cite class="st-source-title">{html.escape(f"Title {HOSTILE_IMG}")}</cite>' in page


def test_an_empty_view_has_a_title_slide_only() -> None:
    page = render_story(View("Nothing yet", [], {}, {}, {}))
    parsed = parse(page)
    assert [s["id"] for s in parsed.slides] == [""]
    assert "No event is in this selection." in squeeze(parsed.slides[0]["text"])


def test_slides_link_a_contradicting_claim_to_the_slide_that_tells_it(view) -> None:
    by_id = {s.id: s for s in slides(view)}
    claims = {c.text: c for c in by_id[ICE].claims}
    contract = claims[view.claims["ice-no-current-contract"].text]
    (other,) = contract.contradicted_by
    assert other.text == view.claims["newscomau-ice-believed-user"].text
    assert other.event == ""  # that claim is about ICE and Rekognition, on no event's slide


def test_story_page_saves_and_shows_in_a_notebook(view, tmp_path: Path) -> None:
    page = story_page(view, title="Class")
    assert isinstance(page, StoryPage) and page.title == "Class"
    assert page.save(tmp_path / "s.html").read_text(encoding="utf-8") == page.html
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame


# ---------------------------------------------------------------- the command


def run(graph: Path, out: Path, *args: str):
    return CliRunner().invoke(cli, ["render", "story", "--graph", str(graph), "-o", str(out), *args])


def test_the_command_writes_the_page(sample_graph, tmp_path: Path) -> None:
    out = tmp_path / "story.html"
    result = run(sample_graph, out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    parsed = parse(out.read_text(encoding="utf-8"))
    assert len(parsed.slides) == 46
    assert "face-recognition service" in parsed.slides[0]["text"]  # the description, read from the graph
    assert not list(tmp_path.glob(".story.html.*"))


def test_the_command_applies_filters_and_options(sample_graph, tmp_path: Path) -> None:
    out = tmp_path / "ice.html"
    result = run(sample_graph, out, "--actor", "ICE", "--from", "2018", "--to", "2018", "--theme", "contrast",
                 "--accent", "#336699", "--no-title", "--title", "ICE in 2018", "--embed-snippet")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('<iframe id="timeline-') and 'src="ice.html"' in result.stdout
    page = out.read_text(encoding="utf-8")
    ids = [s["id"] for s in parse(page).slides][1:]
    assert ICE in ids and "aclu-report-2018-05" not in ids and "amazon-moratorium-2020-06" not in ids
    assert "This story shows a selection of the case: dates 2018-01-01 to 2018-12-31; actors: U.S. Immigration" \
        in squeeze(page)
    assert 'data-theme="contrast"' in page and "--tl-accent: #336699;" in page
    assert "<title>ICE in 2018</title>" in page


@pytest.mark.parametrize(("args", "fragment"), [
    (["--accent", "red"], "--accent red is not a colour: write it as #rgb or #rrggbb"),
    (["--accent", "#12345"], "--accent #12345 is not a colour"),
    (["--theme", "pink"], "'pink' is not one of"),
    (["--actor", "amazn"], "did you mean 'amazon'"),
    (["--from", "2018-13"], "month 13"),
])
def test_bad_options_fail_with_one_line(sample_graph, tmp_path: Path, args, fragment) -> None:
    result = run(sample_graph, tmp_path / "x.html", *args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert fragment in result.output
    assert len([line for line in result.stderr.splitlines() if "rror" in line]) == 1
    assert not (tmp_path / "x.html").exists()


# ---------------------------------------------------------------- an event's image


def add_image(case_dir: Path, event_id: str, *lines: str) -> None:
    """Give an event of the case a ``media`` mapping of ``lines`` (``key: value``)."""
    events = case_dir / "events.yaml"
    text = events.read_text(encoding="utf-8")
    record = f"- id: {event_id}\n"
    assert text.count(record) == 1
    events.write_text(text.replace(record, record + "  media:\n" + "".join(f"    {x}\n" for x in lines)),
                      encoding="utf-8")


def png(width: int = 48, height: int = 32) -> bytes:
    """A valid PNG (8-bit RGB), dark blue."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x10\x30\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def image_case(case_copy: Path, out: Path) -> Path:
    """The sample with a picture file on the ICE meeting and a picture by URL on the ACLU report, built into
    ``out`` (as $TIMELINE_OUT)."""
    (case_copy / "images").mkdir()
    (case_copy / "images" / "meeting.png").write_bytes(png())
    add_image(case_copy, ICE, "file: images/meeting.png", 'alt: "A blue rectangle standing for the meeting room"',
              'credit: "Test pattern, CC0"')
    add_image(case_copy, "aclu-report-2018-05", "url: https://example.org/report-cover.jpg",
              "alt: The report's cover", "credit: ACLU")
    result = CliRunner().invoke(cli, ["build", str(case_copy), "-q", "--pages"], env={"TIMELINE_OUT": str(out)})
    assert result.exit_code == 0, result.output
    return case_copy


def test_an_event_image_is_inlined_with_alt_and_credit_and_a_url_is_a_link(case_copy, tmp_path: Path) -> None:
    built = tmp_path / "out"
    case_dir = image_case(case_copy, built)
    out = tmp_path / "story.html"
    result = CliRunner().invoke(cli, ["render", "story", "--case", str(case_dir), "-o", str(out)],
                                env={"TIMELINE_OUT": str(built)})
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    images = [a for t, a in parse(page).tags if t == "img"]
    assert images == [{"src": "data:image/png;base64," + base64.b64encode(png()).decode("ascii"),
                       "alt": "A blue rectangle standing for the meeting room", "decoding": "async"}]
    texts = {s["id"]: squeeze(s["text"]) for s in parse(page).slides}
    assert "Test pattern, CC0" in texts[ICE]
    # A picture given by URL is a link to it, never loaded: the page stays offline.
    assert "Image: The report's cover (ACLU) (on the web; not part of this offline page)" \
        in texts["aclu-report-2018-05"]
    assert ("a", {"href": "https://example.org/report-cover.jpg", "rel": "noopener noreferrer external",
                  "target": "_blank"}) in parse(page).tags
    # `timeline build --pages` writes the same story beside the graph, the picture inlined from the case.
    built_page = (built / case_dir.name / "story.html").read_text(encoding="utf-8")
    assert [a for t, a in parse(built_page).tags if t == "img"] == images
    assert len(parse(built_page).slides) == 46
    # From a graph alone the case's files are out of reach: the slide says what the picture was.
    alone = tmp_path / "alone.html"
    graph = built / case_dir.name / "graph.nq"
    assert CliRunner().invoke(cli, ["render", "story", "--graph", str(graph), "-o", str(alone)]).exit_code == 0
    alone_page = alone.read_text(encoding="utf-8")
    assert "<img" not in markup(alone_page)
    assert "Image not included in this page: A blue rectangle standing for the meeting room (Test pattern, CC0)" \
        in squeeze(alone_page)
