"""`timeline draft`: records proposed from an article, by rule, for a person to review."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from timeline.case.loader import load_case
from timeline.cli import cli
from timeline.draft.drafter import draft_article, render
from timeline.draft.mentions import find_mentions
from timeline.draft.sentences import split_sentences
from timeline.errors import TimelineError
from timeline.resources import sample_case_dir

SAMPLE = sample_case_dir()


@pytest.fixture(scope="module")
def sample():
    case, _ = load_case(SAMPLE)
    return case


@pytest.fixture(scope="module")
def entities_only(tmp_path_factory: pytest.TempPathFactory):
    """A case holding only the sample's entities and articles: no events or claims to lean on."""
    case_dir = tmp_path_factory.mktemp("entities-only") / "case"
    case_dir.mkdir()
    shutil.copytree(SAMPLE / "articles", case_dir / "articles")
    for name in ("case.yaml", "entities.yaml"):
        shutil.copy(SAMPLE / name, case_dir / name)
    for name in ("events.yaml", "claims.yaml"):
        (case_dir / name).write_text("[]\n", encoding="utf-8")
    case, problems = load_case(case_dir)
    assert case is not None and not case.events, problems
    return case


def records(draft: dict) -> list[dict]:
    return [*draft["events"], *draft["claims"]]


def quoted(draft: dict, words: str, kind: str) -> list[dict]:
    return [r for r in draft[kind] if words in r["citations"][0]["quote"]]


def test_a_spokesman_writing_in_an_email_makes_a_claim(sample):
    draft = draft_article(sample, "bloomberg-2018-10-23")
    sentence = "ICE has no current contract with Amazon, agency spokesman Matthew Bourke wrote in an email."
    [claim] = quoted(draft, "Matthew Bourke wrote", "claims")
    assert claim["claimant"] == "matthew-bourke"
    assert claim["citations"] == [{"source": "bloomberg-2018-10-23", "quote": sentence}]
    assert claim["status"] == "draft" and claim["evidence"]["claimant"]


def test_a_letter_on_tuesday_is_dated_the_day_of_the_article(sample):
    draft = draft_article(sample, "draws-fire-2018-05-22")
    [event] = quoted(draft, "coalition said in a letter on Tuesday", "events")
    assert "letter" in ([event["type"]] if isinstance(event["type"], str) else event["type"])
    assert (event["date"], event["date_basis"]) == ("2018-05-22", "resolved")
    assert "on Tuesday" in event["date_note"]


def test_last_month_at_a_summit_is_dated_the_month_before_with_the_speaker_linked(sample):
    draft = draft_article(sample, "draws-fire-2018-05-22")
    [event] = quoted(draft, "Ranju Das, revealed that Orlando", "events")
    assert (event["date"], event["date_basis"]) == ("2018-04", "resolved")
    assert "ranju-das" in {p["entity"] for p in event["participants"]}


def test_an_event_without_a_date_takes_the_one_its_story_gives(sample):
    """Bloomberg's meeting sentence has no date; the sentence before it, about the same agents (Amazon and
    its AWS unit, ICE), says Amazon pitched "in June": the draft takes June 2018 and says where from."""
    draft = draft_article(sample, "bloomberg-2018-10-23")
    [event] = quoted(draft, "met with the federal agency in California", "events")
    assert event["date"] == "2018-06"
    assert "from the sentence before" in event["date_note"] and "in June" in event["date_note"]
    assert "2018-10-23" in event["evidence"]["date"]  # what this sentence alone gave: the publication date


@pytest.mark.parametrize("source", sorted(p.stem for p in (SAMPLE / "articles").glob("*.md")))
def test_every_quote_is_verbatim_and_every_id_new(sample, source):
    draft = draft_article(sample, source)
    text = sample.sources[source].text
    taken = {*sample.entities, *sample.events, *sample.claims, *sample.sources}
    ids = [r["id"] for r in [*draft["entities"], *records(draft)]]
    assert records(draft)
    assert len(ids) == len(set(ids)) and not set(ids) & taken
    for record in records(draft):
        assert record["status"] == "draft"
        for citation in record["citations"]:
            assert citation["quote"] in text


def test_names_link_to_the_case_by_alias_without_its_events(entities_only):
    draft = draft_article(entities_only, "mashable-2018-10-23")
    named = {p["entity"] for r in draft["events"] for p in r["participants"]}
    named |= {r["claimant"] for r in draft["claims"]} | {a for r in draft["claims"] for a in r["about"]}
    assert {"ice", "amazon-web-services", "aclu"} <= named
    notes = " ".join(note for r in records(draft) for note in r["evidence"].values())
    assert "linked to ice by alias" in notes and "linked to aclu by alias" in notes


