"""Attribution: who stands behind each claim.

- Claims resting on an **anonymous** speaker ("officials familiar with discussions", "insiders",
  "one economist affiliated with ...") are warnings; on a **vague** collective ("analysts",
  "reports", "economists say") they are info. One finding per source and speaker as written.
- Claims with **no speaker beyond the outlet**: one finding per source, a warning when the source
  names neither an outlet nor an author (then nobody identifiable stands behind those claims),
  info otherwise.
"""

from __future__ import annotations

from collections import defaultdict

from kg.audit.context import AuditContext, local, value
from kg.audit.models import Check, Finding, Severity, finding_id

__all__ = ["check_attribution"]

UNNAMED = """
SELECT ?claim ?attribution ?written WHERE {
  ?claim a kg:Claim ; kg:attribution ?attribution ; kg:speakerAsWritten ?written .
  FILTER(?attribution IN (kg:AnonymousAttribution, kg:VagueAttribution))
}
"""

OUTLET_ONLY = """
SELECT ?source (COUNT(?claim) AS ?claims) (SUM(?own) AS ?outlet) WHERE {
  ?claim a kg:Claim ; kg:attribution ?attribution ;
         prov:wasDerivedFrom/dcterms:identifier ?source .
  BIND(IF(?attribution = kg:OutletAttribution, 1, 0) AS ?own)
}
GROUP BY ?source
HAVING (SUM(?own) > 0)
ORDER BY ?source
"""


def _unnamed(ctx: AuditContext) -> list[Finding]:
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in ctx.store.select(UNNAMED):
        claim = ctx.claims.get(value(row, "claim") or "")
        if claim is None:
            continue
        kind = local(value(row, "attribution"))
        groups[(claim.source, kind, value(row, "written") or "")].append(claim.iri)
    findings = []
    for (source, kind, written), iris in sorted(groups.items()):
        n = len(iris)
        findings.append(
            Finding(
                id=finding_id(Check.attribution, kind, source, written),
                check=Check.attribution,
                kind=kind,
                severity=Severity.warning if kind == "anonymous" else Severity.info,
                message=(
                    f"{source}: {n} claim{'s rest' if n > 1 else ' rests'} on "
                    f"{'an anonymous' if kind == 'anonymous' else 'a vague'} speaker: “{written}”"
                ),
                claims=ctx.refs(iris),
                sources=[source],
            )
        )
    return findings


def _outlet_only(ctx: AuditContext) -> list[Finding]:
    findings = []
    for row in ctx.store.select(OUTLET_ONLY):
        sid = value(row, "source") or ""
        source = ctx.sources.get(sid)
        behind = [x for x in (source.outlet, source.author) if x] if source else []
        who = " and ".join(behind) if behind else "no named outlet or author"
        iris = [c.iri for c in ctx.by_source.get(sid, ()) if c.attribution == "outlet"]
        findings.append(
            Finding(
                id=finding_id(Check.attribution, "outlet-only", sid),
                check=Check.attribution,
                kind="outlet-only",
                severity=Severity.info if behind else Severity.warning,
                message=(
                    f"{sid}: {value(row, 'outlet')} of {value(row, 'claims')} claims have no "
                    f"speaker beyond the outlet ({who})"
                ),
                claims=ctx.refs(iris),
                sources=[sid],
            )
        )
    return findings


def check_attribution(ctx: AuditContext) -> list[Finding]:
    """Anonymous and vague speakers, and claims backed by the outlet alone."""
    return _unnamed(ctx) + _outlet_only(ctx)
