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


def test_claims_are_web_annotations_and_speakers_prov_agents(seed_store):
    """A claim has an oa:hasTarget, so it is an oa:Annotation; whoever a claim is
    prov:wasAttributedTo is a prov:Agent (PROV-O's Person and Organization are Agents)."""
    assert seed_store.ask("ASK { ?c oa:hasTarget ?t }")
    assert not seed_store.ask(
        "ASK { ?c oa:hasTarget ?t FILTER NOT EXISTS { ?c a/rdfs:subClassOf* oa:Annotation } }"
    )
    assert seed_store.ask("ASK { ?c prov:wasAttributedTo ?s }")
    assert not seed_store.ask(
        """ASK { ?c prov:wasAttributedTo ?speaker
                 FILTER NOT EXISTS { ?speaker a/rdfs:subClassOf* ?agent
                                     VALUES ?agent { prov:Agent prov:Person prov:Organization } }
           }"""
    )


def test_every_ontology_property_has_a_range():
    g = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl")
    OWL, RDFS = rdflib.OWL, rdflib.RDFS
    properties = {
        p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in g.subjects(None, kind)
    }
    assert len(properties) > 50
    assert sorted(p for p in properties if g.value(p, RDFS.range) is None) == []


def test_a_quote_at_the_start_of_its_text_has_no_empty_prefix(seed_store):
    """Two seed quotes start at offset 0: their selectors have no oa:prefix rather than ""."""
    at_start = seed_store.select(
        "SELECT ?q WHERE { ?c oa:hasTarget/oa:hasSelector ?p, ?q . ?p oa:start 0 . "
        "?q oa:exact ?exact }"
    )
    assert len(at_start) >= 2
    assert not seed_store.ask('ASK { { ?q oa:prefix "" } UNION { ?q oa:suffix "" } }')
    assert not seed_store.ask(
        "ASK { ?c oa:hasTarget/oa:hasSelector ?p, ?q . ?p oa:start 0 . ?q oa:prefix ?prefix }"
    )
