"""`kg serve` speaks the SPARQL 1.1 Protocol to a real client, and keeps serving after a
runaway query."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from kg.cli import cli
from kg.serve import Endpoint, make_server

MINI_DATA = __import__("conftest").MINI

FORM = "application/x-www-form-urlencoded"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
UNBOUNDED_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x>|!<urn:x>)* ?b . ?c ?d ?e }"


def start(endpoint: Endpoint):
    server = make_server(endpoint, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"


def stop(server, endpoint):
    server.shutdown()
    server.server_close()
    endpoint.pool.close()


@pytest.fixture(scope="module")
def served(seed_store, tmp_path_factory):
    viz = tmp_path_factory.mktemp("viz") / "seed-graph.html"
    endpoint = Endpoint(seed_store.location, timeout=4, limit=100, workers=2, viz=viz)
    server, base = start(endpoint)
    yield base, viz
    stop(server, endpoint)


def client(base, query, fmt=JSON, method="GET"):
    sparql = SPARQLWrapper(base + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql.query()


def get(url, accept=None, data=None, content_type=None):
    headers = {"Accept": accept} if accept else {}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_selects_with_the_predeclared_prefixes(served, method):
    base, _ = served
    answer = client(
        base,
        "SELECT ?label ?wd WHERE { ?e dcterms:identifier 'japan' ; rdfs:label ?label ; "
        "schema:sameAs ?wd }",
        method=method,
    ).convert()
    (row,) = answer["results"]["bindings"]
    assert row["label"]["value"] == "Japan"
    assert row["wd"] == {"type": "uri", "value": "http://www.wikidata.org/entity/Q17"}


def test_sparqlwrapper_reads_xml_csv_ask_and_construct(served):
    base, _ = served
    query = "SELECT ?id WHERE { ?s a kg:Source ; dcterms:identifier ?id } ORDER BY ?id"
    xml = client(base, query, XML).convert()
    assert len(xml.getElementsByTagName("result")) == 5
    csv = client(base, query, CSV).convert().decode()
    assert csv.splitlines()[:2] == ["id", "000_4c22c95cf8552d28"]
    assert client(base, "ASK { ?c kg:modality kg:Denied }").convert()["boolean"] is True
    turtle = client(
        base, "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Country ; rdfs:label ?l }", TURTLE
    ).convert()
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert len(graph) == 14


def test_content_negotiation_and_format_parameter(served):
    base, _ = served
    q = urllib.parse.quote("SELECT ?id WHERE { ?s a kg:Source ; dcterms:identifier ?id }")
    status, headers, body = get(f"{base}/sparql?query={q}", "text/tab-separated-values")
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    assert body.splitlines()[0] == "?id"
    status, headers, body = get(f"{base}/sparql?query={q}&format=xml")
    assert headers["Content-Type"] == "application/sparql-results+xml"
    rows = list(ox.parse_query_results(io.BytesIO(body.encode()), ox.QueryResultsFormat.XML))
    assert len(rows) == 5
    status, headers, _ = get(f"{base}/sparql?query={q}&format=ttl")
    assert status == 400
    status, headers, body = get(f"{base}/sparql?query={q}", "image/png")
    assert status == 406 and "application/sparql-results+json" in body
    assert headers["Vary"] == "Accept"
    ask = urllib.parse.quote("ASK { ?s a kg:Source }")
    status, headers, _ = get(f"{base}/sparql?query={ask}", "text/csv, application/json;q=0.5")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    graph = urllib.parse.quote("CONSTRUCT WHERE { ?s a kg:Source }")
    status, headers, body = get(f"{base}/sparql?query={graph}", "application/json")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    # q=0 refuses a format also where a wildcard would pick it
    status, headers, _ = get(f"{base}/sparql?query={q}", "text/csv;q=0, text/*")
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    status, headers, _ = get(f"{base}/sparql?query={graph}", "text/turtle;q=0, text/*")
    assert status == 200 and headers["Content-Type"] == "application/n-triples"  # as text/plain
    status, headers, _ = get(f"{base}/sparql?query={q}", "application/*;Q=0, */*;q=0.5")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    refused = "application/sparql-results+json;q=0, application/json"
    status, headers, _ = get(f"{base}/sparql?query={q}", refused)
    assert status == 406  # the answer would carry the refused type


def test_wildcards_match_every_name_a_format_is_offered_under(served):
    """ASK as text/* was 406 though its XML is offered as text/xml; a graph as XML was 406
    though ?format=xml gives RDF/XML."""
    base, _ = served
    ask = urllib.parse.quote("ASK { ?s a kg:Source }")
    status, headers, body = get(f"{base}/sparql?query={ask}", "text/*")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"
    assert "<boolean>true</boolean>" in body
    graph = urllib.parse.quote("CONSTRUCT WHERE { ?s a kg:Source }")
    for accept in ("application/xml", "text/xml"):
        status, headers, body = get(f"{base}/sparql?query={graph}", accept)
        assert status == 200 and headers["Content-Type"] == "application/rdf+xml", accept
        assert len(rdflib.Graph().parse(data=body, format="xml")) == 5
    status, _, body = get(f"{base}/sparql?query={graph}", "text/xml;q=0, application/rdf+xml")
    assert status == 406 and "text/xml" in body  # refused under one name, refused under all


def test_sparqlwrapper_asks_for_json_ld_by_name_and_by_media_type(served):
    """SPARQLWrapper sends format= twice (json-ld, then the media types): not two operations."""
    from SPARQLWrapper import JSONLD

    base, _ = served
    answer = client(base, "CONSTRUCT WHERE { ?s a kg:Source }", fmt=JSONLD).convert()
    assert len(answer) == 5  # rdflib's graph of the five sources


@pytest.mark.parametrize("how", ["GET", "POST form", "POST body"])
def test_a_request_that_is_not_utf_8_is_refused_not_repaired(served, how):
    base, _ = served
    if how == "GET":
        status, _, body = get(f"{base}/sparql?query=ASK%7B%3Fs%20%3Fp%20%22%FF%22%7D")
    elif how == "POST form":
        status, _, body = get(
            f"{base}/sparql",
            data=b"query=ASK%7B%3Fs%20%3Fp%20%22%FF%22%7D",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        status, _, body = get(
            f"{base}/sparql", data=b'ASK {?s ?p "\xff"}', content_type="application/sparql-query"
        )
    assert status == 400 and "not UTF-8" in body


def raw_bytes(base, request: bytes) -> tuple[int, str]:
    """Send these bytes as they are (clients percent-encode a URL; some do not)."""
    import socket

    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        answer = b"".join(iter(lambda: connection.recv(65536), b""))
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def test_raw_bytes_in_a_url_are_read_as_utf_8(served):
    """http.server reads the request line as Latin-1: "Café" sent raw came back "CafÃ©", and
    a byte that is not UTF-8 ran as "ÿ"."""
    base, _ = served
    for query in ('SELECT ?x { BIND("Café" AS ?x) }', 'SELECT ?x { BIND("Caf%C3%A9" AS ?x) }'):
        url = "/sparql?query=" + query.replace(" ", "%20").replace('"', "%22")
        status, body = raw_bytes(base, b"GET " + url.encode() + b" HTTP/1.0\r\n\r\n")
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["x"]["value"] == "Café"
    status, body = raw_bytes(base, b'GET /sparql?query=ASK{FILTER("\xff")} HTTP/1.0\r\n\r\n')
    assert status == 400 and "not UTF-8" in body


def test_xml_is_not_acceptable_for_a_value_xml_cannot_carry(served):
    base, _ = served
    query = urllib.parse.quote('SELECT ?x WHERE { BIND("page\fbreak" AS ?x) }')
    status, _, body = get(f"{base}/sparql?query={query}", "application/sparql-results+xml")
    assert status == 406 and "U+000C" in body
    fallback = "application/sparql-results+xml, application/sparql-results+json;q=0.5"
    status, headers, _ = get(f"{base}/sparql?query={query}", fallback)
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    status, _, body = get(f"{base}/sparql?query={query}", "application/sparql-results+json")
    assert (
        status == 200 and json.loads(body)["results"]["bindings"][0]["x"]["value"] == "page\fbreak"
    )


def test_sparql_query_body_and_result_limit(served):
    base, _ = served
    status, headers, body = get(
        f"{base}/sparql",
        "text/csv",
        b"SELECT ?c WHERE { ?c a kg:Claim }",
        "application/sparql-query",
    )
    assert status == 200
    assert len(body.splitlines()) == 1 + 100
    assert headers["X-KG-Truncated"] == "results cut at 100 rows"
    # a page on another origin may read the answer (CORS), and so must see that it was cut
    assert "X-KG-Truncated" in headers["Access-Control-Expose-Headers"].split(", ")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("update=INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "read-only"),
        ("query=SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403, "SERVICE"),
        ("query=SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403, "escapes"),
        # a comment ends at CR too: the engine would run what follows it
        ("query=SELECT * { # x\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403, "SERVICE"),
        ("update=LOAD <http://127.0.0.1:9/x.ttl>", 403, "read-only"),
        (
            "query=SELECT ?x WHERE {\n  ?x a kg:Claim\n  FILTER(\n}",
            400,
            "line 4, column 1: syntax error near '}'",
        ),
        ("query=SELECT ?x WHERE { ?x nope:p ?y }", 400, "unknown prefix 'nope:'"),
    ],
)
def test_refusals_and_errors_are_one_clear_message(served, body, status, message):
    base, _ = served
    name, _, value = body.partition("=")
    data = urllib.parse.urlencode({name: value}).encode()
    got, _, text = get(
        f"{base}/sparql", data=data, content_type="application/x-www-form-urlencoded"
    )
    assert got == status
    assert message in text and text.count("\n") == 1


@pytest.mark.parametrize("query", [RUNAWAY, UNBOUNDED_PATH])
def test_a_runaway_query_is_stopped_and_the_server_keeps_serving(served, query):
    base, _ = served
    started = time.monotonic()
    data = urllib.parse.urlencode({"query": query}).encode()
    status, _, text = get(
        f"{base}/sparql", data=data, content_type="application/x-www-form-urlencoded"
    )
    assert status == 503
    assert "ran past the 4 s limit and was stopped" in text
    assert time.monotonic() - started < 30
    answer = client(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Source }").convert()
    assert answer["results"]["bindings"][0]["n"]["value"] == "5"


MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"


def test_a_query_past_the_memory_limit_is_stopped_before_its_deadline(seed_store, tmp_path):
    """The sort must hold the whole cross join: without a limit it grows by gigabytes a
    minute, long before a generous deadline; with one it is stopped at the limit."""
    endpoint = Endpoint(seed_store.location, timeout=120, workers=1, memory_mb=300)
    server, base = start(endpoint)
    try:
        started = time.monotonic()
        data = urllib.parse.urlencode({"query": MEMORY_HOG}).encode()
        status, _, text = get(
            f"{base}/sparql", data=data, content_type="application/x-www-form-urlencoded"
        )
        assert status == 503
        assert "needed more than the 300 MB a query may use" in text and text.count("\n") == 1
        assert time.monotonic() - started < 60
        answer = client(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Source }").convert()
        assert answer["results"]["bindings"][0]["n"]["value"] == "5"
    finally:
        stop(server, endpoint)


def test_serve_refuses_a_memory_limit_too_small_to_start_a_worker(seed_store):
    result = CliRunner().invoke(
        cli, ["serve", "--store", seed_store.location, "--memory-limit", "100"]
    )
    assert result.exit_code == 2 and "at least 256 MB" in result.output


def test_query_page_saved_queries_and_graph_view(served):
    base, viz = served
    status, headers, page = get(base + "/")
    assert status == 200 and "yasgui.min.js" in page
    status, headers, _ = get(base + "/yasgui.min.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    status, _, listing = get(base + "/queries")
    assert '"name": "causes"' in listing
    status, _, text = get(base + "/graph")
    assert status == 404 and "kg viz" in text
    viz.write_text("<html><body>graph view</body></html>")
    status, _, text = get(base + "/graph")
    assert status == 200 and "graph view" in text


def test_updates_when_enabled_but_never_load(tmp_path):
    from kg.store import open_store

    spec = str(tmp_path / "store")
    store = open_store(spec, create=True)
    store.load_nquads(b"<urn:s> <urn:p> <urn:o> <urn:g> .\n")
    del store
    endpoint = Endpoint(spec, timeout=10, allow_update=True)
    server, base = start(endpoint)
    try:
        ok = get(
            f"{base}/sparql",
            data=b"INSERT DATA { <urn:s> <urn:p> <urn:new> }",
            content_type="application/sparql-update",
        )
        assert ok[0] == 204
        answer = client(base, "SELECT ?o WHERE { <urn:s> <urn:p> ?o } ORDER BY ?o").convert()
        assert [b["o"]["value"] for b in answer["results"]["bindings"]] == ["urn:new", "urn:o"]
        refused = get(
            f"{base}/sparql",
            data=b"LOAD <http://127.0.0.1:9/x.ttl>",
            content_type="application/sparql-update",
        )
        assert refused[0] == 403 and "LOAD is disabled" in refused[2]
        hidden = get(
            f"{base}/sparql",
            data=b"# a comment\rLOAD <http://127.0.0.1:9/x.ttl>",
            content_type="application/sparql-update",
        )
        assert hidden[0] == 403 and "LOAD is disabled" in hidden[2]
        elsewhere = urllib.request.Request(
            f"{base}/sparql",
            data=b"INSERT DATA { <urn:s> <urn:p> <urn:csrf> }",
            headers={"Content-Type": "application/sparql-update", "Origin": "http://evil.example"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused_origin:
            urllib.request.urlopen(elsewhere, timeout=30)
        assert refused_origin.value.code == 403
        same = urllib.request.Request(
            f"{base}/sparql",
            data=b"INSERT DATA { <urn:s> <urn:p> <urn:mine> }",
            headers={"Content-Type": "application/sparql-update", "Origin": base},
        )
        assert urllib.request.urlopen(same, timeout=30).status == 204
        port = base.rsplit(":", 1)[1]
        rebound = f"attacker.example:{port}"  # its name, resolved to 127.0.0.1 (DNS rebinding)
        for headers in ({"Host": rebound}, {"Host": rebound, "Origin": f"http://{rebound}"}):
            status, _, text = raw(base, "POST", headers, b"INSERT DATA { <urn:s> <urn:p> <urn:x> }")
            assert status == 403 and "attacker.example" in text
        for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
            body = b"INSERT DATA { <urn:s> <urn:p> <urn:local> }"
            assert raw(base, "POST", {"Host": host}, body)[0] == 204
    finally:
        stop(server, endpoint)


def raw(base, method, headers, body=b"", path="/sparql"):
    """A request with exactly these headers (urllib would add or fix some)."""
    import http.client

    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest(method, path, skip_host="Host" in headers)
    sent = {"Content-Type": "application/sparql-update", **headers}
    if "Transfer-Encoding" not in sent:
        sent["Content-Length"] = str(len(body))
    for name, value in sent.items():
        connection.putheader(name, value)
    connection.endheaders(body)
    response = connection.getresponse()
    answer = response.status, dict(response.headers), response.read().decode()
    connection.close()
    return answer


def test_ambiguous_requests_are_refused(served):
    base, _ = served
    one = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    other = urllib.parse.quote("ASK { ?s ?p ?o }")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        ("GET", f"/sparql?query={one}&query={other}", {}, b"", 400, "query= given twice"),
        ("POST", "/sparql", form, f"query={one}&query={other}".encode(), 400, "twice"),
        ("POST", "/sparql", form, f"query={one}&update={other}".encode(), 400, "both"),
        ("POST", f"/sparql?query={other}", form, f"query={one}".encode(), 400, "in the body"),
        (
            "POST",
            f"/sparql?query={other}",
            {"Content-Type": "application/sparql-query"},
            b"SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            400,
            "in the body",
        ),
        (
            "POST",
            "/sparql",
            {"Content-Type": "application/sparql-query", "Transfer-Encoding": "chunked"},
            b"5\r\nASK{}\r\n0\r\n\r\n",
            411,
            "Content-Length",
        ),
    ]
    for method, path, headers, body, status, message in cases:
        got, _, text = raw(base, method, headers, body, path)
        assert (got, message in text) == (status, True), (path, body, text)
    assert raw(base, "GET", {}, b"", f"/sparql?query={one}")[0] == 200


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (" + "1+" * 10000 + "1 AS ?x) {}",
        "SELECT (" + "!" * 100000 + "true AS ?x) {}",
        "SELECT * { " + " ".join(f"?s <urn:p{i}> ?o{i} ." for i in range(20000)) + " }",
    ],
    ids=["sum", "negations", "patterns"],
)
def test_a_query_chained_past_the_engine_is_refused_not_a_crash(served, query):
    base, _ = served
    data = urllib.parse.urlencode({"query": query}).encode()
    status, _, text = get(
        f"{base}/sparql", data=data, content_type="application/x-www-form-urlencoded"
    )
    assert status == 400 and "split it" in text
    answer = client(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Source }").convert()
    assert answer["results"]["bindings"][0]["n"]["value"] == "5"


def test_dataset_parameters_are_refused_plainly(served):
    base, _ = served
    query = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    graph = urllib.parse.quote("https://w3id.org/kg-news/id/graph/propositions")
    for url in (
        f"{base}/sparql?query={query}&default-graph-uri={graph}",
        f"{base}/sparql?query={query}&named-graph-uri={graph}",
    ):
        status, _, text = get(url)
        assert status == 400 and "FROM" in text, text
    data = f"query={query}&default-graph-uri={graph}".encode()
    status, _, text = get(
        f"{base}/sparql", data=data, content_type="application/x-www-form-urlencoded"
    )
    assert status == 400 and "default-graph-uri is not supported" in text


def test_malformed_headers_get_an_answer_not_a_dropped_connection(served):
    base, _ = served
    query = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    status, headers, _ = get(
        f"{base}/sparql?query={query}", "text/csv;q=abc, application/sparql-results+xml"
    )
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")
    status, headers, _ = get(
        f"{base}/sparql?query={query}", "text/csv;q=0, text/tab-separated-values"
    )
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    import http.client

    host, port = base.removeprefix("http://").split(":")
    for length in ("abc", "-1"):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.putrequest("POST", "/sparql")
        connection.putheader("Content-Type", "application/sparql-query")
        connection.putheader("Content-Length", length)
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 400 and b"Content-Length" in response.read()
        connection.close()


def test_an_empty_query_an_update_by_get_and_two_lengths_are_named(served):
    base, _ = served
    status, _, text = get(f"{base}/sparql?query=")
    assert (status, text) == (400, "the query is empty\n")
    status, _, text = get(f"{base}/sparql", data=b"query=", content_type=FORM)
    assert (status, text) == (400, "the query is empty\n")
    update = urllib.parse.quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    status, _, text = get(f"{base}/sparql?update={update}")
    assert status == 400 and "must be sent with POST" in text and "read-only" in text
    # RFC 9112: two lengths, and where the body ends is unknown (the first was used)
    request = (
        b"POST /sparql HTTP/1.0\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 6\r\nContent-Length: 30\r\n\r\nASK {}"
    )
    status, text = raw_bytes(base, request)
    assert status == 400 and "Content-Length" in text


def test_a_service_description_for_a_client_that_asks_for_rdf(served):
    base, _ = served
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = rdflib.Namespace("http://www.w3.org/ns/formats/")
    for accept, parser in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        status, headers, body = get(f"{base}/sparql", accept)
        assert status == 200 and headers["Content-Type"].startswith(accept)
        graph = rdflib.Graph().parse(data=body, format=parser)
        (service,) = graph.subjects(rdflib.RDF.type, sd.Service)
        assert graph.value(service, sd.endpoint) == rdflib.URIRef(f"{base}/sparql")
        assert set(graph.objects(service, sd.supportedLanguage)) == {sd.SPARQL11Query}
        assert {formats.Turtle, formats.SPARQL_Results_JSON} < set(
            graph.objects(service, sd.resultFormat)
        )
    # without a Host header (HTTP/1.0), the address the server listens on
    status, body = raw_bytes(base, b"GET /sparql HTTP/1.0\r\nAccept: text/turtle\r\n\r\n")
    assert status == 200 and f"<{base}/sparql>" in body
    # nor from a Host that is not a name and a port: the client's to write, path and all
    for host in (b"evil.example/x?", "café.example".encode()):
        request = b"GET /sparql HTTP/1.0\r\nHost: " + host + b"\r\nAccept: text/turtle\r\n\r\n"
        status, body = raw_bytes(base, request)
        assert status == 200 and f"<{base}/sparql>" in body, body
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (None, "*/*", browser):
        status, _, text = get(f"{base}/sparql", accept)
        assert (status, text) == (400, "missing query= parameter\n"), accept


