"""Hardening (issue 6): the bad-input matrix, and nothing lost when a run fails or is killed.

The bad-input matrix: each item breaks one thing and checks what a user relies on
to fix it:

* a non-zero exit: 1, or 2 for a usage error (never 70, the internal-error code);
* ONE error line on stderr naming the file and line, or the argument: a broken
  case lists one ``FILE:LINE: error: message`` line per problem and then one
  summary line (the convention of tests/test_validate_cli.py; ``-q`` hides the
  warnings); any other command prints one ``timeline: error: ...`` line, or
  Click's usage text with one ``Error: ...`` line;
* no traceback, and an answer within a few seconds.

Every item runs twice: in-process with Click's CliRunner (case items as
``timeline validate``), and as a real ``python -m timeline`` subprocess (case
items as ``timeline build -o``, which must then write nothing). Several items
are also tested elsewhere (tests/test_validate_cli.py, test_query_cli.py,
test_store_cli.py, test_stores.py); this file holds the whole matrix in one place.

Nothing lost: a ``build -o``, ``render -o`` or ``export -o`` killed with SIGKILL
at the worst moments (after the temporary file is written, before and after the
rename) and at random times during a bigger run leaves the previous output
byte-identical and usable, and the next run leaves no temporary file behind;
``validate`` and ``build`` never modify any file of the case, broken or not.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import free_port
from test_validate_cli import ARTICLE, PROBLEM_RE, QUOTE, article_body_start, edit, line_of, lines_with

from timeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SUMMARY_RE = re.compile(r"(?P<errors>\d+) error\(s\)")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LARGE_LIMIT = 5_000_000  # timeline.case.loader.MAX_ARTICLE_BYTES: a larger article is refused with its size


# ------------------------------------------------------------------ running the command


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float


def base_env(tmp_path: Path) -> dict[str, str]:
    """No proxy for 127.0.0.1, no credentials from the environment, outputs under tmp_path."""
    return {"TIMELINE_OUT": str(tmp_path / "default-out"), "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost", "NETRC": os.devnull, "TIMELINE_DEBUG": ""}


def in_process(args: list[str], env: dict[str, str]) -> Outcome:
    env = {**env, "TIMELINE_ENDPOINT_USER": None, "TIMELINE_ENDPOINT_PASSWORD": None, "TIMELINE_DEBUG": None}
    started = time.monotonic()
    result = CliRunner().invoke(cli, args, env=env)
    seconds = time.monotonic() - started
    # anything but SystemExit escaping the command is a bug that a user would see as a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return Outcome(result.exit_code, result.stdout, result.stderr, seconds)


def as_process(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> Outcome:
    full = {k: v for k, v in os.environ.items()
            if k not in ("TIMELINE_ENDPOINT_USER", "TIMELINE_ENDPOINT_PASSWORD", "TIMELINE_DEBUG")}
    full.update({k: v for k, v in env.items() if v})
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "timeline", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=timeout)
    return Outcome(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


# ------------------------------------------------------------------ the matrix


@dataclass
class Bad:
    """A bad input: the command to run and what its error must say."""

    args: list[str]
    names: str | tuple[Path, int | None]  # the argument/URL/path in the error line, or (file, line) of a problem
    fragments: tuple[str, ...] = ()
    problems: int | None = 1  # case problems: how many error lines (None: one per problem, at least one)
    usage: bool = False  # a Click usage error (exit 2)
    env: dict[str, str] = field(default_factory=dict)
    seconds: float = 30.0  # it must answer within this
    case: Path | None = None  # for case items: validate it in-process, build it in a subprocess
    untouched: list[Path] = field(default_factory=list)  # files that must not change or appear
    problems_in: Path | None = None  # for commands that list problems like a case (import): where they are


@dataclass
class Ctx:
    tmp: Path
    case: Path  # a private copy of the sample case
    graph: Path  # the sample's built graph (read-only)
    blackhole_port: int = 0  # a port on 127.0.0.1 that never answers


MATRIX: dict[str, Callable[[Ctx], Bad]] = {}


def item(name: str):
    def register(fn: Callable[[Ctx], Bad]) -> Callable[[Ctx], Bad]:
        assert name not in MATRIX, name
        MATRIX[name] = fn
        return fn
    return register


def case_item(ctx: Ctx, path: Path, line: int | None, *fragments: str, problems: int | None = 1) -> Bad:
    return Bad([], (path, line), fragments, problems=problems, case=ctx.case)


# --- records: YAML, schema, identifiers, references, dates, quotes


@item("malformed-yaml")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "entities.yaml"
    text = edit(path, "aliases: [Amazon.com Inc., Amazon.com]", "aliases: [Amazon.com Inc., Amazon.com")
    return case_item(ctx, path, line_of(text, "aliases: [Amazon.com Inc., Amazon.com\n"), "invalid YAML")


@item("malformed-yaml-tab-indent")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "entities.yaml"
    text = edit(path, "  label: Amazon\n", "\tlabel: Amazon\n")
    # our own words (not the YAML library's), on the line that holds the tab
    return case_item(ctx, path, line_of(text, "\tlabel: Amazon"), "invalid YAML", "indented with a tab")


@item("yaml-list-as-key")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "entities.yaml"
    text = edit(path, "  label: Amazon\n", "  label: Amazon\n  ? [a, b]\n  : 1\n")
    return case_item(ctx, path, line_of(text, "? [a, b]"), "invalid YAML", "key")


@item("yaml-nested-too-deep")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "entities.yaml"
    text = edit(path, "  label: Amazon\n", "  label: Amazon\n  note: " + "[" * 5000 + "]" * 5000 + "\n")
    # One error on the line, whatever words the YAML library uses for its own nesting limit.
    return case_item(ctx, path, line_of(text, "  note: [[["), "invalid YAML")


@item("yaml-alias-bomb")
def _(ctx: Ctx) -> Bad:
    # 9**9 strings if expanded: an error message that printed the value would never finish
    levels = ["&a0 [" + ", ".join(["lol"] * 9) + "]"]
    levels += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = ctx.case / "entities.yaml"
    text = edit(path, "  wikidata: Q3884\n", f"  wikidata: [{', '.join(levels)}]\n")
    bad = case_item(ctx, path, line_of(text, "  wikidata: [&a0"), "'wikidata'", "Wikidata item id")
    bad.seconds = 10
    return bad


@item("wrong-type")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "entities.yaml"
    text = edit(path, "  label: Amazon\n", "  label: [Amazon, AMZN]\n")
    return case_item(ctx, path, line_of(text, "label: [Amazon, AMZN]"), "field 'label'", "must be text",
                     "a list")


@item("wrong-type-list")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, "  participants:\n    - {entity: georgetown-university, role: author}\n"
                      "    - {entity: facial-recognition, role: subject}\n", '  participants: "amazon"\n')
    return case_item(ctx, path, line_of(text, 'participants: "amazon"'), "'participants'", "list")


@item("missing-required-field")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, "  label: Georgetown researchers study police face recognition\n", "")
    return case_item(ctx, path, line_of(text, "- id: georgetown-study-2016\n"), "georgetown-study-2016",
                     "missing required field 'label'")


@item("unknown-field")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, '  date: "2016"\n', '  dat: "2016"\n')
    return case_item(ctx, path, line_of(text, 'dat: "2016"'), "unknown field 'dat'", "did you mean 'date'")


@item("unknown-id")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, "{entity: georgetown-university, role: author}", "{entity: georgetwon-university, role: author}")
    return case_item(ctx, path, line_of(text, "georgetwon-university"), "'georgetwon-university'",
                     "did you mean 'georgetown-university'")


@item("duplicate-id")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: amazon\n")
    text += "\n" + text[start:text.index("\n\n", start) + 1]
    path.write_text(text, encoding="utf-8")
    first, second = [n for n, line in enumerate(text.splitlines(), 1) if line == "- id: amazon"]
    return case_item(ctx, path, second, "duplicate id 'amazon'", f"entities.yaml:{first}")


@item("entity-of-the-wrong-kind")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, "  place: orlando\n", "  place: amazon\n")
    return case_item(ctx, path, line_of(text, "place: amazon"), "'amazon' is a company, not a place")


@item("invalid-edtf")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, '  date: "2016"\n', '  date: "2018-13"\n')
    return case_item(ctx, path, line_of(text, 'date: "2018-13"'), "'2018-13'", "month 13")


@item("end-before-start")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, '  date: "2016"\n', '  date: "2016-06-12/2016-06-11"\n')
    return case_item(ctx, path, line_of(text, 'date: "2016-06-12/2016-06-11"'), "ends before it starts")


@item("date-far-in-the-future")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, '  date: "2016"\n', '  date: "2999-06"\n')
    return case_item(ctx, path, line_of(text, 'date: "2999-06"'), "georgetown-study-2016", "2999-06", "future")


@item("quote-not-in-its-article")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "events.yaml"
    text = edit(path, f'quote: "{QUOTE}"', f'quote: "{QUOTE.replace("some", "many")}"')
    return case_item(ctx, path, line_of(text, "classified many black"), "quote not found in bloomberg-2018-10-23",
                     "closest passage (", f"alike): {QUOTE!r}")


@item("empty-record")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "entities.yaml"
    text = path.read_text(encoding="utf-8") + "\n-\n"
    path.write_text(text, encoding="utf-8")
    return case_item(ctx, path, len(text.splitlines()), "is empty")


@item("empty-case-yaml")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / "case.yaml"
    path.write_text("# nothing here yet\n", encoding="utf-8")
    return case_item(ctx, path, 1, "case.yaml is empty", "id and title")


# --- articles


@item("article-file-missing")
def _(ctx: Ctx) -> Bad:
    (ctx.case / ARTICLE).unlink()
    # one error per citation of the missing article, each at its quote's line
    events = ctx.case / "events.yaml"
    text = events.read_text(encoding="utf-8")
    first = lines_with(text, "source: techrepublic-2018-05")[0] + 1  # the line of its quote
    return case_item(ctx, events, first, "unknown source 'techrepublic-2018-05'",
                     "no articles/techrepublic-2018-05.md", problems=None)


@item("article-empty")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / ARTICLE
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:article_body_start(text)] + "\n  \n", encoding="utf-8")
    return case_item(ctx, path, None, "article text is empty")


@item("article-zero-bytes")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / ARTICLE
    path.write_bytes(b"")
    return case_item(ctx, path, 1, "front matter")


@item("article-front-matter-empty")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / ARTICLE
    text = path.read_text(encoding="utf-8")
    path.write_text("---\n# to do\n---\n" + text[article_body_start(text):], encoding="utf-8")
    return case_item(ctx, path, 1, "front matter is empty")


@item("article-binary")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / ARTICLE
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    return case_item(ctx, path, None, "binary")


@item("article-not-utf8")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / ARTICLE
    text = path.read_text(encoding="utf-8")
    start = article_body_start(text)
    path.write_bytes(text[:start].encode("utf-8") + text[start:].encode("cp1252"))
    return case_item(ctx, path, lines_with(text, "’")[0], "not valid UTF-8", "0x92", "Windows-1252")


@item("article-utf16")
def _(ctx: Ctx) -> Bad:
    path = ctx.case / ARTICLE
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return case_item(ctx, path, None, "UTF-16")


@item("article-very-large")
def _(ctx: Ctx) -> Bad:
    # 50 MB: refused at once with its size (before it is read), not parsed for minutes
    path = ctx.case / ARTICLE
    text = path.read_bytes()
    with path.open("wb") as handle:
        handle.write(text)
        handle.write((b"lorem ipsum dolor sit amet " * 40 + b"\n") * 48_600)
    assert path.stat().st_size > 50_000_000
    bad = case_item(ctx, path, None, f"{path.stat().st_size:,} bytes", f"limit is {LARGE_LIMIT:,}")
    bad.seconds = 10
    return bad


@item("article-large-with-a-wrong-quote")
def _(ctx: Ctx) -> Bad:
    # just under the size limit: it is checked, and the closest passage of a wrong quote is found in seconds
    large_article(ctx.case / ARTICLE)
    path = ctx.case / "events.yaml"
    text = edit(path, "in Orlando for their deployment", "in Orlando for their deploymant")
    bad = case_item(ctx, path, line_of(text, "for their deploymant"), "quote not found in techrepublic-2018-05",
                    "closest passage (99% alike)", "for their deployment")
    bad.seconds = 20
    return bad


@item("article-large-with-a-wrong-long-quote")
def _(ctx: Ctx) -> Bad:
    # a whole paragraph quoted with one word changed, against a text of megabytes: seconds, not minutes
    article = ctx.case / ARTICLE
    large_article(article)
    body = article.read_text(encoding="utf-8")
    body = body[article_body_start(body):]
    start = body.index(" ", 200_000) + 1
    paragraph = " ".join(body[start:start + 3000].split()[:-1])
    wrong = paragraph.replace(" Amazon ", " Amazin ", 1)
    assert wrong != paragraph
    path = ctx.case / "events.yaml"
    old = '"Amazon also lists the City of Orlando Police Department as a customer"'
    text = edit(path, old, json.dumps(wrong))
    bad = case_item(ctx, path, line_of(text, json.dumps(wrong)), "quote not found in techrepublic-2018-05",
                    "closest passage (99% alike)")
    bad.seconds = 20
    return bad


# --- case paths


@item("empty-case-directory")
def _(ctx: Ctx) -> Bad:
    empty = ctx.tmp / "empty-case"
    empty.mkdir()
    bad = case_item(ctx, empty / "case.yaml", None, "missing case.yaml")
    bad.case = empty
    return bad


@item("case-path-does-not-exist")
def _(ctx: Ctx) -> Bad:
    missing = ctx.tmp / "no-such-case"
    bad = case_item(ctx, missing, None, "does not exist")
    bad.case = missing
    return bad


# --- queries


@item("sparql-syntax-error")
def _(ctx: Ctx) -> Bad:
    path = ctx.tmp / "bad.rq"
    # pyoxigraph reports where its parser gave up, which for some errors is the end of the query; an
    # unknown prefix it reports on its own line
    path.write_text("SELECT ?e WHERE {\n  ?e a tl:Event .\n  ?e nope:label ?l .\n}\n", encoding="utf-8")
    return Bad(["query", "--graph", str(ctx.graph), "-f", str(path)], f"{path}:3:",
               ("SPARQL syntax error", "unknown prefix"))


@item("sparql-syntax-error-inline")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--graph", str(ctx.graph), "SELECT * WHERE { ?s ?p }"], "query:1:",
               ("SPARQL syntax error",))


@item("update-without-allow-update")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--graph", str(ctx.graph), "DELETE WHERE { ?s ?p ?o }"], "--allow-update",
               ("SPARQL UPDATE", "read-only"), untouched=[ctx.graph])


@item("unknown-saved-query")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--graph", str(ctx.graph), "who-met-who"], "'who-met-who'",
               ("unknown saved query", "did you mean 'who-met-whom'"))


@item("missing-param")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--graph", str(ctx.graph), "actor-timeline"], "--param actor=", ("missing",))


@item("param-badly-typed-integer")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--graph", str(ctx.graph), "co-participation", "-p", "min=lots"], "--param min=lots",
               ("not an integer",))


@item("param-badly-typed-date")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--graph", str(ctx.graph), "events-in-window", "-p", "from=2018-13", "-p", "to=2019"],
               "--param from=2018-13", ("not a date", "month 13"))


@item("param-without-a-value")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--graph", str(ctx.graph), "actor-timeline", "-p", "actor"], "actor",
               ("expected NAME=VALUE",))


@item("param-injecting-sparql-into-an-entity")
def _(ctx: Ctx) -> Bad:
    hostile = 'ice> } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER("'
    return Bad(["query", "--graph", str(ctx.graph), "actor-timeline", "-p", f"actor={hostile}"],
               "--param actor=", ("no entity",), untouched=[ctx.graph])


@item("param-injecting-sparql-into-an-iri")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--graph", str(ctx.graph), "SELECT ?v WHERE { BIND (?p AS ?v) }",
                "-p", "p=<urn:a> } ; DROP ALL ; <urn:b>"], "--param p:", ("not a valid IRI",),
               untouched=[ctx.graph])


@item("query-output-without-view")
def _(ctx: Ctx) -> Bad:
    out = ctx.tmp / "result.csv"
    return Bad(["query", "--graph", str(ctx.graph), "who-met-whom", "-o", str(out)], "-o", ("--view",),
               usage=True, untouched=[out])


@item("graph-not-built")
def _(ctx: Ctx) -> Bad:
    missing = ctx.tmp / "nothing" / "graph.nq"
    return Bad(["query", "--graph", str(missing), "who-met-whom"], str(missing), ("timeline build",))


@item("import-csv-without-a-case")
def _(ctx: Ctx) -> Bad:
    return Bad(["import", str(import_rows(ctx))], "--case", ("CSV import needs",))


@item("import-file-missing")
def _(ctx: Ctx) -> Bad:
    missing = ctx.tmp / "missing.csv"
    return Bad(["import", str(missing), "--case", str(ctx.case)], str(missing), ("no such file",),
               untouched=[ctx.case])


@item("import-rdf-syntax-error")
def _(ctx: Ctx) -> Bad:
    broken = ctx.tmp / "broken.ttl"
    broken.write_text("@prefix tl: <https://w3id.org/timeline/ns#> .\n<urn:a> tl:edtf ;;; .\n", encoding="utf-8")
    out = ctx.tmp / "imported.nq"
    return Bad(["import", str(broken), "-o", str(out)], (broken, 2), ("not valid Turtle",), untouched=[out],
               problems_in=broken)


@item("import-csv-quote-not-in-its-article")
def _(ctx: Ctx) -> Bad:
    rows = import_rows(ctx)
    rows.write_text(rows.read_text(encoding="utf-8").replace("photo-tagging", "photo tagging"), encoding="utf-8")
    out = ctx.tmp / "imported.nq"
    return Bad(["import", "-q", str(rows), "--case", str(ctx.case), "-o", str(out)], (rows, 2),
               ("quote not found in bloomberg-2018-10-23; closest passage",), untouched=[out, ctx.case],
               problems_in=rows)


# --- unwritable outputs: under a regular file (works as root too), an existing directory, a read-only directory

OUTPUT_COMMANDS: dict[str, Callable[[Ctx, Path], list[str]]] = {
    "build": lambda ctx, out: ["build", "-q", "--no-shacl", str(ctx.case), "-o", str(out)],
    "render-timeline": lambda ctx, out: ["render", "timeline", "--graph", str(ctx.graph), "-o", str(out)],
    "render-graph": lambda ctx, out: ["render", "graph", "--graph", str(ctx.graph), "-o", str(out)],
    "export": lambda ctx, out: ["export", "--graph", str(ctx.graph), "--format", "trig", "-o", str(out)],
    "export-csv": lambda ctx, out: ["export", "--graph", str(ctx.graph), "--format", "csv", "-o", str(out)],
    "query-view": lambda ctx, out: ["query", "--graph", str(ctx.graph), "actor-timeline", "-p", "actor=ice",
                                    "--view", "timeline", "-o", str(out)],
    "import-csv": lambda ctx, out: ["import", "-q", str(import_rows(ctx)), "--case", str(ctx.case), "-o", str(out)],
    "import-rdf": lambda ctx, out: ["import", "-q", str(ctx.graph), "-o", str(out)],
}


def import_rows(ctx: Ctx) -> Path:
    """A valid events CSV for the sample case (one new event citing a sentence of an article)."""
    rows = ctx.tmp / "new-events.csv"
    article = "bloomberg-2018-10-23"  # the article QUOTE is from
    rows.write_text("id,type,label,description,edtf,date_basis,actors,source,quote\n"
                    f'imported-2015,incident,An imported event,Imported from CSV.,2015,stated,google:subject,'
                    f'{article},"{QUOTE}"\n', encoding="utf-8")
    return rows


def _inputs(command: str, ctx: Ctx) -> list[Path]:
    """What a refused command must leave as it was besides its output: an import must not touch the case."""
    return [ctx.case] if command == "import-csv" else []


def _under_a_file(command: str) -> Callable[[Ctx], Bad]:
    def make(ctx: Ctx) -> Bad:
        blocker = ctx.tmp / "notes.txt"
        blocker.write_text("not a directory\n", encoding="utf-8")
        out = blocker / "sub" / "out.file"
        shown = str(blocker / "sub") if command == "export-csv" else str(out)
        return Bad(OUTPUT_COMMANDS[command](ctx, out), shown, ("cannot write", f"{blocker} is a file"),
                   untouched=[blocker, *_inputs(command, ctx)])
    return make


def _is_a_directory(command: str) -> Callable[[Ctx], Bad]:
    def make(ctx: Ctx) -> Bad:
        out = ctx.tmp / "a-directory"
        out.mkdir()
        (out / "keep.txt").write_text("mine", encoding="utf-8")
        return Bad(OUTPUT_COMMANDS[command](ctx, out), str(out), ("is a directory",),
                   untouched=[out / "keep.txt", *_inputs(command, ctx)])
    return make


def _read_only(command: str) -> Callable[[Ctx], Bad]:
    def make(ctx: Ctx) -> Bad:
        if IS_ROOT:
            pytest.skip("root ignores directory permissions")
        locked = ctx.tmp / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        out = locked / "out.file"
        return Bad(OUTPUT_COMMANDS[command](ctx, out), str(locked), ("cannot write", "ermission denied"),
                   untouched=_inputs(command, ctx))
    return make


for _command in OUTPUT_COMMANDS:
    item(f"unwritable-output-under-a-file-{_command}")(_under_a_file(_command))
    if _command != "export-csv":  # the csv export writes <stem>-events.csv beside a directory named like -o
        item(f"unwritable-output-is-a-directory-{_command}")(_is_a_directory(_command))
    item(f"unwritable-output-read-only-directory-{_command}")(_read_only(_command))


# --- unreachable endpoints


@contextlib.contextmanager
def blackhole() -> Iterator[int]:
    """A port on 127.0.0.1 that never answers: it listens, its backlog is full and it never accepts."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # fill the accept queue: later connections hang in the handshake (or are never answered)
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError, OSError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for s in [*fillers, listener]:
            s.close()


