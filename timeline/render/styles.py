"""How the network looks: node categories (shape, colour, filled or hollow), node sizes, edge colours, the
legend, and vis-network's drawing and interaction options.

Colour is never the only signal: 7 shapes, each filled (agents) or hollow (everything else), and the legend,
hover text, panel and table name the type.
"""

from __future__ import annotations

import math

# Node categories: (key, legend label, vis shape, colour, hollow).
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
EVENT_FILL = "#fff6d5"
EDGE_COLOR = "#6b7280"
MEMBER_COLOR = "#8a6d3b"
_SELECTED = "#111111"  # an edge selected or hovered


def category(kind: str) -> str:
    """The legend category of an entity class local name (``Company`` -> ``company``)."""
    return KIND_CATEGORY.get(kind, "other")


def shape(key: str) -> str:
    """The vis-network shape of a category."""
    return _CATEGORY[key][2]


def node_size(degree: int) -> float:
    """A node's radius in px: grows with its number of links, up to 36."""
    return round(min(36.0, 11 + 3 * math.sqrt(degree)), 1)


def focus_style() -> dict:
    """What sets the focus node apart besides its size: a larger, black label and a thick border."""
    return {"font": {"size": 17, "color": "#000000"}, "borderWidth": 4}


def member_edge_style() -> dict:
    """A member-of edge (no event behind it): dashed, in its own colour."""
    return {"dashes": True, "color": {"color": MEMBER_COLOR, "highlight": _SELECTED, "hover": _SELECTED}}


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
    """A category's node colours: agents filled, the rest hollow (a pale tint inside a coloured border)."""
    _, _, _, colour, hollow = _CATEGORY[key]
    fill = _tint(colour, 0.82) if hollow else colour
    return {"background": fill, "border": colour if hollow else _shade(colour, 0.45),
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"}}


def legend(counts: dict[str, int]) -> list[dict]:
    """The legend's entries, in category order, for the categories with nodes: ``counts`` by category key."""
    out = []
    for key, label, vis_shape, colour, hollow in CATEGORIES + [EVENT_CATEGORY]:
        if counts.get(key):
            out.append({"category": key, "label": label, "shape": vis_shape, "color": colour, "hollow": hollow,
                        "count": counts[key], **({"fill": _tint(colour, 0.82)} if hollow else {})})
    return out


def legend_items(entries: list[dict]) -> list[dict]:
    """The :func:`legend` entries with the colours their icons are drawn in (the shapes are in the template)."""
    items = []
    for item in entries:
        fill = item.get("fill", item["color"]) if item["hollow"] else item["color"]
        stroke = item["color"] if item["hollow"] else _shade(item["color"], 0.45)
        if item["category"] == "event":
            fill, stroke = EVENT_FILL, item["color"]
        items.append({"category": item["category"], "label": item["label"], "count": item["count"],
                      "shape": item["shape"], "fill": fill, "stroke": stroke,
                      "width": "2.5" if item["hollow"] else "1.2"})
    return items


def _groups() -> dict:
    """vis-network groups, one per category: each node names its group and takes its look from it."""
    groups = {}
    for key, _, vis_shape, _, hollow in CATEGORIES:
        groups[key] = {"shape": vis_shape, "color": _node_colour(key), "borderWidth": 2.5 if hollow else 1.5}
    groups["event"] = {"shape": "box", "borderWidth": 1.5, "margin": 6,
                       "color": {"background": EVENT_FILL, "border": EVENT_CATEGORY[3],
                                 "highlight": {"background": "#ffe9a8", "border": "#000000"},
                                 "hover": {"background": "#ffe9a8", "border": "#000000"}},
                       "font": {"color": "#1b1b1b", "size": 12, "strokeWidth": 0}}
    return groups


def vis_options(large: bool) -> dict:
    """vis-network's options: the category groups, physics off (positions are computed), and the interaction;
    ``large`` graphs get straight edges, hidden while dragging or zooming."""
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
            "color": {"color": EDGE_COLOR, "highlight": _SELECTED, "hover": _SELECTED, "inherit": False},
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

