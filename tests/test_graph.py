"""The built graph parses back with two parsers, round-trips, conforms, rebuilds identically."""

from __future__ import annotations

import importlib
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.build import FORMATS, build, shacl_validate
from kg.errors import ValidationError

ROOT = Path(__file__).resolve().parents[1]


def _dataset(path: Path, fmt: str) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(path, format=fmt)
    return ds


def _union(ds: rdflib.Dataset) -> rdflib.Graph:
    g = rdflib.Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def assert_isomorphic(a: rdflib.Graph, b: rdflib.Graph) -> None:
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        raise AssertionError(
            f"only in first: {sorted(only_a)[:5]}\nonly in second: {sorted(only_b)[:5]}"
        )


def test_every_format_parses_with_rdflib_and_agrees(seed_graph_dir):
    nq = _union(_dataset(seed_graph_dir / "kg.nq", "nquads"))
    assert len(nq) > 1000
    assert_isomorphic(nq, _union(_dataset(seed_graph_dir / "kg.trig", "trig")))
    assert_isomorphic(nq, rdflib.Graph().parse(seed_graph_dir / "kg.ttl", format="turtle"))
    assert_isomorphic(nq, _union(_dataset(seed_graph_dir / "kg.jsonld", "json-ld")))


def test_named_graphs_survive_a_round_trip_through_both_parsers(seed_graph_dir):
    ox_quads = set(ox.parse(path=str(seed_graph_dir / "kg.trig"), format=ox.RdfFormat.TRIG))
    ox_nq = set(ox.parse(path=str(seed_graph_dir / "kg.nq"), format=ox.RdfFormat.N_QUADS))
    assert ox_quads == ox_nq
    ds = _dataset(seed_graph_dir / "kg.trig", "trig")
    again = rdflib.Dataset()
    again.parse(data=ds.serialize(format="nquads"), format="nquads")
    rd = {(str(s), str(p), str(o), str(g)) for s, p, o, g in again.quads((None, None, None, None))}
    ox_set = {
        (q.subject.value, q.predicate.value, q.object.value, q.graph_name.value) for q in ox_nq
    }
    assert rd == ox_set


def test_graph_conforms_to_shapes(seed_graph_dir):
    shacl_validate(list(ox.parse(path=str(seed_graph_dir / "kg.nq"), format=ox.RdfFormat.N_QUADS)))


def test_shapes_catch_a_claim_without_modality(seed_graph_dir):
    quads = [
        q
        for q in ox.parse(path=str(seed_graph_dir / "kg.nq"), format=ox.RdfFormat.N_QUADS)
        if q.predicate.value != "https://w3id.org/kg-news/ontology#modality"
    ]
    with pytest.raises(ValidationError, match="every claim has a modality"):
        shacl_validate(quads)


def test_rebuild_is_byte_identical(tmp_path, seed_graph_dir):
    build(ROOT / "data", tmp_path / "again", None)
    for name in FORMATS:
        assert (tmp_path / "again" / name).read_bytes() == (seed_graph_dir / name).read_bytes(), (
            name
        )


def test_committed_graph_is_up_to_date(seed_graph_dir):
    for name in FORMATS:
        committed = ROOT / "data" / "graph" / name
        assert committed.read_bytes() == (seed_graph_dir / name).read_bytes(), (
            f"{committed} is stale: run `kg build` and commit data/graph/"
        )


def test_plain_edge_and_claim_node_are_linked(seed_store):
    rows = seed_store.select(
        """SELECT ?claim WHERE {
             ?claim np:hasAssertion ?g ; kg:subject ?s ; kg:relation kg:motivates ; kg:object ?o .
             GRAPH ?g { ?s kg:motivates ?o }
           }"""
    )
    assert rows, "no motivates edge linked to its claim"


