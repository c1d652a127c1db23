"""Incompatible quantities: two sources giving figures for the same thing that cannot both hold.

Two affirmed figures (see `kg.audit.readings` for how a figure is read) are compared when they
come from different sources, have the same subject and measure, have the same unit (a share of
holdings counts as dollars once converted), and their time windows overlap. Amounts spread over
different, known spans ("$20 billion in a month", "$61.9 billion in three months") are compared
per month; otherwise as they stand. They conflict when their intervals, each widened by the
relative tolerance (default 1%), do not meet. Figures that cannot be compared are listed in the
finding's notes with the reason, so a reader sees what was left out and why.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from kg.audit.context import AuditContext, short
from kg.audit.models import Check, Finding, Severity, finding_id
from kg.audit.readings import Reading, overlaps, readings

__all__ = ["CONFLICT", "CONSISTENT", "compare", "quantity_findings"]

CONFLICT = "in conflict"
CONSISTENT = "consistent"
MAX_NOTES = 12


def _label(r: Reading) -> str:
    return f"{r.claim.id} {r.text}"


def compare(a: Reading, b: Reading, tolerance: float) -> tuple[str, float]:
    """`("conflict" | "agree", gap)` for comparable readings, else `("skip: why", 0)`. The gap
    is how far apart the intervals are, relative to the smaller end.

    Readings of different units, or whose windows do not overlap, are not compared.
    """
    if a.unit != b.unit:
        return f"skip: different units ({a.unit}, {b.unit})", 0.0
    if not overlaps(a, b):
        return "skip: their periods do not overlap", 0.0
    per_month = a.months and b.months and a.months != b.months
    (alo, ahi), (blo, bhi) = (a.rate(), b.rate()) if per_month else ((a.lo, a.hi), (b.lo, b.hi))
    low, high = (ahi, blo) if ahi < blo else (bhi, alo)
    if low >= high:
        return "agree", 0.0
    gap = (high - low) / low if low else float("inf")
    if high * (1 - tolerance) <= low * (1 + tolerance):
        return "agree", gap
    return "conflict", gap


def _basis(a: Reading, b: Reading) -> str:
    return "per month" if a.months and b.months and a.months != b.months else "as stated"


def _group_finding(group: list[Reading], tolerance: float) -> Finding | None:
    conflicts: list[tuple[float, Reading, Reading]] = []
    agreements: list[str] = []
    skipped: list[str] = []
    compared: set[str] = set()
    for a, b in combinations(group, 2):
        if a.claim.source == b.claim.source:
            continue
        outcome, gap = compare(a, b, tolerance)
        if outcome.startswith("skip"):
            skipped.append(f"not compared: {_label(a)} with {_label(b)} ({outcome[6:]})")
            continue
        compared |= {a.claim.id, b.claim.id}
        if outcome == "conflict":
            conflicts.append((gap, a, b))
        else:
            agreements.append(f"agree: {_label(a)} with {_label(b)} ({_basis(a, b)})")
    if not conflicts:
        return None
    conflicts.sort(key=lambda t: (-t[0], t[1].claim.id, t[2].claim.id))
    in_conflict = sorted(
        {r.claim.id: r for _, a, b in conflicts for r in (a, b)}.values(),
        key=lambda r: (r.claim.source, r.claim.id),
    )
    notes = [
        f"{_label(x)} vs {_label(y)}: {_gap(g)} apart ({_basis(x, y)})" for g, x, y in conflicts
    ]
    notes += agreements + skipped
    if len(notes) > MAX_NOTES:
        notes = [*notes[:MAX_NOTES], f"… and {len(notes) - MAX_NOTES} more"]
    conflicting = {r.claim.id for r in in_conflict}
    refs = [
        r.claim.ref(CONFLICT if r.claim.id in conflicting else CONSISTENT, r.text)
        for r in group
        if r.claim.id in compared
    ]
    figures = list(dict.fromkeys(f"{r.text} from {short(r.claim.source)}" for r in in_conflict))
    shown = " vs ".join(figures[:4]) + (f" and {len(figures) - 4} more" if len(figures) > 4 else "")
    gap, a, b = conflicts[0]
    spread = f"{_gap(gap)} apart" if len(conflicts) == 1 else f"up to {_gap(gap)} apart"
    return Finding(
        id=finding_id(Check.contradictions, "quantity", *sorted(conflicting)),
        check=Check.contradictions,
        kind="quantity",
        severity=Severity.warning,
        message=(
            f"{group[0].subject_label} — {group[0].measure_label}: {shown}; {spread}, beyond "
            f"the {tolerance:.0%} tolerance"
        ),
        claims=refs,
        sources=sorted({r.source for r in refs}),
        notes=notes,
    )


def _gap(gap: float) -> str:
    return f"{gap + 1:.0f}×" if gap >= 1 else f"{gap:.1%}"


def quantity_findings(ctx: AuditContext) -> list[Finding]:
    """One finding per subject and measure whose figures conflict across sources."""
    groups: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for r in readings(ctx):
        groups[(r.subject, r.measure)].append(r)
    findings = []
    for key in sorted(groups):
        group = groups[key]
        if len({r.claim.source for r in group}) < 2:
            continue
        finding = _group_finding(group, ctx.tolerance)
        if finding:
            findings.append(finding)
    return findings
