"""Extract candidates for stored sources and write them for review (what `kg extract` runs)."""

from __future__ import annotations

from pathlib import Path

from kg.curation import load_entities
from kg.errors import SourceError
from kg.extract.pipeline import Extractor, SpacyExtractor
from kg.extract.review import write_candidates
from kg.files import listing
from kg.sources import META_SUFFIX, load_source

__all__ = ["extract_sources"]


def extract_sources(
    data_dir: Path, sources: list[str], *, threshold: float = 0.4, extractor: str = "spacy"
) -> list[tuple[Path, int]]:
    """Write `data_dir/candidates/<id>.yaml` for each source id (all sources when empty).

    `extractor` is ``spacy`` (the default, offline) or ``chat`` (`kg.extract.llm`, configured
    by ``KG_LLM_URL``)."""
    directory = data_dir / "sources"
    if not sources:
        metas = listing(directory, META_SUFFIX, error=SourceError, what="sources folder")
        sources = [p.name.removesuffix(META_SUFFIX) for p in metas]
    entities = load_entities(data_dir / "entities.yaml")
    chosen: Extractor
    if extractor == "chat":
        from kg.extract.llm import ChatExtractor

        chosen = ChatExtractor(entities)
    else:
        chosen = SpacyExtractor(entities, threshold=threshold)
    written = []
    for source_id in sources:
        meta = directory / f"{source_id}{META_SUFFIX}"
        if not meta.exists():
            raise SourceError(f"unknown source '{source_id}' (kg ingest it first)", path=meta)
        doc = load_source(meta)
        extraction = chosen.extract(doc.id, doc.text)
        path = write_candidates(extraction, data_dir / "candidates", chosen.name)
        written.append((path, len(extraction.candidates)))
    return written
