"""Reference data: holdings figures checked against the U.S. Treasury's TIC series.

`<data>/reference/tic_major_foreign_holders.csv` has end-of-month holdings of Treasury securities
by Japan and China (Mainland), in billions of dollars. Entities are matched to its countries by
their Wikidata id (Q17 Japan, Q148 China), the measure by its id `treasury-holdings`.

Each affirmed holdings figure is compared with the months it is about: its period's months, or,
undated, the months of its source's publication window opened a few months earlier (see
`kg.audit.readings`: articles quote the latest release, weeks old) and closed at the last month
whose figures were out by the window's last day (`released_by`); a source with no window is
compared with the whole series. The finding gives the
deviation from the nearest reference value; beyond the tolerance it is a warning, otherwise
info. A share of holdings sold (e.g. "its entire position", 100%) is checked against the
largest fall the series shows in the window.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from kg.audit.context import AuditContext, value
from kg.audit.models import Check, Finding, Severity, finding_id
from kg.audit.readings import SHARE_OF, Reading, amount, months_before, readings

__all__ = ["REFERENCE_FILE", "TicSeries", "check_reference", "load_tic"]

REFERENCE_FILE = Path("reference") / "tic_major_foreign_holders.csv"
COUNTRIES = {"Japan": "japan", "China, Mainland": "china"}
WIKIDATA = {"Q17": "japan", "Q148": "china"}
MEASURE = "treasury-holdings"

ENTITIES = """
SELECT ?id ?qid WHERE {
  ?e a kg:Entity ; dcterms:identifier ?id ; schema:sameAs ?wd .
  BIND(STRAFTER(STR(?wd), STR(wd:)) AS ?qid)
}
"""


@dataclass(frozen=True)
class TicSeries:
    """Month (`YYYY-MM`) -> holdings in dollars, per country key (`japan`, `china`)."""

    path: Path
    months: dict[str, dict[str, float]]

    def window(self, country: str, start: str | None, end: str | None) -> dict[str, float]:
        """The months from `start` to `end` (ISO dates; None is open)."""
        first = start[:7] if start else "0000-00"
        last = end[:7] if end else "9999-99"
        return {m: v for m, v in self.months.get(country, {}).items() if first <= m <= last}


def load_tic(path: Path) -> TicSeries:
    """Read the TIC CSV (`month,country,holdings_usd_bn`)."""
    months: dict[str, dict[str, float]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            country = COUNTRIES.get(row["country"])
            if country:
                months.setdefault(country, {})[row["month"]] = float(row["holdings_usd_bn"]) * 1e9
    return TicSeries(path, months)


RELEASE_DAY = 14  # TIC figures for a month come out mid-month two months on, never earlier


def released_by(day: str) -> str:
    """The last month (`YYYY-MM`) whose TIC figures could be out on `day`.

    >>> released_by("2025-03-31"), released_by("2025-03-10")
    ('2025-01', '2024-12')
    """
    back = 2 if int(day[8:10]) >= RELEASE_DAY else 3
    return months_before(day, back)[:7]


def _span(months: dict[str, float]) -> str:
    first, last = min(months), max(months)
    return first if first == last else f"{first} to {last}"


def _holdings(r: Reading, months: dict[str, float], tolerance: float) -> tuple[Severity, str]:
    low, high = min(months.values()), max(months.values())
    if r.hi < low:
        deviation = (r.hi - low) / low
    elif r.lo > high:
        deviation = (r.lo - high) / high
    else:
        deviation = 0.0
    official = amount(low, "USD") if low == high else f"{amount(low, 'USD')}–{amount(high, 'USD')}"
    within = abs(deviation) <= tolerance
    how = "within the official range" if deviation == 0 else f"{deviation:+.1%} off"
    return (
        Severity.info if within else Severity.warning,
        f"{r.text} vs TIC {official} ({_span(months)}): {how}",
    )


def _share_sold(r: Reading, months: dict[str, float], tolerance: float) -> tuple[Severity, str]:
    values = [months[m] for m in sorted(months)]
    fall = max(((values[i] - min(values[i:])) / values[i] for i in range(len(values))), default=0.0)
    share = r.share or 0.0
    severity = Severity.warning if share / 100 > fall + tolerance else Severity.info
    return severity, (
        f"{amount(share, 'percent')} of holdings sold vs TIC: the largest fall in "
        f"{_span(months)} is {fall:.1%}"
    )


def check_reference(ctx: AuditContext) -> list[Finding]:
    """Each holdings figure for Japan or China against the official monthly series."""
    path = (ctx.data_dir or Path("data")) / REFERENCE_FILE
    if not path.is_file():
        return [
            Finding(
                id=finding_id(Check.reference, "missing", str(REFERENCE_FILE)),
                check=Check.reference,
                kind="not-run",
                severity=Severity.info,
                message=f"no reference data at {path}: figures not checked",
            )
        ]
    tic = load_tic(path)
    countries = {
        value(row, "id"): WIKIDATA[value(row, "qid") or ""]
        for row in ctx.store.select(ENTITIES)
        if value(row, "qid") in WIKIDATA
    }
    findings = []
    for r in readings(ctx):
        country = countries.get(r.subject)
        is_share = SHARE_OF.get(r.measure) == MEASURE and r.share is not None
        if country is None or not (r.measure == MEASURE or is_share):
            continue
        end = r.end
        if end and not r.dated:  # an undated figure can only quote figures already out
            end = min(end[:7], released_by(end))
        months = tic.window(country, r.start, end)
        if not months:
            continue
        check = _share_sold if is_share else _holdings
        severity, text = check(r, months, ctx.tolerance)
        findings.append(
            Finding(
                id=finding_id(Check.reference, r.measure, r.claim.id),
                check=Check.reference,
                kind="share-sold" if is_share else "holdings",
                severity=severity,
                message=f"{r.claim.id} {r.subject_label}: {text}",
                claims=[r.claim.ref(detail=r.text)],
                sources=[r.claim.source],
            )
        )
    return findings
