"""One name resolver (timeline.case.names) behind every lookup: `entity`, `path`, query parameters and `--focus`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.case.names import AmbiguousName, NameIndex, UnknownName
from timeline.cli import cli

ENTITIES = [
    ("ice", "U.S. Immigration and Customs Enforcement", ["ICE", "Immigration and Customs Enforcement"]),
    ("hsi", "Homeland Security Investigations", ["HSI", "ICE's Homeland Security Investigations"]),
    ("amazon", "Amazon", ["Amazon.com"]),
    ("amazon-web-services", "Amazon Web Services", ["AWS", "Amazon"]),
    ("orlando-police", "Orlando Police Department", []),
    ("nsw-police", "New South Wales Police Force", []),
    ("washington-county-sheriff", "Washington County Sheriff's Office", []),
]


@pytest.fixture
def index() -> NameIndex:
    return NameIndex(ENTITIES)


@pytest.mark.parametrize(("name", "found", "how"), [
    ("ice", "ice", "id"),
    ("ICE", "ice", "id"),  # an id wins over the alias "ICE" of the same spelling
    ("  u.s. immigration   AND customs enforcement ", "ice", "label"),  # case and spaces do not matter
    ("Washington County Sheriff’s Office", "washington-county-sheriff", "label"),  # nor curly apostrophes
    ("Amazon", "amazon", "id"),  # before amazon-web-services' alias "Amazon"
    ("Amazon.com", "amazon", "alias"),
    ("aws", "amazon-web-services", "alias"),
])
def test_exact_names_in_order_id_label_alias(index, name, found, how) -> None:
    match = index.resolve(name, partial=False)
    assert (match.id, match.how, match.partial) == (found, how, False)


def test_a_label_beats_another_entitys_alias() -> None:
    index = NameIndex([("bezos", "Jeff Bezos", []), ("decoy", "Decoy", ["Jeff Bezos"])])
    assert index.resolve("jeff bezos", partial=False).id == "bezos"


def test_a_partial_name_behind_one_entity_is_resolved_and_says_so(index) -> None:
    # Both the label and an alias contain it: two names, one entity.
    match = index.resolve("immigration and customs")
    assert (match.id, match.partial) == ("ice", True)
    assert match.note("immigration and customs") == \
        "resolved 'immigration and customs' to 'ice' (U.S. Immigration and Customs Enforcement)"
    assert index.resolve("county sheriff").id == "washington-county-sheriff"
    assert index.resolve("wales police").id == "nsw-police"  # all its words, whatever their order


def test_partial_names_are_not_accepted_where_only_exact_ones_are(index) -> None:
    with pytest.raises(UnknownName):
        index.resolve("immigration and customs", partial=False)


def test_a_partial_name_of_several_entities_lists_them_with_ids(index) -> None:
    with pytest.raises(AmbiguousName) as caught:
        index.resolve("police")
    assert caught.value.ids == ["nsw-police", "orlando-police"]
    assert "'nsw-police' (New South Wales Police Force)" in str(caught.value)
    assert "'orlando-police' (Orlando Police Department)" in str(caught.value)


def test_a_name_two_entities_share_is_ambiguous() -> None:
    twins = NameIndex([("a", "Alpha", ["Shared"]), ("b", "Beta", ["shared"])])
    with pytest.raises(AmbiguousName) as caught:
        twins.resolve("SHARED")
    assert caught.value.ids == ["a", "b"] and "'a' (Alpha)" in str(caught.value) and "'b' (Beta)" in str(caught.value)


def test_suggestions_are_one_per_entity(index) -> None:
    # "amazon" is amazon's id and (normalised) its label and amazon-web-services' alias: one suggestion for each
    # entity, never the same entity twice.
    with pytest.raises(UnknownName) as caught:
        index.resolve("amazonn")
    assert caught.value.suggestions.count("amazon") == 1
    owners = [index.resolve(s, partial=False).id for s in caught.value.suggestions if s.lower() != "amazon"]
    assert len(owners) == len(set(owners)) and "amazon" not in owners
    assert str(caught.value).startswith("no entity named 'amazonn' (did you mean 'amazon'")


def test_a_nonsense_name_gets_no_suggestions(index) -> None:
    with pytest.raises(UnknownName, match=r"^no entity named 'zzzz'$"):
        index.resolve("zzzz")


# ---------------------------------------------------------------- the commands


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_entity_resolves_a_partial_name_and_names_the_choice(graph) -> None:
    result = invoke("entity", "immigration and customs", "--graph", graph)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("U.S. Immigration and Customs Enforcement (government agency) — ice")
    assert "resolved 'immigration and customs' to 'ice' (U.S. Immigration and Customs Enforcement)" in result.stderr


def test_entity_by_exact_name_says_nothing_extra(graph) -> None:
    result = invoke("entity", "ICE", "--graph", graph)
    assert result.exit_code == 0 and result.stderr == ""


def test_entity_ambiguous_partial_name_fails_listing_ids(graph) -> None:
    result = invoke("entity", "police", "--graph", graph)
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("timeline: error: ") and "'orlando-police'" in line and "'nsw-police-force'" in line


def test_path_and_query_and_focus_use_the_same_resolver(graph, tmp_path) -> None:
    note = "resolved 'immigration and customs' to 'ice'"
    path = invoke("path", "immigration and customs", "ACLU", "--graph", graph, "--format", "json")
    assert path.exit_code == 0 and note in path.stderr
    assert '"from": "ice"' in path.stdout

    by_part = invoke("query", "actor-timeline", "-p", "actor=immigration and customs", "--graph", graph)
    by_id = invoke("query", "actor-timeline", "-p", "actor=ice", "--graph", graph)
    assert by_part.exit_code == 0 and by_part.stdout == by_id.stdout and note in by_part.stderr

    page = tmp_path / "g.html"
    focus = invoke("render", "graph", "--graph", graph, "-o", page, "--focus", "immigration and customs")
    assert focus.exit_code == 0 and note in focus.stderr and page.is_file()


def test_focus_with_an_unknown_name_names_the_option(graph, tmp_path) -> None:
    page = tmp_path / "g.html"
    result = invoke("render", "graph", "--graph", graph, "-o", page, "--focus", "amazn")
    assert result.exit_code == 1 and not page.exists()
    [line] = result.stderr.splitlines()
    assert line.startswith("timeline: error: --focus: ") and "did you mean 'amazon'" in line


def error_line(result) -> str:
    assert result.exit_code != 0 and "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("timeline: error: ")
    return line


def test_every_unknown_name_is_suggested_alike_whatever_its_case(graph, tmp_path) -> None:
    """A saved query, a query parameter and an entity: one search, one way of saying it."""
    assert "(did you mean 'actor-timeline'?)" in error_line(invoke("query", "actor-timelin", "--graph", graph))
    assert "has no such parameter (did you mean 'actor'?)" in error_line(
        invoke("query", "actor-timeline", "-p", "ACTOR=ice", "--graph", graph))
    assert "(did you mean 'amazon'?)" in error_line(
        invoke("render", "graph", "--graph", graph, "-o", tmp_path / "g.html", "--focus", "AMAZN"))
    assert not (tmp_path / "g.html").exists()
