"""Library errors name the parameter as a Python caller knows it; the command line names its flag.

A notebook user who calls ``paths(..., max_hops=0)`` reads about ``max_hops``, not ``--max-hops``, and the
error carries ``param="max_hops"``; ``timeline`` shows the same error with the flag of the command that ran,
as click's ``BadParameter.param_hint`` does.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline import resources
from timeline.cli import cli
from timeline.errors import TimelineError
from timeline.query import saved_queries
from timeline.query.results import QueryResult, Term
from timeline.query.sparql import bind_values
from timeline.stores import check_form, open_store
from timeline.views import resultview
from timeline.views.model import load_view
from timeline.views.network import paths

ROOT = Path(__file__).resolve().parents[1]
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def raised(call) -> TimelineError:
    with pytest.raises(TimelineError) as caught:
        call()
    return caught.value


def library_error(exc: TimelineError, param: str, *words: str) -> None:
    """The error names ``param`` for the code, says ``words``, and names no command-line flag."""
    assert exc.param == param
    assert not FLAG.search(str(exc)), str(exc)
    for word in words:
        assert word in str(exc), str(exc)


def test_a_library_call_reads_about_its_own_parameters(store, view, sample_graph) -> None:
    library_error(raised(lambda: paths(view, "aclu", "ice", max_hops=0)), "max_hops", "max_hops must be 1")
    window = saved_queries.find_saved("events-in-window")
    library_error(raised(lambda: saved_queries.bind(window, {"from": "2018"}, store)), "params",
                  "missing param 'to'")
    library_error(raised(lambda: saved_queries.bind(window, {"from": "2018-13", "to": "2019"}, store)),
                  "params", "param from='2018-13': not a date")
    library_error(raised(lambda: saved_queries.parse_param_args(["actor"])), "params", "expected NAME=VALUE")
    library_error(raised(lambda: bind_values("SELECT ?v WHERE { }", {"x-y": Term.literal("1")})), "params",
                  "param 'x-y'")
    library_error(raised(lambda: check_form("DELETE WHERE { ?s ?p ?o }", False, "q")), "allow_update",
                  "allow_update=True")
    library_error(raised(lambda: open_store("http://127.0.0.1:9/sparql", "memory")), "backend",
                  "backend='memory'")
    library_error(raised(lambda: open_store(sample_graph, "memory").update("CLEAR ALL")), "backend",
                  "backend='oxigraph'")
    library_error(raised(lambda: resultview.to_timeline_view(QueryResult("ASK", boolean=True), view, "t")),
                  "view", "a timeline view needs a SELECT query")
    library_error(raised(lambda: load_view(store, actors=["nobody"])), "actors", "actor 'nobody'")


def test_a_shape_the_sparql_engine_cannot_check_names_the_engine_parameter(tmp_path) -> None:
    from timeline import shacl

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(UNSUPPORTED_SHAPE, encoding="utf-8")
    library_error(raised(lambda: shacl.validate_nquads(b"", shapes)), "engine", "use engine='pyshacl'")


UNSUPPORTED_SHAPE = """
<https://example.org/S> a <http://www.w3.org/ns/shacl#NodeShape> ;
    <http://www.w3.org/ns/shacl#targetClass> <https://w3id.org/timeline/ns#Event> ;
    <http://www.w3.org/ns/shacl#property> [ <http://www.w3.org/ns/shacl#path> <https://w3id.org/timeline/ns#x> ;
                                            <http://www.w3.org/ns/shacl#equals> <https://w3id.org/timeline/ns#y> ] .
