"""The ontology and the SHACL shapes hold on the seed graph, and the shapes refuse what the
models refuse: each test breaks one thing in the real seed graph and expects its violation."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"


def _merged(path: Path) -> rdflib.Graph:
    """All triples of the built graph, named graphs merged (the ontology graph included)."""
    data = ox.serialize(
        (q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)),
        format=ox.RdfFormat.N_TRIPLES,
    )
    return rdflib.Graph().parse(data=data, format="nt")


def test_the_seed_graph_conforms_under_rdfs_inference(seed_graph_dir):
    """With RDFS entailment a property's domain types every node it is used on: a domain of
    kg:Claim on kg:subject made every proposition a claim, without the claim's provenance."""
    shapes = rdflib.Graph().parse(SHAPES)
    conforms, _, text = pyshacl.validate(
        _merged(seed_graph_dir / "kg.nq"), shacl_graph=shapes, inference="rdfs"
    )
    assert conforms, text[:2000]
