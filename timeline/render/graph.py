"""The interactive network page: entities (and optionally events) as a vis-network graph.

This module assembles the graph from a view (nodes, merged edges, events as nodes, what the panels show)
and renders the page; how it looks is :mod:`timeline.render.styles`, where the nodes go is
:mod:`timeline.render.layout` (computed here, shipped with physics off, so a 2,000-node graph opens at
once). Same view and options give byte-identical output.

pyvis only builds the vis-network node and edge data (``Network.add_node`` / ``add_edge``); the page is our
own template, ``timeline/templates/graph.html.j2`` (autoescaped), with vis-network inlined from npm (see
:mod:`timeline.render.assets`), our ``web/graph.js`` and ``web/graph.css``, and the data as JSON. Never
pyvis's HTML, which loads vis-network from CDNs (the page must work offline) and is written without an
encoding; nor ``Network.from_nx``, which adds edges to an undirected network, where pyvis checks each new
edge against every earlier one: quadratic in the number of edges.

Library use::

    data = graph_data(view, focus="ice", depth=1)   # nodes, edges, legend, events, sources
    page = graph_page(view, focus="ice")             # .html, .save(path), shown inline in a notebook
    graph_data(view, events="all")                   # every event as a node ("connecting" by default)
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import textwrap
from pathlib import Path

from timeline import __version__, templating
from timeline.errors import TimelineError
from timeline.htmlsafe import safe_url, script_json
from timeline.namespaces import wikidata_id
from timeline.render import assets, layout, styles
from timeline.render.embed import HEIGHT_MESSAGE
from timeline.render.pages import Page
from timeline.views.model import EntityView, View

WEB_DIR = Path(__file__).resolve().parent / "web"
EVENT_PREFIX = "event:"
#: Which events are drawn as nodes: those that would leave a participant unlinked (the default), all, none.
EVENT_MODES = ("connecting", "all", "none")


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


def _event_mode(events: str | bool) -> str:
    """One of :data:`EVENT_MODES`; ``True``/``False`` (the former flag) mean "all"/"none"."""
    if isinstance(events, bool):
        return "all" if events else "none"
    if events not in EVENT_MODES:
        raise TimelineError(f"events {events!r}: use one of {', '.join(EVENT_MODES)}", param="events")
    return events


def _connecting(view: View, relations: list[dict[str, str]]) -> list:
    """The events that leave a participant without a link of their own: one participant (a crash, a
    protest), participants all on one side (two initiators), or a role that is neither acting nor acted on.
    Drawn as nodes, so everyone who takes part in an event is linked to it."""
    linked: dict[str, set[str]] = {}
    for r in relations:
        if r["event"]:
            linked.setdefault(r["event"], set()).update((r["from"], r["to"]))
    return [e for e in view.events if any(p.id not in linked.get(e.id, ()) for p in e.participants)]


def graph_data(view: View, focus: str | None = None, depth: int = 1, events: str | bool = "connecting") -> dict:
    """The network as plain data: ``nodes`` and ``edges`` (vis-network fields plus ours), ``legend``,
    ``events`` and ``sources`` (what the panels show), ``focus`` and vis ``options``.

    Nodes are the entities taking part in the view's events (or related by member-of); with ``focus``
    only those within ``depth`` hops of it on the relation graph. Relations between the same pair of
    entities are merged into one edge that lists its events. Events drawn as nodes are linked to their
    participants by edges labelled with the role: with ``events="connecting"`` (the default) the events
    that would otherwise leave a participant unlinked (see :func:`_connecting`), so no one who takes part
    in an event floats alone; ``"all"`` every event; ``"none"`` none.
    """
    import networkx as nx
    from pyvis.network import Network

    mode = _event_mode(events)
    entities = _entities(view)
    relations = _relations(view, entities)
    by_event = {e.id: e for e in view.events}
    connecting = _connecting(view, relations) if mode != "none" else []
    candidates = [e for e in view.events if e.participants] if mode == "all" else connecting

    relation_graph = nx.Graph()
    relation_graph.add_nodes_from(sorted({p.id for e in view.events for p in e.participants}
                                         | {r["from"] for r in relations} | {r["to"] for r in relations}))
    relation_graph.add_edges_from(sorted({tuple(sorted((r["from"], r["to"]))) for r in relations}))
    # A focus reaches those it shares an event node with, as it reaches those it acted on.
    relation_graph.add_edges_from(sorted({pair for e in connecting
                                          for pair in itertools.combinations(sorted({p.id for p in e.participants}),
                                                                             2)}))
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

    shown_events = [e for e in candidates if any(p.id in keep for p in e.participants)]
    if focus is not None:  # those of the focus, and those joining two entities shown
        linked = {r["event"] for rels in pairs.values() for r in rels if r["event"]}
        shown_events = [e for e in shown_events
                        if e.id in linked or any(p.id == focus for p in e.participants)
                        or len({p.id for p in e.participants} & keep) > 1]
    as_nodes = {e.id for e in shown_events}

    # The displayed graph: entity-entity edges (or, with events, entity-event edges and member-of).
    display = nx.Graph()
    display.add_nodes_from(sorted(keep))
    edges_out: list[dict] = []
    for (a, b), rels in sorted(pairs.items()):
        rels = sorted(rels, key=lambda r: (by_event[r["event"]].sort if r["event"] else "", r["event"],
                                           r["from"], r["to"]))
        if any(r["event"] in as_nodes for r in rels):
            rels = [r for r in rels if r["event"] not in as_nodes]  # the event nodes carry these
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

    large = display.number_of_nodes() > layout.LARGE
    boxes = None
    if not large:
        boxes = {n: layout.node_box(_wrap(entities[n].label),
                                    styles.node_size(display.degree(n)) + (6 if n == focus else 0), False,
                                    bold=n == focus) for n in keep}
        for event in shown_events:
            boxes[EVENT_PREFIX + event.id] = layout.node_box(_event_label(event), 0, True)
    positions = layout.positions(display, focus=focus, large=large, boxes=boxes)

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
    net.options = styles.vis_options(large)

    referenced = sorted({ev for e in edges_out for ev in e["events"]} | {ev for n in nodes_out for ev in n["events"]})
    events_out = {ev: _event_data(by_event[ev]) for ev in referenced if ev in by_event}
    source_ids = sorted({c["source"] for e in events_out.values() for c in e["citations"]})
    sources_out = {}
    for sid in source_ids:
        s = view.sources.get(sid)
        sources_out[sid] = {"title": s.title if s else sid, "publisher": s.publisher if s else "",
                            "published": s.published if s else "", "url": safe_url(s.url) if s else None}
    counts: dict[str, int] = {}
    for node in nodes_out:
        counts[node["category"]] = counts.get(node["category"], 0) + 1
    return {
        "nodes": net.nodes,
        "edges": net.edges,
        "legend": styles.legend(counts),
        "events": events_out,
        "sources": sources_out,
        "focus": focus,
        "depth": depth if focus is not None else None,
        "withEvents": bool(shown_events),
        "eventMode": mode,
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
        edge.update(styles.member_edge_style())
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
    key = styles.category(entity.kind)
    size = styles.node_size(degree)
    summary = f"{entity.kind_label} · {_plural(len(event_ids), 'event')} · {_plural(degree, 'link')}"
    node = {
        "id": entity.id,
        "label": _wrap(entity.label),
        "group": key,
        "shape": styles.shape(key),
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
        node.update(styles.focus_style())
    return node


def _event_node(event, degree: int, xy: tuple[int, int]) -> dict:
    types = ", ".join(event.type_labels)
    return {
        "id": EVENT_PREFIX + event.id,
        "label": _event_label(event),
        "group": "event",
        "shape": "box",
        # As large as the entities' labels: at the zoom that fits a phone or half a screen, both still show.
        "font": {"size": 14, "color": "#1b1b1b", "strokeWidth": 0},
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


def _event_label(event) -> str:
    """What happened and when, in a few short lines; the hover text and panel say it all."""
    return _wrap(event.label, width=26, lines=2) + "\n" + _wrap(event.date_label, width=26, lines=2)


# ----------------------------------------------------------------------------------------------- the page


def _web(name: str) -> str:
    try:
        return (WEB_DIR / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise TimelineError(f"{WEB_DIR / name}: cannot read the page's own front-end code: "
                            f"{exc.strerror or exc}") from None


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


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
    entities = f"{n_entities} {'entity' if n_entities == 1 else 'entities'}"
    links = _plural(len(data["edges"]), "link")
    boxes = sum(1 for n in data["nodes"] if n["category"] == "event")
    if data["eventMode"] == "all":
        text = f"{entities}, {_plural(boxes, 'event')} and {links}"
    else:
        text = f"{entities} and {links} from {_plural(len({ev for e in data['edges'] for ev in e['events']}), 'event')}"
    if data["focus"] is not None:
        name = next(n["name"] for n in data["nodes"] if n["id"] == data["focus"])
        text += f", within {_plural(depth, 'step')} of {name}"
    if boxes and data["eventMode"] != "all":
        text += f"; {_plural(boxes, 'event')} {'is a box' if boxes == 1 else 'are boxes'}, linked to those taking part"
    return text + "."


def render_graph(view: View, *, focus: str | None = None, depth: int = 1, events: str | bool = "connecting",
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
        legend_items=styles.legend_items(data["legend"]),
        role_edges=any(e["kind"] == "role" for e in data["edges"]),
        edge_color=styles.EDGE_COLOR,
        member_color=styles.MEMBER_COLOR,
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


class GraphPage(Page):
    """A rendered graph page: ``.html``, ``.save(path)``; a notebook shows it inline."""

    frame = "graph_frame"  # its links may open the articles in a new tab

    def __init__(self, html: str, title: str = "Network", height: int = 900):
        super().__init__(html, title, height)


def graph_page(view: View, **kw) -> GraphPage:
    """:func:`render_graph` wrapped for notebooks and scripts."""
    return GraphPage(render_graph(view, **kw), kw.get("title") or view.case_title)
