"""networkx projections of a :class:`~timeline.views.model.View`, and the analytics an analyst asks of them.

Three graphs, all built from the same view (so the same filters apply):

* :func:`actor_event_graph`: bipartite, actors (agents only) on one side, events on the other, edges carry the
  actor's role in the event;
* :func:`coparticipation_graph`: actor to actor, an edge wherever two actors take part in the same event, with
  ``weight`` = the number of shared events and the events' citations kept on the edge;
* :func:`relation_graph`: directed "who did what to whom", one edge per event and role pair (from
  :meth:`View.relations`) plus "member of" edges.

Every node and edge carries plain, typed attributes (``label``, ``kind``, ``start``/``end`` as ISO dates where an
event dates it) so :func:`write_graphml` and :func:`write_gexf` can hand them to Gephi, whose timeline reads the
``start``/``end`` of a dynamic GEXF graph. Nodes and edges are added in sorted order, so the same view gives the
same graph, the same centrality table and the same paths.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from timeline.case.model import AGENT_TYPES, ENTITY_CLASS
from timeline.errors import TimelineError, did_you_mean
from timeline.files import write_atomic
from timeline.views.model import Citation, EventView, View, resolve_entity

#: Class local names of the agents (people, organisations, groups): the "actors" of the projections.
AGENT_KINDS = frozenset({ENTITY_CLASS[t] for t in AGENT_TYPES} | {"Organization", "Agent"})


def is_agent(kind: str) -> bool:
    return kind in AGENT_KINDS


def _bounds(event: EventView) -> tuple[str | None, str | None]:
    """ISO start and end of an event: its earliest begin (else its sort date) and its latest end, if known."""
    start = event.earliest_begin or event.latest_begin or event.sort or None
    end = event.latest_end or event.earliest_end or None
    return start, end


def _span(bounds: Iterable[tuple[str | None, str | None]]) -> dict[str, str]:
    """``start``/``end`` attributes covering several events; an open end stays open."""
    bounds = list(bounds)
    starts = [s for s, _ in bounds if s]
    ends = [e for _, e in bounds]
    out = {}
    if starts:
        out["start"] = min(starts)
    if ends and all(ends):
        out["end"] = max(ends)
    return out


def _agents_of(view: View, event: EventView) -> dict[str, list[str]]:
    """The agents taking part in an event, id -> roles (in the record's order)."""
    out: dict[str, list[str]] = {}
    for p in event.participants:
        kind = view.entities[p.id].kind if p.id in view.entities else p.kind
        if is_agent(kind):
            roles = out.setdefault(p.id, [])
            if p.role not in roles:
                roles.append(p.role)
    return out


def _entity_attrs(view: View, entity_id: str, fallback_label: str = "", fallback_kind: str = "") -> dict:
    entity = view.entities.get(entity_id)
    if entity is None:
        return {"label": fallback_label or entity_id, "kind": fallback_kind}
    return {"label": entity.label, "kind": entity.kind}


def _participant_names(view: View) -> dict[str, tuple[str, str]]:
    return {p.id: (p.label, p.kind) for e in view.events for p in e.participants}


def actor_event_graph(view: View) -> nx.Graph:
    """Bipartite graph: actors (``bipartite=0``, agents only) and events (``bipartite=1``, ``kind="event"``).

    Event nodes carry ``label``, ``date_label``, ``edtf``, ``types`` and ``start``/``end`` (ISO dates, when
    known); actor nodes ``label``, ``kind`` and the span of their events; each edge the actor's ``role`` (several
    roles in one event are joined with "/").
    """
    graph = nx.Graph(name=view.case_title, projection="actor-event")
    names = _participant_names(view)
    spans: dict[str, list[tuple[str | None, str | None]]] = {}
    edges = []
    for event in view.events:
        agents = _agents_of(view, event)
        bounds = _bounds(event)
        for actor_id, roles in agents.items():
            spans.setdefault(actor_id, []).append(bounds)
            edges.append((actor_id, event.id, {"role": "/".join(roles), **_span([bounds])}))
    for actor_id in sorted(spans):
        graph.add_node(actor_id, bipartite=0, **_entity_attrs(view, actor_id, *names.get(actor_id, ("", ""))),
                       **_span(spans[actor_id]))
    for event in sorted(view.events, key=lambda e: (e.sort, e.id)):
        graph.add_node(event.id, bipartite=1, kind="event", label=event.label, date_label=event.date_label,
                       edtf=event.edtf, types=list(event.types), **_span([_bounds(event)]))
    for actor_id, event_id, attrs in sorted(edges, key=lambda e: (e[0], e[1])):
        graph.add_edge(actor_id, event_id, **attrs)
    return graph


def coparticipation_graph(view: View) -> nx.Graph:
    """Actor-to-actor graph: an edge wherever two agents take part in the same event.

    Nodes: every agent taking part in an event of the view (so an actor with no partner is an isolated node),
    with ``label``, ``kind``, ``event_count`` and the span of its events. Edges: ``weight`` (int) = the number of
    shared events, ``events`` = their ids, sorted, ``citations`` = ``{event, source, quote}`` for each citation
    of those events, and ``start``/``end`` spanning them.
    """
    graph = nx.Graph(name=view.case_title, projection="coparticipation")
    names = _participant_names(view)
    by_id = {e.id: e for e in view.events}
    actor_events: dict[str, list[str]] = {}
    shared: dict[tuple[str, str], list[str]] = {}
    for event in view.events:
        agents = sorted(_agents_of(view, event))
        for actor_id in agents:
            actor_events.setdefault(actor_id, []).append(event.id)
        for a, b in itertools.combinations(agents, 2):
            shared.setdefault((a, b), []).append(event.id)
    for actor_id in sorted(actor_events):
        events = actor_events[actor_id]
        graph.add_node(actor_id, **_entity_attrs(view, actor_id, *names.get(actor_id, ("", ""))),
                       event_count=len(events), **_span(_bounds(by_id[e]) for e in events))
    for (a, b), events in sorted(shared.items()):
        events = sorted(events)
        citations = [{"event": e, "source": c.source, "quote": c.quote} for e in events for c in by_id[e].citations]
        graph.add_edge(a, b, weight=len(events), events=events, citations=citations,
                       **_span(_bounds(by_id[e]) for e in events))
    return graph


def relation_graph(view: View) -> nx.MultiDiGraph:
    """Directed "who did what to whom": one edge per event and (source role, target role) pair.

    Edge keys are ``"{event}:{fromRole}:{toRole}"`` (``"member of"`` for membership); attributes ``relation``
    (the event's types joined with "/", or "member of"), ``event``, ``fromRole``, ``toRole``, ``date_label`` and
    ``start``/``end`` of the event. Nodes are every entity on either end, with ``label`` and ``kind``.
    """
    graph = nx.MultiDiGraph(name=view.case_title, projection="relations")
    names = _participant_names(view)
    by_id = {e.id: e for e in view.events}
    relations = view.relations()
    for node in sorted({r["from"] for r in relations} | {r["to"] for r in relations}):
        graph.add_node(node, **_entity_attrs(view, node, *names.get(node, ("", ""))))
    for r in relations:
        event = by_id.get(r["event"])
        attrs = {"relation": r["relation"], "event": r["event"], "fromRole": r["fromRole"], "toRole": r["toRole"],
                 "date_label": event.date_label if event else ""}
        if event is not None:
            attrs.update(_span([_bounds(event)]))
        key = f"{r['event']}:{r['fromRole']}:{r['toRole']}" if r["event"] else "member of"
        graph.add_edge(r["from"], r["to"], key=key, **attrs)
    return graph


def _simple(graph: nx.Graph) -> nx.Graph:
    """An undirected simple graph with summed weights, for the measures that need one."""
    if not graph.is_multigraph() and not graph.is_directed():
        return graph
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        weight = data.get("weight", 1)
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += weight
        else:
            simple.add_edge(u, v, weight=weight)
    return simple


def centrality(graph: nx.Graph) -> list[dict]:
    """Degree, weighted degree and betweenness of every node, most central first.

    ``degree`` counts distinct neighbours; ``weighted_degree`` sums the ``weight`` of the edges (1 where there is
    none, so in a multigraph every edge counts); ``betweenness`` is networkx's normalised betweenness centrality
    over the undirected, unweighted graph, rounded to 6 places. Sorted by betweenness, then degree (both
    descending), then id.
    """
    simple = _simple(graph)
    betweenness = nx.betweenness_centrality(simple, normalized=True) if len(simple) else {}
    rows = []
    for node, data in graph.nodes(data=True):
        weighted = sum(d.get("weight", 1) for _, _, d in _incident(graph, node))
        rows.append({"id": node, "label": data.get("label", str(node)), "kind": data.get("kind", ""),
                     "degree": len(set(nx.all_neighbors(graph, node)) - {node}),  # either direction
                     "weighted_degree": weighted, "betweenness": round(betweenness.get(node, 0.0), 6)})
    return sorted(rows, key=lambda r: (-r["betweenness"], -r["degree"], str(r["id"])))


def _incident(graph: nx.Graph, node):
    if graph.is_directed():
        yield from graph.out_edges(node, data=True)
        yield from graph.in_edges(node, data=True)
    else:
        yield from graph.edges(node, data=True)


def components(graph: nx.Graph) -> list[list[str]]:
    """Connected components (weakly, for a directed graph), each sorted, the largest first."""
    parts = nx.weakly_connected_components(graph) if graph.is_directed() else nx.connected_components(graph)
    return sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p))


