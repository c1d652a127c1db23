"""`kg viz` without a browser: views picked from the real seed graph, paths, limits, escaping,
determinism, and the committed seed view being current. Browser tests: test_viz_browser.py."""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import InputError
from kg.viz import (
    DEFAULT_MAX_NODES,
    DEFAULT_OUTPUT,
    ViewSpec,
    render_view,
    resolve_entity,
    select_view,
)
from kg.viz_data import VizClaim, load_graph
from kg.viz_page import _json_for_html, edge_style

ROOT = Path(__file__).resolve().parents[1]
DATA_RE = re.compile(r'<script id="kg-data" type="application/json">(.*?)</script>', re.S)


def page_data(html: str) -> dict:
    return json.loads(DATA_RE.search(html).group(1))


@pytest.fixture(scope="module")
def graph(seed_store):
    return load_graph(seed_store)


def test_whole_view_has_every_entity_in_a_causal_claim(seed_store, graph):
    rows = seed_store.select(
        """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
             ?c a kg:CausalClaim . { ?c kg:subject ?e } UNION { ?c kg:object ?e } }"""
    )
    view = select_view(graph, ViewSpec())
    assert len(view.entities) == int(rows[0]["n"].value) == 118
    assert len(view.claims) == 230


def test_claims_carry_their_sentence_and_provenance(graph):
    claim = next(c for c in graph.claims if c.id == "002_1da6147a5e7dcde4/c013")
    assert (claim.subject, claim.relation, claim.object) == (
        "us-tariffs",
        "motivates",
        "japan-treasury-selloff",
    )
    assert claim.quote.startswith("The breaking point")
    source = graph.sources[claim.source]
    assert (source.published, source.precision) == ("2025", "year")


def test_entities_resolve_by_id_label_or_alias_in_any_case(graph):
    assert resolve_entity(graph, "us-tariffs") == "us-tariffs"
    assert resolve_entity(graph, "u.s. TARIFFS") == "us-tariffs"
    assert resolve_entity(graph, "sell-off") == "japan-treasury-selloff"
    with pytest.raises(InputError, match="did you mean us-tariffs"):
        resolve_entity(graph, "U.S. tarifs")


def test_focus_view_keeps_the_neighbourhood_and_only_it(graph):
    view = select_view(graph, ViewSpec(focus="U.S. tariffs", depth=1))
    neighbours = {c.object for c in graph.claims if c.subject == "us-tariffs"} | {
        c.subject for c in graph.claims if c.object == "us-tariffs"
    }
    assert view.entities == {"us-tariffs"} | neighbours
    assert all(c.subject in view.entities and c.object in view.entities for c in view.claims)
    assert view.focus == "us-tariffs"


def test_source_view_reads_only_that_source(seed_store):
    graph = load_graph(seed_store, source="004_705212384a123df3")
    view = select_view(graph, ViewSpec(source="004_705212384a123df3"))
    assert view.claims and {c.source for c in view.claims} == {"004_705212384a123df3"}


def test_paths_follow_causal_steps_and_find_the_chain(graph):
    spec = ViewSpec(path_from="tariffs", path_to="yields")
    view = select_view(graph, spec)
    chain = ("us-tariffs", "japan-treasury-selloff", "us-treasury-yields")
    assert chain in view.paths
    assert all(p[0] == "us-tariffs" and p[-1] == "us-treasury-yields" for p in view.paths)
    assert all(len(p) <= 5 for p in view.paths)  # at most PATH_DEPTH steps
    assert all(c.modality != "denied" for c in view.claims)
    assert len({p for p in view.paths}) == len(view.paths)


def _claim(cid, s, r, o, modality="asserted"):
    return VizClaim(
        id=cid, source="s", subject=s, relation=r, object=o, polarity="positive",
        modality=modality, attribution="outlet", quote="q",
    )  # fmt: skip


def test_responds_to_is_walked_from_stimulus_to_response_and_denied_claims_break_paths(graph):
    from kg.viz import _paths

    claims = (
        _claim("1", "a", "causes", "b"),
        _claim("2", "c", "responds_to", "b"),  # c responds to b: b -> c
        _claim("3", "a", "causes", "c", "denied"),
    )
    assert _paths(claims, "a", "c", 4) == [("a", "b", "c")]
    assert _paths(claims, "c", "a", 4) == []


def test_no_path_is_an_input_error(graph):
    with pytest.raises(InputError, match="no causal path"):
        select_view(
            graph, ViewSpec(path_from="U.S. Treasury yields", path_to="U.S. tariffs", depth=1)
        )


def test_bad_option_combinations_are_input_errors():
    with pytest.raises(InputError, match="--from and --to"):
        ViewSpec(path_from="a")
    with pytest.raises(InputError, match="either --focus"):
        ViewSpec(focus="a", path_from="a", path_to="b")


