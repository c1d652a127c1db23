"""Every saved query answers its question on the seed graph.

Expected answers are worked out independently, from the curated YAML (`load_corpus`) in plain
Python, and compared with what SPARQL returns; a few rows are spelled out as well.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA

from kg.cli import cli
from kg.curation import load_corpus
from kg.errors import QueryError
from kg.models import CausalClaim, EventClaim, EventStatus, Modality, Polarity, QuantityClaim
from kg.query import run_query, run_saved
from kg.saved import saved_queries
from kg.sparql import tokens

CAUSING = {"causes", "triggers", "motivates", "contributes_to", "enables", "increases", "decreases"}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(DATA)


def claims_of(corpus):
    return {f"{sid}/{c.id}": c for sid, c in corpus.all_claims()}


def answer(store, name, **params):
    result = run_saved(store, name, params)
    return [
        {k: (v.value if v is not None else None) for k, v in row.items()} for row in result.rows
    ]


def ids(rows, column="claim"):
    return [r[column] for r in rows]


def test_every_saved_query_is_documented_and_uses_its_parameters():
    library = saved_queries()
    assert len(library) >= 10
    for name, q in library.items():
        assert q.description and q.examples, name
        assert all(f"--saved {name}" in e for e in q.examples), name
        variables = {t.text[1:] for t in tokens(q.text) if t.kind == "var"}
        for p in q.params:
            assert p.name in variables, f"{name}: parameter {p.name} is not a variable"


@pytest.mark.parametrize(
    ("event", "least"), [("japan-treasury-selloff", 20), ("us-treasury-yields", 8)]
)
def test_causes_of_an_event_or_of_an_indicator_s_moves(seed_store, corpus, event, least):
    expected = {
        cid
        for cid, c in claims_of(corpus).items()
        if isinstance(c, CausalClaim)
        and (
            (c.object == event and c.relation.value in CAUSING)
            or (c.subject == event and c.relation.value == "responds_to")
        )
    }
    rows = answer(seed_store, "causes", event=event)
    assert sorted(ids(rows)) == sorted(expected) and len(expected) > least
    if event != "japan-treasury-selloff":
        return
    assert {
        "source": "000_4c22c95cf8552d28",
        "cause": "U.S. debt-ceiling standoff",
        "relation": "motivates",
        "modality": "reported",
        "polarity": "positive",
        "speaker": "Officials familiar with discussions inside Japan’s Ministry of Finance",
        "quote": rows[ids(rows).index("000_4c22c95cf8552d28/c015")]["quote"],
        "claim": "000_4c22c95cf8552d28/c015",
    } in rows
    assert [r["source"] for r in rows] == sorted(r["source"] for r in rows)


def test_speaker_lists_everything_one_speaker_claimed(seed_store, corpus):
    rows = answer(seed_store, "speaker", speaker="trump-administration")
    assert [(r["claim"], r["kind"], r["modality"]) for r in rows] == [
        ("000_4c22c95cf8552d28/c021", "causal", "reported"),
        ("000_4c22c95cf8552d28/c024", "causal", "reported"),
        ("000_4c22c95cf8552d28/e006", "event", "reported"),
        ("000_4c22c95cf8552d28/e013", "event", "reported"),
    ]
    for speaker in {c.speaker for _, c in corpus.all_claims() if c.speaker}:
        expected = sorted(cid for cid, c in claims_of(corpus).items() if c.speaker == speaker)
        assert ids(answer(seed_store, "speaker", speaker=speaker)) == expected, speaker


def _affirmed_edges(corpus):
    """(cause, effect) of every affirmed causal claim, `responds_to` turned around."""
    edges = set()
    for c in claims_of(corpus).values():
        if not isinstance(c, CausalClaim):
            continue
        if c.polarity is Polarity.positive and c.modality is not Modality.denied:
            s, o = c.subject, c.object
            edges.add((o, s) if c.relation.value == "responds_to" else (s, o))
    return edges


def _reach(corpus, origin, forward=True):
    edges = _affirmed_edges(corpus)
    seen, todo = {origin}, [origin]
    while todo:
        node = todo.pop()
        for a, b in edges:
            nxt = b if forward else a
            if (a if forward else b) == node and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _chain_claims(corpus, start, end):
    """Claims on links lying on some path start -> end over affirmed causal edges."""
    edges = _affirmed_edges(corpus)
    after, before = _reach(corpus, start, True), _reach(corpus, end, False)
    hops = {(a, b) for a, b in edges if a in after and b in before}
    return {
        cid
        for cid, c in claims_of(corpus).items()
        if isinstance(c, CausalClaim)
        and ((c.object, c.subject) if c.relation.value == "responds_to" else (c.subject, c.object))
        in hops
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("us-tariffs", "us-treasury-yields"),
        ("japan-treasury-selloff", "us-borrowing-costs"),
        # both ends in the seed graph's one cycle-bearing component (16 entities), and back
        ("china-treasury-selloff", "us-treasury-yields"),
        ("us-treasury-yields", "china-treasury-selloff"),
        ("china-treasury-selloff", "china-treasury-selloff"),
    ],
)
def test_chain_finds_every_link_between_two_entities(seed_store, corpus, start, end):
    rows = answer(seed_store, "chain", **{"from": start, "to": end})
    expected = _chain_claims(corpus, start, end)
    assert sorted(set(ids(rows))) == sorted(expected) and expected
    assert len(rows) == len(set(ids(rows)))
    keys = [(r["cause"], r["effect"], r["relation"], r["claim"]) for r in rows]
    assert keys == sorted(keys)


def test_chain_components_are_the_entities_that_reach_each_other(seed_store, corpus):
    """`chain` trusts kg:component and kg:leadsTo for reachability: check both against a
    plain search over the affirmed edges of the curated claims."""
    members = defaultdict(set)
    for r in seed_store.select("SELECT ?e ?k { ?e kg:component ?k }"):
        members[r["k"].value].add(r["e"].value.rsplit("/", 1)[1])
    component = {e: k for k, es in members.items() for e in es}
    big = max(members.values(), key=len)
    assert len(big) >= 10  # the seed graph has a real cycle-bearing component
    for k, es in members.items():
        assert k.endswith("/component/" + min(es))
    reach = {e: _reach(corpus, e) for e in component}
    for a in component:
        for b in component:
            same = component[a] == component[b]
            assert same == (b in reach[a] and a in reach[b]), (a, b)
    leads = {
        (r["a"].value, r["b"].value) for r in seed_store.select("SELECT ?a ?b { ?a kg:leadsTo ?b }")
    }
    expected = {
        (component[a], component[b])
        for a, b in _affirmed_edges(corpus)
        if component[a] != component[b]
    }
    assert leads == expected


def test_chain_order_numbers_each_component_in_the_chain_order(seed_store):
    rows = seed_store.select(
        "SELECT ?k ?n ?id { ?c kg:withinComponent ?k ; kg:chainOrder ?n ; kg:claimId ?id }"
    )
    numbers = defaultdict(list)
    for r in rows:
        numbers[r["k"].value].append(int(r["n"].value))
    assert numbers and all(sorted(ns) == list(range(len(ns))) for ns in numbers.values())


def test_chain_of_unconnected_entities_is_empty(seed_store):
    assert answer(seed_store, "chain", **{"from": "us-treasury-yields", "to": "us-tariffs"}) == []


def _propositions(corpus):
    grouped = defaultdict(list)
    for sid, c in corpus.all_claims():
        grouped[c.proposition_key].append((sid, c))
    return grouped


def _states(claim) -> bool:
    """Stated as fact, as docs/audit.md defines it for corroboration."""
    return (
        claim.modality in (Modality.asserted, Modality.reported)
        and getattr(claim, "polarity", Polarity.positive) is Polarity.positive
        and getattr(claim, "status", EventStatus.occurred)
        in (EventStatus.occurred, EventStatus.ongoing)
    )


def test_single_source_propositions(seed_store, corpus):
    """Propositions one source states as fact, with every claim about them (the audit's
    count: a denial by another source does not make a second source)."""
    expected = {
        f"{sid}/{c.id}"
        for members in _propositions(corpus).values()
        if len({sid for sid, c in members if _states(c)}) == 1
        for sid, c in members
    }
    assert any(not _states(claims_of(corpus)[cid]) for cid in expected)  # other sides shown
    rows = answer(seed_store, "single-source")
    assert sorted(ids(rows)) == sorted(expected)
    about_japan = {
        cid
        for cid in expected
        if claims_of(corpus)[cid].subject == "japan"
        or getattr(claims_of(corpus)[cid], "object", None) == "japan"
    }
    assert sorted(ids(answer(seed_store, "single-source", entity="japan"))) == sorted(about_japan)


def test_a_figure_only_one_source_gives_is_single_source(seed_store):
    """Three sources give three different totals for Japan's net sales: they conflict, they
    do not corroborate one another, so each figure is single-source."""
    rows = answer(seed_store, "single-source", entity="japan")
    by_claim = {r["claim"]: r["proposition"] for r in rows}
    assert by_claim["000_4c22c95cf8552d28/q001"] == (
        "Japan: Net sales of U.S. Treasury securities 100 percent"
    )
    assert "000_4c22c95cf8552d28/q002" in by_claim  # the same figure, said twice by one source
    assert by_claim["004_705212384a123df3/q001"].endswith("1,130,000,000,000 USD")
    assert "003_20dda156d22ef2f6/q003" in by_claim  # $61.9 billion
    counts = seed_store.select(
        "SELECT ?n WHERE { ?c kg:claimId '003_20dda156d22ef2f6/q003' ; kg:proposition ?p . "
        "?p kg:sourceCount ?n }"
    )
    assert counts[0]["n"].value == "1"


def test_the_same_figure_hedged_the_same_way_is_one_proposition():
    from kg.models import QuantityClaim

    def claim(value, qualifier="exactly", unit="USD"):
        return QuantityClaim(
            id="q1", quote="x", start=0, end=1, modality="asserted", subject="japan",
            measure="treasury-holdings", value=value, unit=unit, qualifier=qualifier,
        )  # fmt: skip

    assert claim("1.13e12").proposition_key == claim("1130000000000.0").proposition_key
    assert claim("1.13e12").proposition_key != claim("1.1e12").proposition_key
    assert claim("1e12").proposition_key != claim("1e12", "over").proposition_key
    assert claim("100", unit="percent").proposition_key != claim("100").proposition_key


def _rejects(c):
    status = getattr(c, "status", None)
    return (
        c.modality is Modality.denied
        or getattr(c, "polarity", Polarity.positive) is Polarity.negative
        or status in (EventStatus.not_occurred, EventStatus.improbable)
    )


def _affirms(c):
    happening = not isinstance(c, EventClaim) or c.status in (
        EventStatus.occurred,
        EventStatus.ongoing,
    )
    positive = getattr(c, "polarity", Polarity.positive) is Polarity.positive
    return c.modality in (Modality.asserted, Modality.reported) and positive and happening


def test_contradictions_show_both_sides(seed_store, corpus):
    expected = set()
    for members in _propositions(corpus).values():
        yes = {sid for sid, c in members if _affirms(c)}
        no = {sid for sid, c in members if _rejects(c)}
        if any(a != r for a in yes for r in no):  # contradicted: every claim on either side
            expected |= {("affirms", f"{sid}/{c.id}") for sid, c in members if _affirms(c)}
            expected |= {("rejects", f"{sid}/{c.id}") for sid, c in members if _rejects(c)}
    rows = answer(seed_store, "contradictions")
    assert sorted({(r["side"], r["claim"]) for r in rows}) == sorted(expected)
    assert all(r["how"] for r in rows), "hedges are not numbered, so no row lacks a side"
    assert sorted({r["proposition"] for r in rows}) == [
        "A sudden Japanese dump of U.S. Treasuries occurs"
    ]
    rejections = {(r["claim"], r["how"]) for r in rows if r["side"] == "rejects"}
    assert rejections == {
        ("001_1dee60d1331b1bec/e003", "denied"),  # and improbable: the first reason shows
        ("001_1dee60d1331b1bec/e004", "denied"),
    }
    assert answer(seed_store, "contradictions", entity="us-tariffs") == []


def test_modality_lists_the_claims_made_that_way(seed_store, corpus):
    for modality in Modality:
        expected = sorted(cid for cid, c in claims_of(corpus).items() if c.modality is modality)
        assert ids(answer(seed_store, "modality", modality=modality.value)) == expected
    denied_in_002 = answer(seed_store, "modality", modality="denied", source="002_1da6147a5e7dcde4")
    assert ids(denied_in_002) == [
        "002_1da6147a5e7dcde4/c009",
        "002_1da6147a5e7dcde4/c010",
        "002_1da6147a5e7dcde4/c029",
    ]


def test_timeline_orders_dated_claims_first(seed_store, corpus):
    timed = {
        cid: c.event_time
        for cid, c in claims_of(corpus).items()
        if not isinstance(c, QuantityClaim) and c.event_time is not None
    }
    rows = answer(seed_store, "timeline")
    assert sorted(ids(rows)) == sorted(timed)
    dates = [r["date"] for r in rows]
    dated = [d for d in dates if d]
    assert dates == dated + [""] * (len(dates) - len(dated))
    assert dated == sorted(dated) and dated[0] == "2008"
    assert rows[0]["precision"] == "year" and rows[0]["asWritten"] == "the 2008 financial crisis"
    november = next(r for r in rows if r["date"] == "2024-11")
    assert november["precision"] == "month" and november["claim"] == "003_20dda156d22ef2f6/c029"


def test_quantities_compare_a_measure_across_sources(seed_store, corpus):
    expected = sorted(
        cid
        for cid, c in claims_of(corpus).items()
        if isinstance(c, QuantityClaim) and c.measure == "treasury-holdings"
    )
    rows = answer(seed_store, "quantities", measure="treasury-holdings")
    assert sorted(ids(rows)) == expected and len(expected) == 7
    japan = answer(seed_store, "quantities", measure="treasury-holdings", subject="japan")
    assert {r["subjectLabel"] for r in japan} == {"Japan"}
    first = next(r for r in japan if r["claim"] == "001_1dee60d1331b1bec/q001")
    assert (first["unit"], first["qualifier"], first["modality"]) == ("USD", "over", "asserted")
    assert float(first["value"]) == 1.1e12
    dated = next(r for r in rows if r["claim"] == "002_1da6147a5e7dcde4/q005")
    assert (dated["period"], dated["periodAsWritten"]) == ("2024", "In 2024")
    sales = answer(seed_store, "quantities", measure="treasury-net-sales")
    words = {r["claim"]: (r["period"], r["periodAsWritten"]) for r in sales}
    assert words["003_20dda156d22ef2f6/q003"] == ("", "in just three months")  # words, no date


def test_entities_by_type_with_wikidata_ids(seed_store, corpus):
    rows = answer(seed_store, "entities", type="Country")
    expected = sorted(
        (e.label, e.wikidata or "") for e in corpus.entities.values() if e.type.value == "Country"
    )
    assert sorted((r["label"], r["wikidata"]) for r in rows) == expected
    assert {"kind": "Country", "id": "japan", "label": "Japan", "wikidata": "Q17"} in rows
    assert len(answer(seed_store, "entities")) == len(corpus.entities)


@pytest.mark.parametrize(
    ("day", "sources"),
    [
        ("2025-01-01", []),
        ("2025-04-30", ["003_20dda156d22ef2f6"]),
        ("2025-05-31", ["003_20dda156d22ef2f6", "004_705212384a123df3"]),
        ("2026-01-01", ["002_1da6147a5e7dcde4", "003_20dda156d22ef2f6", "004_705212384a123df3"]),
    ],
)
def test_as_of_keeps_sources_certainly_published_by_then(seed_store, corpus, day, sources):
    rows = answer(seed_store, "as-of", date=day)
    assert sorted({r["source"] for r in rows}) == sources
    expected = sorted(f"{sid}/{c.id}" for sid in sources for c in corpus.claims[sid])
    assert sorted(ids(rows)) == expected


def test_as_of_shows_publication_dates_at_their_precision(seed_store):
    rows = answer(seed_store, "as-of", date="2025-05-31", entity="japan")
    assert {(r["source"], r["published"], r["precision"], r["established"]) for r in rows} == {
        ("003_20dda156d22ef2f6", "2025-03", "month", "inferred"),
        ("004_705212384a123df3", "2025-05", "month", "inferred"),
    }


def test_the_documented_date_filter_finds_times_of_every_precision(seed_store, corpus):
    """docs/query.md's example: events that may fall in 2024 or later, whatever the precision
    of their time (a gYearMonth compared with an xsd:date would drop 003/c029 silently)."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "query.md").read_text(encoding="utf-8")
    section = doc.split("### Dates in your own queries", 1)[1]
    query = section.split("```sparql\n", 1)[1].split("```", 1)[0]
    rows = [{k: str(v.value) for k, v in r.items()} for r in run_query(seed_store, query).rows]
    expected = sorted(
        cid
        for cid, c in claims_of(corpus).items()
        if not isinstance(c, QuantityClaim)
        and c.event_time is not None
        and c.event_time.value is not None
        and c.event_time.value[:4] >= "2024"
    )
    assert ids(rows) == expected and "003_20dda156d22ef2f6/c029" in expected
    assert {r["time"] for r in rows} == {"2024", "2024-11", "2025"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "as-of: missing parameter 'date'"),
        ({"date": "2025-13-01"}, "as-of: parameter date='2025-13-01': no such day"),
        ({"date": "\uff12\uff10\uff12\uff15-03-31"}, "expected a date as YYYY-MM-DD"),  # ２０２５
        ({"date": "2025-01-01", "when": "x"}, "as-of: unknown parameter 'when'"),
        (
            {"date": "2025-01-01", "entity": "not an id"},
            "as-of: no entity 'not an id' in the graph (entity)",
        ),
    ],
)
def test_bad_parameters_are_one_clear_error(seed_store, params, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        run_saved(seed_store, "as-of", params)


def test_an_unknown_saved_query_names_the_library(seed_store):
    with pytest.raises(QueryError, match=r"no saved query 'nope'.*causes"):
        run_saved(seed_store, "nope")


def test_kg_queries_lists_names_descriptions_and_parameters():
    result = CliRunner().invoke(cli, ["queries"])
    assert result.exit_code == 0
    for name, q in saved_queries().items():
        assert f"\n{name}\n" in f"\n{result.output}"
        for p in q.params:
            assert f"--param {p.name}=<{p.type}>" in result.output
    assert "--param event=<entity>  (required)" in result.output


# --- pages ---


def rows_of(result):
    return [{k: (v.value if v is not None else None) for k, v in r.items()} for r in result.rows]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("timeline", {}),
        ("as-of", {"date": "2026-01-01"}),
        ("as-of", {"date": "2025-05-31"}),
        ("single-source", {}),
        ("modality", {"modality": "asserted"}),
        ("causes", {"event": "japan-treasury-selloff"}),
        ("contradictions", {}),
        ("chain", {"from": "us-tariffs", "to": "us-treasury-yields"}),
        ("chain", {"from": "china-treasury-selloff", "to": "china-treasury-selloff"}),
    ],
)
def test_pages_follow_each_other_and_add_up_to_the_whole_answer(seed_store, name, params):
    whole = rows_of(run_saved(seed_store, name, params))
    size = 7 if len(whole) > 20 else 1  # the seeds have one contradiction, in three claims
    assert len(whole) >= 3 * size, "the query must span several pages to mean anything"
    pages, offset = [], 0
    while page := rows_of(run_saved(seed_store, name, params, limit=size, offset=offset)):
        # single-source pages propositions, with every claim of each
        assert len(page) <= size or name == "single-source"
        pages += page
        offset += size
    assert pages == whole


