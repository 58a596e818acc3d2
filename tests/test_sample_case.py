"""Curation decisions in the sample case that an analyst's answers rest on.

Each test pins a correction from the independent fact-check of the sample
(issue 15) to the article text it follows, so that a later edit cannot quietly
undo it.
"""

from __future__ import annotations

from datetime import date

import pytest

from timeline import resources
from timeline.case.loader import load_case
from timeline.query import saved_queries
from timeline.stores import open_store


@pytest.fixture(scope="module")
def case():
    case, problems = load_case(resources.sample_case_dir())
    assert case is not None and not [p for p in problems if p.is_error]
    return case


def test_an_outside_date_keeps_the_articles_own_dating(case) -> None:
    # news.com.au (June 2020): Pichai called for a temporary ban "last year", i.e. 2019; general
    # knowledge puts it on 20 January 2020. Both are kept, and the event sorts by the article's.
    ev = case.events["pichai-calls-for-temporary-ban"]
    assert ev.date_basis == "external"
    assert ev.date.overlaps(date(2019, 1, 1), date(2019, 12, 31))
    assert ev.date.overlaps(date(2020, 1, 20), date(2020, 1, 20))
    assert ev.date.sort_date == date(2019, 1, 1)
    assert "2019" in ev.date.label and "January 2020" in ev.date.label
    assert "last year" in ev.date_note and "20 January 2020" in ev.date_note


def test_a_window_query_finds_the_event_under_either_dating(case, sample_graph) -> None:
    store = open_store(sample_graph, "oxigraph")
    saved = saved_queries.find_saved("events-in-window")
    for window in ({"from": "2019", "to": "2019"}, {"from": "2020-01", "to": "2020-01"}):
        result = store.query(saved.text, saved_queries.bind(saved, window, store), where="events-in-window")
        assert any(v.endswith("/pichai-calls-for-temporary-ban") for v in result.values("event")), window


def test_ice_is_not_recorded_at_the_boot_camps(case) -> None:
    # AWS says only that ICE was "one of those organizations where there was follow-up discussion".
    camps = case.events["mckinsey-boot-camps"]
    assert "ice" not in {p.entity for p in camps.participants}
    assert "mckinsey-boot-camps" not in case.events["amazon-ice-meeting-2018-06"].responds_to
    assert camps.date.latest_end == date(2018, 10, 23)  # bounded by AWS's statement, not by the meeting


def test_guliani_speaks_for_the_aclu_against_ice(case) -> None:
    ev = case.events["guliani-statement-to-mashable-2018-10-23"]
    roles = {p.entity: p.role for p in ev.participants}
    assert roles["aclu"] == "initiator" and roles["ice"] == "target"
    assert case.claims["guliani-ice-should-not"].stated_in == ev.id


def test_bezos_speaks_of_migrants_not_for_ice(case) -> None:
    claim = case.claims["bezos-let-them-in"]
    assert claim.about == ["migrants"]


@pytest.mark.parametrize("a, b", [
    ("newscomau-ibm-lagged", "krishna-opposes-mass-surveillance"),  # "among other reasons"
    ("amazon-advocated-regulation", "newscomau-amazon-lagged"),  # compatible
    ("newscomau-microsoft-concerns", "newscomau-amazon-lagged"),  # "the ban" is Pichai's
    ("washington-county-no-real-time", "amazon-real-time-identification"),  # ability vs one customer's use
])
def test_claims_that_do_not_contradict_are_not_linked(case, a, b) -> None:
    assert b not in case.claims[a].contradicts and a not in case.claims[b].contradicts


def test_the_orlando_claims_back_each_other(case) -> None:
    orlando = ["amazon-orlando-customer", "aclu-orlando-cameras", "ranju-das-orlando-partner"]
    for claim in orlando:
        assert set(orlando) - {claim} <= set(case.claims[claim].corroborates), claim
    assert "free consulting" in case.claims["aclu-orlando-cameras"].citations[0].quote
