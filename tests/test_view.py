"""The view model behind the HTML pages, and the helpers that keep them safe."""

from __future__ import annotations

import json
from datetime import date

import pytest

from timeline import resources
from timeline.case.loader import load_case
from timeline.htmlsafe import safe_url, script_json
from timeline.render.embed import HEIGHT_MESSAGE, embed_snippet
from timeline.testing.cases import synthetic_case
from timeline.testing.views import synthetic_view
from timeline.views.model import load_view


@pytest.fixture(scope="module")
def case():
    return load_case(resources.sample_case_dir())[0]


def test_view_holds_every_event_in_date_order_with_its_provenance(store, case) -> None:
    view = load_view(store)
    assert {e.id for e in view.events} == set(case.events)
    sorts = [e.sort for e in view.events]
    assert sorts == sorted(sorts)
    meeting = next(e for e in view.events if e.id == "amazon-ice-meeting-2018-06")
    assert meeting.date_label == "June 2018" and meeting.unit == "month"
    assert (meeting.earliest_begin, meeting.latest_end) == ("2018-06-01", "2018-06-30")
    assert ("ice", "target") in {(p.id, p.role) for p in meeting.participants}
    assert len(meeting.citations) == len(case.events[meeting.id].citations)
    for c in meeting.citations:
        assert c.quote in case.sources[c.source].text and c.title and c.published
    assert "ice-no-current-contract" in meeting.claims
    assert view.claims["ice-no-current-contract"].stance == "denies"


def test_view_filters_by_window_actor_and_type(store, case) -> None:
    window = load_view(store, date(2018, 6, 1), date(2018, 6, 30))
    assert {e.id for e in window.events} == {
        e.id for e in case.events.values() if e.date.overlaps(date(2018, 6, 1), date(2018, 6, 30))}
    ice = load_view(store, actors=["ice"])
    assert ice.events and all(any(p.id == "ice" for p in e.participants) for e in ice.events)
    studies = load_view(store, types=["study"])
    assert {e.id for e in studies.events} == {e.id for e in case.events.values() if "study" in e.types}
    assert studies.filters["types"] == ["study"]


def test_view_refuses_an_unknown_actor(store) -> None:
    from timeline.errors import TimelineError

    with pytest.raises(TimelineError, match="no such entity"):
        load_view(store, actors=["nobody"])


def test_view_json_is_deterministic(store) -> None:
    assert load_view(store).to_json() == load_view(store).to_json()
    assert synthetic_view(300, seed=3).to_json() == synthetic_view(300, seed=3).to_json()
    assert synthetic_view(300, seed=3).to_json() != synthetic_view(300, seed=4).to_json()


def test_relations_point_from_the_acting_side(store) -> None:
    relations = load_view(store).relations()
    assert {"from": "amazon-web-services", "to": "ice", "event": "amazon-ice-meeting-2018-06",
            "relation": "meeting/pitch", "fromRole": "initiator", "toRole": "target"} in relations
    assert any(r["relation"] == "member of" and r["from"] == "matthew-bourke" and r["to"] == "ice"
               for r in relations)


def test_synthetic_view_has_the_requested_size_and_mixed_precision() -> None:
    view = synthetic_view(1000)
    assert len(view.events) == 1000
    assert {"day", "month", "year"} <= {e.unit for e in view.events}
    assert any(e.latest_end is None for e in view.events)  # open-ended
    assert any(e.approximate or e.uncertain for e in view.events)


def test_synthetic_view_is_the_view_of_the_synthetic_case_and_each_call_a_fresh_copy() -> None:
    sizes = {"n_entities": 50, "n_sources": 10, "title": "Small synthetic case"}
    view = synthetic_view(200, **sizes)
    case = synthetic_case(200, **sizes)
    assert view.case_title == "Small synthetic case"
    assert {e.id for e in view.events} == set(case.events)
    assert set(view.entities) == set(case.entities) and set(view.sources) == set(case.sources)
    view.events.clear()  # callers may change what they get without changing the next caller's view
    assert len(synthetic_view(200, **sizes).events) == 200
    with pytest.raises(ValueError, match="at least one source"):
        synthetic_case(10, n_sources=0)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x", "/relative", "",
])
def test_only_http_urls_become_links(url: str) -> None:
    assert safe_url(url) is None


def test_http_urls_are_kept() -> None:
    assert safe_url("https://www.news.com.au/a?b=c") == "https://www.news.com.au/a?b=c"


def test_script_json_cannot_close_the_script() -> None:
    payload = json.dumps({"t": "</script><script>alert(1)</script>\u2028"})
    safe = script_json(payload)
    assert "<" not in safe and ">" not in safe and "\u2028" not in safe
    assert json.loads(safe) == json.loads(payload)


def test_embed_snippet_is_responsive_and_listens_only_to_its_frame() -> None:
    snippet = embed_snippet('timeline.html?x="1"', "A <b>title</b>")
    assert 'style="width:100%' in snippet and "max-width:100%" in snippet
    assert "&lt;b&gt;" in snippet and "<b>" not in snippet.split("<script>")[0]
    assert "event.source !== frame.contentWindow" in snippet and HEIGHT_MESSAGE in snippet
    assert "keydown" not in snippet
    assert embed_snippet("a.html", "t") == embed_snippet("a.html", "t")  # stable across runs

