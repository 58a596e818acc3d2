"""The interactive network page: entities (and optionally events) as a vis-network graph.

pyvis only builds the vis-network node and edge data (``Network.add_node`` /
``add_edge``); the page is our own template, ``timeline/templates/graph.html.j2``
(autoescaped), with vis-network inlined from npm (see :mod:`timeline.render.assets`),
our ``web/graph.js`` and ``web/graph.css``, and the data as JSON. Never
pyvis's HTML: it loads from CDNs, writes without an encoding, and ``from_nx``
is quadratic (see DESIGN.md, "Measured costs").

The layout is computed here with networkx (a seeded spring layout; a grid
variant of the same Fruchterman-Reingold model above :data:`LARGE` nodes, where
networkx's takes 10 s) and shipped with physics off, so a 2,000-node graph
opens at once. Same view and options give byte-identical output.

Library use::

    data = graph_data(view, focus="ice", depth=1)   # nodes, edges, legend, events, sources
    page = graph_page(view, focus="ice")             # .html, .save(path), shown inline in a notebook
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import textwrap
from pathlib import Path

from timeline import __version__, templating
from timeline.errors import TimelineError
from timeline.htmlsafe import safe_url, script_json
from timeline.render import assets
from timeline.render.embed import HEIGHT_MESSAGE
from timeline.views.model import EntityView, View

WEB_DIR = Path(__file__).resolve().parent / "web"
SEED = 20180614
#: Above this many nodes: the fast grid layout, straight edges, edges hidden while dragging.
LARGE = 500
CELL = 125  # px: each node gets about CELL² of the drawing (so labels fit at the initial zoom)
CELL_LARGE = 60
ASPECT = 1.8  # width / height of the drawing
VIEW = (1180.0, 600.0)  # a typical canvas, px: layouts are made to be readable in it
EVENT_PREFIX = "event:"

# Node categories: (key, legend label, vis shape, colour, hollow). Colour is never the only signal: 7 shapes,
# each filled (agents) or hollow (everything else), and the legend, hover text, panel and table name the type.
CATEGORIES = [
    ("person", "person", "dot", "#1f77b4", False),
    ("company", "company", "square", "#e07b00", False),
    ("government-agency", "government agency", "triangle", "#2e7d32", False),
    ("police-department", "police department", "triangleDown", "#283593", False),
    ("legislature", "legislature", "hexagon", "#6a1b9a", False),
    ("advocacy-group", "advocacy group", "star", "#c2185b", False),
    ("research-group", "research group", "diamond", "#00838f", False),
    ("news-organisation", "news organisation", "square", "#b23c17", True),
    ("group", "group", "dot", "#5d4037", True),
    ("organisation", "organisation", "hexagon", "#455a64", True),
    ("product", "product or technology", "diamond", "#8d6e00", True),
    ("place", "place", "triangle", "#33691e", True),
    ("document", "document", "triangleDown", "#546e7a", True),
    ("other", "other", "star", "#616161", True),
]
EVENT_CATEGORY = ("event", "event", "box", "#7a5c00", False)
KIND_CATEGORY = {
    "Person": "person", "Company": "company", "GovernmentAgency": "government-agency",
    "PoliceDepartment": "police-department", "Legislature": "legislature", "AdvocacyGroup": "advocacy-group",
    "ResearchGroup": "research-group", "NewsOrganization": "news-organisation", "Group": "group",
    "Organization": "organisation", "Agent": "organisation", "Product": "product", "Technology": "product",
    "Project": "product", "Place": "place", "Document": "document", "Report": "document", "Letter": "document",
    "Study": "document", "PressRelease": "document", "Email": "document", "BlogPost": "document",
}
_CATEGORY = {c[0]: c for c in CATEGORIES + [EVENT_CATEGORY]}
_WIKIDATA = re.compile(r"(?:^|/)(Q[1-9][0-9]{0,11})$")
EDGE_COLOR = "#6b7280"
MEMBER_COLOR = "#8a6d3b"


def category(kind: str) -> str:
    """The legend category of an entity class local name (``Company`` -> ``company``)."""
    return KIND_CATEGORY.get(kind, "other")


def wikidata_id(value: str | None) -> str | None:
    """``Q123`` from ``Q123`` or a Wikidata entity IRI; None for anything else."""
    match = _WIKIDATA.search((value or "").strip())
    return match.group(1) if match else None


def _tint(hex_colour: str, amount: float) -> str:
    """The colour mixed with white (amount 1 = white)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _shade(hex_colour: str, amount: float) -> str:
    """The colour mixed with black (amount 1 = black)."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in (r, g, b))


def _node_colour(key: str) -> dict:
    _, _, _, colour, hollow = _CATEGORY[key]
    fill = _tint(colour, 0.82) if hollow else colour
    return {"background": fill, "border": colour if hollow else _shade(colour, 0.45),
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"}}


def _wrap(label: str, width: int = 20, lines: int = 3) -> str:
    parts = textwrap.wrap(label, width=width, break_long_words=True, break_on_hyphens=False) or [label]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# ----------------------------------------------------------------------------------------------- graph data


def _entities(view: View) -> dict[str, EntityView]:
    """Every entity of the view, plus participants the entity query did not return (with what we know)."""
    out = dict(view.entities)
    for event in view.events:
        for p in event.participants:
            if p.id not in out:
                out[p.id] = EntityView(p.id, p.label, p.kind, p.kind)
    return out


def _relations(view: View, entities: dict[str, EntityView]) -> list[dict[str, str]]:
    """The view's relations; member-of ones only where one end takes part in a shown event (or no filter)."""
    taking_part = {p.id for e in view.events for p in e.participants}
    unfiltered = not any(view.filters.values())
    out = []
    for rel in view.relations():
        if rel["from"] not in entities or rel["to"] not in entities:
            continue
        if rel["relation"] == "member of" and not unfiltered and not (
                rel["from"] in taking_part or rel["to"] in taking_part):
            continue
        out.append(rel)
    return out


