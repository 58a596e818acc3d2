#!/usr/bin/env python3
"""Quality and speed of ``timeline draft`` on the sample case.

Quality: each sample article is drafted against the sample case stripped of its events and
claims (so the drafter links names to the sample's entities), and once more against a case with
no entities at all; the drafts are compared with the curated records that cite the article (see
``timeline.draft.evaluate``): recall of curated quotes, dates, claimants, precision.

Speed: ``timeline draft`` as a user runs it, a fresh process each time, on a 1,000-word article
(the sample's articles joined and cut at 1,000 words) added to a copy of the sample case (so the
draft also reads the five other articles, for their dates), with ``python -c pass`` as the
baseline measured in the same run.

    python benchmarks/bench_draft.py [--runs N] [--show missed|dates|claimants|unsupported] [--json FILE]

Exit status: 0 if the targets are met (recall >= 0.9, dates >= 0.85, claimants >= 0.85 with the
sample's entities, and a cold draft under 2 s), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from timeline.case.loader import load_case  # noqa: E402
from timeline.draft.drafter import draft_article  # noqa: E402
from timeline.draft.evaluate import Score, score_article, without_records  # noqa: E402
from timeline.resources import sample_case_dir  # noqa: E402

TARGETS = {"recall": 0.9, "dates": 0.85, "claimants": 0.85}
SPEED_BUDGET_S = 2.0
WORDS = 1000


def quality(entities: bool) -> tuple[Score, dict[str, Score]]:
    case, problems = load_case(sample_case_dir())
    assert case is not None, problems
    bare = without_records(case, entities=entities)
    per = {sid: score_article(case, sid, draft_article(bare, sid)) for sid in sorted(case.sources)}
    total = Score()
    for s in per.values():
        total = total + s
    return total, per


def speed(runs: int) -> dict[str, list[float]]:
    case, _ = load_case(sample_case_dir())
    assert case is not None
    words = " ".join(s.text for s in case.sources.values()).split(" ")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONPYCACHEPREFIX": str(home / "pyc")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        article = home / "article.txt"
        article.write_text("A thousand words of news\n\n" + " ".join(words[:WORDS]) + "\n", encoding="utf-8")
        cli = [sys.executable, "-m", "timeline.cli"]
        # the sample case, so that the draft also reads its five other articles for their dates
        shutil.copytree(sample_case_dir(), home / "case")
        subprocess.run([*cli, "add", str(article), "--case", str(home / "case"), "--id", "bench",
                        "--published", "2018-05-22"], check=True, env=env, cwd=home, capture_output=True)
        commands = {"python -c pass": [sys.executable, "-c", "pass"],
                    f"timeline draft ({WORDS} words)": [*cli, "draft", "bench", "--case", str(home / "case"),
                                                        "-o", str(home / "out.yaml")]}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for i in range(runs + 1):  # the first round warms the bytecode cache and is not counted
            for name, argv in commands.items():
                t = time.perf_counter()
                subprocess.run(argv, check=True, env=env, cwd=home, capture_output=True)
                if i:
                    times[name].append(time.perf_counter() - t)
        shutil.rmtree(home / "pyc", ignore_errors=True)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--show", choices=("missed", "dates", "claimants", "unsupported"), action="append", default=[])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    ok = True
    report: dict[str, object] = {}
    for entities in (True, False):
        total, per = quality(entities)
        title = "with the sample's entities" if entities else "with no entities"
        print(f"\nDrafts of the 5 sample articles, {title}")
        print(f"{'article':<24} {'recall':>12} {'dates':>10} {'claimants':>10} {'precision':>10}")
        for sid, s in [*per.items(), ("all", total)]:
            got = sum(s.proposed.values())
            want = sum(s.curated.values())
            print(f"{sid:<24} {got:>4}/{want:<3} {s.recall:4.2f} {s.dates_right:>3}/{s.dated:<2} {s.dates:4.2f} "
                  f"{s.claimants_right:>3}/{s.claimants:<2} {s.claimant_share:4.2f} "
                  f"{s.supported:>3}/{s.drafts:<3} {s.precision:4.2f}")
        print(f"events {total.proposed['events']}/{total.curated['events']}, "
              f"claims {total.proposed['claims']}/{total.curated['claims']}")
        print(f"dates: where the quote has a temporal expression {total.dates_here_right}/{total.dated_here} "
              f"{total.dates_here:4.2f}; the curated date within the drafted one {total.dates_within}/"
              f"{total.dated} {total.dates_consistent:4.2f}")
        figures = {"recall": total.recall, "dates": total.dates, "dates_in_quote": total.dates_here,
                   "dates_within": total.dates_consistent,
                   "claimants": total.claimant_share, "precision": total.precision}
        report["entities" if entities else "empty"] = figures
        if entities:
            ok &= all(figures[k] >= v for k, v in TARGETS.items())
        lists = {"missed": total.missed, "dates": total.wrong_dates, "claimants": total.wrong_claimants,
                 "unsupported": total.unsupported}
        for what in args.show:
            print(f"\n{what} ({title}):")
            for line in lists[what]:
                print("  " + line)
    times = speed(args.runs)
    base = statistics.median(times["python -c pass"])
    print(f"\nCold process, {args.runs} runs (median, min; x = median / python -c pass)")
    for name, samples in times.items():
        med = statistics.median(samples)
        print(f"{name:<28} {med * 1000:7.0f} ms {min(samples) * 1000:7.0f} ms  x{med / base:5.1f}")
    draft_median = statistics.median(times[f"timeline draft ({WORDS} words)"])
    ok &= draft_median < SPEED_BUDGET_S
    report["draft_seconds"] = draft_median
    report["baseline_seconds"] = base
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("\ntargets:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
