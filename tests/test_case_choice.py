"""Which case a command uses: the one given, $TIMELINE_CASE, ./timeline.toml, a clone's own copy, the sample.

A user who built their own case and then ran a query must not silently get the sample; when no graph is
built, the error says which case was assumed and how to choose another.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline import resources
from timeline.case import choice as case_choice
from timeline.cli import cli


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch) -> Path:
    """An empty working directory with its own out/."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("TIMELINE_OUT", raising=False)
    return work


def run(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def own_case(where: Path, sample_case: Path, title: str = "My case") -> Path:
    """A copy of the sample under another name and title, so a build of it is told apart from the sample's."""
    shutil.copytree(sample_case, where)
    text = (where / "case.yaml").read_text(encoding="utf-8")
    (where / "case.yaml").write_text(text.replace("title: ", f"title: {title} — ", 1), encoding="utf-8")
    return where


def test_without_anything_the_sample_is_used_and_said(workdir):
    choice = case_choice.choose_case(None)
    assert choice.how == "sample"
    assert choice.path == resources.sample_case_dir()
    assert "sample case" in choice.describe() and "TIMELINE_CASE" in choice.describe()


def test_a_clones_own_sources_win_over_the_installed_copy(workdir, sample_case):
    """Inside a clone after `pip install .`, edits to ./sources/rekognition are what `build` reads."""
    local = own_case(workdir / "sources" / "rekognition", sample_case)
    assert case_choice.choose_case(None).path.resolve() == local.resolve()
    assert case_choice.choose_case("rekognition").path.resolve() == local.resolve()
    result = run("build", "-q", "--no-shacl")
    assert result.exit_code == 0, result.output
    assert "from sources/rekognition:" in result.stdout  # the summary names the case directory it read


def test_timeline_case_environment_variable_sticks(workdir, sample_case):
    mine = own_case(workdir / "my-case", sample_case)
    env = {"TIMELINE_CASE": str(mine)}
    built = run("build", "-q", "--no-shacl", env=env)
    assert built.exit_code == 0, built.output
    assert "out/my-case/graph.nq from my-case:" in built.stdout
    result = run("query", "SELECT ?t WHERE { ?c a tl:Case ; rdfs:label ?t }", "--format", "csv", env=env)
    assert result.exit_code == 0, result.output
    assert "My case — " in result.stdout  # the user's case, not the sample


def test_timeline_toml_names_the_case_relative_to_itself(workdir, sample_case):
    own_case(workdir / "cases" / "faa", sample_case)
    (workdir / "timeline.toml").write_text('# my project\ncase = "cases/faa"\n', encoding="utf-8")
    choice = case_choice.choose_case(None)
    assert choice.how == "./timeline.toml" and choice.path == workdir / "cases" / "faa"
    assert run("build", "-q", "--no-shacl").exit_code == 0
    assert (workdir / "out" / "faa" / "graph.nq").is_file()
    stats = run("stats", "--format", "json")
    assert stats.exit_code == 0, stats.output
    # an argument still wins over the file, and the environment variable over the file
    assert case_choice.choose_case("elsewhere").how == "argument"
    own_case(workdir / "other", sample_case)
    os.environ["TIMELINE_CASE"] = "other"
    try:
        assert case_choice.choose_case(None) == case_choice.CaseChoice(Path("other"), "$TIMELINE_CASE")
    finally:
        del os.environ["TIMELINE_CASE"]


@pytest.mark.parametrize("content", ['case = "unterminated\n', "title = 'no case here'\n", "case = 3\n"])
def test_a_broken_timeline_toml_is_one_clear_error(workdir, content):
    (workdir / "timeline.toml").write_text(content, encoding="utf-8")
    result = run("stats")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("timeline: error: timeline.toml: "), result.stderr
    assert 'case = "' in lines[0]  # says what to write


def test_no_built_graph_says_which_case_was_assumed_and_how_to_choose(workdir, sample_case):
    own_case(workdir / "faa", sample_case)
    # the user built their case to another place and then queries without naming it: the sample is assumed
    result = run("query", "actor-timeline", "-p", "actor=FAA")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("timeline: error: out/rekognition/graph.nq: ")
    assert "sample case" in line and "--case" in line and "TIMELINE_CASE" in line and "timeline.toml" in line
    assert "timeline build" in line
    # with the case named but not built, the error names it and the command that builds it
    result = run("entity", "ice", "--case", "faa")
    assert result.exit_code == 1
    assert "no built graph of faa" in result.stderr and "`timeline build faa`" in result.stderr


def test_build_pages_writes_both_pages_and_prints_their_paths(workdir):
    result = run("build", "-q", "--pages")
    assert result.exit_code == 0, result.output
    for name in ("timeline.html", "graph.html"):
        page = workdir / "out" / "rekognition" / name
        assert page.is_file() and page.stat().st_size > 10_000
        assert f"out/rekognition/{name}" in result.stdout
    timeline_page = (workdir / "out" / "rekognition" / "timeline.html").read_text(encoding="utf-8")
    assert "Amazon" in timeline_page and "<script" in timeline_page


def test_csv_import_uses_the_chosen_case_but_never_the_sample_by_default(workdir, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("id,type,label\n", encoding="utf-8")
    result = run("import", str(rows))
    assert result.exit_code == 1
    assert "--case" in result.stderr and "TIMELINE_CASE" in result.stderr


def test_a_working_trees_case_is_never_swapped_for_the_installed_copy(workdir, sample_case, monkeypatch):
    """./sources/NAME exists but is broken (no case.yaml): its own error, not a silent build of another copy."""
    local = own_case(workdir / "sources" / "rekognition", sample_case)
    (local / "case.yaml").unlink()
    assert case_choice.choose_case(None).path == local
    result = run("validate", "-q", "--no-shacl")
    assert result.exit_code == 1
    assert "sources/rekognition" in result.stderr and "case.yaml" in result.stderr


@pytest.mark.parametrize("setting", ["env", "toml"])
def test_a_chosen_case_that_does_not_exist_names_the_setting(workdir, setting):
    env = {}
    if setting == "env":
        env["TIMELINE_CASE"] = "nosuch"
    else:
        (workdir / "timeline.toml").write_text('case = "nosuch"\n', encoding="utf-8")
    for command in (["build", "-q"], ["stats"]):
        result = run(*command, env=env)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "nosuch" in lines[0] and "no such case directory" in lines[0], result.stderr
        assert ("$TIMELINE_CASE" if setting == "env" else "timeline.toml") in lines[0]


def test_read_commands_name_the_case_they_chose(workdir, sample_case):
    mine = own_case(workdir / "faa", sample_case)
    assert run("build", "-q", "--no-shacl", str(mine)).exit_code == 0
    env = {"TIMELINE_CASE": "faa"}
    ok = run("entity", "ice", env=env)
    assert ok.exit_code == 0, ok.output
    assert ok.stderr.strip().splitlines()[-1] == "case: faa (from $TIMELINE_CASE)"
    assert "case:" not in ok.stdout  # machine-readable output stays clean
    bad = run("entity", "FAA", env=env)  # the user's error line says which case it looked in
    assert bad.exit_code == 1
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("(case: faa (from $TIMELINE_CASE))"), bad.stderr
    named = run("entity", "ice", "--case", "faa")  # named by the user: nothing to add
    assert named.exit_code == 0 and "case:" not in named.stderr


def test_build_pages_checks_where_the_pages_go_before_building(workdir):
    out = workdir / "out" / "rekognition"
    out.mkdir(parents=True)
    (out / "graph.html").mkdir()  # a directory where a page must go
    result = run("build", "-q", "--pages")
    assert result.exit_code == 1
    assert "graph.html" in result.stderr
    assert not (out / "graph.nq").exists()  # refused before anything was written