def graph_data(view: View, focus: str | None = None, depth: int = 1, events: bool = False) -> dict:
    """The network as plain data: ``nodes`` and ``edges`` (vis-network fields plus ours), ``legend``,
    ``events`` and ``sources`` (what the panels show), ``focus`` and vis ``options``.

    Nodes are the entities taking part in the view's events (or related by member-of); with ``focus``
    only those within ``depth`` hops of it on the relation graph. Relations between the same pair of
    entities are merged into one edge that lists its events. ``events=True`` adds events as nodes,
    linked to their participants by edges labelled with the role.
    """
    import networkx as nx
    from pyvis.network import Network

    entities = _entities(view)
    relations = _relations(view, entities)
    by_event = {e.id: e for e in view.events}

    relation_graph = nx.Graph()
    relation_graph.add_nodes_from(sorted({p.id for e in view.events for p in e.participants}
                                         | {r["from"] for r in relations} | {r["to"] for r in relations}))
    relation_graph.add_edges_from(sorted({tuple(sorted((r["from"], r["to"]))) for r in relations}))
    if focus is not None:
        if focus not in entities:
            raise TimelineError(f"focus {focus!r}: no such entity in the graph")
        if depth < 0:
            raise TimelineError(f"depth {depth}: must be 0 or more")
        relation_graph.add_node(focus)
        keep = set(nx.ego_graph(relation_graph, focus, radius=depth))
    else:
        keep = set(relation_graph)

    # Merge relations per unordered pair of kept entities.
    pairs: dict[tuple[str, str], list[dict]] = {}
    seen = set()
    for rel in relations:
        if rel["from"] not in keep or rel["to"] not in keep:
            continue
        key = (rel["from"], rel["to"], rel["event"])
        if key in seen:  # one entity in two roles of the same event: one relation
            continue
        seen.add(key)
        pairs.setdefault(tuple(sorted((rel["from"], rel["to"]))), []).append(rel)

    shown_events: list = []
    if events:
        shown_events = [e for e in view.events if any(p.id in keep for p in e.participants)]
        if focus is not None:
            linked = {r["event"] for rels in pairs.values() for r in rels if r["event"]}
            shown_events = [e for e in shown_events
                            if e.id in linked or any(p.id == focus for p in e.participants)]

    # The displayed graph: entity-entity edges (or, with events, entity-event edges and member-of).
    display = nx.Graph()
    display.add_nodes_from(sorted(keep))
    edges_out: list[dict] = []
    for (a, b), rels in sorted(pairs.items()):
        rels = sorted(rels, key=lambda r: (by_event[r["event"]].sort if r["event"] else "", r["event"],
                                           r["from"], r["to"]))
        if events and any(r["event"] for r in rels):
            rels = [r for r in rels if not r["event"]]  # the event nodes carry these
            if not rels:
                continue
        display.add_edge(a, b)
        edges_out.append(_pair_edge(a, b, rels, entities, by_event))
    for event in shown_events:
        node = EVENT_PREFIX + event.id
        display.add_node(node)
        roles: dict[str, list[str]] = {}
        for p in event.participants:
            if p.id in keep:
                roles.setdefault(p.id, []).append(p.role)
        for entity_id, role_list in sorted(roles.items()):
            display.add_edge(entity_id, node)
            edges_out.append(_role_edge(entity_id, event, sorted(set(role_list), key=role_list.index), entities))

    large = display.number_of_nodes() > LARGE
    boxes = None
    if not large:
        boxes = {n: _box(_wrap(entities[n].label), _size(display.degree(n)) + (6 if n == focus else 0), False,
                         bold=n == focus) for n in keep}
        for event in shown_events:
            boxes[EVENT_PREFIX + event.id] = _box(_event_label(event), 0, True)
    positions = _layout(display, focus=focus, large=large, boxes=boxes)

    event_counts: dict[str, list[str]] = {}
    for event in view.events:
        for p in event.participants:
            ids = event_counts.setdefault(p.id, [])
            if not ids or ids[-1] != event.id:
                ids.append(event.id)
    nodes_out = []
    for node_id in sorted(keep):
        nodes_out.append(_entity_node(entities[node_id], event_counts.get(node_id, []), display.degree(node_id),
                                      positions[node_id], node_id == focus))
    for event in shown_events:
        node_id = EVENT_PREFIX + event.id
        nodes_out.append(_event_node(event, display.degree(node_id), positions[node_id]))
    nodes_out.sort(key=lambda n: (n["name"].casefold(), n["id"]))
    edges_out.sort(key=lambda e: e["id"])

    # pyvis builds the vis-network data; directed=True skips its quadratic duplicate-edge scan (ours are unique).
    net = Network(directed=True)
    for node in nodes_out:
        fields = dict(node)
        net.add_node(fields.pop("id"), label=fields.pop("label"), shape=fields.pop("shape"), **fields)
    for edge in edges_out:
        fields = dict(edge)
        net.add_edge(fields.pop("from"), fields.pop("to"), **fields)
    net.options = _options(large)

    referenced = sorted({ev for e in edges_out for ev in e["events"]} | {ev for n in nodes_out for ev in n["events"]})
    events_out = {ev: _event_data(by_event[ev]) for ev in referenced if ev in by_event}
    source_ids = sorted({c["source"] for e in events_out.values() for c in e["citations"]})
    sources_out = {}
    for sid in source_ids:
        s = view.sources.get(sid)
        sources_out[sid] = {"title": s.title if s else sid, "publisher": s.publisher if s else "",
                            "published": s.published if s else "", "url": safe_url(s.url) if s else None}
    legend = []
    counts: dict[str, int] = {}
    for node in nodes_out:
        counts[node["category"]] = counts.get(node["category"], 0) + 1
    for key, label, shape, colour, hollow in CATEGORIES + [EVENT_CATEGORY]:
        if counts.get(key):
            legend.append({"category": key, "label": label, "shape": shape, "color": colour, "hollow": hollow,
                           "count": counts[key], **({"fill": _tint(colour, 0.82)} if hollow else {})})
    return {
        "nodes": net.nodes,
        "edges": net.edges,
        "legend": legend,
        "events": events_out,
        "sources": sources_out,
        "focus": focus,
        "depth": depth if focus is not None else None,
        "withEvents": events,
        "large": large,
        "options": net.options,
    }