@item("endpoint-closed-port")
def _(ctx: Ctx) -> Bad:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    return Bad(["query", "--endpoint", url, "who-met-whom"], url, ("cannot connect", "connection refused"),
               seconds=5)


@item("endpoint-closed-port-push")
def _(ctx: Ctx) -> Bad:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    return Bad(["push", "--graph", str(ctx.graph), "--endpoint", url], "http://127.0.0.1:",
               ("cannot connect",), seconds=5)


@item("endpoint-blackholed")
def _(ctx: Ctx) -> Bad:
    url = f"http://127.0.0.1:{ctx.blackhole_port}/sparql"
    return Bad(["query", "--endpoint", url, "who-met-whom"], url, ("no answer within 1 s",),
               env={"TIMELINE_ENDPOINT_TIMEOUT": "1"}, seconds=5)


@item("endpoint-timeout-not-a-number")
def _(ctx: Ctx) -> Bad:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    return Bad(["query", "--endpoint", url, "who-met-whom"], "TIMELINE_ENDPOINT_TIMEOUT='soon'",
               ("number of seconds",), env={"TIMELINE_ENDPOINT_TIMEOUT": "soon"}, seconds=5)


@item("endpoint-not-http")
def _(ctx: Ctx) -> Bad:
    return Bad(["query", "--endpoint", "ftp://127.0.0.1/sparql", "who-met-whom"], "ftp://127.0.0.1/sparql", ())