def test_an_empty_case_proposes_entities_with_types_and_acronyms():
    text = ("The American Civil Liberties Union (ACLU) criticised Acme Corp. on Monday. "
            "Police spokesman John Smith said the Springfield Police Department would stop. Smith declined "
            "to comment. Researchers at Stanford University tested it.")
    mentions, proposed = find_mentions(text, [], set())
    by_label = {p.label: p for p in proposed}
    assert by_label["American Civil Liberties Union"].type == "advocacy-group"
    assert by_label["American Civil Liberties Union"].aliases == ["ACLU"]
    assert by_label["Acme Corp."].type == "company"
    assert by_label["John Smith"].type == "person" and "Smith" in by_label["John Smith"].aliases
    assert by_label["Springfield Police Department"].type == "police-department"
    assert by_label["Stanford University"].type == "research-group"
    assert [m.entity for m in mentions if m.text == "Smith"] == ["john-smith"]


def test_linking_takes_the_longest_name_and_possessives():
    entities = [("ice", "U.S. Immigration and Customs Enforcement", ["ICE", "Immigration and Customs Enforcement"]),
                ("amazon", "Amazon", []), ("aws", "Amazon Web Services", ["AWS"])]
    mentions, _ = find_mentions("ICE's deal with Amazon Web Services, not ice. Amazon’s view.", entities, set())
    assert [(m.text, m.entity) for m in mentions] == [("ICE", "ice"), ("Amazon Web Services", "aws"),
                                                     ("Amazon", "amazon")]


def test_sentences_do_not_end_at_abbreviations_or_initials():
    text = ('Amazon.com Inc. sold it to the U.S. government, Mr. Smith said. Jeffrey P. Bezos agreed. '
            '"It works," he said. The end.')
    assert [s.text for s in split_sentences(text)] == [
        "Amazon.com Inc. sold it to the U.S. government, Mr. Smith said.", "Jeffrey P. Bezos agreed.",
        '"It works," he said.', "The end."]
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text


def test_an_unknown_article_is_an_error_with_suggestions(sample):
    with pytest.raises(TimelineError) as caught:
        draft_article(sample, "draws-fire")
    assert caught.value.param == "source" and "draws-fire-2018-05-22" in str(caught.value)


def test_the_command_writes_the_draft_in_the_case_and_the_case_stays_valid(tmp_path, monkeypatch):
    case_dir = tmp_path / "case"
    shutil.copytree(SAMPLE, case_dir)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["draft", "bloomberg-2018-10-23", "--case", "case"])
    assert result.exit_code == 0, result.output
    written = case_dir / "drafts" / "bloomberg-2018-10-23.yaml"
    draft = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert draft["events"] and draft["claims"]
    assert (written.stat().st_mode & 0o777) == 0o666 & ~_umask()
    result = runner.invoke(cli, ["validate", "case", "--no-shacl"])
    assert result.exit_code == 0, result.output


def test_the_command_writes_json_elsewhere_and_refuses_an_unknown_article(tmp_path):
    runner = CliRunner()
    out = tmp_path / "d.json"
    result = runner.invoke(cli, ["draft", "mashable-2018-10-23", "--case", str(SAMPLE), "--format", "json",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    import json

    assert json.loads(out.read_text(encoding="utf-8"))["events"]
    assert not (SAMPLE / "drafts").exists()
    result = runner.invoke(cli, ["draft", "mashable", "--case", str(SAMPLE)])
    assert result.exit_code == 1
    assert "mashable-2018-10-23" in result.output and len(result.output.strip().splitlines()) == 1


def test_render_yaml_round_trips(sample):
    draft = draft_article(sample, "techrepublic-2018-05")
    assert yaml.safe_load(render(draft, "yaml", "techrepublic-2018-05")) == draft


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_he_said_names_the_last_person_named_before_as_a_guess(sample):
    draft = draft_article(sample, "bloomberg-2018-10-23")
    [claim] = quoted(draft, "The agency regularly meets with vendors", "claims")
    assert claim["claimant"] == "matthew-bourke"
    assert "guess" in claim["evidence"]["claimant"]


@pytest.mark.parametrize("source", sorted(p.stem for p in (SAMPLE / "articles").glob("*.md")))
def test_every_claim_says_what_it_is_about(sample, source):
    # A claim needs an `about` to be a valid record once accepted: the event of its sentence when there is
    # one, else the names the sentence mentions, else (flagged in its evidence) its claimant.
    draft = draft_article(sample, source)
    events = {e["id"]: e for e in draft["events"]}
    for claim in draft["claims"]:
        assert claim["about"], claim
        same_sentence = [e for e in events.values() if e["citations"][0]["quote"] == claim["citations"][0]["quote"]]
        if same_sentence:
            assert claim["about"][0] == same_sentence[0]["id"]
        elif claim["about"] == [claim["claimant"]]:
            assert "until you say what the claim is about" in claim["evidence"]["about"]


def test_type_guesses_that_read_the_name_in_context():
    text = ("SEE ALSO: an unrelated story. As The Daily Beast points out, Amazon Web Services sales staff met "
            "officials. Jane Doe said so.")
    _mentions, proposals = find_mentions(text, [], set())
    kinds = {p.label: p.type for p in proposals}
    assert kinds["Amazon Web Services"] == "company"  # "Web Services", not a first and last name
    assert kinds["Daily Beast"] == "group"  # "the Daily Beast": people are not written with "the"
    assert kinds["Jane Doe"] == "person"
    assert "SEE ALSO" not in kinds  # a heading in capitals is not a name