@pytest.mark.parametrize(
    ("key", "listing"),
    [
        ("singleSourceOrder", "GRAPH kgg:propositions { ?n kg:assertingSourceCount 1 }"),
        (
            "contradictionOrder",
            "?n kg:proposition/kg:contradicted true ; kg:modality ?m ."
            " OPTIONAL { ?n kg:polarity ?pol } OPTIONAL { ?n kg:status ?st }"
            " FILTER(?m = kg:Denied || ?pol = kg:Negative"
            " || ?st IN (kg:NotOccurred, kg:Improbable)"
            " || (?m IN (kg:Asserted, kg:Reported) && COALESCE(?pol, kg:Positive) = kg:Positive"
            " && COALESCE(?st, kg:Occurred) IN (kg:Occurred, kg:Ongoing)))",
        ),
        ("timelineOrder", "?n kg:eventTimePrecision ?any"),
        ("asOfOrder", "?n prov:wasDerivedFrom/kg:notAfter ?any"),
    ],
)
def test_listing_orders_number_exactly_the_listing_from_zero(seed_store, key, listing):
    """A page is looked up by these numbers, so a gap or a stray node would lose rows."""
    prefix = "PREFIX kgg: <https://w3id.org/kg-news/id/graph/>\n"
    numbered = {
        r["n"].value: int(r["o"].value)
        for r in seed_store.select(f"{prefix}SELECT ?n ?o {{ ?n kg:{key} ?o }}")
    }
    query = f"{prefix}SELECT DISTINCT ?n {{ {listing} }}"
    listed = {r["n"].value for r in seed_store.select(query)}
    assert set(numbered) == listed and len(listed) >= 3
    assert sorted(numbered.values()) == list(range(len(listed)))


