"""Credentials in store URLs: percent-decoded, sent only to the host they were given for, and
only once it asks for them, in the scheme it asks for. Real HTTP servers on loopback record what
reaches them (Digest against a real server: tests/test_remote.py)."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.store import open_store


def _recording_server(challenge: str | None = 'Basic realm="kg"'):
    seen: list[str | None] = []
    body = b'{"head": {}, "boolean": true}'
    server = _answering(
        200, body, {"Content-Type": "application/sparql-results+json"}, seen, challenge
    )
    return server, seen


def _answering(
    status: int,
    body: bytes,
    headers: dict[str, str],
    seen: list | None = None,
    challenge: str | None = None,
):
    """A loopback server that answers every POST alike; `seen` gets each Authorization. With a
    `challenge`, a request without an Authorization header gets a 401 asking for it."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if seen is not None:
                seen.append(self.headers.get("Authorization"))
            if challenge and not self.headers.get("Authorization"):
                self.send_response(401)
                self.send_header("WWW-Authenticate", challenge)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def two_servers():
    a, seen_a = _recording_server()
    b, seen_b = _recording_server(challenge=None)
    yield (a.server_port, seen_a), (b.server_port, seen_b)
    for server in (a, b):
        server.shutdown()
        server.server_close()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_credentials_are_decoded_and_stay_with_their_host(two_servers):
    (port_a, seen_a), (port_b, seen_b) = two_servers
    store = open_store(
        f"http://al%40x:p%40ss%3Aw@127.0.0.1:{port_a}/sparql "
        f"update=http://127.0.0.1:{port_b}/update"
    )
    assert store.ask("ASK {}") is True
    assert store.ask("ASK {}") is True
    store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    # nothing until the server asks; then Basic, as asked, with every request
    assert seen_a == [None, _basic("al@x", "p@ss:w"), _basic("al@x", "p@ss:w")]
    assert seen_b == [None]  # another host: the query host's password is not sent there


def test_an_update_host_may_have_its_own_credentials(two_servers):
    (port_a, seen_a), (port_b, seen_b) = two_servers
    store = open_store(  # a asks for a login, b does not
        f"http://127.0.0.1:{port_b}/sparql update=http://w:secret@127.0.0.1:{port_a}/update"
    )
    store.ask("ASK {}")
    store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert seen_b == [None] and seen_a == [None, _basic("w", "secret")]


def test_a_redirect_is_not_followed_with_the_credentials(two_servers):
    from kg.errors import StoreError

    (_, _), (port_b, seen_b) = two_servers
    mover = _answering(302, b"", {"Location": f"http://localhost:{port_b}/sparql"})
    try:
        store = open_store(f"http://bob:secret@127.0.0.1:{mover.server_port}/sparql")
        with pytest.raises(StoreError, match=r"redirects \(302\) to http://localhost"):
            store.ask("ASK {}")
    finally:
        mover.shutdown()
    assert seen_b == []


@pytest.mark.parametrize(
    ("body", "ctype"),
    [(b"<html>login portal</html>", "text/html"), (b'{"error": "nope"}', "application/json")],
)
def test_an_answer_that_is_not_sparql_results_is_one_line(body, ctype):
    from click.testing import CliRunner

    from kg.cli import cli

    server = _answering(200, body, {"Content-Type": ctype})
    try:
        url = f"http://127.0.0.1:{server.server_port}/sparql"
        for args in (["query", "ASK {}"], ["summary"], ["claims"]):
            result = CliRunner().invoke(cli, [*args, "--store", url])
            assert result.exit_code == 2, (args, result.output)
            assert "did not answer with SPARQL results" in result.output
            assert result.output.count("\n") == 1
    finally:
        server.shutdown()


def _cli(*args: str):
    from click.testing import CliRunner

    from kg.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_an_answer_with_other_variables_than_asked_is_an_error_not_nulls():
    """A proxy or cache answering another query: `kg claims` wrote records of nulls with exit
    0, and `kg summary` and `kg audit` crashed with a KeyError."""
    body = b'{"head": {"vars": ["foo"]}, "results": {"bindings": [{"foo": {"type": "literal", "value": "1"}}]}}'  # noqa: E501
    server = _answering(200, body, {"Content-Type": "application/sparql-results+json"})
    try:
        url = f"http://127.0.0.1:{server.server_port}/sparql"
        for args in (["summary"], ["claims"], ["audit", "--summary"], ["viz", "--output", "-"]):
            result = _cli(*args, "--store", url)
            assert result.exit_code == 2, (args, result.output)
            assert f"{url} answered without ?" in result.output, (args, result.output)
            assert "(it answered ?foo)" in result.output and result.output.count("\n") == 1
    finally:
        server.shutdown()


