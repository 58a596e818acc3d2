#!/usr/bin/env python3
"""Wall-clock benchmark of the ``timeline`` command line.

Each command runs as a fresh subprocess (interpreter start-up, imports, work,
exit), timed with ``time.perf_counter`` around ``subprocess.run``. Machines are
noisy, so every figure is also given as a multiple of the median of
``python -c pass`` (interpreter start-up) measured in the same run. Rounds are
interleaved (one run of every command per round) so that drift in machine load
affects all commands alike.

The commands run from the repository root with ``PYTHONPATH`` set to it (no
installation needed) and ``TIMELINE_OUT`` set to a temporary directory, so
nothing is written to the repository. Bytecode caching is on, as for an
installed package, with the cache kept in the temporary directory
(``PYTHONPYCACHEPREFIX``); ``--no-pyc`` measures without it.

    python benchmarks/bench_cli.py [--runs N] [--json FILE]
    python benchmarks/bench_cli.py --profile-imports

Exit status: 0 if every command meets its budget, 1 otherwise (or if a command
fails, or with --profile-imports if --help imports a heavy library).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
CLI = [PY, "-m", "timeline.cli"]
RUN_TIMEOUT = 300  # seconds, per run

# Libraries the CLI imports inside commands; none of them may load for --help.
HEAVY_IMPORTS = ("rdflib", "pyoxigraph", "pyshacl", "networkx", "pyvis")


@dataclass
class Bench:
    name: str
    argv: list[str]
    budget_ms: float | None  # None: no budget (the baseline)
    samples_ms: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p90(self) -> float:
        if len(self.samples_ms) < 2:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=10, method="inclusive")[-1]

    @property
    def min(self) -> float:
        return min(self.samples_ms)

    def status(self) -> str:
        if self.error:
            return "ERROR"
        if self.budget_ms is None:
            return "-"
        return "PASS" if self.median <= self.budget_ms else "FAIL"


def benches(env: dict[str, str]) -> list[Bench]:
    items = [
        Bench("python -c pass", [PY, "-c", "pass"], None),
        Bench("timeline --help", [*CLI, "--help"], 200),
        Bench("timeline build", [*CLI, "build"], 1000),
        Bench("timeline validate", [*CLI, "validate"], 1000),
        Bench("query actor-timeline", [*CLI, "query", "actor-timeline", "--param", "actor=ice"], 1000),
        Bench("query events-in-window --format json",
              [*CLI, "query", "events-in-window", "--param", "from=2018-05", "--param", "to=2018-06",
               "--format", "json"], 1000),
        Bench("query co-participation", [*CLI, "query", "co-participation"], 1000),
    ]
    script = shutil.which("timeline", path=env.get("PATH"))
    if script:  # an installed console script adds the entry-point overhead
        items.append(Bench("timeline --help (console script)", [script, "--help"], 200))
    return items


def make_env(tmp: Path, pyc: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["TIMELINE_OUT"] = str(tmp / "out")
    env.pop("TIMELINE_DEBUG", None)
    if pyc:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=RUN_TIMEOUT)
    elapsed = (time.perf_counter() - start) * 1000.0
    return elapsed, proc


def describe_failure(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return f"exit {proc.returncode}: {lines[-1] if lines else '(no stderr)'}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, object]:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "executable": PY,
    }


def run_benchmarks(runs: int, warmup: int, env: dict[str, str]) -> list[Bench]:
    items = benches(env)
    # Build once, untimed, so that the queries have a graph to read.
    _, proc = run_once([*CLI, "build"], env)
    if proc.returncode != 0:
        sys.exit(f"bench_cli: the initial build failed ({describe_failure(proc)}); nothing measured")
    total = warmup + runs
    progress = sys.stderr.isatty()
    for round_no in range(total):
        timed = round_no >= warmup
        label = f"run {round_no - warmup + 1}/{runs}" if timed else f"warm-up {round_no + 1}/{warmup}"
        if progress:
            print(f"\r{label} ...", end="", file=sys.stderr, flush=True)
        for bench in items:
            if bench.error:
                continue
            elapsed, proc = run_once(bench.argv, env)
            if proc.returncode != 0:
                bench.error = describe_failure(proc)
            elif timed:
                bench.samples_ms.append(elapsed)
    if progress:
        print("\r" + " " * 30 + "\r", end="", file=sys.stderr, flush=True)
    return items


def print_table(items: list[Bench], base: float) -> None:
    header = ("command", "median ms", "p90 ms", "min ms", "x baseline", "budget ms", "result")
    rows = []
    for b in items:
        if b.error or not b.samples_ms:
            rows.append((b.name, "-", "-", "-", "-", f"{b.budget_ms:.0f}" if b.budget_ms else "-", b.status()))
            continue
        rows.append((b.name, f"{b.median:.0f}", f"{b.p90:.0f}", f"{b.min:.0f}", f"{b.median / base:.1f}",
                     f"{b.budget_ms:.0f}" if b.budget_ms else "-", b.status()))
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def fmt(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(fmt(row))
    for b in items:
        if b.error:
            print(f"error: {b.name}: {b.error}")


def import_times(argv: list[str], env: dict[str, str]) -> list[tuple[int, int, int, str]] | None:
    """(self us, cumulative us, depth, module) per line of ``-X importtime``; None if the command failed."""
    run_once(argv, env)  # warm the bytecode cache
    _, proc = run_once(argv, env)
    if proc.returncode != 0:
        print(f"bench_cli: {' '.join(argv[1:])} failed ({describe_failure(proc)})", file=sys.stderr)
        return None
    entries = []
    for line in proc.stderr.decode("utf-8", "replace").splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line[len("import time:"):].split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue  # the header line
        name = fields[2].rstrip()
        module = name.lstrip()
        entries.append((int(fields[0]), int(fields[1]), (len(name) - len(module) - 1) // 2, module))
    return entries


def profile_imports(env: dict[str, str], top: int) -> int:
    startup = import_times([PY, "-X", "importtime", "-c", "pass"], env)
    entries = import_times([PY, "-X", "importtime", "-m", "timeline.cli", "--help"], env)
    if startup is None or entries is None:
        return 1
    startup_names = {m for *_, m in startup}
    startup_ms = sum(cum for _, cum, depth, _ in startup if depth == 0) / 1000
    own = [e for e in entries if e[3] not in startup_names]
    own_ms = sum(cum for _, cum, depth, m in own if depth == 0) / 1000
    print(f"python -X importtime -c pass: {len(startup)} modules, {startup_ms:.1f} ms "
          "(interpreter start-up, also in the baseline; left out below)")
    print(f"python -X importtime -m timeline.cli --help: {len(own)} more modules, {own_ms:.1f} ms")
    print(f"{top} slowest imports of --help by cumulative time (self = the module alone; indent = nesting):")
    print(f"{'cumulative ms':>13}  {'self ms':>7}  module")
    for self_us, cum_us, depth, module in sorted(own, key=lambda e: -e[1])[:top]:
        print(f"{cum_us / 1000:13.1f}  {self_us / 1000:7.1f}  {'  ' * depth}{module}")
    heavy = sorted({m.split(".")[0] for *_, m in entries} & set(HEAVY_IMPORTS))
    if heavy:
        print(f"FAIL: --help imports heavy libraries: {', '.join(heavy)}")
        return 1
    print(f"ok: none of {', '.join(HEAVY_IMPORTS)} is imported by --help")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed warm-up runs per command (default 2)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures and samples as JSON")
    parser.add_argument("--no-pyc", action="store_true",
                        help="run without a bytecode cache (PYTHONDONTWRITEBYTECODE=1): timeline's modules "
                             "are compiled on every run, as in a source checkout without __pycache__")
    parser.add_argument("--profile-imports", action="store_true",
                        help="only run 'python -X importtime -m timeline.cli --help' and list the slowest imports")
    parser.add_argument("--top", type=int, default=10, help="imports to list with --profile-imports (default 10)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")

    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as tmp:
        env = make_env(Path(tmp), pyc=not args.no_pyc)
        if args.profile_imports:
            return profile_imports(env, args.top)

        info = machine()
        started = dt.datetime.now().astimezone()
        print(f"{started:%Y-%m-%d %H:%M %Z}  {info['cpu']}, {info['cores']} cores, "
              f"{info['implementation']} {info['python']}; {args.runs} runs after {args.warmup} warm-up(s)"
              f"{', no bytecode cache' if args.no_pyc else ''}")
        items = run_benchmarks(args.runs, args.warmup, env)

    baseline = items[0]
    if baseline.error or not baseline.samples_ms:
        print(f"bench_cli: the baseline failed: {baseline.error}", file=sys.stderr)
        return 1
    base = baseline.median
    print_table(items, base)
    failed = [b for b in items if b.status() in ("FAIL", "ERROR")]

    if args.json:
        doc = {
            "date": started.isoformat(timespec="seconds"),
            "machine": info,
            "runs": args.runs,
            "warmup": args.warmup,
            "bytecode_cache": not args.no_pyc,
            "baseline_median_ms": base,
            "results": [
                {"name": b.name, "argv": [Path(a).name if a == PY else a for a in b.argv],
                 "budget_ms": b.budget_ms, "status": b.status(), "error": b.error,
                 **({"median_ms": b.median, "p90_ms": b.p90, "min_ms": b.min, "ratio": b.median / base}
                    if b.samples_ms else {}),
                 "samples_ms": [round(s, 2) for s in b.samples_ms]}
                for b in items
            ],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")

    if failed:
        print(f"over budget or failed: {', '.join(b.name for b in failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
