"""A short overview of a graph: sources, entities by type, claims by kind, relation, modality.

Every number comes from a SPARQL query, so the summary reads any store.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.store import Store, Term, check_complete

__all__ = ["Summary", "summarise"]

_COUNTS = {
    "sources": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a kg:Source }",
    "entities": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a kg:Entity }",
    "claims": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a kg:Claim }",
    "propositions": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Proposition }",
}
_BREAKDOWNS = {
    "entities by type": """
        SELECT ?key (COUNT(DISTINCT ?e) AS ?n) WHERE {
          ?e a kg:Entity, ?t . FILTER(?t != kg:Entity)
          BIND(STRAFTER(STR(?t), STR(kg:)) AS ?key)
        } GROUP BY ?key ORDER BY DESC(?n) ?key""",
    "claims by kind": """
        SELECT ?key (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?c a kg:Claim, ?t . FILTER(?t IN (kg:CausalClaim, kg:QuantityClaim, kg:EventClaim))
          BIND(STRAFTER(STR(?t), STR(kg:)) AS ?key)
        } GROUP BY ?key ORDER BY DESC(?n) ?key""",
    "causal claims by relation": """
        SELECT ?key (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?c a kg:CausalClaim ; kg:relation/skos:notation ?key .
        } GROUP BY ?key ORDER BY DESC(?n) ?key""",
    "claims by modality": """
        SELECT ?key (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?c a kg:Claim ; kg:modality/rdfs:label ?key .
        } GROUP BY ?key ORDER BY DESC(?n) ?key""",
    "claims by source": """
        SELECT ?key (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?c a kg:Claim ; prov:wasDerivedFrom/dcterms:identifier ?key .
        } GROUP BY ?key ORDER BY ?key""",
}


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    breakdowns: dict[str, list[tuple[str, int]]]


def _value(term: Term | None) -> str:
    return term.value if term is not None else ""


def summarise(store: Store) -> Summary:
    check_complete(store)
    counts = {name: int(_value(store.select(q)[0]["n"]) or 0) for name, q in _COUNTS.items()}
    breakdowns = {
        name: [(_value(row["key"]), int(_value(row["n"]))) for row in store.select(q)]
        for name, q in _BREAKDOWNS.items()
    }
    return Summary(counts, breakdowns)
