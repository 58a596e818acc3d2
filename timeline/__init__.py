"""timeline: news coverage into an event-centric knowledge graph with provenance.

The public Python API is the names in ``__all__`` (listed in docs/python-api.md)::

    from timeline import build, find_saved, bind, load_view, open_store, sample_case_dir

They are imported on first use (PEP 562), so that ``import timeline`` and ``timeline --help`` load
none of the heavy libraries (rdflib, pyoxigraph, networkx) the functions need.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Each public name, by the module that defines it (in the order docs/python-api.md lists them). Never
# a submodule's name (``export``, ``query``, ...): importing that submodule would replace the attribute.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "timeline.resources": ("sample_case_dir",),
    "timeline.case.choice": ("resolve_case",),
    "timeline.pipeline": ("check", "build", "render_pages", "Report"),
    "timeline.case.loader": ("load_case",),
    "timeline.case.dates": ("parse_edtf", "DateSpan", "EdtfError"),
    "timeline.stores": ("open_store",),
    "timeline.query.saved_queries": ("saved_queries", "find_saved", "bind", "SavedQuery"),
    "timeline.query.results": ("QueryResult",),
    "timeline.views.model": ("load_view", "resolve_entity", "View"),
    "timeline.views.profiles": ("entity_profile", "stats"),
    "timeline.views.network": ("coparticipation_graph", "actor_event_graph", "relation_graph", "centrality",
                               "paths", "write_graphml", "write_gexf"),
    "timeline.render.timeline": ("render_timeline", "timeline_page"),
    "timeline.render.story": ("render_story", "story_page"),
    "timeline.render.graph": ("render_graph", "graph_page"),
    "timeline.render.embed": ("embed_snippet",),
    "timeline.export": ("to_timelinejs",),
    "timeline.errors": ("TimelineError", "CaseInvalid", "Problem"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = list(_MODULE_OF)


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:  # also how `from timeline import pipeline` falls through to the submodule
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
