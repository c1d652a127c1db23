"""`kg serve`: the graph as a SPARQL 1.1 Protocol endpoint, with a query page beside it.

- ``/sparql``: queries by GET (``?query=``) or POST (form-encoded, or
  ``application/sparql-query``); the result format by content negotiation (``Accept``) or
  ``?format=json|xml|csv|tsv|ttl|nt|jsonld``. Updates (POST ``update=`` or
  ``application/sparql-update``) only with `allow_update`. With no parameters and an RDF
  format in ``Accept`` (``text/turtle``): a SPARQL 1.1 Service Description.
- Read-only by default. SERVICE (the engine would fetch any URL a query names), LOAD and
  updates are refused with 403 unless enabled. Every query runs in a worker process with a
  deadline (`kg.pool`): a runaway query is stopped with 503 and a clear message, and the
  server keeps serving. Answers are cut at `limit` rows (header ``X-KG-Truncated``).
- ``/``: a query page (YASGUI, vendored in `kg/web`, works offline); ``/queries``: the saved
  queries as JSON; ``/graph``: the HTML graph view, when `kg viz` has made it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
import socket
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from kg.errors import KgError, QueryError
from kg.negotiation import (
    FORMAT_NAMES,
    NotAcceptable,
    description_format,
    negotiate,
    requested_format,
)
from kg.pool import QueryPool, QueryTimeout
from kg.results import ResultFormat
from kg.sparql import called_functions, glued, keywords, mentions, query_form

__all__ = ["Endpoint", "make_server", "upstream_problem"]

DEFAULT_VIZ = Path("visualizations/seed-graph.html")
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
STATIC = {
    "/yasgui.min.js": ("yasgui.min.js", "text/javascript; charset=utf-8"),
    "/yasgui.min.css": ("yasgui.min.css", "text/css; charset=utf-8"),
}


class Refused(KgError):
    """The endpoint's policy forbids this request (403)."""