# ------------------------------------------------------------------ shared data


_LARGE_BODY: dict[str, str] = {}


def large_article(path: Path, size: int = LARGE_LIMIT - 100_000) -> None:
    """Grow an article's text to about ``size`` bytes with shuffled words (its sha256 updated); quotes still match."""
    text = path.read_text(encoding="utf-8")
    start = article_body_start(text)
    head, body = text[:start], text[start:]
    key = f"{path.name}:{size}"
    if key not in _LARGE_BODY:
        rng = random.Random(6)
        words = body.split()
        parts, total = [body], len(body.encode("utf-8"))
        while total < size - 20_000:
            rng.shuffle(words)
            paragraph = " ".join(words) + "\n\n"
            parts.append(paragraph)
            total += len(paragraph.encode("utf-8"))
        _LARGE_BODY[key] = "".join(parts)
    body = _LARGE_BODY[key]
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    head = re.sub(r"(?m)^sha256: [0-9a-f]{64}$", f"sha256: {digest}", head)
    path.write_text(head + body, encoding="utf-8")
    assert path.stat().st_size < LARGE_LIMIT


@pytest.fixture(scope="module")
def graph(sample_graph) -> Path:
    return sample_graph


@pytest.fixture(scope="module")
def blackhole_port():
    with blackhole() as port:
        yield port


