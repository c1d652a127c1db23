"""The query page works in a real headless Chromium, offline: every request that leaves the
loopback interface is blocked, and the page still runs a query and shows its answer."""

from __future__ import annotations

import shutil
import threading
import urllib.parse

import pytest

from kg.serve import Endpoint, make_server
from kg.viz_page import CHROMIUM, CHROMIUM_ARGS

ARGS = list(CHROMIUM_ARGS)


LIMIT = 50  # rows in an answer: the seed graph has more claims


@pytest.fixture(scope="module")
def base(seed_store):
    endpoint = Endpoint(seed_store.location, timeout=10, limit=LIMIT)
    server = make_server(endpoint, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    endpoint.pool.close()


@pytest.fixture(scope="module")
def page():
    import os

    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is missing: `make system-deps`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser.new_page()
        browser.close()


def test_query_page_runs_a_query_offline(base, page):
    blocked: list[str] = []

    def only_loopback(route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/")
    page.wait_for_function("window.kgYasgui && document.querySelectorAll('#saved button').length")
    assert page.locator("#saved button").count() >= 10
    page.evaluate(
        """() => {
          const tab = window.kgYasgui.getTab();
          tab.setQuery("SELECT ?label ?wd WHERE { ?e dcterms:identifier 'japan' ; "
                       + "rdfs:label ?label ; schema:sameAs ?wd }");
          tab.getYasqe().query();
        }"""
    )
    page.wait_for_function(
        "document.querySelector('.yasr')?.innerText.includes('Q17')",
        timeout=20_000,
    )
    assert "Japan" in page.locator(".yasr").inner_text()
    assert errors == []

    page.locator("#saved button[data-name='contradictions']").click()
    query = page.evaluate("() => window.kgYasgui.getTab().getQuery()")
    assert "kg:contradicted" in query
    assert page.locator("a[href='/graph']").count() == 1


def test_typing_a_query_sends_nothing_off_the_machine(base, page):
    """YASGUI's class and property completers would ask lov.linkeddata.es at every keystroke."""
    blocked: list[str] = []

    def only_loopback(route):
        if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(base + "/")
    page.wait_for_function("window.kgYasgui")
    page.locator(".CodeMirror").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT * WHERE { ?s rdfs:la", delay=30)
    page.keyboard.type(" ?o . ?o a owl:Cla", delay=30)
    page.wait_for_timeout(1500)
    completers = page.evaluate("() => window.kgYasgui.getTab().getYasqe().config.autocompleters")
    assert "property" not in completers and "class" not in completers
    assert blocked == []


def test_saved_queries_load_valid_and_every_predeclared_prefix_is_listed(base, page):
    """The saved queries use the prefixes the server predeclares, without PREFIX lines: YASQE
    marked each one invalid ("Prefix 'kg' is not defined")."""
    from kg.namespace import PREFIXES

    page.goto(base + "/")
    page.wait_for_function("window.kgYasgui && document.querySelectorAll('#saved button').length")
    listed = page.locator("#prefixes").inner_text()
    assert [name.strip() for name in listed.split(",")] == [f"{p}:" for p in PREFIXES]
    names = page.eval_on_selector_all("#saved button", "bs => bs.map(b => b.dataset.name)")
    invalid = []
    for name in names:
        page.locator(f"#saved button[data-name='{name}']").click()
        if not page.evaluate("() => window.kgYasgui.getTab().getYasqe().queryValid"):
            invalid.append(name)
    assert len(names) >= 10 and invalid == []
    valid = """(query) => {
      window.kgYasgui.getTab().setQuery(query);
      return window.kgYasgui.getTab().getYasqe().queryValid;
    }"""
    assert page.evaluate(valid, "SELECT * WHERE { ?s kg:says ent:japan }") is True
    assert page.evaluate(valid, "SELECT * WHERE { ?s nope:says ent:japan }") is False


def test_an_answer_cut_at_the_server_s_limit_says_so(base, page):
    page.goto(base + "/")
    page.wait_for_function("window.kgYasgui")
    run = """(query) => {
      const tab = window.kgYasgui.addTab(true);
      tab.setQuery(query);
      tab.getYasqe().query();
    }"""
    chip = page.locator(".yasr_response_chip:visible")
    page.evaluate(run, "SELECT ?c WHERE { ?c a kg:Claim }")
    chip.filter(has_text="results").wait_for(timeout=20_000)
    assert chip.inner_text().startswith(f"{LIMIT} results")
    assert f"incomplete: results cut at {LIMIT} rows" in chip.inner_text()
    page.evaluate(run, "SELECT ?c WHERE { ?c a kg:Claim } LIMIT 3")
    chip.filter(has_text="3 results").wait_for(timeout=20_000)
    assert "incomplete" not in chip.inner_text()
