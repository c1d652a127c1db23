"""The audit on the seed graph: the five articles' disagreements, with both sides and quotes.

Also the command line (exit codes, check selection, formats) and the reports: JSON that
round-trips into the strict models, Markdown and HTML that keep article text inert.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.audit import AuditReport, Check, Finding, Severity, run_audit
from kg.audit.render import Format, render
from kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
S000, S001, S002 = "000_4c22c95cf8552d28", "001_1dee60d1331b1bec", "002_1da6147a5e7dcde4"
S003, S004 = "003_20dda156d22ef2f6", "004_705212384a123df3"


@pytest.fixture(scope="module")
def report(seed_store) -> AuditReport:
    return run_audit(seed_store, data_dir=DATA)


def find(report: AuditReport, kind: str, text: str) -> Finding:
    (finding,) = [f for f in report.findings if f.kind == kind and text in f.message]
    return finding


def sides(finding: Finding) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for ref in finding.claims:
        out.setdefault(ref.side or "", set()).add(ref.id)
    return out


def test_liquidation_happened_against_not_happened_with_both_sides(report, seed_graph_dir):
    """000's "rapid and complete liquidation" against 001's "sudden sell-off remains
    improbable": the sudden dump is disputed, the gradual sale that 001 also reports is not."""
    f = find(report, "event-status", "A sudden Japanese dump of U.S. Treasuries")
    assert f.severity is Severity.warning
    assert sides(f) == {
        "happened": {f"{S000}/e023"},
        "did not happen": {f"{S001}/e003", f"{S001}/e004"},
        "only possible": {f"{S001}/e001", f"{S001}/e002"},  # "If Japan were to suddenly dump"
    }
    quotes = {r.id: r.quote for r in f.claims}
    assert quotes[f"{S000}/e023"] == (
        "executed a rapid and complete liquidation of its U.S. Treasury holdings"
    )
    assert quotes[f"{S001}/e004"] == "For now, a sudden Japanese sell-off remains improbable"
    sale = find(report, "event-status", "Japan's sale of U.S. Treasuries")
    assert sale.severity is Severity.info  # only 004's "signals potential ... sell-off" hedges
    assert "happened in 000, 001, 002, 003" in sale.message
    assert f"{S004}/e001" in sides(sale)["only possible"]


def test_selling_quietly_is_not_a_denial_of_kato_s_later_remark(report):
    """000's "without prior signals" and 003's "not ... open threats" (March 2025) are about how
    Japan sold, not about Kato's remark of May 2025 (004): no dispute between them."""
    from kg.curation import load_corpus

    claims = {f"{sid}/{c.id}": c for sid, c in load_corpus(DATA).all_claims()}
    assert {claims[f"{S000}/e007"].subject, claims[f"{S003}/e006"].subject} == {
        "japan-open-selling"
    }
    disputed = {
        c.id
        for f in report.findings
        if f.check is Check.contradictions and f.severity is Severity.warning
        for c in f.claims
    }
    assert not disputed & {f"{S000}/e007", f"{S003}/e006", f"{S004}/e002", f"{S004}/e008"}
    assert f"{S000}/e023" in disputed  # the sudden dump is


def test_holdings_figures_agree_once_a_round_figure_is_read_as_about(report):
    """001 says "park $1.1 trillion" (curated as `about`), 004 "$1.13 trillion", 002 "over $1
    trillion": a round figure hedged as such agrees with the precise one, so no conflict."""
    assert not [
        f
        for f in report.findings
        if f.kind == "quantity" and "Holdings of U.S. Treasury securities" in f.message
    ]


def test_figures_beyond_the_tolerance_conflict(tmp_path):
    """The same 1.1 vs 1.13 trillion read as exact figures is 2.7% apart: a conflict."""
    import shutil

    from conftest import DATA

    from kg.build import build
    from kg.store import open_store

    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("graph"))
    claims = data / "claims" / "001_1dee60d1331b1bec.yaml"
    text = claims.read_text(encoding="utf-8")
    anchor = "  qualifier: about\n  modality: asserted\n  attribution: outlet\n  speaker: null\n"
    assert text.count(anchor) == 1
    claims.write_text(text.replace(anchor, anchor.replace("about", "exactly")), encoding="utf-8")
    build(data, None, str(tmp_path / "store"))
    exact = run_audit(open_store(tmp_path / "store"), data_dir=data)
    f = find(exact, "quantity", "Holdings of U.S. Treasury securities")
    conflict = {r.id: r.detail for r in f.claims if r.side == "in conflict"}
    assert conflict == {f"{S001}/q004": "$1.1T", f"{S004}/q001": "$1.13T"}
    assert "$1.1T from 001 vs $1.13T from 004; 2.7% apart, beyond the 1% tolerance" in f.message
    over_a_trillion = {r.id for r in f.claims if r.side == "consistent"}
    assert f"{S002}/q005" in over_a_trillion  # "over $1 trillion" in 2024 fits both


