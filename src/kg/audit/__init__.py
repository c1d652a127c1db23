"""`kg audit`: where each claim comes from, who said it, who else says it, who says otherwise.

Each check is a SPARQL query over the graph (plus, for some, a little Python to compare what the
query returns), so the audit runs the same on the embedded store and on a SPARQL endpoint. Two
checks read files besides the graph, both under the data folder: `anchoring` compares sources'
bytes with the graph's record of them, `reference` reads the official TIC series.

>>> from kg.store import open_store
>>> run_audit(open_store(":memory:"), checks=[Check.time])  # an empty store is no clean graph
Traceback (most recent call last):
kg.errors.StoreError: :memory:: the store holds no graph from kg build (it is empty, ...

Checks (`Check`), in report order:

- anchoring: quotes at their offsets in the source text; source bytes match the graph
- corroboration: independent sources per proposition; copying sources counted once
- contradictions: stance, event status and quantities disputed across sources, both sides kept
- attribution: anonymous and vague speakers; claims backed by the outlet alone
- time: undated sources; claims dated after their source; unresolved relative times
- entities: no Wikidata id; possible duplicates; unused; names absent from the text
- mentions (opt-in, a language model): names in quotes that no entity carries
- reference: holdings figures against the U.S. Treasury's TIC series
- profile: per source, the share of claims hedged, anonymous, uncorroborated, contradicted
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.audit.anchoring import check_anchoring
from kg.audit.attribution import check_attribution
from kg.audit.context import AuditContext
from kg.audit.contradictions import check_contradictions
from kg.audit.corroboration import check_corroboration
from kg.audit.dates import check_time
from kg.audit.entities import check_entities
from kg.audit.mentions import check_mentions
from kg.audit.models import (
    DEFAULT_CHECKS,
    AuditReport,
    Check,
    ClaimRef,
    Finding,
    Severity,
    SourceProfile,
)
from kg.audit.profile import source_profiles
from kg.audit.reference import check_reference
from kg.errors import InputError
from kg.store import Store, check_complete

__all__ = [
    "DEFAULT_CHECKS",
    "AuditReport",
    "Check",
    "ClaimRef",
    "Finding",
    "Severity",
    "SourceProfile",
    "parse_checks",
    "run_audit",
]

CHECKS: dict[Check, Callable[[AuditContext], list[Finding]]] = {
    Check.anchoring: check_anchoring,
    Check.corroboration: check_corroboration,
    Check.contradictions: check_contradictions,
    Check.attribution: check_attribution,
    Check.time: check_time,
    Check.entities: check_entities,
    Check.mentions: check_mentions,
    Check.reference: check_reference,
}


def parse_checks(spec: str | None) -> list[Check]:
    """`"contradictions,anchoring"` -> those checks in report order; None is the default set,
    `all` every check.

    >>> parse_checks("time, anchoring")
    [<Check.anchoring: 'anchoring'>, <Check.time: 'time'>]
    """
    if spec is None:
        return list(DEFAULT_CHECKS)
    names = {n.strip() for n in spec.split(",") if n.strip()}
    if not names:  # `--check ''` is a mistake, not a request for the default set
        raise InputError("--check is empty: name checks, or leave it out for the default set")
    if "all" in names:
        return list(Check)
    unknown = sorted(names - {c.value for c in Check})
    if unknown:
        choices = ", ".join(c.value for c in Check)
        raise InputError(f"unknown check {', '.join(unknown)}; choose from: {choices}, all")
    return [c for c in Check if c.value in names]


def run_audit(
    store: Store,
    *,
    checks: Iterable[Check | str] | str = DEFAULT_CHECKS,
    data_dir: Path | str | None = Path("data"),
    tolerance: float = 0.01,
    progress: bool | None = None,
) -> AuditReport:
    """Run the selected checks over the graph in `store`.

    `checks` are `Check`s or their names, or one string as `kg audit --check` takes it
    (``"time,entities"``, ``"all"``). `data_dir` holds `sources/` (bytes for the anchoring
    check) and `reference/` (the TIC series); `tolerance` is the relative difference below
    which two figures agree. Progress shows on stderr when it is a terminal (or as `progress`
    says).
    """
    from rich.console import Console
    from rich.progress import Progress

    if not 0 <= tolerance < 1:
        raise InputError(f"tolerance must be between 0 and 1, not {tolerance}")
    if isinstance(checks, str):
        selected = parse_checks(checks)
    else:
        wanted = list(checks)  # read once: a generator is used up by the first look
        if not all(isinstance(c, str) for c in wanted):  # a Check is a str too
            raise InputError(f"checks are Check values or their names, not {checks!r}")
        selected = parse_checks(",".join(wanted)) if wanted else []
    check_complete(store)  # an empty or half-loaded store would pass with few findings
    ctx = AuditContext(
        store, data_dir=None if data_dir is None else Path(data_dir), tolerance=tolerance
    )
    findings: list[Finding] = []
    profiles: list[SourceProfile] = []
    show = sys.stderr.isatty() if progress is None else progress
    with Progress(console=Console(stderr=True), transient=True, disable=not show) as bar:
        task = bar.add_task("audit", total=len(selected))
        for check in selected:
            bar.update(task, description=f"audit: {check.value}")
            if check in CHECKS:
                findings += CHECKS[check](ctx)
            else:
                profiles = source_profiles(ctx)
            bar.advance(task)
    return AuditReport(
        store=store.location,
        checks=selected,
        tolerance=tolerance,
        findings=findings,
        profiles=profiles,
    )
