"""`timeline draft --model NAME`: names from a spaCy pipeline the user has, instead of the capitalised-name rule.

No trained pipeline is downloaded: each test builds one, a blank English pipeline whose entity_ruler knows a
few names of the sample's article, and saves it to a directory, as a user would save their own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
import yaml
from click.testing import CliRunner

from timeline.case.loader import load_case
from timeline.case.model import ENTITY_TYPES
from timeline.cli import cli
from timeline.draft.drafter import draft_article, render
from timeline.draft.mentions import find_mentions
from timeline.draft.model import LABEL_TYPES, load_model, model_names
from timeline.errors import TimelineError
from timeline.resources import sample_case_dir

SAMPLE = sample_case_dir()
ARTICLE = "draws-fire-2018-05-22"
#: What the test pipeline labels in the article; NORP names nothing the case records.
PATTERNS = [("PERSON", "Ranju Das"), ("PERSON", "Rick Smith"), ("ORG", "Washington County Sheriff's Office"),
            ("ORG", "Associated Press"), ("ORG", "Axon"), ("GPE", "Orlando"), ("GPE", "Florida"),
            ("PRODUCT", "Rekognition"), ("NORP", "Korea")]
#: What the draft should propose from them: the case already has the sheriff's office, and NORP is skipped.
PROPOSED = {"Ranju Das": ("person", "PERSON"), "Rick Smith": ("person", "PERSON"),
            "Associated Press": ("news-organization", "ORG; guessed from 'Press' in the name"),
            "Axon": ("group", "ORG; no cue word says which kind of organisation (a guess)"),
            "Orlando": ("place", "GPE"), "Florida": ("place", "GPE"), "Rekognition": ("product", "PRODUCT")}
SHERIFF = """\
- id: washington-county-sheriff
  type: police-department
  label: Washington County Sheriff's Office
  aliases: [Washington County Sheriff’s Office]
"""


def save_pipeline(path: Path, patterns: list[tuple[str, str]] | None = None, component: str = "entity_ruler") -> Path:
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe(component)
    if patterns is not None:
        pipe.add_patterns([{"label": label, "pattern": text} for label, text in patterns])
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_pipeline(tmp_path_factory.mktemp("pipeline") / "model", PATTERNS)


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's article, in a case whose only entity is the sheriff's office the article names."""
    case = tmp_path_factory.mktemp("one-article") / "case"
    (case / "articles").mkdir(parents=True)
    shutil.copy(SAMPLE / "case.yaml", case / "case.yaml")
    shutil.copy(SAMPLE / "articles" / f"{ARTICLE}.md", case / "articles")
    (case / "entities.yaml").write_text(SHERIFF, encoding="utf-8")
    for name in ("events.yaml", "claims.yaml"):
        (case / name).write_text("[]\n", encoding="utf-8")
    return case


