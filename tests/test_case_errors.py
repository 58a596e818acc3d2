"""Errors in a case that say how to fix them (issue 14, item 6).

References to entities by label or alias, vocabulary values with the closest valid ones and the file that
defines them, article hashes with the value to write (and `validate --fix-hashes` to write it), every problem
of a broken case.yaml in one run, and events dated after every article that reports them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from timeline import pipeline
from timeline.case.loader import load_case
from timeline.case.vocabularies import load_vocabularies
from timeline.cli import cli
from timeline.errors import display_path

PROBLEM = re.compile(r"^(?P<path>\S[^:]*?):(?:(?P<line>\d+):)? (?P<level>error|warning): (?P<message>.*)$")
ARTICLE = "articles/techrepublic-2018-05.md"


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def problems(result: Result, level: str = "error") -> list[tuple[Path, int, str]]:
    found = []
    for text in result.stderr.splitlines():
        m = PROBLEM.match(text)
        if m and m["level"] == level:
            found.append((Path(m["path"]).resolve(), int(m["line"] or 0), m["message"]))
    return found


def line_of(path: Path, fragment: str) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in text:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def failed_cleanly(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------- references by name


def _by_name(case_dir: Path) -> None:
    """Rewrite every reference to an entity in the case's records and front matter as one of its names."""
    case, _problems = load_case(case_dir)
    names = {}
    for n, e in enumerate(sorted(case.entities.values(), key=lambda e: e.id)):
        names[e.id] = e.aliases[0] if e.aliases and n % 2 else e.label  # labels and aliases, both
    quoted = {i: json.dumps(name, ensure_ascii=False) for i, name in names.items()}  # a YAML string, whatever it holds

    def one(match: re.Match) -> str:
        return match[1] + quoted.get(match[2], match[2])

    def many(match: re.Match) -> str:
        return match[1] + "[" + ", ".join(quoted.get(i.strip(), i.strip()) for i in match[2].split(",")) + "]"

    fields = "claimant|on_behalf_of|place|parent|made_by|located_in|member_of|produced|about|publisher"
    for path in [case_dir / "events.yaml", case_dir / "claims.yaml", case_dir / "entities.yaml",
                 *sorted((case_dir / "articles").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        text = re.sub(rf"(?m)^(\s*(?:{fields}): )\[([^\]\n]*)\]", many, text)
        text = re.sub(rf"(?m)^(\s*(?:{fields}): )([a-z0-9-]+)$", one, text)
        text = re.sub(r"(\{entity: )([a-z0-9-]+)", one, text)
        path.write_text(text, encoding="utf-8")


def test_references_by_label_or_alias_build_the_same_graph(case_copy, sample_graph, tmp_path) -> None:
    _by_name(case_copy)
    events = (case_copy / "events.yaml").read_text(encoding="utf-8")
    assert '{entity: "Google", role: vendor}' in events  # the rewrite did happen
    assert re.search(r'(?m)^  claimant: "[A-Z]', (case_copy / "claims.yaml").read_text(encoding="utf-8"))
    out = tmp_path / "graph.nq"
    result = run("build", case_copy, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    # Every IRI comes from the ids the names stand for: byte for byte the graph of the case written with ids.
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(sample_graph.read_bytes()).hexdigest()


def test_a_label_shared_by_two_entities_is_an_error_listing_them(case_copy) -> None:
    entities, claims = case_copy / "entities.yaml", case_copy / "claims.yaml"
    edit(entities, "  aliases: [Bourke]\n", "  aliases: [Bourke, Spokesman]\n")
    edit(entities, "  label: Jeff Bezos\n  aliases: [Bezos]\n", "  label: Jeff Bezos\n  aliases: [Bezos, Spokesman]\n")
    edit(claims, "  claimant: matthew-bourke\n", "  claimant: spokesman\n")
    before = snapshot(case_copy)
    result = run("validate", case_copy, "--no-shacl", "-q")
    failed_cleanly(result)
    [(path, line, message)] = problems(result)
    assert (path, line) == (claims.resolve(), line_of(claims, "claimant: spokesman"))
    assert "'spokesman'" in message and "'jeff-bezos' (Jeff Bezos)" in message and \
        "'matthew-bourke' (Matthew Bourke)" in message
    assert snapshot(case_copy) == before


def test_a_partial_name_is_not_a_reference(case_copy) -> None:
    claims = case_copy / "claims.yaml"
    edit(claims, "  claimant: matthew-bourke\n", "  claimant: Matthew\n")
    result = run("validate", case_copy, "--no-shacl", "-q")
    failed_cleanly(result)
    [(path, line, message)] = problems(result)
    assert (path, line) == (claims.resolve(), line_of(claims, "claimant: Matthew"))
    assert "'Matthew'" in message and "is not a defined agent" in message  # data is no place to guess


def test_an_unknown_name_suggests_names_of_different_entities(case_copy) -> None:
    events = case_copy / "events.yaml"
    edit(events, "{entity: google, role: vendor}", "{entity: Gogle, role: vendor}")
    result = run("validate", case_copy, "--no-shacl", "-q")
    failed_cleanly(result)
    [(_path, line, message)] = problems(result)
    assert line == line_of(events, "{entity: Gogle,") and "'Gogle'" in message
    suggested = re.search(r"did you mean (.*)\?\)", message)[1]
    assert "'google'" in suggested.lower()  # the id or the label, once


def test_csv_rows_name_entities_by_label(case_copy, sample_graph, tmp_path) -> None:
    """events.csv: the entity of ``actors`` and ``place`` may be a label or an alias too."""
    from timeline.case.tables import EVENT_CSV_COLUMNS

    rows = [
        EVENT_CSV_COLUMNS,
        ["ice-labelled", "meeting", "Amazon meets ICE", "A meeting, named by labels.", "2018-06", "stated", "",
         "California", "Amazon Web Services:initiator; ICE:target", "", "", "", "", "bloomberg-2018-10-23",
         "Employees in the Amazon Web Services cloud-computing unit met with the federal agency in California "
         "to present its artificial intelligence tools"],
    ]
    import csv

    extra = tmp_path / "new.csv"
    with extra.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = pipeline.check(case_copy, shacl=False, extra_csv=[extra], today=date(2030, 1, 1))
    assert report.ok, [str(p) for p in report.errors]
    event = report.case.events["ice-labelled"]
    assert event.place == "california"
    assert [(p.entity, p.role) for p in event.participants] == [("amazon-web-services", "initiator"), ("ice", "target")]


# ------------------------------------------------------- vocabularies


@pytest.mark.parametrize(("file", "old", "new", "value", "vocabulary", "defined_in"), [
    ("events.yaml", "type: [meeting, pitch]", "type: [grounding, pitch]", "grounding", "event_types",
     "event-types.ttl"),
    ("events.yaml", "{entity: google, role: vendor}", "{entity: google, role: operator}", "operator", "roles",
     "roles.ttl"),
    ("claims.yaml", "stance: denies", "stance: claims", "claims", "stances", "roles.ttl"),
])
def test_unknown_vocabulary_value_lists_valid_ones_and_the_defining_file(case_copy, file, old, new, value,
                                                                         vocabulary, defined_in) -> None:
    path = case_copy / file
    edit(path, old, new)
    result = run("validate", case_copy, "--no-shacl", "-q")
    failed_cleanly(result)
    [(where, line, message)] = problems(result)
    assert (where, line) == (path.resolve(), line_of(path, new.split(",")[0].strip("{")))
    assert repr(value) in message
    listed = re.findall(r"'([^']+)'", message.split(f"{value!r}", 1)[1].split(";")[0])
    valid = getattr(load_vocabularies(), vocabulary)
    assert listed and set(listed) <= valid  # values the user can write instead
    named = re.search(r"defined in (\S+)\)$", message)[1]
    assert Path(named).name == defined_in and Path(named).is_file()
    assert all(f'skos:notation "{v}"' in Path(named).read_text(encoding="utf-8") for v in listed)


# ------------------------------------------------------- article hashes


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("\n---\n", 3) + 5:]


def _digest(path: Path) -> str:
    return hashlib.sha256(_body(path).encode("utf-8")).hexdigest()


@pytest.mark.parametrize(("how", "old", "new"), [
    ("missing", r"(?m)^sha256: .*\n", ""),
    ("zeros", r"(?m)^sha256: .*$", "sha256: " + "0" * 64),  # YAML reads this as the integer 0
    ("quoted-wrong", r"(?m)^sha256: .*$", 'sha256: "' + "ab" * 32 + '"'),
])
def test_every_hash_error_gives_the_value_to_write(case_copy, how, old, new) -> None:
    article = case_copy / ARTICLE
    article.write_text(re.sub(old, new, article.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(case_copy)
    result = run("validate", case_copy, "--no-shacl", "-q")
    failed_cleanly(result)
    [(where, line, message)] = problems(result)
    assert where == article.resolve()
    if how != "missing":
        assert line == line_of(article, "sha256:")
    assert f"`sha256: {_digest(article)}`" in message  # the line to write
    assert "after the closing '---' line" in message  # what is hashed
    # the command fixes this case, not the default one
    assert f"`timeline validate {display_path(case_copy)} --fix-hashes`" in message
    assert snapshot(case_copy) == before  # validate alone writes nothing


def test_fix_hashes_writes_only_the_hash_lines(case_copy) -> None:
    missing, zeros, wrong = (case_copy / "articles" / f"{name}.md" for name in
                             ("techrepublic-2018-05", "bloomberg-2018-10-23", "mashable-2018-10-23"))
    originals = {p: p.read_text(encoding="utf-8") for p in (missing, zeros, wrong)}
    missing.write_text(re.sub(r"(?m)^sha256: .*\n", "", originals[missing]), encoding="utf-8")
    zeros.write_text(re.sub(r"(?m)^sha256: .*$", "sha256: " + "0" * 64 + "  # to fill in", originals[zeros]),
                     encoding="utf-8")
    wrong.write_text(re.sub(r"(?m)^sha256: .*$", "sha256: '" + "ab" * 32 + "'", originals[wrong]), encoding="utf-8")
    os.chmod(wrong, 0o644)
    untouched = {p: p.read_bytes() for p in (case_copy / "articles").glob("*.md") if p not in originals}

    result = run("validate", case_copy, "--fix-hashes", "--no-shacl", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(line.rsplit("/", 1)[-1] for line in result.stdout.splitlines() if "sha256" in line) == \
        sorted(p.name for p in originals)
    for path in (missing, wrong):  # the same file as before it was broken (the hash was the last key)
        assert path.read_text(encoding="utf-8") == originals[path], path
    # The comment on the edited line is kept; only the value changed.
    assert zeros.read_text(encoding="utf-8") == originals[zeros].replace(
        f"sha256: {_digest(zeros)}", f"sha256: {_digest(zeros)}  # to fill in")
    assert oct(wrong.stat().st_mode & 0o777) == oct(0o644)  # the article keeps its permissions
    assert {p: p.read_bytes() for p in untouched} == untouched
    again = run("validate", case_copy, "--fix-hashes", "--no-shacl", "-q")
    assert again.exit_code == 0 and "sha256" not in again.stdout.replace("valid", "")


def test_a_misspelt_hash_key_gets_the_value_and_is_fixed_in_place(case_copy) -> None:
    article = case_copy / ARTICLE
    original = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"(?m)^sha256: ", "sha265: ", original), encoding="utf-8")
    result = run("validate", case_copy, "--no-shacl", "-q")
    failed_cleanly(result)
    [(where, line, message)] = problems(result)  # one error for one mistake
    assert where == article.resolve() and line == line_of(article, "sha265:")
    assert "'sha265'" in message and f"`sha256: {_digest(article)}`" in message
    fixed = run("validate", case_copy, "--fix-hashes", "--no-shacl", "-q")
    assert fixed.exit_code == 0, fixed.output
    assert article.read_text(encoding="utf-8") == original  # the misspelt line became the right one: no second line


def test_fix_hashes_keeps_crlf_line_ends(case_copy) -> None:
    article = case_copy / ARTICLE
    text = re.sub(r"(?m)^sha256: .*\n", "", article.read_text(encoding="utf-8"))
    article.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    result = run("validate", case_copy, "--fix-hashes", "--no-shacl", "-q")
    assert result.exit_code == 0, result.output
    data = article.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") and b"\r\nsha256: " in data


def test_fix_hashes_leaves_an_unparsable_article_alone(case_copy) -> None:
    article = case_copy / ARTICLE
    edit(article, "language: en\n", "language: [en\n")
    before = article.read_bytes()
    result = run("validate", case_copy, "--fix-hashes", "--no-shacl", "-q")
    failed_cleanly(result)
    assert article.read_bytes() == before
    assert any(where == article.resolve() for where, _line, _message in problems(result))


# ------------------------------------------------------- case.yaml


def test_every_problem_of_a_broken_case_yaml_and_the_other_files_in_one_run(case_copy, tmp_path) -> None:
    (case_copy / "case.yaml").write_text("id: Not An Id\ntitel: A title\nlanguage: [en]\n", encoding="utf-8")
    events = case_copy / "events.yaml"
    edit(events, "{entity: google, role: vendor}", "{entity: gogle, role: vendor}")
    out = tmp_path / "graph.nq"
    result = run("build", case_copy, "-o", out, "--no-shacl", "-q")
    failed_cleanly(result)
    found = problems(result)
    case_yaml = (case_copy / "case.yaml").resolve()
    assert {line for where, line, _m in found if where == case_yaml} == {1, 2, 3}  # id, unknown key, language
    assert any("missing required field 'title'" in m or "'titel'" in m for _w, _l, m in found)
    assert any(where == events.resolve() and "'gogle'" in m for where, _l, m in found)  # the rest was read too
    assert not out.exists()


# ------------------------------------------------------- reported before it happened


def test_event_dated_after_every_article_that_reports_it_is_a_warning(case_copy) -> None:
    events = case_copy / "events.yaml"
    edit(events, '  date: "[..2018-05-22]"\n  date_basis: inferred\n  date_note: Among the documents',
         '  date: "2018-06-04"\n  date_basis: inferred\n  date_note: Among the documents')
    result = run("validate", case_copy, "--no-shacl", "--warnings")
    assert result.exit_code == 0, result.output  # a warning, not an error
    [(where, line, message)] = [w for w in problems(result, "warning") if "before it happened" in w[2]]
    assert (where, line) == (events.resolve(), line_of(events, 'date: "2018-06-04"'))
    assert "'washington-county-employee-email'" in message and "2018-06-04" in message


def test_the_sample_is_not_reported_before_it_happened(sample_case) -> None:
    result = run("validate", sample_case, "--no-shacl", "--warnings")
    assert result.exit_code == 0
    assert not [w for w in problems(result, "warning") if "before it happened" in w[2]]


def test_a_published_month_covers_its_last_day(case_copy) -> None:
    """An article of May 2018 may report an event of 31 May: only what begins after the month is flagged."""
    events = case_copy / "events.yaml"
    edit(events, '  date: "[..2018-05-22]"\n', '  date: "2018-05-31"\n')
    report = pipeline.check(case_copy, shacl=False)
    assert not [p for p in report.warnings if p.kind == "reported-before-it-happened"]
