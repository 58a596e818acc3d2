"""The query store kept beside a big graph.nq: made by build or the first read, used by every read command,
never used once it is not the store of that very file, and never needed for an answer."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline import resources
from timeline.cli import cli
from timeline.stores import OxigraphStore, is_store_dir, kept_store_path, store_is_current
from timeline.stores.kept import MIN_BYTES_ENV

ROOT = Path(__file__).resolve().parents[1]
ALWAYS = {MIN_BYTES_ENV: "0"}  # the sample is below the size that gets a store: these tests give it one
NEVER = {MIN_BYTES_ENV: str(1 << 60)}
QUERY = ["query", "actor-timeline", "-p", "actor=ICE", "--format", "csv"]


def run(args: list[str], env: dict[str, str]) -> object:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    return result


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def graph(tmp_path: Path, sample_graph: Path) -> Path:
    """A private copy of the built sample, with no store beside it yet."""
    target = tmp_path / "out" / "graph.nq"
    target.parent.mkdir()
    shutil.copyfile(sample_graph, target)
    return target


@pytest.fixture
def no_parsing(monkeypatch):
    """Any read of a graph into memory fails the test: the answer must come from the store on disk."""
    def refuse(*args, **kwargs):
        raise AssertionError("graph.nq was parsed into memory")
    monkeypatch.setattr(OxigraphStore, "load", classmethod(refuse))


def test_build_leaves_a_current_store_and_the_same_graph(tmp_path: Path, sample_graph: Path) -> None:
    out = tmp_path / "out" / "graph.nq"
    result = run(["build", str(resources.sample_case_dir()), "-o", str(out), "-q"], ALWAYS)
    store = kept_store_path(out)
    assert store == out.parent / "graph.oxigraph" and is_store_dir(store)
    assert store_is_current(out)
    assert f"kept {store}" in result.stdout
    assert sha(out) == sha(sample_graph)  # the portable artifact is byte-identical with or without a store


def test_the_sample_is_read_in_memory_and_its_outputs_are_unchanged(tmp_path: Path, sample_graph: Path) -> None:
    (tmp_path / "sources").symlink_to(resources.sample_case_dir().parent)
    done = subprocess.run([sys.executable, "-m", "timeline.cli", "build", "--pages", "-q"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out" / "rekognition"
    assert sorted(p.name for p in out.iterdir()) == ["graph.html", "graph.nq", "story.html", "timeline.html"]
    assert "kept" not in done.stdout
    assert sha(out / "graph.nq") == sha(sample_graph)


READ_COMMANDS = {
    "query": QUERY,
    "entity": ["entity", "ICE", "--format", "json"],
    "path": ["path", "ICE", "Orlando Police", "--format", "json"],
    "stats": ["stats", "--format", "json"],
    "render timeline": ["render", "timeline", "-o", "{out}/page.html"],
    "render graph": ["render", "graph", "-o", "{out}/page.html"],
    "render story": ["render", "story", "-o", "{out}/page.html"],
    "export": ["export", "--format", "gexf", "-o", "{out}/page.gexf"],
}


@pytest.mark.parametrize("name", READ_COMMANDS)
def test_every_read_command_answers_from_the_store_as_from_the_file(name, graph, tmp_path, monkeypatch) -> None:
    def answer(env: dict[str, str], where: Path) -> tuple[str, list[bytes]]:
        where.mkdir()
        args = [a.replace("{out}", str(where)) for a in READ_COMMANDS[name]] + ["--graph", str(graph)]
        result = run(args, env)
        return result.stdout.replace(str(where), "OUT"), [p.read_bytes() for p in sorted(where.iterdir())]

    expected = answer(NEVER, tmp_path / "memory")
    assert not kept_store_path(graph).exists()
    run(QUERY + ["--graph", str(graph)], ALWAYS)  # the first read makes the store
    assert store_is_current(graph)
    monkeypatch.setattr(OxigraphStore, "load", classmethod(lambda *a, **k: pytest.fail("graph.nq was parsed")))
    assert answer(ALWAYS, tmp_path / "disk") == expected


def test_serve_opens_the_store(graph, monkeypatch, no_parsing) -> None:
    from timeline.stores import OxigraphDiskStore

    served = []
    monkeypatch.setattr("timeline.serve.serve", lambda store, **options: served.append(store))
    run(["serve", "--graph", str(graph)], ALWAYS)
    assert isinstance(served[0], OxigraphDiskStore) and served[0].path == kept_store_path(graph)
    assert len(served[0]) > 0


def test_a_hand_edited_graph_gets_a_new_store_and_the_edit_is_answered(graph) -> None:
    run(QUERY + ["--graph", str(graph)], ALWAYS)
    before = json.loads((kept_store_path(graph) / "timeline-store.json").read_text())
    # Same length, and the modification time put back: only the inode's change time still tells.
    stat = graph.stat()
    data = graph.read_bytes()
    assert b'"Amazon Web Services pitches Rekognition to ICE' in data
    graph.write_bytes(data.replace(b'"Amazon Web Services pitches Rekognition to ICE',
                                   b'"Amazon Web Services PITCHES Rekognition to ICE'))
    os.utime(graph, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert graph.stat().st_size == stat.st_size and graph.stat().st_mtime_ns == stat.st_mtime_ns
    assert not store_is_current(graph)
    result = run(QUERY + ["--graph", str(graph)], ALWAYS)
    assert "Amazon Web Services PITCHES Rekognition to ICE" in result.stdout
    after = json.loads((kept_store_path(graph) / "timeline-store.json").read_text())
    assert after["sha256"] == sha(graph) != before["sha256"]


def test_a_copied_graph_and_store_are_used_after_one_check(graph, tmp_path, monkeypatch) -> None:
    run(QUERY + ["--graph", str(graph)], ALWAYS)
    copy = tmp_path / "copy"
    shutil.copytree(graph.parent, copy)  # new inodes: the stamps no longer match, the contents do
    import timeline.stores.kept as kept

    monkeypatch.setattr(kept, "build_disk_store", lambda *a: pytest.fail("a current store was rebuilt"))
    expected = run(QUERY + ["--graph", str(graph)], ALWAYS).stdout
    with monkeypatch.context() as m:
        m.setattr(OxigraphStore, "load", classmethod(lambda *a, **k: pytest.fail("graph.nq was parsed")))
        assert run(QUERY + ["--graph", str(copy / "graph.nq")], ALWAYS).stdout == expected
    stamp = json.loads((copy / "graph.oxigraph" / "timeline-source.json").read_text())
    assert stamp["inode"] == (copy / "graph.nq").stat().st_ino  # re-stamped: no hashing next time
    # ... and the marker as it was: a server that has the store open does not take it for a rebuilt one
    marker = (graph.parent / "graph.oxigraph" / "timeline-store.json").read_bytes()
    assert (copy / "graph.oxigraph" / "timeline-store.json").read_bytes() == marker


def test_the_store_of_another_graph_is_rebuilt_never_used(graph, tmp_path, sample_graph) -> None:
    other = tmp_path / "other" / "graph.nq"
    other.parent.mkdir()
    other.write_bytes(sample_graph.read_bytes().replace(b'"Amazon Web Services pitches', b'"Somebody pitches'))
    run(QUERY + ["--graph", str(other)], ALWAYS)
    shutil.copytree(kept_store_path(other), kept_store_path(graph))  # a complete store, of the wrong file
    assert not store_is_current(graph)
    result = run(QUERY + ["--graph", str(graph)], ALWAYS)
    assert "Amazon Web Services pitches" in result.stdout and "Somebody" not in result.stdout
    assert store_is_current(graph)


def test_a_half_copied_store_is_rebuilt_never_used(graph) -> None:
    expected = run(QUERY + ["--graph", str(graph)], NEVER).stdout
    run(QUERY + ["--graph", str(graph)], ALWAYS)
    store = kept_store_path(graph)
    biggest = max(store.glob("*.sst"), key=lambda p: p.stat().st_size)
    biggest.unlink()
    assert not store_is_current(graph)
    assert run(QUERY + ["--graph", str(graph)], ALWAYS).stdout == expected
    assert store_is_current(graph) and biggest.exists()


def test_a_foreign_directory_is_left_alone_and_the_graph_answers(graph) -> None:
    expected = run(QUERY + ["--graph", str(graph)], NEVER).stdout
    foreign = kept_store_path(graph)
    foreign.mkdir()
    (foreign / "CURRENT").write_text("someone else's RocksDB\n")
    (foreign / "notes.txt").write_text("mine\n")
    result = run(QUERY + ["--graph", str(graph)], ALWAYS)
    assert result.stdout == expected
    assert "not a timeline store" in result.stderr and result.stderr.count("\n") <= 2  # one note (+ case line)
    assert sorted(p.name for p in foreign.iterdir()) == ["CURRENT", "notes.txt"]


def test_a_failed_build_leaves_the_graph_and_its_store(case_copy, tmp_path) -> None:
    out = tmp_path / "out" / "graph.nq"
    run(["build", str(case_copy), "-o", str(out), "-q"], ALWAYS)
    graph_sha, marker = sha(out), (kept_store_path(out) / "timeline-store.json").read_bytes()
    case_yaml = case_copy / "case.yaml"
    case_yaml.write_text(case_yaml.read_text() + "\nnot yaml: [\n")
    failed = CliRunner().invoke(cli, ["build", str(case_copy), "-o", str(out), "-q"], env=ALWAYS)
    assert failed.exit_code != 0
    assert sha(out) == graph_sha and (kept_store_path(out) / "timeline-store.json").read_bytes() == marker
    assert store_is_current(out)


@contextlib.contextmanager
def unwritable(directory: Path):
    """``directory`` made unwritable for this user: mode 0555, and for root (who writes anywhere) immutable."""
    directory.chmod(0o555)
    immutable = os.geteuid() == 0
    if immutable and subprocess.run(["chattr", "+i", str(directory)], capture_output=True).returncode != 0:
        directory.chmod(0o755)
        pytest.skip("running as root where chattr +i is not allowed: no directory is unwritable")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
        directory.chmod(0o755)


def test_a_read_only_output_directory_still_answers(graph) -> None:
    expected = run(QUERY + ["--graph", str(graph)], NEVER).stdout
    with unwritable(graph.parent):
        done = subprocess.run([sys.executable, "-m", "timeline.cli", *QUERY, "--graph", str(graph)],
                              capture_output=True, text=True, check=False,
                              env={**os.environ, **ALWAYS, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    assert len(done.stderr.strip().splitlines()) == 1 and "reading the graph into memory" in done.stderr
    assert not kept_store_path(graph).exists()


def test_concurrent_first_queries_all_answer_and_leave_one_store(graph) -> None:
    expected = run(QUERY + ["--graph", str(graph)], NEVER).stdout
    env = {**os.environ, **ALWAYS, "PYTHONPATH": str(ROOT)}
    children = [subprocess.Popen([sys.executable, "-m", "timeline.cli", *QUERY, "--graph", str(graph)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                for _ in range(4)]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert out == expected and err == ""
    assert store_is_current(graph)
    assert sorted(p.name for p in graph.parent.iterdir()) == ["graph.nq", "graph.oxigraph"]  # nothing left aside


def test_a_kept_store_carries_the_entity_names_and_a_name_resolves_without_reading_them(graph, monkeypatch) -> None:
    """Reading every entity's names from a 100,000-event graph takes seconds: the store keeps them from its build,
    so `-p actor=ICE` (an alias) is resolved without a query for them, to the same entity."""
    from timeline.query import saved_queries

    expected = run(QUERY + ["--graph", str(graph)], NEVER).stdout
    run(QUERY + ["--graph", str(graph)], ALWAYS)  # makes the store
    kept = json.loads((kept_store_path(graph) / "entity-names.json").read_text(encoding="utf-8"))
    assert ["ice", "U.S. Immigration and Customs Enforcement"] == kept[[r[0] for r in kept].index("ice")][:2]
    monkeypatch.setattr(saved_queries, "entity_name_records", lambda store: pytest.fail("names read from the graph"))
    assert run(QUERY + ["--graph", str(graph)], ALWAYS).stdout == expected


def test_a_store_changed_after_its_build_reads_the_names_from_its_graph(tmp_path, sample_graph) -> None:
    from timeline.query.saved_queries import entity_names
    from timeline.stores import OxigraphDiskStore, build_disk_store

    build_disk_store(sample_graph, tmp_path / "store")
    with OxigraphDiskStore.open(tmp_path / "store", writable=True) as store:
        store.update('INSERT DATA { GRAPH <urn:x> { <https://w3id.org/timeline/case/rekognition/entity/ice> '
                     '<http://www.w3.org/2004/02/skos/core#altLabel> "La Migra" } }')
    assert not (tmp_path / "store" / "entity-names.json").exists()
    with OxigraphDiskStore.open(tmp_path / "store") as store:
        assert entity_names(store).exact("La Migra") == ("alias", ["ice"])
