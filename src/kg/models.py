"""Strict data models for sources, entities and claims: the curated YAML files parse into these.

Closed sets are enums; every model forbids unknown fields, so a typo in a YAML key is an error,
not a silently ignored value. Cross-file checks (entity ids exist, quotes sit at their offsets)
live in `kg.curation`, which knows file names and line numbers.

>>> TimeSpec(value="2025-01", precision="month").value
'2025-01'
"""

from __future__ import annotations

import calendar
import datetime
import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "Attribution",
    "CausalClaim",
    "Claim",
    "ClaimStatus",
    "ClaimsFile",
    "Entity",
    "EntityType",
    "Establishment",
    "EventClaim",
    "EventStatus",
    "Modality",
    "Polarity",
    "Precision",
    "Publication",
    "Qualifier",
    "QuantityClaim",
    "Relation",
    "SourceMeta",
    "TimeSpec",
]

SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class EntityType(StrEnum):
    country = "Country"
    person = "Person"
    government_body = "GovernmentBody"
    central_bank = "CentralBank"
    international_organisation = "InternationalOrganisation"
    company = "Company"
    organisation = "Organisation"
    group = "Group"
    policy = "Policy"
    asset = "Asset"
    currency = "Currency"
    event = "Event"
    indicator = "Indicator"
    place = "Place"


class Relation(StrEnum):
    """Causal relations. Definitions (also in `ontology/kg.ttl`):

    - causes: the subject brings about the object (general causation).
    - triggers: the subject sets off the object immediately; the object follows at once.
    - motivates: the subject is a reason for an agent's decision or action (the object).
    - contributes_to: the subject is one of several causes of the object.
    - enables: the subject makes the object possible without bringing it about.
    - prevents: the subject stops the object from happening or deters it.
    - responds_to: the subject (an action) is taken in response to the object.
    - increases: the subject raises the level of the object (an indicator, an asset's price).
    - decreases: the subject lowers the level of the object.
    """

    causes = "causes"
    triggers = "triggers"
    motivates = "motivates"
    contributes_to = "contributes_to"
    enables = "enables"
    prevents = "prevents"
    responds_to = "responds_to"
    increases = "increases"
    decreases = "decreases"

    @property
    def term(self) -> str:
        """The camelCase local name in the ontology: `contributes_to` -> `contributesTo`."""
        head, *rest = self.value.split("_")
        return head + "".join(part.title() for part in rest)


class Modality(StrEnum):
    """How the text commits to a claim.

    - asserted: the outlet states it as fact in its own voice.
    - reported: the outlet attributes it to a speaker ("X said", "according to").
    - hypothetical: conditional or counterfactual ("if Japan sold, yields would spike").
    - predicted: stated as what will or is likely to happen.
    - speculative: hedged possibility ("could", "may", "appears to").
    - denied: the text rejects the proposition ("this probably won't happen", "not a decision").
    """

    asserted = "asserted"
    reported = "reported"
    hypothetical = "hypothetical"
    predicted = "predicted"
    speculative = "speculative"
    denied = "denied"


class Polarity(StrEnum):
    positive = "positive"
    negative = "negative"


class Attribution(StrEnum):
    """Who stands behind a claim: the outlet itself, a named speaker, an anonymous speaker
    described by role ("officials familiar with discussions"), or a vague collective
    ("analysts", "reports")."""

    outlet = "outlet"
    named = "named"
    anonymous = "anonymous"
    vague = "vague"


class Precision(StrEnum):
    day = "day"
    month = "month"
    year = "year"
    unknown = "unknown"


class Establishment(StrEnum):
    """How a publication date was established."""

    stated = "stated"
    inferred = "inferred"
    unknown = "unknown"


class EventStatus(StrEnum):
    """What a claim says about whether an event happened."""

    occurred = "occurred"
    ongoing = "ongoing"
    expected = "expected"
    possible = "possible"
    improbable = "improbable"
    threatened = "threatened"
    not_occurred = "not_occurred"


class Qualifier(StrEnum):
    """How a number is hedged in the text: "over $1.1 trillion" is `over`."""

    exactly = "exactly"
    about = "about"
    over = "over"
    at_least = "at_least"
    nearly = "nearly"
    under = "under"
    up_to = "up_to"
    range = "range"


class ClaimStatus(StrEnum):
    """Where a claim is in review: `candidate` claims come from the extractor and wait for a
    curator; `curated` ones were written or accepted by one."""

    curated = "curated"
    candidate = "candidate"


_TIME_PATTERNS = {
    Precision.day: re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    Precision.month: re.compile(r"^\d{4}-\d{2}$"),
    Precision.year: re.compile(r"^\d{4}$"),
}