def snapshot(*roots: Path) -> dict[str, tuple]:
    """Every file and directory under ``roots``: kind, size, SHA-256 of the contents, mtime."""
    found: dict[str, tuple] = {}
    for root in roots:
        if not root.exists():
            found[str(root)] = ("absent",)
            continue
        for p in [root, *sorted(root.rglob("*"))] if root.is_dir() else [root]:
            st = p.stat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
            found[str(p)] = ("dir" if p.is_dir() else "file", st.st_size, digest, st.st_mtime_ns, st.st_mode)
    return found


# ------------------------------------------------------------------ checking an outcome


def check_case_problems(outcome: Outcome, bad: Bad, cwd: Path) -> None:
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    problems, others = [], []
    for line in lines:
        m = PROBLEM_RE.match(line)
        if m and not line.startswith("timeline: "):
            assert m["level"] == "error", f"a warning is listed despite -q: {line}"
            problems.append(m)
        else:
            others.append(line)
    assert len(others) == 1, f"expected one summary line besides the problems:\n{outcome.stderr[:3000]}"
    summary = SUMMARY_RE.search(others[0])
    assert summary and int(summary["errors"]) == len(problems), others[0]
    assert problems, outcome.stderr
    if bad.problems is not None:
        assert len(problems) == bad.problems, "\n".join(m.group(0)[:300] for m in problems)
    path, line = bad.names
    root = (bad.case or bad.problems_in).resolve()
    for m in problems:  # every problem names a file that exists in (or is) the case, and a line when it has one
        assert (cwd / m["path"]).resolve().is_relative_to(root), m.group(0)
    matching = [m for m in problems if (cwd / m["path"]).resolve() == path.resolve()
                and all(f in m["message"] for f in bad.fragments)]
    assert matching, f"no error on {path} with {bad.fragments}:\n{outcome.stderr[:3000]}"
    if line is not None:
        assert line in [int(m["line"] or 0) for m in matching], \
            f"expected {path.name}:{line}, got {[m.group(0)[:200] for m in matching]}"


