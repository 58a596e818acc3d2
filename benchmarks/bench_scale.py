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
* **cold CLI** (``--cli``, or ``--cli-only`` for this alone): what a user waits
  for at the prompt, each run a fresh ``python -m timeline`` process: a saved
  query (``actor-timeline`` for the actor with the median number of events)
  on the built graph -- the first one, which keeps the query store beside the
  graph (:mod:`timeline.stores.kept`), then cold queries that open it -- and
  on the sample, ``query actor-timeline --param actor=ICE``, ``entity ICE`` and
  ``stats`` from a directory where ``timeline build`` ran. With ``--before
  DIR`` (an earlier source tree, e.g. ``git archive COMMIT | tar -x -C DIR``)
  the same commands run on that code too, interleaved, and must print the same
  answers; every figure is also given as a multiple of ``python -c pass`` timed
  in the same rounds (target: the 100k saved query under 0.5 s).

    python benchmarks/bench_scale.py                      # 1k and 10k events, a few minutes
    python benchmarks/bench_scale.py --with-100k          # adds 100k: about half an hour, 16 GB
    python benchmarks/bench_scale.py --sizes 1000 --runs 5 --json benchmarks/results/scale.json
    git archive HEAD~3 | tar -x -C /tmp/before                # then, the cold CLI before and after:
    python benchmarks/bench_scale.py --cli-only --with-100k --before /tmp/before

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


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def median_actor(case_dir: Path) -> tuple[str, int]:
    """The actor with the median number of events in the case's events.csv (ties: the smallest id), and that number."""
    import csv
    import re

    counts: dict[str, int] = {}
    with open(case_dir / "events.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for actor in {part.split(":")[0].strip() for part in re.split(r"[;|]", row["actors"] or "")} - {""}:
                counts[actor] = counts.get(actor, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]))
    return ranked[len(ranked) // 2]


class Cli:
    """Cold ``python -m timeline`` processes of the current tree (``after``) and optionally an earlier one."""

    def __init__(self, before: Path | None):
        self.trees = {"after": REPO, **({"before": before.resolve()} if before else {})}

    def env(self, tree: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = child_env()
        env["PYTHONPATH"] = str(self.trees[tree]) + os.pathsep + os.environ.get("PYTHONPATH", "")
        env.pop("TIMELINE_STORE_MIN_BYTES", None)
        return {**env, **(extra or {})}

    def run(self, argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, bytes, float]:
        """(wall seconds, stdout, CPU seconds: user + system of that child, from ``os.wait4``)."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            if child.returncode != 0:
                raise RuntimeError(f"{' '.join(argv)} failed: {err.read().decode(errors='replace')[-2000:]}")
            out.seek(0)
            return wall, out.read(), usage.ru_utime + usage.ru_stime

    def rounds(self, variants: dict[str, tuple[list[str], dict[str, str], int]], cwd: Path) -> dict:
        """Interleaved rounds; variants: label -> (argv, env, runs). Returns label -> {median_s, cpu_s, runs, stdout}.

        CPU time is given beside wall time: on a shared machine it moves less with the other work going on."""
        samples: dict[str, list[tuple[float, float]]] = {label: [] for label in variants}
        outputs: dict[str, bytes] = {}
        for round_ in range(max(runs for _, _, runs in variants.values())):
            for label, (argv, env, runs) in variants.items():
                if round_ < runs:
                    wall, out, cpu = self.run(argv, env, cwd)
                    samples[label].append((wall, cpu))
                    outputs.setdefault(label, out)
        return {label: {"median_s": median([w for w, _ in v]), "cpu_s": median([c for _, c in v]),
                        "runs": [w for w, _ in v], "stdout": outputs[label]} for label, v in samples.items()}


PASS = [PY, "-c", "pass"]


def timeline_argv(*args: str) -> list[str]:
    return [PY, "-m", "timeline", *args]


def cli_compare(cli: Cli, commands: dict[str, list[str]], cwd: Path, runs: int, before_runs: int,
                extra: dict[str, tuple[str, dict[str, str]]] | None = None) -> dict:
    """Each command before (if given) and after, with ``python -c pass``, interleaved; answers compared."""
    results = {}
    for name, args in commands.items():
        variants = {"python -c pass": (PASS, cli.env("after"), runs),
                    "after": (timeline_argv(*args), cli.env("after"), runs)}
        if "before" in cli.trees:
            variants["before"] = (timeline_argv(*args), cli.env("before"), before_runs)
        for label, (tree, env_extra) in (extra or {}).items():
            variants[label] = (timeline_argv(*args), cli.env(tree, env_extra), runs)
        measured = cli.rounds(variants, cwd)
        if "before" in measured and measured["before"]["stdout"] != measured["after"]["stdout"]:
            raise RuntimeError(f"{name}: the answer differs before and after")
        results[name] = {label: {k: m[k] for k in ("median_s", "cpu_s", "runs")} for label, m in measured.items()}
        results[name]["output_lines"] = measured["after"]["stdout"].count(b"\n")
        print("  " + cli_line(name, results[name]), flush=True)
    return results


def cli_line(name: str, r: dict) -> str:
    base = r["python -c pass"]["median_s"]
    parts = [f"{name}: pass {base * 1000:.0f} ms"]
    for label, m in r.items():
        if label in ("python -c pass", "output_lines"):
            continue
        parts.append(f"{label} {m['median_s'] * 1000:,.0f} ms ({m['median_s'] / base:.1f}x pass, "
                     f"CPU {m['cpu_s'] * 1000:,.0f} ms, {len(m['runs'])} runs)")
    if "before" in r:
        parts.append(f"after/before {r['after']['median_s'] / r['before']['median_s']:.3f} "
                     f"(CPU {r['after']['cpu_s'] / r['before']['cpu_s']:.3f})")
    return "; ".join(parts)


def bench_cli_size(n: int, case_dir: Path, graph: Path, cli: Cli, args) -> dict:
    """Cold CLI on the synthetic case's built graph: the first query (keeps the store), then cold ones."""
    store = graph.with_name(graph.stem + ".oxigraph")
    shutil.rmtree(store, ignore_errors=True)
    actor, events = median_actor(case_dir)
    args_q = ["query", "actor-timeline", "-p", f"actor={actor}", "--graph", str(graph), "--format", "csv"]
    first_s, _, _ = cli.run(timeline_argv(*args_q), cli.env("after"), graph.parent)
    size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
    print(f"cold CLI: first query (keeps {store.name}, {size / 2**20:,.0f} MiB) {first_s:.1f} s; "
          f"actor {actor} ({events} events)", flush=True)
    before_runs = args.cli_runs if n <= 10_000 else args.slow_runs
    label = next(r[1] for r in json.loads((store / "entity-names.json").read_text(encoding="utf-8")) if r[0] == actor)
    by_label = ["query", "actor-timeline", "-p", f"actor={label}", "--graph", str(graph), "--format", "csv"]
    results = cli_compare(cli, {"query actor-timeline": args_q, "query actor-timeline, actor by label": by_label},
                          graph.parent, args.cli_runs, before_runs)
    return {"first_query_s": first_s, "store_mib": size / 2**20, "actor": actor, "actor_events": events,
            "commands": results}


def bench_cli_sample(work: Path, cli: Cli, args) -> dict:
    """Cold CLI on the sample, as the README runs it: `timeline build` in a directory, then read commands there."""
    where = work / "sample"
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    (where / "sources").symlink_to(REPO / "sources")
    cli.run(timeline_argv("build", "-q"), cli.env("after"), where)
    print("\n== the sample, cold CLI ==", flush=True)
    commands = {"query actor-timeline --param actor=ICE": ["query", "actor-timeline", "--param", "actor=ICE"],
                "entity ICE": ["entity", "ICE"], "stats": ["stats"]}
    forced = {"after, store forced": ("after", {"TIMELINE_STORE_MIN_BYTES": "0"})}  # what a store would cost here
    return cli_compare(cli, commands, where, args.cli_runs, args.cli_runs, extra=forced)


def cli_markdown(sample: dict | None, sizes: list[dict]) -> str:
    lines = ["| case | command | `python -c pass` | before | after | after / before | before / pass | after / pass "
             "| CPU: before, after, ratio |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]

    def row(case: str, name: str, r: dict, label: str = "after") -> None:
        base, after = r["python -c pass"]["median_s"], r[label]["median_s"]
        before = r.get("before", {}).get("median_s")
        cpu_before, cpu_after = r.get("before", {}).get("cpu_s"), r[label]["cpu_s"]
        cells = [case, f"`{name}`" + ("" if label == "after" else f" ({label})"), f"{base * 1000:.0f} ms",
                 f"{before * 1000:,.0f} ms" if before else "–", f"{after * 1000:,.0f} ms",
                 f"{after / before:.3f}" if before else "–", f"{before / base:.1f}x" if before else "–",
                 f"{after / base:.1f}x",
                 f"{cpu_before * 1000:,.0f}, {cpu_after * 1000:,.0f} ms, {cpu_after / cpu_before:.3f}" if before
                 else f"–, {cpu_after * 1000:,.0f} ms, –"]
        lines.append("| " + " | ".join(cells) + " |")

    for name, r in (sample or {}).items():
        row("sample", name, r)
        for label in r:
            if label.startswith("after, "):
                row("sample", name, r, label)
    for s in sizes:
        for name, r in s["cli"]["commands"].items():
            row(f"{s['events']:,} events", f"{name} ({s['cli']['actor_events']} events)", r)
    lines += ["", "| events | first query, keeping the store | store size |", "|---:|---:|---:|"]
    lines += [f"| {s['events']:,} | {s['cli']['first_query_s']:.1f} s | {s['cli']['store_mib']:,.0f} MiB |"
              for s in sizes]
    return "\n".join(lines)


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
    if args.cli or args.cli_only:
        result["cli"] = bench_cli_size(n, case_dir, graph, args.cli_runner, args)
    if args.cli_only:
        _tidy(n, case_dir, graph, args)
        return result
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
    _tidy(n, case_dir, graph, args)
    return result


def _tidy(n: int, case_dir: Path, graph: Path, args) -> None:
    shutil.rmtree(graph.with_name(graph.stem + ".oxigraph"), ignore_errors=True)  # the CLI's kept store
    if not (args.keep or args.reuse):  # a later --reuse run reuses them
        shutil.rmtree(case_dir, ignore_errors=True)
        graph.unlink(missing_ok=True)


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
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",") if x], default=[1000, 10000],
                        help="comma-separated event counts (default 1000,10000; '' for none: the sample's CLI only)")
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
    parser.add_argument("--cli", action="store_true", help="also time cold CLI processes (see above)")
    parser.add_argument("--cli-only", action="store_true", help="only the cold CLI timings (no builds, no in-process "
                        "queries): the sample and each size")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="an earlier source tree whose CLI is timed beside this one's (with --cli/--cli-only)")
    parser.add_argument("--cli-runs", type=int, default=9, help="cold CLI runs per command (median), default 9")
    parser.add_argument("--slow-runs", type=int, default=2,
                        help="cold CLI runs of --before above 10k events (each parses the whole graph), default 2")
    args = parser.parse_args()
    args.cli_runner = Cli(args.before)
    sizes = args.sizes + ([100_000] if args.with_100k and 100_000 not in args.sizes else [])
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    # Compiled once, here, into a cache every child then reads; no measured child compiles the sources.
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(work / "pycache"))
    for tree in args.cli_runner.trees.values():
        subprocess.run([PY, "-m", "compileall", "-q", str(tree / "timeline")], env=child_env(), check=True)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; work in {work}")
    results, ok = [], True
    sample = bench_cli_sample(work, args.cli_runner, args) if args.cli or args.cli_only else None
    for n in sizes:
        result = bench_size(n, work, args)
        results.append(result)
        ok = ok and all(w["identical"] for w in result.get("queries", {}).get("windows", []))
    if not args.cli_only:
        print("\n" + markdown(results))
    if sample is not None:
        print("\n" + cli_markdown(sample, results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"sizes": results, "cli_sample": sample} if sample else results, indent=2),
                             encoding="utf-8")
    if args.workdir is None and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
