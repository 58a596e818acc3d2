"""`timeline query` and `timeline queries` as a user runs them (Click's CliRunner)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline import resources
from timeline.cli import cli

SAMPLE = resources.sample_case_dir()
SAMPLE_BASE = "https://w3id.org/timeline/case/rekognition/"


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


def query(graph: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["query", "--graph", str(graph), *args], input=input)


def fails_cleanly(result, fragment: str) -> str:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0], lines[0]
    return lines[0]


def test_queries_lists_every_saved_query_with_parameters() -> None:
    result = CliRunner().invoke(cli, ["queries"])
    assert result.exit_code == 0
    names = re.findall(r"^([a-z0-9-]+): ", result.output, re.M)
    assert len(names) >= 12 and "actor-timeline" in names
    assert "--param actor=... (entity)" in result.output
    doc = json.loads(CliRunner().invoke(cli, ["queries", "--format", "json"]).output)
    assert {q["name"] for q in doc} == set(names)


def test_saved_query_table_is_readable(graph) -> None:
    result = query(graph, "actor-timeline", "--param", "actor=ice")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["event", "date", "label", "role"]
    events = [squeezed(row["event"]) for row in read_table(result.stdout)[1]]
    assert "event:amazon-ice-meeting-2018-06" in events  # IRIs shortened with the case's prefixes
    assert re.search(r"\(\d+ rows\)$", lines[-1])


def read_table(out: str) -> tuple[list[str], list[dict[str, str]]]:
    """Headers and rows of a table: columns found from the rule of dashes, a cell's wrapped lines joined."""
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("-"))
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    assert re.fullmatch(r"\(\d+ rows?\)", lines[-1])

    def cut(line: str) -> list[str]:
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):  # the gap between columns stays empty
            assert not line[end:start].strip(), f"a cell out of its column: {line!r}"
        assert len(line) <= spans[-1][1], f"a cell out of its column: {line!r}"
        return [line[a:b].strip() for a, b in spans]

    def join(pieces: list[str]) -> str:
        return " ".join(p for p in pieces if p)

    headers = [join(col) for col in zip(*[cut(line) for line in lines[:rule]], strict=True)]
    blocks: list[list[list[str]]] = []
    spaced = "" in lines[rule + 1:-1]
    for line in lines[rule + 1:-1]:
        if spaced and not line:
            blocks.append([])
        elif not blocks or (not spaced and cut(line)[0]):
            blocks.append([cut(line)])
        else:
            blocks[-1].append(cut(line))
    headers = list(map(squeezed, headers))  # a header squeezed into a narrow column wraps too
    rows = [dict(zip(headers, map(join, zip(*block, strict=True)), strict=True)) for block in blocks]
    return headers, rows


def squeezed(text: str) -> str:
    return "".join(text.split())  # wrapping may split "one-year" after its hyphen: compare the characters