def test_kg_refuses_an_answer_its_server_cut_short(served):
    from kg.errors import StoreError
    from kg.store import open_store

    base, _ = served
    remote = open_store(f"{base}/sparql")
    assert len(remote.select("SELECT ?c WHERE { ?c a kg:Claim } LIMIT 100")) == 100
    with pytest.raises(StoreError, match="results cut at 100 rows"):
        remote.select("SELECT ?c WHERE { ?c a kg:Claim }")


def test_other_methods_get_405_and_preflight_is_answered(served):
    import http.client

    base, _ = served
    host, port = base.removeprefix("http://").split(":")
    for method, status in (("PUT", 405), ("DELETE", 405), ("OPTIONS", 204)):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request(method, "/sparql")
        response = connection.getresponse()
        response.read()
        assert response.status == status
        assert "POST" in response.getheader("Allow")
        connection.close()


def test_ctrl_c_stops_kg_serve_quietly(seed_store):
    """Ctrl-C reaches the whole process group, workers included: the server stops them; no
    worker prints a traceback of its own."""
    import contextlib
    import os
    import signal
    import subprocess
    import sys

    from conftest import default_signals

    program = "from kg.cli import cli; cli()"
    server = subprocess.Popen(
        [sys.executable, "-c", program, "serve", "--port", "0", "--store", seed_store.location],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal gives it
        preexec_fn=default_signals,
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        line = server.stdout.readline().decode()
        assert line.startswith("serving"), line
        base = line.split(" at ")[1].split("/ ")[0]
        assert client(base, "ASK { ?s a kg:Source }").convert()["boolean"] is True
        data = urllib.parse.urlencode({"query": RUNAWAY}).encode()

        def slow() -> None:
            import contextlib
            import http.client

            # the server goes away mid-answer, Ctrl-C does that: perhaps mid-body (IncompleteRead)
            with contextlib.suppress(OSError, http.client.HTTPException):
                get(f"{base}/sparql", data=data, content_type="application/x-www-form-urlencoded")

        running = [threading.Thread(target=slow, daemon=True) for _ in range(2)]
        for thread in running:  # both workers busy when Ctrl-C comes
            thread.start()
        time.sleep(1)
        os.killpg(server.pid, signal.SIGINT)
        assert server.wait(30) == 0
        assert server.stderr.read().decode() == ""
    finally:  # a failed test must not leave a server and its workers running
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)


