# The graph page without a browser: graph_data on the sample case, focus, events as nodes, determinism,
# offline markup, license notice, escaping of hostile case text, the notebook iframe.
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from timeline.errors import TimelineError
from timeline.render.graph import GraphPage, graph_data, graph_page, render_graph
from timeline.render.styles import CATEGORIES, EVENT_CATEGORY
from timeline.stores import open_store
from timeline.views.model import Citation, EntityView, EventView, Participant, SourceView, View, load_view

REPO = Path(__file__).resolve().parents[1]
MEETING = "amazon-ice-meeting-2018-06"
HOSTILE_SCRIPT = "<script>window.__xss=1</script>"
HOSTILE_IMG = "<img src=x onerror=window.__xss=1>"
HOSTILE_URL = "javascript:window.__xss=1"


@pytest.fixture(scope="module")
def built(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def view(built) -> View:
    return load_view(open_store(built))


@pytest.fixture(scope="module")
def data(view) -> dict:
    return graph_data(view)


def hostile_view() -> View:
    """A case whose every text field tries to inject markup or script."""
    entities = {
        "evil": EntityView("evil", f"Evil {HOSTILE_SCRIPT}", "Company", "company", f"Description {HOSTILE_IMG}",
                           [HOSTILE_IMG], wikidata=HOSTILE_URL),
        "target": EntityView("target", f"Target {HOSTILE_IMG}", "GovernmentAgency", "government agency",
                             "A target </script><script>window.__xss=1</script>", []),
    }
    sources = {"src": SourceView("src", f"Title {HOSTILE_SCRIPT}", f"Publisher {HOSTILE_IMG}", "1 June 2018",
                                 HOSTILE_URL)}
    citation = Citation("src", f"Quote {HOSTILE_IMG} and {HOSTILE_SCRIPT}", 0, sources["src"].title,
                        sources["src"].publisher, sources["src"].published, HOSTILE_URL)
    event = EventView("bad-event", f"Event {HOSTILE_SCRIPT}", f"Description {HOSTILE_IMG}", "2018-06", "June 2018",
                      "2018-06-01", "2018-06-01", "2018-06-30", "2018-06-01", "2018-06-30", "month", False, False,
                      types=["meeting"], type_labels=[f"meeting {HOSTILE_IMG}"],
                      participants=[Participant("evil", entities["evil"].label, "initiator", "Company"),
                                    Participant("target", entities["target"].label, "target", "GovernmentAgency")],
                      citations=[citation])
    return View(f"Case {HOSTILE_SCRIPT}", [event], {}, entities, sources)


CRASHES = {"lion-air-610": ("Lion Air Flight 610 crashes into the Java Sea", "29 October 2018"),
           "ethiopian-302": ("Ethiopian Airlines Flight 302 crashes near Bishoftu", "10 March 2019")}


def airliner_view() -> View:
    """A story whose centre is two crashes of an airliner that takes part in nothing else, around a few events
    with several participants (one of them with both on the same side: no one acted on the other)."""
    kinds = {"Product": "product", "Company": "company", "GovernmentAgency": "government agency",
             "Legislature": "legislature", "Person": "person"}
    entities = {e.id: e for e in [
        EntityView("max-8", "Boeing 737 MAX 8", "Product", "product", "The airliner that crashed twice."),
        EntityView("boeing", "Boeing", "Company", "company"),
        EntityView("faa", "Federal Aviation Administration", "GovernmentAgency", "government agency", aliases=["FAA"]),
        EntityView("lion-air", "Lion Air", "Company", "company"),
        EntityView("congress", "United States Congress", "Legislature", "legislature"),
        EntityView("muilenburg", "Dennis Muilenburg", "Person", "person", member_of=["boeing"]),
    ]}
    sources = {"news": SourceView("news", "The 737 MAX crashes", "The Ledger", "1 November 2019",
                                  "https://example.org/737-max")}

    def event(event_id, label, date_label, day, types, *participants):
        citation = Citation("news", f"{label}, the newspaper reported.", 0, sources["news"].title,
                            sources["news"].publisher, sources["news"].published, sources["news"].url)
        return EventView(event_id, label, f"{label}.", day, date_label, day, day, day, day, day, "day", False, False,
                         types=[types], type_labels=[types],
                         participants=[Participant(i, entities[i].label, role, entities[i].kind)
                                       for i, role in participants], citations=[citation])

    assert set(kinds) >= {e.kind for e in entities.values()}
    events = [
        event("lion-air-610", *CRASHES["lion-air-610"], "2018-10-29", "incident", ("max-8", "subject")),
        event("faa-emergency-directive", "FAA tells Boeing to update the flight manual", "7 November 2018",
              "2018-11-07", "demand", ("faa", "initiator"), ("boeing", "target")),
        event("compensation-talks", "Boeing and Lion Air talk about compensation", "December 2018", "2018-12-01",
              "meeting", ("boeing", "initiator"), ("lion-air", "initiator")),
        event("ethiopian-302", *CRASHES["ethiopian-302"], "2019-03-10", "incident", ("max-8", "subject")),
        event("faa-grounding", "The FAA grounds the type in the United States", "13 March 2019", "2019-03-13",
              "policy change", ("faa", "initiator"), ("boeing", "subject")),
        event("senate-hearing", "Dennis Muilenburg testifies before the Senate", "29 October 2019", "2019-10-29",
              "hearing", ("congress", "host"), ("muilenburg", "interviewee"), ("boeing", "subject")),
    ]
    return View("The 737 MAX crashes", events, {}, entities, sources)


def degrees(data: dict) -> dict[str, int]:
    out = {n["id"]: 0 for n in data["nodes"]}
    for edge in data["edges"]:
        out[edge["from"]] += 1
        out[edge["to"]] += 1
    return out


class _Markup(HTMLParser):
    """Collects the tags and attributes of the markup (script bodies are not markup)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def markup(html: str) -> list[tuple[str, dict]]:
    parser = _Markup()
    parser.feed(html)
    return parser.tags


# --------------------------------------------------------------------------------------------- graph_data


def test_nodes_are_the_entities_taking_part_or_members(view, data):
    participants = {p.id for e in view.events for p in e.participants}
    members = {end for r in view.relations() if r["relation"] == "member of" for end in (r["from"], r["to"])}
    assert {n["id"] for n in data["nodes"] if n["category"] != "event"} == participants | members
    without = graph_data(view, events="none")
    assert {n["id"] for n in without["nodes"]} == participants | members
    assert all(n["category"] != "event" for n in without["nodes"])
    names = [n["name"].casefold() for n in data["nodes"]]
    assert names == sorted(names)


def test_no_one_taking_part_in_an_event_floats_alone(view, data):
    """The sample's protests and policy changes have one participant, or two on the same side: by default they
    are event boxes, and the Black Lives Matter, Alphabet and NSW police nodes are linked to them."""
    participants = {p.id for e in view.events for p in e.participants}
    linked = degrees(data)
    assert [p for p in sorted(participants) if not linked[p]] == []
    boxes = {n["eventId"] for n in data["nodes"] if n["category"] == "event"}
    assert {"black-lives-matter-protests-2020", "google-ai-principles-2018-06",
            "nsw-police-uses-bezos-backed-software"} <= boxes
    assert MEETING not in boxes, "an event already drawn as a line between two entities is not a box too"
    assert len(boxes) <= len(view.events) // 4, "only the events needed, not a hairball"
    old = degrees(graph_data(view, events="none"))
    assert {"black-lives-matter", "alphabet", "nsw-police-force"} <= {n for n, d in old.items() if d == 0}


def test_single_participant_events_are_boxes_with_their_label_and_date():
    view = airliner_view()
    data = graph_data(view)
    linked = degrees(data)
    for event in view.events:
        for p in event.participants:
            assert linked[p.id] >= 1, f"{p.id} takes part in {event.id} and is drawn unconnected"
    boxes = {n["eventId"]: n for n in data["nodes"] if n["category"] == "event"}
    assert set(boxes) == {"lion-air-610", "ethiopian-302", "compensation-talks"}
    for event_id, (label, date) in CRASHES.items():
        box = boxes[event_id]
        assert box["id"] == "event:" + event_id and box["shape"] == "box" and box["name"] == label
        shown = " ".join(box["label"].split())
        assert date in shown and shown.startswith(label[:20]), shown
        assert date in box["title"] and label in box["title"]
        edge = next(e for e in data["edges"] if e["to"] == box["id"])
        assert edge["from"] == "max-8" and edge["label"] == "subject" and edge["kind"] == "role"
        assert data["events"][event_id]["date"] == date
    talks = [e for e in data["edges"] if e["to"] == "event:compensation-talks"]
    assert sorted(e["from"] for e in talks) == ["boeing", "lion-air"]
    # The events that already join two entities stay lines between them.
    grounding = next(e for e in data["edges"] if {e["from"], e["to"]} == {"faa", "boeing"})
    assert grounding["events"] == ["faa-emergency-directive", "faa-grounding"]
    assert not any(e["to"] == "event:faa-grounding" for e in data["edges"])
    # Without event nodes the airliner floats: what this default is for.
    assert degrees(graph_data(view, events="none"))["max-8"] == 0
    every = graph_data(view, events="all")
    assert {n["eventId"] for n in every["nodes"] if n["category"] == "event"} == {e.id for e in view.events}
    assert graph_data(view, events=True)["nodes"] == every["nodes"]
    with pytest.raises(TimelineError, match="connecting, all, none"):
        graph_data(view, events="some")


def test_a_focus_shows_its_own_event_boxes_and_who_shares_them():
    view = airliner_view()
    crashes = graph_data(view, focus="max-8", depth=1)
    assert {n["id"] for n in crashes["nodes"]} == {"max-8", "event:lion-air-610", "event:ethiopian-302"}
    assert degrees(crashes)["max-8"] == 2
    talks = graph_data(view, focus="lion-air", depth=1)
    assert {n["id"] for n in talks["nodes"]} == {"lion-air", "boeing", "event:compensation-talks"}
    assert all(d >= 1 for d in degrees(talks).values())
    wider = graph_data(view, focus="faa", depth=2)
    assert "lion-air" in {n["id"] for n in wider["nodes"]} and all(d >= 1 for d in degrees(wider).values())


def test_the_page_says_what_the_boxes_are():
    html = render_graph(airliner_view())
    assert "6 entities and 8 links from 6 events; 3 events are boxes, linked to those taking part." in html
    assert "took part in an event (line to a box, labelled with the role)" in html
    assert "<span>event</span> <span class=\"tg-count\">(3)</span>" in html
    assert "took part in an event" not in render_graph(airliner_view(), events="none")


def test_ice_is_linked_to_aws_by_the_june_2018_meeting_with_its_citations(view, data):
    edges = [e for e in data["edges"] if {e["from"], e["to"]} == {"ice", "amazon-web-services"}]
    assert len(edges) == 1, "relations between one pair are merged into one edge"
    edge = edges[0]
    assert MEETING in edge["events"]
    meeting = [r for r in edge["relations"] if r["event"] == MEETING]
    assert meeting and meeting[0]["from"] == "amazon-web-services" and meeting[0]["to"] == "ice"
    assert "meeting" in edge["relation"] and "meeting" in edge["label"]
    assert edge["arrows"] in ("to", "from", "to, from")
    expected = [c.quote for c in next(e for e in view.events if e.id == MEETING).citations]
    assert expected, "the sample meeting is cited"
    assert [c["quote"] for c in data["events"][MEETING]["citations"]] == expected
    for citation in data["events"][MEETING]["citations"]:
        assert citation["source"] in data["sources"]
        assert data["sources"][citation["source"]]["title"]
    assert "Amazon Web Services" in edge["title"] and "<" not in edge["title"]


def test_member_of_edges_are_dashed(data):
    member = next(e for e in data["edges"] if {e["from"], e["to"]} == {"ranju-das", "amazon-web-services"})
    assert member["kind"] == "member" and member["dashes"] is True and member["events"] == []
    assert member["relation"] == "member of"


def test_nodes_carry_type_shape_size_position_and_a_plain_text_summary(data):
    ice = next(n for n in data["nodes"] if n["id"] == "ice")
    assert ice["kindLabel"] == "government agency" and ice["category"] == "government-agency"
    assert ice["shape"] == "triangle" and ice["group"] == "government-agency"
    assert isinstance(ice["x"], int) and isinstance(ice["y"], int)
    assert "ICE" in ice["aliases"]
    assert ice["title"].startswith("U.S. Immigration and Customs Enforcement\n")
    assert "event" in ice["title"] and "<" not in ice["title"]
    small = next(n for n in data["nodes"] if n["id"] == "jeff-talbot")
    assert ice["size"] > small["size"], "node size grows with degree"
    amazon = next(n for n in data["nodes"] if n["id"] == "amazon")
    assert amazon["wikidata"] == "Q3884"


def test_legend_names_every_type_shown_and_shapes_tell_types_apart(data):
    shown = {n["category"] for n in data["nodes"]}
    assert {item["category"] for item in data["legend"]} == shown
    for item in data["legend"]:
        assert item["label"] and item["count"] == sum(1 for n in data["nodes"] if n["category"] == item["category"])
    looks = [(shape, hollow) for _, _, shape, _, hollow in CATEGORIES + [EVENT_CATEGORY]]
    assert len(set(looks)) == len(looks), "colour is never the only difference between two types"
    labels = {label for _, label, *_ in CATEGORIES}
    for wanted in ("person", "company", "government agency", "police department", "advocacy group",
                   "research group", "news organisation", "legislature", "group", "product or technology", "place",
                   "document"):
        assert wanted in labels


def test_physics_off_and_no_dynamic_smoothing(data):
    options = data["options"]
    assert options["physics"] == {"enabled": False}
    smooth = options["edges"]["smooth"]
    assert smooth is False or smooth["type"] == "continuous"
    assert options["interaction"]["zoomView"] is False
    assert options["layout"]["improvedLayout"] is False


def test_focus_keeps_only_the_neighbourhood(view):
    neighbours = {r["to"] for r in view.relations() if r["from"] == "ice"} | {
        r["from"] for r in view.relations() if r["to"] == "ice"}
    focused = graph_data(view, focus="ice", depth=1)
    assert {n["id"] for n in focused["nodes"] if n["category"] != "event"} == neighbours | {"ice"}
    assert focused["focus"] == "ice"
    ice = next(n for n in focused["nodes"] if n["id"] == "ice")
    assert ice["focus"] is True and (ice["x"], ice["y"]) == (0, 0), "centred"
    assert all(n["focus"] is False for n in focused["nodes"] if n["id"] != "ice")
    for edge in focused["edges"]:
        assert edge["from"] in neighbours | {"ice"} and edge["to"] in neighbours | {"ice"}
    wider = graph_data(view, focus="ice", depth=2)
    assert len(wider["nodes"]) > len(focused["nodes"])
    alone = graph_data(view, focus="ice", depth=0, events="none")
    assert [n["id"] for n in alone["nodes"]] == ["ice"] and alone["edges"] == []
    with pytest.raises(TimelineError):
        graph_data(view, focus="no-such-entity")


def test_events_as_nodes(view, data):
    with_events = graph_data(view, events="all")
    event_nodes = [n for n in with_events["nodes"] if n["category"] == "event"]
    assert {n["eventId"] for n in event_nodes} == {e.id for e in view.events if e.participants}
    assert all(n["id"] == "event:" + n["eventId"] and n["shape"] == "box" for n in event_nodes)
    role = next(e for e in with_events["edges"] if e["id"] == f"role:ice|{MEETING}")
    assert role["from"] == "ice" and role["to"] == "event:" + MEETING
    assert role["label"] == "target" and role["kind"] == "role"
    entity_nodes = [n for n in data["nodes"] if n["category"] != "event"]
    assert len(with_events["nodes"]) == len(entity_nodes) + len(event_nodes)
    assert any(item["category"] == "event" for item in with_events["legend"])
    focused = graph_data(view, focus="ice", depth=1, events="all")
    focused_events = {n["eventId"] for n in focused["nodes"] if n["category"] == "event"}
    assert MEETING in focused_events
    assert focused_events <= {e.id for e in view.events}


def test_graph_data_is_json(data):
    json.dumps(data, allow_nan=False)


# --------------------------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def page_html(view) -> str:
    return render_graph(view, title="Rekognition network")


def test_page_is_a_complete_offline_document(page_html, data):
    assert page_html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert '<meta charset="utf-8">' in page_html
    assert 'name="viewport"' in page_html
    assert '<script type="application/json" id="graph-data">' in page_html
    assert "Content-Security-Policy" in page_html and "default-src 'none'" in page_html
    for tag, attrs in markup(page_html):
        assert "src" not in attrs, f"<{tag}> loads {attrs['src']}"
        if "href" in attrs:
            assert attrs["href"].startswith("#"), f"<{tag}> links to {attrs['href']}"
        assert not any(name.startswith("on") for name in attrs), f"<{tag}> has an inline handler"
        if tag == "link":
            pytest.fail("no <link> elements: stylesheets are inlined")
    scripts = re.findall(r"<script(?: [^>]*)?>", page_html)
    assert scripts == ['<script type="application/json" id="graph-data">', "<script>", "<script>"]
    assert "eval(" not in (Path(__file__).parents[1] / "timeline" / "render" / "web" / "graph.js").read_text()
    payload = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page_html, re.S).group(1)
    embedded = json.loads(payload)
    assert len(embedded["nodes"]) == len(data["nodes"]) and len(embedded["edges"]) == len(data["edges"])
    assert embedded["config"]["heightMessage"] == "timeline:height"


def test_license_notice_and_version_in_the_page(page_html):
    from timeline.render import assets

    version = assets.version("vis-network")
    assert f"vis-network {version}" in page_html
    assert "Apache License" in page_html or "MIT" in page_html
    assert "Permission is hereby granted" in page_html  # the MIT text itself, not just its name
    # vis-network's standalone build bundles its peer dependencies: each is credited with its version
    for bundled in ("vis-data", "vis-util", "@egjs/hammerjs", "keycharm", "uuid", "component-emitter"):
        assert f"{bundled} {assets.version(bundled)} — license: " in page_html, bundled


def test_text_twin_and_accessibility_markup(page_html, data):
    assert '<table class="tg-table">' in page_html
    assert page_html.count("<tr><th scope=\"row\">") == len(data["nodes"])
    assert 'aria-live="polite"' in page_html and page_html.count("aria-live=") == 1
    assert 'role="combobox"' in page_html and 'role="listbox"' in page_html
    assert "prefers-reduced-motion" in page_html
    for item in data["legend"]:
        assert f"<span>{item['label']}</span>" in page_html


def test_same_view_gives_identical_bytes(view, built, page_html):
    assert render_graph(view, title="Rekognition network") == page_html
    assert render_graph(view, focus="ice", depth=2, events=True) == render_graph(view, focus="ice", depth=2,
                                                                                 events=True)
    # ... and in fresh processes with other hash seeds.
    script = ("import hashlib, sys; from timeline.stores import open_store; "
              "from timeline.views.model import load_view; "
              "from timeline.render.graph import render_graph; "
              "html = render_graph(load_view(open_store(sys.argv[1])), title='Rekognition network'); "
              "print(hashlib.sha256(html.encode('utf-8')).hexdigest())")
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script, str(built)], capture_output=True, text=True, env=env,
                              cwd=REPO, check=True)
        digests.add(done.stdout.strip())
    assert digests == {hashlib.sha256(page_html.encode("utf-8")).hexdigest()}


def test_hostile_text_is_escaped():
    html = render_graph(hostile_view())
    for raw in (HOSTILE_SCRIPT, HOSTILE_IMG, "</script><script>"):
        assert raw not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html  # title, heading, table
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in html
    assert "\\u003cimg src=x onerror=window.__xss=1\\u003e" in html  # in the JSON data
    tags = markup(html)
    assert not [t for t, a in tags if t == "img"]
    assert [t for t, _ in tags].count("script") == 3
    for _, attrs in tags:
        for value in attrs.values():
            assert not (value or "").strip().lower().startswith("javascript:")
    data = graph_data(hostile_view())
    assert data["sources"]["src"]["url"] is None, "a javascript: URL never becomes a link"
    assert next(n for n in data["nodes"] if n["id"] == "evil")["wikidata"] is None


def test_graph_page_object(view, tmp_path):
    page = graph_page(view, focus="ice")
    assert isinstance(page, GraphPage)
    assert page.html == render_graph(view, focus="ice")
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"") and "width:100%" in frame
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', frame).group(1)
    assert "<" not in srcdoc and "&lt;!DOCTYPE html&gt;" in srcdoc
    target = page.save(tmp_path / "out" / "graph.html")
    assert target.read_bytes() == page.html.encode("utf-8")
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_render_graph_command(built, tmp_path):
    from click.testing import CliRunner

    from timeline.cli import cli

    out = tmp_path / "graph.html"
    result = CliRunner().invoke(cli, ["render", "graph", "--graph", str(built), "--focus", "ICE", "--depth", "1",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "within 1 step of U.S. Immigration and Customs Enforcement" in out.read_text(encoding="utf-8")


def test_render_graph_events_option(built, view, tmp_path):
    from click.testing import CliRunner

    from timeline.cli import cli

    def boxes(*options: str) -> set[str]:
        out = tmp_path / "graph.html"
        result = CliRunner().invoke(cli, ["render", "graph", "--graph", str(built), "-o", str(out), *options])
        assert result.exit_code == 0, result.output
        html = out.read_text(encoding="utf-8")
        payload = json.loads(re.search(r'id="graph-data">(.*?)</script>', html, re.S).group(1))
        return {n["id"] for n in payload["nodes"] if n["category"] == "event"}

    default = boxes()
    assert "event:black-lives-matter-protests-2020" in default and len(default) < len(view.events)
    assert boxes("--events", "connecting") == default
    assert boxes("--events", "none") == set()
    assert len(boxes("--events")) == len(view.events), "plain --events still shows every event"
    assert len(boxes("--events", "--focus", "ICE")) > 1
    result = CliRunner().invoke(cli, ["render", "graph", "--graph", str(built), "-o", str(tmp_path / "x.html"),
                                      "--events", "some"])
    assert result.exit_code == 2 and "--events" in result.output and "Traceback" not in result.output


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_have_enough_contrast(data):
    css = (REPO / "timeline" / "render" / "web" / "graph.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--tg-([a-z-]+):\s*(#[0-9a-f]{6})", css))
    for text in ("text", "muted", "accent"):
        for background in ("bg", "soft"):
            assert _contrast(variables[text], variables[background]) >= 4.5, (text, background)
    assert _contrast(data["options"]["nodes"]["font"]["color"], "#ffffff") >= 4.5
    assert _contrast(data["options"]["edges"]["font"]["color"], "#ffffff") >= 4.5
    assert _contrast("#1b1b1b", "#fff6d5") >= 4.5  # event boxes
