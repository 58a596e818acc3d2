"""The case's three pages (timeline, graph, story) with their default options: the one place that renders
them, for ``timeline build --pages`` (:func:`timeline.pipeline.render_pages`) and ``timeline serve``."""

from __future__ import annotations

from pathlib import Path

from timeline.render.graph import render_graph
from timeline.render.story import case_description, render_story
from timeline.render.timeline import render_timeline
from timeline.views.model import View

#: The pages, by file name, in the order they are written.
PAGES = ("timeline.html", "graph.html", "story.html")


def render_case_pages(view: View, store, case_dir: Path | None = None) -> dict[str, str]:
    """The HTML of each page of :data:`PAGES`, by file name; ``store`` gives the case's description (the story's
    title slide), ``case_dir`` the image files the story shows."""
    return {"timeline.html": render_timeline(view, title=view.case_title),
            "graph.html": render_graph(view, title=view.case_title),
            "story.html": render_story(view, title=view.case_title, description=case_description(store),
                                       case_dir=case_dir)}
