#!/usr/bin/env python3
"""Scale benchmark: build, saved queries, the date-window index and rendering at 1k, 10k and 100k events.

For each size N the script writes a synthetic case (``timeline.testing.cases``,
seed 7) and its built graph, then measures, each step in a fresh subprocess
whose peak RSS is read from the kernel (``os.wait4``: the ``ru_maxrss`` of
that one child, as ``getrusage(RUSAGE_CHILDREN)`` would give after it). The
sources are compiled once beforehand, as ``pip install`` does, so that no
child times their compilation:

* **build**: ``pipeline.build``, what ``timeline build`` runs (CSV load,
  cross-record checks with every quote searched in its article, the sorted
  N-Quads, SHACL, atomic write), with and without SHACL, against the floor:
  pyoxigraph bulk-loading the same N-Quads in a fresh process (target:
  within 1.5x). ``--rounds`` rounds (default 3) run the floor and the builds
  in turn; each figure is the median of its rounds.
* **saved queries**: p50 of each saved query through the project's store
  (``store.query``: parameter binding, result conversion) against the same
  SPARQL text run directly in pyoxigraph with every value read (target:
  within 1.2x). Runs are interleaved; each query gets ``--runs`` runs or as
  many as fit in ``--budget`` seconds (at least 3).
* **date window**: ``events-in-window`` (month-range index) against the plain
  FILTER on every event's bounds it replaced, for a day, a month and a year;
  the answers must be identical (target at 100k: under 50 ms p50).
* **render**: ``load_view`` with a one-year window plus ``render_timeline``.

    python benchmarks/bench_scale.py                      # 1k and 10k events, a few minutes
    python benchmarks/bench_scale.py --with-100k          # adds 100k: about half an hour, 16 GB
    python benchmarks/bench_scale.py --sizes 1000 --runs 5 --json benchmarks/results/scale.json

Exit status 0 unless a step fails or the two window queries disagree (missed
targets are reported, not failed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable

GENERATE = r"""
import json, sys, time
from pathlib import Path
from timeline.testing import cases as synthcase
n, case_dir, graph = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
t = time.perf_counter(); synthcase.write_synthetic_case(case_dir, n); case_s = time.perf_counter() - t
t = time.perf_counter(); data = synthcase.synthetic_nquads(n); nq_s = time.perf_counter() - t
graph.write_bytes(data)
print(json.dumps({"case_s": case_s, "nquads_s": nq_s, "quads": data.count(b"\n"), "bytes": len(data)}))
"""

BUILD = r"""
import json, sys, time
started = time.perf_counter()
variant, case_dir, out = sys.argv[1:4]
from pathlib import Path
from timeline import pipeline
imports = time.perf_counter() - started
report = pipeline.build(Path(case_dir), Path(out), shacl=variant == "shacl")
print(json.dumps({"phases": {"imports": imports, **report.timings}, "seconds": time.perf_counter() - started,
                  "quads": report.quads}))
"""

FLOOR = r"""
import json, sys, time
t = time.perf_counter()
import pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
print(json.dumps({"seconds": time.perf_counter() - t, "quads": len(store)}))
"""

QUERIES = r"""
import json, statistics, sys, time
from datetime import date
from timeline.query import saved_queries
from timeline.query.results import Term
from timeline.query.sparql import bind_values
from timeline.stores import open_store

graph, runs, budget = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
skip = set(filter(None, sys.argv[4].split(",")))
t = time.perf_counter(); store = open_store(graph); load_s = time.perf_counter() - t
ox_store, prefixes = store.store, store.prefixes
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
PLAIN = '''SELECT ?event ?date ?label WHERE {
  ?event a tl:Event ; rdfs:label ?label ; tl:dateLabel ?date ; tl:sortDate ?sort .
  OPTIONAL { ?event sem:hasEarliestBeginTimeStamp ?begin }
  OPTIONAL { ?event sem:hasLatestEndTimeStamp ?end }
  FILTER (!BOUND(?begin) || ?begin <= ?to)
  FILTER (!BOUND(?end) || ?end >= ?from)
} ORDER BY ?sort ?event'''

def local(iri):
    return iri.rsplit("/", 1)[-1]

top = store.query("SELECT ?a (COUNT(*) AS ?n) WHERE { ?e sem:hasActor ?a } "
                  "GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 1").rows
actor = local(top[0]["a"].value)
busy = store.query("SELECT ?e (COUNT(*) AS ?n) WHERE { ?e a tl:Event ; tl:hasMention ?m } "
                   "GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1").rows