def test_a_page_of_a_whole_listing_is_looked_up_by_its_numbers():
    from kg.saved import PAGE_BY_ORDER_MAX, get_saved

    q = get_saved("single-source")
    text = q.render(limit=3, offset=6)
    assert "VALUES ?order { 6 7 8 }" in text and "LIMIT 3\n" in text and "OFFSET" not in text
    narrowed = q.render(["entity"], limit=3, offset=6)
    assert "VALUES" not in narrowed and "LIMIT 3 OFFSET 6" in narrowed
    big = q.render(limit=PAGE_BY_ORDER_MAX + 1, offset=6)
    assert "VALUES" not in big and "OFFSET 6" in big
    assert "VALUES" not in q.render()


def test_a_page_of_chains_reads_the_first_numbers_of_each_component():
    from kg.saved import PAGE_BY_ORDER_MAX, get_saved

    q = get_saved("chain")
    text = q.render(["from", "to"], limit=3, offset=6)
    assert "VALUES ?order { 0 1 2 3 4 5 6 7 8 }" in text and "LIMIT 3 OFFSET 6" in text
    big = q.render(["from", "to"], limit=5, offset=PAGE_BY_ORDER_MAX)
    assert "VALUES" not in big and f"OFFSET {PAGE_BY_ORDER_MAX}" in big
    assert "VALUES" not in q.render(["from", "to"])