def check_one_line(outcome: Outcome, bad: Bad) -> None:
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    if bad.usage:
        headline = [line for line in lines if line.startswith("Error: ")]
        assert len(headline) == 1, outcome.stderr
        line = headline[0]
    else:
        assert len(lines) == 1, f"expected one error line:\n{outcome.stderr[:3000]}"
        line = lines[0]
        assert line.startswith("timeline: error: "), line
    assert bad.names in line, (bad.names, line)
    if "SPARQL syntax error" in bad.fragments:  # the line and the column
        assert re.search(r":\d+:\d+: SPARQL syntax error: ", line), line
    for fragment in bad.fragments:
        assert fragment in line, (fragment, line)


def check(outcome: Outcome, bad: Bad, cwd: Path) -> None:
    everything = outcome.stdout + outcome.stderr
    assert "Traceback" not in everything, everything[-3000:]
    assert "internal error" not in everything, everything[-3000:]
    assert outcome.code == (2 if bad.usage else 1), (outcome.code, everything[-3000:])
    assert outcome.seconds < bad.seconds, f"took {outcome.seconds:.1f} s"
    if bad.case is not None or bad.problems_in is not None:
        check_case_problems(outcome, bad, cwd)
    else:
        check_one_line(outcome, bad)


@pytest.mark.parametrize("runner", ["in-process", "subprocess"])
@pytest.mark.parametrize("name", list(MATRIX))
def test_bad_input(name, runner, tmp_path, case_copy, graph, blackhole_port) -> None:
    ctx = Ctx(tmp_path, case_copy, graph, blackhole_port)
    bad = MATRIX[name](ctx)
    env = {**base_env(tmp_path), **bad.env}
    args = bad.args
    built = tmp_path / "out" / "graph.nq"
    if bad.case is not None:  # validate in-process, build as a real command
        args = ["validate", "-q", str(bad.case)] if runner == "in-process" else \
            ["build", "-q", str(bad.case), "-o", str(built)]
    watched = [*bad.untouched, *([bad.case] if bad.case is not None else []), graph]
    before = snapshot(*watched)
    if runner == "in-process":
        outcome, cwd = in_process(args, env), Path.cwd()
    else:
        outcome, cwd = as_process(args, env, tmp_path, timeout=bad.seconds + 60), tmp_path
    check(outcome, bad, cwd)
    assert snapshot(*watched) == before  # nothing read was modified, nothing refused was written
    assert not built.exists() and not (tmp_path / "default-out").exists()
    leftovers = [p for p in tmp_path.rglob("*.tmp")] + [p for p in tmp_path.rglob(".*building-*")]
    assert not leftovers, leftovers