event = local(busy[0]["e"].value)
source = local(store.query("SELECT ?s WHERE { ?s a tl:SourceArticle } ORDER BY ?s LIMIT 1").rows[0]["s"].value)
PARAMS = {"actor-timeline": {"actor": actor}, "events-in-window": {"from": "2018-06", "to": "2018-06"},
          "event-sources": {"event": event}, "claims-about": {"subject": event}, "source-says": {"source": source},
          "entities-by-type": {"type": "police-department"}, "claims-by-claimant": {"claimant": actor},
          "event-participants": {"event": event}, "customers-and-prospects": {"vendor": actor}}

def direct(text):
    solutions = ox_store.query(text, prefixes=prefixes, use_default_graph_as_union=True)
    variables = solutions.variables
    n = 0
    for s in solutions:
        for v in variables:
            s[v]
        n += 1
    return n

def measure(candidates):
    # candidates: name -> callable returning a row count; runs interleaved, p50 in ms
    samples = {k: [] for k in candidates}
    rows = {}
    for k, f in candidates.items():
        rows[k] = f()  # warm-up
    started = time.perf_counter()
    while True:
        for k, f in candidates.items():
            t = time.perf_counter(); f(); samples[k].append(time.perf_counter() - t)
        n = len(next(iter(samples.values())))
        if n >= runs or (n >= 3 and time.perf_counter() - started > budget):
            break
    return {k: statistics.median(v) * 1000 for k, v in samples.items()}, rows, n

out = {"load_s": load_s, "quads": len(store), "queries": {}, "windows": [], "params": PARAMS}
for name, saved in sorted(saved_queries.saved_queries().items()):
    if name in skip:
        out["queries"][name] = {"skipped": True}
        continue
    bindings = saved_queries.bind(saved, PARAMS.get(name, {}), store)
    text = bind_values(saved.text, bindings)
    p50, rows, n = measure({"store": lambda: len(store.query(saved.text, bindings, where=name).rows),
                            "direct": lambda: direct(text)})
    out["queries"][name] = {"store_ms": p50["store"], "direct_ms": p50["direct"], "rows": rows["direct"], "runs": n}

indexed = saved_queries.find_saved("events-in-window").text
for label, a, b in (("1 day", date(2018, 6, 12), date(2018, 6, 12)), ("1 month", date(2018, 6, 1), date(2018, 6, 30)),
                    ("1 year", date(2018, 1, 1), date(2018, 12, 31))):
    bindings = {"from": Term.literal(a.isoformat(), XSD_DATE), "to": Term.literal(b.isoformat(), XSD_DATE)}
    same = store.query(indexed, bindings).rows == store.query(PLAIN, bindings).rows
    new_text, old_text = bind_values(indexed, bindings), bind_values(PLAIN, bindings)
    p50, rows, n = measure({"indexed store": lambda: len(store.query(indexed, bindings).rows),
                            "indexed direct": lambda: direct(new_text),
                            "plain store": lambda: len(store.query(PLAIN, bindings).rows),
                            "plain direct": lambda: direct(old_text)})
    out["windows"].append({"window": label, "from": a.isoformat(), "to": b.isoformat(), "rows": rows["indexed direct"],
                           "identical": same, "runs": n, **{k + "_ms": v for k, v in p50.items()}})

from timeline.render.timeline import render_timeline
from timeline.views.model import load_view
renders = []
for _ in range(3 if out["quads"] < 2_000_000 else 1):
    t = time.perf_counter()
    view = load_view(store, date(2018, 1, 1), date(2018, 12, 31))
    view_s = time.perf_counter() - t
    t = time.perf_counter(); html = render_timeline(view); render_s = time.perf_counter() - t
    renders.append((view_s, render_s))
out["render"] = {"events": len(view.events), "load_view_s": statistics.median(r[0] for r in renders),
                 "render_s": statistics.median(r[1] for r in renders), "html_bytes": len(html.encode("utf-8")),
                 "runs": len(renders)}
