"""Anchoring: every quote sits at its offsets in its source's text, and the text is the bytes'.

The quote check is one SPARQL query (`SUBSTR` of the source's `kg:normalisedText` at the
position selector's offsets must equal the quote selector's `oa:exact`), so it runs on any
store. The byte check is the one part of the audit that reads files: where
`<data>/sources/<id>.txt` exists, its SHA-256 and size must match what the graph records, and
normalising its bytes must give the graph's text. Sources whose bytes are not at hand are
listed as not checked, not passed.
"""

from __future__ import annotations

from pathlib import Path

from kg.audit.context import AuditContext, ClaimInfo, value
from kg.audit.models import Check, Finding, Severity, finding_id
from kg.errors import SourceError
from kg.normalise import normalise_bytes
from kg.sources import sha256

__all__ = ["check_anchoring"]

QUOTES = """
SELECT ?claim ?found ?length WHERE {
  ?claim oa:hasTarget ?t ; prov:wasDerivedFrom ?src .
  ?t oa:hasSelector ?qs, ?ps .
  ?qs oa:exact ?exact .
  ?ps oa:start ?start ; oa:end ?end .
  ?src kg:normalisedText ?text .
  FILTER(SUBSTR(?text, ?start + 1, ?end - ?start) != ?exact)
  BIND(IF(CONTAINS(?text, ?exact), STRLEN(STRBEFORE(?text, ?exact)), -1) AS ?found)
  BIND(STRLEN(?exact) AS ?length)
}
"""

TEXTLESS = """
SELECT ?id WHERE {
  ?src a kg:Source ; dcterms:identifier ?id .
  FILTER NOT EXISTS { ?src kg:normalisedText ?text }
}
"""

HASHES = """
SELECT ?id ?sha ?size ?text WHERE {
  ?src a kg:Source ; dcterms:identifier ?id .
  OPTIONAL { ?src kg:sha256 ?sha }
  OPTIONAL { ?src kg:byteSize ?size }
  OPTIONAL { ?src kg:normalisedText ?text }
}
"""


def _quote_finding(claim: ClaimInfo, problem: str, message: str) -> Finding:
    return Finding(
        id=finding_id(Check.anchoring, problem, claim.id),
        check=Check.anchoring,
        kind=f"quote-{problem}",
        severity=Severity.error,
        message=f"{claim.id}: {message}",
        claims=[claim.ref()],
        sources=[claim.source],
    )


def _quote_findings(ctx: AuditContext) -> list[Finding]:
    findings = []
    for row in ctx.store.select(QUOTES):
        claim = ctx.claims.get(value(row, "claim") or "")
        if claim is None:
            continue
        found = int(value(row, "found") or -1)
        where = (
            f"; the quote occurs at {found}-{found + int(value(row, 'length') or 0)}"
            if found >= 0
            else "; the quote occurs nowhere in the text"
        )
        message = f"the quote is not at {claim.start}-{claim.end} of the source text{where}"
        findings.append(_quote_finding(claim, "mismatch", message))
    # Claims the query cannot even try: the index reads selectors with OPTIONAL.
    textless = {row["id"].value for row in ctx.store.select(TEXTLESS) if row["id"] is not None}
    for claim in ctx.claims.values():
        if not claim.quote or claim.start is None or claim.end is None:
            message = "it has no quote or no offsets"
        elif claim.source in textless:
            message = "its source has no text in the graph"
        else:
            continue
        findings.append(_quote_finding(claim, "unanchored", message))
    return sorted(findings, key=lambda f: f.claims[0].id)


def _byte_problem(path: Path, sha: str | None, size: str | None, text: str | None) -> str | None:
    """What is wrong between a source file and the graph's record of it, or None."""
    data = path.read_bytes()
    if sha is None:
        return "the graph records no SHA-256 for it"
    if sha256(data) != sha:
        return f"its bytes hash to {sha256(data)[:12]}…, the graph records {sha[:12]}…"
    if size is not None and int(size) != len(data):
        return f"it has {len(data)} bytes, the graph records {size}"
    try:
        normalised = normalise_bytes(data, path=str(path)).text
    except SourceError as exc:
        return f"its bytes cannot be read as text: {exc.message}"
    if text is not None and normalised != text:
        return "normalising its bytes does not give the text in the graph"
    return None


def _byte_findings(ctx: AuditContext) -> list[Finding]:
    folder = ctx.data_dir / "sources" if ctx.data_dir else None
    findings = []
    unchecked = []
    for row in ctx.store.select(HASHES):
        sid = value(row, "id") or ""
        path = folder / f"{sid}.txt" if folder else None
        if path is None or not path.is_file():
            unchecked.append(sid)
            continue
        problem = _byte_problem(path, value(row, "sha"), value(row, "size"), value(row, "text"))
        if problem:
            findings.append(
                Finding(
                    id=finding_id(Check.anchoring, "bytes", sid),
                    check=Check.anchoring,
                    kind="source-bytes",
                    severity=Severity.error,
                    message=f"source {sid}: {problem} ({path})",
                    sources=[sid],
                )
            )
    if unchecked:
        unchecked.sort()
        findings.append(
            Finding(
                id=finding_id(Check.anchoring, "unchecked", *unchecked),
                check=Check.anchoring,
                kind="bytes-not-checked",
                severity=Severity.info,
                message=(
                    f"{len(unchecked)} source(s) not checked against their bytes: no file in "
                    f"{folder or 'a data folder'}"
                ),
                sources=unchecked,
            )
        )
    return findings


def check_anchoring(ctx: AuditContext) -> list[Finding]:
    """Quotes that are not at their offsets (error), sources whose bytes do not match the graph
    (error), and sources whose bytes are not available to check (info)."""
    return _quote_findings(ctx) + _byte_findings(ctx)
