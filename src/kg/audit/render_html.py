"""The audit as one self-contained HTML page: no script, no request leaves the page.

Every claim of a finding links to its quote in context (the quote marked inside the text around
it, further down the page) and, when a graph view is given, to the claim in that view
(`<graph view>#claim=<claim id>`; entities as `#entity=<id>`). Article text is untrusted: every
string from the graph is escaped.
"""

from __future__ import annotations

import re
import urllib.parse
from html import escape

from kg.audit.models import AuditReport, Check, ClaimRef, Finding, Severity
from kg.store import Store

__all__ = ["CONTEXT_CHARS", "render_html", "source_texts"]

CONTEXT_CHARS = 240

TEXTS = """
SELECT ?id ?text WHERE { ?src a kg:Source ; dcterms:identifier ?id ; kg:normalisedText ?text }
"""

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{margin-top:2.5rem;border-bottom:1px solid #ccc}h3{font-size:1rem;margin:0}
table{border-collapse:collapse}td,th{padding:.2rem .8rem;text-align:right}
td:first-child,th:first-child{text-align:left}
.finding{border-left:4px solid #999;padding:.5rem 1rem;margin:1rem 0;background:#fafafa}
.error{border-color:#c00}.warning{border-color:#d90}.info{border-color:#aaa}
.sev{font-weight:bold;text-transform:uppercase;font-size:.8rem;margin-right:.5rem}
.error .sev{color:#c00}.warning .sev{color:#b70}.info .sev{color:#777}
.meta,.who{color:#666;font-size:.85rem}.side{background:#e8eefc;padding:0 .3rem;border-radius:3px}
ul{margin:.4rem 0}li{margin:.2rem 0}mark{background:#fe8}
summary{cursor:pointer;color:#555;margin:1rem 0}
.context{white-space:pre-wrap;border-left:2px solid #ddd;padding-left:1rem;margin:.3rem 0 1rem}
"""


def source_texts(store: Store) -> dict[str, str]:
    """Source id -> normalised text, for showing quotes in context."""
    rows = store.select(TEXTS)
    return {r["id"].value: r["text"].value for r in rows if r["id"] and r["text"]}


def _anchor(claim_id: str) -> str:
    return "q-" + re.sub(r"[^A-Za-z0-9_-]", "-", claim_id)


def _graph_link(graph_view: str | None, key: str, ident: str) -> str:
    if not graph_view:
        return ""
    # a file's path: its "#", "?", "%" and spaces are part of the name, not of a URL
    url = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", graph_view)
    view = graph_view if url else urllib.parse.quote(graph_view)
    href = f"{view}#{key}={urllib.parse.quote(ident, safe='')}"
    return f' <a class="meta" href="{escape(href)}">graph</a>'


def _claim(ref: ClaimRef, graph_view: str | None) -> str:
    label = " · ".join(x for x in (ref.side, ref.detail) if x)
    side = f'<span class="side">{escape(label)}</span> ' if label else ""
    who = ref.modality + (f", {ref.speaker}" if ref.speaker else "")
    return (
        f'<li>{side}<a href="#{_anchor(ref.id)}">{escape(ref.id)}</a> “{escape(ref.quote)}” '
        f'<span class="who">({escape(who)})</span>{_graph_link(graph_view, "claim", ref.id)}</li>'
    )


def _finding(f: Finding, graph_view: str | None) -> str:
    parts = [
        f'<article class="finding {f.severity.value}" id="{escape(f.id)}">',
        f'<h3><span class="sev">{f.severity.value}</span>{escape(f.message)}</h3>',
        f'<p class="meta"><code>{escape(f.id)}</code> · {escape(f.kind)}</p>',
    ]
    if f.entities:
        links = ", ".join(f"{escape(e)}{_graph_link(graph_view, 'entity', e)}" for e in f.entities)
        parts.append(f'<p class="meta">entities: {links}</p>')
    if f.claims:
        parts.append("<ul>" + "".join(_claim(r, graph_view) for r in f.claims) + "</ul>")
    if f.notes:
        parts.append('<ul class="meta">' + "".join(f"<li>{escape(n)}</li>" for n in f.notes))
        parts.append("</ul>")
    parts.append("</article>")
    return "\n".join(parts)


def _in_context(ref: ClaimRef, text: str | None, cited_by: list[str]) -> str:
    start, end = ref.start, ref.end
    if text is None:
        body = f"<mark>{escape(ref.quote)}</mark> (the source text is not in the graph)"
    else:
        if start is None or end is None or text[start:end] != ref.quote:
            found = text.find(ref.quote) if ref.quote else -1
            start, end = (found, found + len(ref.quote)) if found >= 0 else (None, None)
        if start is None or end is None:
            body = f"<mark>{escape(ref.quote)}</mark> (not found in the source text)"
        else:
            lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
            body = (
                ("…" if lo else "")
                + escape(text[lo:start])
                + f"<mark>{escape(text[start:end])}</mark>"
                + escape(text[end:hi])
                + ("…" if hi < len(text) else "")
            )
    back = ", ".join(f'<a href="#{escape(i)}">{escape(i)}</a>' for i in cited_by)
    return (
        f'<div id="{_anchor(ref.id)}"><p><b>{escape(ref.id)}</b> '
        f'<span class="meta">{escape(ref.source)}, offsets {ref.start}–{ref.end} · '
        f"in {back}</span></p>"
        f'<p class="context">{body}</p></div>'
    )


def render_html(
    report: AuditReport,
    texts: dict[str, str],
    *,
    graph_view: str | None = None,
    summary: bool = False,
) -> str:
    """The report as a standalone page; `texts` (source id -> text) gives quotes context;
    `summary` keeps the counts and the profile only."""
    lead = [f"Figures agree within {report.tolerance:.0%}."] if report.uses_tolerance() else []
    if not summary:
        lead.append("Each claim links to its quote in context below.")
    out = [
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
        f"<title>kg audit of {escape(report.store)}</title><style>{CSS}</style></head><body>",
        f"<h1>Audit of <code>{escape(report.store)}</code></h1>",
        *([f"<p>{' '.join(lead)}</p>"] if lead else []),
        "<table><tr><th>check</th><th>error</th><th>warning</th><th>info</th></tr>",
    ]
    for check, row in report.counts().items():
        cells = "".join(f"<td>{row[s]}</td>" for s in reversed(Severity))
        name = check.value if summary else f'<a href="#check-{check.value}">{check.value}</a>'
        out.append(f"<tr><td>{name}</td>{cells}</tr>")
    out.append("</table>")
    if report.profiles:
        out.append('<h2 id="sources">Sources</h2><table><tr><th>source</th><th>claims</th>')
        out.append(
            "<th>hedged</th><th>unnamed</th><th>uncorroborated</th><th>contradicted</th></tr>"
        )
        for p in report.profiles:
            fields = ("hedged", "unnamed", "uncorroborated", "contradicted")
            cells = "".join(f"<td>{p.share(f):.0%}</td>" for f in fields)
            out.append(
                f'<tr><td title="{escape(p.title)}">{escape(p.source)}</td>'
                f"<td>{p.claims}</td>{cells}</tr>"
            )
        out.append("</table>")
    if summary:
        out.append("</body></html>\n")
        return "\n".join(out)
    cited: dict[str, tuple[ClaimRef, list[str]]] = {}
    for check in report.checks:
        group = report.of_check(check)
        if check is Check.profile:
            continue
        out.append(f'<h2 id="check-{check.value}">{check.value} ({len(group)})</h2>')
        info = sum(f.severity is Severity.info for f in group)
        for i, f in enumerate(group):
            if i == len(group) - info:  # info findings fold away; a click opens them
                out.append(f"<details><summary>{info} info findings</summary>")
            out.append(_finding(f, graph_view))
            for ref in f.claims:
                cited.setdefault(ref.id, (ref, []))[1].append(f.id)
        if info:
            out.append("</details>")
    out.append('<h2 id="quotes">Quotes in context</h2>')
    for claim_id in sorted(cited):
        ref, finding_ids = cited[claim_id]
        out.append(_in_context(ref, texts.get(ref.source), list(dict.fromkeys(finding_ids))))
    out.append("</body></html>\n")
    return "\n".join(out)