def test_unless_lines_give_way_to_if_lines_when_the_parameter_is_given():
    from kg.saved import get_saved

    q = get_saved("timeline")
    plain, narrowed = q.render(limit=10), q.render(["entity"], limit=10)
    assert "?c kg:timelineOrder ?order .  # unless entity" in plain
    assert "SELECT ?c ?order WHERE" not in plain
    assert "# unless entity" not in narrowed and "SELECT ?c ?order WHERE" in narrowed


def test_conditional_lines_change_the_plan_not_the_answer(seed_store):
    """Without its parameter, a `# if` line is dropped; kept, it matches anything: same rows."""
    from kg.saved import bind_params, get_saved
    from kg.sparql import substitute

    for name in ("timeline", "single-source", "contradictions", "as-of"):
        saved = get_saved(name)
        assert "?entity" not in saved.render(limit=None)
        params = {"date": "2026-01-01"} if name == "as-of" else {}
        kept = saved.text.replace("LIMIT 100", "")  # the file as written, every row
        expected = sorted(map(str, seed_store.select(substitute(kept, bind_params(saved, params)))))
        assert sorted(map(str, run_saved(seed_store, name, params).rows)) == expected, name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# x\nSELECT * WHERE { ?s ?p ?o }", "exactly one LIMIT"),
        ("# x\nSELECT * WHERE { { SELECT ?s { ?s ?p ?o } LIMIT 1 } } LIMIT 2", "exactly one LIMIT"),
        ("# x\n# param e (entity): e\nSELECT * { ?s ?p ?e .  # if f\n} LIMIT 1", "# if f"),
        (
            "# x\n# param e (entity, required): e\nSELECT * { ?s ?p ?e .  # if e\n} LIMIT 1",
            "# if e",
        ),
        ("# x\nSELECT * {\n  # page ?o, unless e\n  ?s ?p ?o } LIMIT 1", "unless e"),
        ("# x\n# param e (entity): e\nSELECT * { ?s ?p ?o .  # unless f\n} LIMIT 1", "# unless f"),
        ("# x\nSELECT * {\n  # page ?o\n  # page ?o\n  ?s ?p ?o } LIMIT 1", "at most one"),
    ],
)
def test_a_saved_query_without_one_page_or_with_a_bad_condition_is_refused(text, message):
    from kg.saved import parse_saved

    with pytest.raises(QueryError, match=message):
        parse_saved("bad", text, "bad.rq")


