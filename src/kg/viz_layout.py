"""Node positions for `kg viz`, computed in Python so the browser never runs physics.

python-igraph's Fruchterman-Reingold (its grid variant past `GRID_FROM` nodes) places 5,000
nodes in a second or two, where vis-network's own physics takes minutes and never settles
(numbers in docs/benchmarks.md). Small graphs get the best of a few seeded runs (fewest edge
crossings) and a pass that pushes overlapping labels apart. Path views use a layered (Sugiyama)
layout so that a causal chain reads left to right. Positions are rounded to whole pixels and
every random start is seeded, so the same graph gives the same page.

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
HUB_PAD = 60.0  # extra room around the most connected node, less around smaller hubs
HUBS = 20  # how many of the most connected nodes get that room
TRIES, TRIES_UP_TO = 8, 200  # seeded starts tried on graphs up to this many nodes
GRID_FROM = 300  # igraph's grid variant past this many nodes: 10x faster at 1,000 nodes
SPREAD_LIMIT = 600  # above this many nodes, skip the overlap pass: too slow in Python, and
# labels are only read zoomed in on such graphs anyway


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
    try:
        if layered:
            coords = _layered(graph)
        else:
            coords = _force_directed(graph, 0)
            if len(nodes) <= TRIES_UP_TO:  # small graphs: the fewest edge crossings of a few
                coords = min(
                    (coords, *(_force_directed(graph, seed) for seed in range(1, TRIES))),
                    key=lambda xy: _crossings(xy, edges),
                )
    finally:
        ig.set_random_number_generator(random)  # igraph's default generator
    if not layered:
        coords = _scale(coords, edges)
    if not layered and len(nodes) <= SPREAD_LIMIT:
        degree = graph.degree()
        cut = sorted(degree, reverse=True)[:HUBS][-1]
        top = max(degree)
        pads = [HUB_PAD * d / top if d >= max(cut, 8) else 0.0 for d in degree]
        coords = _spread(coords, pads)
    return {n: (round(x), round(y)) for n, (x, y) in zip(nodes, coords, strict=True)}


def _force_directed(graph, seed: int) -> list[tuple[float, float]]:
    """Fruchterman-Reingold from igraph's own random start, drawn from a seeded generator:
    given starting positions instead, its grid variant runs many times slower (measured:
    0.7 s against 4 to 24 s at 5,000 nodes)."""
    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    layout = graph.as_undirected().layout_fruchterman_reingold(grid=graph.vcount() > GRID_FROM)
    return [(x, y) for x, y in layout.coords]


def _crossings(coords: list[tuple[float, float]], edges: list[tuple[int, int]]) -> int:
    """How many pairs of edges cross (edges sharing a node do not count)."""

    def side(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    count = 0
    for k, (a, b) in enumerate(edges):
        pa, pb = coords[a], coords[b]
        for c, d in edges[k + 1 :]:
            if len({a, b, c, d}) < 4:
                continue
            pc, pd = coords[c], coords[d]
            if side(pa, pb, pc) * side(pa, pb, pd) < 0 and side(pc, pd, pa) * side(pc, pd, pb) < 0:
                count += 1
    return count


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
    coords: list[tuple[float, float]], pads: list[float], rounds: int = 60
) -> list[tuple[float, float]]:
    """Push apart nodes whose labels would overlap: closer than `GAP_X` by `GAP_Y`, plus the
    pads of the few hubs (drawn larger, with larger labels).

    A grid of gap-sized cells finds the close pairs of ordinary nodes; hubs are checked against
    every node. Each round costs O(n·k); rounds stop when nothing moves noticeably.
    """
    pts = [list(p) for p in coords]
    hubs = [i for i, pad in enumerate(pads) if pad > 0]

    def push(i: int, j: int) -> bool:
        gap_x = GAP_X + pads[i] + pads[j]
        gap_y = GAP_Y + pads[i] + pads[j]
        dx = (pts[j][0] - pts[i][0]) / gap_x
        dy = (pts[j][1] - pts[i][1]) / gap_y
        dist = math.hypot(dx, dy)  # 1.0 = just touching
        if dist >= 0.97:
            return False
        if dist == 0:
            dx, dy, dist = 1.0, 0.0, 1.0
        share = (1.0 - dist) / 2 / dist
        pts[i][0] -= dx * gap_x * share
        pts[i][1] -= dy * gap_y * share
        pts[j][0] += dx * gap_x * share
        pts[j][1] += dy * gap_y * share
        return True

    for _ in range(rounds):
        moved = False
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, (x, y) in enumerate(pts):
            cells[(int(x // GAP_X), int(y // GAP_Y))].append(i)
        for (cx, cy), members in sorted(cells.items()):
            near = [
                j
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for j in cells.get((cx + dx, cy + dy), ())
            ]
            for i in members:
                for j in near:
                    if j > i and not (pads[i] or pads[j]):
                        moved = push(i, j) or moved
        for i in hubs:
            for j in range(len(pts)):
                if j != i and (pads[j] == 0 or j > i):
                    moved = push(i, j) or moved
        if not moved:
            break
    return [(x, y) for x, y in pts]
