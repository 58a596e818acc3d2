"""Every saved query answers a real question about the sample case correctly.

Where possible the SPARQL answer is compared with an oracle computed in Python
from the curated records, so the two paths check each other.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest

from timeline import resources
from timeline.case.loader import load_case
from timeline.case.model import AGENT_TYPES
from timeline.query import saved_queries
from timeline.stores import open_store

SAMPLE = resources.sample_case_dir()

# Parameters used for each saved query in these tests (and in the cross-engine check).
PARAMS = {
    "actor-timeline": {"actor": "ICE"},
    "events-in-window": {"from": "2018-06", "to": "2018-06"},
    "who-met-whom": {},
    "event-sources": {"event": "amazon-ice-meeting-2018-06"},
    "claims-about": {"subject": "amazon-ice-meeting-2018-06"},
    "contradicting-claims": {},
    "single-source-events": {},
    "co-participation": {},
    "source-says": {"source": "bloomberg-2018-10-23"},
    "entities-by-type": {"type": "police-department"},
    "events-by-type-per-year": {},
    "corroboration": {},
    "claims-by-claimant": {"claimant": "ice"},
    "dates-from-outside": {},
    "event-participants": {"event": "coalition-letter-2018-05"},
    "responses": {},
    "customers-and-prospects": {"vendor": "Amazon"},
}


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def case():
    case, problems = load_case(SAMPLE)
    assert case is not None and not [p for p in problems if p.is_error]
    return case


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request, graph):
    return open_store(graph, request.param)


def run(store, name: str, **params: str):
    saved = saved_queries.find_saved(name)
    given = {**PARAMS.get(name, {}), **params}
    return store.query(saved.text, saved_queries.bind(saved, given, store), where=name)


def ids(values) -> list[str]:
    return [v.rsplit("/", 1)[-1] if v else v for v in values]


def test_there_are_at_least_twelve_saved_queries_all_tested() -> None:
    found = saved_queries.saved_queries()
    assert len(found) >= 12
    assert set(found) == set(PARAMS), "every saved query needs an entry (and a test) here"
    for q in found.values():
        assert q.title and q.description, q.name


def test_actor_timeline_resolves_an_alias_and_lists_events_in_date_order(store, case) -> None:
    result = run(store, "actor-timeline")  # "ICE" is an alias, not the id
    expected = {ev.id for ev in case.events.values() if any(p.entity == "ice" for p in ev.participants)}
    assert set(ids(result.values("event"))) == expected
    assert "amazon-ice-meeting-2018-06" in expected
    order = [case.events[i].date.sort_date for i in ids(result.values("event"))]
    assert order == sorted(order)
    roles = dict(zip(ids(result.values("event")), result.values("role"), strict=True))
    assert roles["amazon-ice-meeting-2018-06"] == "target"
    assert roles["aws-follow-up-email-to-hsi"] == "recipient"


def test_events_in_window_is_an_overlap_test_on_the_bounds(store, case) -> None:
    result = run(store, "events-in-window")
    got = set(ids(result.values("event")))
    expected = {ev.id for ev in case.events.values() if ev.date.overlaps(date(2018, 6, 1), date(2018, 6, 30))}
    assert got == expected
    assert "amazon-ice-meeting-2018-06" in got  # June 2018
    assert "washington-county-uses-rekognition" in got  # 2017, still ongoing
    assert "aclu-report-2018-05" not in got  # 22 May 2018
    assert "amazon-moratorium-2020-06" not in got


def test_events_in_window_of_a_single_day(store) -> None:
    got = set(ids(run(store, "events-in-window", **{"from": "2018-05-22", "to": "2018-05-22"}).values("event")))
    assert {"aclu-report-2018-05", "coalition-letter-2018-05"} <= got
    assert "amazon-ice-meeting-2018-06" not in got


def test_who_met_whom_pairs_the_two_sides_of_the_ice_meeting(store) -> None:
    result = run(store, "who-met-whom")
    pairs = set(zip(ids(result.values("side")), ids(result.values("met")), strict=True))
    assert pairs == {("amazon", "ice"), ("amazon-web-services", "ice")}
    assert set(ids(result.values("event"))) == {"amazon-ice-meeting-2018-06"}


def test_customers_and_prospects_of_a_vendor_and_its_units(store, case) -> None:
    # Oracle from the records: pitches, deployments, contracts and partnerships in which Amazon
    # or a unit of it sells, and the other side that buys, is pitched to or partners.
    units = {"amazon"} | {e.id for e in case.entities.values() if e.parent == "amazon"}
    kinds, sellers = {"pitch", "deployment", "contract", "partnership"}, {"vendor", "initiator", "partner"}
    expected = set()
    for ev in case.events.values():
        if kinds & set(ev.types) and any(p.entity in units and p.role in sellers for p in ev.participants):
            expected |= {(p.entity, ev.id) for p in ev.participants
                         if p.role in {"customer", "target", "partner", "recipient"} and p.entity not in units}
    result = run(store, "customers-and-prospects")
    got = set(zip(ids(result.values("customer")), ids(result.values("event")), strict=True))
    assert got == expected
    assert {c for c, _ in got} == {"ice", "washington-county-sheriff", "orlando-police", "city-of-orlando",
                                   "law-enforcement-customer"}
    order = [case.events[i].date.sort_date for i in ids(result.values("event"))]
    assert order == sorted(order)
    roles = dict(zip(ids(result.values("customer")), result.values("role"), strict=True))
    assert roles["ice"] == "target" and roles["washington-county-sheriff"] == "customer"
    # Asked about the unit alone, only what the unit sold or pitched.
    aws = run(store, "customers-and-prospects", vendor="AWS")
    assert set(ids(aws.values("customer"))) == {"ice"}


def test_event_sources_lists_each_article_and_exact_quote(store, case) -> None:
    result = run(store, "event-sources")
    sources = ids(result.values("source"))
    assert set(sources) == {"bloomberg-2018-10-23", "mashable-2018-10-23", "newscomau-2020-06"}
    assert len(result.rows) == len(case.events["amazon-ice-meeting-2018-06"].citations)
    for source, quote in zip(sources, result.values("quote"), strict=True):
        assert quote in case.sources[source].text
    assert "Bloomberg" in result.values("publisher")


def test_claims_about_the_ice_meeting(store) -> None:
    result = run(store, "claims-about")
    stances = dict(zip(ids(result.values("claim")), result.values("stance"), strict=True))
    assert set(stances) == {"ice-no-current-contract", "ice-meets-vendors", "mashable-amazon-courted-ice",
                            "aws-boot-camp-follow-up"}
    assert stances["ice-no-current-contract"] == "denies"


def test_contradicting_claims_lists_each_pair_once(store, case) -> None:
    result = run(store, "contradicting-claims")
    pairs = set(zip(ids(result.values("claim")), ids(result.values("other")), strict=True))
    expected = {tuple(sorted((c.id, o))) for c in case.claims.values() for o in c.contradicts}
    assert pairs == expected
    assert ("ice-no-current-contract", "newscomau-ice-believed-user") in pairs
    assert ("amazon-orlando-customer", "orlando-only-testing") in pairs


def test_single_source_events(store, case) -> None:
    result = run(store, "single-source-events")
    expected = {ev.id for ev in case.events.values() if len({c.source for c in ev.citations}) == 1}
    assert set(ids(result.values("event"))) == expected
    only = dict(zip(ids(result.values("event")), result.values("source"), strict=True))
    assert only["google-photos-tagging-2015"] == "bloomberg-2018-10-23"


def test_co_participation_counts_shared_events(store, case) -> None:
    result = run(store, "co-participation")
    counts: Counter = Counter()
    for ev in case.events.values():
        actors = sorted({p.entity for p in ev.participants if case.entities[p.entity].type in AGENT_TYPES})
        counts.update(combinations(actors, 2))
    got = {tuple(sorted((a, b))): int(n) for a, b, n in zip(
        ids(result.values("a")), ids(result.values("b")), result.values("shared"), strict=True)}
    assert got == {pair: n for pair, n in counts.items() if n >= 2}
    assert tuple(sorted(ids([result.rows[0]["a"].value, result.rows[0]["b"].value]))) == ("amazon", "ice")
    shared = [int(v) for v in result.values("shared")]
    assert shared == sorted(shared, reverse=True)
    assert min(int(v) for v in run(store, "co-participation", min="4").values("shared")) >= 4


def test_source_says_follows_the_article_text(store, case) -> None:
    result = run(store, "source-says")
    starts = [int(v) for v in result.values("start")]
    assert starts == sorted(starts)
    cited = sum(1 for r in [*case.events.values(), *case.claims.values()]
                for c in r.citations if c.source == "bloomberg-2018-10-23")
    assert len(result.rows) == cited
    assert ids(result.values("record"))[0] == "amazon-ice-meeting-2018-06"  # the article's first sentence
    assert set(result.values("kind")) == {"event", "claim"}


def test_entities_by_type_uses_the_class_hierarchy(store, case) -> None:
    police = set(ids(run(store, "entities-by-type").values("entity")))
    assert police == {e.id for e in case.entities.values() if e.type == "police-department"}
    organizations = set(ids(run(store, "entities-by-type", type="organization").values("entity")))
    assert police <= organizations  # a police department is a government agency, an organisation
    assert "jeff-bezos" not in organizations
    saved = saved_queries.find_saved("entities-by-type")
    everything = store.query(saved.text, {}, where="entities-by-type")
    assert set(ids(everything.values("entity"))) == set(case.entities)


def test_events_by_type_per_year(store, case) -> None:
    result = run(store, "events-by-type-per-year")
    got = {(int(y), t): int(n) for y, t, n in zip(result.values("year"), result.values("type"),
                                                  result.values("events"), strict=True)}
    expected: Counter = Counter()
    for ev in case.events.values():
        for t in ev.types:
            expected[(ev.date.sort_date.year, t)] += 1
    assert got == dict(expected)
    assert got[(2018, "meeting")] == 1


def test_corroboration_counts_distinct_sources(store, case) -> None:
    result = run(store, "corroboration")
    got = dict(zip(ids(result.values("event")), (int(v) for v in result.values("sources")), strict=True))
    assert got == {ev.id: len({c.source for c in ev.citations}) for ev in case.events.values()}
    assert ids(result.values("event"))[0] == "aclu-report-2018-05"  # reported by all five articles
    assert got["aclu-report-2018-05"] == 5


def test_claims_by_claimant_includes_spokespeople(store) -> None:
    result = run(store, "claims-by-claimant")
    claims = set(ids(result.values("claim")))
    assert claims == {"ice-no-current-contract", "ice-meets-vendors", "ice-hsi-used-face-recognition"}
    assert set(result.values("speaker")) == {"Matthew Bourke"}
    assert set(result.values("date")) == {"23 October 2018"}  # from the statement they were made in


def test_dates_from_outside_the_sources_carry_their_note(store, case) -> None:
    result = run(store, "dates-from-outside")
    assert set(ids(result.values("event"))) == {
        ev.id for ev in case.events.values() if ev.date_basis == "external"}
    assert "royal-wedding-broadcast" in ids(result.values("event"))
    assert all(result.values("note"))
    stated = set(ids(run(store, "dates-from-outside", basis="stated").values("event")))
    assert "amazon-ice-meeting-2018-06" in stated


def test_event_participants_with_roles(store) -> None:
    result = run(store, "event-participants")
    roles = set(zip(ids(result.values("participant")), result.values("role"), strict=True))
    assert ("jeff-bezos", "recipient") in roles
    assert {("aclu", "signatory"), ("eff", "signatory"), ("human-rights-watch", "signatory")} <= roles


def test_responses_link_follow_ups_to_what_they_answer(store, case) -> None:
    result = run(store, "responses")
    pairs = set(zip(ids(result.values("earlier")), ids(result.values("later")), strict=True))
    assert pairs == {(t, ev.id) for ev in case.events.values() for t in ev.responds_to}
    assert ("amazon-ice-meeting-2018-06", "aws-follow-up-email-to-hsi") in pairs


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_both_engines_give_identical_answers(name: str, graph) -> None:
    answers = []
    for backend in ("oxigraph", "memory"):
        s = open_store(graph, backend)
        result = run(s, name)
        answers.append((result.variables, result.rows))
    assert answers[0] == answers[1]
