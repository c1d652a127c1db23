"""`kg viz`: the graph as an interactive, self-contained HTML page.

A view picks causal claims from the store: all of them, one entity's neighbourhood, one
source's, or the causal paths between two entities; `--relation` and `--modality` narrow any
view. Filtering happens here, before anything is laid out or rendered, so the browser only gets
what it will show. A view larger than `max_nodes` is refused with a message that says how to
narrow it, rather than handed to a browser that would freeze on it (docs/viz.md).

Reading: `kg.viz_data` (SPARQL), layout: `kg.viz_layout` (igraph), page: `kg.viz_page`.

>>> spec = ViewSpec(focus="us-tariffs", depth=1)
>>> spec.kind
'focus'
"""

from __future__ import annotations

import difflib
import time
from dataclasses import dataclass, field
from itertools import islice, pairwise
from pathlib import Path

from kg.errors import InputError
from kg.files import replacing
from kg.models import Modality, Relation
from kg.store import Store
from kg.viz_data import VizClaim, VizGraph, load_graph

__all__ = [
    "DEFAULT_MAX_NODES",
    "DEFAULT_OUTPUT",
    "View",
    "ViewSpec",
    "VizResult",
    "render_view",
    "resolve_entity",
    "select_view",
]

DEFAULT_OUTPUT = Path("visualizations/seed-graph.html")
DEFAULT_MAX_NODES = 5000
FOCUS_DEPTH = 1
PATH_DEPTH = 4
MAX_PATHS = 100


@dataclass(frozen=True)
class ViewSpec:
    """What to show. Entities may be given by id, label or alias."""

    focus: str | None = None
    depth: int | None = None
    source: str | None = None
    path_from: str | None = None
    path_to: str | None = None
    relations: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    max_nodes: int = DEFAULT_MAX_NODES

    def __post_init__(self) -> None:
        if (self.path_from is None) != (self.path_to is None):
            raise InputError("--from and --to go together")
        if self.focus and self.path_from:
            raise InputError("choose either --focus or --from/--to")
        if self.depth is not None and self.depth < 1:
            raise InputError("--depth must be at least 1")
        if self.depth is not None and not (self.focus or self.path_from):
            raise InputError("--depth counts steps around --focus or along --from/--to: give one")
        for field_name, what, known in (
            ("relations", "relation", [r.value for r in Relation]),
            ("modalities", "modality", [m.value for m in Modality]),
        ):
            given = getattr(self, field_name)
            # "motivates" is one relation, not its letters; a generator is read once, here
            given = () if given is None else (given,) if isinstance(given, str) else tuple(given)
            object.__setattr__(self, field_name, given)  # a frozen dataclass
            for name in given:
                if name not in known:
                    raise InputError(f"unknown {what} {name!r}; choose from: {', '.join(known)}")

    @property
    def kind(self) -> str:
        if self.path_from:
            return "paths"
        if self.focus:
            return "focus"
        return "source" if self.source else "whole"


@dataclass(frozen=True)
class View:
    """The claims and entities a page shows, and how to title it."""

    kind: str
    title: str
    claims: tuple[VizClaim, ...]
    entities: frozenset[str]
    focus: str | None = None
    paths: tuple[tuple[str, ...], ...] = ()
    name: str = "seed-graph"  # file name stem of the default output

    @property
    def default_output(self) -> Path:
        """`visualizations/seed-graph.html` for the whole graph, a name per view otherwise,
        so that a narrower view never overwrites the committed one by default."""
        return DEFAULT_OUTPUT.with_name(f"{self.name}.html")


@dataclass
class VizResult:
    output: Path
    nodes: int
    edges: int
    claims: int
    paths: list[str] = field(default_factory=list)
    seconds: float = 0.0


def resolve_entity(graph: VizGraph, name: str) -> str:
    """The id of the entity called `name` (its id, label or an alias, any case).

    An unknown or ambiguous name is an `InputError` that lists what it could mean.
    """
    if name in graph.entities:
        return name
    wanted = name.casefold().strip()
    hits = sorted(
        e.id
        for e in graph.entities.values()
        if wanted in {e.label.casefold(), *(a.casefold() for a in e.aliases)}
    )
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise InputError(f"'{name}' could be any of: {', '.join(hits)}; give an id")
    names = {e.label: e.id for e in graph.entities.values()} | {i: i for i in graph.entities}
    close = difflib.get_close_matches(name, list(names), n=4, cutoff=0.6)
    hint = f"; did you mean {', '.join(dict.fromkeys(names[c] for c in close))}?" if close else ""
    raise InputError(f"unknown entity '{name}'{hint}")


def _step(claim: VizClaim) -> tuple[str, str] | None:
    """The cause -> effect step a claim supports; denied and negative claims support none."""
    if claim.modality == "denied" or claim.polarity == "negative":
        return None
    if claim.relation == "responds_to":  # response -> stimulus: the stimulus is the cause
        return claim.object, claim.subject
    return claim.subject, claim.object


