"""`kg build`: check the corpus, make the graph, validate it, write it everywhere it goes.

Nothing is written until everything is checked: a curation error or a SHACL violation stops
the build with the previous outputs untouched. Files are written beside their targets and
renamed into place; the store is loaded in a fresh directory and swapped in.

Outputs (default `data/graph/`): `kg.trig` (named graphs), `kg.nq`, `kg.ttl` (all triples,
graphs merged) and `kg.jsonld`; plus the embedded query store (default `build/store`) or a remote
SPARQL endpoint.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.curation import load_corpus
from kg.errors import ValidationError
from kg.graph import corpus_quads
from kg.namespace import PREFIXES
from kg.store import DEFAULT_STORE, EmbeddedStore, open_store, replace_directory

__all__ = ["BuildReport", "build", "serialise", "shacl_validate"]

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "kg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
FORMATS = {
    "kg.trig": ox.RdfFormat.TRIG,
    "kg.nq": ox.RdfFormat.N_QUADS,
    "kg.ttl": ox.RdfFormat.TURTLE,
    "kg.jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass
class BuildReport:
    sources: int
    entities: int
    claims: int
    quads: int
    outputs: list[Path] = field(default_factory=list)
    store: str | None = None
    seconds: float = 0.0


def _triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    seen: set[ox.Triple] = set()
    out = []
    for q in quads:
        t = ox.Triple(q.subject, q.predicate, q.object)
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def serialise(quads: list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Serialise in the given order: same quads, same bytes."""
    items: list[ox.Quad] | list[ox.Triple] = quads if fmt.supports_datasets else _triples(quads)
    data = ox.serialize(items, format=fmt, prefixes=PREFIXES)
    assert data is not None  # no output file given, so serialize returns the bytes
    return data


def shacl_validate(quads: list[ox.Quad]) -> None:
    """Validate all triples (graphs merged) against `ontology/shapes.ttl` with pySHACL."""
    import pyshacl
    import rdflib

    ntriples = ox.serialize(_triples(quads), format=ox.RdfFormat.N_TRIPLES)
    data = rdflib.Graph().parse(data=ntriples, format="nt")
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _graph, text = pyshacl.validate(data, shacl_graph=shapes)
    if not conforms:
        keep = ("Focus Node", "Result Path", "Message")
        details = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(keep)]
        raise ValidationError(
            "graph does not conform to the shapes: " + "; ".join(details[:6]), path=SHAPES
        )


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def build(
    data_dir: Path = Path("data"),
    out_dir: Path | None = Path("data/graph"),
    store: str | None = DEFAULT_STORE,
    *,
    validate: bool = True,
) -> BuildReport:
    """Build the graph from `data_dir`; write files to `out_dir` and load `store`."""
    started = time.perf_counter()
    corpus = load_corpus(data_dir)
    quads = list(corpus_quads(corpus, ONTOLOGY))
    if validate:
        shacl_validate(quads)
    nquads = serialise(quads, ox.RdfFormat.N_QUADS)
    outputs = {name: serialise(quads, fmt) for name, fmt in FORMATS.items()} if out_dir else {}
    report = BuildReport(
        sources=len(corpus.sources),
        entities=len(corpus.entities),
        claims=sum(len(c) for c in corpus.claims.values()),
        quads=len(quads),
    )
    for name, data in outputs.items():
        assert out_dir is not None
        _write_atomically(out_dir / name, data)
        report.outputs.append(out_dir / name)
    if store:
        load_store(store, nquads)
        report.store = store
    report.seconds = time.perf_counter() - started
    return report


def load_store(spec: str, nquads: bytes) -> None:
    """Replace the content of the store at `spec` with `nquads`."""
    if spec.startswith(("http://", "https://")) or spec == ":memory:":
        open_store(spec).replace_nquads(nquads)
        return
    target = Path(spec)
    fresh = target.with_name(target.name + ".new")
    if fresh.exists():
        shutil.rmtree(fresh)
    fresh.parent.mkdir(parents=True, exist_ok=True)
    new = EmbeddedStore(fresh)
    new.load_nquads(nquads)
    new._store.flush()
    del new
    replace_directory(fresh, target)
