from pathlib import Path

import rdflib

from kg.models import Relation
from kg.namespace import KG

ROOT = Path(__file__).resolve().parents[1]


def test_namespace_class_and_ontology_declare_the_same_terms():
    g = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl")
    ns = str(KG._NS)
    in_ttl = {str(s).removeprefix(ns) for s in g.subjects() if str(s).startswith(ns)}
    in_python = set(KG.__annotations__)
    assert in_ttl == in_python


def test_every_ontology_term_has_a_label_and_definition():
    g = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl")
    RDFS, SKOS = rdflib.RDFS, rdflib.SKOS
    for term in KG.__annotations__:
        iri = KG[term]
        assert g.value(iri, RDFS.label), term
        assert g.value(iri, RDFS.comment) or g.value(iri, SKOS.definition), term


def test_relations_enum_matches_the_causal_relation_properties():
    g = rdflib.Graph().parse(ROOT / "ontology" / "kg.ttl")
    declared = {
        str(s).removeprefix(str(KG._NS)) for s in g.subjects(rdflib.RDF.type, KG.CausalRelation)
    }
    assert declared == {r.term for r in Relation}


def test_unknown_terms_fail():
    import pytest

    with pytest.raises(AttributeError):
        KG.cause  # noqa: B018
