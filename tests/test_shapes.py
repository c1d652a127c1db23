"""The ontology and the SHACL shapes hold on the seed graph, and the shapes refuse what the
models refuse: each test breaks one thing in the real seed graph and expects its violation."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
import rdflib.collection

from kg.build import shacl_validate
from kg.errors import ValidationError
from kg.models import Relation

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


def test_the_graph_exported_from_the_store_conforms_too(seed_store):
    """Oxigraph stores xsd:nonNegativeInteger as xsd:integer, so an export (CONSTRUCT, kg
    serve) failed the shapes on every offset and order key (953 results on the seeds)."""
    exported = seed_store.construct("CONSTRUCT WHERE { ?s ?p ?o }")
    assert any(
        t.object.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        for t in exported
        if t.predicate == ox.NamedNode("http://www.w3.org/ns/oa#start")
    ), "the store no longer canonicalises: this test tests nothing"
    data = rdflib.Graph().parse(
        data=ox.serialize(exported, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    conforms, _, text = pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(SHAPES))
    assert conforms, text[:2000]
    # and a negative offset still fails, whichever spelling
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    node = next(iter(data.subjects(oa.start)))
    data.set((node, oa.start, rdflib.Literal(-1)))
    conforms, _, text = pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(SHAPES))
    assert not conforms and "MinInclusiveConstraintComponent" in text, text


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


# ---- Mutations of the seed graph: each must be refused with its own message ----

KG = "https://w3id.org/kg-news/ontology#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ISSUED = "http://purl.org/dc/terms/issued"
EX = "http://example.org/"


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _lit(value: str, datatype: str = "string") -> ox.Literal:
    return ox.Literal(value, datatype=_iri(XSD + datatype))


class _Seed:
    """The seed graph's quads, and the same with one thing changed (a new list each time)."""

    def __init__(self, quads: list[ox.Quad]) -> None:
        self.quads = quads

    def first(self, p: str, o: ox.NamedNode | ox.Literal | str | None = None) -> ox.NamedNode:
        """The first subject with predicate `p` (and object `o`) in file order."""
        o = _iri(o) if isinstance(o, str) else o
        return next(
            q.subject for q in self.quads if q.predicate.value == p and (o is None or q.object == o)
        )

    def value(self, s: ox.NamedNode, p: str) -> ox.NamedNode | ox.Literal:
        return next(q.object for q in self.quads if q.subject == s and q.predicate.value == p)

    def without(self, s: ox.NamedNode, *ps: str) -> _Seed:
        return _Seed([q for q in self.quads if not (q.subject == s and q.predicate.value in ps)])

    def plus(
        self,
        s: ox.NamedNode,
        p: str,
        o: ox.NamedNode | ox.Literal | str,
        near: ox.NamedNode | None = None,
    ) -> _Seed:
        """`s p o` added in the graph of `near` (default: of `s`)."""
        graph = next(q.graph_name for q in self.quads if q.subject == (near or s))
        o = _iri(o) if isinstance(o, str) else o
        return _Seed([*self.quads, ox.Quad(s, _iri(p), o, graph)])

    def setting(self, s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal | str) -> _Seed:
        return self.without(s, p).plus(s, p, o)


def _position(seed: _Seed, claim: ox.NamedNode | None = None) -> ox.NamedNode:
    claim = claim or seed.first(RDF_TYPE, KG + "CausalClaim")
    return _iri(claim.value + "/position")


def _quote(seed: _Seed, claim: ox.NamedNode | None = None) -> ox.NamedNode:
    claim = claim or seed.first(RDF_TYPE, KG + "CausalClaim")
    return _iri(claim.value + "/quote")


def _end_before_start(seed: _Seed) -> _Seed:
    p = _position(seed)
    start, end = seed.value(p, OA + "start"), seed.value(p, OA + "end")
    return seed.setting(p, OA + "start", end).setting(p, OA + "end", start)


def _raw_end_before_raw_start(seed: _Seed) -> _Seed:
    p = _position(seed)
    start, end = seed.value(p, KG + "rawStart"), seed.value(p, KG + "rawEnd")
    return seed.setting(p, KG + "rawStart", end).setting(p, KG + "rawEnd", start)


def _quote_not_at_its_offsets(seed: _Seed) -> _Seed:
    q = _quote(seed)
    exact = seed.value(q, OA + "exact").value
    return seed.setting(q, OA + "exact", ox.Literal(exact[1:] + exact[0]))


def _target_in_another_source(seed: _Seed) -> _Seed:
    claim = seed.first(RDF_TYPE, KG + "CausalClaim")
    own = seed.value(claim, PROV + "wasDerivedFrom")
    other = next(
        q.subject
        for q in seed.quads
        if q.predicate.value == RDF_TYPE and q.object.value == KG + "Source" and q.subject != own
    )
    target = _iri(claim.value + "/target")
    return seed.setting(target, OA + "hasSource", other)


