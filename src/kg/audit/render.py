"""Write an audit report in the format asked for, or the one an output file's name implies.

>>> guess_format(None, "audit.md")
<Format.markdown: 'markdown'>
"""

from __future__ import annotations

import json
import os
import re
import shutil
from enum import StrEnum
from pathlib import Path

from kg.audit.models import AuditReport
from kg.audit.render_html import render_html, source_texts
from kg.audit.render_markdown import render_markdown
from kg.audit.render_text import render_text
from kg.store import Store

__all__ = ["Format", "guess_format", "relative_link", "render"]


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


SUFFIXES = {".json": Format.json, ".md": Format.markdown, ".html": Format.html}


def guess_format(fmt: str | None, output: str | Path | None) -> Format:
    """The `--format` given, else from the output file's suffix, else text."""
    if fmt:
        return Format(fmt)
    if output and str(output) != "-":
        return SUFFIXES.get(Path(output).suffix.lower(), Format.text)
    return Format.text


def relative_link(target: str | None, output: Path | None) -> str | None:
    """`target` (a path from the working directory) as a link from `output`'s folder.

    >>> relative_link("visualizations/seed-graph.html", Path("build/audit.html"))
    '../visualizations/seed-graph.html'
    """
    if not target:
        return None
    if output is None or re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", target):  # a URL stays one
        return target
    return Path(os.path.relpath(Path(target).resolve(), output.resolve().parent)).as_posix()


def render(
    report: AuditReport,
    fmt: Format,
    *,
    store: Store | None = None,
    graph_view: str | None = None,
    verbose: bool = False,
    summary: bool = False,
    color: bool = False,
) -> str:
    """The report as text (terminal), JSON (the `AuditReport` model), Markdown or HTML;
    `summary` keeps only the counts and the source profile, in every format.

    HTML shows each quote in its source's text, read from `store`.
    """
    if fmt is Format.json:
        if summary:
            return json.dumps(report.summary(), indent=2, ensure_ascii=False) + "\n"
        return report.model_dump_json(indent=2) + "\n"
    if fmt is Format.markdown:
        return render_markdown(report, summary=summary)
    if fmt is Format.html:
        texts = source_texts(store) if store is not None and not summary else {}
        return render_html(report, texts, graph_view=graph_view, summary=summary)
    width = shutil.get_terminal_size((110, 24)).columns if color else 110
    return render_text(report, verbose=verbose, summary=summary, color=color, width=width)