@contextlib.contextmanager
def kg_serve(store: str):
    """`kg serve` in a process of its own, to be signalled; its base URL."""
    import os
    import signal
    import subprocess
    import sys

    from conftest import default_signals

    program = "from kg.cli import cli; cli()"
    server = subprocess.Popen(
        [sys.executable, "-c", program, "serve", "--port", "0", "--store", store],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=default_signals,
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        yield server, server.stdout.readline().decode().split(" at ")[1].split("/ ")[0]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)


# a query of about 3 s on the seed graph
SECONDS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a kg:Claim . ?e a kg:Source }"


def test_sigterm_lets_the_queries_under_way_finish(seed_store):
    """systemd and `docker stop` send SIGTERM: the queries being answered got 500 as the
    workers were stopped under them; now they are answered, then the server stops (exit 0)."""
    import signal

    with kg_serve(seed_store.location) as (server, base):
        answers: list = []
        asking = threading.Thread(target=lambda: answers.append(client(base, SECONDS).convert()))
        asking.start()
        time.sleep(1)  # under way
        server.send_signal(signal.SIGTERM)
        asking.join(30)
        assert answers and int(answers[0]["results"]["bindings"][0]["n"]["value"]) > 10**7
        assert server.wait(30) == 0
        assert server.stderr.read().decode() == ""


