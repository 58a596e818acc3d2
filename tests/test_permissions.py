"""Every file timeline writes gets the permissions the user's umask gives a new file (0644 under 0022).

A teacher copies a page to a web server: a 0600 file (what ``mkstemp`` makes) is refused there. Each writer is
run as a user runs it, under two umasks, over stale 0600 outputs (as earlier versions left them), and every file
and directory it writes is checked with ``stat``.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.cli import cli

UMASKS = (0o022, 0o027)
EXPORTS = ("turtle", "trig", "nquads", "jsonld", "graphml", "gexf", "timelinejs")


@pytest.fixture(params=UMASKS, ids=lambda m: f"umask{m:04o}")
def umask(request):
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def invoke(*args: str) -> None:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def stale(*paths: Path) -> None:
    """Outputs left by an earlier version: private files the run must replace."""
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"old\n")
        path.chmod(0o600)


# Each writer: (tmp_path, sample graph, sample case) -> (files written, directories written).
Written = tuple[list[Path], list[Path]]


def build(tmp: Path, graph: Path, case: Path) -> Written:
    out = tmp / "out"
    files = [out / "graph.nq", out / "timeline.html", out / "graph.html"]
    stale(*files)
    store = tmp / "store"
    store.mkdir(mode=0o700)  # an empty directory is accepted, and replaced
    invoke("build", case, "-o", out / "graph.nq", "-q", "--no-shacl", "--pages", "--store", store)
    return files, [store]


def build_store_twice(tmp: Path, graph: Path, case: Path) -> Written:
    """The second build swaps a new store in for the first."""
    for _ in range(2):
        invoke("build", case, "-o", tmp / "graph.nq", "-q", "--no-shacl", "--store", tmp / "store")
    return [tmp / "graph.nq"], [tmp / "store"]


def import_rdf(tmp: Path, graph: Path, case: Path) -> Written:
    out = tmp / "imported" / "graph.nq"
    stale(out)
    invoke("import", graph, "-o", out, "--no-shacl", "-q", "--store", tmp / "store")
    return [out], [tmp / "imported", tmp / "store"]


def import_csv(tmp: Path, graph: Path, case: Path) -> Written:
    copy = tmp / "case"
    shutil.copytree(case, copy)
    rows = tmp / "new.csv"
    rows.write_text("id,type,label\nacme-test,company,Acme Test Corp\n", encoding="utf-8")
    out = tmp / "out" / "graph.nq"
    stale(out)
    invoke("import", rows, "--case", copy, "-o", out, "--no-shacl", "-q")
    return [out, copy / "entities.csv"], []


def render(kind: str) -> Callable[[Path, Path, Path], Written]:
    def run(tmp: Path, graph: Path, case: Path) -> Written:
        out = tmp / "pages" / f"{kind}.html"
        stale(out)
        invoke("render", kind, "--graph", graph, "-o", out)
        return [out], [out.parent]
    return run


def query_view(kind: str) -> Callable[[Path, Path, Path], Written]:
    def run(tmp: Path, graph: Path, case: Path) -> Written:
        out = tmp / "new-dir" / "result.html"  # a directory made on the way gets the umask's mode too
        invoke("query", "actor-timeline", "-p", "actor=ICE", "--graph", graph, "--view", kind, "-o", out)
        return [out], [out.parent]
    return run


def export(fmt: str) -> Callable[[Path, Path, Path], Written]:
    def run(tmp: Path, graph: Path, case: Path) -> Written:
        out = tmp / f"case.{fmt}"
        stale(out)
        invoke("export", "--graph", graph, "--format", fmt, "-o", out)
        return [out], []
    return run


def export_csv(tmp: Path, graph: Path, case: Path) -> Written:
    files = [tmp / "case-events.csv", tmp / "case-entities.csv"]
    stale(*files)
    invoke("export", "--graph", graph, "--format", "csv", "-o", tmp / "case.csv")
    return files, []


UPDATE = 'INSERT DATA { GRAPH <urn:test:g> { <urn:test:s> <urn:test:p> "o" } }'


def update_graph(tmp: Path, graph: Path, case: Path) -> Written:
    copy = tmp / "graph.nq"
    shutil.copyfile(graph, copy)
    copy.chmod(0o600)
    invoke("query", "--graph", copy, "--allow-update", UPDATE)
    return [copy], []


def update_store(tmp: Path, graph: Path, case: Path) -> Written:
    from timeline.stores import build_disk_store

    build_disk_store(graph, tmp / "store")
    invoke("query", "--store", tmp / "store", "--allow-update", UPDATE)
    return [], [tmp / "store"]


WRITERS = {
    "build --pages --store": build,
    "build --store, twice": build_store_twice,
    "import rdf --store": import_rdf,
    "import csv": import_csv,
    "render timeline": render("timeline"),
    "render graph": render("graph"),
    "query --view timeline": query_view("timeline"),
    "query --view graph": query_view("graph"),
    **{f"export {fmt}": export(fmt) for fmt in EXPORTS},
    "export csv": export_csv,
    "query --allow-update --graph": update_graph,
    "query --allow-update --store": update_store,
}


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_outputs_get_the_permissions_of_a_new_file(writer, umask, tmp_path, sample_graph, sample_case) -> None:
    work = tmp_path / "work"
    work.mkdir()
    files, directories = writer(work, sample_graph, sample_case)
    for directory in list(directories):  # a store: the directory and every file Oxigraph and we put in it
        for inner in directory.rglob("*"):
            (directories if inner.is_dir() else files).append(inner)
    assert files
    wrong = {str(p.relative_to(work)): mode(p) for p in directories if mode(p) != oct(0o777 & ~umask)}
    assert wrong == {}, f"expected {oct(0o777 & ~umask)}"
    wrong = {str(p.relative_to(work)): mode(p) for p in files if mode(p) != oct(0o666 & ~umask)}
    assert wrong == {}, f"expected {oct(0o666 & ~umask)}"
    assert not [p.name for p in work.rglob("*.tmp")], "no temporary files left"
    assert not [p.name for p in work.iterdir() if ".building-" in p.name or ".previous-" in p.name]


def test_a_users_own_files_keep_their_permissions(case_copy, tmp_path) -> None:
    """The case's CSV (rewritten by `import`) and an article (by `validate --fix-hashes`) are the user's files:
    rewritten, they keep a mode the user chose, as an editor keeps it, where an output takes the umask's."""
    old = os.umask(0o022)
    try:
        entities = case_copy / "entities.csv"
        entities.write_text("id,type,label\nacme-test,company,Acme Test Corp\n", encoding="utf-8")
        article = case_copy / "articles" / "mashable-2018-10-23.md"
        text = article.read_text(encoding="utf-8")
        for path in (entities, article):
            path.chmod(0o640)
        rows = tmp_path / "new.csv"
        rows.write_text("id,type,label\nbeta-test,company,Beta Test Corp\n", encoding="utf-8")
        invoke("import", rows, "--case", case_copy, "-o", tmp_path / "out" / "graph.nq", "--no-shacl", "-q")
        article.write_text(re.sub(r"(?m)^sha256: .*$", "sha256: " + "ab" * 32, text), encoding="utf-8")
        invoke("validate", case_copy, "--fix-hashes", "--no-shacl", "-q")
    finally:
        os.umask(old)
    assert "beta-test" in entities.read_text(encoding="utf-8")
    assert article.read_text(encoding="utf-8") == text
    assert {p.name: mode(p) for p in (entities, article)} == {entities.name: "0o640", article.name: "0o640"}
    assert mode(tmp_path / "out" / "graph.nq") == "0o644"
