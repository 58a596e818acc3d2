"""`timeline validate` on drafts: drafts/*.yaml and records marked `status: draft` are checked as if they
were accepted, reported as warnings, never built; a draft that dates an accepted record's quote
differently is reported as a contradiction."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from timeline.case.loader import load_case
from timeline.cli import cli

ARTICLE = "bloomberg-2018-10-23"
#: The sample's event dated 2018-10-15 from Bezos's "earlier this month" in this article.
ACCEPTED = "bezos-wired-interview-2018-10"


def accepted_quote(case: Path) -> str:
    loaded, _ = load_case(case)
    return next(c.quote for c in loaded.events[ACCEPTED].citations if c.source == ARTICLE)


def run(*args: object, code: int = 0):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def write_draft(case: Path, **lists: list[dict]) -> Path:
    path = case / "drafts" / f"{ARTICLE}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump({"entities": [], "events": [], "claims": [], **lists}, sort_keys=False),
                    encoding="utf-8")
    return path


def event(**fields: object) -> dict:
    record = {"id": "draft-statement-bezos", "type": "statement", "label": "Bezos on selling to government",
              "description": "Bezos said he was open to selling face recognition to government agencies.",
              "date": "2018-10-23", "date_basis": "stated",
              "participants": [{"entity": "jeff-bezos", "role": "speaker"}],
              "citations": [{"source": ARTICLE, "quote": "Representatives of Amazon couldn’t immediately be "
                             "reached for comment."}],
              "status": "draft", "evidence": {"type": "a test"}}
    record.update(fields)
    return record


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_a_drafted_article_validates_with_its_drafts_as_warnings_and_builds_without_them(case_copy: Path,
                                                                                          tmp_path: Path) -> None:
    before, _ = load_case(case_copy)
    run("draft", ARTICLE, "--case", case_copy)
    result = run("validate", case_copy, "--warnings")
    assert ": valid (" in result.output
    drafted = [line for line in result.output.splitlines() if "drafts/" in line]
    assert drafted and all(": warning: " in line for line in drafted)
    out = tmp_path / "out"
    built = run("build", case_copy, "-o", out / "graph.nq")
    assert f"{len(before.events)} events" in built.output  # the drafts are not built
    assert "draft-" not in (out / "graph.nq").read_text(encoding="utf-8")


def test_a_draft_quote_not_in_its_article_is_a_warning_at_the_draft_line(case_copy: Path) -> None:
    path = write_draft(case_copy, events=[event(citations=[{"source": ARTICLE, "quote": "Amazon bought ICE."}])])
    result = run("validate", case_copy, "--warnings")
    line = line_of(path, "Amazon bought ICE.")
    assert f"drafts/{ARTICLE}.yaml:{line}: warning: draft: event 'draft-statement-bezos'" in result.output
    assert "quote not found" in result.output


def test_a_draft_that_dates_an_accepted_quote_differently_contradicts_it(case_copy: Path) -> None:
    quote = accepted_quote(case_copy)
    assert load_case(case_copy)[0].events[ACCEPTED].date.edtf == "2018-10-15"
    path = write_draft(case_copy, events=[event(date="2018-10", citations=[{"source": ARTICLE, "quote": quote}])])
    result = run("validate", case_copy, "--warnings")
    line = line_of(path, "id: draft-statement-bezos")
    contradiction = next(x for x in result.output.splitlines() if "contradict" in x or "quotes the passage" in x)
    assert f"drafts/{ARTICLE}.yaml:{line}: warning: draft event 'draft-statement-bezos' quotes" in contradiction
    assert f"'{ACCEPTED}'" in contradiction
    assert "dates it 2018-10, not 2018-10-15" in contradiction
    # the same quote with the same date is no contradiction
    write_draft(case_copy, events=[event(date="2018-10-15", citations=[{"source": ARTICLE, "quote": quote}])])
    assert "quotes the passage" not in run("validate", case_copy, "--warnings").output


def test_a_record_marked_draft_in_the_case_files_is_a_warning_until_accepted(case_copy: Path) -> None:
    events = case_copy / "events.yaml"
    record = event(participants=[])
    events.write_text(events.read_text(encoding="utf-8") + "\n" + yaml.safe_dump([record], sort_keys=False),
                      encoding="utf-8")
    result = run("validate", case_copy, "--warnings")
    line = line_of(events, "participants: []")
    assert f"events.yaml:{line}: warning: draft: event 'draft-statement-bezos'" in result.output
    assert "participants" in result.output
    loaded, _ = load_case(case_copy)
    assert "draft-statement-bezos" not in loaded.events and len(loaded.drafts) == 1
    # accepted by hand: the status line removed, its problem is an error again
    text = events.read_text(encoding="utf-8").replace("status: draft\n", "").replace("evidence:\n  type: a test\n", "")
    events.write_text(text, encoding="utf-8")
    result = run("validate", case_copy, code=1)
    assert f"events.yaml:{line}: error: event 'draft-statement-bezos'" in result.output


def test_a_draft_reusing_an_accepted_id_and_a_broken_draft_file_are_warnings(case_copy: Path) -> None:
    write_draft(case_copy, events=[event(id=ACCEPTED)])
    (case_copy / "drafts" / "broken.yaml").write_text("events: [\n", encoding="utf-8")
    result = run("validate", case_copy, "--warnings")
    assert f"'{ACCEPTED}' has the id of a record already in the case" in result.output
    assert "drafts/broken.yaml:" in result.output
    assert all(": warning: " in x for x in result.output.splitlines() if "drafts/" in x)


def test_an_accepted_records_error_is_not_reported_again_as_a_drafts(case_copy: Path) -> None:
    claims = case_copy / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    # "u-s" is an entity only the draft proposes: with it, the accepted claim's error would read otherwise
    claims.write_text(text.replace("claimant: matthew-bourke", "claimant: u-z", 1), encoding="utf-8")
    run("draft", ARTICLE, "--case", case_copy)
    assert "id: u-s" in (case_copy / "drafts" / f"{ARTICLE}.yaml").read_text(encoding="utf-8")
    result = run("validate", case_copy, "--warnings", code=1)
    about_typo = [x for x in result.output.splitlines() if "'u-z'" in x]
    assert about_typo and all(": error: " in x for x in about_typo)


def test_a_draft_dated_only_by_its_articles_publication_contradicts_nothing(case_copy: Path) -> None:
    quote = accepted_quote(case_copy)
    write_draft(case_copy, events=[event(date="2018-10-23", date_basis="inferred",
                                         citations=[{"source": ARTICLE, "quote": quote}])])
    assert "quotes the passage" not in run("validate", case_copy, "--warnings").output
