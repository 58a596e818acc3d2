"""Where the network's nodes go: seeded force-directed positions in pixels, computed before the page is written.

The page ships with physics off, so a 2,000-node graph opens at once and the same view always looks the
same. A component of up to :data:`LARGE` nodes is laid out by networkx's ``spring_layout`` (seeded); a larger
one by a vectorised grid variant of the same Fruchterman-Reingold model (:func:`_grid_spring`), because
networkx's takes about 10 s at 1,500 nodes. Each component is then turned landscape, scaled to about ``CELL``² px² per
node, pushed apart where labels would overlap, and packed beside or beneath the largest one.

numpy, scipy and networkx are imported when a layout is computed, not with this module.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

SEED = 20180614
#: Above this many nodes: the fast grid layout, straight edges, edges hidden while dragging.
LARGE = 500
CELL = 125  # px: each node gets about CELL² of the drawing (so labels fit at the initial zoom)
CELL_LARGE = 60
ASPECT = 1.8  # width / height of the drawing
VIEW = (1180.0, 600.0)  # a typical canvas, px: layouts are made to be readable in it


def node_box(label: str, size: float, inside: bool, bold: bool = False) -> tuple[float, float, float]:
    """About how much room a node takes with its label: (width, height, offset of the box's centre below
    the node's), in px. Labels are 14 px below the node (17 px for the focus), or 14 px inside a box."""
    lines = label.split("\n")
    longest = max(len(line) for line in lines)
    if inside:
        return longest * 7.7 + 14, len(lines) * 17 + 14, 0.0
    char, line = (9.4, 21) if bold else (8.2, 17)
    below = 5 + len(lines) * line
    return max(longest * char, 2 * size), 2 * size + below, below / 2


def positions(graph: nx.Graph, focus: str | None = None, large: bool = False,
              boxes: dict[str, tuple[float, float, float]] | None = None) -> dict[str, tuple[int, int]]:
    """Seeded force-directed positions in pixels: spread for labels, wider than tall, focus at the centre.

    ``large`` gives each node less room (:data:`CELL_LARGE`); ``boxes`` are each node's :func:`node_box`
    (without them every node is given the same box).

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