def test_kg_query_shows_a_page_in_a_table_and_everything_in_a_file(seed_store, tmp_path):
    store = ["--store", seed_store.location]
    runner = CliRunner()
    table = runner.invoke(
        cli, ["query", "--saved", "timeline", "--limit", "3", "--offset", "2", *store]
    )
    assert table.exit_code == 0, table.output
    assert "3 rows" in table.stdout and "--offset 5 for the next" in table.stderr
    first = runner.invoke(cli, ["query", "--saved", "as-of", "--param", "date=2026-01-01", *store])
    assert "100 rows" in first.stdout and "--offset 100" in first.stderr
    out = tmp_path / "as-of.csv"
    args = ["query", "--saved", "as-of", "--param", "date=2026-01-01", "--output", str(out)]
    whole = runner.invoke(cli, [*args, *store])
    assert whole.exit_code == 0 and whole.stderr == ""
    assert (
        len(out.read_text().splitlines()) - 1
        == len(list(run_saved(seed_store, "as-of", {"date": "2026-01-01"}).rows))
        > 100
    )
    adhoc = runner.invoke(cli, ["query", "SELECT * { ?s ?p ?o }", "--limit", "1", *store])
    assert adhoc.exit_code == 2 and "write LIMIT" in adhoc.output
    text = tmp_path / "as-of.txt"  # a table in a file is a file: every row
    assert runner.invoke(cli, [*args[:-1], str(text), *store]).exit_code == 0
    assert f"{len(out.read_text().splitlines()) - 1} rows" in text.read_text()