def test_an_answer_cut_short_by_the_server_is_one_line_not_a_traceback():
    """The server dies mid-answer: fewer bytes than its Content-Length, then the close."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"head": {"vars": ["n"]}, "results": {"bindings": [')
            self.close_connection = True

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sparql"
        for args in (["query", "SELECT ?n {}"], ["summary"], ["audit", "--summary"]):
            result = _cli(*args, "--store", url)
            assert result.exit_code == 2, (args, result.output)
            assert result.output == (
                f"error: {url} closed the connection before the answer was complete "
                "(51 bytes read)\n"
            )
    finally:
        server.shutdown()


def test_passwords_are_masked_in_what_kg_prints(tmp_path):
    from click.testing import CliRunner
    from conftest import MINI

    from kg.build import build
    from kg.cli import cli
    from kg.serve import Endpoint, make_server

    spec = str(tmp_path / "store")
    build(MINI, None, spec)
    endpoint = Endpoint(spec, timeout=30, workers=1, allow_update=True)
    server = make_server(endpoint, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://alice:p%40ss@127.0.0.1:{server.server_port}/sparql"
        args = ["build", "--data", str(MINI), "--files", "none", "--store", url]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "alice:***@" in result.output and "p%40ss" not in result.output
    finally:
        server.shutdown()
        server.server_close()
        endpoint.pool.close()


def test_a_server_that_does_not_answer_is_given_up_after_the_timeout_option():
    import socket
    import time

    from kg.errors import StoreError

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
    try:
        store = open_store(f"{url} timeout=0.5")
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"was silent for 0.5 s: add timeout=SECONDS"):
            store.ask("ASK {}")
        assert time.monotonic() - started < 5
    finally:
        silent.close()
    for bad in ("timeout=0", "timeout=soon", "timeout=inf", "timeout=-3", "timeout=1e10"):
        with pytest.raises(StoreError, match="timeout= needs seconds above 0"):
            open_store(f"{url} {bad}")


# RFC 7616, section 3.9.1: the same request answered with MD5 and with SHA-256.
RFC_CHALLENGE = {
    "realm": "http-auth@example.org",
    "qop": "auth, auth-int",
    "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
}


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_digest_answers_match_rfc_7616(algorithm, response):
    from kg.remote import _digest

    header = _digest(
        {**RFC_CHALLENGE, "algorithm": algorithm},
        "Mufasa",
        "Circle of Life",
        "GET",
        "http://www.example.org/dir/index.html",
        1,
        cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    )
    assert f'response="{response}"' in header
    assert 'uri="/dir/index.html"' in header and "qop=auth, nc=00000001" in header


def test_a_digest_kg_does_not_speak_is_named():
    from click.testing import CliRunner

    from kg.cli import cli

    challenge = 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-512-256'
    server, seen = _recording_server(challenge)
    try:
        url = f"http://u:p@127.0.0.1:{server.server_port}/sparql"
        result = CliRunner().invoke(cli, ["query", "ASK {}", "--store", url])
    finally:
        server.shutdown()
    assert result.exit_code == 2
    assert "algorithm=SHA-512-256" in result.output and "does not speak" in result.output
    assert seen == [None]  # the password was never sent


@pytest.mark.parametrize(
    "spec",
    [
        "http://u:s3cret@127.0.0.1:abc/sparql",
        "http://u:s3cret@/sparql",
        "http://127.0.0.1:1/sparql update=http://u:s3cret@127.0.0.1:abc/update",
        "http://u:s3cret/x@127.0.0.1:1/sparql",  # a slash ends the user part as parsed
        "http://u:p#s3cret@127.0.0.1:1/sparql",
        "http://127.0.0.1:1/sparql gsp=ftp://u:s3cret@x/",
        "http://127.0.0.1:1/sparql update=u:s3cret",
        "http://u:s3cret x@127.0.0.1:1/sparql",  # a space cuts the spec: the URL ends at s3cret
    ],
)
def test_a_url_refused_as_malformed_is_shown_without_its_password(spec):
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["query", "ASK {}", "--store", spec])
    assert result.exit_code == 2, result.output
    assert "s3cret" not in result.output
    assert "u:***@" in result.output or "@" not in spec


def _scripted(answer):
    """A loopback server; `answer(authorization)` gives (status, WWW-Authenticate values) per
    request, and `seen` records every Authorization header (None when absent)."""
    seen: list[str | None] = []
    body = b'{"head": {}, "boolean": true}'

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            raw = self.headers.get("Authorization")
            auth = raw.encode("latin-1").decode("utf-8") if raw else None
            seen.append(auth)
            status, challenges = answer(auth)
            self.send_response(status)
            for value in challenges:
                self.send_header("WWW-Authenticate", value)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body) if status == 200 else 0))
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def _md5_digest_ok(auth: str, user: str, password: str, nonce: str) -> bool:
    """RFC 7616 MD5 with qop=auth, checked here independently of kg.remote."""
    import hashlib
    import re

    fields = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', auth)}

    def h(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    if fields.get("username") != user or fields.get("nonce") != nonce:
        return False
    ha1 = h(f"{user}:{fields['realm']}:{password}")
    ha2 = h(f"POST:{fields['uri']}")
    expected = h(f"{ha1}:{nonce}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
    return fields.get("response") == expected


DIGEST = 'Digest realm="R", nonce="abc", qop="auth", algorithm=MD5'


def _digest_only(user: str, password: str, nonce: str = "abc"):
    def answer(auth):
        if auth and auth.startswith("Digest ") and _md5_digest_ok(auth, user, password, nonce):
            return 200, []
        return 401, [f'Digest realm="R", nonce="{nonce}", qop="auth", algorithm=MD5']

    return answer


def _ask(port: int, login: str = "u:p", path: str = "/sparql"):
    return open_store(f"http://{login}@127.0.0.1:{port}{path}").ask("ASK {}")


@pytest.mark.parametrize(
    "challenges",
    [
        ['Basic realm="R", ' + DIGEST],  # two challenges in one header
        ['Basic realm="R"', DIGEST],
        ['Digest realm="R", nonce="x", qop="auth", algorithm=SHA-512-256', DIGEST],
        ['Digest\trealm="R", nonce="abc", qop="auth"'],
    ],
)
def test_digest_is_chosen_whenever_offered_and_basic_never_sent(challenges):
    answer = _digest_only("u", "p")
    server, seen = _scripted(lambda auth: answer(auth) if auth else (401, challenges))
    try:
        assert _ask(server.server_port) is True
    finally:
        server.shutdown()
    assert seen[0] is None and seen[1].startswith("Digest ")
    assert not any(s and s.startswith("Basic") for s in seen)


@pytest.mark.parametrize("challenges", [[], ['Bearer realm="R"']])
def test_a_password_is_not_sent_to_a_server_that_asks_for_no_scheme_kg_speaks(challenges):
    from kg.errors import StoreError

    server, seen = _scripted(lambda auth: (401, challenges))
    try:
        with pytest.raises(StoreError, match="which kg does not speak"):
            _ask(server.server_port)
    finally:
        server.shutdown()
    assert seen == [None]


def test_a_server_that_asked_for_digest_never_gets_basic():
    """A downgrade: after Digest worked, a 401 asking for Basic would expose the password."""
    from kg.errors import StoreError

    answer = _digest_only("u", "p")
    calls = []

    def downgrade(auth):
        calls.append(auth)
        return answer(auth) if len(calls) <= 2 else (401, ['Basic realm="R"'])

    server, seen = _scripted(downgrade)
    try:
        store = open_store(f"http://u:p@127.0.0.1:{server.server_port}/sparql")
        assert store.ask("ASK {}") is True
        with pytest.raises(StoreError, match="asked for Digest authentication before"):
            store.ask("ASK {}")
    finally:
        server.shutdown()
    assert not any(s and s.startswith("Basic") for s in seen)


def test_concurrent_first_requests_all_log_in():
    """Threads that all start before any login is known each answer the challenge."""
    from concurrent.futures import ThreadPoolExecutor

    server, _ = _scripted(_digest_only("u", "p"))
    try:
        store = open_store(f"http://u:p@127.0.0.1:{server.server_port}/sparql")
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda _: store.ask("ASK {}"), range(30)))
    finally:
        server.shutdown()
    assert answers == [True] * 30


def test_a_digest_user_name_is_sent_as_utf_8():
    server, seen = _scripted(_digest_only("jürgen", "pässwörd"))
    try:
        assert _ask(server.server_port, "j%C3%BCrgen:p%C3%A4ssw%C3%B6rd") is True
    finally:
        server.shutdown()
    assert 'username="jürgen"' in seen[-1]


def test_an_update_url_on_the_same_host_keeps_its_own_login():
    """Two endpoints of one server, two accounts: each URL gets the login written in it."""
    answer = _digest_only("reader", "r")
    writer = _digest_only("writer", "w")
    server, seen = _scripted(
        lambda auth: answer(auth) if not auth or "reader" in auth else writer(auth)
    )
    try:
        port = server.server_port
        store = open_store(
            f"http://reader:r@127.0.0.1:{port}/sparql update=http://writer:w@127.0.0.1:{port}/update"
        )
        assert store.ask("ASK {}") is True
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    finally:
        server.shutdown()
    assert any(s and 'username="writer"' in s for s in seen)


def test_an_html_error_page_is_shown_as_its_text():
    from kg.errors import StoreError

    page = (
        b"<html><head><title>403 Forbidden</title><style>h1 {color: red}</style></head>"
        b"<body><h1>No permission</h1><p>to write graph urn:x</p></body></html>"
    )
    server = _answering(403, page, {"Content-Type": "text/html; charset=utf-8"})
    try:
        with pytest.raises(StoreError) as caught:
            open_store(f"http://127.0.0.1:{server.server_port}/sparql").ask("ASK {}")
    finally:
        server.shutdown()
    message = str(caught.value)
    assert "answered 403" in message and "No permission" in message and "urn:x" in message
    assert "<" not in message and "color" not in message


def test_a_build_stopped_while_loading_a_server_says_what_it_left():
    """Ctrl-C during `kg build --store URL` left a half-loaded server and said only
    "interrupted"; a server failing there said to build again, and so does this now."""
    import signal
    import subprocess
    import sys
    import urllib.parse

    from conftest import DATA, default_signals

    loading, release = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])))
            text = (form.get(b"query") or form.get(b"update") or [b""])[0].decode()
            if text.lstrip().startswith(("PREFIX", "ASK", "SELECT")) and b"query" in form:
                answer = (
                    b'{"head": {}, "boolean": true}'
                    if "ASK" in text
                    else b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                return
            if "INSERT DATA" in text and "build-probe" not in text:
                loading.set()  # the real graph: hold it, as a large load would
                release.wait(30)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/sparql"
    args = ["build", "--data", str(DATA), "--files", "none", "--no-validate", "--store", url]
    build = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_signals,
    )
    try:
        assert loading.wait(120), "the build never started loading"
        build.send_signal(signal.SIGINT)
        _, err = build.communicate(timeout=60)
    finally:
        release.set()
        build.kill()
        server.shutdown()
    assert build.returncode == 130
    assert err == (
        "interrupted (the server now holds part of the old or the new graph: run kg build again)\n"
    )


def test_a_front_answers_a_failing_server_as_a_gateway_and_logs_why(capfd):
    """kg serve --store URL answered 500 with the server's URL and login advice to any
    client; a gateway answers 502 (504 when the server is silent), the operator's log says why."""
    import urllib.parse

    from test_serve import get, start, stop

    from kg.serve import Endpoint

    failing = _answering(401, b"", {"WWW-Authenticate": 'Basic realm="x"'})
    refusing = _answering(400, b"Parse error: secret-detail", {"Content-Type": "text/plain"})

    class Silent(BaseHTTPRequestHandler):
        def do_POST(self):
            threading.Event().wait(5)

        def log_message(self, *args):
            pass

    silent = ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    threading.Thread(target=silent.serve_forever, daemon=True).start()
    query = "?" + urllib.parse.urlencode({"query": "ASK {}"})
    try:
        for upstream, status in (
            (f"http://127.0.0.1:{failing.server_port}/sparql", 502),
            (f"http://127.0.0.1:{refusing.server_port}/sparql", 400),  # a query kg reads
            (f"http://127.0.0.1:{silent.server_port}/sparql timeout=1", 504),
        ):
            endpoint = Endpoint(upstream, timeout=20, workers=1)
            server, base = start(endpoint)
            try:
                answer = get(f"{base}/sparql{query}")
            finally:
                stop(server, endpoint)
            assert answer[0] == status, answer
            assert answer[2].startswith("the SPARQL server behind this endpoint")
            assert "127.0.0.1" not in answer[2] and "user name" not in answer[2]
            assert "secret" not in answer[2]
            assert upstream.split()[0] in capfd.readouterr().err  # the operator's log
    finally:
        failing.shutdown()
        refusing.shutdown()
        silent.shutdown()


def test_a_front_says_at_start_that_its_server_cannot_be_reached():
    from test_serve import get, kg_serve

    with kg_serve("http://127.0.0.1:1/sparql") as (server, base):
        warning = server.stderr.readline().decode()
        assert warning.startswith("warning: the server behind this endpoint did not answer")
        assert "cannot reach http://127.0.0.1:1/sparql" in warning
        assert get(f"{base}/sparql?query=ASK%7B%7D")[0] == 502  # and it serves all the same


def test_a_front_serves_at_once_while_its_server_is_silent():
    """The start-up check waited for a silent server (up to its timeout, 120 s by default)
    before serving even the query page."""
    import time

    from test_serve import get, kg_serve

    released = threading.Event()

    class Silent(BaseHTTPRequestHandler):
        def do_POST(self):
            released.wait(30)

        def log_message(self, *args):
            pass

    silent = ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    threading.Thread(target=silent.serve_forever, daemon=True).start()
    try:
        with kg_serve(f"http://127.0.0.1:{silent.server_port}/sparql") as (_, base):
            started = time.monotonic()
            assert get(f"{base}/")[0] == 200
            assert time.monotonic() - started < 10
    finally:
        released.set()
        silent.shutdown()