def _pair_edge(a: str, b: str, rels: list[dict], entities: dict[str, EntityView], by_event: dict) -> dict:
    forward = any(r["from"] == a for r in rels)
    backward = any(r["from"] == b for r in rels)
    member_only = all(not r["event"] for r in rels)
    names = []
    for r in rels:
        name = "member of" if not r["event"] else ", ".join(by_event[r["event"]].type_labels) or "related"
        if name not in names:
            names.append(name)
    event_ids = []
    for r in rels:
        if r["event"] and r["event"] not in event_ids:
            event_ids.append(r["event"])
    label = "; ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
    lines = [f"{entities[a].label} — {entities[b].label}"]
    for r in rels:
        arrow = f"{entities[r['from']].label} → {entities[r['to']].label}"
        if r["event"]:
            ev = by_event[r["event"]]
            lines.append(f"{ev.date_label}: {ev.label} ({arrow})")
        else:
            lines.append(f"member of ({arrow})")
    if len(lines) > 5:
        lines = lines[:4] + [f"… and {len(lines) - 4} more"]
    lines.append("Click for the events and their sources." if event_ids else "Click for details.")
    edge = {
        "id": f"pair:{a}|{b}",
        "from": a,
        "to": b,
        "label": label,
        "title": "\n".join(lines),
        "arrows": "to, from" if forward and backward else ("to" if forward else "from"),
        "kind": "member" if member_only else "relation",
        "relation": "; ".join(names),
        "events": event_ids,
        "relations": [{"from": r["from"], "to": r["to"], "event": r["event"], "fromRole": r["fromRole"],
                       "toRole": r["toRole"], "relation": "member of" if not r["event"]
                       else ", ".join(by_event[r["event"]].type_labels)} for r in rels],
    }
    if len(rels) > 1:
        edge["width"] = round(1 + min(4.0, 1.2 * math.log2(len(rels))), 2)
    if member_only:
        edge["dashes"] = True
        edge["color"] = {"color": MEMBER_COLOR, "highlight": "#111111", "hover": "#111111"}
    return edge


