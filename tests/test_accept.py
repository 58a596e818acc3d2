"""`timeline accept`: reviewed draft records moved into a case's record files, all or nothing."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from timeline import files
from timeline.case.loader import load_case
from timeline.cli import cli
from timeline.resources import sample_case_dir

ARTICLE = "bloomberg-2018-10-23"
RECORD_FILES = ("entities.yaml", "events.yaml", "claims.yaml")
USER_COMMENT = "# my note: keep the ICE events together\n"


def run(*args: object, ok: bool = True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case made with `timeline new` and `timeline add` of the sample's Bloomberg article, then drafted."""
    root = tmp_path_factory.mktemp("accept")
    text = (sample_case_dir() / "articles" / f"{ARTICLE}.md").read_text(encoding="utf-8")
    (root / "article.txt").write_text(text.split("\n---\n", 1)[1], encoding="utf-8")
    with contextlib.chdir(root):
        run("new", "case")
        run("add", "article.txt", "--case", "case", "--publisher", "bloomberg", "--published", "2018-10-23")
        run("draft", ARTICLE, "--case", "case")
    return root / "case"


@pytest.fixture
def case(drafted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_CASE", raising=False)
    shutil.copytree(drafted, tmp_path / "case")
    return tmp_path / "case"


def draft_file(case: Path) -> Path:
    return case / "drafts" / f"{ARTICLE}.yaml"


def draft_records(case: Path) -> dict:
    return yaml.safe_load(draft_file(case).read_text(encoding="utf-8"))


def reviewed(case: Path) -> None:
    """What a reviewer does before accepting: a claim the rules found no subject for gets one."""
    data = draft_records(case)
    for claim in data["claims"]:
        claim["about"] = claim["about"] or [claim["claimant"]]
    header = "".join(line for line in draft_file(case).read_text(encoding="utf-8").splitlines(True)
                     if line.startswith("#"))
    draft_file(case).write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def snapshot(case: Path) -> dict[str, bytes]:
    return {p.relative_to(case).as_posix(): p.read_bytes() for p in sorted(case.rglob("*")) if p.is_file()}


def test_accepting_all_keeps_the_users_text_and_the_case_validates_and_builds(case: Path) -> None:
    events = case / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8") + USER_COMMENT, encoding="utf-8")
    before = {name: (case / name).read_bytes() for name in RECORD_FILES}
    reviewed(case)
    drafted = draft_records(case)
    result = run("accept", ARTICLE, "--case", case)
    assert "valid" in result.output
    for name in RECORD_FILES:  # everything above the new records is as it was, byte for byte
        assert (case / name).read_bytes().startswith(before[name])
    assert USER_COMMENT in events.read_text(encoding="utf-8")
    assert not draft_file(case).exists()
    loaded, problems = load_case(case)
    assert loaded is not None and not [p for p in problems if p.level == "error"]
    assert set(loaded.events) == {e["id"] for e in drafted["events"]}
    assert set(loaded.claims) == {c["id"] for c in drafted["claims"]}
    for record in yaml.safe_load(events.read_text(encoding="utf-8")):
        assert "status" not in record and "evidence" not in record
    run("validate", case)
    with contextlib.chdir(case.parent):
        run("build", case, "-q")
    assert (case.parent / "out" / "case" / "graph.nq").stat().st_size > 0


def test_accepting_selected_ids_moves_only_those(case: Path) -> None:
    drafted = draft_records(case)
    entity, event = drafted["entities"][1]["id"], drafted["events"][0]["id"]
    run("accept", ARTICLE, entity, event, "--case", case)
    loaded, _ = load_case(case)
    assert entity in loaded.entities and set(loaded.events) == {event} and not loaded.claims
    left = draft_records(case)
    left_ids = {r["id"] for kind in left.values() for r in kind}
    assert entity not in left_ids and event not in left_ids
    assert len(left_ids) == sum(len(v) for v in drafted.values()) - 2


def test_an_id_the_case_already_has_is_refused(case: Path) -> None:
    drafted = draft_records(case)
    event = drafted["events"][0]
    taken = dict(event, id="taken-event")
    taken.pop("status"), taken.pop("evidence")
    events = case / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8") + yaml.safe_dump([taken], sort_keys=False), encoding="utf-8")
    drafted["events"][0]["id"] = "taken-event"
    draft_file(case).write_text(yaml.safe_dump(drafted, sort_keys=False), encoding="utf-8")
    before = snapshot(case)
    result = run("accept", ARTICLE, "taken-event", "--case", case, ok=False)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "taken-event" in result.output and "events.yaml" in result.output and "drafts" in result.output
    assert snapshot(case) == before


def test_a_draft_entity_named_by_an_existing_alias_is_merged(case: Path) -> None:
    entities = case / "entities.yaml"
    above = entities.read_text(encoding="utf-8") + "- id: aws  # the cloud unit\n  type: company\n  label: AWS\n"
    entities.write_text(above + "  aliases: [Amazon Web Services]\n", encoding="utf-8")
    drafted = draft_records(case)
    using = [e["id"] for e in drafted["events"]
             if any(p["entity"] == "amazon-web-services" for p in e.get("participants", []))]
    assert using
    result = run("accept", ARTICLE, "amazon-web-services", *using, "--case", case)
    assert "aws" in result.output
    assert entities.read_text(encoding="utf-8").startswith(above)  # the user's comment too
    loaded, _ = load_case(case)
    assert "amazon-web-services" not in loaded.entities
    assert "Amazon Web Services" in loaded.entities["aws"].aliases
    assert all(any(p.entity == "aws" for p in loaded.events[e].participants) for e in using)


def test_an_entity_without_aliases_gets_them_when_merged(case: Path) -> None:
    entities = case / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8")
                        + "- id: aws\n  type: company\n  label: Amazon Web Services\n", encoding="utf-8")
    (case / "drafts" / "extra.yaml").write_text(yaml.safe_dump({"entities": [
        {"id": "aws-2", "type": "company", "label": "AWS", "aliases": ["Amazon Web Services", "A.W.S."],
         "status": "draft", "evidence": {}}]}), encoding="utf-8")
    run("accept", case / "drafts" / "extra.yaml", "--case", case)
    loaded, _ = load_case(case)
    assert loaded.entities["aws"].aliases == ["AWS", "A.W.S."] and "aws-2" not in loaded.entities


