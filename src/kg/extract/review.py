"""Candidate claims on disk, for a curator: write `data/candidates/<source>.yaml`, accept them.

A candidates file has the shape of a claims file (`source`, `claims`, every claim with
``curation: candidate`` and a ``confidence``) plus the entities the extractor proposes and the
cause, effect and signal spans of each causal claim. `accept` moves chosen claims into
`data/claims/<source>.yaml` (appended, so curated files keep their comments), marks them
``curated``, records them under ``accepted`` in the candidates file, appends the proposed
entities they need to `data/entities.yaml`, and checks the result exactly as `kg check` does
before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from kg.curation import check_claim, load_claims, load_entities
from kg.errors import CurationError
from kg.extract.pipeline import Candidate, Extraction
from kg.files import replace_files
from kg.models import SLUG, Claim, ClaimStatus, Entity, QuantityClaim, Strict
from kg.sources import load_sources
from kg.yamlfile import read_model, read_yaml

__all__ = [
    "CandidatesFile",
    "accept",
    "candidate_records",
    "pending_review",
    "signature",
    "write_candidates",
]


class CandidatesFile(Strict):
    source: str
    extractor: str
    entities: list[Entity] = Field(default_factory=list)
    claims: list[Claim]
    spans: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)
    accepted: dict[str, str] = Field(default_factory=dict)  # candidate id -> id in claims file
    # what each candidate is, independent of its id and of entity linking (`signature`)
    signatures: dict[str, str] = Field(default_factory=dict)
    # signatures of candidates already decided: accepted, or deleted from `claims` by hand
    reviewed: list[str] = Field(default_factory=list)

    def decided(self) -> set[str]:
        """Signatures a new extraction must not propose again: those decided before, and
        those proposed here that are no longer waiting (accepted, or deleted by hand)."""
        waiting = {c.id for c in self.claims}
        return set(self.reviewed) | {
            sig for cid, sig in self.signatures.items() if cid not in waiting
        }


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _claim_dict(claim: Any) -> dict[str, Any]:
    return claim.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def signature(candidate: Candidate) -> str:
    """What a candidate claims, in offsets: kind and quote span, and the cause and effect spans
    (causal) or the figure (quantity). Entity linking is left out, so a candidate found
    again after new entities changed its linking is still recognised.
    """
    claim = candidate.claim
    sig = f"{claim.kind}:{claim.start}-{claim.end}"
    if candidate.cause_span and candidate.effect_span:
        cause, effect = candidate.cause_span, candidate.effect_span
        sig += f":{cause.start}-{cause.end}>{effect.start}-{effect.end}"
    elif isinstance(claim, QuantityClaim):
        sig += f":{format(claim.value, 'f')} {claim.unit}"
    return sig


def write_candidates(
    extraction: Extraction,
    directory: Path,
    extractor: str,
    *,
    known: Iterable[tuple[int, int, str]] = (),
    decided: Iterable[str] = (),
) -> tuple[Path, int]:
    """Write the candidates of one source to `directory/<source>.yaml`, leaving out those whose
    (start, end, proposition key) is in `known` (claims already in the claims file, where
    several claims may share one sentence) and those whose `signature` is in `decided`
    (accepted or deleted at an earlier review). Returns the path and how many it holds."""
    known, decided = set(known), set(decided)
    candidates = [
        c
        for c in extraction.candidates
        if (c.claim.start, c.claim.end, c.claim.proposition_key) not in known
        and signature(c) not in decided
    ]
    spans = {
        c.claim.id: {
            "cause": c.cause_span.as_dict(),
            "effect": c.effect_span.as_dict(),
            "signal": c.signal.as_dict(),
        }
        for c in candidates
        if c.cause_span and c.effect_span and c.signal
    }
    body = {
        "source": extraction.source,
        "extractor": extractor,
        "entities": [
            e.model_dump(mode="json", exclude_none=True)
            for _, e in sorted(extraction.entities.items())
        ],
        "claims": [_claim_dict(c.claim) for c in candidates],
        "spans": spans,
        "signatures": {c.claim.id: signature(c) for c in candidates},
        "reviewed": sorted(decided),
    }
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CurationError(f"cannot create: {exc.strerror}", path=directory) from None
    path = directory / f"{extraction.source}.yaml"
    replace_files({path: _dump(body)}, error=CurationError)
    return path, len(candidates)


def pending_review(path: Path) -> int:
    """How many candidates in the file at `path` still wait for review (0 if there is none)."""
    if not path.exists():
        return 0
    return len(read_model(path, CandidatesFile).claims)


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
    data_dir: Path,
    source: str,
    ids: list[str] | None = None,
    min_confidence: float = 0.0,
    notes: list[str] | None = None,
) -> list[str]:
    """Move candidates of `source` (all, or those in `ids`) into its claims file.

    Returns the ids the claims got in the claims file. Nothing is written when the result
    would not pass `kg check`. `notes` gets what a curator should look at: a candidate that
    quotes exactly what a curated claim quotes, with another proposition (legitimate for a
    sentence with several effects; a repeat if the curated one was corrected since).
    """
    if not re.fullmatch(SLUG, source):
        raise CurationError(f"'{source}' is not a source id")
    cand_path = data_dir / "candidates" / f"{source}.yaml"
    if not cand_path.exists():
        raise CurationError("no candidates for this source (run kg extract first)", path=cand_path)
    located = read_yaml(cand_path)
    cands = read_model(cand_path, CandidatesFile, located)
    if cands.source != source:
        raise located.error(
            f"these candidates are for '{cands.source}', not '{source}'", ("source",)
        )
    seen_ids: set[str] = set()
    for i, c in enumerate(cands.claims):
        if c.id in seen_ids:
            raise located.error(
                f"duplicate candidate id '{c.id}': give it another", ("claims", i, "id")
            )
        seen_ids.add(c.id)
    claims_path = data_dir / "claims" / f"{source}.yaml"
    if again := [i for i in ids or () if i in cands.accepted]:
        done = ", ".join(f"{i} (as {cands.accepted[i]})" for i in again)
        raise CurationError(f"already accepted: {done} in {claims_path}", path=cand_path)
    if not cands.claims:
        decided = len(cands.decided())
        raise CurationError(
            "no candidates wait for review"
            + (f" ({decided} decided at earlier reviews)" if decided else ""),
            path=cand_path,
        )
    chosen = [
        c
        for c in cands.claims
        if (ids is None or c.id in ids) and (c.confidence or 0) >= min_confidence
    ]
    if ids is not None and len(chosen) != len(set(ids)):
        missing = sorted(set(ids) - {c.id for c in chosen})
        known = {c.id for c in cands.claims}
        if low := [i for i in missing if i in known]:
            raise CurationError(
                f"below --min-confidence {min_confidence:g}: {', '.join(low)}", path=cand_path
            )
        raise CurationError(f"unknown candidate ids: {', '.join(missing)}", path=cand_path)
    entities_path = data_dir / "entities.yaml"
    entities = load_entities(entities_path)
    sources = {s.id: s for s in load_sources(data_dir / "sources")}
    if source not in sources:
        raise CurationError(f"unknown source '{source}'", path=data_dir / "sources")
    existing = None
    if claims_path.exists():
        existing = load_claims(claims_path, sources, entities)  # errors name their line
    taken = {c.id for c in existing.claims} if existing else set()
    # the same quote and proposition twice is one claim counted twice (a candidates file
    # restored from a copy, or proposed again after a review started afresh)
    held = {_same(c): f"{claims_path} as {c.id}" for c in existing.claims} if existing else {}
    index = {c.id: i for i, c in enumerate(cands.claims)}
    for claim in chosen:
        if (where := held.get(_same(claim))) is not None:
            raise located.error(
                f"candidate {claim.id} repeats a claim already in {where} (same quote and "
                "proposition): delete it from the candidates",
                ("claims", index[claim.id], "id"),
            )
        held[_same(claim)] = f"this batch as candidate {claim.id}"
    if existing is not None and notes is not None:
        spans = {(c.kind, c.start, c.end): c.id for c in existing.claims}
        for claim in chosen:
            if (twin := spans.get((claim.kind, claim.start, claim.end))) is not None:
                notes.append(
                    f"candidate {claim.id} quotes what {twin} quotes ({claim.start}-{claim.end}) "
                    f"with another proposition: if {twin} was corrected from it, delete one"
                )
    new_claims, renamed, accepted = [], [], dict(cands.accepted)
    proposed = {e.id: e for e in cands.entities}
    needed: dict[str, Entity] = {}
    for claim in chosen:
        new_id = claim.id if claim.id not in taken else _next_id(claim.id[0], taken)
        taken.add(new_id)
        renamed.append(new_id)
        accepted[claim.id] = new_id
        new_claims.append(claim.model_copy(update={"id": new_id, "curation": ClaimStatus.curated}))
        for ref in (
            claim.subject,
            getattr(claim, "object", None),
            getattr(claim, "measure", None),
            claim.speaker,
        ):
            if ref and ref not in entities and ref in proposed:
                needed[ref] = proposed[ref]
    # a curator's edit to a candidate is reported where it was made, in the candidates file
    for claim in chosen:
        check_claim(claim, index[claim.id], located, sources[source], {**entities, **needed})
    entities_text = _read_text(entities_path)
    if needed:
        entities_text = _same_endings(
            entities_text,
            entities_text.rstrip("\r\n")
            + "\n\n"
            + "\n".join(
                _dump([e.model_dump(mode="json", exclude_none=True)]) for e in needed.values()
            ),
        )
    items = [_claim_dict(c) for c in new_claims]
    if existing is None:
        claims_text = _dump({"source": source, "claims": items})
    else:
        old_text = _read_text(claims_path)
        claims_text = _same_endings(old_text, _append_claims(old_text, items))
        try:
            appended = yaml.safe_load(claims_text)["claims"]
        except yaml.YAMLError:
            appended = None
        if len(appended or ()) != len(existing.claims) + len(items):
            raise CurationError("cannot append to its claims: add them by hand", path=claims_path)
    _check(data_dir, source, entities_text, claims_text, claims_path)
    try:
        claims_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CurationError(f"cannot create: {exc.strerror}", path=claims_path.parent) from None
    contents = {entities_path: entities_text, claims_path: claims_text}
    left = [c for c in cands.claims if c not in chosen]
    kept = cands.model_copy(  # accepted ones stay listed, so accepting again is caught
        update={
            "claims": left,
            "spans": {k: v for k, v in cands.spans.items() if k in {c.id for c in left}},
            "accepted": accepted,
        }
    )
    contents[cand_path] = _dump(kept.model_dump(mode="json", exclude_none=True))
    replace_files(contents, error=CurationError)  # all three files, or none
    return renamed


def _same(claim: Claim) -> tuple[str, int, int, str]:
    return claim.kind, claim.start, claim.end, claim.proposition_key


def _read_text(path: Path) -> str:
    """The file's text with its own line endings (CRLF stays CRLF when it is written back)."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CurationError(f"cannot read: {exc}", path=path) from None