print(json.dumps(out))
"""


def child_env() -> dict[str, str]:
    """The children's environment: the repository importable, and bytecode cached (where
    ``PYTHONPYCACHEPREFIX`` points, which main sets) as after ``pip install``, even where the environment
    says not to write bytecode: a child that compiled the sources would time that too."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_child(code: str, *args: str, timeout: float | None = None) -> tuple[dict, float, float]:
    """Run a Python child; return (its JSON, wall seconds, peak RSS in MiB of that child)."""
    env = child_env()
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([PY, "-c", code, *args], stdout=subprocess.PIPE, stderr=err, cwd=REPO, env=env)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if child.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"child failed ({child.returncode}): {err.read().decode(errors='replace')[-2000:]}")
    lines = out.decode().strip().splitlines()
    return json.loads(lines[-1]), wall, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def bench_size(n: int, work: Path, args) -> dict:
    case_dir, graph = work / f"case-{n}", work / f"graph-{n}.nq"
    print(f"\n== {n:,} events ==", flush=True)
    marker = work / f"generated-{n}.json"
    if args.reuse and marker.exists() and case_dir.is_dir() and graph.exists():
        gen, gen_wall, gen_rss = json.loads(marker.read_text())
    else:
        gen, gen_wall, gen_rss = run_child(GENERATE, str(n), str(case_dir), str(graph))
        marker.write_text(json.dumps([gen, gen_wall, gen_rss]))
    print(f"generated: case {gen['case_s']:.1f} s, synthetic_nquads {gen['nquads_s']:.1f} s, {gen['quads']:,} quads "
          f"({gen['bytes'] / 2**20:.0f} MiB), peak RSS {gen_rss:.0f} MiB", flush=True)
    result = {"events": n, "generate": {**gen, "wall_s": gen_wall, "rss_mib": gen_rss}, "build": {}}
    # Rounds interleave the floor and the builds, so a machine that slows down (the floor's bulk loader uses
    # both cores, the build one) weighs on both sides; each figure is the median run of its rounds.
    runs: dict[str, list] = {variant: [] for variant in ["floor", *args.build]}
    expected = None
    for round_ in range(1, args.rounds + 1):
        floor, wall, rss = run_child(FLOOR, str(graph))
        runs["floor"].append((wall, rss, floor))
        print(f"round {round_}: floor {wall:.1f} s, {rss:.0f} MiB", flush=True)
        for variant in args.build:
            out = work / f"built-{variant}-{n}.nq"
            built, wall, rss = run_child(BUILD, variant, str(case_dir), str(out))
            built["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()  # here: the floor's child hashes nothing
            out.unlink(missing_ok=True)
            expected = expected or built["sha256"]
            if built["sha256"] != expected:
                raise RuntimeError(f"the {variant} build differs from the others")
            runs[variant].append((wall, rss, built))
            phases = ", ".join(f"{k} {v:.1f}" for k, v in built["phases"].items())
            print(f"round {round_}: build ({variant}) {wall:.1f} s, {rss:.0f} MiB [{phases}]", flush=True)
    for variant, results in runs.items():
        wall, rss, figures = sorted(results, key=lambda r: r[0])[len(results) // 2]
        entry = {**figures, "wall_s": wall, "rss_mib": rss, "runs": [[w, r] for w, r, _ in results]}
        if variant == "floor":
            result["floor"] = entry
        else:
            result["build"][variant] = entry
    floor = result["floor"]
    print(f"floor (pyoxigraph bulk_load): median {floor['wall_s']:.1f} s wall ({floor['seconds']:.1f} s loading), "
          f"peak RSS {floor['rss_mib']:.0f} MiB", flush=True)
    for variant in args.build:
        b = result["build"][variant]
        print(f"build ({variant}): median {b['wall_s']:.1f} s wall, {b['wall_s'] / floor['wall_s']:.2f}x the floor; "
              f"peak RSS {b['rss_mib']:.0f} MiB, {b['rss_mib'] / floor['rss_mib']:.2f}x", flush=True)
    queries, wall, rss = run_child(QUERIES, str(graph), str(args.runs), str(args.budget), ",".join(args.skip))
    result["queries"] = {**queries, "wall_s": wall, "rss_mib": rss}
    for name, q in queries["queries"].items():
        if q.get("skipped"):
            print(f"  {name:26} skipped (--skip)", flush=True)
            continue
        print(f"  {name:26} rows {q['rows']:>7,}  store {q['store_ms']:9.1f} ms  direct {q['direct_ms']:9.1f} ms  "
              f"x{q['store_ms'] / q['direct_ms']:.2f}", flush=True)
    for w in queries["windows"]:
        print(f"  window {w['window']:8} rows {w['rows']:>6,}  indexed {w['indexed direct_ms']:7.1f} ms "
              f"(store {w['indexed store_ms']:.1f})  plain {w['plain direct_ms']:7.1f} ms  identical {w['identical']}",
              flush=True)
    r = queries["render"]
    print(f"  render 2018: {r['events']:,} events, load_view {r['load_view_s']:.2f} s, render {r['render_s']:.2f} s, "
          f"{r['html_bytes'] / 1024:,.0f} KiB", flush=True)
    if not (args.keep or args.reuse):  # a later --reuse run reuses them
        shutil.rmtree(case_dir, ignore_errors=True)
        graph.unlink(missing_ok=True)
    return result


def markdown(results: list[dict]) -> str:
    lines = ["| events | quads | build | peak RSS | build --no-shacl | peak RSS "
             "| floor: pyoxigraph bulk_load | peak RSS | build / floor (time, RSS) | --no-shacl / floor |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        b, f = r["build"], r["floor"]
        rd, dw = b.get("shacl"), b.get("no-shacl")
        cells = [f"{r['events']:,}", f"{r['generate']['quads']:,}"]
        for x in (rd, dw):
            cells += [f"{x['wall_s']:.1f} s", f"{x['rss_mib']:,.0f} MiB"] if x else ["–", "–"]
        cells += [f"{f['wall_s']:.1f} s", f"{f['rss_mib']:,.0f} MiB"]
        cells += [f"{x['wall_s'] / f['wall_s']:.2f}x, {x['rss_mib'] / f['rss_mib']:.2f}x" if x else "–"
                  for x in (rd, dw)]
        lines.append("| " + " | ".join(cells) + " |")
    phases = ["imports", "load", "checks", "graph", "shacl", "write"]
    lines += ["", "| events | build | " + " | ".join(phases) + " |", "|---:|---|" + "---:|" * len(phases)]
    for r in results:
        for variant, b in r["build"].items():
            cells = [f"{b['phases'][k]:.1f} s" if k in b["phases"] else "–" for k in phases]
            lines.append(f"| {r['events']:,} | {variant} | " + " | ".join(cells) + " |")
    names = sorted(results[0]["queries"]["queries"])
    header = "| query | " + " | ".join(f"{r['events']:,}: rows · store / direct ms · ratio" for r in results) + " |"
    lines += ["", header, "|---|" + "---|" * len(results)]
    for name in names:
        cells = []
        for r in results:
            q = r["queries"]["queries"][name]
            if q.get("skipped"):
                cells.append("skipped")
                continue
            ratio = q["store_ms"] / q["direct_ms"]
            cells.append(f"{q['rows']:,} · {q['store_ms']:.1f} / {q['direct_ms']:.1f} · {ratio:.2f}x")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines += ["", "| events | window | rows | indexed: direct ms | indexed: store ms | plain FILTER: direct ms "
              "| plain FILTER: store ms | speed-up (direct) | identical |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        for w in r["queries"]["windows"]:
            lines.append(f"| {r['events']:,} | {w['window']} ({w['from']} – {w['to']}) | {w['rows']:,} | "
                         f"{w['indexed direct_ms']:.1f} | {w['indexed store_ms']:.1f} | {w['plain direct_ms']:.1f} | "
                         f"{w['plain store_ms']:.1f} | {w['plain direct_ms'] / w['indexed direct_ms']:.1f}x | "
                         f"{'yes' if w['identical'] else 'NO'} |")
    lines += ["", "| events | events in 2018 | load_view s | render_timeline s | HTML KiB |",
              "|---:|---:|---:|---:|---:|"]
    for r in results:
        x = r["queries"]["render"]
        lines.append(f"| {r['events']:,} | {x['events']:,} | {x['load_view_s']:.2f} | {x['render_s']:.2f} | "
                     f"{x['html_bytes'] / 1024:,.0f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 10000],
                        help="comma-separated event counts (default 1000,10000)")
    parser.add_argument("--with-100k", action="store_true", help="also 100,000 events (about half an hour, 16 GB)")
    parser.add_argument("--build", type=lambda s: s.split(","), default=["shacl", "no-shacl"],
                        help="build variants: shacl (the default build), no-shacl; comma-separated")
    parser.add_argument("--runs", type=int, default=15, help="runs per query (p50), default 15")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds per query before stopping early (at least 3 runs)")
    parser.add_argument("--skip", type=lambda s: s.split(","), default=[],
                        help="saved queries not to run (comma-separated), e.g. single-source-events at 100k")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of floor and builds, interleaved (medians), default 3")
    parser.add_argument("--json", type=Path, help="write all figures as JSON")
    parser.add_argument("--workdir", type=Path, help="where to write cases and graphs (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated cases and graphs")
    parser.add_argument("--reuse", action="store_true",
                        help="with --workdir: reuse the cases and graphs a previous --keep or --reuse run "
                             "generated there (and keep them)")
    args = parser.parse_args()
    sizes = args.sizes + ([100_000] if args.with_100k and 100_000 not in args.sizes else [])
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    # Compiled once, here, into a cache every child then reads; no measured child compiles the sources.
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(work / "pycache"))
    subprocess.run([PY, "-m", "compileall", "-q", str(REPO / "timeline")], env=child_env(), check=True)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; work in {work}")
    results, ok = [], True
    for n in sizes:
        result = bench_size(n, work, args)
        results.append(result)
        ok = ok and all(w["identical"] for w in result["queries"]["windows"])
    print("\n" + markdown(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.workdir is None and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
