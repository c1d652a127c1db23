"""Numbers in the text: amounts of money, percentages, basis points, tonnes, periods.

spaCy's NER finds the number (``MONEY``, ``PERCENT``, ``QUANTITY``, ``CARDINAL``); this module
reads its value, unit and hedge ("about", "over", "up to") and the period it refers to (a
``DATE`` in the same sentence: a year or a month is resolved, anything else is kept as written
with precision ``unknown``).

>>> parse_amount("$1.1 trillion")
(Decimal('1100000000000'), 'USD')
>>> parse_amount("25%"), parse_amount("50 basis points")
((Decimal('25'), 'percent'), (Decimal('50'), 'basis_points'))
>>> period("March 2025"), period("the first quarter")
(('2025-03', 'month'), (None, 'unknown'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.models import Qualifier

__all__ = ["Quantity", "find_quantities", "parse_amount", "period"]

SCALE = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
    "bn": Decimal(10) ** 9,
    "tn": Decimal(10) ** 12,
    "m": Decimal(10) ** 6,
}
QUALIFIERS = {
    "about": Qualifier.about,
    "around": Qualifier.about,
    "roughly": Qualifier.about,
    "approximately": Qualifier.about,
    "some": Qualifier.about,
    "over": Qualifier.over,
    "more than": Qualifier.over,
    "above": Qualifier.over,
    "at least": Qualifier.at_least,
    "nearly": Qualifier.nearly,
    "almost": Qualifier.nearly,
    "under": Qualifier.under,
    "less than": Qualifier.under,
    "below": Qualifier.under,
    "up to": Qualifier.up_to,
}
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(), 1)}
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion|trillion|bn|tn|m)?\b", re.I)


@dataclass(frozen=True)
class Quantity:
    start: int  # the number's words, with a leading qualifier when there is one
    end: int
    text: str
    value: Decimal
    unit: str
    qualifier: Qualifier
    period: tuple[str | None, str, str] | None  # (value, precision, as written)
    head: Any  # the token the number belongs to, for finding what it measures


def parse_amount(text: str) -> tuple[Decimal, str] | None:
    """The value and unit of a number as written, or None when it has no unit we know."""
    m = _NUMBER.search(text)
    if not m:
        return None
    try:
        value = Decimal(m.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    if m.group(2):
        value *= SCALE[m.group(2).lower()]
    lower = text.lower()
    if "$" in text or "dollar" in lower or "usd" in lower:
        unit = "USD"
    elif "%" in text or "percent" in lower or "per cent" in lower:
        unit = "percent"
    elif "basis point" in lower:
        unit = "basis_points"
    elif "tonne" in lower or "ton" in lower:
        unit = "tonnes"
    else:
        return None
    return (Decimal(int(value)) if value == value.to_integral() else value), unit


def period(text: str) -> tuple[str | None, str]:
    """A DATE entity's value and precision, when it names a year or a month of a year."""
    words = re.findall(r"[A-Za-z]+|\d{4}", text)
    year = next((w for w in words if re.fullmatch(r"(19|20)\d{2}", w)), None)
    month = next((MONTHS[w.lower()] for w in words if w.lower() in MONTHS), None)
    if year and month and not re.search(r"\b(end|early|late|mid|first|second|third)", text):
        return f"{year}-{month:02d}", "month"
    if year:
        return year, "year"
    return None, "unknown"


def find_quantities(sent: Any) -> list[Quantity]:
    """The numbers with a known unit in a spaCy sentence."""
    out = []
    doc = sent.doc
    dates = [e for e in sent.ents if e.label_ == "DATE"]
    for ent in sent.ents:
        if ent.label_ not in ("MONEY", "PERCENT", "QUANTITY", "CARDINAL"):
            continue
        end_tok = ent.end
        if ent.label_ == "CARDINAL":  # "50 basis points": the unit follows the entity
            nxt = doc[ent.end : ent.end + 2].text.lower()
            if not nxt.startswith(("basis point", "tonne")):
                continue
            end_tok = ent.end + 2
        span = doc[ent.start : end_tok]
        parsed = parse_amount(span.text)
        if parsed is None:
            continue
        start_tok, qualifier = span.start, Qualifier.exactly
        before = " ".join(t.lower_ for t in doc[max(sent.start, span.start - 2) : span.start])
        for words, q in QUALIFIERS.items():
            if before.endswith(words):
                qualifier, start_tok = q, span.start - len(words.split())
                break
        first = span[0]
        if first.lower_ in QUALIFIERS:  # spaCy often puts "about" inside the entity
            qualifier = QUALIFIERS[first.lower_]
        when = None
        if dates:
            date = min(dates, key=lambda d: abs(d.start - span.start))
            value, precision = period(date.text)
            when = (value, precision, date.text)
        text = doc[start_tok:end_tok].text
        begin = doc[start_tok].idx
        out.append(Quantity(begin, begin + len(text), text, *parsed, qualifier, when, span.root))
    return out
