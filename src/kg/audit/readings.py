"""Numbers as the audit reads them: an interval, a unit, a time window and, for flows, a span.

A quantity claim becomes a `Reading`:

- **interval** from the qualifier: `exactly` v is [v, v]; `about` [0.9v, 1.1v]; `over` and
  `at_least` [v, 2v] (a writer with a figure twice as large would give it); `nearly`, `under`
  and `up_to` [v/2, v]; `range` [v, value_max].
- **window**, the time the number is about: its period (a year, month or day, as its
  precision allows) or, undated, its source's publication window (`kg:notBefore` ..
  `kg:notAfter`) opened `LAG_MONTHS` earlier, since articles quote the latest official
  figures, which come out weeks after the month they describe (TIC: about six weeks); a
  source with no date leaves the window open, so its figures are compared with all.
- **span** in months for amounts over a stretch of time, read from the words ("in a single
  month", "in just three months", "in Q3", "each year"); None when the text gives none.
- **shares of a stock**: a percent figure of net sales or purchases of Treasuries is a share
  of the subject's holdings (`SHARE_OF`); it is turned into dollars with the holdings figures
  the graph gives for the same subject and window, so "its entire position" (100%) can be
  set against "$20 billion".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kg.audit.context import AuditContext, ClaimInfo, value

__all__ = ["LAG_MONTHS", "SHARE_OF", "Reading", "amount", "overlaps", "readings"]

LAG_MONTHS = 3
SHARE_OF = {"treasury-net-sales": "treasury-holdings", "treasury-purchases": "treasury-holdings"}

QUANTITIES = """
SELECT ?claim ?subject ?subjectLabel ?measure ?measureLabel ?value ?valueMax ?unit ?qualifier
       ?period ?periodStart ?periodEnd ?periodWritten ?notBefore ?notAfter