def test_the_matrix_covers_the_issue() -> None:
    """Every item named by issue 6 has at least one case here."""
    wanted = ["malformed-yaml", "wrong-type", "missing-required-field", "unknown-field", "unknown-id",
              "duplicate-id", "entity-of-the-wrong-kind", "invalid-edtf", "end-before-start",
              "date-far-in-the-future", "quote-not-in-its-article", "article-file-missing", "article-empty",
              "article-binary", "article-not-utf8", "article-very-large", "empty-case-directory",
              "case-path-does-not-exist", "sparql-syntax-error", "update-without-allow-update",
              "unknown-saved-query", "missing-param", "param-badly-typed-integer",
              "param-injecting-sparql-into-an-entity", "unwritable-output-under-a-file-build",
              "unwritable-output-under-a-file-render-timeline", "unwritable-output-under-a-file-export",
              "unwritable-output-under-a-file-query-view", "endpoint-closed-port", "endpoint-blackholed"]
    assert not [w for w in wanted if w not in MATRIX]


# ------------------------------------------------------------------ the inputs that must work


@pytest.mark.parametrize("runner", ["in-process", "subprocess"])
def test_an_injected_param_is_bound_and_inert(runner, graph, tmp_path) -> None:
    hostile = 'x" } } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } ; SELECT * WHERE { ?s ?p ?o . FILTER("'
    before = snapshot(graph)
    # the value is bound as a literal; the query text and its structure stay as written
    args = ["query", "--graph", str(graph), "--format", "tsv", "SELECT ?v WHERE { BIND (?p AS ?v) }",
            "-p", f"p={hostile}"]
    outcome = in_process(args, base_env(tmp_path)) if runner == "in-process" else \
        as_process(args, base_env(tmp_path), tmp_path)
    assert outcome.code == 0, outcome.stderr
    escaped = hostile.replace("\\", "\\\\").replace('"', '\\"')
    assert outcome.stdout.splitlines() == ["?v", f'"{escaped}"'], outcome.stdout
    count = in_process(["query", "--graph", str(graph), "--format", "csv",
                        "SELECT (COUNT(*) AS ?n) WHERE { <urn:a> ?p ?o }"], base_env(tmp_path))
    assert count.stdout.split() == ["n", "0"]
    assert snapshot(graph) == before


