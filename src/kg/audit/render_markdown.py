"""The audit as Markdown (CommonMark): for a review, an issue or a pull request.

Article text is untrusted: quotes, titles and messages are escaped, so a `<script>` in an
article shows as text wherever the Markdown is rendered.
"""

from __future__ import annotations

import re

from kg.audit.models import AuditReport, Finding, Severity

__all__ = ["md", "render_markdown"]

MARK = {Severity.error: "✖", Severity.warning: "▲", Severity.info: "·"}


def md(text: str) -> str:
    r"""Escape CommonMark punctuation and line breaks in inline text.

    >>> md("<script>alert(1)</script> *not bold*")
    '\\<script\\>alert\\(1\\)\\</script\\> \\*not bold\\*'
    """
    escaped = re.sub(r"([\\`*_{}\[\]()<>#+\-!|~&])", r"\\\1", text)
    return " ".join(escaped.split())


def _finding(f: Finding) -> list[str]:
    lines = [f"### {MARK[f.severity]} {f.severity.value}: {md(f.message)}", ""]
    lines.append(
        f"`{f.id}` · {f.kind}" + (f" · entities: {md(', '.join(f.entities))}" if f.entities else "")
    )
    lines.append("")
    for ref in f.claims:
        label = " · ".join(x for x in (ref.side, ref.detail) if x)
        who = ref.modality + (f", {ref.speaker}" if ref.speaker else "")
        lead = f"**{md(label)}** " if label else ""
        lines.append(f"- {lead}`{ref.id}` ({md(who)}): “{md(ref.quote)}”")
    if f.claims:
        lines.append("")
    for note in f.notes:
        lines.append(f"- {md(note)}")
    if f.notes:
        lines.append("")
    return lines


def render_markdown(report: AuditReport, *, verbose: bool = True, summary: bool = False) -> str:
    """The report as Markdown; every finding unless `verbose` is False (then no info), none
    with `summary` (the counts and the profile)."""
    figures = f" Figures agree within {report.tolerance:.0%}." if report.uses_tolerance() else ""
    lines = [
        f"# Audit of `{report.store}`",
        "",
        f"Checks: {', '.join(c.value for c in report.checks)}.{figures}",
        "",
        "| check | error | warning | info |",
        "| --- | ---: | ---: | ---: |",
    ]
    for check, row in report.counts().items():
        cells = " | ".join(str(row[s]) for s in reversed(Severity))
        lines.append(f"| {check.value} | {cells} |")
    if report.profiles:
        lines += [
            "",
            "## Sources",
            "",
            "Share of each source's claims that are hedged, unnamed (an anonymous or vague "
            "speaker), uncorroborated and contradicted.",
            "",
            "| source | title | claims | hedged | unnamed | uncorroborated | contradicted |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in report.profiles:
            shares = " | ".join(
                f"{p.share(f):.0%}" for f in ("hedged", "unnamed", "uncorroborated", "contradicted")
            )
            lines.append(f"| `{p.source}` | {md(p.title)} | {p.claims} | {shares} |")
    for check in [] if summary else report.checks:
        group = [f for f in report.of_check(check) if verbose or f.severity is not Severity.info]
        if group:
            lines += ["", f"## {check.value.capitalize()}", ""]
            for f in group:
                lines += _finding(f)
    return "\n".join(lines).rstrip() + "\n"
