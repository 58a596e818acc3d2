"""timeline.case.loader.load_case and timeline.case.checks.check_case on the sample case."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
import yaml

from timeline.case.checks import check_case
from timeline.case.loader import load_case
from timeline.case.model import DATE_BASES
from timeline.case.vocabularies import load_vocabularies


@pytest.fixture(scope="module")
def loaded(sample_case):
    case, problems = load_case(sample_case)
    assert case is not None, problems
    checked = check_case(case, load_vocabularies(), today=date(2030, 1, 1))  # fills in citation offsets
    return case, problems, checked


@pytest.fixture(scope="module")
def case(loaded):
    return loaded[0]


def cited_records(case):
    return [*case.events.values(), *case.claims.values()]


def test_sample_loads_without_problems(loaded):
    _case, problems, checked = loaded
    assert problems == []
    assert [p for p in checked if p.is_error] == []


def test_every_record_in_the_files_is_loaded(case, sample_case):
    for name, table in (("entities", case.entities), ("events", case.events), ("claims", case.claims)):
        raw = yaml.safe_load((sample_case / f"{name}.yaml").read_text(encoding="utf-8"))
        assert sorted(r["id"] for r in raw) == sorted(table), name
    assert sorted(case.sources) == sorted(p.stem for p in (sample_case / "articles").glob("*.md"))


def test_ids_are_unique_across_kinds(case):
    tables = [case.sources, case.entities, case.events, case.claims]
    ids = [i for table in tables for i in table]
    assert len(ids) == len(set(ids))


def test_every_citation_points_at_its_quote(case):
    citations = [(r, c) for r in cited_records(case) for c in r.citations]
    assert citations
    for record, c in citations:
        text = case.sources[c.source].text
        assert 0 <= c.start < c.end <= len(text), (record.id, c)
        assert text[c.start:c.end] == c.quote, (record.id, c.quote)


def test_citation_lines_point_at_the_quote(case):
    for record in cited_records(case):
        lines = record.path.read_text(encoding="utf-8").splitlines()
        for c in record.citations:
            assert lines[c.line - 1].lstrip().startswith("quote:"), (record.id, c.line)


def test_record_lines_point_at_their_id(case):
    for record in [*case.entities.values(), *case.events.values(), *case.claims.values()]:
        lines = record.path.read_text(encoding="utf-8").splitlines()
        assert lines[record.line - 1] == f"- id: {record.id}", (record.path.name, record.line)


def test_participant_lines_point_at_the_participant(case):
    for event in case.events.values():
        lines = event.path.read_text(encoding="utf-8").splitlines()
        for p in event.participants:
            assert f"entity: {p.entity}" in lines[p.line - 1], (event.id, p)


def test_source_sha256_matches_its_text(case):
    for source in case.sources.values():
        assert source.text.strip()
        assert hashlib.sha256(source.text.encode("utf-8")).hexdigest() == source.sha256, source.id


def test_source_text_is_the_article_body(case):
    for source in case.sources.values():
        raw = source.path.read_text(encoding="utf-8")
        assert raw.startswith("---\n")
        assert raw.endswith(source.text)
        assert "\nsha256:" not in source.text  # the front matter is not part of the text


def test_every_event_is_cited_and_dated(case):
    for event in case.events.values():
        assert len(event.citations) >= 1, event.id
        assert event.date is not None, event.id
        assert event.date_basis in DATE_BASES, event.id


def test_every_inferred_or_resolved_date_explains_itself(case):
    for record in cited_records(case):
        if record.date_basis is not None and record.date_basis != "stated":
            assert record.date_note and record.date_note.strip(), record.id


def test_resolved_dates_say_how_and_precede_their_articles(case):
    resolved = [r for r in cited_records(case) if r.date_basis == "resolved"]
    assert resolved, "the sample has relative dates resolved against publication dates"
    for record in resolved:
        assert record.date_note.strip(), record.id
        published = [case.sources[c.source].published for c in record.citations]
        latest = max(p.latest_end for p in published if p is not None and p.latest_end is not None)
        # a relative date ("last month") resolved against an article cannot begin after it was published
        assert record.date.sort_date <= latest, (record.id, record.date.edtf)


def test_claim_links_point_at_existing_claims(case):
    links = [(c.id, t) for c in case.claims.values() for t in c.contradicts + c.corroborates]
    assert links
    for claim_id, target in links:
        assert target in case.claims, (claim_id, target)
        assert target != claim_id


def test_claim_references_exist(case):
    for claim in case.claims.values():
        assert claim.claimant in case.entities, claim.id
        for target in claim.about:
            assert target in case.entities or target in case.events, (claim.id, target)
        if claim.stated_in:
            assert claim.stated_in in case.events, claim.id


def test_event_references_exist(case):
    for event in case.events.values():
        for p in event.participants:
            assert p.entity in case.entities, (event.id, p.entity)
        for target in event.responds_to + event.sub_event_of:
            assert target in case.events, (event.id, target)
        if event.place:
            assert case.entities[event.place].type == "place", event.id


def test_check_case_reports_future_dates_against_today(case):
    """The same sample, checked as if it were mid-2016, has events in the future."""
    today = date(2016, 6, 1)
    problems = check_case(case, load_vocabularies(), today=today)
    future = {p.message.split("'")[1] for p in problems if p.is_error and "lies in the future" in p.message}
    later = {e.id for e in case.events.values() if e.date.sort_date > today}
    earlier = {e.id for e in case.events.values() if e.date.latest_end is not None and e.date.latest_end < today}
    assert later and earlier
    assert later <= future
    assert not earlier & future