def _empty_prefix(seed: _Seed) -> _Seed:
    position = seed.first(OA + "start", _lit("0", "nonNegativeInteger"))
    quote = _iri(position.value.removesuffix("/position") + "/quote")
    return seed.plus(quote, OA + "prefix", ox.Literal(""))


def _outside(prop: str, kind: str, cls: str):
    def mutate(seed: _Seed) -> _Seed:
        claim = seed.first(RDF_TYPE, KG + kind)
        made_up = _iri(EX + "Rumoured")
        return seed.setting(claim, KG + prop, made_up).plus(made_up, RDF_TYPE, KG + cls, claim)

    return mutate


def _typed_only_as_causal_claim_without_modality(seed: _Seed) -> _Seed:
    claim = seed.first(RDF_TYPE, KG + "CausalClaim")
    quads = [
        q
        for q in seed.quads
        if not (
            q.subject == claim and q.predicate.value == RDF_TYPE and q.object.value == KG + "Claim"
        )
    ]
    return _Seed(quads).without(claim, KG + "modality")


def _entity_of_no_entity_class(seed: _Seed) -> _Seed:
    entity = seed.first(RDF_TYPE, KG + "Country")
    quads = [
        q for q in seed.quads if not (q.subject == entity and q.object.value == KG + "Country")
    ]
    return _Seed(quads).plus(entity, RDF_TYPE, EX + "Nation")


def _speaker_a_literal(seed: _Seed) -> _Seed:
    claim = seed.first(KG + "attribution", KG + "NamedAttribution")
    return seed.setting(claim, KG + "speaker", ox.Literal("Scott Bessent")).without(
        claim, PROV + "wasAttributedTo"
    )


def _attributed_to_another(seed: _Seed) -> _Seed:
    claim = seed.first(KG + "attribution", KG + "NamedAttribution")
    return seed.setting(claim, PROV + "wasAttributedTo", EX + "someone")


def _named_without_speaker(seed: _Seed) -> _Seed:
    claim = seed.first(KG + "attribution", KG + "NamedAttribution")
    return seed.without(claim, KG + "speaker", PROV + "wasAttributedTo")


def _outlet_reported(seed: _Seed) -> _Seed:
    claim = seed.first(KG + "attribution", KG + "OutletAttribution")
    return seed.setting(claim, KG + "modality", KG + "Reported")


def _outlet_with_speaker_as_written(seed: _Seed) -> _Seed:
    claim = seed.first(KG + "attribution", KG + "OutletAttribution")
    return seed.plus(claim, KG + "speakerAsWritten", ox.Literal("officials"))


def _anonymous_without_words(seed: _Seed) -> _Seed:
    claim = seed.first(KG + "attribution", KG + "AnonymousAttribution")
    return seed.without(claim, KG + "speakerAsWritten")


def _time(prop: str, precision: str, value: ox.Literal | None, new_precision: str | None = ""):
    """The first claim or source whose `prop`'s precision is `precision`, its value set to
    `value` (None: removed) and its precision to `new_precision` (None: removed)."""
    value_p, precision_p = {
        "eventTime": (KG + "eventTime", KG + "eventTimePrecision"),
        "period": (KG + "period", KG + "periodPrecision"),
        "issued": (ISSUED, KG + "publicationPrecision"),
    }[prop]

    def mutate(seed: _Seed) -> _Seed:
        node = seed.first(precision_p, KG + precision)
        seed = seed.without(node, value_p)
        if value is not None:
            seed = seed.plus(node, value_p, value)
        if new_precision is None:
            seed = seed.without(node, precision_p)
        elif new_precision:
            seed = seed.setting(node, precision_p, KG + new_precision)
        return seed

    return mutate


def _issued_not_established(seed: _Seed) -> _Seed:
    source = seed.first(KG + "publicationEstablished", KG + "Inferred")
    return seed.setting(source, KG + "publicationEstablished", KG + "NotEstablished")


def _negative_count(seed: _Seed) -> _Seed:
    proposition = seed.first(RDF_TYPE, KG + "Proposition")
    return seed.setting(proposition, KG + "rejectingSourceCount", _lit("-1", "integer"))