def run_draft(case_dir: Path, *options: str) -> tuple[dict, str]:
    result = CliRunner().invoke(cli, ["draft", ARTICLE, "--case", str(case_dir), "--format", "json", "-o", "-",
                                      *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stdout


def test_the_draft_proposes_the_models_names_with_mapped_types_and_evidence(case_dir, model_dir):
    draft, _ = run_draft(case_dir, "--model", str(model_dir))
    found = {e["label"]: e for e in draft["entities"]}
    assert set(found) == set(PROPOSED)  # the model's names replace the capitalised-name rule's
    for label, (kind, why) in PROPOSED.items():
        assert found[label]["type"] == kind
        assert found[label]["evidence"]["type"] == f"spaCy model {model_dir}: {why}"
        assert found[label]["status"] == "draft"
    # the proposals are what the events and claims are drafted with
    participants = {p["entity"] for e in draft["events"] for p in e["participants"]}
    assert {"ranju-das", "rekognition"} <= participants
    assert "rick-smith" in {c["claimant"] for c in draft["claims"]}


def test_names_the_case_has_are_linked_by_rule_and_win_over_the_model(case_dir, model_dir):
    draft, _ = run_draft(case_dir, "--model", str(model_dir))
    assert not [e for e in draft["entities"] if "Washington County" in e["label"]]
    notes = " ".join(n for r in [*draft["events"], *draft["claims"]] for n in r["evidence"].values())
    assert "linked to washington-county-sheriff by" in notes
    # names the case has, by label or alias, are its entities, whatever the model labels them
    entities = [("orlando-city", "City of Orlando", ["Orlando"]), ("ap", "Associated Press", ["AP"])]
    text = "Orlando hired Rick Smith, the Associated Press reported; AP asked Axon. Smith said no."
    mentions, proposals = find_mentions(text, entities, set(), model=load_model(str(model_dir)))
    assert [(m.text, m.entity, m.proposed) for m in mentions] == [
        ("Orlando", "orlando-city", False), ("Rick Smith", "rick-smith", True), ("Associated Press", "ap", False),
        ("AP", "ap", False), ("Axon", "axon", True), ("Smith", "rick-smith", True)]
    assert [(p.label, p.type, p.aliases) for p in proposals] == [("Rick Smith", "person", ["Smith"]),
                                                                 ("Axon", "group", [])]


def test_without_a_model_the_draft_is_the_rules_draft_and_spacy_is_not_imported(case_dir, model_dir):
    draft, text = run_draft(case_dir)
    case, _ = load_case(case_dir)
    assert case is not None
    assert text == render(draft_article(case, ARTICLE), "json")
    found = {e["label"]: e for e in draft["entities"]}
    assert "spaCy" not in json.dumps(draft)
    # the rules propose capitalised names the test pipeline does not know, typed by cue words
    assert found["Washington County"]["type"] == "government-agency"
    assert found["Ranju Das"]["evidence"]["type"] == "a first and last name that speaks or is described"
    assert set(found) - set(PROPOSED)
    code = ("import sys; from click.testing import CliRunner; from timeline.cli import cli; "
            f"r = CliRunner().invoke(cli, ['draft', {ARTICLE!r}, '--case', {str(case_dir)!r}, '-o', '-']); "
            "print(r.exit_code, 'spacy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"], done.stdout + done.stderr


def fails(case_dir: Path, model: str) -> str:
    result = CliRunner().invoke(cli, ["draft", ARTICLE, "--case", str(case_dir), "-o", "-", "--model", model])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and line.startswith("timeline: error: --model "), line
    assert result.stdout == ""
    return line


def test_a_model_not_installed_is_one_line_that_says_how_to_get_one(case_dir):
    line = fails(case_dir, "en_core_web_nonexistent")
    assert "--model en_core_web_nonexistent: no spaCy pipeline of that name is installed" in line
    assert "python -m spacy download en_core_web_sm" in line and "nlp.to_disk()" in line


def test_a_directory_that_is_no_pipeline_and_a_pipeline_without_names_are_refused(case_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    assert "not a spaCy pipeline spaCy" in fails(case_dir, str(tmp_path / "empty"))
    no_ner = save_pipeline(tmp_path / "sentencizer", component="sentencizer")
    line = fails(case_dir, str(no_ner))
    assert "no 'ner' or 'entity_ruler' component" in line and "(its components: sentencizer)" in line


def test_without_spacy_the_library_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # `import spacy` raises ImportError, as when not installed
    with pytest.raises(TimelineError) as caught:
        load_model("en_core_web_sm")
    assert caught.value.param == "model"
    assert str(caught.value) == ("model='en_core_web_sm' needs spaCy, which is not installed: "
                                 "pip install 'timeline[nlp]'")
    assert caught.value.naming("--model").startswith("--model en_core_web_sm needs spaCy")


def test_labels_map_to_the_case_entity_types_and_others_are_skipped(model_dir):
    assert set(LABEL_TYPES.values()) <= ENTITY_TYPES
    text = "Ranju Das of Axon flew from Korea to Orlando with Rekognition."
    names = model_names(load_model(str(model_dir)), text)
    assert [(n.text, n.type, n.label) for n in names] == [
        ("Ranju Das", "person", "PERSON"), ("Axon", "group", "ORG"), ("Orlando", "place", "GPE"),
        ("Rekognition", "product", "PRODUCT")]
    assert all(text[n.start:n.end] == n.text for n in names)


def test_the_written_yaml_draft_keeps_the_model_evidence(case_dir, model_dir, tmp_path):
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(cli, ["draft", ARTICLE, "--case", str(case_dir), "-o", str(out),
                                      "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    draft = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert {e["id"]: e["type"] for e in draft["entities"]}["associated-press"] == "news-organization"
