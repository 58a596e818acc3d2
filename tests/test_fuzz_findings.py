"""Regressions for what the fuzzer (fuzz/fuzz_timeline.py) and the property tests found.

Each was a traceback from ``timeline validate`` / ``timeline build`` on a hand-edited case; each is now one error at
the file and line of the offending value.
"""

from __future__ import annotations

from datetime import date

import pytest
from test_validate_cli import edit, line_of

from timeline import pipeline
from timeline.case.loader import load_case
from timeline.query.results import Term
from timeline.query.sparql import SparqlError, bind_values

ARTICLE = "articles/newscomau-2020-06.md"
URL = ("https://www.news.com.au/technology/innovation/inventions/amazon-rekognition-announce-moratorium-on-facial-"
       "recognition-use-by-police/news-story/a3b6a329af715f494f6946ac6baef74a")


def errors(report_or_problems) -> list[str]:
    problems = getattr(report_or_problems, "problems", report_or_problems)
    return [str(p) for p in problems if p.is_error]


@pytest.mark.parametrize("url", [
    "https://www.news.com.au/a,#=#/b",  # two fragments (found by the property test's URL generator)
    "https://www.news.com.au/{story}",  # characters an IRI cannot hold
    "https://www.news.com.au/a|b^c`d\\e",
    "https://www.news.com.au:port/story",  # a port that is not a number
    "https://www.news.com.au/%zz",  # a broken percent escape
    "https://[::1/story",  # a broken IPv6 host
])
def test_article_url_that_is_no_iri_is_an_error_at_its_line(case_copy, url):
    """It passed the loader's URL pattern, went into the N-Quads as <...>, and the SHACL step's N-Quads parser
    raised SyntaxError: a traceback instead of a message."""
    line = line_of(edit(case_copy / ARTICLE, f"url: {URL}", f"url: '{url}'"), f"url: '{url}'")
    report = pipeline.check(case_copy, today=date(2030, 1, 1))
    assert not report.ok
    [message] = errors(report)
    assert f"newscomau-2020-06.md:{line}: error:" in message
    assert "field 'url' must be an http(s) URL" in message


def test_a_valid_iri_with_non_ascii_characters_is_still_accepted(case_copy):
    edit(case_copy / ARTICLE, f"url: {URL}", "url: https://www.news.com.au/ünïcode/story?q=1#frag")
    report = pipeline.check(case_copy, today=date(2030, 1, 1))
    assert errors(report) == []


@pytest.mark.parametrize(("base", "ok"), [
    ("https://example.org/cases/rekognition/", True),
    ("https://example.org/cases#", True),
    ("https://example.org/{cases}/", False),
    ("https://example.org:", False),  # a valid IRI, but base + "entity/x" is not ("https://example.org:entity/x")
])
def test_case_base_must_make_valid_iris(case_copy, base, ok):
    line = line_of(edit(case_copy / "case.yaml", "language: en\n", f"language: en\nbase: '{base}'\n"), "base: ")
    case, problems = load_case(case_copy)
    if ok:
        assert errors(problems) == []
        assert case.base == base
        return
    assert case.base != base  # the rest of the case is still read (to report all its problems), never with it
    [message] = errors(problems)
    assert f"case.yaml:{line}: error: case: field 'base'" in message


@pytest.mark.parametrize(("value", "shown"), [
    ("!!int 2018x", "'2018x' is not a valid !!int value"),
    ("!!float 1.5x", "'1.5x' is not a valid !!float value"),
    ("!!bool fal{e", "'fal{e' is not a valid !!bool value"),
    ("!!int", "'' is not a valid !!int value"),
    ("!!map [1, 2]", "a list is not a valid !!map value"),
    ("!!seq {a: 1}", "a mapping is not a valid !!seq value"),
])
def test_explicit_yaml_tag_with_a_bad_value_is_invalid_yaml_at_its_line(case_copy, value, shown):
    """PyYAML's constructors raise ValueError, KeyError, TypeError, AttributeError or IndexError for these, which
    escaped the loader (it caught YAMLError only)."""
    line = line_of(edit(case_copy / "events.yaml", '  date: "2016"\n', f"  date: {value}\n"), f"  date: {value}\n")
    case, problems = load_case(case_copy)
    [message] = errors(problems)
    assert message.endswith(f"events.yaml:{line}: error: invalid YAML: {shown}")
    assert case is not None and "events.yaml" in case.unreadable


def test_explicit_yaml_tag_in_front_matter_is_invalid_yaml_at_its_line(case_copy):
    line = line_of(edit(case_copy / ARTICLE, "language: en\n", "language: !!int en\n"), "language: !!int en")
    _case, problems = load_case(case_copy)
    assert errors(problems) == [f"{case_copy / ARTICLE}:{line}: error: invalid YAML: 'en' is not a valid !!int value"]


def test_valid_explicit_tags_still_load(case_copy):
    edit(case_copy / "events.yaml", '  date: "2016"\n', '  date: !!str 2016\n')
    case, problems = load_case(case_copy)
    assert errors(problems) == []
    assert case.events["georgetown-study-2016"].date.edtf == "2016"


@pytest.mark.parametrize(("old", "new", "field"), [
    ("- id: amazon\n", '- id: "amazon\\n"\n', "id"),
    ("  wikidata: Q3884\n", '  wikidata: "Q3884\\n"\n', "wikidata"),
    ("  parent: amazon\n", '  parent: "amazon\\n"\n', "parent"),
])
def test_value_with_a_trailing_newline_is_not_an_id(case_copy, old, new, field):
    """The id, Wikidata and URL patterns ended in "$", which also matches before a final newline: an id
    "amazon\\n" was accepted, went into an IRI, and the N-Quads parser of the SHACL step raised SyntaxError."""
    line = line_of(edit(case_copy / "entities.yaml", old, new), new)
    case, problems = load_case(case_copy)
    messages = errors(problems)
    assert any(f"entities.yaml:{line}: error:" in m and f"field {field!r}" in m for m in messages), messages


def test_unreferenced_entity_with_a_newline_in_its_id_does_not_crash_the_build(case_copy):
    edit(case_copy / "entities.yaml", "- id: amazon\n",
         '- id: "newline\\n"\n  type: company\n  label: Newline Inc.\n\n- id: amazon\n')
    report = pipeline.check(case_copy, today=date(2030, 1, 1))
    assert [m for m in errors(report) if "'newline\\n'" in m and "must be an id" in m]


def test_url_with_a_trailing_newline_is_an_error(case_copy):
    line = line_of(edit(case_copy / ARTICLE, f"url: {URL}", f'url: "{URL}\\n"'), 'url: "')
    report = pipeline.check(case_copy, today=date(2030, 1, 1))
    assert [m for m in errors(report) if f":{line}: error:" in m and "field 'url'" in m]


@pytest.mark.parametrize(("name", "term"), [
    ("p", Term.iri("http://example.org/x\n")),
    ("p\n", Term.iri("http://example.org/x")),
    ("p", Term.literal("x", lang="en\n")),
])
def test_a_trailing_newline_never_passes_the_parameter_checks(name, term):
    # `$` matches before a final newline; the checks must look at the whole value
    with pytest.raises(SparqlError):
        bind_values("SELECT ?p WHERE { }", {name: term})
