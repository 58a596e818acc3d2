"""Render time, file size and time-to-interactive of the timeline and graph pages.

For the sample case and synthetic cases of 1,000 and 5,000 events (the views of
``timeline.testing.cases``' built graphs, from ``timeline.testing.views.synthetic_view``):

* render time: median of N in-process calls of render_timeline / render_graph;
* file size of the HTML;
* time until the page is interactive in headless Debian Chromium, from
  navigation start, median of N loads: the timeline when it has fitted its
  events in and drawn them (``html.tl-ready``: a click, a key or a touch then
  works), the graph when the network reports its nodes and has drawn once.

Ratios, measured in the same run: to a baseline page that is the page's library
alone (vis-timeline, or vis-network, inlined the same way, drawing one item),
which says how fast this machine is right now; and to the sample case. The
timeline's targets (the sample under 1 s, 5,000 events under 2 s) are checked
against the absolute times.

    python benchmarks/bench_render.py [--runs N] [--sizes 1000,5000] [--pages timeline,graph]
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
from timeline.render import assets  # noqa: E402
from timeline.render.graph import render_graph  # noqa: E402
from timeline.render.story import render_story  # noqa: E402
from timeline.render.timeline import render_timeline  # noqa: E402
from timeline.stores import open_store  # noqa: E402
from timeline.testing.views import synthetic_view  # noqa: E402
from timeline.views.model import load_view  # noqa: E402

READY = {
    "timeline": "document.documentElement.classList.contains('tl-ready')",
    "graph": "window.timelineGraph && window.timelineGraph.body && window.timelineGraph.body.data.nodes.length > 0",
    "story": "document.documentElement.classList.contains('st-ready')",
    "library": "window.__drawn === true",
}
#: The timeline page's targets, ms until interactive (issue 18).
TARGETS = {("sample", "timeline"): 1000, ("synthetic 5000", "timeline"): 2000, ("sample", "story"): 1000}

_BASELINE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>baseline</title><style>{css}</style></head><body><div id="x" style="height:400px"></div>
<script>{js}</script><script>{draw}</script></body></html>"""
_DRAW = {
    "timeline": "var t = new vis.Timeline(document.getElementById('x'), new vis.DataSet([{id: 1, content: 'one', "
                "start: new Date(2018, 5, 1)}]), {onInitialDrawComplete: function () { window.__drawn = true; }});",
    "story": "window.__drawn = true;",  # the story page has no library: its baseline is an empty page
    "graph": "var n = new vis.Network(document.getElementById('x'), {nodes: new vis.DataSet([{id: 1, label: 'one'}]), "
             "edges: new vis.DataSet([])}, {physics: false}); n.once('afterDrawing', function () "
             "{ window.__drawn = true; });",
}


def baseline_page(kind: str) -> str:
    """The page's library alone, inlined as the page inlines it, drawing one item."""
    from timeline.render.timeline import _inline

    if kind == "story":
        return _BASELINE.format(css="", js="", draw=_DRAW[kind])
    js = assets.TIMELINE_JS if kind == "timeline" else assets.NETWORK_JS
    css = _inline(assets.read(assets.TIMELINE_CSS), "css") if kind == "timeline" else ""
    return _BASELINE.format(css=css, js=_inline(assets.read(js), "js"), draw=_DRAW[kind])


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def interactive_ms(browser, path: Path, ready: str, runs: int) -> float:
    from browser import visit

    times = []
    for _ in range(runs):
        with visit(browser, path.as_uri()) as v:
            v.page.wait_for_function(READY[ready], timeout=120_000)
            times.append(v.page.evaluate("performance.now()"))
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--pages", default="timeline,graph,story", help="which pages: timeline, graph, story")
    args = parser.parse_args()
    kinds = [k for k in ("timeline", "graph", "story") if k in args.pages.split(",")]
    renderers = {"timeline": render_timeline, "graph": render_graph, "story": render_story}
    work = Path(tempfile.mkdtemp(prefix="bench-render-"))
    graph = work / "graph.nq"
    pipeline.build(resources.sample_case_dir(), graph)
    views = {"sample": load_view(open_store(graph))}
    for size in (int(s) for s in args.sizes.split(",") if s):
        views[f"synthetic {size}"] = synthetic_view(size)

    from browser import launch
    from playwright.sync_api import sync_playwright

    rows, base = [], {}
    loads = max(1, args.runs // 2)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for kind in kinds:
            path = work / f"baseline-{kind}.html"
            path.write_text(baseline_page(kind), encoding="utf-8")
            base[kind] = interactive_ms(browser, path, "library", loads)
        for name, view in views.items():
            for kind in kinds:
                ms, html = median_ms(lambda kind=kind, view=view: renderers[kind](view), args.runs)
                path = work / f"{kind}-{name.replace(' ', '-')}.html"
                path.write_text(html, encoding="utf-8")
                tti = interactive_ms(browser, path, kind, loads)
                rows.append((name, kind, len(view.events), ms, path.stat().st_size / 1024, tti))
        browser.close()
    sample = {kind: (ms, tti) for name, kind, _n, ms, _kb, tti in rows if name == "sample"}
    print("baseline (the library alone, one item): "
          + ", ".join(f"{kind} interactive in {ms:.0f} ms" for kind, ms in base.items()))
    print(f"{'case':15} {'page':9} {'events':>7} {'render ms':>10} {'x sample':>9} {'KiB':>7} "
          f"{'interactive ms':>15} {'x baseline':>11} {'x sample':>9}  target")
    for name, kind, n, ms, kib, tti in rows:
        target = TARGETS.get((name, kind))
        verdict = f"< {target} ms {'PASS' if tti < target else 'FAIL'}" if target else ""
        print(f"{name:15} {kind:9} {n:7d} {ms:10.1f} {ms / sample[kind][0]:9.1f} {kib:7.0f} {tti:15.0f} "
              f"{tti / base[kind]:11.1f} {tti / sample[kind][1]:9.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