"""


def test_naming_puts_a_callers_name_where_the_message_names_the_parameter() -> None:
    exc = TimelineError("q: updates run elsewhere; use backend='oxigraph'", param="backend",
                        said="backend='oxigraph'", value="oxigraph")
    assert exc.naming("--backend") == "q: updates run elsewhere; use --backend oxigraph"
    assert TimelineError("max_hops must be 1 or more", param="max_hops").naming("--max-hops") == \
        "--max-hops must be 1 or more"
    assert TimelineError("must be 1 or more", param="n").naming("-n") == "-n: must be 1 or more"  # as a hint


def fails_with(args: list[str], fragment: str) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert "\n" not in line and fragment in line, line
    return line


def test_the_command_line_names_its_flags(sample_graph, tmp_path) -> None:
    graph = ["--graph", str(sample_graph)]
    fails_with(["query", "events-in-window", "-p", "from=2018", *graph], "error: missing --param to=... (date-end)")
    fails_with(["query", "events-in-window", "-p", "from=2018-13", "-p", "to=2019", *graph],
               "error: --param from=2018-13: not a date")
    fails_with(["query", "DELETE WHERE { ?s ?p ?o }", *graph], "read-only unless you pass --allow-update")
    fails_with(["query", "ASK { ?s ?p ?o }", "--endpoint", "http://127.0.0.1:9/sparql", "--backend", "memory"],
               "--backend memory reads a built graph file")
    fails_with(["query", "DELETE WHERE { ?s ?p ?o }", "--allow-update", "--backend", "memory", *graph],
               "use --backend oxigraph")
    fails_with(["query", "ASK { ?s ?p ?o }", "--view", "timeline", "-o", str(tmp_path / "v.html"), *graph],
               "error: --view timeline needs a SELECT query")
    # render's --actor is checked as a query parameter would be, and named as the option it is
    fails_with(["render", "timeline", "--actor", "nobody", "-o", str(tmp_path / "t.html"), *graph],
               "error: --actor nobody: no entity named 'nobody'")


def test_validate_names_the_shacl_engine_option(sample_case, tmp_path, monkeypatch) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(resources.ontology_dir(), ontology)
    with (ontology / "shapes.ttl").open("a", encoding="utf-8") as f:
        f.write(UNSUPPORTED_SHAPE)
    monkeypatch.setattr(resources, "ontology_dir", lambda: ontology)
    fails_with(["validate", str(sample_case), "-q", "--shacl-engine", "sparql"],
               "sh:equals is not supported by the sparql SHACL engine; use --shacl-engine pyshacl")


# Flags a library message may name: another program's own switch, what to start it with.
OTHER_PROGRAMS = {"--union-default-graph"}  # Oxigraph server
# Being reworded where those modules are changed; remove an entry once its message names the parameter.
COMMAND = re.compile(r"`timeline [^`]*`")  # a command to run, in backquotes: a suggestion, not a parameter


def _texts(node: ast.AST):
    """The string literals under ``node``, an f-string as one text with ``{}`` for its values."""
    if isinstance(node, ast.JoinedStr):
        yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    else:
        for child in ast.iter_child_nodes(node):
            yield from _texts(child)


def _exception_classes(trees: list[ast.Module]) -> set[str]:
    """Names of the exception classes the package defines, and the builtin ones it raises."""
    names = {"Exception", "ValueError", "TypeError", "RuntimeError", "OSError", "KeyError", "LookupError"}
    classes = [n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    grown = True
    while grown:
        grown = False
        for c in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in c.bases}
            if c.name not in names and bases & names:
                names.add(c.name)
                grown = True
    return names


def _error_messages(tree: ast.Module, exceptions: set[str]):
    """(line, text) of each message given to a raise or to an exception class's constructor."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            yield from ((node.lineno, t) for t in _texts(node.exc))
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in exceptions:
                yield from ((node.lineno, t) for arg in node.args for t in _texts(arg))


def test_library_errors_name_no_command_line_flags() -> None:
    modules = sorted(p for p in (ROOT / "timeline").rglob("*.py") if p != ROOT / "timeline" / "cli.py")
    trees = {p.relative_to(ROOT).as_posix(): ast.parse(p.read_text(encoding="utf-8")) for p in modules}
    exceptions = _exception_classes(list(trees.values()))
    found = set()  # a set: a raise of an exception's constructor is met twice
    for path, tree in trees.items():
        for line, text in _error_messages(tree, exceptions):
            for flag in FLAG.findall(COMMAND.sub("", text)):
                if flag not in OTHER_PROGRAMS:
                    found.add(f"{path}:{line}: {flag} in {text!r}")
    assert not found, "library errors name the parameter (param=...), the CLI its flag:\n" + "\n".join(sorted(found))
