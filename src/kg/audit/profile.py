"""Per-source profile: how each source's claims stand, side by side.

For every source: its claims, and how many of them are **hedged** (hypothetical, predicted or
speculative), rest on an anonymous or vague speaker (**unnamed**), are **uncorroborated** (no other
independent source affirms the same proposition, copies counted once) and are
**contradicted** (on a side of a warning-level contradiction). The first two come from one
SPARQL query; the last two reuse what the corroboration and contradiction checks computed.
"""

from __future__ import annotations

from kg.audit.context import AuditContext, value
from kg.audit.contradictions import contradicted_claims
from kg.audit.corroboration import corroboration
from kg.audit.models import SourceProfile

__all__ = ["source_profiles"]

PROFILE = """
SELECT ?id (COUNT(?claim) AS ?claims) (SUM(?h) AS ?hedged) (SUM(?a) AS ?unnamed) WHERE {
  ?src a kg:Source ; dcterms:identifier ?id .
  OPTIONAL {
    ?claim a kg:Claim ; prov:wasDerivedFrom ?src ; kg:modality ?m ; kg:attribution ?at .
    BIND(IF(?m IN (kg:Hypothetical, kg:Predicted, kg:Speculative), 1, 0) AS ?h)
    BIND(IF(?at IN (kg:AnonymousAttribution, kg:VagueAttribution), 1, 0) AS ?a)
  }
}
GROUP BY ?id
ORDER BY ?id
"""


def source_profiles(ctx: AuditContext) -> list[SourceProfile]:
    """One profile per source, sorted by source id."""
    corr = corroboration(ctx)
    contradicted = contradicted_claims(ctx)
    uncorroborated: dict[str, int] = {}
    disputed: dict[str, int] = {}
    for iri, claim in ctx.claims.items():
        if not corr.corroborated(iri):
            uncorroborated[claim.source] = uncorroborated.get(claim.source, 0) + 1
        if claim.id in contradicted:
            disputed[claim.source] = disputed.get(claim.source, 0) + 1
    profiles = []
    for row in ctx.store.select(PROFILE):
        sid = value(row, "id") or ""
        source = ctx.sources.get(sid)
        profiles.append(
            SourceProfile(
                source=sid,
                title=source.title if source else sid,
                claims=int(value(row, "claims") or 0),
                hedged=int(value(row, "hedged") or 0),
                unnamed=int(value(row, "unnamed") or 0),
                uncorroborated=uncorroborated.get(sid, 0),
                contradicted=disputed.get(sid, 0),
            )
        )
    return profiles