def test_sell_off_amounts_entire_position_against_billions(report):
    f = find(report, "quantity", "Net sales of U.S. Treasury securities")
    details = {r.id: r.detail for r in f.claims if r.side == "in conflict"}
    assert details[f"{S000}/q002"] == "100% of holdings (≈ $1T–$1.13T)"  # "its entire position"
    assert details[f"{S002}/q003"] == "over $20bn in 1 month (2025)"
    assert details[f"{S003}/q003"] == "$61.9bn in 3 months"
    assert {r.quote for r in f.claims} >= {
        "unwind its entire position",
        "Japanese investors offloaded an astonishing $61.9 billion worth of Treasuries in just "
        "three months",
    }
    # The two amounts agree once spread per month: the note says so instead of a conflict.
    assert any(n.startswith(f"agree: {S002}/q003") and "(per month)" in n for n in f.notes)


def test_anonymous_attributions_in_000(report):
    anonymous = {
        f.message.split("“")[1].rstrip("”")
        for f in report.findings
        if f.kind == "anonymous" and f.sources == [S000]
    }
    assert {
        "Officials familiar with discussions inside Japan’s Ministry of Finance",
        "one economist affiliated with a Japanese policy institute",
        "several officials briefed on the matter",
        "Several aides speaking anonymously",
    } <= anonymous


def test_reference_data_flags_china_and_the_complete_liquidation(report):
    china = find(report, "holdings", f"{S004}/q002")
    assert china.severity is Severity.warning and "+27.5% off" in china.message
    japan = find(report, "holdings", f"{S004}/q001")
    assert japan.severity is Severity.info and "within the official range" in japan.message
    sold = find(report, "share-sold", f"{S000}/q002")
    assert sold.severity is Severity.warning and "largest fall" in sold.message


def test_an_undated_figure_is_read_against_the_figures_out_when_it_was_published(report):
    """Seed 003 appeared in March 2025: TIC's February figures came out in mid-April, so
    "over $1.1 trillion" meets December and January ($1.062T-$1.079T), not March's $1.131T."""
    q001 = find(report, "holdings", f"{S003}/q001")
    assert q001.severity is Severity.warning
    assert "TIC $1.062T–$1.079T (2024-12 to 2025-01): +1.9% off" in q001.message


def test_single_source_findings_are_the_saved_querys_propositions(report, seed_store):
    """`kg audit` and `kg query --saved single-source` count the same way (seeds: no copying)."""
    from kg.query import run_saved

    found = {c.id for f in report.findings if f.kind == "single-source" for c in f.claims}
    rows = list(run_saved(seed_store, "single-source").rows)
    listed = {row["claim"].value for row in rows}
    assert found and found <= listed
    findings = sum(f.kind == "single-source" for f in report.findings)
    assert findings == len({row["proposition"].value for row in rows}) > 100


def test_a_hedge_about_an_event_is_not_a_dispute_a_denial_is(report):
    status = {
        f.message.split("”")[0].split("“")[1]: f.severity
        for f in report.findings
        if f.kind == "event-status"
    }
    assert status["China's sale of U.S. Treasuries"] is Severity.info  # 004: "if China ..."
    assert status["Foreign selling of U.S. Treasuries"] is Severity.info
    assert status["Japan's sale of U.S. Treasuries"] is Severity.info  # 004: "signals"
    assert status["A sudden Japanese dump of U.S. Treasuries"] is Severity.warning  # 001


def test_seed_quotes_are_anchored_and_bytes_match(report):
    assert [f for f in report.findings if f.check is Check.anchoring] == []