def test_an_unknown_id_gets_suggestions(case: Path) -> None:
    real = draft_records(case)["events"][0]["id"]
    before = snapshot(case)
    result = run("accept", ARTICLE, real[:-2], "--case", case, ok=False)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and real in result.output
    assert snapshot(case) == before


def test_a_failure_mid_write_leaves_every_file_unchanged(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(case)
    calls = []

    commit = files.AtomicFile.commit

    def failing(out) -> None:
        calls.append(out.path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        commit(out)

    monkeypatch.setattr(files.AtomicFile, "commit", failing)
    result = run("accept", ARTICLE, "--case", case, ok=False)
    assert result.exit_code != 0 and "No space left" in result.output and "Traceback" not in result.output
    assert calls[:2] == ['entities.yaml', 'events.yaml'] and snapshot(case) == before  # the first was put back
    assert not [p for p in case.rglob(".*.tmp")]


def test_the_sample_is_never_changed_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_CASE", raising=False)
    result = run("accept", ARTICLE, ok=False)
    assert result.exit_code != 0 and "timeline new" in result.output


def test_a_note_left_in_a_drafts_list_is_refused_not_lost(case: Path) -> None:
    """A draft item that is not a record would vanish when the draft is accepted and removed."""
    draft = case / "drafts" / f"{ARTICLE}.yaml"
    draft.write_text(draft.read_text(encoding="utf-8").replace("events:\n", "events:\n- 'TODO: the mayor too'\n", 1),
                     encoding="utf-8")
    before = snapshot(case)
    result = run("accept", ARTICLE, "--case", case, ok=False)
    assert "is a string, not a record" in result.output and f"{ARTICLE}.yaml:" in result.output
    assert snapshot(case) == before