def test_paging_with_the_cli_shows_every_row_once(seed_store, tmp_path):
    """single-source pages by proposition, several rows each: pages never cut one, and the
    next offset counts propositions, so walking the pages gives exactly --all's rows."""
    store = ["--store", seed_store.location]
    runner = CliRunner()
    out = tmp_path / "all.csv"
    every = runner.invoke(cli, ["query", "--saved", "single-source", "--output", str(out), *store])
    assert every.exit_code == 0
    whole = out.read_text().splitlines()[1:]
    assert len(whole) > len({line.split(",")[0] for line in whole})  # propositions repeat
    seen, offset = [], 0
    while True:
        page = runner.invoke(
            cli,
            ["query", "--saved", "single-source", "--limit", "7", "--offset", str(offset),
             "--format", "csv", *store],
        )  # fmt: skip
        assert page.exit_code == 0, page.output
        seen += page.stdout.splitlines()[1:]
        if "for the next" not in page.stderr:
            break
        assert f"--offset {offset + 7} for the next" in page.stderr
        offset += 7
    assert seen == whole
    later = ["query", "--saved", "single-source", "--offset", "7", "--format", "csv", *store]
    rest = runner.invoke(cli, later).stdout.splitlines()[1:]
    assert rest == runner.invoke(cli, [*later, "--all"]).stdout.splitlines()[1:]
    assert rest and rest == whole[len(whole) - len(rest) :] and len(rest) < len(whole)