def test_a_large_article_within_the_limit_builds(case_copy, tmp_path) -> None:
    large_article(case_copy / ARTICLE)
    out = tmp_path / "graph.nq"
    outcome = as_process(["build", "-q", str(case_copy), "-o", str(out)], base_env(tmp_path), tmp_path)
    assert outcome.code == 0, outcome.stderr[-2000:]
    assert outcome.seconds < 30
    assert out.stat().st_size > LARGE_LIMIT  # the article's text is in its named graph


# ------------------------------------------------------------------ nothing lost: killed runs


KILLED = r"""
import os, signal, sys

where, target = sys.argv[1], os.path.abspath(sys.argv[2])
real_replace = os.replace


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def ours(path):
    return os.path.abspath(path) == target


if where == "before-sync":  # the temporary file is written but not yet synced or renamed
    def fsync(fd):
        die()
    os.fsync = fsync
elif where == "before-rename":  # written and synced; the rename never happens
    def replace(src, dst):
        if ours(dst):
            die()
        return real_replace(src, dst)
    os.replace = replace
elif where == "after-rename":  # renamed, but the directory not yet synced
    def replace(src, dst):
        real_replace(src, dst)
        if ours(dst):
            die()
    os.replace = replace
else:
    raise SystemExit(f"unknown kill point {where}")

from timeline.cli import main

sys.argv = ["timeline", *sys.argv[3:]]
main()
"""


@dataclass
class Output:
    """A command that writes ``target``, what was there before, and what it writes when left alone."""

    args: list[str]
    target: Path
    old: bytes
    new: bytes


def usable(kind: str, path: Path) -> None:
    """The file at ``path`` is a whole, working output of its kind."""
    data = path.read_bytes()
    if kind == "build":
        from timeline.query import saved_queries
        from timeline.stores import open_store

        store = open_store(path)
        q = saved_queries.find_saved("who-met-whom")
        assert store.query(q.text, saved_queries.bind(q, {}, store)).rows
    elif kind == "render":
        assert data.rstrip().endswith(b"</html>")
    else:
        import pyoxigraph as ox

        assert len(list(ox.parse(data, format=ox.RdfFormat.TRIG))) > 1000


def temporaries(directory: Path, name: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(f".{name}.") and p.name.endswith(".tmp"))


@pytest.fixture(scope="module")
def versions(tmp_path_factory, sample_case):
    """Two versions of the sample case (one label changed) and their graphs, and a bigger case (30x the events)."""
    root = tmp_path_factory.mktemp("versions")
    old_case, new_case, big_case = (root / version / "rekognition" for version in ("old", "new", "big"))
    for target in (old_case, new_case, big_case):
        shutil.copytree(sample_case, target)
    edit(new_case / "entities.yaml", "  label: Amazon\n", "  label: Amazon.com\n")
    events = big_case / "events.yaml"
    text = events.read_text(encoding="utf-8")
    events.write_text("\n".join([text, *(re.sub(r"(?m)^- id: (\S+)$", rf"- id: \1-copy{n}", text)
                                         for n in range(1, 30))]), encoding="utf-8")
    graphs = {}
    for name, case in (("old", old_case), ("new", new_case), ("big", big_case)):
        graphs[name] = root / f"{name}.nq"
        result = CliRunner().invoke(cli, ["build", "-q", "--no-shacl", str(case), "-o", str(graphs[name])])
        assert result.exit_code == 0, result.output
    return {"cases": {"old": old_case, "new": new_case, "big": big_case}, "graphs": graphs, "root": root}


def output_for(kind: str, versions, directory: Path, size: str = "small") -> Output:
    """The command of ``kind`` writing into ``directory`` (which holds the previous output), and both versions."""
    new_graph = versions["graphs"]["new" if size == "small" else "big"]
    if kind == "build":
        target = directory / "graph.nq"
        old = versions["graphs"]["old"].read_bytes()
        case = versions["cases"]["new" if size == "small" else "big"]
        args = ["build", "-q", "--no-shacl", str(case), "-o", str(target)]
        new = new_graph.read_bytes()
    elif kind == "render":
        target = directory / "timeline.html"
        old = in_process_bytes(["render", "timeline", "--graph", str(versions["graphs"]["old"]), "-o"], target)
        args = ["render", "timeline", "--graph", str(new_graph), "-o", str(target)]
        new = in_process_bytes(args[:-1], target)
    else:
        target = directory / "data.trig"
        old = in_process_bytes(["export", "--graph", str(versions["graphs"]["old"]), "--format", "trig", "-o"],
                               target)
        args = ["export", "--graph", str(new_graph), "--format", "trig", "-o", str(target)]
        new = in_process_bytes(args[:-1], target)
    assert old != new
    target.write_bytes(old)
    return Output(args, target, old, new)


def in_process_bytes(args: list[str], target: Path) -> bytes:
    """What ``timeline ARGS TARGET`` writes (run beside ``target``, which is left as it was)."""
    scratch = target.with_name(f"scratch-{target.name}")
    result = CliRunner().invoke(cli, [*args, str(scratch)])
    assert result.exit_code == 0, result.output
    data = scratch.read_bytes()
    scratch.unlink()
    return data


