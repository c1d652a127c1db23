"""What an audit reports: findings with a stable id, a severity and the claims involved.

A finding's id derives from its content (the check, the kind of problem and the keys it is
about, usually claim ids), never from run order, so the same graph gives the same ids and a
reviewer can track a finding across runs.

>>> finding_id(Check.anchoring, "mismatch", "s1/c001")
'anchoring-262a5eb2e9e0'
>>> Severity.warning.rank > Severity.info.rank
True
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = [
    "DEFAULT_CHECKS",
    "AuditReport",
    "Check",
    "ClaimRef",
    "Finding",
    "Severity",
    "SourceProfile",
    "finding_id",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Severity(StrEnum):
    """How much a finding matters: `error` breaks provenance (a quote not in its source),
    `warning` needs a reader's judgement (a contradiction, an anonymous speaker), `info` is
    worth knowing (a single-source proposition, an entity without a Wikidata id)."""

    info = "info"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        return ("info", "warning", "error").index(self.value)


class Check(StrEnum):
    """The checks, in the order the report shows them."""

    anchoring = "anchoring"
    corroboration = "corroboration"
    contradictions = "contradictions"
    attribution = "attribution"
    time = "time"
    entities = "entities"
    mentions = "mentions"
    reference = "reference"
    profile = "profile"


# `mentions` runs a language model over every quote: opt-in, the rest is SPARQL and fast.
DEFAULT_CHECKS = tuple(c for c in Check if c is not Check.mentions)


def finding_id(check: Check, kind: str, *keys: str) -> str:
    """A short id from the finding's content: same check, kind and keys, same id."""
    digest = hashlib.sha256("\x1f".join((check.value, kind, *keys)).encode()).hexdigest()
    return f"{check.value}-{digest[:12]}"


class ClaimRef(Strict):
    """A claim as a finding shows it: where it comes from, its words, and its part in the
    finding (`side`: which side of a contradiction; `detail`: e.g. the number it gives)."""

    id: str
    source: str
    kind: str
    quote: str
    start: int | None
    end: int | None
    modality: str
    attribution: str
    speaker: str | None = None
    side: str | None = None
    detail: str | None = None


class Finding(Strict):
    id: str
    check: Check
    kind: str
    severity: Severity
    message: str
    claims: list[ClaimRef] = []
    sources: list[str] = []
    entities: list[str] = []
    notes: list[str] = []


class SourceProfile(Strict):
    """How one source's claims stand: counts, so shares can be shown side by side."""

    source: str
    title: str
    claims: int
    hedged: int
    unnamed: int  # anonymous or vague speaker
    uncorroborated: int
    contradicted: int

    def share(self, field: str) -> float:
        count = getattr(self, field)
        return count / self.claims if self.claims else 0.0


class AuditReport(Strict):
    store: str
    checks: list[Check]
    tolerance: float
    findings: list[Finding]
    profiles: list[SourceProfile] = []

    def counts(self) -> dict[Check, dict[Severity, int]]:
        """Findings per check and severity, every selected check that reports findings present
        (the profile is a table, not findings)."""
        table: dict[Check, dict[Severity, int]] = {
            c: dict.fromkeys(Severity, 0) for c in self.checks if c is not Check.profile
        }
        for f in self.findings:
            table.setdefault(f.check, dict.fromkeys(Severity, 0))[f.severity] += 1
        return table

    def uses_tolerance(self) -> bool:
        """Whether a selected check compares figures (so the tolerance means something)."""
        return bool({Check.contradictions, Check.reference} & set(self.checks))

    def summary(self) -> dict[str, object]:
        """What `kg audit --summary --format json` prints: the counts and the profile."""
        return {
            "store": self.store,
            "checks": [c.value for c in self.checks],
            "tolerance": self.tolerance,
            "counts": {
                check.value: {s.value: row[s] for s in reversed(Severity)}
                for check, row in self.counts().items()
            },
            "profiles": [p.model_dump(mode="json") for p in self.profiles],
        }

    def of_check(self, check: Check) -> list[Finding]:
        """One check's findings, errors first, then warnings, then info (otherwise in order)."""
        found = [f for f in self.findings if f.check is check]
        return sorted(found, key=lambda f: -f.severity.rank)

    def at_or_above(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= severity.rank]

    def exit_code(self, fail_on: Severity) -> int:
        """0 when no finding reaches `fail_on`, 1 otherwise (2 is for errors, raised)."""
        return 1 if self.at_or_above(fail_on) else 0