def test_the_last_page_offers_no_next_one(seed_store):
    store = ["--store", seed_store.location]
    every = len(list(run_saved(seed_store, "entities", {}).rows))
    runner = CliRunner()
    last = runner.invoke(
        cli, ["query", "--saved", "entities", "--offset", str(every - 100), *store]
    )
    assert "100 rows" in last.stdout and last.stderr == ""
    before = runner.invoke(
        cli, ["query", "--saved", "entities", "--offset", str(every - 101), *store]
    )
    assert f"--offset {every - 1} for the next" in before.stderr
    past = runner.invoke(cli, ["query", "--saved", "entities", "--offset", str(every), *store])
    assert past.exit_code == 0 and "0 rows" in past.stdout
    assert past.stderr == f"--offset {every} is past the end of this listing\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--saved", "causes", "--param", "event=japan", "SELECT * {}"], "not both"),
        (["SELECT * {}", "--param", "event=japan"], "--param binds"),
        (["--saved", "entities", "--all", "--limit", "5"], "--all or --limit"),
        (["--saved", "entities", "--limit", "0"], "--limit"),
        (["--saved", "causes", "--param", "event=a", "--param", "event=b"], "given twice"),
    ],
)
def test_conflicting_query_options_are_refused(seed_store, args, message):
    result = CliRunner().invoke(cli, ["query", *args, "--store", seed_store.location])
    assert result.exit_code == 2 and message in result.output, result.output


# --- chains on a larger graph, with a giant component ---

# The definition `chain` had before components were materialised: two closures over every
# causal link. Slow on a large graph, plainly right; the materialised query must agree.
CHAIN_BY_CLOSURES = """
SELECT DISTINCT ?cause ?relation ?effect ?source ?modality ?quote ?claim WHERE {
  { SELECT DISTINCT ?x WHERE { ?from (kg:causes|kg:triggers|kg:motivates|kg:contributesTo
      |kg:enables|kg:prevents|kg:increases|kg:decreases|^kg:respondsTo)* ?x } }
  { SELECT DISTINCT ?y WHERE { ?y (kg:causes|kg:triggers|kg:motivates|kg:contributesTo
      |kg:enables|kg:prevents|kg:increases|kg:decreases|^kg:respondsTo)* ?to } }
  { ?c kg:subject ?x ; kg:relation ?rel ; kg:object ?y . FILTER(?rel != kg:respondsTo)
    BIND(?x AS ?s) BIND(?y AS ?o) }
  UNION { ?c kg:subject ?y ; kg:relation kg:respondsTo ; kg:object ?x .
    BIND(kg:respondsTo AS ?rel) BIND(?y AS ?s) BIND(?x AS ?o) }
  FILTER EXISTS { ?s ?rel ?o }
  ?c kg:claimId ?claim ; kg:modality/rdfs:label ?m ;
     prov:wasDerivedFrom/dcterms:identifier ?source ; oa:hasTarget/oa:hasSelector/oa:exact ?quote .
  ?s rdfs:label ?cause . ?o rdfs:label ?effect . ?rel skos:notation ?relation .
  BIND(STR(?m) AS ?modality)
} ORDER BY ?cause ?effect ?relation ?claim
"""