def test_every_quote_in_a_finding_is_the_claims_own(report, seed_store):
    texts = {
        r["id"].value: r["t"].value
        for r in seed_store.select(
            "SELECT ?id ?t WHERE { ?s dcterms:identifier ?id ; kg:normalisedText ?t }"
        )
    }
    for f in report.findings:
        for ref in f.claims:
            assert texts[ref.source][ref.start : ref.end] == ref.quote


def test_profile_lists_every_source(report):
    assert [p.source for p in report.profiles] == [S000, S001, S002, S003, S004]
    p000 = report.profiles[0]
    assert p000.claims == 67 and p000.unnamed > p000.claims / 2


def test_ids_are_stable_unique_and_the_json_is_byte_identical(report, seed_store):
    again = run_audit(seed_store, data_dir=DATA)
    assert [f.id for f in again.findings] == [f.id for f in report.findings]
    assert len({f.id for f in report.findings}) == len(report.findings)
    assert render(again, Format.json) == render(report, Format.json)
    assert AuditReport.model_validate_json(render(report, Format.json)) == report


def test_findings_are_strict():
    with pytest.raises(ValueError):
        Finding.model_validate(
            {"id": "x", "check": "time", "kind": "k", "severity": "fatal", "message": "m"}
        )
    with pytest.raises(ValueError):
        Finding.model_validate(
            {"id": "x", "check": "time", "kind": "k", "severity": "info", "message": "m", "x": 1}
        )


# --- the command line ---


def invoke(*args: str):
    return CliRunner().invoke(cli, ["audit", *args])


def test_exit_codes_follow_fail_on(seed_store):
    store = ["--store", seed_store.location]
    assert invoke(*store, "--check", "anchoring").exit_code == 0
    assert invoke(*store, "--check", "time", "--fail-on", "error").exit_code == 0
    assert invoke(*store, "--check", "time").exit_code == 1  # undated sources are warnings
    assert invoke(*store, "--check", "nonsense").exit_code == 2
    missing = invoke("--store", "/nonexistent/store")
    assert missing.exit_code == 2 and missing.output.startswith("error: ")


def test_check_selection_runs_only_those_checks(seed_store):
    result = invoke("--store", seed_store.location, "--check", "contradictions,anchoring")
    table = result.output.split("\n\n")[0]
    assert re.findall(r"^(\w+) +\d", table, re.M) == ["anchoring", "contradictions", "total"]


def test_summary_is_short_and_shows_the_profile(seed_store):
    result = invoke("--store", seed_store.location, "--summary")
    assert result.exit_code == 1
    assert "sources (share of each source's claims)" in result.output
    assert "“" not in result.output  # no findings, no quotes
    assert len(result.output.splitlines()) < 30


@pytest.mark.parametrize("fmt", ["json", "markdown", "html"])
def test_summary_means_counts_and_profile_in_every_format(seed_store, fmt):
    full = invoke("--store", seed_store.location, "--format", fmt)
    short = invoke("--store", seed_store.location, "--format", fmt, "--summary")
    assert full.exit_code == short.exit_code == 1
    assert len(short.output) < len(full.output) / 5
    assert "executed a rapid and complete liquidation" in full.output
    assert "executed a rapid and complete liquidation" not in short.output
    assert "000_4c22c95cf8552d28" in short.output  # the profile's first source
    if fmt == "html":
        for page in (full.output, short.output):
            assert page.count("<tr>") == page.count("</tr>") > 0 and "<p></p>" not in page
    if fmt == "json":
        counts = json.loads(short.output)["counts"]
        findings = json.loads(full.output)["findings"]
        for check, row in counts.items():
            for severity, n in row.items():
                mine = [f for f in findings if (f["check"], f["severity"]) == (check, severity)]
                assert len(mine) == n


def test_the_header_speaks_of_figures_only_when_a_check_compares_them(seed_store):
    one = invoke("--store", seed_store.location, "--check", "anchoring", "--summary")
    assert "1 check\n" in one.output or "1 check " in one.output
    assert "agree within" not in one.output
    both = invoke("--store", seed_store.location, "--check", "anchoring,reference", "--summary")
    assert "2 checks, figures agree within 1%" in both.output


@pytest.mark.parametrize(("suffix", "start"), [(".json", "{"), (".md", "# Audit"), (".html", "<!")])
def test_output_format_follows_the_file_name(seed_store, tmp_path, suffix, start):
    out = tmp_path / f"audit{suffix}"
    result = invoke("--store", seed_store.location, "--output", str(out))
    assert result.exit_code == 1 and result.output == ""
    assert out.read_text(encoding="utf-8").startswith(start)