def test_a_client_that_comes_during_the_drain_is_refused_at_once(seed_store):
    """It was left in the listening queue, waited out the drain (up to --timeout and 5 s),
    and was then reset."""
    import signal
    import socket

    with kg_serve(seed_store.location) as (server, base):
        answers: list = []
        asking = threading.Thread(target=lambda: answers.append(client(base, SECONDS).convert()))
        asking.start()
        time.sleep(1)
        server.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        host, port = base.removeprefix("http://").split(":")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((host, int(port)), timeout=10).close()
        assert asking.is_alive()  # refused during the drain, not after it
        asking.join(30)
        assert answers and int(answers[0]["results"]["bindings"][0]["n"]["value"]) > 10**7
        assert server.wait(30) == 0


def test_a_rebuild_is_served_at_once_and_refused_under_a_writer(tmp_path):
    """A read-only server answers from a store that `kg build` replaced (it would go on
    reading the old files), and a build is refused while a server writes to the store (its
    writes would land in the new store's folder and corrupt it)."""
    from conftest import DATA, MINI

    from kg.build import build
    from kg.errors import StoreError

    spec = str(tmp_path / "store")
    build(MINI, None, spec)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?c a kg:Claim }"
    endpoint = Endpoint(spec, timeout=10, workers=1)
    server, base = start(endpoint)
    try:
        before = client(base, count).convert()["results"]["bindings"][0]["n"]["value"]
        build(DATA, None, spec)
        after = client(base, count).convert()["results"]["bindings"][0]["n"]["value"]
        assert (before, after) == ("4", "347")
        away = tmp_path / "away"
        (tmp_path / "store").rename(away)  # the moment of a swap: no store at the path
        during = client(base, count).convert()["results"]["bindings"][0]["n"]["value"]
        away.rename(tmp_path / "store")
        again = client(base, count).convert()["results"]["bindings"][0]["n"]["value"]
        assert (during, again) == ("347", "347")  # the files it has open, then the store
    finally:
        stop(server, endpoint)
    writer = Endpoint(spec, timeout=10, workers=1, allow_update=True)
    server, base = start(writer)
    try:
        with pytest.raises(StoreError, match="open for writing"):
            build(tmp_path / "no-data", None, spec)  # refused before reading anything
        ok = get(
            f"{base}/sparql",
            data=b"INSERT DATA { <urn:s> <urn:p> <urn:o> }",
            content_type="application/sparql-update",
        )
        assert ok[0] == 204
        answer = client(base, count).convert()["results"]["bindings"][0]["n"]["value"]
        assert answer == "347"
    finally:
        stop(server, writer)
    build(MINI, None, spec)  # once the writer is gone
    from kg.store import open_store

    assert open_store(spec).select(count)[0]["n"].value == "4"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_an_update_by_another_writer_is_served_at_once(tmp_path):
    """An update (`kg serve --allow-update` on the same folder) goes to RocksDB's log, with no
    new file: the read-only server answered as before until restarted."""
    from conftest import MINI

    from kg.build import build
    from kg.store import open_store

    spec = str(tmp_path / "store")
    build(MINI, None, spec)
    ask = "ASK { <urn:kg:s> <urn:kg:p> <urn:kg:o> }"
    writer = open_store(spec, create=True)  # open before the server: its files are made
    endpoint = Endpoint(spec, timeout=10, workers=2)
    server, base = start(endpoint)
    try:
        assert [client(base, ask).convert()["boolean"] for _ in range(2)] == [False, False]
        writer.update("INSERT DATA { GRAPH <urn:kg:g> { <urn:kg:s> <urn:kg:p> <urn:kg:o> } }")
        assert [client(base, ask).convert()["boolean"] for _ in range(4)] == [True] * 4
    finally:
        stop(server, endpoint)
        del writer