@pytest.fixture(scope="module")
def generated_store():
    """A synthetic graph of 3000 claims (benchmarks/generate.py): Zipf-popular entities, so
    most causal links fall in one component, as in a large real graph."""
    import importlib.util
    import io

    from kg.store import open_store

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("kg_bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = io.BytesIO()
    module.generate(3000, out)
    store = open_store(":memory:")
    store.load_nquads(out.getvalue())
    return store


def _rows(store, text, params):
    from kg.saved import bind_params, get_saved
    from kg.sparql import substitute

    bindings = bind_params(get_saved("chain"), params)
    return [tuple(v.value for v in r.values()) for r in store.select(substitute(text, bindings))]


def test_chain_agrees_with_closures_over_every_link_on_a_generated_graph(generated_store):
    sizes = {
        r["k"].value: int(r["n"].value)
        for r in generated_store.select(
            "SELECT ?k (COUNT(?e) AS ?n) { ?e kg:component ?k } GROUP BY ?k"
        )
    }
    giant = max(sizes, key=sizes.get)
    assert sizes[giant] > 50 and len(sizes) > 20
    # Entities in the giant component, before it (no link in), after it (no link out) and
    # elsewhere, on both ends of a chain.
    kinds = defaultdict(list)
    for r in generated_store.select(
        "SELECT ?e ?k (EXISTS { ?j kg:leadsTo ?k } AS ?in) (EXISTS { ?k kg:leadsTo ?j } AS ?out)"
        " { ?e kg:component ?k } ORDER BY ?e"
    ):
        kind = (r["k"].value == giant, r["in"].value, r["out"].value)
        kinds[kind].append(r["e"].value.rsplit("/", 1)[1])
    assert len(kinds) >= 4
    picks = [e for members in kinds.values() for e in members[:3]]
    nonempty = 0
    for a in picks:
        for b in picks:
            params = {"from": a, "to": b}
            expected = _rows(generated_store, CHAIN_BY_CLOSURES, params)
            got = rows_of(run_saved(generated_store, "chain", params))
            assert [tuple(r.values()) for r in got] == expected, params
            nonempty += bool(expected)
    assert nonempty >= 20


def test_chain_pages_add_up_on_a_generated_graph(generated_store):
    params = {"from": "e0000005", "to": "e0000040"}
    whole = rows_of(run_saved(generated_store, "chain", params))
    assert len(whole) > 500
    pages, offset = [], 0
    while page := rows_of(run_saved(generated_store, "chain", params, limit=100, offset=offset)):
        pages += page
        offset += 100
    assert pages == whole


def test_listings_say_when_a_claim_denies_or_only_threatens(seed_store):
    """Without polarity and status a row read the opposite of its source: "Trump prevents the
    sale" for "has very little power to stop it", "the sale occurs" for a threat."""

    def row(name, params, claim):
        found = [r for r in rows_of(run_saved(seed_store, name, params)) if r["claim"] == claim]
        return found[0]

    negative = row("modality", {"modality": "asserted"}, "003_20dda156d22ef2f6/c062")
    assert negative["polarity"] == "negative"
    threat = row("speaker", {"speaker": "katsunobu-kato"}, "004_705212384a123df3/e003")
    assert threat["status"] == "threatened" and threat["polarity"] == ""
    not_yet = row("as-of", {"date": "2025-06-30"}, "003_20dda156d22ef2f6/e006")
    assert not_yet["status"] == "not occurred"
    denied = rows_of(run_saved(seed_store, "modality", {"modality": "denied"}))
    assert {"status", "polarity"} <= set(denied[0])
    officials = row("speaker", {"speaker": "united-states"}, "000_4c22c95cf8552d28/c022")
    assert officials["attribution"] == "anonymous"  # "U.S. officials", linked to the country


def test_an_entity_may_be_given_by_label_or_alias_in_any_case(seed_store):
    """Seed 002 misspells Takaichi "Takichi": an analyst types what the article says."""
    result = CliRunner().invoke(
        cli,
        [
            "query",
            "--saved",
            "chain",
            "--param",
            "from=trump",
            "--param",
            "to=TAKICHI",
            "--store",
            seed_store.location,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "from='trump' is Donald Trump (donald-trump)" in result.stderr
    assert "to='TAKICHI' is Sanae Takaichi (sanae-takaichi)" in result.stderr
    by_id = rows_of(run_saved(seed_store, "causes", {"event": "japan-treasury-selloff"}))
    assert len(by_id) > 20
    # as a label, as the articles write it (a curly apostrophe), with stray spaces, or the id
    # in capitals: the same entity
    for given in ("Japan's sale of U.S. Treasuries", "Japan’s  sale of U.S. Treasuries ",
                  "JAPAN-TREASURY-SELLOFF"):  # fmt: skip
        assert rows_of(run_saved(seed_store, "causes", {"event": given})) == by_id, given


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("inflation", "could be any of japan-inflation, us-inflation: give an id"),
        (
            "japan-treasury-sellof",
            "no entity 'japan-treasury-sellof' in the graph (event); "
            "did you mean japan-treasury-selloff?",
        ),
        ("Japan's sell", "did you mean"),
    ],
)
def test_a_name_that_fits_several_entities_or_none_says_what_it_could_mean(
    seed_store, value, message
):
    with pytest.raises(QueryError, match=re.escape(message)):
        run_saved(seed_store, "causes", {"event": value})