def _role_edge(entity_id: str, event, roles: list[str], entities: dict[str, EntityView]) -> dict:
    role = ", ".join(roles)
    return {
        "id": f"role:{entity_id}|{event.id}",
        "from": entity_id,
        "to": EVENT_PREFIX + event.id,
        "label": role,
        "title": f"{entities[entity_id].label} — {role} — {event.label} ({event.date_label})",
        "arrows": "",
        "kind": "role",
        "relation": role,
        "events": [event.id],
        "relations": [{"from": entity_id, "to": EVENT_PREFIX + event.id, "event": event.id, "fromRole": role,
                       "toRole": "", "relation": role}],
    }


def _entity_node(entity: EntityView, event_ids: list[str], degree: int, xy: tuple[int, int], is_focus: bool) -> dict:
    key = category(entity.kind)
    size = _size(degree)
    summary = f"{entity.kind_label} · {_plural(len(event_ids), 'event')} · {_plural(degree, 'link')}"
    node = {
        "id": entity.id,
        "label": _wrap(entity.label),
        "group": key,
        "shape": _CATEGORY[key][2],
        "size": size + (6 if is_focus else 0),
        "x": xy[0],
        "y": xy[1],
        "title": f"{entity.label}\n{summary}",
        "name": entity.label,
        "kind": entity.kind,
        "kindLabel": entity.kind_label,
        "category": key,
        "aliases": list(entity.aliases),
        "description": entity.description,
        "wikidata": wikidata_id(entity.wikidata),
        "events": list(event_ids),
        "degree": degree,
        "focus": is_focus,
    }
    if is_focus:
        node["font"] = {"size": 17, "color": "#000000"}
        node["borderWidth"] = 4
    return node


def _event_node(event, degree: int, xy: tuple[int, int]) -> dict:
    types = ", ".join(event.type_labels)
    return {
        "id": EVENT_PREFIX + event.id,
        "label": _event_label(event),
        "group": "event",
        "shape": "box",
        "x": xy[0],
        "y": xy[1],
        "title": f"{event.label}\n{event.date_label} · {types or 'event'} · "
                 f"{_plural(len(event.citations), 'citation')}",
        "name": event.label,
        "kind": "Event",
        "kindLabel": "event",
        "category": "event",
        "aliases": [],
        "description": event.description,
        "wikidata": None,
        "events": [event.id],
        "degree": degree,
        "focus": False,
        "eventId": event.id,
    }


def _event_data(event) -> dict:
    return {
        "id": event.id,
        "label": event.label,
        "date": event.date_label,
        "edtf": event.edtf,
        "sort": event.sort,
        "description": event.description,
        "place": event.place,
        "types": list(event.type_labels),
        "participants": [{"id": p.id, "label": p.label, "role": p.role} for p in event.participants],
        "citations": [{"source": c.source, "quote": c.quote} for c in event.citations],
    }


def _groups() -> dict:
    groups = {}
    for key, _, shape, _, hollow in CATEGORIES:
        groups[key] = {"shape": shape, "color": _node_colour(key), "borderWidth": 2.5 if hollow else 1.5}
    groups["event"] = {"shape": "box", "borderWidth": 1.5, "margin": 6,
                       "color": {"background": "#fff6d5", "border": "#7a5c00",
                                 "highlight": {"background": "#ffe9a8", "border": "#000000"},
                                 "hover": {"background": "#ffe9a8", "border": "#000000"}},
                       "font": {"color": "#1b1b1b", "size": 12, "strokeWidth": 0}}
    return groups


