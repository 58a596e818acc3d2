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

With ``--pages`` the server also serves the workbench (``pages=True``, as ``timeline serve`` does by default)
and the clients send a mix of page requests with the SPARQL queries (:data:`PAGE_MIX`): the home page, search,
entity, event and source pages of ids drawn at random (the same seed each run), the saved-query form pages run
with a drawn entity or event, and SPARQL. A page counts as an error unless it answers 200 with a whole HTML
document. Latency is reported per kind. ``--synthetic N`` builds a synthetic case of N events
(:func:`timeline.testing.cases.synthetic_nquads`) instead of the sample.

    python benchmarks/bench_serve.py [--queries 1000] [--clients 8] [--json FILE]
    python benchmarks/bench_serve.py --pages --synthetic 10000 --queries 2000

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
from timeline.errors import TimelineError  # noqa: E402
from timeline.query import saved_queries  # noqa: E402
from timeline.query.results import to_json  # noqa: E402
from timeline.query.sparql import bind_values  # noqa: E402
from timeline.stores import open_store  # noqa: E402

SERVER = """
import sys
from timeline.serve import serve
from timeline.stores import open_store
serve(open_store(sys.argv[1]), host="127.0.0.1", port=0, timeout=float(sys.argv[2]), max_rows=int(sys.argv[3]),
      isolation=sys.argv[4], workers=int(sys.argv[5]) or None, pages=sys.argv[6] == "pages", quiet=True)
"""
#: How often each kind of request comes in the --pages mix (out of the sum).
PAGE_MIX = {"home": 1, "search": 1, "entity": 4, "event": 4, "source": 2, "saved query page": 2, "sparql": 2}


def test_params() -> dict[str, dict[str, str]]:
    """PARAMS from tests/test_saved_queries.py, imported by path."""
    spec = importlib.util.spec_from_file_location("_saved_query_params", REPO / "tests" / "test_saved_queries.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PARAMS


def workload(store) -> list[tuple[str, str, dict]]:
    """(name, query text with parameters bound, expected JSON) for every saved query whose parameters the case
    has."""
    params = test_params()
    items = []
    for name, saved in saved_queries.saved_queries().items():
        try:
            bindings = saved_queries.bind(saved, params.get(name, {}), store)
        except TimelineError:  # a parameter of the sample's (e.g. actor=ICE) that another case does not have
            continue
        text = bind_values(saved.text, bindings)
        items.append((name, text, json.loads(to_json(store.query(text, where=name)))))
    return items


def page_workload(store, items: list[tuple[str, str, dict]], n: int, seed: int = 19,
                  mix: tuple[str, ...] = tuple(PAGE_MIX)) -> list[tuple[str, str, str]]:
    """``n`` requests (kind, path, "") of :data:`PAGE_MIX`, ids drawn at random from the case; SPARQL ones are
    (``"sparql"``, query name, text) from ``items``."""
    import random

    from timeline.views.model import load_view

    view = load_view(store)
    rng = random.Random(seed)
    entities, events, sources = sorted(view.entities), [e.id for e in view.events], sorted(view.sources)
    words = [w for e in list(view.entities.values())[:200] for w in e.label.split() if len(w) > 3] or ["the"]
    kinds = [k for k, weight in PAGE_MIX.items() if k in mix for _ in range(weight)]
    quote = urllib.parse.quote
    out = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind == "home":
            out.append((kind, "/", ""))
        elif kind == "search":
            out.append((kind, "/search?q=" + quote(rng.choice(words)), ""))
        elif kind == "entity":
            out.append((kind, "/entity/" + quote(rng.choice(entities), safe=""), ""))
        elif kind == "event":
            out.append((kind, "/event/" + quote(rng.choice(events), safe=""), ""))
        elif kind == "source":
            out.append((kind, "/source/" + quote(rng.choice(sources), safe=""), ""))
        elif kind == "saved query page":
            if rng.random() < 0.5:
                path = "/queries/actor-timeline?run=1&actor=" + quote(rng.choice(entities))
            else:
                path = "/queries/event-sources?run=1&event=" + quote(rng.choice(events))
            out.append((kind, path, ""))
        else:
            name, text, _expected = items[i % len(items)]
            out.append(("sparql", name, text))
    return out


def one_page(url: str, path: str, http_timeout: float) -> tuple[float, str | None]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url + path, timeout=http_timeout) as response:
            body = response.read()
        elapsed = time.perf_counter() - started
        return elapsed, None if body.rstrip().endswith(b"</html>") else "not a whole page"
    except urllib.error.HTTPError as exc:
        return time.perf_counter() - started, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return time.perf_counter() - started, type(exc).__name__


def start_server(graph: Path, timeout: float, max_rows: int, isolation: str,
                 workers: int, pages: bool = False) -> tuple[subprocess.Popen, str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(graph), str(timeout), str(max_rows), isolation,
                                str(workers), "pages" if pages else "none"],
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


