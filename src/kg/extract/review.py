"""Candidate claims on disk, for a curator: write `data/candidates/<source>.yaml`, accept them.

A candidates file has the shape of a claims file (`source`, `claims`, every claim with
``curation: candidate`` and a ``confidence``) plus the entities the extractor proposes and the
cause, effect and signal spans of each causal claim. `accept` moves chosen claims into
`data/claims/<source>.yaml` (appended, so curated files keep their comments), marks them
``curated``, appends the proposed entities they need to `data/entities.yaml`, and checks the
result exactly as `kg check` does before anything is written.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from kg.curation import load_claims, load_entities
from kg.errors import CurationError
from kg.extract.pipeline import Extraction
from kg.models import Claim, ClaimStatus, Entity, Strict
from kg.sources import load_sources
from kg.yamlfile import read_model

__all__ = ["CandidatesFile", "accept", "candidate_records", "write_candidates"]


class CandidatesFile(Strict):
    source: str
    extractor: str
    entities: list[Entity] = Field(default_factory=list)
    claims: list[Claim]
    spans: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _claim_dict(claim: Any) -> dict[str, Any]:
    return claim.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def write_candidates(extraction: Extraction, directory: Path, extractor: str) -> Path:
    """Write the candidates of one source to `directory/<source>.yaml`."""
    spans = {
        c.claim.id: {
            "cause": c.cause_span.as_dict(),
            "effect": c.effect_span.as_dict(),
            "signal": c.signal.as_dict(),
        }
        for c in extraction.candidates
        if c.cause_span and c.effect_span and c.signal
    }
    body = {
        "source": extraction.source,
        "extractor": extractor,
        "entities": [
            e.model_dump(mode="json", exclude_none=True)
            for _, e in sorted(extraction.entities.items())
        ],
        "claims": [_claim_dict(c.claim) for c in extraction.candidates],
        "spans": spans,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{extraction.source}.yaml"
    path.write_text(_dump(body), encoding="utf-8")
    return path


def candidate_records(extraction: Extraction, published: dict | None = None) -> list[dict]:
    """JSON records of the causal candidates, with the fields of `kg claims --format jsonl`
    plus ``cause_span``, ``effect_span``, ``signal`` and ``confidence``."""
    records = []
    for c in extraction.candidates:
        claim = c.claim
        if claim.kind != "causal" or not (c.cause_span and c.effect_span and c.signal):
            continue
        records.append(
            {
                "id": f"{extraction.source}/{claim.id}",
                "kind": "causal",
                "source": extraction.source,
                "quote": claim.quote,
                "start": claim.start,
                "end": claim.end,
                "subject": claim.subject,
                "relation": claim.relation.value,
                "object": claim.object,
                "polarity": claim.polarity.value,
                "modality": claim.modality.value,
                "speaker": {
                    "id": claim.speaker,
                    "as_written": claim.speaker_as_written,
                    "attribution": claim.attribution.value,
                },
                "cause_span": c.cause_span.as_dict(),
                "effect_span": c.effect_span.as_dict(),
                "signal": c.signal.as_dict(),
                "confidence": claim.confidence,
                "curation": "candidate",
            }
        )
    return records


def _next_id(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


def accept(
    data_dir: Path, source: str, ids: list[str] | None = None, min_confidence: float = 0.0
) -> list[str]:
    """Move candidates of `source` (all, or those in `ids`) into its claims file.

    Returns the ids the claims got in the claims file. Nothing is written when the result
    would not pass `kg check`.
    """
    cand_path = data_dir / "candidates" / f"{source}.yaml"
    if not cand_path.exists():
        raise CurationError("no candidates for this source (run kg extract first)", path=cand_path)
    cands = read_model(cand_path, CandidatesFile)
    chosen = [
        c
        for c in cands.claims
        if (ids is None or c.id in ids) and (c.confidence or 0) >= min_confidence
    ]
    if ids is not None and len(chosen) != len(set(ids)):
        missing = sorted(set(ids) - {c.id for c in chosen})
        raise CurationError(f"unknown candidate ids: {', '.join(missing)}", path=cand_path)
    entities_path = data_dir / "entities.yaml"
    entities = load_entities(entities_path)
    claims_path = data_dir / "claims" / f"{source}.yaml"
    existing = (
        yaml.safe_load(claims_path.read_text(encoding="utf-8")) if claims_path.exists() else None
    )
    taken = {c["id"] for c in (existing or {}).get("claims") or []}
    new_claims, renamed = [], []
    proposed = {e.id: e for e in cands.entities}
    needed: dict[str, Entity] = {}
    for claim in chosen:
        new_id = claim.id if claim.id not in taken else _next_id(claim.id[0], taken)
        taken.add(new_id)
        renamed.append(new_id)
        new_claims.append(claim.model_copy(update={"id": new_id, "curation": ClaimStatus.curated}))
        for ref in (
            claim.subject,
            getattr(claim, "object", None),
            getattr(claim, "measure", None),
            claim.speaker,
        ):
            if ref and ref not in entities and ref in proposed:
                needed[ref] = proposed[ref]
    entities_text = entities_path.read_text(encoding="utf-8")
    if needed:
        entities_text = (
            entities_text.rstrip("\n")
            + "\n\n"
            + "\n".join(
                _dump([e.model_dump(mode="json", exclude_none=True)]) for e in needed.values()
            )
        )
    if existing is None:
        claims_text = _dump({"source": source, "claims": []}).replace("claims: []\n", "claims:\n")
    else:
        claims_text = claims_path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    claims_text += _dump([_claim_dict(c) for c in new_claims]) if new_claims else ""
    _check(data_dir, source, entities_text, claims_text, claims_path)
    entities_path.write_text(entities_text, encoding="utf-8")
    claims_path.parent.mkdir(parents=True, exist_ok=True)
    claims_path.write_text(claims_text, encoding="utf-8")
    left = [c for c in cands.claims if c not in chosen]
    if left:
        kept = cands.model_copy(
            update={
                "claims": left,
                "spans": {k: v for k, v in cands.spans.items() if k in {c.id for c in left}},
            }
        )
        cand_path.write_text(_dump(kept.model_dump(mode="json", exclude_none=True)), "utf-8")
    else:
        cand_path.unlink()
    return renamed


def _check(
    data_dir: Path, source: str, entities_text: str, claims_text: str, claims_path: Path
) -> None:
    """Run the checks of `kg check` on the new texts, reporting errors at the real path."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_entities, tmp_claims = Path(tmp) / "entities.yaml", Path(tmp) / f"{source}.yaml"
        tmp_entities.write_text(entities_text, encoding="utf-8")
        tmp_claims.write_text(claims_text, encoding="utf-8")
        try:
            entities = load_entities(tmp_entities)
            sources = {s.id: s for s in load_sources(data_dir / "sources")}
            load_claims(tmp_claims, sources, entities)
        except CurationError as exc:
            real = data_dir / "entities.yaml" if exc.path == str(tmp_entities) else claims_path
            exc.path = str(real)
            raise
