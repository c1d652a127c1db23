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


def _signature(r: Reading) -> tuple:
    return (r.unit, r.lo, r.hi, r.start or "", r.end or "", r.months or 0.0)


def _cross_pairs(a: list[Reading], b: list[Reading]) -> int:
    """How many pairs across the two lists come from different sources."""
    per_source: dict[str, int] = defaultdict(int)
    for r in a:
        per_source[r.claim.source] += 1
    same = sum(per_source.get(r.claim.source, 0) for r in b)
    return len(a) * len(b) - same


def _examples(a: list[Reading], b: list[Reading], limit: int):
    """Up to `limit` pairs across the two lists from different sources, each in id order."""
    found = 0
    for x in sorted(a, key=lambda r: r.claim.id):
        for y in sorted(b, key=lambda r: r.claim.id):
            if found >= limit:
                return
            if x.claim.source == y.claim.source or (a is b and x.claim.id >= y.claim.id):
                continue
            yield (x, y) if x.claim.id < y.claim.id else (y, x)
            found += 1


def _group_finding(group: list[Reading], tolerance: float) -> Finding | None:
    """Figures that share a signature (unit, interval, window, span) are compared once, so a
    figure repeated by many sources costs one comparison, not one per pair of claims."""
    by_sig: dict[tuple, list[Reading]] = defaultdict(list)
    for r in group:
        by_sig[_signature(r)].append(r)
    sigs = sorted(by_sig)
    conflicts: list[tuple[float, list[Reading], list[Reading]]] = []
    agreements: list[tuple[list[Reading], list[Reading]]] = []
    skipped: list[tuple[str, list[Reading], list[Reading]]] = []
    for i, sa in enumerate(sigs):
        for sb in sigs[i:]:
            ra, rb = by_sig[sa], by_sig[sb]
            if not _cross_pairs(ra, rb) or (sa == sb and len(ra) < 2):
                continue
            outcome, gap = compare(ra[0], rb[0], tolerance)
            if outcome.startswith("skip"):
                skipped.append((outcome[6:], ra, rb))
            elif outcome == "conflict":
                conflicts.append((gap, ra, rb))
            else:
                agreements.append((ra, rb))
    if not conflicts:
        return None
    conflicts.sort(key=lambda t: (-t[0], min(r.claim.id for r in t[1] + t[2])))

    def involved(pairs: list[tuple[list[Reading], list[Reading]]]) -> set[str]:
        ids = set()
        for ra, rb in pairs:
            for x, y in ((ra, rb), (rb, ra)):
                others = {r.claim.source for r in y}
                ids |= {r.claim.id for r in x if others - {r.claim.source}}
        return ids

    conflicting = involved([(ra, rb) for _, ra, rb in conflicts])
    compared = conflicting | involved(agreements)
    notes: list[str] = []
    total = 0
    for gap, ra, rb in conflicts:
        total += _cross_pairs(ra, rb)
        for x, y in _examples(ra, rb, MAX_NOTES - len(notes)):
            notes.append(f"{_label(x)} vs {_label(y)}: {_gap(gap)} apart ({_basis(x, y)})")
    for ra, rb in agreements:
        total += _cross_pairs(ra, rb)
        for x, y in _examples(ra, rb, MAX_NOTES - len(notes)):
            notes.append(f"agree: {_label(x)} with {_label(y)} ({_basis(x, y)})")
    for why, ra, rb in skipped:
        total += _cross_pairs(ra, rb)
        for x, y in _examples(ra, rb, MAX_NOTES - len(notes)):
            notes.append(f"not compared: {_label(x)} with {_label(y)} ({why})")
    if total > len(notes):
        notes.append(f"… and {total - len(notes)} more pairs")
    refs = [
        r.claim.ref(CONFLICT if r.claim.id in conflicting else CONSISTENT, r.text)
        for r in sorted(group, key=lambda r: r.claim.id)
        if r.claim.id in compared
    ]
    in_conflict = sorted(
        (r for r in group if r.claim.id in conflicting), key=lambda r: (r.claim.source, r.claim.id)
    )
    figures = list(dict.fromkeys(f"{r.text} from {short(r.claim.source)}" for r in in_conflict))
    shown = " vs ".join(figures[:4]) + (f" and {len(figures) - 4} more" if len(figures) > 4 else "")
    gap = conflicts[0][0]
    pairs = sum(_cross_pairs(ra, rb) for _, ra, rb in conflicts)
    spread = f"{_gap(gap)} apart" if pairs == 1 else f"up to {_gap(gap)} apart"
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
