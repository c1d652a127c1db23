"""Extract candidates for stored sources and write them for review (what `kg extract` runs)."""

from __future__ import annotations

import re
from pathlib import Path

from kg.curation import load_claims, load_entities
from kg.errors import CurationError, SourceError
from kg.extract.pipeline import Extractor, SpacyExtractor
from kg.extract.review import CandidatesFile, pending_review, write_candidates
from kg.files import listing
from kg.models import SLUG
from kg.sources import META_SUFFIX, load_source
from kg.yamlfile import read_model

__all__ = ["extract_sources"]


def extract_sources(
    data_dir: Path,
    sources: list[str],
    *,
    threshold: float = 0.4,
    extractor: str = "spacy",
    force: bool = False,
    every: bool = False,
) -> list[tuple[Path, int]]:
    """Write `data_dir/candidates/<id>.yaml` for each source id, without the claims its
    claims file already holds (same span, same proposition). With no ids, the new sources
    (no claims file, no candidates waiting for review; possibly none), or with `every`, all
    sources. A
    candidates file with claims still waiting for review is replaced only with `force`.

    `extractor` is ``spacy`` (the default, offline) or ``chat`` (`kg.extract.llm`, configured
    by ``KG_LLM_URL``)."""
    directory = data_dir / "sources"
    if not sources:
        metas = listing(directory, META_SUFFIX, error=SourceError, what="sources folder")
        sources = [p.name.removesuffix(META_SUFFIX) for p in metas]
        if not sources:
            raise SourceError("no sources yet: kg ingest some articles first", path=directory)
        if not every:  # new sources: neither curated nor waiting for review
            sources = [
                s
                for s in sources
                if not (data_dir / "claims" / f"{s}.yaml").exists()
                and not pending_review(data_dir / "candidates" / f"{s}.yaml")
            ]
            if not sources:
                return []  # nothing new: not an error (the CLI says so)
    entities = load_entities(data_dir / "entities.yaml")
    chosen: Extractor
    if extractor == "chat":
        from kg.extract.llm import ChatExtractor

        chosen = ChatExtractor(entities)
    else:
        chosen = SpacyExtractor(entities, threshold=threshold)
    for source_id in sources:  # every check before any (slow) extraction
        if not re.fullmatch(SLUG, source_id):
            raise SourceError(f"'{source_id}' is not a source id")
        meta = directory / f"{source_id}{META_SUFFIX}"
        if not meta.exists():
            raise SourceError(f"unknown source '{source_id}' (kg ingest it first)", path=meta)
        candidates = data_dir / "candidates" / f"{source_id}.yaml"
        if not force and (waiting := pending_review(candidates)):
            raise CurationError(
                f"{waiting} candidates still wait for review here, and may hold your edits: "
                "kg accept or delete them first, or pass --force to replace them",
                path=candidates,
            )
    written = []
    for source_id in sources:
        doc = load_source(directory / f"{source_id}{META_SUFFIX}")
        extraction = chosen.extract(doc.id, doc.text)
        claims = data_dir / "claims" / f"{source_id}.yaml"
        known = []
        if claims.exists():
            curated = load_claims(claims, {doc.id: doc}, entities)
            known = [(c.start, c.end, c.proposition_key) for c in curated.claims]
        previous = data_dir / "candidates" / f"{source_id}.yaml"
        decided = read_model(previous, CandidatesFile).decided() if previous.exists() else set()
        written.append(
            write_candidates(
                extraction, data_dir / "candidates", chosen.name, known=known, decided=decided
            )
        )
    return written