def _require_node(graph: nx.Graph, node: str) -> None:
    if node not in graph:
        raise TimelineError(f"{node!r} is not in the graph{did_you_mean(node, [str(n) for n in graph])}")


def ego(graph: nx.Graph, node: str, depth: int = 1) -> nx.Graph:
    """The subgraph within ``depth`` hops of ``node`` (edge direction ignored), with all attributes."""
    _require_node(graph, node)
    if depth < 0:
        raise TimelineError(f"depth must be 0 or more, not {depth}")
    return nx.ego_graph(graph, node, radius=depth, undirected=graph.is_directed())


@dataclass
class Hop:
    """One step of a path: two actors who took part in the same event."""

    from_id: str
    from_label: str
    to_id: str
    to_label: str
    event_id: str
    event_label: str
    date_label: str
    citation: Citation | None  # the event's first citation (by source, then offset)


def paths(view: View, a: str, b: str, max_hops: int = 4, limit: int = 20) -> list[list[Hop]]:
    """How two actors are connected through shared events: at most ``limit`` paths of up to ``max_hops`` hops.

    ``a`` and ``b`` are entity ids, labels or aliases (see :func:`timeline.views.model.resolve_entity`). A hop is
    one event both ends of it took part in (the co-participation graph); where several events join a pair, each
    gives its own path. Shortest paths come first; paths of one length are ordered by the actors' ids, then by
    the events' dates and ids. Two actors that are not connected (or one who is in no event of the view) give
    ``[]``: an answer, not an error. A name that is no entity, or an entity that is not an actor, is an error.
    """
    if max_hops < 1:
        raise TimelineError(f"max_hops must be 1 or more, not {max_hops}", param="max_hops")
    if limit < 1:
        return []
    ends = []
    for name in (a, b):
        entity = resolve_entity(view, name)
        if not is_agent(entity.kind):
            raise TimelineError(f"{entity.id!r} is a {entity.kind_label or entity.kind}, not an actor: "
                                "paths join people, organisations and groups")
        ends.append(entity.id)
    source, target = ends
    graph = coparticipation_graph(view)
    if source == target or source not in graph or target not in graph or not nx.has_path(graph, source, target):
        return []
    by_id = {e.id: e for e in view.events}

    def node_paths():
        # Yen's algorithm yields simple paths by length; sort each length's batch so ties are deterministic.
        batch: list[list[str]] = []
        for path in nx.shortest_simple_paths(graph, source, target):
            if len(path) - 1 > max_hops:
                break
            if batch and len(path) != len(batch[0]):
                yield from sorted(batch)
                batch = []
            batch.append(path)
        yield from sorted(batch)

    out: list[list[Hop]] = []
    for nodes in node_paths():
        if len(out) >= limit:
            break
        choices = [sorted((by_id[e] for e in graph[u][v]["events"]), key=lambda e: (e.sort, e.id))
                   for u, v in itertools.pairwise(nodes)]
        for events in itertools.product(*choices):
            if len(out) >= limit:
                break
            out.append([
                Hop(u, graph.nodes[u]["label"], v, graph.nodes[v]["label"], e.id, e.label, e.date_label,
                    e.citations[0] if e.citations else None)
                for (u, v), e in zip(itertools.pairwise(nodes), events, strict=True)
            ])
    return out[:limit]