WHERE {
  ?claim a kg:QuantityClaim ; kg:modality ?m ; prov:wasDerivedFrom ?src ;
         kg:subject ?s ; kg:measure ?ms ; kg:value ?value ; kg:unit ?unit ;
         kg:qualifier ?qualifier .
  FILTER(?m IN (kg:Asserted, kg:Reported))
  ?s dcterms:identifier ?subject ; rdfs:label ?subjectLabel .
  ?ms dcterms:identifier ?measure ; rdfs:label ?measureLabel .
  OPTIONAL { ?claim kg:valueMax ?valueMax }
  OPTIONAL { ?claim kg:period ?period ; kg:periodStart ?periodStart ; kg:periodEnd ?periodEnd }
  OPTIONAL { ?claim kg:periodAsWritten ?periodWritten }
  OPTIONAL { ?src kg:notBefore ?notBefore }
  OPTIONAL { ?src kg:notAfter ?notAfter }
}
"""

_NUMBERS = {"a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBERS |= {"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_UNIT_MONTHS = {"week": 12 / 52, "month": 1.0, "quarter": 3.0, "year": 12.0}
_SPAN = re.compile(
    r"\b(?:in|over|during|within|for)\s+(?:just\s+|only\s+|the\s+(?:last|past)\s+)?"
    r"(a|an|one|single|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+)\s+"
    r"(?:single\s+)?(week|month|quarter|year)s?\b",
    re.IGNORECASE,
)
_QUARTER = re.compile(r"\bQ[1-4]\b|\bquarter(?:ly)?\b", re.IGNORECASE)
_YEARLY = re.compile(r"\b(?:each|every|a|per)\s+year\b|\bannual(?:ly)?\b", re.IGNORECASE)
_BOUNDS = {
    "exactly": (1.0, 1.0),
    "about": (0.9, 1.1),
    "over": (1.0, 2.0),
    "at_least": (1.0, 2.0),
    "nearly": (0.5, 1.0),
    "under": (0.5, 1.0),
    "up_to": (0.5, 1.0),
}
_WORDS = {"about": "about ", "over": "over ", "at_least": "at least ", "nearly": "nearly "}
_WORDS |= {"under": "under ", "up_to": "up to "}


def span_months(text: str) -> float | None:
    """How many months an amount is spread over, from the words that say so.

    >>> span_months("sold in a single month"), span_months("in just three months")
    (1.0, 3.0)
    >>> span_months("in Q3 alone"), span_months("by tens of billions each year")
    (3.0, 12.0)
    >>> span_months("In 2024, Japan held over $1 trillion") is None
    True
    """
    if m := _SPAN.search(text):
        count = _NUMBERS.get(m.group(1).lower()) or float(m.group(1))
        return count * _UNIT_MONTHS[m.group(2).lower()]
    if _QUARTER.search(text):
        return 3.0
    if _YEARLY.search(text):
        return 12.0
    return None


def months_before(day: str, months: int) -> str:
    """The first day of the month `months` before `day`'s month.

    >>> months_before("2025-03-18", 3)
    '2024-12-01'
    """
    year, month = int(day[:4]), int(day[5:7])
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}-01"


def amount(v: float, unit: str) -> str:
    """A number for people: `$1.13T`, `$61.9bn`, `100%`.

    >>> amount(1.13e12, "USD"), amount(6.19e10, "USD"), amount(100, "percent")
    ('$1.13T', '$61.9bn', '100%')
    """
    if unit == "USD":
        for size, suffix in ((1e12, "T"), (1e9, "bn"), (1e6, "m")):
            if abs(v) >= size:
                return f"${v / size:.4g}{suffix}"
        return f"${v:,.0f}"
    if unit == "percent":
        return f"{v:.4g}%"
    return f"{v:.4g} {unit.replace('_', ' ')}"


@dataclass(frozen=True)
class Reading:
    claim: ClaimInfo
    subject: str
    subject_label: str
    measure: str
    measure_label: str
    unit: str
    value: float  # as stated
    lo: float
    hi: float
    start: str | None  # the window, ISO dates; None is open
    end: str | None
    dated: bool  # the window is the claim's own period, not its source's publication window
    months: float | None
    share: float | None  # a percent figure as stated, kept when turned into dollars
    text: str  # as people read it: "over $1.1T", "100% of holdings (≈ $1.0T–1.13T)"

    def rate(self) -> tuple[float, float]:
        months = self.months or 1.0
        return self.lo / months, self.hi / months


def overlaps(a: Reading, b: Reading) -> bool:
    """Do two windows share at least a day? Open ends overlap everything."""
    return (a.start is None or b.end is None or a.start <= b.end) and (
        b.start is None or a.end is None or b.start <= a.end
    )


def _reading(row: dict, claim: ClaimInfo) -> Reading:
    v = float(value(row, "value") or 0)
    qualifier = value(row, "qualifier") or "exactly"
    if qualifier == "range":
        lo, hi = v, float(value(row, "valueMax") or v)
        words = f"{amount(lo, value(row, 'unit') or '')}–"
    else:
        low, high = _BOUNDS.get(qualifier, (1.0, 1.0))
        lo, hi, words = v * low, v * high, _WORDS.get(qualifier, "")
    unit = value(row, "unit") or ""
    period = value(row, "period")
    start: str | None
    end: str | None
    if period:  # its first and last day, as the build worked them out
        start, end = value(row, "periodStart"), value(row, "periodEnd")
    else:
        start, end = value(row, "notBefore"), value(row, "notAfter")
        start = months_before(start, LAG_MONTHS) if start else None
    months = span_months(f"{value(row, 'periodWritten') or ''} {claim.quote}")
    text = words + amount(hi if qualifier == "range" else v, unit)
    if months:
        text += f" in {months:g} month{'s' if months != 1 else ''}"
    text += f" ({period})" if period else ""
    return Reading(
        claim=claim,
        subject=value(row, "subject") or "",
        subject_label=value(row, "subjectLabel") or "",
        measure=value(row, "measure") or "",
        measure_label=value(row, "measureLabel") or "",
        unit=unit,
        value=v,
        lo=lo,
        hi=hi,
        start=start,
        end=end,
        dated=bool(period),
        months=months,
        share=v if unit == "percent" else None,
        text=text,
    )


def _in_dollars(share: Reading, bases: Iterable[Reading]) -> Reading | None:
    """A percent-of-holdings figure in dollars, from the holdings figures of its window."""
    values = [b.value for b in bases if b.unit == "USD" and overlaps(share, b)]
    if not values:
        return None
    low, high = min(values), max(values)
    span = amount(low, "USD") if low == high else f"{amount(low, 'USD')}–{amount(high, 'USD')}"
    text = f"{share.text} of holdings (≈ {span})"
    lo, hi = share.lo / 100 * low, share.hi / 100 * high
    return replace(share, unit="USD", value=share.value / 100 * low, lo=lo, hi=hi, text=text)


def readings(ctx: AuditContext) -> list[Reading]:
    """Every affirmed quantity claim as a reading, shares of holdings in dollars where the
    graph gives the holdings; computed once per audit."""
    cached = ctx.shared.get("readings")
    if isinstance(cached, list):
        return cached
    raw = []
    for row in ctx.store.select(QUANTITIES):
        claim = ctx.claims.get(value(row, "claim") or "")
        if claim is not None:
            raw.append(_reading(row, claim))
    by_key: dict[tuple[str, str], list[Reading]] = {}
    for r in raw:
        by_key.setdefault((r.subject, r.measure), []).append(r)
    out = []
    for r in raw:
        base = SHARE_OF.get(r.measure)
        if r.unit == "percent" and base:
            r = _in_dollars(r, by_key.get((r.subject, base), [])) or r
        out.append(r)
    out.sort(key=lambda r: r.claim.id)
    ctx.shared["readings"] = out
    return out