def test_html_links_claims_to_quotes_in_context_and_to_the_graph_view(seed_store, tmp_path):
    out = tmp_path / "reports" / "audit.html"
    out.parent.mkdir()
    invoke("--store", seed_store.location, "--check", "contradictions", "--output", str(out),
           "--graph-view", str(tmp_path / "visualizations" / "seed-graph.html"))  # fmt: skip
    page = out.read_text(encoding="utf-8")
    anchor = "q-000_4c22c95cf8552d28-e001"
    assert f'href="#{anchor}"' in page and f'<div id="{anchor}">' in page
    context = page.split(f'<div id="{anchor}">')[1].split("</div>")[0]
    assert "<mark>executed a rapid and complete liquidation" in context
    assert "In a move that stunned" in context  # the text before the quote
    assert 'href="../visualizations/seed-graph.html#claim=000_4c22c95cf8552d28%2Fe001"' in page


def test_a_graph_view_whose_name_has_url_characters_is_linked_as_that_file(seed_store, tmp_path):
    out = tmp_path / "audit.html"
    view = tmp_path / "views" / "a#b?c%zz é.html"
    invoke("--store", seed_store.location, "--check", "contradictions", "--output", str(out),
           "--graph-view", str(view))  # fmt: skip
    page = out.read_text(encoding="utf-8")
    href = 'href="views/a%23b%3Fc%25zz%20%C3%A9.html#claim=000_4c22c95cf8552d28%2Fe001"'
    assert href in page
    link = href.split('"')[1].split("#")[0]
    assert (tmp_path / urllib.parse.unquote(link)) == view  # the link names that very file


def test_article_text_stays_inert_in_markdown_and_html(mini, tmp_path):
    from kg.build import build

    build(mini, None, str(tmp_path / "store"), validate=False)
    store = ["--store", str(tmp_path / "store"), "--data", str(mini)]
    html = tmp_path / "a.html"
    invoke(*store, "--output", str(html))
    page = html.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    md = tmp_path / "a.md"
    invoke(*store, "--output", str(md))
    assert "<script>" not in md.read_text(encoding="utf-8")


def test_an_empty_or_half_loaded_store_is_an_error_not_a_clean_report(seed_graph_dir, tmp_path):
    """An empty store, or a server loaded partway, audited to "0 findings" with exit 0, so a
    CI gate (--fail-on error) passed on it; kg summary counted what happened to be there."""
    from kg.store import open_store

    empty = CliRunner().invoke(cli, ["audit", "--store", ":memory:"])
    assert empty.exit_code == 2
    assert "the store holds no graph from kg build" in empty.output
    lines = (seed_graph_dir / "kg.nq").read_bytes().splitlines(keepends=True)
    claim_type = b"> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kg-news/ontology#Claim>"
    dropped = [line for line in lines if claim_type in line][:3]  # three claims' types
    part = open_store(tmp_path / "part", create=True)
    part.load_nquads(b"".join(line for line in lines if line not in dropped))
    del part
    for args in (["audit"], ["summary"]):
        result = CliRunner().invoke(cli, [*args, "--store", str(tmp_path / "part")])
        assert result.exit_code == 2, result.output
        assert "holds 344 claims where its build wrote 347: it was loaded partway" in (
            result.output
        )
    # a store an older kg built has every claim and no record of its build
    older = open_store(tmp_path / "older", create=True)
    older.load_nquads(b"".join(line for line in lines if b"/graph/build>" not in line))
    del older
    result = CliRunner().invoke(cli, ["summary", "--store", str(tmp_path / "older")])
    assert result.exit_code == 2
    assert "holds claims but no record of the build that wrote them" in result.output


def test_a_graph_view_given_as_a_url_is_linked_as_that_url(seed_store, tmp_path):
    out = tmp_path / "audit.html"
    invoke("--store", seed_store.location, "--check", "contradictions", "--output", str(out),
           "--graph-view", "https://example.org/kg/view.html")  # fmt: skip
    page = out.read_text(encoding="utf-8")
    assert 'href="https://example.org/kg/view.html#claim=000_4c22c95cf8552d28%2Fe001"' in page