def test_an_edge_stated_by_many_claims_matches_once(seed_store):
    """The union default graph keeps a triple once per graph that holds it (Oxigraph,
    Virtuoso), so the plain edge lives in one graph however many claims affirm it."""
    edge = "{ ent:strategic-reassessment kg:motivates ent:japan-treasury-selloff }"
    claims = seed_store.select(
        "SELECT ?claim WHERE { ?claim np:hasAssertion ?g . GRAPH ?g " + edge + " }"
    )
    assert len(claims) >= 3  # three or more sources' claims point to the one edge
    assert len(seed_store.select("SELECT * WHERE " + edge)) == 1
    total = seed_store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    distinct = seed_store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    )[0]["n"]
    assert total == distinct
    assert not seed_store.ask(
        "ASK { ?claim np:hasAssertion ?g . { ?claim kg:modality kg:Denied } UNION "
        "{ ?claim kg:polarity kg:Negative } }"
    )


def test_quotes_are_found_at_their_offsets_via_sparql(seed_store):
    bad = seed_store.select(
        """SELECT ?claim WHERE {
             ?claim prov:wasDerivedFrom ?src ; oa:hasTarget/oa:hasSelector ?q, ?p .
             ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
             ?src kg:normalisedText ?text .
             FILTER(SUBSTR(?text, ?start + 1, ?end - ?start) != ?exact)
           }"""
    )
    assert bad == []
    n = seed_store.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a kg:Claim }")[0]["n"]
    assert int(n.value) > 0


def test_denied_claims_add_no_plain_edge(mini, tmp_path):
    from kg.store import open_store

    build(mini, None, str(tmp_path / "s"))
    store = open_store(tmp_path / "s")
    assert store.ask("ASK { ?s kg:increases ?o }")  # hypothetical still has its edge
    assert store.ask("ASK { ?c a kg:EventClaim ; kg:modality kg:Denied }")


def test_the_graph_streams_in_batches_in_the_same_order(seed_graph_dir):
    from kg.build import ONTOLOGY
    from kg.curation import load_corpus
    from kg.graph import emit_corpus

    batches: list[bytes] = []
    count = emit_corpus(load_corpus(ROOT / "data"), ONTOLOGY, batches.append, batch=1000)
    assert len(batches) > 10 and max(b.count(b"\n") for b in batches) <= 1000
    assert count == sum(b.count(b"\n") for b in batches)
    nquads = b"".join(batches)
    assert nquads == (seed_graph_dir / "kg.nq").read_bytes()
    assert count == len(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)))


def test_literals_are_written_with_oxigraphs_escapes():
    """The emitter writes N-Quads itself; every code point must come out as Oxigraph writes it
    (escaping is per character, so blocks of characters check them all)."""
    from kg.graph import _s, _typed

    points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(points), 4096):
        text = "".join(map(chr, points[start : start + 4096]))
        assert _s(text) == str(ox.Literal(text))
    xsd_integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    assert _typed(12, "integer") == str(ox.Literal("12", datatype=xsd_integer))


