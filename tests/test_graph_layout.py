"""The network page's parts on their own: the layout (seeded positions in px, labels not overlapping, focus at
the centre, components packed), the styles (every entity class has a category with a shape and a legend entry)
and the Wikidata ids that become links."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from timeline.namespaces import PREFIXES, TL_TERMS, wikidata_id
from timeline.render import layout, styles

ROOT = Path(__file__).resolve().parents[1]


def _overlaps(pos: dict[str, tuple[int, int]], boxes: dict[str, tuple[float, float, float]]) -> list:
    out = []
    names = sorted(pos)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            (wa, ha, oa), (wb, hb, ob) = boxes[a], boxes[b]
            dx = abs(pos[a][0] - pos[b][0])
            dy = abs(pos[a][1] + oa - pos[b][1] - ob)
            if dx < (wa + wb) / 2 and dy < (ha + hb) / 2:
                out.append((a, b))
    return out


def _graph() -> nx.Graph:
    """Two stars joined by an edge, and a separate pair: two components."""
    g = nx.Graph()
    g.add_edges_from(("hub-a", f"a{i}") for i in range(8))
    g.add_edges_from(("hub-b", f"b{i}") for i in range(6))
    g.add_edge("hub-a", "hub-b")
    g.add_edge("lone-1", "lone-2")
    return g


def test_positions_are_whole_pixels_with_labels_apart_and_the_focus_at_the_centre() -> None:
    g = _graph()
    boxes = {n: layout.node_box(f"Entity {n}", styles.node_size(g.degree(n)), False) for n in g}
    pos = layout.positions(g, focus="hub-b", boxes=boxes)
    assert set(pos) == set(g)
    assert all(isinstance(x, int) and isinstance(y, int) for x, y in pos.values())
    assert pos["hub-b"] == (0, 0)
    assert _overlaps(pos, boxes) == []
    xs, ys = [x for x, _ in pos.values()], [y for _, y in pos.values()]
    assert max(xs) - min(xs) > max(ys) - min(ys), "landscape, as screens are"


def test_positions_are_the_same_for_the_same_graph_in_any_order_and_process() -> None:
    g = _graph()
    shuffled = nx.Graph()
    shuffled.add_nodes_from(sorted(g, reverse=True))
    shuffled.add_edges_from(sorted(((b, a) for a, b in g.edges), reverse=True))
    assert layout.positions(g) == layout.positions(shuffled)
    code = ("import networkx as nx; from timeline.render import layout; "
            "g = nx.star_graph(30); print(sorted(layout.positions(g).items()))")
    runs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(runs) == 1


def test_a_graph_above_the_large_threshold_gets_the_fast_layout() -> None:
    g = nx.path_graph(layout.LARGE + 50)
    g = nx.relabel_nodes(g, {n: f"n{n:04d}" for n in g})
    pos = layout.positions(g, large=True)
    assert len(pos) == len(g) and len(set(pos.values())) == len(g), "no two nodes on the same pixel"
    assert layout.positions(nx.Graph()) == {}


def test_every_entity_class_has_a_category_shape_and_legend_entry() -> None:
    classes = {"Agent", "Person", "Organization", "Company", "GovernmentAgency", "PoliceDepartment",
               "AdvocacyGroup", "ResearchGroup", "NewsOrganization", "Legislature", "Group", "Product",
               "Technology", "Project", "Place", "Document", "Report", "Letter", "Study", "PressRelease", "Email",
               "BlogPost"}
    assert classes <= TL_TERMS
    keys = {styles.category(c) for c in classes}
    assert "other" not in keys and styles.category("SomethingNew") == "other"
    counts = {k: 1 for k in keys | {"event"}}
    legend = styles.legend(counts)
    assert [e["category"] for e in legend] == [c[0] for c in styles.CATEGORIES + [styles.EVENT_CATEGORY]
                                               if c[0] in counts]
    for item in styles.legend_items(legend):
        assert item["fill"].startswith("#") and item["stroke"].startswith("#") and item["shape"]
    looks = {(styles.shape(k), c[4]) for k in keys for c in styles.CATEGORIES if c[0] == k}
    assert len(looks) == len(keys), "each category is told apart by shape and fill, not by colour alone"


def test_large_graphs_draw_straight_edges_hidden_while_dragging() -> None:
    small, large = styles.vis_options(False), styles.vis_options(True)
    assert small["physics"] == {"enabled": False} == large["physics"], "positions are computed, not simulated"
    assert large["edges"]["smooth"] is False and large["interaction"]["hideEdgesOnDrag"] is True
    assert small["edges"]["smooth"] and small["interaction"]["hideEdgesOnDrag"] is False


@pytest.mark.parametrize(("value", "expected"), [
    ("Q3884", "Q3884"),
    (PREFIXES["wd"] + "Q3884", "Q3884"),
    ("https://www.wikidata.org/wiki/Q42", "Q42"),
    ("  Q42\n", "Q42"),
    (None, None), ("", None), ("Amazon", None), ("P31", None), ("Q0", None), ("Q042", None),
    ("javascript:alert(1)", None), ("Q42\nx", None), ("Q1234567890123", None), (PREFIXES["wd"] + "Q42/", None),
])
def test_only_a_wellformed_wikidata_item_id_is_taken(value, expected) -> None:
    assert wikidata_id(value) == expected


def test_the_graph_page_modules_load_no_heavy_library_on_import() -> None:
    code = ("import sys, timeline.render.graph, timeline.render.layout, timeline.render.styles, timeline.namespaces; "
            "print(sorted({'numpy', 'scipy', 'networkx', 'pyvis', 'jinja2'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
