"""Corroboration: how many independent sources state each proposition.

A source *states* a proposition when one of its claims affirms it: asserted or reported, with
positive polarity, and for an event, saying it happened (occurred or ongoing). Hedged, denied
and "threatened" claims do not corroborate anything.

Sources that copy each other count once. Two sources are taken to copy each other when they
share a passage: a quote of one equals a quote of the other once case, punctuation and spacing
are ignored, and is at least `COPY_MIN_CHARS` characters long, too long to be chance. The
comparison is a hash join on that key in SPARQL, so it stays linear in the number of claims;
it finds verbatim reuse (syndication, copy-paste, the same wire story), not paraphrase.
Copying is transitive here: sources linked by shared passages form one group.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations

from kg.audit.context import AuditContext, value
from kg.audit.models import Check, Finding, Severity, finding_id

__all__ = ["COPY_MIN_CHARS", "check_corroboration", "corroboration", "passage_key"]

COPY_MIN_CHARS = 60

# A hash aggregation on the normalised quote: linear in the number of claims.
SHARED_PASSAGES = f"""
SELECT ?key (GROUP_CONCAT(DISTINCT ?source; separator=" ") AS ?sources) WHERE {{
  ?claim a kg:Claim ; prov:wasDerivedFrom/dcterms:identifier ?source ;
         oa:hasTarget/oa:hasSelector/oa:exact ?quote .
  BIND(REPLACE(LCASE(?quote), "[^a-z0-9]+", " ") AS ?key)
  FILTER(STRLEN(?key) >= {COPY_MIN_CHARS})
}}
GROUP BY ?key
HAVING (COUNT(DISTINCT ?source) > 1)
"""

AFFIRMED = """
SELECT ?prop ?label (GROUP_CONCAT(DISTINCT ?source; separator=" ") AS ?sources) WHERE {
  ?claim a kg:Claim ; kg:proposition ?prop ; prov:wasDerivedFrom/dcterms:identifier ?source ;
         kg:modality ?m .
  FILTER(?m IN (kg:Asserted, kg:Reported))
  FILTER NOT EXISTS { ?claim kg:polarity kg:Negative }
  FILTER NOT EXISTS { ?claim kg:status ?st FILTER(?st NOT IN (kg:Occurred, kg:Ongoing)) }
  OPTIONAL { ?prop rdfs:label ?label }
}
GROUP BY ?prop ?label
"""


def passage_key(quote: str) -> str:
    """The key two quotes share when one copies the other (as the SPARQL query computes it).

    >>> passage_key("Japan’s $1.13 trillion holdings")
    'japan s 1 13 trillion holdings'
    """
    return re.sub(r"[^a-z0-9]+", " ", quote.lower())


class Corroboration:
    """Copy groups of sources, and the sources affirming each proposition."""

    def __init__(self, ctx: AuditContext) -> None:
        self.shared: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in ctx.store.select(SHARED_PASSAGES):
            sources = sorted((value(row, "sources") or "").split())
            for pair in combinations(sources, 2):
                self.shared[pair].add(value(row, "key") or "")
        self._parent: dict[str, str] = {}
        for a, b in sorted(self.shared):
            ra, rb = self.group(a), self.group(b)
            if ra != rb:
                self._parent[max(ra, rb)] = min(ra, rb)
        self.affirming: dict[str, set[str]] = {}  # proposition -> source ids
        self.labels: dict[str, str] = {}
        for row in ctx.store.select(AFFIRMED):
            prop = value(row, "prop") or ""
            self.affirming[prop] = set((value(row, "sources") or "").split())
            self.labels[prop] = value(row, "label") or prop.rsplit("/", 1)[-1]
        self._groups: dict[str, set[str]] = {}
        self._ctx = ctx

    def group(self, source: str) -> str:
        """The representative of a source's copy group (union-find, smallest id wins)."""
        root = source
        while self._parent.get(root, root) != root:
            root = self._parent[root]
        return root

    def groups_affirming(self, prop: str) -> set[str]:
        if prop not in self._groups:
            self._groups[prop] = {self.group(s) for s in self.affirming.get(prop, ())}
        return self._groups[prop]

    def corroborated(self, claim_iri: str) -> bool:
        """Another independent source affirms this claim's proposition."""
        claim = self._ctx.claims[claim_iri]
        return bool(self.groups_affirming(claim.proposition) - {self.group(claim.source)})


def corroboration(ctx: AuditContext) -> Corroboration:
    """Computed once per audit; the profile uses it too."""
    cached = ctx.shared.get("corroboration")
    if not isinstance(cached, Corroboration):
        cached = ctx.shared["corroboration"] = Corroboration(ctx)
    return cached


def _copy_findings(ctx: AuditContext, corr: Corroboration) -> list[Finding]:
    findings = []
    for (a, b), keys in sorted(corr.shared.items()):
        claims = ctx.by_source.get(a, []) + ctx.by_source.get(b, [])
        iris = [c.iri for c in claims if passage_key(c.quote) in keys]
        findings.append(
            Finding(
                id=finding_id(Check.corroboration, "copying", a, b),
                check=Check.corroboration,
                kind="copying",
                severity=Severity.warning,
                message=(
                    f"{a} and {b} share {len(keys)} passage(s) word for word: treated as one "
                    "source when counting corroboration"
                ),
                claims=ctx.refs(iris),
                sources=[a, b],
            )
        )
    return findings


def check_corroboration(ctx: AuditContext) -> list[Finding]:
    """Pairs of sources that copy each other (warning) and propositions stated by one
    independent source only (info)."""
    corr = corroboration(ctx)
    findings = _copy_findings(ctx, corr)
    for prop in sorted(corr.affirming):
        groups = corr.groups_affirming(prop)
        if len(groups) != 1:
            continue
        claims = [c for c in ctx.by_proposition.get(prop, ()) if c.affirmed]
        iris = [c.iri for c in claims]
        sources = sorted(corr.affirming[prop])
        label = corr.labels[prop]
        if claims and claims[0].kind == "quantity":  # one proposition per period
            label += f" ({prop.rsplit('.', 1)[-1]})"
        copies = " (copies of one another)" if len(sources) > 1 else ""
        findings.append(
            Finding(
                id=finding_id(Check.corroboration, "single-source", prop),
                check=Check.corroboration,
                kind="single-source",
                severity=Severity.info,
                message=f"only {', '.join(sources)}{copies} states: {label}",
                claims=ctx.refs(iris),
                sources=sources,
            )
        )
    return findings