class TimeSpec(Strict):
    """A point in time at a stated precision, with the words the text used.

    A relative time the text gives but that cannot be resolved ("overnight", "in the last three
    weeks") has `value: null`, `precision: unknown` and keeps `as_written`.
    """

    value: str | None = None
    precision: Precision = Precision.unknown
    as_written: str | None = None

    @model_validator(mode="after")
    def _value_matches_precision(self) -> TimeSpec:
        if self.precision is Precision.unknown:
            if self.value is not None:
                raise ValueError("a time with a value needs a precision other than 'unknown'")
        elif self.value is None or not _TIME_PATTERNS[self.precision].match(self.value):
            shape = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}[self.precision]
            raise ValueError(f"precision '{self.precision}' needs a value shaped {shape}")
        else:
            _check_date(self.value)
        return self

    def bounds(self) -> tuple[str | None, str | None]:
        """The first and last day the time can mean, or ``(None, None)`` when it has no value.

        >>> TimeSpec(value="2024-02", precision="month").bounds()
        ('2024-02-01', '2024-02-29')
        """
        return _bounds(self.value, self.precision)


def _bounds(value: str | None, precision: Precision) -> tuple[str | None, str | None]:
    if value is None or precision is Precision.unknown:
        return None, None
    if precision is Precision.day:
        return value, value
    if precision is Precision.month:
        year, month = map(int, value.split("-"))
        return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return f"{value}-01-01", f"{value}-12-31"


def _check_date(value: str) -> None:
    """Refuse a well-shaped date no calendar has ("2025-02-30", "2025-13"): written to the
    graph as an xsd:date, it would be an ill-typed literal every consumer trips on.

    >>> _check_date("2024-02-29")
    >>> _check_date("2025-02-29")
    Traceback (most recent call last):
    ValueError: '2025-02-29' is not a date in the calendar
    """
    year, month, day = [*value.split("-"), "01", "01"][:3]
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"'{value}' is not a date in the calendar") from None


class Publication(Strict):
    """When a source was published, how precisely, how we know, and why."""

    value: str | None = None
    precision: Precision = Precision.unknown
    established: Establishment = Establishment.unknown
    not_before: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    not_after: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    evidence: str

    @model_validator(mode="after")
    def _consistent(self) -> Publication:
        TimeSpec(value=self.value, precision=self.precision)
        for bound in (self.not_before, self.not_after):
            if bound is not None:
                _check_date(bound)
        if self.not_before and self.not_after and self.not_before > self.not_after:
            raise ValueError(f"not_before {self.not_before} is after not_after {self.not_after}")
        if (self.value is None) != (self.established is Establishment.unknown):
            raise ValueError("'established' is 'unknown' exactly when there is no value")
        first, last = _bounds(self.value, self.precision)
        if first and self.not_after and self.not_after < first:
            raise ValueError(f"not_after {self.not_after} is before {self.value}, the date itself")
        if last and self.not_before and self.not_before > last:
            raise ValueError(f"not_before {self.not_before} is after {self.value}, the date itself")
        return self

    def window(self) -> tuple[str | None, str | None]:
        """The first and last day the date and its evidence (`not_before`, `not_after`) allow.

        >>> Publication(value="2025", precision="year", established="inferred",
        ...             not_before="2025-10-27", evidence="...").window()
        ('2025-10-27', '2025-12-31')
        """
        lo, hi = _bounds(self.value, self.precision)
        lo = max(filter(None, [lo, self.not_before]), default=None)
        hi = min(filter(None, [hi, self.not_after]), default=None)
        return lo, hi


class SourceMeta(Strict):
    """The metadata sidecar of a source (`data/sources/<id>.meta.yaml`)."""

    id: str = Field(pattern=SLUG)
    title: str | None
    outlet: str | None
    author: str | None
    url: str | None
    language: str = Field(pattern=r"^[a-z]{2}$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    byte_size: int = Field(ge=0)
    encoding: str
    original_filename: str
    published: Publication
    notes: list[str] = []

    @field_validator("url")
    @classmethod
    def _absolute_url(cls, url: str | None) -> str | None:
        """The URL becomes an IRI in the graph: it must be an absolute http(s) URL with no
        space or other character an IRI cannot hold (percent-encode them: `%20`)."""
        if url is not None and (not _URL.match(url) or _URL_BAD_PERCENT.search(url)):
            raise ValueError(
                f"'{url}' is not an absolute http(s) URL (spaces and <>\"{{}}|\\^` must be "
                "percent-encoded)"
            )
        return url


_URL = re.compile(
    r"^https?://[^\s/?#<>\"{}|\\^`\x00-\x1f\x7f]+(?:[/?#][^\s<>\"{}|\\^`\x00-\x1f\x7f]*)?$"
)
_URL_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class Entity(Strict):
    """An actor or thing: `aliases` lists the surface forms the sources use, misspellings and
    metonyms included, so that mentions can be linked back."""

    id: str = Field(pattern=SLUG)
    type: EntityType
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    aliases: list[str] = []
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9]\d*$")


