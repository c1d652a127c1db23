"""Each check finds exactly what is planted in a small graph, and nothing else.

Every test starts from the mini fixture (one source, four claims), adds one problem (a second
source that contradicts it, a shifted offset, an entity without an id, ...) and compares the
findings of the check under test before and after: the difference must be exactly the planted
problem. Graphs are built with the real pipeline (`load_corpus` -> `corpus_quads`) into an
in-memory Oxigraph store; anchoring problems, which the curation step refuses, are planted by
editing the quads.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from kg.audit import Check, Finding, Severity, run_audit
from kg.build import ONTOLOGY, serialise
from kg.curation import load_corpus
from kg.graph import corpus_quads
from kg.namespace import OA
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]


def add_source(data: Path, sid: str, text: str, published: str | None = "2025-05-10", **meta):
    raw = text.encode("utf-8")
    pub = (
        {"value": published, "precision": "day", "established": "stated", "evidence": "test"}
        if published
        else {"value": None, "precision": "unknown", "established": "unknown", "evidence": "none"}
    )
    sidecar = {
        "id": sid,
        "title": meta.get("title", f"Source {sid}"),
        "outlet": meta.get("outlet", "Other Wire"),
        "author": meta.get("author"),
        "url": None,
        "language": "en",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "byte_size": len(raw),
        "encoding": "utf-8",
        "original_filename": f"{sid}.txt",
        "published": pub,
    }
    (data / "sources" / f"{sid}.txt").write_bytes(raw)
    (data / "sources" / f"{sid}.meta.yaml").write_text(yaml.safe_dump(sidecar), encoding="utf-8")


def add_claims(data: Path, sid: str, text: str, claims: list[dict]) -> None:
    """Claims with offsets found in `text` (the quote's first occurrence)."""
    path = data / "claims" / f"{sid}.yaml"
    doc = yaml.safe_load(path.read_text()) if path.exists() else {"source": sid, "claims": []}
    for claim in claims:
        start = text.index(claim["quote"])
        doc["claims"].append({**claim, "start": start, "end": start + len(claim["quote"])})
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def add_entities(data: Path, *entities: dict) -> None:
    path = data / "entities.yaml"
    items = yaml.safe_load(path.read_text()) + list(entities)
    path.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_claim(data: Path, sid: str, claim_id: str, **changes) -> None:
    path = data / "claims" / f"{sid}.yaml"
    doc = yaml.safe_load(path.read_text())
    for claim in doc["claims"]:
        if claim["id"] == claim_id:
            claim.update(changes)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def graph(data: Path, edit=None) -> Store:
    """The corpus in `data` as an in-memory store; `edit` may rewrite the quads first."""
    quads = list(corpus_quads(load_corpus(data), ONTOLOGY))
    if edit:
        quads = [out for q in quads for out in edit(q)]
    store = open_store(":memory:")
    store.load_nquads(serialise(quads, ox.RdfFormat.N_QUADS))
    return store


def audit(data: Path, check: Check, edit=None, **options) -> list[Finding]:
    options.setdefault("data_dir", data)
    return run_audit(graph(data, edit), checks=[check], **options).findings


def planted(before: list[Finding], after: list[Finding]) -> list[tuple]:
    """What the plant added (and removed, prefixed "-"): (kind, severity, claim ids)."""
    key = {f.id: (f.kind, f.severity.value, tuple(c.id for c in f.claims)) for f in after}
    old = {f.id: (f.kind, f.severity.value, tuple(c.id for c in f.claims)) for f in before}
    added = [key[i] for i in sorted(key.keys() - old.keys())]
    removed = [("-", *old[i]) for i in sorted(old.keys() - key.keys())]
    return added + removed


@pytest.fixture
def data(mini) -> Path:
    shutil.copytree(ROOT / "data" / "reference", mini / "reference")
    return mini


SECOND = "Japan sold its Treasuries last month. Japan held $1.3 trillion in 2024. Yields rose."


# --- anchoring ---


def test_shifted_offset_is_an_error_that_says_where_the_quote_is(data):
    before = audit(data, Check.anchoring)
    position = ox.NamedNode(str(OA.start))

    def shift(q: ox.Quad):
        if q.predicate == position and q.subject.value.endswith("mini-001/c002/position"):
            yield ox.Quad(q.subject, q.predicate, ox.Literal("115", datatype=q.object.datatype))
        else:
            yield q

    after = audit(data, Check.anchoring, shift)
    assert before == []
    assert planted(before, after) == [("quote-mismatch", "error", ("mini-001/c002",))]
    assert "occurs at 114-151" in after[0].message


def test_quote_without_selector_is_an_error(data):
    exact = ox.NamedNode(str(OA.exact))

    def drop(q: ox.Quad):
        if not (q.predicate == exact and "mini-001/e001/" in q.subject.value):
            yield q

    after = audit(data, Check.anchoring, drop)
    assert planted([], after) == [("quote-unanchored", "error", ("mini-001/e001",))]


def test_source_bytes_changed_after_the_build_is_an_error(data):
    store = graph(data)
    clean = run_audit(store, checks=[Check.anchoring], data_dir=data).findings
    path = data / "sources" / "mini-001.txt"
    path.write_bytes(path.read_bytes().replace(b"2024", b"2023"))
    after = run_audit(store, checks=[Check.anchoring], data_dir=data).findings
    assert planted(clean, after) == [("source-bytes", "error", ())]
    assert "hash to" in after[0].message and after[0].sources == ["mini-001"]


def test_sources_without_bytes_are_reported_as_not_checked(data, tmp_path):
    after = audit(data, Check.anchoring, data_dir=tmp_path)
    assert [(f.kind, f.severity, f.sources) for f in after] == [
        ("bytes-not-checked", Severity.info, ["mini-001"])
    ]


# --- contradictions ---


def test_event_reported_as_happened_against_one_called_improbable(data):
    before = audit(data, Check.contradictions)
    add_source(data, "mini-002", SECOND)
    add_claims(
        data,
        "mini-002",
        SECOND,
        [
            {
                "id": "e001",
                "kind": "event",
                "subject": "japan-treasury-selloff",
                "status": "occurred",
                "modality": "asserted",
                "quote": "Japan sold its Treasuries last month",
            }
        ],
    )
    after = audit(data, Check.contradictions)
    assert planted(before, after) == [
        ("event-status", "warning", ("mini-002/e001", "mini-001/e001"))
    ]
    sides = {c.id: c.side for c in after[0].claims}
    assert sides == {"mini-002/e001": "happened", "mini-001/e001": "did not happen"}
    assert after[0].claims[1].quote == "Analysts say a full sale probably won’t happen"


def test_a_source_hedging_its_own_claim_is_no_contradiction(data):
    text = "Japan sold its Treasuries. Japan may sell its Treasuries."
    add_source(data, "mini-002", text)
    event = {"kind": "event", "subject": "japan-treasury-selloff"}
    add_claims(
        data,
        "mini-002",
        text,
        [
            {**event, "id": "e001", "status": "occurred", "modality": "asserted",
             "quote": "Japan sold its Treasuries"},
            {**event, "id": "e002", "status": "possible", "modality": "speculative",
             "quote": "Japan may sell its Treasuries"},
        ],
    )  # fmt: skip
    findings = audit(data, Check.contradictions)
    (finding,) = findings  # only against mini-001's "improbable", not e002
    assert {c.id for c in finding.claims} == {"mini-002/e001", "mini-001/e001"}


def _causal(claim_id: str, modality: str, quote: str, **extra) -> dict:
    return {
        "id": claim_id,
        "kind": "causal",
        "subject": "japan-treasury-selloff",
        "relation": "increases",
        "object": "us-treasury-yields",
        "modality": modality,
        "quote": quote,
        **extra,
    }


def test_asserted_against_hypothetical_is_info_and_against_denied_a_warning(data):
    before = audit(data, Check.contradictions)
    add_source(data, "mini-002", SECOND)
    add_claims(data, "mini-002", SECOND, [_causal("c001", "asserted", "Yields rose")])
    hedged = audit(data, Check.contradictions)
    assert planted(before, hedged) == [("stance", "info", ("mini-002/c001", "mini-001/c002"))]
    edit_claim(data, "mini-001", "c002", modality="denied")
    denied = audit(data, Check.contradictions)
    assert [(f.kind, f.severity.value) for f in denied] == [("stance", "warning")]
    assert [c.side for c in denied[0].claims] == ["affirmed", "denied"]


def _holdings(value: float, period: str, quote: str) -> dict:
    return {
        "id": "q001",
        "kind": "quantity",
        "subject": "japan",
        "measure": "treasury-holdings",
        "value": value,
        "unit": "USD",
        "qualifier": "exactly",
        "period": {"value": period, "precision": "year", "as_written": f"in {period}"},
        "modality": "asserted",
        "quote": quote,
    }


@pytest.mark.parametrize(
    ("value", "period", "expected"),
    [
        (1.3e12, "2024", [("quantity", "warning", ("mini-001/q001", "mini-002/q001"))]),
        (1.105e12, "2024", []),  # 0.5% apart: within the 1% tolerance
        (1.3e12, "2023", []),  # another year: not comparable
    ],
)
def test_incompatible_figures_for_the_same_measure_and_period(data, value, period, expected):
    text = f"Japan held ${value / 1e12:g} trillion in {period}."
    add_source(data, "mini-002", text)
    add_claims(data, "mini-002", text, [_holdings(value, period, text.rstrip("."))])
    after = audit(data, Check.contradictions)
    assert planted([], after) == expected
    if expected:
        assert after[0].message.endswith(
            "$1.1T (2024) from mini-001 vs $1.3T (2024) from mini-002; 18.2% apart, "
            "beyond the 1% tolerance"
        )


def test_share_of_holdings_is_compared_in_dollars_and_spans_per_month(data):
    add_entities(
        data,
        {"id": "treasury-net-sales", "type": "Indicator", "label": "Net sales",
         "description": "Sold, net.", "aliases": ["sold"]},
    )  # fmt: skip
    text = "Japan sold its entire position. Japan sold $20 billion in a single month."
    add_source(data, "mini-002", text, published="2024-06-30")
    sale = {"kind": "quantity", "subject": "japan", "measure": "treasury-net-sales"}
    add_claims(
        data,
        "mini-002",
        text,
        [
            {**sale, "id": "q001", "value": 100, "unit": "percent", "modality": "asserted",
             "quote": "Japan sold its entire position"},
            {**sale, "id": "q002", "value": 2e10, "unit": "USD", "modality": "asserted",
             "quote": "Japan sold $20 billion in a single month"},
        ],
    )  # fmt: skip
    text3 = "Japan sold $60 billion in three months."
    add_source(data, "mini-003", text3, published="2024-06-30")
    add_claims(
        data,
        "mini-003",
        text3,
        [{**sale, "id": "q001", "value": 6e10, "unit": "USD", "modality": "asserted",
          "quote": "Japan sold $60 billion in three months"}],
    )  # fmt: skip
    (finding,) = audit(data, Check.contradictions)
    readings = {c.id: (c.side, c.detail) for c in finding.claims}
    assert readings == {
        "mini-002/q001": ("in conflict", "100% of holdings (≈ $1.1T)"),
        "mini-002/q002": ("consistent", "$20bn in 1 month"),
        "mini-003/q001": ("in conflict", "$60bn in 3 months"),
    }  # q001 and q002 share a source, so they are not set against each other
    assert finding.notes == [
        "mini-002/q001 100% of holdings (≈ $1.1T) vs mini-003/q001 $60bn in 3 months: "
        "18× apart (as stated)",
        "agree: mini-002/q002 $20bn in 1 month with mini-003/q001 $60bn in 3 months (per month)",
    ]


# --- corroboration ---


def test_copied_passage_makes_two_sources_count_once(data):
    copied = "The new U.S. tariffs pushed Japan to sell Treasuries, officials said."
    add_source(data, "mini-002", copied)
    claim = {
        "id": "c001",
        "kind": "causal",
        "subject": "us-tariffs",
        "relation": "motivates",
        "object": "japan-treasury-selloff",
        "modality": "reported",
        "attribution": "anonymous",
        "speaker_as_written": "officials",
        "quote": copied.rstrip("."),
    }
    add_claims(data, "mini-002", copied, [claim])
    findings = audit(data, Check.corroboration)
    copying = [f for f in findings if f.kind == "copying"]
    assert [(f.severity, f.sources) for f in copying] == [
        (Severity.warning, ["mini-001", "mini-002"])
    ]
    single = {f.message for f in findings if f.kind == "single-source"}
    assert (
        "only mini-001, mini-002 (copies of one another) states: "
        "U.S. tariffs motivates Japan's sale of U.S. Treasuries"
    ) in single


def test_independent_source_corroborates(data):
    before = audit(data, Check.corroboration)
    text = "Tariffs drove Japan to sell its bonds."
    add_source(data, "mini-002", text)
    claim = {
        "id": "c001",
        "kind": "causal",
        "subject": "us-tariffs",
        "relation": "motivates",
        "object": "japan-treasury-selloff",
        "modality": "asserted",
        "quote": "Tariffs drove Japan to sell its bonds",
    }
    add_claims(data, "mini-002", text, [claim])
    after = audit(data, Check.corroboration)
    assert planted(before, after) == [("-", "single-source", "info", ("mini-001/c001",))]


# --- attribution ---


def test_anonymous_vague_and_outlet_only(data):
    findings = audit(data, Check.attribution)
    assert [(f.kind, f.severity.value, [c.id for c in f.claims]) for f in findings] == [
        ("anonymous", "warning", ["mini-001/c001"]),
        ("vague", "info", ["mini-001/e001"]),
        ("outlet-only", "info", ["mini-001/c002", "mini-001/q001"]),
    ]
    meta = data / "sources" / "mini-001.meta.yaml"
    meta.write_text(meta.read_text().replace("outlet: Test Wire", "outlet: null"))
    nobody = audit(data, Check.attribution)[-1]
    assert (nobody.severity, nobody.message) == (
        Severity.warning,
        "mini-001: 2 of 4 claims have no speaker beyond the outlet (no named outlet or author)",
    )


# --- time ---


def test_undated_source_and_unresolved_time(data):
    before = audit(data, Check.time)
    text = "Yields rose overnight."
    add_source(data, "mini-002", text, published=None)
    claim = _causal("c001", "asserted", "Yields rose overnight")
    claim["event_time"] = {"value": None, "precision": "unknown", "as_written": "overnight"}
    add_claims(data, "mini-002", text, [claim])
    after = audit(data, Check.time)
    assert planted(before, after) == [
        ("unresolved-time", "info", ("mini-002/c001",)),
        ("undated-source", "warning", ()),
    ]
    assert "the source has no publication date" in after[-1].message


def test_event_dated_after_publication(data):
    before = audit(data, Check.time)
    edit_claim(data, "mini-001", "q001", period={"value": "2026", "precision": "year"})
    after = audit(data, Check.time)
    assert planted(before, after) == [("after-publication", "warning", ("mini-001/q001",))]
    edit_claim(data, "mini-001", "q001", modality="predicted")
    assert audit(data, Check.time) == before


# --- entities ---


def test_entities_without_wikidata_duplicates_unused_and_absent(data):
    before = audit(data, Check.entities)
    add_entities(
        data,
        {"id": "kato", "type": "Person", "label": "Katsunobu Kato", "description": "A minister."},
        {"id": "nippon", "type": "Country", "label": "Nippon", "description": "Japan again.",
         "aliases": ["Japan"], "wikidata": "Q17"},
        {"id": "ussr", "type": "Country", "label": "Soviet Union", "description": "Not in text.",
         "wikidata": "Q15180"},
    )  # fmt: skip
    edit_claim(data, "mini-001", "c001", subject="ussr")
    after = {(f.kind, tuple(f.entities)) for f in audit(data, Check.entities)}
    assert after - {(f.kind, tuple(f.entities)) for f in before} == {
        ("no-wikidata", ("kato",)),
        ("possible-duplicate", ("japan", "nippon")),
        ("unused", ("kato",)),
        ("unused", ("nippon",)),
        ("unused", ("us-tariffs",)),
        ("not-in-text", ("ussr",)),
    }


def test_misspelt_label_is_a_possible_duplicate(data):
    add_entities(
        data,
        {"id": "takaichi", "type": "Person", "label": "Sanae Takaichi", "description": "PM."},
        {"id": "takichi", "type": "Person", "label": "Sanae Takichi", "description": "PM."},
    )
    dupes = [f for f in audit(data, Check.entities) if f.kind == "possible-duplicate"]
    assert [f.entities for f in dupes] == [["takaichi", "takichi"]]


# --- reference ---


@pytest.mark.parametrize(
    ("value", "severity", "text"),
    [
        (1.1e12, Severity.info, "within the official range"),
        (1.5e12, Severity.warning, "+28.5% off"),
    ],
)
def test_holdings_against_tic(data, value, severity, text):
    edit_claim(data, "mini-001", "q001", value=value)
    (finding,) = audit(data, Check.reference)
    assert finding.severity is severity
    assert "TIC $1.062T–$1.167T (2024-01 to 2024-12)" in finding.message
    assert text in finding.message


def test_reference_without_the_csv_says_it_did_not_run(mini):
    (finding,) = audit(mini, Check.reference)
    assert (finding.kind, finding.severity) == ("not-run", Severity.info)


# --- profile and mentions ---


def test_profile_counts_each_kind_of_claim(data):
    report = run_audit(graph(data), checks=[Check.profile], data_dir=data)
    assert report.findings == []
    (p,) = report.profiles
    assert (p.claims, p.hedged, p.unnamed, p.uncorroborated, p.contradicted) == (4, 1, 2, 4, 0)


def test_unlinked_mention_in_a_quote(data):
    before = audit(data, Check.mentions)
    edit_claim(data, "mini-001", "c001", attribution="anonymous")
    text = "Yields would rise, said Nicholas Smith of CLSA."
    add_source(data, "mini-002", text)
    add_claims(data, "mini-002", text, [_causal("c001", "hypothetical", text.rstrip("."))])
    added = planted(before, audit(data, Check.mentions))
    assert ("unlinked-mention", "info", ("mini-002/c001",)) in added
    messages = " ".join(f.message for f in audit(data, Check.mentions))
    assert "Nicholas Smith (PERSON)" in messages
