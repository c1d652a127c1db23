"""The `kg viz` page in a real headless Chromium (Debian's, driven by Playwright).

Without /usr/bin/chromium these tests skip on a workstation and fail under CI, so that CI never
passes by silently skipping them (`make system-deps` installs Chromium).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from kg.viz import ViewSpec, render_view
from kg.viz_data import load_graph
from kg.viz_page import CHROMIUM as CHROMIUM_PATH
from kg.viz_page import CHROMIUM_ARGS

CHROMIUM = Path(CHROMIUM_PATH)
ARGS = list(CHROMIUM_ARGS)
VISIBLE_NODES = "kg.nodes.get({filter: (n) => !n.hidden}).map((n) => n.id).sort()"
VISIBLE_EDGES = "kg.edges.get({filter: (e) => !e.hidden}).map((e) => e.id).sort()"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"CI must run the browser tests, but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing: `make system-deps` installs Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Page:
    """A loaded page that records every request, console error, dialog and page error."""

    def __init__(self, browser, path: Path, *, csp: bool = True, fragment: str = "") -> None:
        """Open `path`; with `csp=False` the page's Content-Security-Policy is ignored, to show
        that escaping alone keeps hostile text inert."""
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1600, "height": 1000}, bypass_csp=not csp)
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri() + fragment)
        # Polled from Python: wait_for_function evaluates its string with eval in the page,
        # which the page's CSP forbids.
        deadline = time.monotonic() + 30
        while self.js("document.body.dataset.ready") != "true":
            assert time.monotonic() < deadline, f"page never became ready: {self.errors}"
            self.page.wait_for_timeout(50)

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def panel(self) -> str:
        return self.page.inner_text("#kg-panel")

    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


@pytest.fixture(scope="module")
def seed_page_file(seed_store, tmp_path_factory) -> Path:
    return render_view(seed_store, ViewSpec(), tmp_path_factory.mktemp("viz") / "seed.html").output


@pytest.fixture(scope="module")
def graph(seed_store):
    return load_graph(seed_store)


@pytest.fixture
def seed(browser, seed_page_file):
    page = Page(browser, seed_page_file)
    yield page
    page.page.close()


def test_page_loads_offline_without_errors_and_shows_every_entity(seed, seed_store):
    assert seed.requests == [seed.requests[0]] and seed.requests[0].startswith("file:")
    assert seed.external_requests() == [] and seed.errors == [] and seed.dialogs == []
    rows = seed_store.select(
        """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
             ?c a kg:CausalClaim . { ?c kg:subject ?e } UNION { ?c kg:object ?e } }"""
    )
    entities = int(rows[0]["n"].value)
    assert seed.js("kg.nodes.length") == entities
    assert len(seed.js(VISIBLE_NODES)) == entities
    assert seed.page.inner_text("#kg-counts").startswith(f"{entities} of {entities} entities")
    assert seed.js("kg.network.body.nodeIndices.length") == entities  # drawn by vis-network


def _click_edge(seed, edge_id: str) -> None:
    """Click the middle of an edge on the canvas, as a user would."""
    point = seed.js(
        f"""(() => {{
          const e = kg.network.body.edges[{edge_id!r}];
          const mid = e.edgeType.getPoint(0.5);
          kg.network.moveTo({{position: mid, scale: 2.0, animation: false}});
          return kg.network.canvasToDOM(mid);
        }})()"""
    )
    box = seed.page.locator("#kg-graph canvas").bounding_box()
    seed.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_clicking_an_edge_shows_its_quotes_and_sources(seed, graph):
    edge = seed.js(
        "kg.data.edges.find((e) => e.from === 'us-tariffs' && e.relation === 'motivates'"
        " && e.to === 'japan-treasury-selloff')"
    )
    _click_edge(seed, edge["id"])
    assert seed.js("kg.network.getSelectedEdges()") == [edge["id"]]
    opacity = "(id) => kg.nodes.get(id).opacity"
    assert seed.page.evaluate(opacity, "us-tariffs") == 1  # the edge's ends stand out,
    assert seed.page.evaluate(opacity, "us-jobs") < 1  # the rest fades
    panel = seed.panel()
    assert "U.S. tariffs" in panel and "Japan's sale of U.S. Treasuries" in panel
    claims = [c for c in graph.claims if c.id in edge["claims"]]
    assert claims
    for claim in claims:
        source = graph.sources[claim.source]
        assert claim.quote in panel
        assert f"{claim.before}{claim.quote}{claim.after}".strip() in panel
        assert source.title in panel and claim.modality in panel and claim.id in panel
        assert f"{source.published} ({source.precision} precision" in panel
    assert seed.errors == []


def test_a_relation_filter_hides_its_edges_and_the_entities_left_alone(seed):
    data = seed.js("kg.data")
    seed.page.locator("#kg-filter-relation input[value='motivates']").uncheck()
    kept = [e for e in data["edges"] if e["relation"] != "motivates"]
    assert seed.js(VISIBLE_EDGES) == sorted(e["id"] for e in kept)
    assert seed.js(VISIBLE_NODES) == sorted({n for e in kept for n in (e["from"], e["to"])})
    seed.page.click("#kg-reset")
    assert len(seed.js(VISIBLE_EDGES)) == len(data["edges"])


def test_type_modality_and_date_filters(seed, graph):
    data = seed.js("kg.data")
    types = {n["id"]: n["type"] for n in data["nodes"]}
    seed.page.locator("#kg-filter-type input[value='Event']").uncheck()
    assert all(types[n] != "Event" for n in seed.js(VISIBLE_NODES))
    seed.page.click("#kg-reset")

    seed.page.locator("#kg-filter-modality input[value='asserted']").uncheck()
    seed.page.locator("#kg-filter-modality input[value='reported']").uncheck()
    styles = {
        e["id"]
        for e in data["edges"]
        if any(
            c.modality not in ("asserted", "reported") for c in graph.claims if c.id in e["claims"]
        )
    }
    assert set(seed.js(VISIBLE_EDGES)) == styles
    seed.page.click("#kg-reset")

    # Published in May 2025 or later: only sources whose date window reaches that far.
    seed.page.click("summary:has-text('Publication date')")
    seed.page.fill("#kg-date-from", "2025-05-01")
    seed.page.locator("#kg-undated").uncheck()
    late = {
        s.id
        for s in graph.sources.values()
        if (s.not_after is None and s.not_before) or (s.not_after or "") >= "2025-05-01"
    }
    expected = {e["id"] for e in data["edges"] if any(c.split("/")[0] in late for c in e["claims"])}
    assert set(seed.js(VISIBLE_EDGES)) == expected and expected
    assert "000_4c22c95cf8552d28" not in late  # no date at all: hidden
    seed.page.click("#kg-reset")
    assert len(seed.js(VISIBLE_NODES)) == len(data["nodes"])


def test_search_by_alias_focuses_the_entity(seed):
    seed.page.fill("#kg-search", "sell-off")
    first = seed.page.locator("#kg-search-results button").first
    assert first.inner_text().startswith("Japan's sale of U.S. Treasuries")
    seed.page.press("#kg-search", "Enter")
    assert seed.js("kg.network.getSelectedNodes()") == ["japan-treasury-selloff"]
    assert seed.page.inner_text("#kg-panel h2") == "Japan's sale of U.S. Treasuries"
    centre = seed.js("kg.network.getViewPosition()")
    node = seed.js("kg.network.getPosition('japan-treasury-selloff')")
    assert abs(centre["x"] - node["x"]) < 1 and abs(centre["y"] - node["y"]) < 1
    assert seed.js("kg.network.getScale()") >= 1
    panel = seed.panel()
    assert "Wikidata" not in panel or "wikidata.org" in seed.page.inner_html("#kg-panel")
    assert "claims out" in panel.lower() and "claims in" in panel.lower() and "sell-off" in panel


def test_show_neighbourhood_keeps_the_neighbours_and_reset_brings_all_back(seed, graph):
    seed.page.fill("#kg-search", "U.S. tariffs")
    seed.page.press("#kg-search", "Enter")
    seed.page.click("#kg-neighbourhood")
    near = {"us-tariffs"} | {
        other
        for c in graph.claims
        for end, other in ((c.subject, c.object), (c.object, c.subject))
        if end == "us-tariffs"
    }
    assert set(seed.js(VISIBLE_NODES)) == near
    seed.page.click("#kg-reset")
    assert len(seed.js(VISIBLE_NODES)) == seed.js("kg.data.nodes.length")
    assert seed.js("kg.network.getSelectedNodes()") == []


@pytest.fixture(scope="module")
def hostile_page_file(tmp_path_factory) -> Path:
    """The mini corpus, whose source has `<script>` in its title and text, plus an entity label
    carrying an `onerror=` attribute; rendered as a --source view so the title is in <title>."""
    import shutil

    from kg.build import build
    from kg.store import open_store

    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(Path(__file__).parent / "data" / "mini", data)
    entities = yaml.safe_load((data / "entities.yaml").read_text(encoding="utf-8"))
    entities[1]["label"] = 'U.S. tariffs <img src=x onerror="window.pwned=1">'
    (data / "entities.yaml").write_text(yaml.safe_dump(entities), encoding="utf-8")
    build(data, None, str(root / "store"))
    spec = ViewSpec(source="mini-001")
    return render_view(open_store(root / "store"), spec, root / "mini.html").output


@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "escaping-alone"])
def test_script_and_onerror_in_articles_show_as_text_and_run_nothing(
    browser, hostile_page_file, csp
):
    page = Page(browser, hostile_page_file, csp=csp)
    try:
        title = "Tariffs hit Tokyo <script>alert(1)</script>"
        assert title in page.page.title() and title in page.page.inner_text("#kg-title")
        page.js("kg.openEdge(kg.data.edges.find((e) => e.relation === 'motivates').id)")
        panel = page.panel()
        assert title in panel
        assert 'U.S. tariffs <img src=x onerror="window.pwned=1">' in panel
        page.page.fill("#kg-search", "tariffs")
        assert "onerror" in page.page.inner_text("#kg-search-results")
        assert page.dialogs == [] and page.js("window.pwned") is None
        assert page.js("document.querySelectorAll('img').length") == 0
        assert page.js("document.scripts.length") == 3  # data, vis-network, page script
        page.js("kg.focusNode('japan-treasury-selloff')")  # its event claim, quote and source
        panel = page.panel()
        assert "status: improbable" in panel and "a full sale probably won’t happen" in panel
        assert panel.count(title) == 1
        assert page.dialogs == [] and page.js("window.pwned") is None
        assert page.external_requests() == [] and len(page.requests) == 1
        assert page.errors == []
    finally:
        page.page.close()


def test_path_view_lists_the_paths_and_opens_the_claims_of_a_step(
    browser, seed_store, graph, tmp_path
):
    spec = ViewSpec(path_from="tariffs", path_to="yields", depth=2)
    result = render_view(seed_store, spec, tmp_path / "paths.html")
    page = Page(browser, result.output)
    try:
        panel = page.panel()
        assert f"{len(result.paths)} causal paths" in panel.lower()
        chain = ["us-tariffs", "japan-treasury-selloff", "us-treasury-yields"]
        assert chain in page.js("kg.data.paths")
        assert "U.S. tariffs —motivates→ Japan's sale of U.S. Treasuries —increases→" in panel
        index = page.js("kg.data.paths").index(chain)
        page.page.locator(".kg-path").nth(index).locator("button", has_text="increases").click()
        panel = page.panel()
        steps = [
            c
            for c in graph.claims
            if (c.subject, c.relation, c.object)
            == ("japan-treasury-selloff", "increases", "us-treasury-yields")
        ]
        assert len(steps) == 4 and all(c.quote in panel for c in steps)
        assert page.errors == [] and page.external_requests() == []
    finally:
        page.page.close()


def test_links_from_the_audit_report_open_the_claim_or_entity(browser, seed_page_file, graph):
    claim = next(c for c in graph.claims if c.quote.startswith("The breaking point"))
    page = Page(browser, seed_page_file, fragment=f"#claim={claim.id}")
    try:
        assert claim.quote in page.panel() and claim.id in page.panel()
        assert page.js("kg.network.getSelectedEdges().length") == 1
        page.page.evaluate("window.location.hash = '#entity=sanae-takaichi'")
        page.page.wait_for_timeout(100)
        assert page.page.inner_text("#kg-panel h2") == "Sanae Takaichi"
        assert page.errors == []
    finally:
        page.page.close()