def test_turtle_holds_each_triple_once(seed_graph_dir):
    parsed = ox.parse(path=str(seed_graph_dir / "kg.ttl"), format=ox.RdfFormat.TURTLE)
    turtle = [q.triple for q in parsed]
    quads = ox.parse(path=str(seed_graph_dir / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    merged = {q.triple for q in quads}
    assert len(turtle) == len(set(turtle)) == len(merged)
    assert set(turtle) == merged


def test_a_shacl_failure_keeps_the_previous_outputs_and_leaves_no_staging(
    mini, tmp_path, monkeypatch
):
    builder = importlib.import_module("kg.build")  # `kg.build` is also the function
    out, store = tmp_path / "g", tmp_path / "s"
    build(mini, out, str(store))
    before = {name: (out / name).read_bytes() for name in FORMATS}
    stricter = tmp_path / "shapes.ttl"
    stricter.write_text(
        (ROOT / "ontology" / "shapes.ttl").read_text()
        + """
<urn:test:EveryClaimIsReviewed> a sh:NodeShape ;
    sh:targetClass kg:Claim ;
    sh:property [ sh:path kg:reviewedBy ; sh:minCount 1 ;
                  sh:message "every claim is reviewed" ] .
"""
    )
    monkeypatch.setattr(builder, "SHAPES", stricter)
    with pytest.raises(ValidationError, match="every claim is reviewed"):
        build(mini, out, str(store))
    assert {name: (out / name).read_bytes() for name in FORMATS} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(FORMATS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "g", "s", "shapes.ttl"]


@pytest.mark.parametrize(("files", "written"), [("nq", ["kg.nq"]), ("none", [])])
def test_build_can_write_fewer_files(mini, tmp_path, files, written):
    from click.testing import CliRunner

    from kg.cli import cli
    from kg.store import open_store

    out, store = tmp_path / "g", tmp_path / "s"
    args = ["build", "--data", str(mini), "--output", str(out), "--store", str(store)]
    result = CliRunner().invoke(cli, [*args, "--files", files])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == written if written else not out.exists()
    loaded = open_store(store)
    assert loaded.ask("ASK { ?c a kg:Claim ; kg:modality kg:Denied }")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["data", "s", *(["g"] * bool(written))]
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{data}", "is a folder but not a graph store"),
        ("{data}/entities.yaml", "is a file, not a store folder"),
        (".", "refusing to replace this folder"),
        ("/", "refusing to replace this folder"),
        ("", "--store is empty"),
        ("ftp://example.org/x", "ftp: is not a store"),
        ("http://[::1", "not a valid URL"),
        ("http://127.0.0.1:abc/sparql", "not a valid URL"),
    ],
)
def test_build_refuses_a_store_it_must_not_replace(mini, tmp_path, monkeypatch, spec, message):
    """A mistyped --store (the sources folder, a file, the current folder) must not be
    deleted to make room for the store, and is refused before any work is done."""
    from click.testing import CliRunner

    from kg.cli import cli

    monkeypatch.chdir(tmp_path)
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    args = ["build", "--data", str(mini), "--output", str(tmp_path / "g")]
    result = CliRunner().invoke(cli, [*args, "--store", spec.format(data=mini)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and message in result.output
    assert result.output.count("\n") == 1
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before


def test_build_replaces_an_existing_store_and_leaves_no_litter(mini, tmp_path):
    store = tmp_path / "s"
    build(mini, None, str(store))
    (mini / "claims" / next(p.name for p in (mini / "claims").iterdir())).unlink()
    build(mini, None, str(store))
    from kg.store import open_store

    assert not open_store(store).ask("ASK { ?c a kg:Claim }")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "s"]


def test_build_keeps_output_out_of_the_store_and_the_store_readable(mini, tmp_path):
    import os
    import stat

    from click.testing import CliRunner

    from kg.cli import cli

    store = tmp_path / "s"
    args = ["build", "--data", str(mini), "--store", str(store)]
    inside = CliRunner().invoke(cli, [*args, "--output", str(store / "graph")])
    assert inside.exit_code == 2 and "give them separate folders" in inside.output
    assert not store.exists()
    old = os.umask(0o022)
    try:
        assert CliRunner().invoke(cli, [*args, "--files", "none"]).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.stat().st_mode) == 0o755  # not mkdtemp's 0700
    memory = CliRunner().invoke(cli, ["ingest", "--data", str(mini), "--store", ":memory:", "x"])
    assert memory.exit_code == 2 and ":memory: holds nothing" in memory.output


def test_a_figure_written_with_an_exponent_is_a_valid_decimal(mini, tmp_path):
    """curation.md shows `value: 1.1e12`; xsd:decimal has no exponent form."""
    from kg.store import open_store

    claims = mini / "claims" / "mini-001.yaml"
    text = claims.read_text(encoding="utf-8")
    assert "kind: quantity" in text
    line = next(x for x in text.splitlines() if x.strip().startswith("value:"))
    claims.write_text(text.replace(line, line.split("value:")[0] + "value: 1.06e12", 1))
    store = tmp_path / "s"
    build(mini, None, str(store))
    [row] = open_store(store).select("SELECT ?v (?v * 2 AS ?d) WHERE { ?c kg:value ?v }")
    assert (row["v"].value, row["d"].value) == ("1060000000000", "2120000000000")


def test_turtle_says_in_itself_that_it_has_no_named_graphs(seed_graph_dir):
    """Loaded into another store, kg.ttl answered every saved query with nothing (they name
    GRAPHs); the file now says so where a user sees it, and parses as before."""
    head = (seed_graph_dir / "kg.ttl").read_text().splitlines()[:3]
    assert head[0].startswith("# The kg graph as triples: Turtle has no named graphs")
    assert "Load kg.nq, kg.trig or kg.jsonld" in head[2]
