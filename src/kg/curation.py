"""Load the curated corpus (sources, `entities.yaml`, `claims/*.yaml`) and check it as a whole.

Model validation catches malformed values; this module adds the checks that need more than one
file: every entity id a claim names exists (and has a fitting type), every quote sits at its
offsets in its source's normalised text, ids are unique. The first problem raises a
`CurationError` naming file, line and field; nothing is returned half-checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import CurationError
from kg.files import listing
from kg.models import (
    Claim,
    ClaimsFile,
    Entity,
    EntityType,
    EventClaim,
    QuantityClaim,
)
from kg.sources import SourceDocument, load_sources
from kg.yamlfile import Located, read_model, read_yaml

__all__ = ["Corpus", "load_claims", "load_corpus", "load_entities"]

SPEAKER_TYPES = {
    EntityType.person,
    EntityType.government_body,
    EntityType.central_bank,
    EntityType.international_organisation,
    EntityType.company,
    EntityType.organisation,
    EntityType.group,
    EntityType.country,
}


@dataclass(frozen=True)
class Corpus:
    sources: dict[str, SourceDocument]
    entities: dict[str, Entity]
    claims: dict[str, list[Claim]]  # by source id, in file order

    def all_claims(self) -> list[tuple[str, Claim]]:
        return [(sid, c) for sid in sorted(self.claims) for c in self.claims[sid]]


def load_entities(path: Path, text: str | None = None) -> dict[str, Entity]:
    """Read `entities.yaml` (a list of entities; or `text`, as if it were at `path`); ids must
    be unique."""
    located = read_yaml(path, text)
    if not isinstance(located.data, list):
        raise CurationError("expected a list of entities", path=path, line=1)
    entities: dict[str, Entity] = {}
    for i in range(len(located.data)):
        entity = read_model(path, Entity, located.at(i))
        if entity.id in entities:
            raise located.error(f"duplicate entity id '{entity.id}'", (i, "id"))
        entities[entity.id] = entity
    return entities


def check_claim(
    claim: Claim,
    i: int,
    located: Located,
    source: SourceDocument,
    entities: dict[str, Entity],
) -> None:
    """Check claim `i` of the file `located` against its source's text and the entities;
    errors name the line and field of the claim."""

    def need(entity_id: str | None, field: str, types: set[EntityType] | None = None) -> None:
        if entity_id is None:
            return
        entity = entities.get(entity_id)
        if entity is None:
            raise located.error(f"unknown entity '{entity_id}'", ("claims", i, field))
        if types and entity.type not in types:
            allowed = ", ".join(sorted(t.value for t in types))
            raise located.error(
                f"entity '{entity_id}' is a {entity.type.value}; expected one of: {allowed}",
                ("claims", i, field),
            )

    need(claim.subject, "subject")
    need(claim.speaker, "speaker", SPEAKER_TYPES)
    if isinstance(claim, QuantityClaim):
        need(claim.measure, "measure", {EntityType.indicator})
    elif isinstance(claim, EventClaim):
        need(claim.subject, "subject", {EntityType.event})
    else:
        need(claim.object, "object")

    text = source.text
    if text[claim.start : claim.end] != claim.quote:
        found = text.find(claim.quote)
        hint = (
            f"; it occurs at {found}-{found + len(claim.quote)}"
            if found >= 0
            else "; it does not occur in the normalised text"
        )
        raise located.error(
            f"quote not found at {claim.start}-{claim.end}{hint}", ("claims", i, "quote")
        )


def load_claims(
    path: Path,
    sources: dict[str, SourceDocument],
    entities: dict[str, Entity],
    text: str | None = None,
) -> ClaimsFile:
    """Read and check one claims file (or `text`, as if it were at `path`) against the sources
    and entities."""
    located = read_yaml(path, text)
    claims_file = read_model(path, ClaimsFile, located)
    if claims_file.source != path.stem:
        raise located.error(
            f"source '{claims_file.source}' does not match the file name '{path.name}'",
            ("source",),
        )
    source = sources.get(claims_file.source)
    if source is None:
        raise located.error(f"unknown source '{claims_file.source}'", ("source",))
    seen: set[str] = set()
    for i, claim in enumerate(claims_file.claims):
        if claim.id in seen:
            raise located.error(f"duplicate claim id '{claim.id}'", ("claims", i, "id"))
        seen.add(claim.id)
        check_claim(claim, i, located, source, entities)
    return claims_file


def load_corpus(data_dir: Path | str) -> Corpus:
    """Load and check everything under `data_dir` (`sources/`, `entities.yaml`, `claims/`)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise CurationError("data directory not found", path=data_dir)
    sources = {s.id: s for s in load_sources(data_dir / "sources")}
    entities = load_entities(data_dir / "entities.yaml")
    claims: dict[str, list[Claim]] = {}
    folder = data_dir / "claims"
    if not folder.exists():
        raise CurationError(
            "claims folder not found: create it (empty while there are no claims yet)", path=folder
        )
    paths = listing(folder, ".yaml", error=CurationError, what="claims folder")
    if stray := listing(folder, ".yml", error=CurationError):
        raise CurationError("claims files end in .yaml: rename this one", path=stray[0])
    for path in paths:
        claims_file = load_claims(path, sources, entities)
        claims[claims_file.source] = list(claims_file.claims)
    return Corpus(sources, entities, claims)