# -- export ------------------------------------------------------------------------------------------------------


def _plain(value):
    """A value GraphML and GEXF can type: bool, int, float or str (None is dropped by the caller)."""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else list(value)
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in items):
            return "; ".join(str(v) for v in items)
        return json.dumps(items, ensure_ascii=False, sort_keys=True)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _clean(data: dict) -> dict:
    return {str(k): _plain(v) for k, v in data.items() if v is not None}


def exportable(graph: nx.Graph) -> nx.Graph:
    """A copy of the graph whose attributes are all bool, int, float or str.

    Lists of strings or numbers become one string joined with "; "; lists of dicts (the citations) and dicts
    become JSON; ``None`` is dropped.
    """
    out = graph.__class__()
    out.graph.update(_clean(graph.graph))
    out.add_nodes_from((n, _clean(d)) for n, d in graph.nodes(data=True))
    if graph.is_multigraph():
        out.add_edges_from((u, v, k, _clean(d)) for u, v, k, d in graph.edges(keys=True, data=True))
    else:
        out.add_edges_from((u, v, _clean(d)) for u, v, d in graph.edges(data=True))
    return out


def graphml_bytes(graph: nx.Graph) -> bytes:
    """GraphML with one typed key per attribute: ``long`` for integers, ``double`` for other numbers (and for an
    attribute that mixes both), ``boolean``, ``string``.

    networkx reads ``long`` back as ``int``. igraph's own reader (``Graph.Read_GraphML``) keeps every number as a
    double, whatever the declared type (igraph's numeric attributes are C doubles): ``event_count`` arrives as
    ``5.0``, exact; ``igraph.Graph.from_networkx(networkx.read_graphml(path))`` keeps it ``5``.
    """
    buffer = io.BytesIO()
    # infer_numeric_types: without it an attribute holding ints and floats gets two keys of one name, one per type
    nx.write_graphml(exportable(graph), buffer, encoding="utf-8", prettyprint=True, infer_numeric_types=True)
    return buffer.getvalue()


