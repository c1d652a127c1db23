"""How `kg viz` scales: synthetic graphs of 100, 1k, 5k and 20k entities, end to end.

Each graph goes through the real pipeline: a synthetic corpus (entities, sources, causal claims
with quotes at their offsets) -> `kg.graph.corpus_quads` -> an in-memory Oxigraph store ->
`kg.viz` (SPARQL read, view, igraph layout, HTML) -> the page opened in headless Chromium.
Timed: each Python stage, the page's load-to-interactive time (navigation start to the first
complete drawing, with every handler attached), one redraw after a zoom, and one filter change.

    .venv/bin/python benchmarks/viz_bench.py [SIZES...]     # default: 100 1000 5000 20000

Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import igraph as ig
import pyoxigraph as ox

from kg import viz_page
from kg.build import ONTOLOGY, serialise
from kg.curation import Corpus
from kg.graph import corpus_quads
from kg.models import CausalClaim, Entity, EntityType, Publication, Relation, SourceMeta
from kg.sources import SourceDocument
from kg.store import open_store
from kg.viz import ViewSpec, select_view
from kg.viz_data import load_graph
from kg.viz_layout import layout
from kg.viz_page import CHROMIUM, CHROMIUM_ARGS

ARGS = list(CHROMIUM_ARGS)
WORDS = ["bond", "yield", "tariff", "export", "reserve", "dollar", "market", "crisis", "debt"]
MODALITIES = ["asserted", "asserted", "hypothetical", "speculative", "predicted", "denied"]


def synthetic_corpus(n: int, seed: int = 1) -> Corpus:
    """`n` entities joined by about 1.5·n causal claims, hubs included (preferential attachment)."""
    rng = random.Random(seed)
    ig.set_random_number_generator(random.Random(seed))
    shape = ig.Graph.Barabasi(n, m=[1 + i % 2 for i in range(n)], directed=True)
    types = list(EntityType)
    entities = {
        f"e{i:05d}": Entity(
            id=f"e{i:05d}",
            type=types[i % len(types)],
            label=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
            description="synthetic",
            aliases=[f"alias {i}"],
        )
        for i in range(n)
    }
    n_sources = max(1, min(40, n // 50))
    sentences: dict[str, list[tuple[str, str, str, str]]] = {
        f"s{k:02d}": [] for k in range(n_sources)
    }
    for k, (a, b) in enumerate(shape.get_edgelist()):
        sid = f"s{k % n_sources:02d}"
        rel = rng.choice(list(Relation))
        sentences[sid].append((f"e{a:05d}", rel.value, f"e{b:05d}", rng.choice(MODALITIES)))
    sources, claims = {}, {}
    for sid, items in sentences.items():
        text, found = "", []
        for j, (subj, rel, obj, modality) in enumerate(items):
            quote = f"{entities[subj].label} {rel.replace('_', ' ')} {entities[obj].label}"
            start = len(text) + len("Analysts note that ")
            text += f"Analysts note that {quote}, in this synthetic story. "
            found.append(
                CausalClaim(
                    id=f"c{j:05d}", subject=subj, relation=rel, object=obj, modality=modality,
                    quote=quote, start=start, end=start + len(quote),
                )
            )  # fmt: skip
        data = (text.strip() + "\n").encode()
        meta = SourceMeta(
            id=sid, title=f"Synthetic story {sid}", outlet="Bench Wire", author=None,
            url=f"https://example.org/{sid}", language="en",
            sha256=hashlib.sha256(data).hexdigest(), byte_size=len(data), encoding="utf-8",
            original_filename=f"{sid}.txt",
            published=Publication(
                value="2025-05-02", precision="day", established="stated", evidence="synthetic"
            ),
        )  # fmt: skip
        sources[sid] = SourceDocument(meta, Path(f"{sid}.txt"), data)
        claims[sid] = found
    return Corpus(sources, entities, claims)


def browser_times(html: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(html.as_uri(), timeout=600_000)
        page.wait_for_function("document.body.dataset.ready === 'true'", timeout=600_000)
        ready = page.evaluate("window.kgReady")
        drawn = page.evaluate("kg.network.body.nodeIndices.length")
        redraw = page.evaluate(
            """() => new Promise((done) => {
                 const t = performance.now();
                 kg.network.once('afterDrawing', () => done(performance.now() - t));
                 kg.network.moveTo({scale: kg.network.getScale() * 1.5});
               })"""
        )
        filtering = page.evaluate(
            """() => new Promise((done) => {
                 const t = performance.now();
                 kg.network.once('afterDrawing', () => done(performance.now() - t));
                 kg.state.relations.delete('causes');
                 kg.applyFilters();
               })"""
        )
        browser.close()
    return {"ready_ms": ready, "redraw_ms": redraw, "filter_ms": filtering, "drawn": drawn}


def run(n: int, out_dir: Path) -> dict[str, float]:
    corpus = synthetic_corpus(n)
    store = open_store(":memory:")
    store.load_nquads(serialise(list(corpus_quads(corpus, ONTOLOGY)), ox.RdfFormat.N_QUADS))
    layout_time: list[float] = []

    def timed_layout(*args, **kwargs):
        started = time.perf_counter()
        positions = layout(*args, **kwargs)
        layout_time.append(time.perf_counter() - started)
        return positions

    t0 = time.perf_counter()
    graph = load_graph(store)
    t1 = time.perf_counter()
    view = select_view(graph, ViewSpec(max_nodes=n))
    t2 = time.perf_counter()
    viz_page.layout = timed_layout  # time the layout inside page_payload
    payload = viz_page.page_payload(graph, view)
    html = viz_page.render_html(payload)
    t3 = time.perf_counter()
    viz_page.layout = layout
    path = out_dir / f"viz-{n}.html"
    path.write_text(html, encoding="utf-8")
    row = {
        "nodes": len(view.entities),
        "edges": len(payload["edges"]),
        "claims": len(view.claims),
        "sparql_s": t1 - t0,
        "layout_s": layout_time[0],
        "page_s": (t2 - t1) + (t3 - t2) - layout_time[0],
        "mb": path.stat().st_size / 1e6,
    }
    return row | browser_times(path)


def main(sizes: list[int]) -> None:
    print(f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        "| entities | edges | claims | SPARQL read | layout | page build | HTML | "
        "load to interactive | redraw after zoom | filter change |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            r = run(n, Path(tmp))
            assert r["drawn"] == r["nodes"], r
            print(
                f"| {r['nodes']:,} | {r['edges']:,} | {r['claims']:,} | {r['sparql_s']:.2f} s | "
                f"{r['layout_s']:.2f} s | {r['page_s']:.2f} s | {r['mb']:.1f} MB | "
                f"{r['ready_ms'] / 1000:.2f} s | {r['redraw_ms']:.0f} ms | "
                f"{r['filter_ms']:.0f} ms |",
                flush=True,
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 5000, 20000])