def test_a_remote_store_refuses_bad_n_quads_before_sending_anything(served):
    from kg.errors import InputError
    from kg.store import open_store

    base, _ = served
    with pytest.raises(InputError, match="not N-Quads"):
        open_store(f"{base}/sparql").load_nquads(b"<urn:a> <urn:b> .\n")


def test_a_source_ingested_into_the_store_is_served_at_once(tmp_path):
    """`kg ingest --store` adds files to the folder a read-only server has open, and a store
    opened read-only does not see them: the server answered as before, and after a worker
    was replaced, one worker one way and the other the other."""
    from conftest import MINI

    from kg.build import build

    data = tmp_path / "data"
    __import__("shutil").copytree(MINI, data)
    spec = str(tmp_path / "store")
    build(data, None, spec)
    article = tmp_path / "new.txt"
    article.write_text("Japan sold Treasuries because of tariffs, an official said.\n")
    ask = 'ASK { ?s a kg:Source ; dcterms:identifier ?id FILTER(STRSTARTS(?id, "new-")) }'
    endpoint = Endpoint(spec, timeout=10, workers=2)
    server, base = start(endpoint)
    try:
        assert [client(base, ask).convert()["boolean"] for _ in range(2)] == [False, False]
        args = ["ingest", "--data", str(data), "--store", spec, str(article)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert [client(base, ask).convert()["boolean"] for _ in range(4)] == [True] * 4
    finally:
        stop(server, endpoint)


def listener():
    """A loopback HTTP server that records every request and answers nonsense."""
    import http.server

    seen: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(f"GET {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b"not json at all")

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", seen


def test_service_and_load_hidden_from_the_tokenizer_are_still_refused(tmp_path):
    """`?x<'>'` is a comparison to the engine but an IRI to a context-free tokenizer, which
    then reads SERVICE as part of a string: the refusal must not depend on that reading."""
    from kg.build import build

    spec = str(tmp_path / "store")
    build(MINI_DATA, None, spec)
    remote, url, seen = listener()
    endpoint = Endpoint(spec, timeout=10, workers=1, allow_update=True)
    server, base = start(endpoint)
    try:
        hidden_service = (
            "SELECT ?s WHERE { { BIND(1 AS ?x) FILTER(?x<'>' || true) } "
            f"SERVICE <{url}/> {{ ?s ?p ?o }} FILTER(true || 'z') }}"
        )
        hidden_load = (
            "INSERT { GRAPH <urn:g> { <urn:a> <urn:b> ?x } } WHERE { BIND(1 AS ?x) "
            f"FILTER(1<'>' || true) }} ; LOAD SILENT <{url}/load.ttl> INTO GRAPH <urn:y> ; "
            "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 'z' } }"
        )
        # RDF 1.2: `<<'a>'` opens a quoted triple; read as the IRI <'a>, the rest up to the
        # quote in the comment would be a string hiding SERVICE and LOAD
        quoted_service = (
            "CONSTRUCT { <urn:a> <urn:got> ?x . <<'a>' <http://p> \"b\" >> <http://q> ?x } "
            f"WHERE {{ SERVICE <{url}/internal-admin> {{ ?x ?y ?z }} }} #'"
        )
        quoted_load = (
            "INSERT { GRAPH <urn:g> { <<'a>' <http://p> \"b\" >> <http://q> <http://r> } } "
            f"WHERE {{}} ; LOAD <{url}/load-bypass> INTO GRAPH <urn:loaded> #'"
        )
        # the engine reads a keyword with no boundary after it: SERVICEe:x is SERVICE e:x
        glued = [
            ("query", f"PREFIX e: <{url}/> ASK {{ SERVICEe:steal {{ ?a ?b ?c }} }}"),
            ("query", f"PREFIX e: <{url}/> CONSTRUCT WHERE {{ servicee:steal {{ ?a ?b ?c }} }}"),
            ("query", f"PREFIX : <{url}/> ASK {{ SERVICE: {{ ?a ?b ?c }} }}"),
            ("query", f"PREFIX e: <{url}/> ASK {{ SERVICESILENTe:x {{ ?a ?b ?c }} }}"),
            ("query", f"ASK {{ ?s ?p trueSERVICE <{url}/x> {{ ?a ?b ?c }} }}"),
            ("query", f'VERSION "1.2" PREFIX e: <{url}/> ASK {{ SERVICEe:x {{ }} }}'),
            ("update", f"PREFIX e: <{url}/> LOADe:loaded"),
        ]
        for name, text in (
            ("query", hidden_service),
            ("update", hidden_load),
            ("query", quoted_service),
            ("update", quoted_load),
            *glued,
        ):
            data = urllib.parse.urlencode({name: text}).encode()
            status, _, message = get(
                f"{base}/sparql", data=data, content_type="application/x-www-form-urlencoded"
            )
            assert status == 403 and "disabled on this endpoint" in message, message
        assert seen == []
        plain = urllib.parse.urlencode({"query": "ASK { ?s ?p 'customer service' }"}).encode()
        status, _, message = get(
            f"{base}/sparql", data=plain, content_type="application/x-www-form-urlencoded"
        )
        assert status == 200  # no expression: read exactly, the word is data
        filtered = "ASK { ?s ?p ?o FILTER(?o = 'customer service') }"
        named = urllib.parse.urlencode({"query": filtered}).encode()
        status, _, message = get(
            f"{base}/sparql", data=named, content_type="application/x-www-form-urlencoded"
        )
        assert status == 403 and "in a string, an IRI or a comment" in message
    finally:
        stop(server, endpoint)
        remote.shutdown()


def test_kg_build_loads_data_that_mentions_service_through_kg_serve(tmp_path):
    """INSERT DATA has no expressions, so its literals may say "debt service" and "debt load"
    (the seed entities do) without the fail-closed word check refusing the load."""
    from conftest import DATA

    from kg.build import build
    from kg.store import open_store

    spec = str(tmp_path / "store")
    build(MINI_DATA, None, spec)
    endpoint = Endpoint(spec, timeout=60, workers=1, allow_update=True)
    server, base = start(endpoint)
    try:
        build(DATA, None, f"{base}/sparql")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?c a kg:Claim }"
        assert client(base, count).convert()["results"]["bindings"][0]["n"]["value"] == "347"
    finally:
        stop(server, endpoint)
    assert open_store(spec).ask("ASK { ?e skos:altLabel 'debt load' }")


def test_triple_terms_are_served_and_read_back_by_a_remote_store(served):
    """A triple term once killed the worker (read as running out of memory, 503)."""
    base, _ = served
    query = "SELECT ?t WHERE { BIND(TRIPLE(ent:japan, rdfs:label, 'Japan'@en) AS ?t) }"
    for _ in range(3):  # the same worker answers again
        status, _, body = get(
            f"{base}/sparql?" + urllib.parse.urlencode({"query": query}),
            accept="application/sparql-results+json",
        )
        assert status == 200, body
        assert json.loads(body)["results"]["bindings"][0]["t"]["type"] == "triple"
    from kg.store import open_store

    (row,) = open_store(f"{base}/sparql").query(query).rows
    term = row["t"]
    assert isinstance(term, ox.Triple) and term.object == ox.Literal("Japan", language="en")


def test_a_request_queued_behind_a_runaway_query_is_answered(seed_store):
    """One worker, stuck on a cross join until its deadline: a query sent meanwhile waits for
    the replacement worker instead of being turned away as busy."""
    endpoint = Endpoint(seed_store.location, timeout=2, workers=1)
    server, base = start(endpoint)
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    answers: dict[str, int] = {}
    try:
        slow = threading.Thread(
            target=lambda: answers.update(
                runaway=get(f"{base}/sparql?" + urllib.parse.urlencode({"query": runaway}))[0]
            )
        )
        slow.start()
        time.sleep(0.5)
        status, _, body = get(f"{base}/sparql?query=ASK%7B%7D")
        slow.join()
    finally:
        stop(server, endpoint)
    assert answers["runaway"] == 503
    assert status == 200 and "true" in body


def test_kg_serve_listens_on_an_ipv6_address(seed_store):
    endpoint = Endpoint(seed_store.location, timeout=10, workers=1)
    server = make_server(endpoint, "::1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, _, body = get(f"http://[::1]:{server.server_port}/sparql?query=ASK%7B%7D")
    finally:
        stop(server, endpoint)
    assert status == 200 and "true" in body


def test_a_client_that_trickles_its_request_is_cut_off(seed_store):
    """The socket's timeout bounds each read; the whole request has a deadline of its own."""
    import socket

    endpoint = Endpoint(seed_store.location, timeout=10, workers=1)
    server, base = start(endpoint)
    server.RequestHandlerClass.request_seconds = 1.0
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as conn:
            conn.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")
            began = time.monotonic()
            closed = False
            for byte in b"Host: 127.0.0.1\r\nX-Slow: " + b"a" * 40:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                time.sleep(0.1)
                conn.setblocking(False)
                try:
                    closed = conn.recv(1) == b""
                except BlockingIOError:
                    pass
                finally:
                    conn.setblocking(True)
                if closed:
                    break
            waited = time.monotonic() - began
        fine = get(f"{base}/sparql?query=ASK%7B%7D")  # others are served as before
    finally:
        stop(server, endpoint)
    assert closed and waited < 3
    assert fine[0] == 200


def test_a_graph_json_ld_cannot_carry_comes_in_the_client_s_next_format(served):
    base, _ = served
    query = "CONSTRUCT { <urn:s> <urn:p> ?t } WHERE { BIND(<<( <urn:a> <urn:b> 'c' )>> AS ?t) }"
    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": query})
    status, headers, body = get(url, "application/ld+json, text/turtle;q=0.5")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle"), body
    status, _, body = get(url, "application/ld+json")
    assert status == 406 and "jsonld cannot carry this graph" in body


def test_a_byte_order_mark_before_a_posted_query_is_not_part_of_it(served):
    base, _ = served
    status, _, body = get(
        f"{base}/sparql", data="\ufeffASK {}".encode(), content_type="application/sparql-query"
    )
    assert status == 200 and "true" in body
