"""Turn a view of the graph into one self-contained HTML page.

The page is our own Jinja2 template (`viz_assets/page.html`) with vis-network, its script and
its style inlined: it makes no request when opened, from a file or from a server. Article text
(quotes, titles, labels) travels as JSON inside a ``<script type="application/json">`` block,
with ``<``, ``>`` and ``&`` escaped, and the page script only ever puts it into the DOM as text;
a Content-Security-Policy that allows exactly the page's two scripts (by hash) is the second line
of defence, so a ``<script>`` or ``onerror=`` in an article shows as text and runs nothing.

>>> edge_style("denied", "positive"), edge_style("predicted", "positive")
('denied', 'conjectured')
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from kg.viz_layout import layout

if TYPE_CHECKING:
    from kg.viz import View
    from kg.viz_data import VizClaim, VizGraph

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "LABELLED_EDGE_LIMIT",
    "TYPE_STYLES",
    "edge_style",
    "page_payload",
    "render_html",
]

# The headless browser that tests, benchmarks and screenshots open pages in: Debian's Chromium
# (`make system-deps`). Without the background-networking flags it keeps dialling out, which
# a closed network refuses many times a second.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# Colour and shape per entity type: shapes that draw the label beneath, so that it stays
# readable; no two types share both.
TYPE_STYLES: dict[str, tuple[str, str]] = {
    "Event": ("#f28e2b", "dot"),
    "Indicator": ("#4e79a7", "triangle"),
    "Policy": ("#e15759", "diamond"),
    "Country": ("#59a14f", "dot"),
    "Asset": ("#b07aa1", "square"),
    "Company": ("#9c755f", "diamond"),
    "Group": ("#76b7b2", "triangleDown"),
    "GovernmentBody": ("#2f6b3a", "square"),
    "Person": ("#d4a017", "star"),
    "Currency": ("#ff9da7", "hexagon"),
    "InternationalOrganisation": ("#7c4dbd", "triangle"),
    "CentralBank": ("#17a2b8", "hexagon"),
    "Organisation": ("#8c8c8c", "square"),
    "Place": ("#a0cbe8", "dot"),
}
FALLBACK_STYLE = ("#bab0ac", "dot")

# Modalities by how an edge is drawn.
EDGE_STYLES = {
    "affirmed": ("asserted", "reported"),
    "conjectured": ("hypothetical", "predicted", "speculative"),
    "denied": ("denied",),
}
LABELLED_EDGE_LIMIT = 1500  # past this many edges, relation labels move to the tooltip


def edge_style(modality: str, polarity: str) -> str:
    """How an edge looks: `affirmed` (solid), `conjectured` (dashed) or `denied` (dotted, red).

    A negative claim ("X did not cause Y") is drawn as denied whatever its modality.
    """
    if polarity == "negative":
        return "denied"
    return next((s for s, mods in EDGE_STYLES.items() if modality in mods), "conjectured")


def _edges(claims: tuple[VizClaim, ...]) -> list[dict[str, Any]]:
    """One edge per subject, relation, object and style, with its claims and curvature."""
    grouped: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    for c in claims:
        grouped[(c.subject, c.object, c.relation, edge_style(c.modality, c.polarity))].append(c.id)
    edges: list[dict[str, Any]] = [
        {"id": f"e{i}", "from": s, "to": o, "relation": r, "style": st, "claims": sorted(ids)}
        for i, ((s, o, r, st), ids) in enumerate(sorted(grouped.items()))
    ]
    # Edges between the same two nodes fan out on alternating sides instead of overlapping.
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in edges:
        low, high = sorted((e["from"], e["to"]))
        by_pair[(low, high)].append(e)
    for (a, _b), group in by_pair.items():
        offset = len(group) % 2  # an odd count keeps one edge straight
        for i, e in enumerate(group[offset:]):
            side = 1 if i % 2 == 0 else -1
            forward = e["from"] == a
            e["curve"] = round((0.2 + 0.2 * (i // 2)) * side * (1 if forward else -1), 2)
    return edges


def page_payload(graph: VizGraph, view: View) -> dict[str, Any]:
    """Everything the page script needs, as plain JSON-ready data in a stable order."""
    claims = view.claims
    edges = _edges(claims)
    node_ids = sorted(view.entities)
    positions = layout(
        node_ids, [(e["from"], e["to"]) for e in edges], layered=view.kind == "paths"
    )
    entities = [graph.entities[n] for n in node_ids]
    types = sorted({e.type for e in entities}, key=lambda t: [*TYPE_STYLES, t].index(t))
    type_labels = {e.type: e.type_label for e in entities}
    notes = [n for n in graph.notes if {n.subject, n.measure} & set(node_ids)]
    source_ids = sorted({c.source for c in (*claims, *notes)})
    degree: dict[str, int] = defaultdict(int)
    for c in claims:
        degree[c.subject] += 1
        degree[c.object] += 1
    return {
        "title": view.title,
        "view": view.kind,
        "focus": view.focus,
        "paths": [list(p) for p in view.paths],
        "labelEdges": len(edges) <= LABELLED_EDGE_LIMIT,
        "types": [
            {
                "id": t,
                "label": type_labels[t],
                "color": TYPE_STYLES.get(t, FALLBACK_STYLE)[0],
                "shape": TYPE_STYLES.get(t, FALLBACK_STYLE)[1],
            }
            for t in types
        ],
        "relations": [
            {"id": r, "label": graph.relation_labels.get(r, r)}
            for r in sorted({c.relation for c in claims})
        ],
        "modalityStyles": {m: style for style, mods in EDGE_STYLES.items() for m in mods},
        "modalities": [
            {"id": m, "style": style}
            for style, mods in EDGE_STYLES.items()
            for m in mods
            if any(c.modality == m for c in claims)
        ],
        "sources": [graph.sources[s].model_dump() for s in source_ids],
        "nodes": [
            e.model_dump()
            | {"x": positions[e.id][0], "y": positions[e.id][1], "degree": degree[e.id]}
            for e in entities
        ],
        "edges": edges,
        "claims": [c.model_dump() for c in claims],
        "notes": [n.model_dump() for n in notes],
    }


def _asset(name: str) -> str:
    return (files("kg") / "viz_assets" / name).read_text(encoding="utf-8")


def _json_for_html(data: Any) -> str:
    """JSON that cannot close its ``<script>`` element or open a comment, whatever it holds."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def render_html(payload: dict[str, Any]) -> str:
    """The page for a `page_payload`, as a string."""
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    scripts = [_asset("vis-network.min.js"), _asset("page.js")]
    for script in scripts:
        if "</script" in script.lower():  # would end the inline element early
            raise RuntimeError("a vendored script contains '</script'")
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("page.html"))
    return template.render(
        title=payload["title"],
        css=Markup(_asset("page.css")),
        data=Markup(_json_for_html(payload)),
        vis_js=Markup(scripts[0]),
        page_js=Markup(scripts[1]),
        script_hashes=" ".join(_csp_hash(s) for s in scripts),
    )