def gexf_bytes(graph: nx.Graph) -> bytes:
    """GEXF 1.2, dynamic when any node or edge has a ``start`` or ``end`` (ISO dates: ``timeformat="date"``).

    Without ``lastmodifieddate`` (optional in GEXF): networkx writes today's date there, and the same view must
    give the same bytes on any day. The ``creator`` is "timeline", not networkx's name and version.
    """
    clean = exportable(graph)
    dated = any("start" in d or "end" in d for _, d in clean.nodes(data=True)) or \
        any("start" in d or "end" in d for *_, d in clean.edges(data=True))
    clean.graph["mode"] = "dynamic" if dated else "static"
    if clean.is_multigraph():
        # The GEXF writer would take an edge's key as its id; ids must be unique across the graph.
        for i, (_, _, data) in enumerate(clean.edges(data=True)):
            data["id"] = str(i)
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")  # what nx.write_gexf does, plus:
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)
        for creator in meta.iter("creator"):  # not "NetworkX 3.6.1": the bytes must not change with networkx either
            creator.text = "timeline"
    writer.add_graph(clean)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_graphml(graph: nx.Graph, path: Path | str) -> None:
    """Write the graph as GraphML, attributes typed (see :func:`exportable`), atomically."""
    write_atomic(Path(path), graphml_bytes(graph))


def write_gexf(graph: nx.Graph, path: Path | str) -> None:
    """Write the graph as dynamic GEXF 1.2 (``start``/``end`` drive Gephi's timeline), atomically."""
    write_atomic(Path(path), gexf_bytes(graph))
