"""Time: when sources were published and when their claims say things happened.

- A source with **no publication date** (no `dcterms:issued`) is a warning: relative times in
  it ("overnight", "last week") cannot be placed, and its claims cannot be ordered.
- A claim stated as fact (asserted or reported) whose **event time or period starts after its
  source's publication window** ends (`kg:notAfter`) is a warning: an article cannot report
  as done what happens after it appeared; either the date or the claim is wrong. Predictions
  and hypotheses about later times are fine.
- A time kept **as written with no value** ("in the coming days", "in just three months") is
  info: it could not be resolved, and says whether the source's date would allow it.

Dates are compared as ISO strings: a `gYear` 2025 starts on "2025-01-01", so the SPARQL query
pads every value to a full date before comparing.
"""

from __future__ import annotations

from kg.audit.context import AuditContext, value
from kg.audit.models import Check, Finding, Severity, finding_id

__all__ = ["check_time"]

UNDATED = """
SELECT ?id WHERE {
  ?src a kg:Source ; dcterms:identifier ?id .
  FILTER NOT EXISTS { ?src dcterms:issued ?issued }
}
"""

AFTER_PUBLICATION = """
SELECT ?claim ?time ?notAfter WHERE {
  ?claim a kg:Claim ; prov:wasDerivedFrom ?src ; kg:modality ?m .
  FILTER(?m IN (kg:Asserted, kg:Reported))
  { ?claim kg:eventTime ?time } UNION { ?claim kg:period ?time }
  ?src kg:notAfter ?notAfter .
  FILTER(SUBSTR(CONCAT(STR(?time), "-01-01"), 1, 10) > STR(?notAfter))
}
"""

UNRESOLVED = """
SELECT ?claim ?written WHERE {
  ?claim a kg:Claim .
  { ?claim kg:eventTimeAsWritten ?written FILTER NOT EXISTS { ?claim kg:eventTime ?t } }
  UNION
  { ?claim kg:periodAsWritten ?written FILTER NOT EXISTS { ?claim kg:period ?p } }
}
"""


def _undated(ctx: AuditContext) -> list[Finding]:
    findings = []
    for row in ctx.store.select(UNDATED):
        sid = value(row, "id") or ""
        source = ctx.sources.get(sid)
        window = source.window if source else "unknown"
        bound = f" (published {window})" if window != "unknown" else ""
        findings.append(
            Finding(
                id=finding_id(Check.time, "undated", sid),
                check=Check.time,
                kind="undated-source",
                severity=Severity.warning,
                message=f"{sid} has no publication date{bound}",
                sources=[sid],
            )
        )
    return sorted(findings, key=lambda f: f.sources)


def _after_publication(ctx: AuditContext) -> list[Finding]:
    findings = []
    for row in ctx.store.select(AFTER_PUBLICATION):
        claim = ctx.claims.get(value(row, "claim") or "")
        if claim is None:
            continue
        when, limit = value(row, "time"), value(row, "notAfter")
        findings.append(
            Finding(
                id=finding_id(Check.time, "after-publication", claim.id),
                check=Check.time,
                kind="after-publication",
                severity=Severity.warning,
                message=(
                    f"{claim.id} states as fact something dated {when}, after its source was "
                    f"published (by {limit})"
                ),
                claims=[claim.ref(detail=when)],
                sources=[claim.source],
            )
        )
    return sorted(findings, key=lambda f: f.claims[0].id)


def _unresolved(ctx: AuditContext) -> list[Finding]:
    findings = []
    for row in ctx.store.select(UNRESOLVED):
        claim = ctx.claims.get(value(row, "claim") or "")
        if claim is None:
            continue
        written = value(row, "written") or ""
        source = ctx.sources.get(claim.source)
        if source and source.issued:
            why = f"relative to the publication date {source.issued}"
        elif source and source.window != "unknown":
            why = f"the source has no date, only published {source.window}"
        else:
            why = "the source has no publication date"
        findings.append(
            Finding(
                id=finding_id(Check.time, "unresolved", claim.id, written),
                check=Check.time,
                kind="unresolved-time",
                severity=Severity.info,
                message=f"{claim.id}: “{written}” is not resolved to a date ({why})",
                claims=[claim.ref(detail=written)],
                sources=[claim.source],
            )
        )
    return sorted(findings, key=lambda f: (f.claims[0].id, f.id))


def check_time(ctx: AuditContext) -> list[Finding]:
    """Undated sources, claims dated after their source, and unresolved relative times."""
    return _undated(ctx) + _after_publication(ctx) + _unresolved(ctx)
