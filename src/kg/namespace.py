"""The `kg:` ontology terms, closed, mirroring `ontology/kg.ttl`, and the IRI scheme for data.

Using a term that is not declared here raises `AttributeError` (`_fail = True`), and
`tests/test_namespace.py` checks that this class and `ontology/kg.ttl` declare the same terms.

>>> str(KG.motivates)
'https://w3id.org/kg-news/ontology#motivates'
>>> str(entity_iri("japan"))
'https://w3id.org/kg-news/id/entity/japan'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = [
    "BASE",
    "DATA",
    "KG",
    "NP",
    "OA",
    "PREFIXES",
    "SCHEMA",
    "WD",
    "WDT",
    "claim_iri",
    "entity_iri",
    "graph_iri",
    "proposition_iri",
    "source_iri",
]

BASE = "https://w3id.org/kg-news/"
DATA = Namespace(BASE + "id/")


class KG(DefinedNamespace):
    """Terms of the kg ontology (`ontology/kg.ttl`)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # Classes: things in the world
    Entity: URIRef
    Country: URIRef
    Person: URIRef
    GovernmentBody: URIRef
    CentralBank: URIRef
    InternationalOrganisation: URIRef
    Company: URIRef
    Organisation: URIRef
    Group: URIRef
    Policy: URIRef
    Asset: URIRef
    Currency: URIRef
    Event: URIRef
    Indicator: URIRef
    Place: URIRef

    # Classes: documents, claims and their qualities
    Source: URIRef
    Claim: URIRef
    CausalClaim: URIRef
    QuantityClaim: URIRef
    EventClaim: URIRef
    Proposition: URIRef
    Component: URIRef
    ComponentStep: URIRef
    Modality: URIRef
    Polarity: URIRef
    Attribution: URIRef
    Precision: URIRef
    Establishment: URIRef
    EventStatus: URIRef
    CausalRelation: URIRef

    # Causal relations (the closed set; snake_case in YAML, camelCase here)
    causes: URIRef
    triggers: URIRef
    motivates: URIRef
    contributesTo: URIRef
    enables: URIRef
    prevents: URIRef
    respondsTo: URIRef
    increases: URIRef
    decreases: URIRef

    # Modalities
    Asserted: URIRef
    Reported: URIRef
    Hypothetical: URIRef
    Predicted: URIRef
    Speculative: URIRef
    Denied: URIRef

    # Polarities
    Positive: URIRef
    Negative: URIRef

    # Attribution kinds
    OutletAttribution: URIRef
    NamedAttribution: URIRef
    AnonymousAttribution: URIRef
    VagueAttribution: URIRef

    # Time precisions
    Day: URIRef
    Month: URIRef
    Year: URIRef
    UnknownPrecision: URIRef

    # How a publication date was established
    Stated: URIRef
    Inferred: URIRef
    NotEstablished: URIRef

    # Event statuses
    Occurred: URIRef
    Ongoing: URIRef
    Expected: URIRef
    Possible: URIRef
    Improbable: URIRef
    Threatened: URIRef
    NotOccurred: URIRef

    # Claim properties
    subject: URIRef
    relation: URIRef
    object: URIRef
    polarity: URIRef
    modality: URIRef
    speaker: URIRef
    speakerAsWritten: URIRef
    attribution: URIRef
    proposition: URIRef
    claimId: URIRef
    claimOrder: URIRef
    eventTime: URIRef
    eventTimePrecision: URIRef
    eventTimeAsWritten: URIRef
    eventStart: URIRef
    eventEnd: URIRef
    measure: URIRef
    value: URIRef
    valueMax: URIRef
    unit: URIRef
    qualifier: URIRef
    period: URIRef
    periodPrecision: URIRef
    periodAsWritten: URIRef
    periodStart: URIRef
    periodEnd: URIRef
    status: URIRef
    note: URIRef
    rawStart: URIRef
    rawEnd: URIRef

    # Source properties
    sha256: URIRef
    byteSize: URIRef
    encoding: URIRef
    normalisedText: URIRef
    repairCount: URIRef
    publicationPrecision: URIRef
    publicationEstablished: URIRef
    publicationEvidence: URIRef
    notBefore: URIRef
    notAfter: URIRef
    outlet: URIRef
    author: URIRef

    # Proposition aggregates, materialised at build time
    claimCount: URIRef
    sourceCount: URIRef
    assertingSourceCount: URIRef
    doubtingSourceCount: URIRef
    rejectingSourceCount: URIRef
    contradicted: URIRef
    propositionOrder: URIRef

    # Places in the whole-graph listings, materialised at build time
    singleSourceOrder: URIRef
    contradictionOrder: URIRef
    timelineOrder: URIRef
    asOfOrder: URIRef

    # Causal components, materialised at build time for chains between two entities
    component: URIRef
    leadsTo: URIRef
    withinComponent: URIRef
    chainOrder: URIRef
    betweenComponents: URIRef
    leavesComponent: URIRef
    entersComponent: URIRef

    # The build that wrote the graph: how a reader tells a complete graph from a partial one
    Build: URIRef
    claimsWritten: URIRef


OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
NP = Namespace("http://www.nanopub.org/nschema#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "kgd": str(DATA),
    # Entity, source and proposition ids are SPARQL-safe local names: `ent:japan`.
    "ent": str(DATA) + "entity/",
    "src": str(DATA) + "source/",
    "prop": str(DATA) + "proposition/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": str(OA),
    "schema": str(SCHEMA),
    "np": str(NP),
    "wd": str(WD),
    "wdt": str(WDT),
    "sh": "http://www.w3.org/ns/shacl#",
}


def entity_iri(entity_id: str) -> URIRef:
    return DATA[f"entity/{entity_id}"]


def source_iri(source_id: str) -> URIRef:
    return DATA[f"source/{source_id}"]


def claim_iri(source_id: str, claim_id: str) -> URIRef:
    return DATA[f"claim/{source_id}/{claim_id}"]


def proposition_iri(key: str) -> URIRef:
    return DATA[f"proposition/{key}"]


def graph_iri(name: str) -> URIRef:
    """Named graphs: `entities`, `ontology`, `source/<id>` (a source and its claims)."""
    return DATA[f"graph/{name}"]
