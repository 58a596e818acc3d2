"""The HTML templates escape by default: every template is autoescaped, none turns it off, and case text
such as a hostile label comes out escaped in every page made from them (timeline, graph, serve index,
notebook frames, TimelineJS slides)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from servers import timeline_server

from timeline import templating
from timeline.export import to_timelinejs
from timeline.render.graph import graph_page, render_graph
from timeline.render.timeline import render_timeline, timeline_page
from timeline.stores import open_store
from timeline.views.model import Citation, EntityView, EventView, Participant, SourceView, View

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = html.escape(HOSTILE)
PAGES = {"timeline.html.j2", "graph.html.j2", "serve-index.html.j2", "notebook.html.j2", "timelinejs.html.j2"}


def hostile_view() -> View:
    """Every text field a page shows holds the hostile label."""
    source = SourceView("s1", HOSTILE, HOSTILE, HOSTILE, "https://example.org/a")
    cite = Citation("s1", HOSTILE, 0, HOSTILE, HOSTILE, HOSTILE, "https://example.org/a")
    actors = {i: EntityView(i, f"{HOSTILE} {i}", "Company", HOSTILE, HOSTILE) for i in ("a1", "a2")}
    event = EventView("e1", HOSTILE, HOSTILE, "2018-06~", HOSTILE, "2018-06-01", "2018-06-01", "2018-06-30",
                      "2018-06-01", "2018-06-30", "month", True, False, "stated", HOSTILE, HOSTILE, ["meeting"],
                      [HOSTILE], [Participant("a1", actors["a1"].label, HOSTILE, "Company"),
                                  Participant("a2", actors["a2"].label, "target", "Company")], [cite], [])
    return View(HOSTILE, [event], {}, actors, {"s1": source},
                {"from": None, "to": None, "actors": ["a1"], "types": []})


def assert_escaped(text: str) -> None:
    assert HOSTILE not in text
    assert ESCAPED in text


def test_every_template_is_autoescaped() -> None:
    env = templating.environment()
    names = env.list_templates()
    assert PAGES <= set(names)
    for name in names:
        on = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        assert on is True, name


def test_no_template_turns_escaping_off() -> None:
    # Markup is passed from Python, where a comment says why it is safe; a template never decides that.
    for path in sorted(templating.TEMPLATES_DIR.glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+(false|off|none)\b", source, re.IGNORECASE), path.name


def test_values_are_escaped_as_html_escape_does_and_markup_is_kept() -> None:
    from markupsafe import Markup

    template = templating.environment().from_string('<p title="{{ v }}">{{ v }}{{ m }}{{ nothing }}</p>')
    text = "<b>'Tom' & \"Jerry\"</b>"
    assert template.render(v=text, m=Markup("<i>ok</i>"), nothing=None) == (
        f'<p title="{html.escape(text)}">{html.escape(text)}<i>ok</i></p>')


def test_an_undefined_name_is_an_error() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        templating.environment().from_string("<p>{{ missing }}</p>").render()


@pytest.mark.parametrize("group_by", ["actor", "type", "source", "none"])
def test_timeline_page_escapes_a_hostile_label(group_by: str) -> None:
    page = render_timeline(hostile_view(), group_by=group_by)
    assert_escaped(page)
    assert f"<title>{ESCAPED}</title>" in page
    assert f'<a href="#e1">{ESCAPED}</a>' in page  # the text twin


@pytest.mark.parametrize("events", [False, True])
def test_graph_page_escapes_a_hostile_label(events: bool) -> None:
    page = render_graph(hostile_view(), events=events, focus="a1")
    assert_escaped(page)
    assert f"<title>{ESCAPED} — network</title>" in page
    assert f'<a href="#a1">{ESCAPED} a1</a>' in page  # the table of nodes


def test_notebook_frames_escape_the_page_and_the_title() -> None:
    view = hostile_view()
    for frame in (timeline_page(view)._repr_html_(), graph_page(view)._repr_html_()):
        assert frame.startswith("<iframe srcdoc=") and frame.count("<") == 2  # <iframe and </iframe>
        assert f'title="{ESCAPED}"' in frame


def test_timelinejs_slides_escape_a_hostile_label() -> None:
    doc = to_timelinejs(hostile_view(), group_by="actor")
    slide = doc["events"][0]
    for text in (doc["title"]["text"]["headline"], slide["text"]["headline"], slide["text"]["text"], slide["group"]):
        assert_escaped(text)
    assert '<a href="https://example.org/a" target="_blank" rel="noopener noreferrer">' in slide["text"]["text"]


def test_serve_index_escapes_a_hostile_title_and_error(sample_graph, monkeypatch) -> None:
    import timeline.serve.app as app_module

    hostile = SimpleNamespace(pages={}, error=HOSTILE, case_title=HOSTILE, catalog=None)
    monkeypatch.setattr(app_module, "CasePages", lambda _store: hostile)
    with timeline_server(open_store(sample_graph)) as srv:
        page = srv.index_html.decode("utf-8")
    assert_escaped(page)
    assert f"<h1>{ESCAPED}</h1>" in page and f"The pages are unavailable: {ESCAPED}" in page


def test_templating_loads_jinja2_only_when_a_page_is_rendered() -> None:
    code = ("import sys, timeline.templating, timeline.export, timeline.render.timeline, timeline.render.graph, "
            "timeline.serve; print(sorted({'jinja2', 'markupsafe'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