def test_a_view_past_the_limit_is_refused_with_advice(seed_store, tmp_path):
    with pytest.raises(InputError, match=r"118 entities, more than --max-nodes 50.*--focus"):
        render_view(seed_store, ViewSpec(max_nodes=50), tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_edge_styles_follow_modality_and_polarity():
    assert edge_style("asserted", "positive") == edge_style("reported", "positive") == "affirmed"
    assert {edge_style(m, "positive") for m in ("hypothetical", "predicted", "speculative")} == {
        "conjectured"
    }
    assert edge_style("asserted", "negative") == "denied"


def test_json_in_the_page_cannot_close_its_script_element():
    text = _json_for_html({"t": "</script><script>alert(1)</script><!-- & \u2028"})
    assert not set("<>&\u2028") & set(text)
    assert json.loads(text)["t"].startswith("</script>")


def test_page_is_self_contained_and_deterministic(seed_store, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    render_view(seed_store, ViewSpec(), a)
    render_view(seed_store, ViewSpec(), b)
    html = a.read_text(encoding="utf-8")
    assert a.read_bytes() == b.read_bytes()
    tags = re.findall(r"<(script|link|img|iframe)\b[^>]*>", html)
    assert tags == ["script"] * 3
    assert not re.search(r"<script[^>]+src=|<link\b", html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_committed_seed_view_is_current(seed_store, tmp_path):
    """`make run` regenerates visualizations/seed-graph.html. Everything must match but the
    node positions, which may differ by a pixel across platforms and igraph builds."""
    fresh = render_view(seed_store, ViewSpec(), tmp_path / "s.html").output.read_text()
    committed = (ROOT / DEFAULT_OUTPUT).read_text(encoding="utf-8")
    stale = "visualizations/seed-graph.html is stale: run `make run`"
    assert DATA_RE.sub("", committed) == DATA_RE.sub("", fresh), stale
    data = [page_data(fresh), page_data(committed)]
    for one in data:
        for node in one["nodes"]:
            node.pop("x"), node.pop("y")
    assert data[0] == data[1], stale


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory) -> str:
    """The mini corpus in its own store: the CLI opens stores itself, and the session's seed
    store is held open (and locked) by this process."""
    from kg.build import build

    out = tmp_path_factory.mktemp("mini")
    build(ROOT / "tests" / "data" / "mini", None, str(out / "store"))
    return str(out / "store")


def test_cli_writes_the_page_and_prints_paths(mini_store, tmp_path):
    out = tmp_path / "p.html"
    args = ["viz", "--store", mini_store, "--output", str(out)]
    result = CliRunner().invoke(cli, [*args, "--from", "tariffs", "--to", "yields"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"wrote {out}: 3 entities, 2 edges, 2 claims\n"
        "  U.S. tariffs -motivates-> Japan's sale of U.S. Treasuries -increases-> "
        "U.S. Treasury yields\n"
    )
    assert page_data(out.read_text())["view"] == "paths"


def test_cli_reports_user_mistakes_in_one_line(mini_store, tmp_path):
    args = ["viz", "--store", mini_store, "--output", str(tmp_path / "x.html")]
    for extra, message in [
        (["--focus", "Atlantis"], "unknown entity 'Atlantis'"),
        (["--source", "nope"], "unknown source 'nope'; sources: mini-001"),
        (["--source", "mini 001"], "unknown source 'mini 001'; sources: mini-001"),
        (["--source", "x>y"], "unknown source 'x>y'; sources: mini-001"),
        (["--from", "japan"], "--from and --to go together"),
        (["--max-nodes", "2"], "3 entities, more than --max-nodes 2"),
        (["--relation", "prevents"], "no causal claim matches this view"),
    ]:
        result = CliRunner().invoke(cli, [*args, *extra])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: ") and result.output.count("\n") == 1
        assert message in result.output
        # The error's traceback keeps the store (and its lock) alive until collected; a real
        # `kg` process exits instead.
        del result
        gc.collect()
    assert not (tmp_path / "x.html").exists()


def test_cli_defaults_match_the_library():
    params = {p.name: p for p in cli.commands["viz"].params}
    assert "visualizations/seed-graph.html" in params["output"].help
    assert params["max_nodes"].default == DEFAULT_MAX_NODES


def test_narrower_views_do_not_overwrite_the_seed_view_by_default(graph):
    assert select_view(graph, ViewSpec()).default_output == DEFAULT_OUTPUT
    names = {
        select_view(graph, spec).default_output.name
        for spec in [
            ViewSpec(focus="sell-off"),
            ViewSpec(path_from="tariffs", path_to="yields"),
            ViewSpec(relations=("motivates",)),
        ]
    }
    assert names == {
        "focus-japan-treasury-selloff-1.html",
        "paths-us-tariffs-to-us-treasury-yields.html",
        "seed-graph-motivates.html",
    }


@pytest.fixture
def endpoint():
    """The mini graph behind a SPARQL 1.1 Protocol endpoint on loopback: Oxigraph answers, with
    the union of the named graphs as default graph, as most servers do."""
    import threading
    import urllib.parse
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import pyoxigraph as ox

    from kg.build import ONTOLOGY
    from kg.curation import load_corpus
    from kg.graph import corpus_quads

    store = ox.Store()
    store.extend(corpus_quads(load_corpus(ROOT / "tests" / "data" / "mini"), ONTOLOGY))

    class Sparql(BaseHTTPRequestHandler):
        def do_POST(self):
            form = urllib.parse.parse_qs(
                self.rfile.read(int(self.headers["Content-Length"])).decode()
            )
            result = store.query(form["query"][0], use_default_graph_as_union=True)
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sparql)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()
    server.server_close()


def test_a_remote_endpoint_gives_the_same_page(endpoint, mini_store, tmp_path):
    for spec in (ViewSpec(), ViewSpec(source="mini-001"), ViewSpec(focus="sale")):
        pages = []
        for store in (endpoint, mini_store):
            result = CliRunner().invoke(
                cli, ["viz", "--store", store, "--output", str(tmp_path / "p.html"), *_args(spec)]
            )
            assert result.exit_code == 0, result.output
            pages.append((tmp_path / "p.html").read_bytes())
        assert pages[0] == pages[1]
        assert b"Tariffs hit Tokyo \\u003cscript" in pages[0]


def _args(spec: ViewSpec) -> list[str]:
    return (["--source", spec.source] if spec.source else []) + (
        ["--focus", spec.focus] if spec.focus else []
    )