def _options(large: bool) -> dict:
    return {
        "groups": _groups(),
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "nodes": {
            "font": {"size": 14, "face": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                     "color": "#1b1b1b", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": 6}},
            "shapeProperties": {"interpolation": False},
        },
        "edges": {
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.2},
            "color": {"color": EDGE_COLOR, "highlight": "#111111", "hover": "#111111", "inherit": False},
            "width": 1,
            "arrows": {"to": {"scaleFactor": 0.5}, "from": {"scaleFactor": 0.5}},
            "font": {"size": 11, "color": "#374151", "strokeWidth": 3, "strokeColor": "#ffffff",
                     "align": "horizontal"},
            "scaling": {"label": {"drawThreshold": 8}},
            "selectionWidth": 2,
            "hoverWidth": 1,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 200,
            "zoomView": False,  # the page zooms on Ctrl/Cmd + wheel and buttons, so the host page still scrolls
            "dragView": True,
            "dragNodes": True,
            "keyboard": {"enabled": False},
            "navigationButtons": False,
            "multiselect": False,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
        },
    }


# ----------------------------------------------------------------------------------------------- layout


def _size(degree: int) -> float:
    return round(min(36.0, 11 + 3 * math.sqrt(degree)), 1)


def _event_label(event) -> str:
    """Date and type: short enough to read in the overview; the hover text and panel say what happened."""
    kinds = ", ".join(event.type_labels) or "event"
    return _wrap(event.date_label, width=22, lines=2) + "\n" + _wrap(kinds, width=22, lines=1)


def _box(label: str, size: float, inside: bool, bold: bool = False) -> tuple[float, float, float]:
    """About how much room a node takes with its label: (width, height, offset of the box's centre below
    the node's), in px. Labels are 14 px below the node (17 px for the focus), or 12 px inside a box."""
    lines = label.split("\n")
    longest = max(len(line) for line in lines)
    if inside:
        return longest * 6.6 + 14, len(lines) * 15 + 14, 0.0
    char, line = (9.4, 21) if bold else (8.2, 17)
    below = 5 + len(lines) * line
    return max(longest * char, 2 * size), 2 * size + below, below / 2


def _layout(graph, focus: str | None = None, large: bool = False,
            boxes: dict[str, tuple[float, float, float]] | None = None) -> dict[str, tuple[int, int]]:
    """Seeded force-directed positions in pixels: spread for labels, wider than tall, focus at the centre.

    Each connected component is laid out on its own and the others are packed beneath or beside the
    largest, so a pair of nodes unconnected to the rest does not push the main drawing into a corner.
    """
    import networkx as nx
    import numpy as np

    nodes = sorted(graph)
    if not nodes:
        return {}
    ordered = nx.Graph()
    ordered.add_nodes_from(nodes)
    ordered.add_edges_from(sorted(tuple(sorted(e)) for e in graph.edges))
    # Small graphs get more room (vis-network never fits beyond 100 %), so edge labels fit along the edges.
    spacing = CELL_LARGE if large else CELL * min(2.2, max(1.0, math.sqrt(40 / len(nodes))))
    components = sorted((sorted(c) for c in nx.connected_components(ordered)), key=lambda c: (-len(c), c[0]))
    pieces = []  # (node ids, positions with the top-left corner of their boxes at 0, 0, (width, height))
    for members in components:
        if len(members) == 1:
            pos = np.zeros((1, 2))
        else:
            sub = ordered.subgraph(members)
            if len(members) > LARGE:
                pos = _grid_spring(sub, members)
            else:
                layout = nx.spring_layout(sub, seed=SEED, iterations=200)
                pos = np.array([layout[n] for n in members], dtype=float)
            pos = _fit_pixels(pos, spacing, [boxes[n] for n in members] if boxes else None)
        box = np.array([boxes[n] for n in members]) if boxes else np.tile([spacing * 0.8, spacing * 0.5, 0.0],
                                                                              (len(members), 1))
        centre = pos + np.column_stack([np.zeros(len(members)), box[:, 2]])
        low, high = (centre - box[:, :2] / 2).min(axis=0), (centre + box[:, :2] / 2).max(axis=0)
        pieces.append((members, pos - low, high - low))
    order = [n for members, _, _ in pieces for n in members]
    pos = _pack(pieces, gap=spacing * 0.5)
    if focus in order:
        pos = pos - pos[order.index(focus)]
    else:
        pos = pos - (pos.max(axis=0) + pos.min(axis=0)) / 2
    return {n: (int(round(px)), int(round(py))) for n, (px, py) in zip(order, pos, strict=True)}


