"""SHACL engines in one process: scan, sparql and pySHACL on the sample; scan and sparql on larger graphs.

Every engine validates the same built N-Quads against ontology/shapes.ttl and
must find them conforming. The figures that matter are the ratios, measured in
the same run (machines are noisy). ``--events N`` adds a synthetic case of N
events (``timeline.testing.cases``, seed 7); ``--nquads FILE`` a built graph on
disk (such as the 100k-event graph ``bench_scale.py --keep`` leaves). pySHACL
runs on the sample only: it needs minutes and gigabytes beyond that.

    python benchmarks/bench_shacl.py [--runs N] [--events 10000] [--nquads FILE]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timeline import pipeline, resources, shacl  # noqa: E402
from timeline.shacl import scan as shacl_scan


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        assert result == [], result[:3]  # the graphs conform: every engine must agree
    return times


def compare(name: str, data: bytes, runs: int, dataset=None) -> None:
    """Every engine on ``data``; pySHACL too when given the rdflib ``dataset`` (the sample, which warms up)."""
    engines = {"scan": lambda: shacl_scan.validate_sorted_nquads(data), "sparql": lambda: shacl.validate_nquads(data)}
    if dataset is not None:
        engines["pyshacl"] = lambda: shacl.validate_pyshacl(dataset)
        for fn in engines.values():  # warm-up: imports, shapes parse
            timed(fn, 1)
    samples: dict[str, list[float]] = {k: [] for k in engines}
    for _ in range(runs):  # interleaved, so that a change in load hits every engine alike
        for key, fn in engines.items():
            samples[key] += timed(fn, 1)
    quads = data.count(b"\n")
    print(f"\n{name}: {quads:,} quads, {runs} runs each")
    print(f"{'engine':10} {'median ms':>12} {'min ms':>12} {'/ scan':>8}")
    base = statistics.median(samples["scan"])
    for key, values in samples.items():
        m = statistics.median(values)
        print(f"{key:10} {m:12,.1f} {min(values):12,.1f} {m / base:7.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--events", type=int, help="also a synthetic case of this many events")
    parser.add_argument("--nquads", type=Path, help="also this built graph (sorted N-Quads)")
    args = parser.parse_args()
    report = pipeline.check(resources.sample_case_dir(), shacl=False)
    compare("sample case", report.nquads, args.runs, report.dataset)
    if args.events:
        from timeline.testing.cases import write_synthetic_case

        with tempfile.TemporaryDirectory() as tmp:
            write_synthetic_case(Path(tmp) / "case", args.events, 7)
            built = pipeline.check(Path(tmp) / "case", shacl=False)
        compare(f"synthetic case, {args.events:,} events", built.nquads, max(3, args.runs // 3))
    if args.nquads:
        compare(str(args.nquads), args.nquads.read_bytes(), 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
