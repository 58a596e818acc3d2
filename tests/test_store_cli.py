"""`build --store`, `query --store/--endpoint`, `push` and `serve` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import free_port, oxigraph_server

from timeline import resources
from timeline.case.loader import load_case
from timeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(sample_graph) -> Path:
    return sample_graph


def csv_rows(output: str) -> list[str]:
    return output.replace("\r\n", "\n").strip().splitlines()


def test_build_into_a_disk_store_and_query_it(built, tmp_path, sample_quads) -> None:
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["build", str(resources.sample_case_dir()), "-o", str(tmp_path / "g.nq"),
                                      "-q", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert f"{store}: {sample_quads} quads" in result.stdout
    from_store = CliRunner().invoke(cli, ["query", "--store", str(store), "corroboration", "--format", "csv"])
    from_file = CliRunner().invoke(cli, ["query", "--graph", str(built), "corroboration", "--format", "csv"])
    assert from_store.exit_code == 0 and csv_rows(from_store.stdout) == csv_rows(from_file.stdout)


def test_push_then_query_the_endpoint_twice_without_duplicates(built, tmp_path, sample_quads) -> None:
    with oxigraph_server(tmp_path / "ox") as server:
        for _ in range(2):
            pushed = CliRunner().invoke(cli, ["push", "--graph", str(built), "--endpoint", server.query_url])
            assert pushed.exit_code == 0, pushed.output
        count = CliRunner().invoke(cli, ["query", "--endpoint", server.query_url, "--format", "csv",
                                         "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"])
        assert count.exit_code == 0, count.output
        assert csv_rows(count.stdout) == ["n", str(sample_quads)]
        remote = CliRunner().invoke(cli, ["query", "--endpoint", server.query_url, "actor-timeline",
                                          "-p", "actor=ICE", "--format", "csv"])
        local = CliRunner().invoke(cli, ["query", "--graph", str(built), "actor-timeline", "-p", "actor=ICE",
                                         "--format", "csv"])
        assert csv_rows(remote.stdout) == csv_rows(local.stdout)


def test_unreachable_endpoint_fails_quickly_with_its_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["query", "--endpoint", url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"])
    assert result.exit_code == 1 and url.split("/query")[0] in result.stderr
    assert "Traceback" not in result.output and time.monotonic() - started < 10


def test_serve_answers_sparql_and_refuses_updates(built) -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "timeline.cli", "serve", "--graph", str(built),
                                "--port", str(port), "--timeout", "5"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        assert f"127.0.0.1:{port}" in line, line
        base = f"http://127.0.0.1:{port}"
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?e a tl:Event }"})
        with urllib.request.urlopen(f"{base}/sparql?{query}", timeout=30) as response:
            data = json.load(response)
        events = load_case(resources.sample_case_dir())[0].events
        assert data["results"]["bindings"][0]["n"]["value"] == str(len(events))
        update = urllib.request.Request(f"{base}/sparql", data=b"DELETE WHERE { ?s ?p ?o }",
                                        headers={"Content-Type": "application/sparql-update"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=30)
        assert refused.value.code == 403
        with urllib.request.urlopen(f"{base}/timeline.html", timeout=30) as page:
            assert page.headers["Content-Type"].startswith("text/html")
    finally:
        process.terminate()
        process.wait(timeout=10)