MUTATIONS = {
    "end before start": (_end_before_start, "a quote's oa:start is before its oa:end"),
    "raw end before raw start": (_raw_end_before_raw_start, "kg:rawStart is not after"),
    "quote not at its offsets": (_quote_not_at_its_offsets, "the source's normalised text"),
    "quote in another source": (_target_in_another_source, "the claim's own source"),
    "empty prefix": (_empty_prefix, 'no oa:prefix ""'),
    "made-up modality": (_outside("modality", "Claim", "Modality"), "every claim has a modality"),
    "made-up polarity": (_outside("polarity", "CausalClaim", "Polarity"), "kg:Positive or"),
    "made-up attribution": (_outside("attribution", "Claim", "Attribution"), "kg:VagueAttribution"),
    "made-up status": (_outside("status", "EventClaim", "EventStatus"), "kg:NotOccurred"),
    "made-up relation": (_outside("relation", "CausalClaim", "CausalRelation"), "kg:decreases"),
    "typed only as a causal claim": (
        _typed_only_as_causal_claim_without_modality,
        "every claim has a modality",
    ),
    "entity of no entity class": (_entity_of_no_entity_class, "one of the entity classes"),
    "speaker a literal": (_speaker_a_literal, "a speaker is an entity"),
    "attributed to someone else": (
        _attributed_to_another,
        "prov:wasAttributedTo is its kg:speaker",
    ),
    "named without speaker": (_named_without_speaker, "attribution 'named' needs a speaker"),
    "outlet reported": (
        _outlet_reported,
        "modality 'reported' needs a speaker other than the outlet",
    ),
    "outlet with speaker words": (_outlet_with_speaker_as_written, "attribution 'outlet' takes"),
    "anonymous without words": (_anonymous_without_words, "needs kg:speakerAsWritten"),
    "event time a string": (
        _time("eventTime", "Year", _lit("2025")),
        "a time is an xsd:date, xsd:gYearMonth or xsd:gYear",
    ),
    "event time finer than its precision": (
        _time("eventTime", "Year", _lit("2025-04", "gYearMonth")),
        "agrees with its datatype",
    ),
    "event time without precision": (
        _time("eventTime", "Year", _lit("2025", "gYear"), None),
        "agrees with its datatype",
    ),
    "event time of unknown precision": (
        _time("eventTime", "UnknownPrecision", _lit("2025", "gYear")),
        "agrees with its datatype",
    ),
    "year precision without a time": (_time("eventTime", "Year", None), "agrees with its"),
    "period coarser than its precision": (
        _time("period", "Month", _lit("2025", "gYear")),
        "agrees with its datatype",
    ),
    "issued a date-time": (
        _time("issued", "Year", _lit("2025-01-01T00:00:00", "dateTime")),
        "a time is an xsd:date, xsd:gYearMonth or xsd:gYear",
    ),
    "issued finer than its precision": (
        _time("issued", "Year", _lit("2025-03", "gYearMonth")),
        "agrees with its datatype",
    ),
    "issued but not established": (_issued_not_established, "exactly when there is no date"),
    "negative count": (_negative_count, "a count is not negative"),
}


@pytest.fixture(scope="module")
def seed(seed_graph_dir) -> _Seed:
    return _Seed(list(ox.parse(path=str(seed_graph_dir / "kg.nq"), format=ox.RdfFormat.N_QUADS)))


@pytest.mark.parametrize("name", MUTATIONS)
def test_the_shapes_refuse_a_broken_seed_graph(seed, name):
    mutate, message = MUTATIONS[name]
    with pytest.raises(ValidationError, match=re.escape(message)):
        shacl_validate(mutate(seed).quads)


def test_the_closed_sets_of_the_shapes_are_the_models_enums():
    """Each sh:in list of IRIs names exactly the terms kg.graph writes for an enum."""
    from kg.models import Attribution, EntityType, EventStatus, Modality, Polarity, Precision

    shapes = rdflib.Graph().parse(SHAPES)
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    ns = KG

    def closed(path: str) -> set[str]:
        """The IRIs of every sh:in list on a property shape of `path` (or its qualified shape)."""
        found: set[str] = set()
        for shape in shapes.subjects(SH.path, rdflib.URIRef(path)):
            for holder in [shape, *shapes.objects(shape, SH.qualifiedValueShape)]:
                for members in shapes.objects(holder, SH["in"]):
                    found |= {str(m) for m in rdflib.collection.Collection(shapes, members)}
        return {m.removeprefix(ns) for m in found if m.startswith(ns)}

    assert closed(KG + "modality") == {m.value.title() for m in Modality}
    assert closed(KG + "polarity") == {p.value.title() for p in Polarity}
    assert closed(KG + "attribution") == {f"{a.value.title()}Attribution" for a in Attribution}
    assert closed(KG + "status") == {s.value.title().replace("_", "") for s in EventStatus}
    assert closed(KG + "relation") == {r.term for r in Relation}
    assert closed(RDF_TYPE) == {t.value for t in EntityType}
    precisions = {"Day", "Month", "Year", "UnknownPrecision"}
    assert closed(KG + "eventTimePrecision") == closed(KG + "periodPrecision") == precisions
    assert len(Precision) == len(precisions)