def drive(jobs: list, run, clients: int, max_seconds: float) -> tuple[list[tuple[str, float, str | None]], float]:
    """Run ``jobs`` in order from ``clients`` threads, each taking the next one, until all are done or
    ``max_seconds`` have passed: the samples ``run(job)`` gave (label, seconds, error or None) and the wall time."""
    deadline = time.monotonic() + max_seconds
    lock = threading.Lock()
    next_index = [0]
    samples: list[tuple[str, float, str | None]] = []

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next_index[0]
                if i >= len(jobs):
                    return
                next_index[0] += 1
            sample = run(jobs[i])
            with lock:
                samples.append(sample)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    return samples, time.perf_counter() - started


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
    parser.add_argument("--pages", action="store_true", help="a mix of workbench pages and SPARQL (PAGE_MIX)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="a synthetic case of N events")
    parser.add_argument("--mix", default=",".join(PAGE_MIX), help="the kinds of request of PAGE_MIX to send")
    args = parser.parse_args()
    if args.pages:
        return pages_main(args)

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
            def run(job: tuple) -> tuple[str, float, str | None]:
                name, text, expected = job
                return (name, *one(url, text, expected, args.timeout + 30))

            jobs = [items[i % len(items)] for i in range(args.queries)]
            samples, wall = drive(jobs, run, args.clients, args.max_seconds)
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


def pages_main(args: argparse.Namespace) -> int:
    """The --pages run: the mix of :data:`PAGE_MIX`, latency per kind."""
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        graph = args.graph
        if graph is None:
            graph = Path(tmp) / "graph.nq"
            if args.synthetic:
                from timeline.testing.cases import synthetic_nquads

                graph.write_bytes(synthetic_nquads(args.synthetic))
            elif not pipeline.build(resources.sample_case_dir(), graph).ok:
                raise SystemExit("cannot build the sample case")
        store = open_store(graph)
        items = workload(store)
        expected = {name: answer for name, _text, answer in items}
        kinds = tuple(k.strip() for k in args.mix.split(","))
        unknown = set(kinds) - set(PAGE_MIX)
        if unknown:
            raise SystemExit(f"--mix: unknown kinds {sorted(unknown)}; choose from {', '.join(PAGE_MIX)}")
        mix = page_workload(store, items, args.queries, mix=kinds)
        started_at = time.perf_counter()
        process, url, pool_text = start_server(graph, args.timeout, args.max_rows, args.isolation, args.workers,
                                               pages=True)
        start_seconds = time.perf_counter() - started_at
        try:
            for kind, path, text in mix[:len(PAGE_MIX) * 3]:  # warm-up, untimed
                if kind == "sparql":
                    one(url, text, expected[path], args.timeout + 30)
                else:
                    one_page(url, path, args.timeout + 30)
            def run(job: tuple) -> tuple[str, float, str | None]:
                kind, path, text = job
                if kind == "sparql":
                    elapsed, error = one(url, text, expected[path], args.timeout + 30)
                else:
                    elapsed, error = one_page(url, path, args.timeout + 30)
                return kind, elapsed, error and f"{kind} {path}: {error}"

            samples, wall = drive(mix, run, args.clients, args.max_seconds)
        finally:
            stop_server(process)
    errors = [s[2] for s in samples if s[2]]
    per_kind = {}
    for kind in kinds:
        mine = sorted(s[1] * 1000 for s in samples if s[0] == kind)
        per_kind[kind] = {"n": len(mine), "errors": sum(1 for s in samples if s[0] == kind and s[2]),
                          "p50_ms": round(percentile(mine, 50), 1), "p99_ms": round(percentile(mine, 99), 1),
                          "max_ms": round(mine[-1], 1) if mine else None}
    latencies = sorted(s[1] * 1000 for s in samples)
    figures = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
                   f"CPython {platform.python_version()}",
        "case": f"synthetic, {args.synthetic} events" if args.synthetic else str(args.graph or "sample"),
        "server": pool_text, "server_start_s": round(start_seconds, 1), "requests": len(samples),
        "clients": args.clients, "errors": len(errors), "seconds": round(wall, 2),
        "requests_per_second": round(len(samples) / wall, 1), "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1), "per_kind": per_kind,
    }
    print(f"{len(samples)} requests ({figures['case']}) from {args.clients} clients, server with {pool_text} "
          f"(up in {start_seconds:.1f} s), in {wall:.2f} s: {figures['requests_per_second']} requests/s; "
          f"errors {len(errors)}")
    for error in errors[:10]:
        print("  " + error)
    print(f"{'kind':18} {'n':>6} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, f in per_kind.items():
        print(f"{kind:18} {f['n']:6} {f['errors']:6} {f['p50_ms']:8} {f['p99_ms']:8} {f['max_ms']!s:>8}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    complete = len(samples) == len(mix)
    if not complete:
        print(f"stopped by --max-seconds after {len(samples)} of {len(mix)} requests")
    return 0 if not errors and complete else 1


if __name__ == "__main__":
    sys.exit(main())
