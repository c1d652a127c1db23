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

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.audit import AuditReport, Check, run_audit
    from kg.build import BuildReport, build
    from kg.curation import Corpus, load_corpus
    from kg.errors import (
        CurationError,
        KgError,
        QueryError,
        SourceError,
        StoreError,
        ValidationError,
    )
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
    from kg.results import Result
    from kg.sources import SourceDocument, load_source, load_sources
    from kg.store import Store, open_store
    from kg.summary import summarise
    from kg.viz import ViewSpec, render_view

# Where each public name lives. `import kg` loads none of them: the command line (and a
# notebook that needs one stage) should not pay for rdflib, networkx and the audit up front,
# and Ctrl-C during `kg`'s start-up should find the interpreter in kg.__main__, not deep in an
# import.
_HOMES = {
    "AuditReport": "kg.audit",
    "BuildReport": "kg.build",
    "CausalClaim": "kg.models",
    "Check": "kg.audit",
    "Corpus": "kg.curation",
    "CurationError": "kg.errors",
    "Entity": "kg.models",
    "EventClaim": "kg.models",
    "KgError": "kg.errors",
    "Modality": "kg.models",
    "QuantityClaim": "kg.models",
    "QueryError": "kg.errors",
    "Relation": "kg.models",
    "Result": "kg.results",
    "SourceDocument": "kg.sources",
    "SourceError": "kg.errors",
    "SourceMeta": "kg.models",
    "Store": "kg.store",
    "StoreError": "kg.errors",
    "ValidationError": "kg.errors",
    "ViewSpec": "kg.viz",
    "build": "kg.build",
    "claim_records": "kg.export",
    "load_corpus": "kg.curation",
    "load_source": "kg.sources",
    "load_sources": "kg.sources",
    "normalise_bytes": "kg.normalise",
    "open_store": "kg.store",
    "render_view": "kg.viz",
    "run_audit": "kg.audit",
    "run_query": "kg.query",
    "run_saved": "kg.query",
    "summarise": "kg.summary",
}

__all__ = [
    "AuditReport",
    "BuildReport",
    "CausalClaim",
    "Check",
    "Corpus",
    "CurationError",
    "Entity",
    "EventClaim",
    "KgError",
    "Modality",
    "QuantityClaim",
    "QueryError",
    "Relation",
    "Result",
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


if not TYPE_CHECKING:  # so that mypy still reports a misspelt name (kg.opn_store)

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'kg' has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # once found, an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The `kg` package, whose public `build` is the function, not the submodule `kg.build`.

    Python binds a package's attribute to each submodule as it is first imported, which once
    `kg.build` (the module) has been imported by anyone would hide `kg.build` (the function).
    Eager imports used to rebind it; lazy ones cannot, so that binding is not made.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