def _shelves(pieces, limit: float, gap: float):
    """Place (positions, size) pieces left to right in rows no wider than ``limit``: offsets and total size."""
    x = y = row_height = width = 0.0
    offsets = []
    for _, size in pieces:
        if x > 0 and x + size[0] > limit:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        offsets.append((x, y))
        width = max(width, x + size[0])
        row_height = max(row_height, size[1])
        x += size[0] + gap
    return offsets, (width, y + row_height)


def _pack(pieces, gap: float):
    """The largest component, and the others in rows beneath it or in columns beside it, whichever lets a
    typical view (:data:`VIEW`) show everything larger."""
    import numpy as np

    main_members, main_pos, main_size = pieces[0]
    rest = [(pos, size) for _, pos, size in pieces[1:]]
    if not rest:
        return main_pos
    below, below_size = _shelves(rest, max(main_size[0], 600.0), gap)
    beside_t, beside_size_t = _shelves([(pos[:, ::-1], size[::-1]) for pos, size in rest],
                                       max(main_size[1], 300.0), gap)
    beside = [(y, x) for x, y in beside_t]
    beside_size = beside_size_t[::-1]
    total_below = (max(main_size[0], below_size[0]), main_size[1] + gap + below_size[1])
    total_beside = (main_size[0] + gap + beside_size[0], max(main_size[1], beside_size[1]))

    def fit(total):
        return min(VIEW[0] / max(total[0], 1.0), VIEW[1] / max(total[1], 1.0))

    placed = [main_pos]
    if fit(total_below) >= fit(total_beside):
        for (pos, _), (x, y) in zip(rest, below, strict=True):
            placed.append(pos + np.array([x, main_size[1] + gap + y]))
    else:
        for (pos, _), (x, y) in zip(rest, beside, strict=True):
            placed.append(pos + np.array([main_size[0] + gap + x, y]))
    return np.vstack(placed)


def _fit_pixels(pos, cell: float, boxes=None):
    """Turn a layout landscape and give it about ``cell``² px² per node, then push apart what would overlap.

    The longest axis goes horizontal (screens and the canvas are wide); the box is sized from the number of
    nodes, not from the outliers. ``boxes`` are each node's (width, height) with its label, in px: two nodes
    whose boxes overlap are pushed apart along the axis where they overlap least.
    """
    import numpy as np

    n = len(pos)
    pos = pos - pos.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov(pos.T) + np.eye(2) * 1e-12)
    pos = pos @ vectors[:, ::-1]  # principal axis first
    for axis in (0, 1):  # a fixed orientation: the farthest node on the positive side
        if pos[np.argmax(np.abs(pos[:, axis])), axis] < 0:
            pos[:, axis] = -pos[:, axis]
    area = n * cell * cell
    target = np.array([math.sqrt(area * ASPECT), math.sqrt(area / ASPECT)])
    spread = pos.max(axis=0) - pos.min(axis=0)
    for axis in (0, 1):
        pos[:, axis] = pos[:, axis] * (target[axis] / spread[axis]) if spread[axis] > 1e-9 else 0.0
    if boxes is None:
        boxes = np.tile([cell * 0.8, cell * 0.5, 0.0], (n, 1))
    boxes = np.asarray(boxes, dtype=float) + np.array([8.0, 8.0, 0.0])  # a little air between labels
    pos = _separate(pos, boxes, 300 if n <= LARGE else 40)
    # Compact: shrink (more in height, screens are wide) and separate again, so dense parts spread into the
    # empty ones and the drawing fills its box: labels stay readable when the whole graph is fitted.
    if n <= LARGE:
        for _ in range(30):
            centre = pos + np.column_stack([np.zeros(n), boxes[:, 2]])
            extent = (centre + boxes[:, :2] / 2).max(axis=0) - (centre - boxes[:, :2] / 2).min(axis=0)
            if extent[0] <= VIEW[0] * 0.9 and extent[1] <= VIEW[1] * 0.9:
                break  # it already fits a typical view at 100 %: keep the room
            pos = _separate(pos * np.array([0.96, 0.93]), boxes, 60)
        pos = _separate(pos, boxes, 300)
    return pos


