"""Authoring: `timeline new` scaffolds a case and makes it current; `timeline add` adds articles to it.

A teacher starts a case from saved articles: the text must be kept exactly (the quotes they copy must match), the
hash computed for them, a repeated article refused, and a failure must leave the case as it was.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline import files
from timeline.case import articles, authoring
from timeline.cli import cli
from timeline.resources import sample_case_dir

SAMPLE = sample_case_dir()
MASHABLE = SAMPLE / "articles" / "mashable-2018-10-23.md"
MASHABLE_TEXT = articles.split(MASHABLE.read_text(encoding="utf-8"))[1]
MASHABLE_TITLE = "Amazon pitched facial recognition tech to ICE after employees objected"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, with no case chosen by the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_CASE", raising=False)
    return tmp_path


def run(*args: object, ok: bool = True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
        assert "Traceback" not in result.output
    return result


def error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("timeline: error:")]
    assert len(lines) == 1, result.output
    return lines[0]


def mashable_txt(directory: Path) -> Path:
    path = directory / "mashable.txt"
    path.write_text(MASHABLE_TEXT, encoding="utf-8")
    return path


def add_mashable(directory: Path, *extra: str):
    return run("add", mashable_txt(directory), "--title", MASHABLE_TITLE, "--publisher", "Mashable",
               "--published", "2018-10-23", *extra)


def case_files(case: Path) -> dict[str, bytes]:
    return {str(p.relative_to(case)): p.read_bytes() for p in sorted(case.rglob("*")) if p.is_file()}


def test_new_add_validate_build_end_to_end(workdir: Path) -> None:
    run("new", "cases/ice", "--title", "Amazon and ICE")
    case = workdir / "cases" / "ice"
    run("validate")  # the empty case is valid: nothing to cite yet
    added = add_mashable(workdir)
    assert "cases/ice/articles/mashable-2018-10-23.md" in added.output
    assert "url: not determined" in added.output  # what could not be found is said
    assert "valid (1 sources, 1 entities" in added.output
    front, body = articles.split((case / "articles" / "mashable-2018-10-23.md").read_text(encoding="utf-8"))
    assert body == MASHABLE_TEXT  # the text as given: the sample's quotes of it match
    assert "sha256: " + articles.sha256_of(MASHABLE_TEXT) in front
    assert "publisher: mashable" in front and "title_supplied: true" in front
    entities = (case / "entities.yaml").read_text(encoding="utf-8")
    assert entities.startswith(authoring.record_file_header("entities.yaml"))  # the comments are kept
    assert "- id: mashable\n  type: news-organization\n  label: Mashable\n" in entities
    run("validate")
    run("build", "-q")
    assert (workdir / "out" / "ice" / "graph.nq").is_file()


def test_an_article_in_the_case_format_is_added_with_its_front_matter(workdir: Path) -> None:
    run("new", "c")
    run("add", MASHABLE)
    written = (workdir / "c" / "articles" / "mashable-2018-10-23.md").read_text(encoding="utf-8")
    assert articles.split(written)[1] == MASHABLE_TEXT
    assert "seed: 004_78f31e90d6b24e8c.txt" in written and "published: '2018-10-23'" in written
    run("validate", "c")
    run("build", "c", "-q")


def test_a_plain_text_without_a_title_takes_its_first_line(workdir: Path) -> None:
    run("new", "c")
    result = run("add", mashable_txt(workdir), "--published", "2018-10-23", "--publisher", "Mashable")
    assert "(the first line)" in result.output
    written = (workdir / "c" / "articles" / "mashable-2018-10-23.md").read_text(encoding="utf-8")
    assert "title: Amazon would really like U.S. law enforcement" in written
    assert "title_supplied: true" in written
    assert articles.split(written)[1] == MASHABLE_TEXT


def test_the_same_article_twice_is_refused_naming_the_one_there(workdir: Path) -> None:
    run("new", "c")
    add_mashable(workdir)
    before = case_files(workdir / "c")
    again = run("add", mashable_txt(workdir), "--published", "2019-01-01", "--id", "other", ok=False)
    assert "c/articles/mashable-2018-10-23.md" in error_line(again)
    assert case_files(workdir / "c") == before


def test_a_missing_publication_date_is_one_error_naming_the_flag(workdir: Path) -> None:
    run("new", "c")
    result = run("add", mashable_txt(workdir), "--title", "T", ok=False)
    line = error_line(result)
    assert "mashable.txt" in line and "--published" in line
    assert not list((workdir / "c" / "articles").iterdir())


def test_a_bad_flag_value_is_named_by_its_flag(workdir: Path) -> None:
    run("new", "c")
    assert "--published" in error_line(run("add", mashable_txt(workdir), "--published", "23/10/2018", ok=False))
    assert "--id" in error_line(run("add", mashable_txt(workdir), "--published", "2018", "--id", "Bad Id", ok=False))
    assert "--url" in error_line(run("add", mashable_txt(workdir), "--published", "2018", "--url", "x", ok=False))


def test_the_sample_is_refused_unless_named(workdir: Path) -> None:
    result = run("add", mashable_txt(workdir), "--published", "2018-10-23", ok=False)
    assert "timeline new" in error_line(result)
    copy = workdir / "rekognition"
    shutil.copytree(SAMPLE, copy)
    named = run("add", mashable_txt(workdir), "--published", "2018-10-23", "--case", copy, ok=False)
    assert "mashable-2018-10-23.md" in error_line(named)  # the named case is used: its copy is found there
    other = workdir / "other.txt"
    other.write_text("A new article about Rekognition.\n", encoding="utf-8")
    run("add", other, "--published", "2020-01-02", "--publisher", "Bloomberg", "--case", copy)
    assert (copy / "articles" / "bloomberg-2020-01-02.md").is_file()  # an existing entity: no new one
    assert (copy / "entities.yaml").read_bytes() == (SAMPLE / "entities.yaml").read_bytes()


def test_new_writes_timeline_toml_and_then_changes_only_its_case_line(workdir: Path) -> None:
    first = run("new", "one")
    assert "timeline.toml: case is now one" in first.output
    assert 'case = "one"' in (workdir / "timeline.toml").read_text(encoding="utf-8")
    (workdir / "timeline.toml").write_text('# mine\ncase = "one"  # the current case\n\n[other]\ncase = 1\n',
                                           encoding="utf-8")
    run("new", "two")
    assert (workdir / "timeline.toml").read_text(encoding="utf-8") == \
        '# mine\ncase = "two"  # the current case\n\n[other]\ncase = 1\n'
    add_mashable(workdir)
    assert (workdir / "two" / "articles" / "mashable-2018-10-23.md").is_file()


def test_new_refuses_a_directory_that_is_not_empty(workdir: Path) -> None:
    (workdir / "c").mkdir()
    (workdir / "c" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("new", "c", ok=False)
    assert "c: exists and is not empty" in error_line(result)
    assert [p.name for p in (workdir / "c").iterdir()] == ["notes.txt"]
    assert not (workdir / "timeline.toml").exists()
    (workdir / "empty").mkdir()
    run("new", "empty")  # an empty directory is fine
    assert (workdir / "empty" / "case.yaml").is_file()


def test_new_case_files_carry_the_samples_field_reference(workdir: Path) -> None:
    run("new", "c")
    for name in ("entities.yaml", "events.yaml", "claims.yaml"):
        sample = (SAMPLE / name).read_text(encoding="utf-8")
        fields = [line for line in sample.splitlines() if line.startswith("# Fields:")]
        written = (workdir / "c" / name).read_text(encoding="utf-8")
        assert fields and fields[0] in written
        assert "Rekognition" not in written
    assert "id: c\n" in (workdir / "c" / "case.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("mask", [0o022, 0o027], ids=lambda m: f"umask{m:04o}")
def test_permissions_follow_the_umask(workdir: Path, mask: int) -> None:
    old = os.umask(mask)
    try:
        run("new", "c")
        add_mashable(workdir)
    finally:
        os.umask(old)
    case = workdir / "c"
    for path in [case, case / "articles"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o777 & ~mask, path
    for path in [*case.glob("*.yaml"), *case.glob("articles/*.md"), workdir / "timeline.toml"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path


def test_a_failed_write_leaves_the_case_as_it_was(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("new", "c")
    before = case_files(workdir / "c")
    commit = files.AtomicFile.commit

    def failing(out: files.AtomicFile) -> None:
        if out.path.suffix == ".md":  # after the publisher's entity was written
            raise authoring.TimelineError(f"{out.path}: cannot write: No space left on device")
        commit(out)

    monkeypatch.setattr(files.AtomicFile, "commit", failing)
    result = run("add", mashable_txt(workdir), "--publisher", "Mashable", "--published", "2018-10-23", ok=False)
    assert "No space left on device" in error_line(result)
    assert case_files(workdir / "c") == before  # the publisher's entity was taken back out


def test_new_on_a_failure_leaves_nothing(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(authoring.os, "replace", failing)
    assert "No space left on device" in error_line(run("new", "c", ok=False))
    assert not list(workdir.iterdir())  # neither the case, nor its temporary directory, nor timeline.toml


def test_project_file_text_keeps_every_other_line() -> None:
    assert authoring.project_file_text("a", None).endswith('case = "a"\n')
    assert authoring.project_file_text("b", "# hi\nx = 1\n[t]\ny = 2\n") == '# hi\nx = 1\ncase = "b"\n[t]\ny = 2\n'
    assert authoring.project_file_text('q"uote', "case = 'old'\n") == 'case = "q\\"uote"\n'


HTML = """<!doctype html><html lang="en"><head><title>Amazon pitched ICE | Example News</title>
<meta property="og:site_name" content="Example News">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Amazon pitched ICE", "datePublished": "2018-10-23T10:00:00Z",
"publisher": {"@type": "Organization", "name": "Example News"}}</script></head>
<body><nav><a href="/">Home</a> <a href="/tech">Tech</a></nav>
<article><h1>Amazon pitched ICE</h1>
<p>Amazon would really like U.S. law enforcement to use its facial-recognition software, despite how its
employees feel, according to internal documents obtained by the Project on Government Oversight.</p>
<p>In June 2018, Amazon Web Services sales representatives met with ICE officials to discuss the government
agency's use of the face-scanning technology, the documents show.</p></article>
<aside>Related: <a href="/x">Ten gadgets for the summer</a></aside><footer>Copyright Example News</footer>
</body></html>"""


@pytest.mark.skipif(importlib.util.find_spec("timeline.case.webpage") is None,
                    reason="timeline.case.webpage (HTML extraction) is not there yet")
def test_a_saved_web_page_is_added_with_its_metadata(workdir: Path) -> None:
    run("new", "c")
    page = workdir / "page.html"
    page.write_text(HTML, encoding="utf-8")
    result = run("add", page)
    assert "published: 2018-10-23" in result.output
    written = next((workdir / "c" / "articles").glob("*.md")).read_text(encoding="utf-8")
    assert "published: '2018-10-23'" in written and "published_note:" in written
    assert "Ten gadgets" not in articles.split(written)[1]
    run("validate", "c")
