#!/usr/bin/env python3
"""Load test of ``timeline serve``: many queries from concurrent clients over 127.0.0.1.

The server runs in its own process (``timeline.serve.serve`` on a built graph,
exactly what ``timeline serve`` runs), so that the clients and the server do
not share an interpreter lock. The clients are threads that send the saved
queries, with the parameters the test suite uses (``PARAMS`` in
``tests/test_saved_queries.py``) bound into the text, as GET requests with
urllib, one new connection per query (as SPARQLWrapper does), asking for SPARQL
JSON results. Every answer is compared with the same query run directly on the
store in this process; a wrong answer, an HTTP error or a failed connection
counts as an error.

A baseline is measured in the same run, on the same machine under the same
load: the same queries run directly on the store in this process, one at a
time (``store.query`` and SPARQL JSON, no HTTP), half before the load and half
after. The server's p50 and p99 are also reported as ratios to the baseline's
p50, so that runs on a busier or quieter machine can be compared.

The run is bounded: it stops after ``--queries`` queries or ``--max-seconds``,
whichever comes first, and the server is stopped with SIGINT (Ctrl-C) after.

    python benchmarks/bench_serve.py [--queries 1000] [--clients 8] [--json FILE]

Exit status: 0 if every query got the right answer, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from timeline import pipeline, resources  # noqa: E402
from timeline.query import saved_queries  # noqa: E402
from timeline.query.results import to_json  # noqa: E402
from timeline.query.sparql import bind_values  # noqa: E402
from timeline.stores import open_store  # noqa: E402

SERVER = """
import sys
from timeline.serve import serve
from timeline.stores import open_store
serve(open_store(sys.argv[1]), host="127.0.0.1", port=0, timeout=float(sys.argv[2]), max_rows=int(sys.argv[3]),
      isolation=sys.argv[4], workers=int(sys.argv[5]) or None, pages=False, quiet=True)
