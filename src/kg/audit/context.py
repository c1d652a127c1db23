"""What every check shares: the store, the options, and an index of claims and sources.

The index is read once, with two SPARQL queries, so that each check's own query only has to
return claim IRIs and what is particular to it; findings then show any claim with its quote,
source, modality and speaker without another round trip to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from kg.audit.models import ClaimRef
from kg.store import Row, Store, Term

__all__ = ["AFFIRMING", "AuditContext", "ClaimInfo", "SourceInfo", "local", "short", "value"]

AFFIRMING = {"asserted", "reported"}
HEDGED = {"hypothetical", "predicted", "speculative"}

CLAIMS = """
SELECT ?claim ?id ?source ?kind ?quote ?start ?end ?modality ?attribution ?polarity ?status
       ?speaker ?speakerAsWritten ?prop
WHERE {
  ?claim a kg:Claim ; kg:claimId ?id ; prov:wasDerivedFrom/dcterms:identifier ?source ; a ?kind ;
         kg:modality ?modality ; kg:attribution ?attribution ; kg:proposition ?prop .
  FILTER(?kind IN (kg:CausalClaim, kg:QuantityClaim, kg:EventClaim))
  OPTIONAL { ?claim oa:hasTarget/oa:hasSelector ?qs .
             ?qs a oa:TextQuoteSelector ; oa:exact ?quote }
  OPTIONAL { ?claim oa:hasTarget/oa:hasSelector ?ps .
             ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
  OPTIONAL { ?claim kg:polarity ?polarity }
  OPTIONAL { ?claim kg:status ?status }
  OPTIONAL { ?claim kg:speaker/rdfs:label ?speaker }
  OPTIONAL { ?claim kg:speakerAsWritten ?speakerAsWritten }
}
"""

SOURCES = """
SELECT ?src ?id ?label ?issued ?notBefore ?notAfter ?outlet ?author WHERE {
  ?src a kg:Source ; dcterms:identifier ?id .
  OPTIONAL { ?src rdfs:label ?label }
  OPTIONAL { ?src dcterms:issued ?issued }
  OPTIONAL { ?src kg:notBefore ?notBefore }
  OPTIONAL { ?src kg:notAfter ?notAfter }
  OPTIONAL { ?src kg:outlet ?outlet }
  OPTIONAL { ?src kg:author ?author }
}
"""


def value(row: Row, name: str) -> str | None:
    term: Term | None = row.get(name)
    return term.value if term is not None else None


def short(source_id: str) -> str:
    """A source id for messages: the part before its content hash, if it has one.

    >>> short("000_4c22c95cf8552d28"), short("mini-001")
    ('000', 'mini-001')
    """
    head, _, tail = source_id.partition("_")
    return head if tail and len(tail) >= 8 else source_id


@cache
def local(iri: str | None) -> str:
    """The local name of an ontology term, as the YAML spells it: `kg:NotOccurred` ->
    `not_occurred`, `kg:AnonymousAttribution` -> `anonymous`.

    >>> local("https://w3id.org/kg-news/ontology#NotOccurred")
    'not_occurred'
    """
    if not iri:
        return ""
    name = iri.rsplit("#", 1)[-1].removesuffix("Attribution").removesuffix("Claim")
    out = "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name)
    return out.lstrip("_")


@dataclass(frozen=True)
class ClaimInfo:
    iri: str
    id: str
    source: str
    kind: str
    quote: str
    start: int | None
    end: int | None
    modality: str
    attribution: str
    polarity: str
    status: str | None
    speaker: str | None
    proposition: str

    @property
    def affirmed(self) -> bool:
        """States the proposition as fact: asserted or reported, positive, and for an event,
        says it happened."""
        return (
            self.modality in AFFIRMING
            and self.polarity != "negative"
            and self.status in (None, "occurred", "ongoing")
        )

    @property
    def hedged(self) -> bool:
        return self.modality in HEDGED

    @property
    def unnamed(self) -> bool:
        return self.attribution in ("anonymous", "vague")

    def ref(self, side: str | None = None, detail: str | None = None) -> ClaimRef:
        return ClaimRef(
            id=self.id,
            source=self.source,
            kind=self.kind,
            quote=self.quote,
            start=self.start,
            end=self.end,
            modality=self.modality,
            attribution=self.attribution,
            speaker=self.speaker,
            side=side,
            detail=detail,
        )


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    issued: str | None
    not_before: str | None
    not_after: str | None
    outlet: str | None
    author: str | None

    @property
    def window(self) -> str:
        """The publication date or the window it lies in, for messages."""
        if self.issued:
            return self.issued
        if self.not_before and self.not_after:
            return f"between {self.not_before} and {self.not_after}"
        if self.not_before or self.not_after:
            return f"not before {self.not_before}" if self.not_before else f"by {self.not_after}"
        return "unknown"


@dataclass
class AuditContext:
    """One audit run: the store, the options and what checks compute for each other."""

    store: Store
    data_dir: Path | None = None
    tolerance: float = 0.01
    shared: dict[str, object] = field(default_factory=dict)

    @cached_property
    def claims(self) -> dict[str, ClaimInfo]:
        """Claim IRI -> claim, for every claim in the graph."""
        index: dict[str, ClaimInfo] = {}
        for row in self.store.select(CLAIMS):
            iri = value(row, "claim") or ""
            start, end = value(row, "start"), value(row, "end")
            named, written = value(row, "speaker"), value(row, "speakerAsWritten")
            both = named and written and named != written
            speaker = f"{written} ({named})" if both else named or written
            index[iri] = ClaimInfo(
                iri=iri,
                id=value(row, "id") or iri,
                source=value(row, "source") or "",
                kind=local(value(row, "kind")),
                quote=value(row, "quote") or "",
                start=int(start) if start is not None else None,
                end=int(end) if end is not None else None,
                modality=local(value(row, "modality")),
                attribution=local(value(row, "attribution")),
                polarity=local(value(row, "polarity")) or "positive",
                status=local(value(row, "status")) or None,
                speaker=speaker,
                proposition=value(row, "prop") or "",
            )
        return index

    @cached_property
    def sources(self) -> dict[str, SourceInfo]:
        """Source id -> source."""
        index: dict[str, SourceInfo] = {}
        for row in self.store.select(SOURCES):
            sid = value(row, "id") or ""
            index[sid] = SourceInfo(
                id=sid,
                title=value(row, "label") or sid,
                issued=value(row, "issued"),
                not_before=value(row, "notBefore"),
                not_after=value(row, "notAfter"),
                outlet=value(row, "outlet"),
                author=value(row, "author"),
            )
        return index

    @cached_property
    def by_proposition(self) -> dict[str, list[ClaimInfo]]:
        """Proposition IRI -> its claims."""
        index: dict[str, list[ClaimInfo]] = {}
        for claim in self.claims.values():
            index.setdefault(claim.proposition, []).append(claim)
        return index

    @cached_property
    def by_source(self) -> dict[str, list[ClaimInfo]]:
        """Source id -> its claims."""
        index: dict[str, list[ClaimInfo]] = {}
        for claim in self.claims.values():
            index.setdefault(claim.source, []).append(claim)
        return index

    def refs(self, iris: list[str], side: str | None = None) -> list[ClaimRef]:
        """Claims by IRI, sorted by id, as finding entries."""
        infos = sorted((self.claims[i] for i in set(iris) if i in self.claims), key=_by_id)
        return [c.ref(side) for c in infos]


def _by_id(claim: ClaimInfo) -> str:
    return claim.id