def process_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("where", ["before-sync", "before-rename", "after-rename"])
@pytest.mark.parametrize("kind", ["build", "render", "export"])
def test_a_run_killed_at_the_worst_moment_loses_nothing(kind, where, versions, tmp_path) -> None:
    out = output_for(kind, versions, tmp_path)
    killed = subprocess.run([sys.executable, "-c", KILLED, where, str(out.target), *out.args], cwd=tmp_path,
                            env=process_env(), capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    left = temporaries(tmp_path, out.target.name)
    if where == "after-rename":
        assert out.target.read_bytes() == out.new  # the new output is complete the moment it has its name
        assert left == []
    else:
        assert out.target.read_bytes() == out.old  # byte-identical ...
        assert len(left) == 1, left  # the crash left its work behind
    usable(kind, out.target)  # ... and usable
    # the next run succeeds and tidies up what the killed one left
    again = as_process(out.args, {}, tmp_path)
    assert again.code == 0, again.stderr
    assert out.target.read_bytes() == out.new
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.target.name]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("kind", ["build", "render", "export"])
def test_a_bigger_run_killed_at_random_times_loses_nothing(kind, versions, tmp_path) -> None:
    out = output_for(kind, versions, tmp_path, size="big")
    started = time.monotonic()
    full = as_process(out.args, {}, tmp_path)
    duration = time.monotonic() - started
    assert full.code == 0 and out.target.read_bytes() == out.new, full.stderr
    rng = random.Random(f"issue-6-{kind}")
    kills = 3 if kind == "build" else 2
    for moment in sorted(rng.uniform(0.15, 0.95) * duration for _ in range(kills)):
        out.target.write_bytes(out.old)
        process = subprocess.Popen([sys.executable, "-m", "timeline", *out.args], cwd=tmp_path, env=process_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        data = out.target.read_bytes()
        assert data in (out.old, out.new), f"killed after {moment:.2f} s: the output is neither version"
        usable(kind, out.target)
        # Besides the output, only temporaries: its own, and for a build those of the query store kept beside it.
        names = {p.name for p in tmp_path.iterdir()} - {out.target.name, "graph.oxigraph"}
        assert all(re.fullmatch(rf"\.{re.escape(out.target.name)}\.\d+-\w+\.tmp", n)
                   or re.fullmatch(r"\.graph\.oxigraph\.(building|previous)-\d+-\w+", n) for n in names), names
    again = as_process(out.args, {}, tmp_path)
    assert again.code == 0, again.stderr
    assert out.target.read_bytes() == out.new
    kept = ["graph.oxigraph"] if kind == "build" else []  # the big graph's query store (timeline.stores.kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.target.name, *kept])


# ------------------------------------------------------------------ nothing lost: the case is never modified


def break_everything(case: Path) -> None:
    """A case with broken YAML, a non-UTF-8 article and a wrong quote."""
    edit(case / "entities.yaml", "aliases: [Amazon.com Inc., Amazon.com]", "aliases: [Amazon.com Inc., Amazon.com")
    article = case / ARTICLE
    text = article.read_text(encoding="utf-8")
    start = article_body_start(text)
    article.write_bytes(text[:start].encode("utf-8") + text[start:].encode("cp1252"))
    edit(case / "events.yaml", f'quote: "{QUOTE}"', f'quote: "{QUOTE.replace("some", "many")}"')


@pytest.mark.parametrize("broken", [False, True], ids=["sound", "broken"])
@pytest.mark.parametrize("command", ["validate", "build", "build-default-output"])
def test_validate_and_build_never_modify_the_case(command, broken, case_copy, tmp_path) -> None:
    if broken:
        break_everything(case_copy)
    # an old mtime, so a rewrite with the same bytes would still show
    for p in case_copy.rglob("*"):
        os.utime(p, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))
    os.utime(case_copy, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))
    before = snapshot(case_copy)
    args = {"validate": ["validate", str(case_copy)],
            "build": ["build", str(case_copy), "-o", str(tmp_path / "out" / "graph.nq")],
            "build-default-output": ["build", str(case_copy)]}[command]
    outcome = as_process(args, base_env(tmp_path), case_copy)  # run from inside the case, too
    assert outcome.code == (1 if broken else 0), outcome.stderr[-2000:]
    assert snapshot(case_copy) == before
    if command == "build-default-output" and not broken:
        assert (tmp_path / "default-out" / case_copy.name / "graph.nq").is_file()


def test_read_commands_never_modify_the_graph(graph, tmp_path) -> None:
    before = snapshot(graph.parent)
    env = base_env(tmp_path)
    for args in (["query", "--graph", str(graph), "who-met-whom"],
                 ["query", "--graph", str(graph), "actor-timeline", "-p", "actor=ice", "--view", "graph",
                  "-o", str(tmp_path / "v.html")],
                 ["render", "timeline", "--graph", str(graph), "-o", str(tmp_path / "t.html")],
                 ["export", "--graph", str(graph), "--format", "jsonld", "-o", str(tmp_path / "x.jsonld")],
                 ["entity", "ice", "--graph", str(graph)], ["stats", "--graph", str(graph)],
                 ["path", "ACLU", "ICE", "--graph", str(graph)]):
        outcome = in_process(args, env)
        assert outcome.code == 0, (args, outcome.stderr)
    assert snapshot(graph.parent) == before