def _separate(pos, boxes, rounds: int):
    """Push apart nodes whose boxes (width, height, centre offset) overlap, along the axis where they overlap
    least."""
    import numpy as np
    from scipy.spatial import cKDTree

    offset = np.column_stack([np.zeros(len(pos)), boxes[:, 2]])
    size = boxes[:, :2]
    big = size.max(axis=0)
    squash = np.array([1.0, big[0] / big[1]])
    for _ in range(rounds):
        centre = pos + offset
        pairs = cKDTree(centre * squash).query_pairs(big[0], p=np.inf, output_type="ndarray")
        if len(pairs) == 0:
            break
        i, j = pairs[:, 0], pairs[:, 1]
        delta = centre[i] - centre[j]
        need = (size[i] + size[j]) / 2
        over = need - np.abs(delta)
        hit = (over[:, 0] > 0) & (over[:, 1] > 0)
        if not hit.any():
            break
        i, j, delta, need, over = i[hit], j[hit], delta[hit], need[hit], over[hit]
        sign = np.where(delta >= 0, 1.0, -1.0)
        along_x = over[:, 0] / need[:, 0] < over[:, 1] / need[:, 1]
        push = np.zeros_like(delta)
        push[along_x, 0] = over[along_x, 0] * sign[along_x, 0] * 0.5
        push[~along_x, 1] = over[~along_x, 1] * sign[~along_x, 1] * 0.5
        pos = pos + _scatter(i, j, push, len(pos))
    return pos


def _scatter(i, j, vectors, n: int):
    """Per node: the sum of ``vectors`` over pairs where it is ``i`` minus the sum where it is ``j``."""
    import numpy as np

    out = np.empty((n, 2))
    for axis in (0, 1):
        out[:, axis] = (np.bincount(i, weights=vectors[:, axis], minlength=n)
                        - np.bincount(j, weights=vectors[:, axis], minlength=n))
    return out


def _grid_spring(graph, nodes: list[str], iterations: int = 120):
    """Fruchterman-Reingold with the repulsion cut off at 2k (their "grid variant"), vectorised.

    networkx's spring_layout is O(n²) per iteration and takes ~10 s at 1,500 nodes; this takes well under
    a second. Seeded, so deterministic.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.array(sorted((index[a], index[b]) for a, b in graph.edges), dtype=np.int64).reshape(-1, 2)
    rng = np.random.RandomState(SEED % (2 ** 32))
    pos = rng.rand(n, 2)
    degree = np.bincount(edges.ravel(), minlength=n).astype(float)
    # Springs weakened at hubs (as ForceAtlas2's "dissuade hubs"): a hub's hundreds of neighbours do not
    # collapse onto it, and the drawing stays readable (and fast: fewer nodes within 2k of each other).
    weight = 1.0 / np.sqrt(degree[edges[:, 0]] * degree[edges[:, 1]]) if len(edges) else np.zeros(0)
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        disp = np.zeros_like(pos)
        pairs = cKDTree(pos, balanced_tree=False, compact_nodes=False).query_pairs(2 * k, output_type="ndarray")
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01 * k)
            force = (k * k / dist / dist)[:, None] * delta
            disp += _scatter(pairs[:, 0], pairs[:, 1], force, n)
        if len(edges):
            delta = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01 * k)
            force = (weight * dist / k)[:, None] * delta
            disp -= _scatter(edges[:, 0], edges[:, 1], force, n)
        disp -= 0.3 * k * (pos - pos.mean(axis=0))  # gentle gravity keeps the components together
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature -= cooling
    return pos


# ----------------------------------------------------------------------------------------------- the page


def _web(name: str) -> str:
    try:
        return (WEB_DIR / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise TimelineError(f"{WEB_DIR / name}: cannot read the page's own front-end code: "
                            f"{exc.strerror or exc}") from None


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def _legend_items(legend: list[dict]) -> list[dict]:
    """The legend's node categories with the colours their icons are drawn in (the shapes are in the template)."""
    items = []
    for item in legend:
        fill = item.get("fill", item["color"]) if item["hollow"] else item["color"]
        stroke = item["color"] if item["hollow"] else _shade(item["color"], 0.45)
        if item["category"] == "event":
            fill, stroke = "#fff6d5", item["color"]
        items.append({"category": item["category"], "label": item["label"], "count": item["count"],
                      "shape": item["shape"], "fill": fill, "stroke": stroke,
                      "width": "2.5" if item["hollow"] else "1.2"})
    return items


