"""kg: a knowledge graph of actors and causal claims from news articles.

The pipeline, one module per stage: `sources` and `normalise` (articles in), `curation` (the
curated YAML, checked), `graph` and `build` (RDF out), `store` (embedded Oxigraph or a SPARQL
endpoint), and the consumers that read the graph through SPARQL (`export`, `summary`, `viz`,
`audit`, ...).

>>> import kg
>>> store = kg.open_store(":memory:")
>>> store.ask("ASK { ?s ?p ?o }")
False
"""

from kg.audit import AuditReport, run_audit
from kg.build import BuildReport, build
from kg.curation import Corpus, load_corpus
from kg.errors import CurationError, KgError, QueryError, SourceError, StoreError, ValidationError
from kg.export import claim_records
from kg.models import (
    CausalClaim,
    Entity,
    EventClaim,
    Modality,
    QuantityClaim,
    Relation,
    SourceMeta,
)
from kg.normalise import normalise_bytes
from kg.query import run_query, run_saved
from kg.sources import SourceDocument, load_source, load_sources
from kg.store import Store, open_store
from kg.summary import summarise
from kg.viz import ViewSpec, render_view

__all__ = [
    "AuditReport",
    "BuildReport",
    "CausalClaim",
    "Corpus",
    "CurationError",
    "Entity",
    "EventClaim",
    "KgError",
    "Modality",
    "QuantityClaim",
    "QueryError",
    "Relation",
    "SourceDocument",
    "SourceError",
    "SourceMeta",
    "Store",
    "StoreError",
    "ValidationError",
    "ViewSpec",
    "build",
    "claim_records",
    "load_corpus",
    "load_source",
    "load_sources",
    "normalise_bytes",
    "open_store",
    "render_view",
    "run_audit",
    "run_query",
    "run_saved",
    "summarise",
]
