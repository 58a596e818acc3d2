"""Render time, file size and time-to-interactive of the timeline and graph pages.

For the sample case and synthetic cases of 1,000 and 5,000 events (the views of
``timeline.testing.cases``' built graphs, from ``timeline.testing.views.synthetic_view``):

* render time: median of N in-process calls of render_timeline / render_graph;
* file size of the HTML;
* time until the page is interactive in headless Debian Chromium: from
  navigation start until the first timeline item is drawn (timeline) or the
  network reports its nodes and has drawn once (graph), median of N loads.

Figures are also given as ratios to the sample case, measured in the same run.

    python benchmarks/bench_render.py [--runs N] [--sizes 1000,5000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from timeline import pipeline, resources  # noqa: E402
from timeline.render.graph import render_graph  # noqa: E402
from timeline.render.timeline import render_timeline  # noqa: E402
from timeline.stores import open_store  # noqa: E402
from timeline.testing.views import synthetic_view  # noqa: E402
from timeline.views.model import load_view  # noqa: E402

READY = {
    "timeline": "document.querySelectorAll('.vis-item').length > 0",
    "graph": "window.timelineGraph && window.timelineGraph.body && window.timelineGraph.body.data.nodes.length > 0",
}


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def interactive_ms(browser, path: Path, kind: str, runs: int) -> float:
    from browser import visit

    times = []
    for _ in range(runs):
        with visit(browser, path.as_uri()) as v:
            v.page.wait_for_function(READY[kind], timeout=120_000)
            elapsed = v.page.evaluate("performance.now()")
            times.append(elapsed)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,5000")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-render-"))
    graph = work / "graph.nq"
    pipeline.build(resources.sample_case_dir(), graph)
    views = {"sample": load_view(open_store(graph))}
    for size in (int(s) for s in args.sizes.split(",") if s):
        views[f"synthetic {size}"] = synthetic_view(size)

    from browser import launch
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for name, view in views.items():
            for kind, render in (("timeline", render_timeline), ("graph", render_graph)):
                ms, html = median_ms(lambda render=render, view=view: render(view), args.runs)
                path = work / f"{kind}-{name.replace(' ', '-')}.html"
                path.write_text(html, encoding="utf-8")
                tti = interactive_ms(browser, path, kind, max(1, args.runs // 2))
                rows.append((name, kind, len(view.events), ms, path.stat().st_size / 1024, tti))
        browser.close()
    base = {kind: (ms, tti) for name, kind, _n, ms, _kb, tti in rows if name == "sample"}
    print(f"{'case':15} {'page':9} {'events':>7} {'render ms':>10} {'x sample':>9} {'KiB':>7} "
          f"{'interactive ms':>15} {'x sample':>9}")
    for name, kind, n, ms, kib, tti in rows:
        print(f"{name:15} {kind:9} {n:7d} {ms:10.1f} {ms / base[kind][0]:9.1f} {kib:7.0f} {tti:15.0f} "
              f"{tti / base[kind][1]:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