def _table_rows(data: dict) -> list[dict]:
    """The text twin: every node with its type, number of events and links (related node and relation)."""
    names = {n["id"]: n["name"] for n in data["nodes"]}
    links: dict[str, list[tuple[str, str, str]]] = {n["id"]: [] for n in data["nodes"]}
    for edge in data["edges"]:
        a, b = edge["from"], edge["to"]
        detail = edge["relation"] + (f" ({_plural(len(edge['events']), 'event')})"
                                     if len(edge["events"]) > 1 else "")
        links[a].append((names[b].casefold(), b, detail))
        links[b].append((names[a].casefold(), a, detail))
    return [{"id": node["id"], "name": node["name"], "kind": node["kindLabel"],
             "count": len(node["events"]) if node["category"] != "event" else 1,
             "links": [{"id": other, "name": names[other], "detail": detail}
                       for _, other, detail in sorted(links[node["id"]])]}
            for node in data["nodes"]]


def _summary(data: dict, depth: int) -> str:
    n_entities = sum(1 for n in data["nodes"] if n["category"] != "event")
    parts = [f"{n_entities} {'entity' if n_entities == 1 else 'entities'}"]
    if data["withEvents"]:
        parts.append(_plural(sum(1 for n in data["nodes"] if n["category"] == "event"), "event"))
        parts.append(_plural(len(data["edges"]), "link"))
        text = ", ".join(parts[:-1]) + " and " + parts[-1]
    else:
        n_events = len({ev for e in data["edges"] for ev in e["events"]})
        text = f"{parts[0]} and {_plural(len(data['edges']), 'link')} from {_plural(n_events, 'event')}"
    if data["focus"] is not None:
        name = next(n["name"] for n in data["nodes"] if n["id"] == data["focus"])
        text += f", within {_plural(depth, 'step')} of {name}"
    return text + "."


def render_graph(view: View, *, focus: str | None = None, depth: int = 1, events: bool = False,
                 title: str | None = None) -> str:
    """The whole HTML document: one UTF-8 file, offline, deterministic, embeddable."""
    data = graph_data(view, focus=focus, depth=depth, events=events)
    from markupsafe import Markup

    title = title or view.case_title
    config = {"heightMessage": HEIGHT_MESSAGE, "title": title}
    payload = script_json(json.dumps({"config": config, **data}, ensure_ascii=False, sort_keys=True,
                                      separators=(",", ":")))
    vis_js = assets.read(assets.NETWORK_JS)
    own_js = _web("graph.js")
    csp = (f"default-src 'none'; script-src {_csp_hash(vis_js)} {_csp_hash(own_js)}; "
           "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
           "base-uri 'none'; form-action 'none'")
    vis_version = assets.version("vis-network")
    return templating.render(
        "graph.html.j2",
        # Fixed text and base64 digests: no '"', '&' or '<' (its quotes are the CSP's own, as written).
        csp=Markup(csp),
        version=__version__,
        vis_version=vis_version,
        title=title,
        summary=_summary(data, depth),
        legend_items=_legend_items(data["legend"]),
        edge_color=EDGE_COLOR,
        member_color=MEMBER_COLOR,
        nodes_word=_plural(len(data["nodes"]), "node"),
        table_rows=_table_rows(data),
        notice="\n\n".join(assets.notice(name) for name in ("vis-network", *assets.NETWORK_BUNDLED)),
        # script_json leaves no '<', '>' or '&' in the JSON.
        payload=Markup(payload),
        # The package's own CSS and JS and vis-network's, verbatim (the CSP allows these exact scripts by
        # their hashes): shipped code, not case text.
        css=Markup(_web("graph.css")),
        vis_js=Markup(vis_js),
        own_js=Markup(own_js),
    )


class GraphPage:
    """A rendered graph page: ``.html``, ``.save(path)``; a notebook shows it inline."""

    def __init__(self, html: str, title: str = "Network"):
        self.html = html
        self.title = title

    def save(self, path) -> Path:
        from timeline.files import write_atomic

        path = Path(path)
        write_atomic(path, self.html.encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        return str(templating.macros("notebook.html.j2").graph_frame(self.html, self.title))

    def __repr__(self) -> str:
        return f"<GraphPage {self.title!r}: {len(self.html.encode('utf-8'))} bytes>"


def graph_page(view: View, **kw) -> GraphPage:
    """:func:`render_graph` wrapped for notebooks and scripts."""
    return GraphPage(render_graph(view, **kw), kw.get("title") or view.case_title)
