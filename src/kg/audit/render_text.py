"""The audit in the terminal: counts per check and severity, the findings, the source profile.

Errors and warnings are shown in full with their claims and quotes; info findings are counted
and listed only with `verbose`, since a real graph has hundreds (every single-source
proposition is one).
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from kg.audit.models import AuditReport, Finding, Severity

__all__ = ["render_text"]

STYLE = {Severity.error: "bold red", Severity.warning: "yellow", Severity.info: "dim"}
MARK = {Severity.error: "✖", Severity.warning: "▲", Severity.info: "·"}
CLAIMS_SHOWN = 5  # per side of a finding, unless verbose


def counts_table(report: AuditReport) -> Table:
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold")
    table.add_column("check")
    for severity in reversed(Severity):
        table.add_column(severity.value, justify="right", style=STYLE[severity])
    totals = dict.fromkeys(Severity, 0)
    for check, row in report.counts().items():
        table.add_row(check.value, *(str(row[s]) for s in reversed(Severity)))
        for s in Severity:
            totals[s] += row[s]
    table.add_row("[bold]total[/bold]", *(f"[bold]{totals[s]}[/bold]" for s in reversed(Severity)))
    return table


def profile_table(report: AuditReport) -> Table:
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold")
    table.add_column("source")
    table.add_column("claims", justify="right")
    for name in ("hedged", "unnamed", "uncorroborated", "contradicted"):
        table.add_column(name, justify="right")
    for p in report.profiles:
        shares = (f"{p.share(f):.0%}" for f in ("hedged", "unnamed", "uncorroborated"))
        table.add_row(escape(p.source), str(p.claims), *shares, f"{p.share('contradicted'):.0%}")
    return table


def _shown(f: Finding, limit: int | None) -> tuple[list, int]:
    """Up to `limit` claims of each side, so a long side does not hide the other."""
    if limit is None:
        return list(f.claims), 0
    per_side: dict[str | None, int] = {}
    shown = []
    for ref in f.claims:
        per_side[ref.side] = per_side.get(ref.side, 0) + 1
        if per_side[ref.side] <= limit:
            shown.append(ref)
    return shown, len(f.claims) - len(shown)


def _finding(f: Finding, limit: int | None) -> Group:
    lines: list[Text | Table] = [
        Text.assemble(
            (f"{MARK[f.severity]} {f.severity.value} ", STYLE[f.severity]),
            (f"{f.id}  ", "dim"),
            f.message,
        )
    ]
    claims = Table(box=None, show_header=False, padding=(0, 1, 0, 4))
    shown, hidden = _shown(f, limit)
    for ref in shown:
        who = ref.modality + (f", {ref.speaker}" if ref.speaker else "")
        label = " · ".join(x for x in (ref.side, ref.detail) if x)
        claims.add_row(
            Text(label, style="cyan"),
            Text.assemble((ref.id, "dim"), " “", ref.quote, "” ", (f"({who})", "dim")),
        )
    if hidden:
        claims.add_row("", Text(f"… and {hidden} more claims (--verbose shows all)", style="dim"))
    if f.claims:
        lines.append(claims)
    lines += [Text(f"    note: {n}", style="dim") for n in f.notes]
    return Group(*lines)


def render_text(
    report: AuditReport,
    *,
    verbose: bool = False,
    summary: bool = False,
    color: bool = False,
    width: int = 110,
) -> str:
    """The report as terminal text (ANSI colours when `color`); `summary` keeps only the
    counts and the profile; `verbose` shows info findings and every claim."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, no_color=not color)
    n = len(report.checks)
    figures = f", figures agree within {report.tolerance:.0%}" if report.uses_tolerance() else ""
    console.print(
        f"[bold]kg audit[/bold] of {escape(report.store)}: {n} check{'s' * (n != 1)}{figures}"
    )
    console.print(counts_table(report))
    if not summary:
        shown = [f for f in report.findings if verbose or f.severity is not Severity.info]
        for check in report.checks:
            group = [f for f in report.of_check(check) if f in shown]
            if group:
                console.print(f"\n[bold underline]{check.value}[/bold underline]")
                for f in group:
                    console.print(_finding(f, None if verbose else CLAIMS_SHOWN))
        hidden = len(report.findings) - len(shown)
        if hidden:
            console.print(f"\n[dim]{hidden} info findings not shown: --verbose lists them[/dim]")
    if report.profiles:
        console.print("\n[bold]sources[/bold] (share of each source's claims)")
        console.print(profile_table(report))
    serious = report.at_or_above(Severity.warning)
    if summary and serious:
        console.print(f"\n{len(serious)} findings need a look: `kg audit` shows them")
    return out.getvalue()