def _same_endings(old: str, new: str) -> str:
    """`new` with the line endings of `old`: a CRLF file written back in CRLF."""
    if "\r\n" not in old:
        return new
    return new.replace("\r\n", "\n").replace("\n", "\r\n")


def _append_claims(text: str, items: list[dict[str, Any]]) -> str:
    """`text` (a valid claims file) with `items` added at the end of its ``claims`` list,
    in the list's own indentation, leaving every other line (and comment) as it was."""
    if not items:
        return text
    root = yaml.compose(text)
    assert isinstance(root, yaml.MappingNode)  # load_claims read it as a mapping
    key, node = next((k, v) for k, v in root.value if k.value == "claims")
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        first = node.value[0].start_mark.index  # the item's content, after its "- "
        line_start = text.rfind("\n", 0, first) + 1
        column = text.rfind("-", line_start, first) - line_start
        start = node.end_mark.index
        # comments and blank lines after the list belong to what follows it: insert above them
        while start > 0 and text[:start].endswith("\n"):
            above = text.rfind("\n", 0, start - 1) + 1
            line = text[above:start]
            if line.strip() and not (line.lstrip().startswith("#") and _indent(line) <= column):
                break
            start = above
        head, tail = text[:start], text[start:]
        if not head.endswith("\n"):  # the list ends the file, without a newline
            head += "\n"
    else:  # `claims: []`: the list replaces the empty value
        column = key.start_mark.column + 2
        head, tail = text[: node.start_mark.index], text[node.end_mark.index :]
        # the rest of that line, a comment perhaps, stays on it
        line_end = tail.find("\n") if "\n" in tail else len(tail)
        rest, tail = tail[:line_end].strip(), tail[line_end + 1 :]
        head = head.rstrip(" ") + (f" {rest}" if rest else "") + "\n"
    block = "".join(
        " " * column + line if line.strip() else line for line in _dump(items).splitlines(True)
    )
    return head + block + tail


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _check(
    data_dir: Path, source: str, entities_text: str, claims_text: str, claims_path: Path
) -> None:
    """Run the checks of `kg check` on the texts about to be written, at their real paths."""
    entities = load_entities(data_dir / "entities.yaml", entities_text)
    sources = {s.id: s for s in load_sources(data_dir / "sources")}
    load_claims(claims_path, sources, entities, claims_text)
