"""The scale benchmark itself, run at a tiny size: its figures are what benchmarks/README.md reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scale.py"


def _bench(work: Path, *args: str) -> list[dict]:
    out = work.parent / "figures.json"
    done = subprocess.run([sys.executable, str(BENCH), "--sizes", "40", "--runs", "3", "--budget", "1",
                           "--workdir", str(work), "--json", str(out), *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> tuple[Path, dict]:
    work = tmp_path_factory.mktemp("bench") / "work"
    return work, _bench(work, "--rounds", "2")[0]


def test_the_builds_and_the_floor_hold_the_same_triples(figures) -> None:
    _, size = figures
    floor, builds = size["floor"], size["build"]
    assert set(builds) == {"shacl", "no-shacl"}
    assert builds["shacl"]["quads"] == builds["no-shacl"]["quads"] == floor["quads"] == size["generate"]["quads"]
    assert builds["shacl"]["sha256"] == builds["no-shacl"]["sha256"]  # checked or not, the same bytes
    for entry in (floor, *builds.values()):
        assert len(entry["runs"]) == 2 and entry["wall_s"] > 0 and entry["rss_mib"] > 0
    assert "shacl" in builds["shacl"]["phases"] and "shacl" not in builds["no-shacl"]["phases"]


def test_every_saved_query_and_window_is_measured_with_the_same_answers(figures) -> None:
    _, size = figures
    queries = size["queries"]
    assert len(queries["queries"]) >= 16
    for name, q in queries["queries"].items():
        assert q["store_ms"] > 0 and q["direct_ms"] > 0 and q["runs"] >= 3, name
    assert [w["window"] for w in queries["windows"]] == ["1 day", "1 month", "1 year"]
    assert all(w["identical"] for w in queries["windows"])
    assert queries["render"]["html_bytes"] > 0


def test_children_read_compiled_sources_and_the_cases_are_removed(figures) -> None:
    work, _ = figures
    assert list((work / "pycache").rglob("pipeline.cpython-*.pyc"))  # compiled before any child was timed
    assert not (work / "case-40").exists() and not (work / "graph-40.nq").exists()


def test_reuse_keeps_the_generated_case_for_the_next_run(tmp_path) -> None:
    work = tmp_path / "work"
    first = _bench(work, "--rounds", "1", "--build", "no-shacl", "--reuse")[0]
    marker = work / "generated-40.json"
    assert (work / "case-40").is_dir() and (work / "graph-40.nq").exists() and marker.exists()
    made = marker.stat().st_mtime_ns
    second = _bench(work, "--rounds", "1", "--build", "no-shacl", "--reuse")[0]
    assert marker.stat().st_mtime_ns == made  # not generated again
    assert second["build"]["no-shacl"]["sha256"] == first["build"]["no-shacl"]["sha256"]