@pytest.mark.parametrize("columns", [200, 60])
def test_table_wraps_long_cells_to_the_terminal_width_and_cuts_nothing(graph, columns) -> None:
    full = list(csv.DictReader(io.StringIO(query(graph, "contradicting-claims", "--format", "csv").stdout)))
    result = CliRunner().invoke(cli, ["query", "--graph", str(graph), "contradicting-claims"],
                                env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= columns
    assert "…" not in result.stdout
    headers, rows = read_table(result.stdout)
    assert headers == ["claim", "claimant", "text", "other", "otherClaimant", "otherText"]
    assert len(rows) == len(full) > 5
    for row, whole in zip(rows, full, strict=True):
        for column in ("claimant", "text", "otherClaimant", "otherText"):
            assert squeezed(row[column]) == squeezed(whole[column]), (column, row[column])
        assert squeezed(row["claim"]) == squeezed(whole["claim"].replace(f"{SAMPLE_BASE}claim/", "claim:"))


def test_short_columns_keep_their_width_and_pipes_get_80_columns(graph, monkeypatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    result = query(graph, "actor-timeline", "--param", "actor=ice")  # CliRunner's output is not a terminal
    assert result.stdout == CliRunner().invoke(cli, ["query", "--graph", str(graph), "actor-timeline", "--param",
                                                     "actor=ice"], env={"COLUMNS": "80"}).stdout
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 80
    _, rows = read_table(result.stdout)
    assert {r["role"] for r in rows} >= {"target", "recipient"}  # whole, on the row's first line
    assert any(line.rstrip().endswith("recipient") for line in lines)


def table_at(graph: Path, columns: int, *args: str) -> tuple[list[str], list[int]]:
    """The lines of a query's table at a width, and its column widths (read from the rule of dashes)."""
    result = CliRunner().invoke(cli, ["query", "--graph", str(graph), *args], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    return lines, [len(dashes) for dashes in lines[1].split()]


NARROW_TABLES = [("contradicting-claims",), ("actor-timeline", "-p", "actor=ICE")]


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("args", NARROW_TABLES, ids=lambda a: a[0])
def test_headers_are_never_split(graph, columns, args) -> None:
    lines, widths = table_at(graph, columns, *args)
    assert lines[1].startswith("-"), lines[:2]  # the headers take one line, the rule comes next
    headers = lines[0].split()
    assert headers in (["claim", "claimant", "text", "other", "otherClaimant", "otherText"],
                       ["event", "date", "label", "role"])
    assert all(len(h) <= w for h, w in zip(headers, widths, strict=True))
    assert max(map(len, lines)) <= columns


def test_free_text_gets_more_room_than_iris(graph) -> None:
    _, (claim, claimant, text, other, other_claimant, other_text) = table_at(graph, 160, "contradicting-claims")
    assert max(text, other_text) >= max(claim, other)
    _, (event, date, label, role) = table_at(graph, 100, "actor-timeline", "-p", "actor=ICE")
    assert label > event


def test_words_are_broken_only_when_longer_than_their_column(graph) -> None:
    lines, widths = table_at(graph, 80, "actor-timeline", "-p", "actor=ICE")
    label = sum(widths[:2]) + 2 * 2, sum(widths[:3]) + 2 * 2
    pieces = {word for line in lines[2:-1] for word in line[label[0]:label[1]].split()}
    labels = [row["label"] for row in read_table("\n".join(lines) + "\n")[1]]
    words = {word for text in labels for word in text.split()}
    assert max(map(len, words)) <= widths[2] and words <= pieces  # every word of every label whole on a line


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_in_w3c_result_formats(graph, fmt) -> None:
    result = query(graph, "event-sources", "-p", "event=amazon-ice-meeting-2018-06", "--format", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "json":
        doc = json.loads(out)
        assert doc["head"]["vars"] == ["source", "title", "publisher", "published", "quote"]
        assert doc["results"]["bindings"][0]["source"]["type"] == "uri"
        rows = len(doc["results"]["bindings"])
    elif fmt == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(out)
        assert [v.get("name") for v in root.find("r:head", ns)] == ["source", "title", "publisher", "published",
                                                                      "quote"]
        rows = len(root.find("r:results", ns))
    elif fmt == "csv":
        table = list(csv.reader(io.StringIO(out)))
        assert table[0] == ["source", "title", "publisher", "published", "quote"]
        assert result.stdout_bytes.endswith(b"\r\n")  # CliRunner's .stdout folds CRLF
        rows = len(table) - 1
    else:
        lines = out.splitlines()
        assert lines[0].split("\t") == ["?source", "?title", "?publisher", "?published", "?quote"]
        assert lines[1].startswith("<https://")
        rows = len(lines) - 1
    assert rows == 5


def test_ask_and_construct(graph) -> None:
    ask = query(graph, "ASK { entity:ice a tl:GovernmentAgency }", "--format", "json")
    assert json.loads(ask.stdout) == {"head": {}, "boolean": True}
    construct = query(graph, "CONSTRUCT { entity:ice rdfs:label ?l } WHERE { entity:ice rdfs:label ?l }")
    assert construct.exit_code == 0
    assert 'entity:ice rdfs:label "U.S. Immigration and Customs Enforcement"' in construct.stdout
    nt = query(graph, "DESCRIBE entity:ice", "--format", "nt")
    assert "<https://w3id.org/timeline/case/rekognition/entity/ice>" in nt.stdout


def test_query_from_file_and_stdin(graph, tmp_path) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?e a tl:Event }"
    path = tmp_path / "count.rq"
    path.write_text(text, encoding="utf-8")
    from_file = query(graph, "-f", str(path), "--format", "csv")
    from_stdin = query(graph, "-", "--format", "csv", input=text)
    from timeline.case.loader import load_case

    events = len(load_case(SAMPLE)[0].events)
    assert from_file.stdout_bytes == from_stdin.stdout_bytes == f"n\r\n{events}\r\n".encode()


def test_syntax_error_points_at_line_and_column(graph, tmp_path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELECT ?e WHERE {\n  ?e a tl:Event\n  FILTER (?e = \n}\n", encoding="utf-8")
    line = fails_cleanly(query(graph, "-f", str(path)), "SPARQL syntax error")
    assert re.search(rf"{re.escape(str(path))}:[45]:\d+: SPARQL syntax error", line), line


def test_update_is_refused_without_allow_update(graph) -> None:
    before = graph.read_bytes()
    fails_cleanly(query(graph, "DELETE WHERE { ?s ?p ?o }"), "--allow-update")
    fails_cleanly(query(graph, "PREFIX x: <urn:x:> INSERT DATA { x:a x:b x:c }"), "read-only")
    assert graph.read_bytes() == before


def test_update_with_allow_update_rewrites_the_graph_atomically(graph, tmp_path) -> None:
    copy = tmp_path / "graph.nq"
    copy.write_bytes(graph.read_bytes())
    result = query(copy, "INSERT DATA { GRAPH <urn:x:notes> { entity:ice rdfs:comment \"checked\" } }",
                   "--allow-update")
    assert result.exit_code == 0, result.output
    assert "-> " in result.stdout
    assert b'"checked"' in copy.read_bytes()
    assert not list(tmp_path.glob(".graph.nq.*"))  # no temporary file left behind


def test_parameters_are_bound_not_pasted(graph) -> None:
    hostile = 'x" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER("'
    result = query(graph, "SELECT ?v WHERE { BIND (?p AS ?v) }", "--param", f"p={hostile}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"] == [{"v": {"type": "literal", "value": hostile}}]
    fails_cleanly(query(graph, "actor-timeline", "--param", f"actor={hostile}"), "no entity")
    fails_cleanly(query(graph, "SELECT ?v WHERE { BIND (?p AS ?v) }", "--param", "p=<urn:a> } <urn:b>"),
                  "not a valid IRI")


def test_typed_parameters_and_their_errors(graph) -> None:
    ok = query(graph, "events-in-window", "-p", "from=2020", "-p", "to=2020", "--format", "csv")
    assert "amazon-moratorium-2020-06" in ok.stdout
    fails_cleanly(query(graph, "events-in-window", "-p", "from=2018-13", "-p", "to=2019"), "not a date")
    fails_cleanly(query(graph, "events-in-window", "-p", "from=2018"), "missing --param to")
    fails_cleanly(query(graph, "co-participation", "-p", "min=lots"), "not an integer")
    fails_cleanly(query(graph, "actor-timeline", "-p", "actr=ice"), "did you mean 'actor'")
    fails_cleanly(query(graph, "actor-timeline", "-p", "actor=amazn"), "did you mean 'amazon'")
    fails_cleanly(query(graph, "actor-timeline", "-p", "actor"), "expected NAME=VALUE")


def test_labels_and_aliases_resolve_case_insensitively(graph) -> None:
    by_alias = query(graph, "actor-timeline", "-p", "actor=city of ORLANDO", "--format", "csv")
    by_id = query(graph, "actor-timeline", "-p", "actor=city-of-orlando", "--format", "csv")
    assert by_alias.exit_code == 0 and by_alias.stdout == by_id.stdout
    assert "orlando-rekognition-pilot" in by_id.stdout


def test_ambiguous_label_asks_for_an_id(tmp_path) -> None:
    import shutil

    case = tmp_path / "case"
    shutil.copytree(SAMPLE, case)
    entities = case / "entities.yaml"
    text = entities.read_text(encoding="utf-8")
    aws = "  aliases: [AWS]\n"
    assert aws in text
    # An alias both entities have ("Amazon" would be amazon: its id and its label beat an alias).
    entities.write_text(text.replace(aws, "  aliases: [AWS, Amazon.com]\n"), encoding="utf-8")
    out = tmp_path / "g.nq"
    assert CliRunner().invoke(cli, ["build", str(case), "-o", str(out), "-q"]).exit_code == 0
    line = fails_cleanly(query(out, "actor-timeline", "-p", "actor=amazon.com"), "ambiguous")
    assert "'amazon' (Amazon)" in line and "'amazon-web-services' (Amazon Web Services)" in line


def test_unknown_saved_query_suggests_a_name(graph) -> None:
    fails_cleanly(query(graph, "actor-timelin"), "did you mean 'actor-timeline'")


def test_missing_graph_says_to_build_first(tmp_path) -> None:
    fails_cleanly(query(tmp_path / "none.nq", "who-met-whom"), "run `timeline build` first")


def test_format_must_fit_the_query_form(graph) -> None:
    result = query(graph, "who-met-whom", "--format", "turtle")
    assert result.exit_code == 2 and "CONSTRUCT/DESCRIBE" in result.output


def test_memory_backend_answers_the_same(graph) -> None:
    a = query(graph, "co-participation", "--format", "json")
    b = query(graph, "co-participation", "--format", "json", "--backend", "memory")
    assert a.stdout == b.stdout
