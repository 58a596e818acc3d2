"""SHACL on the sample case: the sparql engine against pySHACL, in one process.

Both engines validate the same built dataset against ontology/shapes.ttl; the
figure that matters is the ratio, measured in the same run (machines are noisy).

    python benchmarks/bench_shacl.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timeline import pipeline, resources, shacl  # noqa: E402


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        assert result == [], result  # the sample conforms: both engines must agree
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    report = pipeline.check(resources.sample_case_dir(), shacl=False)
    timed(lambda: shacl.validate_nquads(report.nquads), 1)  # warm-up: imports, shapes parse
    timed(lambda: shacl.validate_pyshacl(report.dataset), 1)
    sparql = timed(lambda: shacl.validate_nquads(report.nquads), args.runs)
    reference = timed(lambda: shacl.validate_pyshacl(report.dataset), args.runs)
    m_sparql, m_ref = statistics.median(sparql), statistics.median(reference)
    print(f"sample case: {report.quads} quads, {args.runs} runs each")
    print(f"{'engine':10} {'median ms':>10} {'min ms':>8}")
    print(f"{'sparql':10} {m_sparql:10.1f} {min(sparql):8.1f}")
    print(f"{'pyshacl':10} {m_ref:10.1f} {min(reference):8.1f}")
    print(f"pyshacl / sparql: {m_ref / m_sparql:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
