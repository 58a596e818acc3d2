"""A user's small case, as a teacher might make one: twelve events from two articles (tests/fixtures/riverside).

Dates of every precision the pages draw: days, a month, a week-long interval, an approximate month, and the last
two events on 23 December (the right end of the timeline). Five event types, one per event, so the timeline's
``auto`` lanes are by type. :func:`small_case_graph` builds it once per directory; :func:`small_case_view` reads
the view of the built graph.
"""

from __future__ import annotations

from pathlib import Path

SMALL_CASE = Path(__file__).resolve().parent / "fixtures" / "riverside"


def small_case_graph(directory: Path) -> Path:
    """The small case built into ``directory/graph.nq`` (built once)."""
    from timeline import pipeline

    out = directory / "graph.nq"
    if not out.exists():
        assert pipeline.build(SMALL_CASE, out).ok
    return out


def small_case_view(directory: Path):
    from timeline.stores import open_store
    from timeline.views.model import load_view

    return load_view(open_store(small_case_graph(directory)))
