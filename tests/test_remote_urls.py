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
    ],
)
def test_a_url_refused_as_malformed_is_shown_without_its_password(spec):
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["query", "ASK {}", "--store", spec])
    assert result.exit_code == 2 and "u:***@" in result.output
    assert "s3cret" not in result.output