class ClaimBase(Strict):
    id: str = Field(pattern=SLUG)
    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    modality: Modality
    attribution: Attribution = Attribution.outlet
    speaker: str | None = None
    speaker_as_written: str | None = None
    note: str | None = None
    curation: ClaimStatus = ClaimStatus.curated
    confidence: float | None = Field(default=None, ge=0, le=1)

    @field_validator("end")
    @classmethod
    def _span(cls, end: int, info: ValidationInfo) -> int:
        # on `end`, not the whole claim, so that the error names the line of `end:`
        start, quote = info.data.get("start"), info.data.get("quote")
        if start is not None and quote is not None and end - start != len(quote):
            raise ValueError(
                f"end - start is {end - start} but the quote has {len(quote)} characters"
            )
        return end

    @model_validator(mode="after")
    def _check(self) -> ClaimBase:
        if self.attribution is Attribution.outlet:
            if self.speaker or self.speaker_as_written:
                raise ValueError("attribution 'outlet' takes no speaker")
            if self.modality is Modality.reported:
                raise ValueError("modality 'reported' needs a speaker other than the outlet")
        elif self.attribution is Attribution.named:
            if not self.speaker:
                raise ValueError("attribution 'named' needs a speaker entity id")
        elif not self.speaker_as_written:
            raise ValueError(f"attribution '{self.attribution}' needs speaker_as_written")
        return self


class CausalClaim(ClaimBase):
    """`subject -relation-> object`, as the source states it."""

    kind: Literal["causal"] = "causal"
    subject: str = Field(pattern=SLUG)
    relation: Relation
    object: str = Field(pattern=SLUG)
    polarity: Polarity = Polarity.positive
    event_time: TimeSpec | None = None

    @property
    def proposition_key(self) -> str:
        """Claims of one proposition share this key, whoever states it and however."""
        return f"{self.subject}.{self.relation.value}.{self.object}"


def _plain(value: Decimal) -> str:
    """A decimal as plain digits for an IRI: 1.13E+12 is 1130000000000, 61.90 is 61.9."""
    return format(value.normalize(), "f")


class QuantityClaim(ClaimBase):
    """A number the source gives: `subject`'s `measure` is `value` `unit` over `period`."""

    kind: Literal["quantity"] = "quantity"
    subject: str = Field(pattern=SLUG)
    measure: str = Field(pattern=SLUG)
    value: Decimal
    value_max: Decimal | None = None
    unit: Literal["USD", "percent", "basis_points", "tonnes", "count", "months", "years"]
    qualifier: Qualifier = Qualifier.exactly
    period: TimeSpec | None = None

    @field_validator("value", "value_max", mode="before")
    @classmethod
    def _no_floats(cls, v: object) -> object:
        # YAML reads 1.1e12 as a float; go through str so Decimal keeps the written digits.
        return str(v) if isinstance(v, float | int) else v

    @model_validator(mode="after")
    def _range(self) -> QuantityClaim:
        """A range has both ends, lowest first; only a range has an upper end. No figure
        has more than 30 digits before the point (the graph writes every digit)."""
        for figure in (self.value, self.value_max):
            if figure is not None and (not figure.is_finite() or figure.adjusted() >= 30):
                raise ValueError(f"{figure} is not a figure kg takes (at most 30 digits)")
        if (self.qualifier is Qualifier.range) != (self.value_max is not None):
            raise ValueError("qualifier 'range' goes with value_max, and value_max with 'range'")
        if self.value_max is not None and self.value_max < self.value:
            raise ValueError(f"value_max {self.value_max} is below value {self.value}")
        return self

    @property
    def proposition_key(self) -> str:
        """Subject, measure, period and the figure itself: two sources that give different
        numbers for the same measure state different propositions (they conflict; they do
        not corroborate each other), and only the same figure, hedged the same way, counts
        as a second source.

        >>> QuantityClaim(id="c1", quote="q", start=0, end=1, modality="asserted",
        ...     subject="japan", measure="treasury-holdings", value="1.13e12", unit="USD",
        ...     qualifier="over").proposition_key
        'japan.treasury-holdings.undated.1130000000000-USD-over'
        """
        period = self.period.value if self.period and self.period.value else "undated"
        figure = _plain(self.value) + (
            f"-to-{_plain(self.value_max)}" if self.value_max is not None else ""
        )
        hedge = "" if self.qualifier is Qualifier.exactly else f"-{self.qualifier.value}"
        return f"{self.subject}.{self.measure}.{period}.{figure}-{self.unit}{hedge}"


class EventClaim(ClaimBase):
    """What the source says about whether `subject` (an event) happened, and when."""

    kind: Literal["event"] = "event"
    subject: str = Field(pattern=SLUG)
    status: EventStatus
    event_time: TimeSpec | None = None

    @property
    def proposition_key(self) -> str:
        return f"{self.subject}.occurs"


Claim = Annotated[CausalClaim | QuantityClaim | EventClaim, Field(discriminator="kind")]


class ClaimsFile(Strict):
    """One `data/claims/<source>.yaml`: the curated claims of one source."""

    source: str = Field(pattern=SLUG)
    claims: list[Claim]