def _paths(claims: tuple[VizClaim, ...], start: str, goal: str, depth: int):
    """Simple causal paths from `start` to `goal` of at most `depth` steps, shortest first."""
    import networkx as nx

    steps = nx.DiGraph()
    steps.add_edges_from(step for c in claims if (step := _step(c)))
    if start not in steps or goal not in steps:
        return []
    # Only entities that reach the goal within `depth` steps can be on a path: searching the
    # rest is what makes path enumeration explode on large graphs.
    near_goal = nx.single_source_shortest_path_length(steps.reverse(copy=False), goal, depth)
    useful = steps.subgraph(near_goal)
    if start not in useful:
        return []
    found = islice(nx.all_simple_paths(useful, start, goal, cutoff=depth), MAX_PATHS * 10)
    return sorted((tuple(p) for p in found), key=lambda p: (len(p), p))[:MAX_PATHS]


def _around(claims: tuple[VizClaim, ...], centre: str, depth: int) -> frozenset[str]:
    import networkx as nx

    links = nx.Graph()
    links.add_node(centre)
    links.add_edges_from((c.subject, c.object) for c in claims)
    return frozenset(nx.single_source_shortest_path_length(links, centre, depth))


def select_view(graph: VizGraph, spec: ViewSpec) -> View:
    """Pick the claims and entities `spec` asks for from `graph`."""
    claims = tuple(
        c
        for c in graph.claims
        if (not spec.relations or c.relation in spec.relations)
        and (not spec.modalities or c.modality in spec.modalities)
        and (not spec.source or c.source == spec.source)
    )
    label = {e.id: e.label for e in graph.entities.values()}
    where = f" in {graph.sources[spec.source].title}" if spec.source else ""
    if spec.kind == "paths":
        start = resolve_entity(graph, spec.path_from or "")
        goal = resolve_entity(graph, spec.path_to or "")
        depth = spec.depth or PATH_DEPTH
        paths = tuple(_paths(claims, start, goal, depth))
        if not paths:
            raise InputError(
                f"no causal path from '{label[start]}' to '{label[goal]}' in at most {depth} "
                "steps (denied claims do not count); try a larger --depth"
            )
        steps = {(a, b) for p in paths for a, b in pairwise(p)}
        on_path = tuple(c for c in claims if _step(c) in steps)
        title = f"Causal paths from {label[start]} to {label[goal]}{where}"
        nodes = frozenset(n for p in paths for n in p)
        name = f"paths-{start}-to-{goal}"
        return View("paths", title, on_path, nodes, focus=start, paths=paths, name=name)
    if spec.kind == "focus":
        centre = resolve_entity(graph, spec.focus or "")
        depth = spec.depth or FOCUS_DEPTH
        nodes = _around(claims, centre, depth)
        inside = tuple(c for c in claims if c.subject in nodes and c.object in nodes)
        within = "1 step" if depth == 1 else f"{depth} steps"
        title = f"{label[centre]} and what is within {within} of it{where}"
        return View("focus", title, inside, nodes, focus=centre, name=f"focus-{centre}-{depth}")
    nodes = frozenset(n for c in claims for n in (c.subject, c.object))
    title = f"Causal claims{where}" if spec.source else "All causal claims"
    name = f"source-{spec.source}" if spec.source else "seed-graph"
    if spec.relations or spec.modalities:
        name += "-" + "-".join(sorted(spec.relations) + sorted(spec.modalities))
    return View(spec.kind, title, claims, nodes, name=name)


def _path_line(graph: VizGraph, view: View, path: tuple[str, ...]) -> str:
    """`A -motivates-> B -increases-> C`, naming every relation that supports each step."""
    label = {e.id: e.label for e in graph.entities.values()}
    text = label[path[0]]
    for a, b in pairwise(path):
        rels = sorted(
            graph.relation_labels.get(c.relation, c.relation)
            if c.relation != "responds_to"
            else "is responded to by"
            for c in view.claims
            if _step(c) == (a, b)
        )
        text += f" -{' / '.join(dict.fromkeys(rels))}-> {label[b]}"
    return text


def render_view(store: Store, spec: ViewSpec, output: Path | str | None = None) -> VizResult:
    """Read the graph from `store`, pick the view, and write it as one HTML file (by default
    `View.default_output`)."""
    from kg.viz_page import page_payload, render_html

    started = time.perf_counter()
    graph = load_graph(store, source=spec.source)
    if spec.source and spec.source not in graph.sources:
        known = ", ".join(graph.sources) or "none"
        raise InputError(f"unknown source '{spec.source}'; sources: {known}")
    view = select_view(graph, spec)
    if not view.entities:
        raise InputError("no causal claim matches this view: nothing to draw")
    if len(view.entities) > spec.max_nodes:
        raise InputError(
            f"this view has {len(view.entities):,} entities, more than --max-nodes "
            f"{spec.max_nodes:,}, past which the page gets slow to draw; narrow it with --focus, "
            "--source, --relation or --modality, or raise --max-nodes"
        )
    payload = page_payload(graph, view)
    html = render_html(payload)
    output = Path(output) if output else view.default_output
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create this folder: {exc.strerror}", path=output.parent) from None
    with replacing(output) as out:
        out.write(html.encode("utf-8"))
    return VizResult(
        output=output,
        nodes=len(view.entities),
        edges=len(payload["edges"]),
        claims=len(view.claims),
        paths=[_path_line(graph, view, p) for p in view.paths],
        seconds=time.perf_counter() - started,
    )
