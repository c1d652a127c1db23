"""Node positions for `kg viz`, computed in Python so the browser never runs physics.

python-igraph's Fruchterman-Reingold places a 5,000-node graph in well under a second (its grid
variant kicks in from 1,000 nodes); vis-network's own physics takes minutes on the same graph
and never settles (see docs/viz.md). Path views use a layered (Sugiyama) layout so that a causal
chain reads left to right. Positions are rounded to whole pixels and the random number generator
is seeded, so the same graph gives the same page.

>>> pos = layout(["a", "b", "c"], [("a", "b"), ("b", "c")])
>>> sorted(pos) == ["a", "b", "c"] and pos == layout(["a", "b", "c"], [("a", "b"), ("b", "c")])
True
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

__all__ = ["layout"]

EDGE_LENGTH = 230.0  # pixels at zoom 1: room for a wrapped label between two nodes
# Labels are wide and short, so nodes side by side need more room than nodes stacked.
GAP_X, GAP_Y = 190.0, 80.0
LAYER_X, LAYER_Y = 210.0, 120.0  # layered views: between layers, between nodes of a layer
HUB_PAD = 60.0  # extra room around the most connected node, less around smaller ones
SPREAD_LIMIT = 3000  # above this many nodes, skip the O(n·k) overlap pass


def layout(
    nodes: list[str], pairs: list[tuple[str, str]], *, layered: bool = False
) -> dict[str, tuple[int, int]]:
    """Positions for `nodes` (in pixels) given directed `pairs` between them."""
    import igraph as ig

    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted({(index[a], index[b]) for a, b in pairs if a != b})
    graph = ig.Graph(n=len(nodes), edges=edges, directed=True)
    ig.set_random_number_generator(random.Random(len(nodes) * 7919 + len(edges)))
    try:
        if layered:
            coords = _layered(graph)
        else:
            seed = [
                [math.cos(2 * math.pi * i / len(nodes)), math.sin(2 * math.pi * i / len(nodes))]
                for i in range(len(nodes))
            ]
            coords = graph.as_undirected().layout_fruchterman_reingold(seed=seed, niter=800)
            coords = [tuple(xy) for xy in coords.coords]
    finally:
        ig.set_random_number_generator(random)  # igraph's default generator
    if not layered:
        coords = _scale(coords, edges)
    if not layered and len(nodes) <= SPREAD_LIMIT:
        degree = graph.degree()
        top = max(degree)
        coords = _spread(coords, [HUB_PAD * d / top if top > 1 else 0.0 for d in degree])
    return {n: (round(x), round(y)) for n, (x, y) in zip(nodes, coords, strict=True)}


def _layered(graph) -> list[tuple[float, float]]:
    """Sugiyama layers, turned so that causes sit left of their effects, in pixels."""
    coords = graph.layout_sugiyama(maxiter=200).coords[: graph.vcount()]
    return [(y * LAYER_X, x * LAYER_Y) for x, y in coords]


def _scale(coords: list[tuple[float, float]], edges: list[tuple[int, int]]):
    """Scale so that the median edge is `EDGE_LENGTH` long, centred on the origin."""
    lengths = sorted(math.dist(coords[a], coords[b]) for a, b in edges)
    median = lengths[len(lengths) // 2] if lengths else 1.0
    factor = EDGE_LENGTH / median if median > 0 else EDGE_LENGTH
    cx = sum(x for x, _ in coords) / len(coords)
    cy = sum(y for _, y in coords) / len(coords)
    return [((x - cx) * factor, (y - cy) * factor) for x, y in coords]


def _spread(
    coords: list[tuple[float, float]], pads: list[float], rounds: int = 200
) -> list[tuple[float, float]]:
    """Push apart nodes whose labels would overlap: closer than `GAP_X` by `GAP_Y`, plus each
    node's pad (hubs are drawn larger, with larger labels).

    A grid of gap-sized cells finds the close pairs, so each round costs O(n·k).
    """
    pts = [list(p) for p in coords]
    reach = 1 + math.ceil(2 * max(pads, default=0) / GAP_Y)
    for _ in range(rounds):
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, (x, y) in enumerate(pts):
            cells[(int(x // GAP_X), int(y // GAP_Y))].append(i)
        moved = False
        for (cx, cy), members in sorted(cells.items()):
            near = [
                j
                for dx in range(-reach, reach + 1)
                for dy in range(-reach, reach + 1)
                for j in cells.get((cx + dx, cy + dy), ())
            ]
            for i in members:
                for j in near:
                    if j <= i:
                        continue
                    gap_x = GAP_X + pads[i] + pads[j]
                    gap_y = GAP_Y + pads[i] + pads[j]
                    dx = (pts[j][0] - pts[i][0]) / gap_x
                    dy = (pts[j][1] - pts[i][1]) / gap_y
                    dist = math.hypot(dx, dy)  # 1.0 = just touching
                    if dist >= 1.0:
                        continue
                    if dist == 0:
                        dx, dy, dist = 1.0, 0.0, 1.0
                    push = (1.0 - dist) / 2 / dist
                    dx, dy = dx * gap_x, dy * gap_y
                    pts[i][0] -= dx * push
                    pts[i][1] -= dy * push
                    pts[j][0] += dx * push
                    pts[j][1] += dy * push
                    moved = True
        if not moved:
            break
    return [(x, y) for x, y in pts]
