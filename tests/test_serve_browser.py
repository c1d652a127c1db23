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


@pytest.fixture(scope="module")
def base(seed_store):
    endpoint = Endpoint(seed_store.location, timeout=10)
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