class InFlight:
    """How many requests are being answered, so that a server told to stop (SIGTERM from
    systemd or `docker stop`) can let them finish rather than answer them 500."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()
        self.listener: socket.socket | None = None  # the server's, closed when the drain starts

    def begin(self) -> None:
        with self._changed:
            self._count += 1

    def end(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def drain(self, seconds: float) -> bool:
        """Stop listening, then wait until none is left, at most `seconds`; whether none is.
        A client that comes during the drain is refused at once: left in the listening queue,
        it would wait out the drain and then be reset."""
        if self.listener is not None:
            self.listener.close()
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout=seconds)


@dataclass
class Endpoint:
    """What `kg serve` serves and what it allows."""

    store: str
    timeout: float = 30.0
    limit: int = 10_000
    workers: int = 2
    allow_update: bool = False
    allow_service: bool = False
    allow_load: bool = False
    viz: Path = DEFAULT_VIZ
    memory_mb: int | None = 4096  # per worker; None: no limit
    pool: QueryPool | None = field(default=None, repr=False)
    in_flight: InFlight = field(default_factory=InFlight, repr=False)

    def start(self) -> None:
        embedded_writer = self.allow_update and not self.store.startswith(("http:", "https:"))
        self.pool = QueryPool(
            self.store,
            size=1 if embedded_writer else self.workers,  # one writer owns an embedded store
            timeout=self.timeout,
            writable=embedded_writer,
            memory_mb=self.memory_mb,
        )

    def description(self, url: str, fmt: ResultFormat) -> bytes:
        """A SPARQL 1.1 Service Description of the endpoint at `url`, in `fmt`."""
        import pyoxigraph as ox

        from kg.results import Result, serialise

        service, a = ox.BlankNode("service"), ox.NamedNode(RDF_TYPE)
        languages = ["SPARQL11Query"] + (["SPARQL11Update"] if self.allow_update else [])
        triples = [
            ox.Triple(service, a, ox.NamedNode(SD + "Service")),
            ox.Triple(service, ox.NamedNode(SD + "endpoint"), ox.NamedNode(url)),
            *(
                ox.Triple(service, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + name))
                for name in languages
            ),
            # the default graph is the union of the named graphs
            ox.Triple(
                service, ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "UnionDefaultGraph")
            ),
            *(
                ox.Triple(service, ox.NamedNode(SD + "resultFormat"), ox.NamedNode(FORMATS + name))
                for name in FORMAT_NAMES.values()
            ),
        ]
        return serialise(Result.graph(triples), fmt, {"sd": SD, "formats": FORMATS})

    def check(self, text: str, update: bool) -> str:
        """The query form, or `Refused` when the policy forbids the request."""
        words = keywords(text)
        if "\\" in words:
            raise Refused("codepoint escapes (\\u...) outside strings are not accepted")
        if not self.allow_service:
            _refuse_word(text, words, "SERVICE", "--allow-service")
        if update:
            if not self.allow_update:
                raise Refused("this endpoint is read-only (kg serve --allow-update)")
            if not self.allow_load:
                _refuse_word(text, words, "LOAD", "--allow-load")
            return "UPDATE"
        form = query_form(text)
        if form == "UPDATE":
            raise QueryError("an update sent as a query: POST it as update=")
        if self.store.startswith(("http:", "https:")):
            _standard_only(text)
        return form


# Where `<` may be a comparison rather than an IRI, and so where this module's tokenizer and
# the engine may read a request differently: inside expressions, which only these open, and in
# RDF 1.2's quoted triples (`<<`).
EXPRESSIONS = {"FILTER", "BIND", "HAVING", "ORDER", "GROUP", "SELECT"}


def _refuse_word(text: str, words: set[str], word: str, option: str) -> None:
    """Refuse `word` as a keyword; and, where the request has expressions or quoted triples
    (see `EXPRESSIONS`), wherever it appears. Before the first point where two readings of a
    request differ both read the same, so a request with neither is read as the engine reads
    it, and its strings may say "debt service" (kg build's INSERT DATA does)."""
    if glued(words, word):
        raise Refused(f"{word} is disabled on this endpoint (kg serve {option})")
    if (words & EXPRESSIONS or "<<" in text) and mentions(text, word):
        raise Refused(
            f"{word} is disabled on this endpoint (kg serve {option}), and the word appears in "
            "this request (in a string, an IRI or a comment, perhaps): it is refused wherever "
            "it appears, since a request that hides it from this check must not reach the engine"
        )


# Functions any SPARQL engine knows: XPath's and the XSD casts. A server behind kg serve may
# know more, and some fetch URLs (Virtuoso's bif:http_get), so a front calls no others.
STANDARD_FUNCTIONS = (
    "http://www.w3.org/2005/xpath-functions#",
    "http://www.w3.org/2001/XMLSchema#",
)


def _standard_only(text: str) -> None:
    """Refuse, in front of another server, what kg cannot check: a query Oxigraph cannot read
    (a server's own syntax, as Virtuoso's OPTION and DEFINE pragmas, which can make it fetch
    a URL), and calls to functions that are not standard (`STANDARD_FUNCTIONS`)."""
    from kg.store import EmbeddedStore

    for iri in called_functions(text):
        if not iri.startswith(STANDARD_FUNCTIONS):
            raise Refused(
                f"the function <{iri}> is refused in front of another server: only standard "
                "SPARQL and XPath functions are forwarded (a server's own functions may fetch "
                "URLs, as Virtuoso's bif:http_get does)"
            )
    try:
        EmbeddedStore(None).query(text)  # an empty store: parsed and planned, nothing read
    except (QueryError, RuntimeError) as exc:
        raise QueryError(
            f"{exc} (in front of another server, kg serve forwards only standard SPARQL)"
        ) from None


def _query_string(text: str) -> dict[str, list[str]]:
    """Parameters of a query string or form; `BadRequest` when they are not UTF-8 once
    percent-decoded (replacing the bytes would run a query the client did not send). An empty
    query= or update= is kept, to be named as empty; other empty values mean nothing."""
    try:
        given = urllib.parse.parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("the request's parameters are not UTF-8 once percent-decoded") from None
    kept = {k: v if k in ("query", "update") else [x for x in v if x] for k, v in given.items()}
    return {k: v for k, v in kept.items() if v}


class BadRequest(KgError):
    """A request the protocol cannot read (HTTP 400)."""


# The protocol's way to choose graphs; kg serve answers over the union of its graphs and
# leaves the choice to FROM and FROM NAMED in the query, so it refuses these plainly.
DATASET_PARAMS = (
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
)
MAX_BODY = 10 * 1024 * 1024
ALLOWED = "GET, HEAD, POST, OPTIONS"


class Handler(BaseHTTPRequestHandler):
    endpoint: Endpoint
    server_version = "kg-serve"
    timeout = 60  # seconds a client may stay silent (the socket's)
    request_seconds = 60.0  # seconds a client may take to send a whole request

    def log_message(self, format: str, *args) -> None:
        pass  # quiet; the CLI prints the address

    def handle_one_request(self) -> None:
        # The socket's timeout bounds each read, not the request: a client sending a byte
        # every few seconds would hold a thread for ever. Past the deadline the connection is
        # closed; `_received` stops the clock once the request is in.
        self._deadline = threading.Timer(self.request_seconds, self._hang_up)
        self._deadline.daemon = True
        self._deadline.start()
        self._counted = False
        try:
            super().handle_one_request()
        finally:
            self._deadline.cancel()
            if self._counted:
                self.endpoint.in_flight.end()

    def parse_request(self) -> bool:
        # A request line has arrived: from here the request counts as under way (a
        # connection kept open between requests does not)
        self.endpoint.in_flight.begin()
        self._counted = True
        return super().parse_request()

    def _hang_up(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _received(self) -> None:
        self._deadline.cancel()

    def _send(self, status: int, body: bytes, content_type: str, extra=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-KG-Truncated")  # to other origins
        self.send_header("Vary", "Accept")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8")

    def do_GET(self) -> None:
        self._received()
        try:
            self._get()
        except BadRequest as exc:
            self._text(400, str(exc))

    def do_POST(self) -> None:
        try:
            self._post()
        except BadRequest as exc:
            self._text(400, str(exc))

    def _url(self) -> urllib.parse.SplitResult:
        """The request's URL, read as UTF-8. http.server reads the request line as Latin-1,
        which would turn "Café" sent as raw bytes into "CafÃ©"."""
        try:
            return urllib.parse.urlsplit(self.path.encode("latin-1").decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise BadRequest(f"the request's URL is not UTF-8 (byte {exc.start})") from None

    def _endpoint_url(self) -> str:
        """This endpoint's URL, by the name the client used (Host) where it is one."""
        import pyoxigraph as ox

        host = self.headers.get("Host") or ""
        # a name or address and a port, nothing else: the header is the client's to write
        if re.fullmatch(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?", host):
            with contextlib.suppress(ValueError):
                return ox.NamedNode(f"http://{host}/sparql").value
        address = self.server.server_address
        assert isinstance(address, tuple)
        name = f"[{address[0]}]" if ":" in str(address[0]) else address[0]
        return f"http://{name}:{address[1]}/sparql"

    def _get(self) -> None:
        url = self._url()
        if url.path == "/sparql":
            params = _query_string(url.query)
            if "query" not in params and "update" in params:
                read_only = "" if self.endpoint.allow_update else " (and this one is read-only)"
                self._text(
                    400,
                    "an update must be sent with POST, as update= in a form or as "
                    f"application/sparql-update{read_only}",
                )
                return
            if not params and (fmt := description_format(self.headers.get("Accept"))):
                body = self.endpoint.description(self._endpoint_url(), fmt)
                self._send(200, body, fmt.media_type)
                return
            if "query" not in params:
                self._text(400, "missing query= parameter")
                return
            if self._dataset_refused(params) or self._ambiguous(params):
                return
            self._sparql(params["query"][0], False, requested_format(params))
        elif url.path == "/":
            self._send(200, _page(), "text/html; charset=utf-8")
        elif url.path in STATIC:
            name, content_type = STATIC[url.path]
            body = (resources.files("kg") / "web" / name).read_bytes()
            self._send(200, body, content_type)
        elif url.path == "/queries":
            from kg.saved import saved_queries

            listing = [
                q.model_dump(include={"name", "description", "params", "text"})
                for q in saved_queries().values()
            ]
            self._send(200, json.dumps(listing).encode(), "application/json")
        elif url.path == "/graph":
            viz = self.endpoint.viz
            if viz.is_file():
                self._send(200, viz.read_bytes(), "text/html; charset=utf-8")
            else:
                self._text(404, f"no graph view at {viz}: make it with `kg viz`")
        else:
            self._text(404, "not found: try / (query page) or /sparql")

    do_HEAD = do_GET

    def do_OPTIONS(self) -> None:
        """CORS preflight, so a page elsewhere can POST application/sparql-query."""
        self._send(
            204,
            b"",
            "text/plain",
            {
                "Allow": ALLOWED,
                "Access-Control-Allow-Methods": ALLOWED,
                "Access-Control-Allow-Headers": "Content-Type, Accept",
            },
        )

    def _not_allowed(self) -> None:
        self._send(405, b"use GET or POST\n", "text/plain; charset=utf-8", {"Allow": ALLOWED})

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    def _post(self) -> None:
        url = self._url()
        if url.path != "/sparql":
            self._text(404, "not found: POST queries to /sparql")
            return
        if self.headers.get("Transfer-Encoding"):
            # a body of unknown size could not be refused before it is read
            self._text(411, "send the body with a Content-Length, not chunked")
            return
        lengths = set(self.headers.get_all("Content-Length") or ["0"])
        try:
            length = int(lengths.pop()) if len(lengths) == 1 else -1  # two: which? (RFC 9112)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True  # where this body ends is unknown
            self._text(400, "bad Content-Length (one, a whole number)")
            return
        if length > MAX_BODY:
            self._text(413, f"request body over {MAX_BODY // 1024 // 1024} MB")
            return
        raw = self.rfile.read(length)
        self._received()
        if len(raw) < length:  # the client went away, or took too long
            self.close_connection = True
            return
        try:
            body = raw.decode("utf-8").removeprefix("\ufeff")  # a byte-order mark is no query
        except UnicodeDecodeError as exc:
            self._text(400, f"the request body is not UTF-8 (byte {exc.start})")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = _query_string(url.query)
        if given := [name for name in ("query", "update") if name in params]:
            # SPARQL 1.1 Protocol: a POST carries the operation in its body only
            self._text(400, f"{given[0]}= in the URL of a POST: send the operation in the body")
            return
        form: dict[str, list[str]] = {}
        if ctype == "application/x-www-form-urlencoded":
            form = _query_string(body)
            params.update(form)
        if self._dataset_refused(params) or self._ambiguous(params):
            return
        fmt = requested_format(params)
        if ctype == "application/sparql-query":
            self._sparql(body, False, fmt)
        elif ctype == "application/sparql-update":
            self._sparql(body, True, fmt)
        elif ctype == "application/x-www-form-urlencoded":
            if "update" in form:
                self._sparql(form["update"][0], True, fmt)
            elif "query" in form:
                self._sparql(form["query"][0], False, fmt)
            else:
                self._text(400, "expected query= or update=")
        else:
            self._text(415, f"unsupported Content-Type {ctype!r}")

    def _ambiguous(self, params: dict[str, list[str]]) -> bool:
        """A request naming more than one operation (query= twice, query= and update=) is
        refused: which one a server runs differs between servers, and a log would show the
        other."""
        given = [name for name in ("query", "update") for _ in params.get(name, ())]
        several = [name for name in set(given) if given.count(name) > 1]
        if several or ("query" in given and "update" in given):
            what = f"{several[0]}= given twice" if several else "both query= and update="
            self._text(400, f"{what}: send one operation")
            return True
        return False

    def _dataset_refused(self, params: dict[str, list[str]]) -> bool:
        given = [name for name in DATASET_PARAMS if name in params]
        if given:
            self._text(
                400,
                f"{given[0]} is not supported here: name graphs with FROM, FROM NAMED or GRAPH "
                "in the query (the default graph is the union of all graphs)",
            )
        return bool(given)

    def _check_update_origin(self) -> None:
        """A page on another site may read answers (CORS), never write. The Host header must
        name this server by address, as `localhost` or as the --host it was started with:
        a page on a name of the attacker's that resolves here (DNS rebinding) sends its own
        name as Host, and would pass an Origin-equals-Host test."""
        host = self.headers.get("Host") or ""
        name = urllib.parse.urlsplit(f"//{host}").hostname or ""
        address = self.server.server_address
        bound = str(address[0]).lower() if isinstance(address, tuple) else ""
        if not (name in ("localhost", bound, socket.gethostname().lower()) or _is_address(name)):
            raise Refused(f"updates addressed to host {host!r} are refused: use the address")
        origin = self.headers.get("Origin")
        if origin and urllib.parse.urlsplit(origin).netloc != host:
            raise Refused(f"updates from pages on {origin} are refused")

    def _sparql(self, text: str, update: bool, fmt: str | None) -> None:
        endpoint = self.endpoint
        assert endpoint.pool is not None
        if not update and not text.strip():
            self._text(400, "the query is empty")
            return
        try:
            form = endpoint.check(text, update)
            if update:
                self._check_update_origin()
            chosen = (
                ResultFormat.json if update else negotiate(self.headers.get("Accept"), form, fmt)
            )
            answer = endpoint.pool.run(
                "update" if update else "query", text, chosen, endpoint.limit
            )
            if answer.status == 406 and not fmt and not update:
                # XML cannot carry the answer (a control character): the client's next choice
                with contextlib.suppress(NotAcceptable):
                    other = negotiate(self.headers.get("Accept"), form, skip=frozenset({chosen}))
                    answer = endpoint.pool.run("query", text, other, endpoint.limit)
        except Refused as exc:
            self._text(403, str(exc))
            return
        except NotAcceptable as exc:
            self._text(406, str(exc))
            return
        except QueryError as exc:
            self._text(400, str(exc))
            return
        except QueryTimeout as exc:
            self._text(503, str(exc))
            return
        except KgError as exc:
            self._text(500, str(exc))
            return
        extra = (
            {"X-KG-Truncated": f"results cut at {endpoint.limit} rows"} if answer.truncated else {}
        )
        self._send(answer.status, answer.body, answer.content_type, extra)


def upstream_problem(store: str) -> str | None:
    """Why the server behind a front does not answer a first query, or None when it does."""
    from kg.store import open_store

    try:
        open_store(store).ask("ASK {}")
    except KgError as exc:
        return f"the server behind this endpoint did not answer ASK {{}}: {exc}"
    return None


def _page() -> bytes:
    """The query page, with the prefixes the server predeclares (`kg.namespace.PREFIXES`):
    the page lists them, and its editor knows them."""
    from kg.namespace import PREFIXES

    page = (resources.files("kg") / "web" / "index.html").read_text(encoding="utf-8")
    prefixes = json.dumps(PREFIXES).replace("</", "<\\/")  # inside a <script>
    return page.replace("{{PREFIXES}}", prefixes).encode()


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client that went away (or a server stopping under a request) is not news;
        anything else is, with its traceback, as the standard library prints it."""
        if isinstance(sys.exc_info()[1], ConnectionError | EOFError):
            return
        super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(
    endpoint: Endpoint, host: str = "127.0.0.1", port: int = 7878
) -> ThreadingHTTPServer:
    """A ready server (call `serve_forever`); `port=0` picks a free port."""
    handler = type("BoundHandler", (Handler,), {"endpoint": endpoint})
    server_class = _Server6 if ":" in host else _Server  # an IPv6 address: ::1, ::
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    endpoint.start()
    endpoint.in_flight.listener = server.socket
    return server
