"""Contradictions between sources, with both sides kept.

Three kinds, each found by a SPARQL query that classifies claims and keeps only propositions
where more than one side is present; the check then keeps the claims that face a claim of
another side from *another* source (a source hedging its own assertion is not a dispute):

- **stance** (causal propositions): affirmed (asserted or reported, positive) in one source and
  denied or negated in another (warning), or only hypothetical, predicted or speculative in
  another (info: the link may be agreed while its occurrence is not).
- **event status**: an event that happened (occurred, ongoing) in one source and did not
  happen or is improbable (not occurred, improbable, or denied) in another (warning), or is
  only possible, expected or threatened there (info, as for stances: a hedge is not a
  denial).
- **quantities**: see `kg.audit.quantities`.
"""

from __future__ import annotations

from collections import defaultdict

from kg.audit.context import AuditContext, short, value
from kg.audit.models import Check, Finding, Severity, finding_id
from kg.audit.quantities import CONSISTENT, quantity_findings

__all__ = ["check_contradictions", "contradicted_claims"]

STANCES = """
SELECT ?claim ?prop ?label ?side WHERE {
  ?prop a kg:Proposition ; kg:relation ?r ;
        kg:assertingSourceCount ?a ; kg:doubtingSourceCount ?d .
  FILTER(?a > 0 && ?d > 0)
  OPTIONAL { ?prop rdfs:label ?label }
  ?claim kg:proposition ?prop ; kg:modality ?m ; kg:polarity ?pol .
  BIND(IF(?m = kg:Denied || ?pol = kg:Negative, "denied",
       IF(?m IN (kg:Asserted, kg:Reported), "affirmed", "hedged")) AS ?side)
}
"""

_EVENT_SIDE = """
  BIND(IF(?m = kg:Denied || ?st IN (kg:NotOccurred, kg:Improbable), "did not happen",
       IF(?st IN (kg:Occurred, kg:Ongoing) && ?m IN (kg:Asserted, kg:Reported), "happened",
          "only possible")) AS ?side)
"""

EVENTS = f"""
SELECT ?claim ?prop ?label ?side WHERE {{
  {{ SELECT ?prop WHERE {{
      ?c a kg:EventClaim ; kg:proposition ?prop ; kg:status ?st ; kg:modality ?m .
      {_EVENT_SIDE}
    }} GROUP BY ?prop
    HAVING (COUNT(DISTINCT ?side) > 1 && SUM(IF(?side = "happened", 1, 0)) > 0) }}
  ?claim a kg:EventClaim ; kg:proposition ?prop ; kg:status ?st ; kg:modality ?m .
  {_EVENT_SIDE}
  OPTIONAL {{ ?prop kg:subject/rdfs:label ?label }}
}}
"""


_ORDER = ["affirmed", "happened", "denied", "did not happen", "hedged", "only possible"]


def _disputed(ctx: AuditContext, sides: dict[str, set[str]], lead: str) -> dict[str, list[str]]:
    """Keep the claims facing a claim of another side from another source; `lead` is the side
    every dispute involves (affirmed, happened)."""
    sources = {
        side: {ctx.claims[c].source for c in iris if c in ctx.claims}
        for side, iris in sides.items()
    }
    kept: dict[str, list[str]] = {}
    for side, iris in sorted(sides.items(), key=lambda kv: _ORDER.index(kv[0])):
        opposing = (
            set().union(*(s for other, s in sources.items() if other != side))
            if side == lead
            else sources.get(lead, set())
        )
        keep = [c for c in iris if c in ctx.claims and opposing - {ctx.claims[c].source}]
        if keep:
            kept[side] = sorted(keep)
    return kept if lead in kept and len(kept) > 1 else {}


def _grouped(ctx: AuditContext, query: str) -> tuple[dict[str, dict[str, set[str]]], dict]:
    by_prop: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, str] = {}
    for row in ctx.store.select(query):
        prop = value(row, "prop") or ""
        by_prop[prop][value(row, "side") or ""].add(value(row, "claim") or "")
        labels[prop] = value(row, "label") or prop.rsplit("/", 1)[-1]
    return by_prop, labels


def _side_summary(ctx: AuditContext, kept: dict[str, list[str]]) -> str:
    parts = []
    for side, iris in kept.items():
        sources = sorted({short(ctx.claims[c].source) for c in iris})
        parts.append(f"{side} in {', '.join(sources)}")
    return "; ".join(parts)


def _finding(
    ctx: AuditContext, kind: str, prop: str, kept: dict[str, list[str]], severity: Severity, what
) -> Finding:
    refs = [ref for side, iris in kept.items() for ref in ctx.refs(iris, side)]
    sources = sorted({r.source for r in refs})
    return Finding(
        id=finding_id(Check.contradictions, kind, prop, *sorted(r.id for r in refs)),
        check=Check.contradictions,
        kind=kind,
        severity=severity,
        message=f"{what}: {_side_summary(ctx, kept)}",
        claims=refs,
        sources=sources,
    )


def _stance_findings(ctx: AuditContext) -> list[Finding]:
    by_prop, labels = _grouped(ctx, STANCES)
    findings = []
    for prop in sorted(by_prop):
        kept = _disputed(ctx, by_prop[prop], "affirmed")
        if not kept:
            continue
        denied = "denied" in kept
        severity = Severity.warning if denied else Severity.info
        what = f"“{labels[prop]}” is " + (
            "stated as fact and denied" if denied else "stated as fact and only as a possibility"
        )
        findings.append(_finding(ctx, "stance", prop, kept, severity, what))
    return findings


def _event_findings(ctx: AuditContext) -> list[Finding]:
    by_prop, labels = _grouped(ctx, EVENTS)
    findings = []
    for prop in sorted(by_prop):
        kept = _disputed(ctx, by_prop[prop], "happened")
        if not kept:
            continue
        if "did not happen" in kept:
            what, severity = f"did “{labels[prop]}” happen? Sources disagree", Severity.warning
        else:  # "if China follows suit" does not say that China has not sold
            what = f"“{labels[prop]}” is stated as having happened and only as a possibility"
            severity = Severity.info
        findings.append(_finding(ctx, "event-status", prop, kept, severity, what))
    return findings


def contradiction_findings(ctx: AuditContext) -> list[Finding]:
    """Computed once per audit; the profile counts the claims they involve."""
    cached = ctx.shared.get("contradictions")
    if not isinstance(cached, list):
        cached = _event_findings(ctx) + quantity_findings(ctx) + _stance_findings(ctx)
        ctx.shared["contradictions"] = cached
    return cached


def contradicted_claims(ctx: AuditContext) -> set[str]:
    """Ids of claims on a side of a contradiction (info-level hedges and quantities shown only
    for context excluded)."""
    return {
        ref.id
        for f in contradiction_findings(ctx)
        if f.severity is not Severity.info
        for ref in f.claims
        if ref.side != CONSISTENT
    }


def check_contradictions(ctx: AuditContext) -> list[Finding]:
    """Propositions, events and quantities on which sources disagree, both sides kept."""
    return list(contradiction_findings(ctx))