"""


def test_params() -> dict[str, dict[str, str]]:
    """PARAMS from tests/test_saved_queries.py, imported by path."""
    spec = importlib.util.spec_from_file_location("_saved_query_params", REPO / "tests" / "test_saved_queries.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PARAMS


def workload(store) -> list[tuple[str, str, dict]]:
    """(name, query text with parameters bound, expected JSON) for every saved query."""
    params = test_params()
    items = []
    for name, saved in saved_queries.saved_queries().items():
        bindings = saved_queries.bind(saved, params.get(name, {}), store)
        text = bind_values(saved.text, bindings)
        items.append((name, text, json.loads(to_json(store.query(text, where=name)))))
    return items


def start_server(graph: Path, timeout: float, max_rows: int, isolation: str,
                 workers: int) -> tuple[subprocess.Popen, str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(graph), str(timeout), str(max_rows), isolation,
                                str(workers)],
                               stderr=subprocess.PIPE, text=True, env=env)
    line = process.stderr.readline()  # "timeline serve: http://127.0.0.1:PORT/ (...)"
    match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {line}{process.stderr.read()}")
    threading.Thread(target=process.stderr.read, daemon=True).start()  # drain
    pool = re.search(r"(\d+ \w+ workers)", line)
    return process, match.group(1), pool.group(1) if pool else "?"


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def one(url: str, text: str, expected: dict, http_timeout: float) -> tuple[float, str | None]:
    request = urllib.request.Request(url + "/sparql?" + urllib.parse.urlencode({"query": text}),
                                     headers={"Accept": "application/sparql-results+json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=http_timeout) as response:
            body = response.read()
        elapsed = time.perf_counter() - started
        return elapsed, None if json.loads(body) == expected else "wrong answer"
    except urllib.error.HTTPError as exc:
        return time.perf_counter() - started, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return time.perf_counter() - started, type(exc).__name__


def baseline(items: list[tuple[str, str, dict]], store, n: int) -> list[float]:
    """Milliseconds of ``n`` queries of the mix run in this process, one at a time."""
    samples = []
    for i in range(n):
        name, text, _expected = items[i % len(items)]
        started = time.perf_counter()
        to_json(store.query(text, where=name))
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=300.0, help="stop sending after this long")
    parser.add_argument("--timeout", type=float, default=10.0, help="the server's per-query limit")
    parser.add_argument("--max-rows", type=int, default=10000)
    parser.add_argument("--isolation", choices=["auto", "process", "thread"], default="auto")
    parser.add_argument("--workers", type=int, default=0, help="the server's query workers (0: its default)")
    parser.add_argument("--graph", type=Path, help="a built graph (default: build the sample case)")
    parser.add_argument("--baseline", type=int, default=1000, help="in-process queries for the baseline")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        graph = args.graph
        if graph is None:
            graph = Path(tmp) / "graph.nq"
            if not pipeline.build(resources.sample_case_dir(), graph).ok:
                raise SystemExit("cannot build the sample case")
        store = open_store(graph)
        items = workload(store)
        floor = baseline(items, store, args.baseline // 2)
        process, url, pool_text = start_server(graph, args.timeout, args.max_rows, args.isolation, args.workers)
        try:
            for _name, text, expected in items:  # warm-up, untimed
                one(url, text, expected, args.timeout + 30)
            deadline = time.monotonic() + args.max_seconds
            lock = threading.Lock()
            next_index = [0]
            samples: list[tuple[str, float, str | None]] = []

            def client() -> None:
                while time.monotonic() < deadline:
                    with lock:
                        i = next_index[0]
                        if i >= args.queries:
                            return
                        next_index[0] += 1
                    name, text, expected = items[i % len(items)]
                    elapsed, error = one(url, text, expected, args.timeout + 30)
                    with lock:
                        samples.append((name, elapsed, error))

            started = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                for future in [pool.submit(client) for _ in range(args.clients)]:
                    future.result()
            wall = time.perf_counter() - started
        finally:
            stop_server(process)
        floor = sorted(floor + baseline(items, store, args.baseline - args.baseline // 2))

    latencies = sorted(s[1] * 1000 for s in samples)
    errors = Counter(s[2] for s in samples if s[2])
    per_query = {}
    for name, *_ in items:
        mine = sorted(s[1] * 1000 for s in samples if s[0] == name)
        per_query[name] = {"n": len(mine), "p50_ms": round(percentile(mine, 50), 1),
                           "max_ms": round(mine[-1], 1) if mine else None}
    figures = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
                   f"CPython {platform.python_version()}",
        "server": pool_text, "queries": len(samples), "requested": args.queries, "clients": args.clients,
        "distinct_queries": len(items), "errors": sum(errors.values()), "error_kinds": dict(errors),
        "seconds": round(wall, 2), "queries_per_second": round(len(samples) / wall, 1),
        "p50_ms": round(percentile(latencies, 50), 1), "p90_ms": round(percentile(latencies, 90), 1),
        "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(latencies[-1], 1) if latencies else None,
        "baseline_p50_ms": round(percentile(floor, 50), 2), "baseline_p99_ms": round(percentile(floor, 99), 2),
        "per_query": per_query,
    }
    figures["p50_ratio"] = round(figures["p50_ms"] / figures["baseline_p50_ms"], 1)
    figures["p99_ratio"] = round(figures["p99_ms"] / figures["baseline_p50_ms"], 1)
    print(f"{figures['queries']} queries ({figures['distinct_queries']} saved queries, parameters bound) from "
          f"{args.clients} client{'s' if args.clients != 1 else ''}, server with {pool_text}, in {wall:.2f} s: "
          f"{figures['queries_per_second']} queries/s; "
          f"errors {figures['errors']}{' ' + str(dict(errors)) if errors else ''}")
    print(f"latency ms: p50 {figures['p50_ms']}  p90 {figures['p90_ms']}  p99 {figures['p99_ms']}  "
          f"max {figures['max_ms']}")
    print(f"baseline (in process, one at a time) ms: p50 {figures['baseline_p50_ms']}  p99 "
          f"{figures['baseline_p99_ms']}; server p50 {figures['p50_ratio']}x and p99 {figures['p99_ratio']}x "
          "the baseline's p50")
    print("per query (p50 / max ms):")
    for name, f in per_query.items():
        print(f"  {name:26} {f['n']:5}  {f['p50_ms']:7}  {f['max_ms']:7}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    complete = len(samples) == args.queries
    if not complete:
        print(f"stopped by --max-seconds after {len(samples)} of {args.queries} queries")
    return 0 if not errors and complete else 1


if __name__ == "__main__":
    sys.exit(main())
