"""A SPARQL 1.1 server as the graph store: Virtuoso, Fuseki, GraphDB, Oxigraph server, ...

Queries go over the SPARQL 1.1 Protocol (POST, form-encoded) with the predeclared prefixes
prepended; parameters are substituted as RDF terms for their variables (`kg.sparql.substitute`).
Loads send large graphs through the Graph Store Protocol when a `gsp=` URL is given, and
everything else as batched `INSERT DATA` updates. See docs/stores.md for each server.

>>> s = remote_store("http://u:p@localhost:8890/sparql gsp=http://localhost:8890/sparql-graph-crud")
>>> (s.query_url, s.update_url, s.gsp_url, s.location)
('http://localhost:8890/sparql', 'http://localhost:8890/sparql', \
'http://localhost:8890/sparql-graph-crud', 'http://localhost:8890/sparql')
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any, cast

import pyoxigraph as ox

from kg.errors import InputError, QueryError, QueryRefused, StoreError, StoreTimeout
from kg.namespace import BASE, PREFIXES
from kg.results import Result, Row, Value
from kg.sparql import glued, keywords, projection, query_form, substitute, tokens
from kg.store import Store, Term

__all__ = ["RemoteStore", "remote_store"]

JSON_RESULTS = "application/sparql-results+json"
GSP_MIN_TRIPLES = 500  # smaller graphs go in batched INSERT DATA: one request for many graphs
BATCH_BYTES = 1_000_000
DROP_BATCH = 25
BATCH_TRIPLES = 250  # Virtuoso turns an update into SQL and refuses past 10 000 lines
PART_LOADED = "the server now holds part of the old or the new graph: run kg build again"


def _prologue() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def _term_from_json(b: dict[str, Any]) -> Value:
    kind = b["type"]
    if kind == "triple":  # RDF 1.2 triple terms (SPARQL 1.2 JSON results)
        parts = b["value"]
        s, p = _term_from_json(parts["subject"]), _term_from_json(parts["predicate"])
        if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
            raise ValueError("a triple term with a literal subject or a non-IRI predicate")
        return ox.Triple(s, p, _term_from_json(parts["object"]))
    if kind == "uri":
        return ox.NamedNode(b["value"])
    if kind == "bnode":
        return ox.BlankNode(b["value"])
    if "xml:lang" in b:
        if "its:dir" in b:  # RDF 1.2: "x"@ar--rtl
            direction = ox.BaseDirection.RTL if b["its:dir"] == "rtl" else ox.BaseDirection.LTR
            return ox.Literal(b["value"], language=b["xml:lang"], direction=direction)
        return ox.Literal(b["value"], language=b["xml:lang"])
    if "datatype" in b:
        return ox.Literal(b["value"], datatype=ox.NamedNode(b["datatype"]))
    return ox.Literal(b["value"])


def _unprefixed(error: QueryError, text: str) -> QueryError:
    """A server's "line N" counts the prefix lines kg puts before the query: count the
    user's lines instead (text substituted for bindings has as many lines as the query).

    >>> str(_unprefixed(QueryError("SP030: line 21: syntax error"), "SELECT"))
    'SP030: line 3 of the query: syntax error'
    """
    shift = _prologue().count("\n")

    def line(m: re.Match[str]) -> str:
        n = int(m[1]) - shift
        return f"line {n} of the query" if n >= 1 else m[0]

    return QueryError(re.sub(r"\bline (\d+)", line, str(error)))


def _local_position(query: str) -> QueryError | None:
    """Parse a refused query with Oxigraph (on an empty store) for a line and column."""
    from kg.store import EmbeddedStore

    if glued(keywords(query), "SERVICE"):  # an empty store would still call the service
        return None
    try:
        EmbeddedStore(None).query(query)
    except QueryError as exc:
        return exc
    return None


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol endpoint; updates through the same or a separate URL."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 120.0,
        credentials: dict[str, tuple[str, str | None]] | None = None,
    ) -> None:
        self.location = query_url
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout = timeout
        # Credentials go only where they were given: `user`/`password` to the query URL's
        # host (and update or GSP URLs on it that carry none of their own), `credentials` to
        # the URL (scheme://host:port/path) they were written in.
        logins = dict(credentials or {})
        if user:
            logins[urllib.parse.urlsplit(query_url).netloc] = (user, password)
        self._logins = {where: _Login(u, p or "") for where, (u, p) in logins.items()}

    def _request(
        self, url: str, data: bytes, content_type: str, accept: str, *, is_query: bool = False
    ) -> tuple[bytes, str]:
        login = self._login_for(url)
        auth = login.authorization("POST", url) if login else None
        try:
            try:
                resp = self._send(url, data, content_type, accept, auth)
            except urllib.error.HTTPError as exc:
                # Credentials go only where asked for (a 401 naming the scheme), and a Digest
                # server answers a stale nonce with a new one: answer once.
                offers = exc.headers.get_all("WWW-Authenticate") or []
                if not (login and exc.code == 401 and login.challenged(offers, auth)):
                    raise
                exc.close()
                auth = login.authorization("POST", url)
                resp = self._send(url, data, content_type, accept, auth)
            with resp:
                if cut := resp.headers.get("X-KG-Truncated"):
                    # a silently shortened answer would read as a complete one (kg serve --limit)
                    raise StoreError(
                        f"{url} {cut}, so the answer would be incomplete: narrow the query, "
                        "or raise the server's limit (kg serve --limit)"
                    )
                if (cap := resp.headers.get("X-SPARQL-MaxRows")) and not _within(data, cap):
                    # Virtuoso's ResultSetMaxRows: the rows stop there, with only this header
                    raise StoreError(
                        f"{url} stopped the answer at its row limit ({cap} rows, "
                        "X-SPARQL-MaxRows), so it may be incomplete: narrow the query, or "
                        "raise the server's limit (Virtuoso: [SPARQL] ResultSetMaxRows)"
                    )
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                where = exc.headers.get("Location", "elsewhere")
                raise StoreError(
                    f"{url} redirects ({exc.code}) to {where}: give that URL as the store "
                    "(kg does not follow redirects, which would send the credentials on and "
                    "turn a POST into a GET)"
                ) from None
            text = exc.read().decode("utf-8", "replace")
            if "<" in text and "html" in (exc.headers.get("Content-Type") or "").lower():
                text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]*>", " ", text, flags=re.S | re.I)
            body = [line.strip() for line in text.strip().splitlines() if line.strip()]
            detail = " ".join(body[:3])[:300] or exc.reason
            if exc.code == 401:
                offers = exc.headers.get_all("WWW-Authenticate") or []
                raise StoreError(_refused_login(url, offers, login, auth)) from None
            if exc.code == 400 and is_query:
                raise QueryError(f"{url} refused the query (400): {detail}") from None
            raise StoreError(f"{url} answered {exc.code}: {detail}") from None
        except http.client.HTTPException as exc:  # raised by read(), which nothing above wraps
            if isinstance(exc, http.client.IncompleteRead):
                raise StoreError(
                    f"{url} closed the connection before the answer was complete "
                    f"({len(exc.partial):,} bytes read)"
                ) from None
            raise StoreError(f"{url} sent a broken HTTP answer: {type(exc).__name__}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise StoreTimeout(
                    f"{url} was silent for {self.timeout:g} s: add timeout=SECONDS to the "
                    "store to wait longer"
                ) from None
            raise StoreError(f"cannot reach {url}: {reason}") from None

    def _login_for(self, url: str) -> _Login | None:
        """The login written in this URL, else the one for its host (from the query URL)."""
        parts = urllib.parse.urlsplit(url)
        own = self._logins.get(f"{parts.scheme}://{parts.netloc}{parts.path}")
        return own or self._logins.get(parts.netloc)

    def _send(
        self, url: str, data: bytes, content_type: str, accept: str, auth: str | None
    ) -> http.client.HTTPResponse:
        headers = {"Content-Type": content_type, "Accept": accept}
        if auth:
            # as UTF-8 bytes, as curl sends them: http.client would encode a str as Latin-1,
            # and a Digest hash is over the UTF-8 of a user name such as "jürgen"
            headers["Authorization"] = cast(str, auth.encode("utf-8"))
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
        return _OPENER.open(req, timeout=self.timeout)

    def query(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        form = query_form(query)
        if form == "UPDATE":
            raise QueryError("this is an update, not a query")
        text = substitute(query, bindings) if bindings else query
        accept = JSON_RESULTS if form in ("SELECT", "ASK") else "application/n-triples"
        data = urllib.parse.urlencode({"query": _prologue() + text}).encode()
        try:
            raw, ctype = self._request(
                self.query_url, data, "application/x-www-form-urlencoded", accept, is_query=True
            )
        except QueryError as refused:
            raise _local_position(query) or QueryRefused(str(_unprefixed(refused, text))) from None
        try:
            if form in ("SELECT", "ASK"):
                doc = json.loads(raw)
                if "boolean" in doc:
                    return Result.ask(bool(doc["boolean"]))
                names = doc["head"].get("vars", [])
                if missing := [n for n in projection(text) or () if n not in names]:
                    # every kg query reads its variables by name: a server answering others
                    # (a proxy, another query's cache) would give nulls or a crash, not an error
                    raise StoreError(
                        f"{self.query_url} answered without "
                        f"{', '.join('?' + n for n in missing)}, which the query asks for "
                        f"(it answered {', '.join('?' + n for n in names) or 'no variables'})"
                    )
                rows: list[Row] = [
                    {n: _term_from_json(b[n]) if n in b else None for n in names}
                    for b in doc["results"]["bindings"]
                ]
                return Result.solutions(names, rows)
            # Servers answer N-Triples as application/n-triples or text/plain (Virtuoso).
            media = ctype.split(";")[0].strip()
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            quads = ox.parse(raw, format=fmt)  # yields quads, in the default graph
            return Result.graph([ox.Triple(q.subject, q.predicate, q.object) for q in quads])
        except (ValueError, KeyError, TypeError, AttributeError, SyntaxError) as exc:
            # a login page or an error document answered with 200
            shown = ctype.split(";")[0] or "no content type"
            raise StoreError(
                f"{self.query_url} did not answer with SPARQL results ({shown}: {exc})"
            ) from None

    def update(self, update: str) -> None:
        data = urllib.parse.urlencode({"update": _prologue() + update}).encode()
        try:
            self._request(self.update_url, data, "application/x-www-form-urlencoded", "*/*")
        except StoreError as exc:
            if self.update_url == self.query_url and " answered 400" in str(exc):
                # Oxigraph server and Fuseki take updates at another URL than queries
                exc.message += (
                    " (updates went to the query URL, as no update= was given: if the server"
                    " takes them elsewhere, add update=URL to the store)"
                )
            raise

    def _gsp_post(self, graph: str, ntriples: str) -> None:
        assert self.gsp_url is not None
        sep = "&" if "?" in self.gsp_url else "?"
        url = self.gsp_url + sep + urllib.parse.urlencode({"graph": graph})
        self._request(url, ntriples.encode(), "application/n-triples", "*/*")

    def load_nquads(self, data: bytes) -> None:
        by_graph: dict[str, list[str]] = defaultdict(list)
        for quad in _quads(data):
            g = quad.graph_name
            key = g.value if isinstance(g, ox.NamedNode) else ""
            by_graph[key].append(f"{quad.subject} {quad.predicate} {quad.object} .")
        batch: list[str] = []
        size = count = 0
        for graph, triples in sorted(by_graph.items()):
            if self.gsp_url and graph and len(triples) >= GSP_MIN_TRIPLES:
                self._gsp_post(graph, "\n".join(triples) + "\n")
                continue
            for i in range(0, len(triples), BATCH_TRIPLES):
                body = "\n".join(triples[i : i + BATCH_TRIPLES])
                batch.append(f"GRAPH <{graph}> {{\n{body}\n}}" if graph else body)
                size += len(body)
                count += len(triples[i : i + BATCH_TRIPLES])
                if size > BATCH_BYTES or count >= BATCH_TRIPLES:
                    self.update("INSERT DATA {\n" + "\n".join(batch) + "\n}")
                    batch, size, count = [], 0, 0
        if batch:
            self.update("INSERT DATA {\n" + "\n".join(batch) + "\n}")

    def graphs(self) -> list[str]:
        """The named graphs of kg's namespace on the server (not the server's own)."""
        rows = self.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?base)) }",
            {"base": ox.Literal(BASE)},
        )
        return sorted(r["g"].value for r in rows if r["g"] is not None)

    def check_writable(self) -> None:
        """Fail now, not halfway, if the server does not take updates (and GSP posts)."""
        self._probe()

    def _probe(self) -> None:
        """Check that the server takes updates (and Graph Store Protocol posts, when `gsp=` is
        given) and that queries see named graphs, before anything is dropped: a wrong URL, a
        missing permission or a server set up otherwise then fails with the old graph in place."""
        probe = "urn:kg:build-probe"
        self.update(f"INSERT DATA {{ GRAPH <{probe}> {{ <urn:kg:s> <urn:kg:p> <urn:kg:o> }} }}")
        try:
            if self.gsp_url:
                self._gsp_post(probe, "<urn:kg:s> <urn:kg:p> <urn:kg:gsp> .\n")
            # kg's queries name no GRAPH: where the default graph is not the union of the named
            # graphs (Oxigraph server's and Fuseki's default), they would all find nothing
            if not self.ask("ASK { <urn:kg:s> <urn:kg:p> <urn:kg:o> }"):
                raise StoreError(
                    f"{self.query_url} does not query the named graphs by default, so kg's "
                    "queries would find nothing: make its default graph the union of all graphs "
                    "(oxigraph serve --union-default-graph; docs/stores.md for others)"
                )
        finally:
            self.update(f"DROP SILENT GRAPH <{probe}>")

    def replace_nquads(self, data: bytes) -> None:
        """Drop kg's graphs (those of the new data and any left from an older build), load."""
        self._probe()
        new = {q.graph_name.value for q in _quads(data) if isinstance(q.graph_name, ox.NamedNode)}
        old = sorted(new | set(self.graphs()))
        try:
            for i in range(0, len(old), DROP_BATCH):
                batch = old[i : i + DROP_BATCH]
                self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in batch))
            self.load_nquads(data)
        except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM: the same half-loaded server
            stop.add_note(PART_LOADED)
            raise
        except StoreError as exc:
            raise StoreError(f"{exc} ({PART_LOADED})") from None


MAX_TIMEOUT = 7 * 24 * 3600.0  # a week; sockets refuse far larger timeouts with an overflow


def _quads(data: bytes) -> Iterator[ox.Quad]:
    """The quads of N-Quads `data`; read whole before anything is sent, so bad data changes
    nothing on the server."""
    try:
        yield from ox.parse(data, format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise InputError(f"not N-Quads: {exc}") from None


def remote_store(spec: str) -> RemoteStore:
    """A `RemoteStore` from ``URL [update=URL] [gsp=URL] [timeout=SECONDS]``; credentials in
    the URL. A request gives up when the server stays silent for `timeout` seconds (default
    120): connecting, or between two pieces of its answer."""
    url, *options = spec.split()
    if options and "@" in options[0] and "=" not in options[0].split("@")[0]:
        # "http://alice:s3c ret@host/x": a space in the password cut the URL in two
        login = url.split("//", 1)[-1].split(":", 1)[0]
        raise StoreError(
            f"{url.split('//', 1)[0]}//{login}:***@... is cut at a space: write a space in a "
            "user name or password as %20"
        )
    _check_url(url)
    extra: dict[str, str] = {}
    timeout = 120.0
    for option in options:
        key, _, value = option.partition("=")
        if key == "timeout":
            try:
                timeout = float(value)
            except ValueError:
                timeout = -1.0
            if not 0 < timeout <= MAX_TIMEOUT:
                raise StoreError(
                    f"store option timeout= needs seconds above 0 and at most {MAX_TIMEOUT:g}, "
                    f"not {value!r}"
                )
            continue
        if key not in ("update", "gsp"):
            raise StoreError(
                f"unknown store option {option!r}: expected update=URL, gsp=URL or timeout=SECONDS"
            )
        if not value.startswith(("http://", "https://")):
            shown_value = f", not {shown(value)!r}" if "//" in value else ""  # u:pass is a secret
            raise StoreError(f"store option {key}= needs an http(s) URL{shown_value}")
        _check_url(value)
        extra[key] = value
    clean, user, password = _without_credentials(url)
    credentials: dict[str, tuple[str, str | None]] = {}
    for key, value in extra.items():
        extra[key], other_user, other_password = _without_credentials(value)
        if other_user:
            parts = urllib.parse.urlsplit(extra[key])
            where = f"{parts.scheme}://{parts.netloc}{parts.path}"
            credentials[where] = (other_user, other_password)
    return RemoteStore(
        clean,
        update_url=extra.get("update"),
        gsp_url=extra.get("gsp"),
        user=user,
        password=password,
        timeout=timeout,
        credentials=credentials,
    )


class _Login:
    """A user name and password for one server, sent only once it asks for them, in the scheme
    it asks for: Digest (RFC 7616: MD5 or SHA-256, plain or -sess, qop=auth), which Virtuoso's
    authenticated endpoints use and which never sends the password itself, or Basic. Digest is
    chosen whenever offered; once a server has asked for Digest it never gets Basic. Later
    requests reuse the server's nonce with a counted `nc` until it sends a new one.
    """

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self._scheme = ""  # "", "basic" or "digest": what the server last asked for
        self._challenge: dict[str, str] = {}
        self._count = 0
        self._digest_seen = False
        self._lock = threading.Lock()  # threads may share one store

    def challenged(self, offers: list[str], sent: str | None) -> bool:
        """Take the scheme a 401's WWW-Authenticate headers ask for; whether to send the
        request again with it (not when `sent`, what the refused request carried, already
        answered that challenge: the login is wrong)."""
        challenges = _challenges(offers)
        digests = [params for scheme, params in challenges if scheme == "digest"]
        with self._lock:
            usable = [c for c in digests if _speaks(c)]
            if usable:
                chal = usable[0]
                again = (
                    sent is None
                    or not sent.startswith("Digest ")
                    or (_param(sent, "nonce") != chal.get("nonce"))
                )
                self._scheme, self._challenge, self._count = "digest", chal, 0
                self._digest_seen = True
                return again
            if digests:
                asked = ", ".join(
                    f"algorithm={c.get('algorithm', 'MD5')} qop={c.get('qop', '')}" for c in digests
                )
                raise StoreError(
                    f"the server asks for Digest authentication ({asked}), which kg does not "
                    "speak: it speaks MD5 and SHA-256 with qop=auth, and Basic"
                )
            if not any(scheme == "basic" for scheme, _ in challenges):
                return False  # no scheme kg speaks: the password is not sent
            if self._digest_seen:
                raise StoreError(
                    "the server asked for Digest authentication before and now asks for Basic, "
                    "which would send the password readable: refused"
                )
            self._scheme = "basic"
            return sent is None or not sent.startswith("Basic ")

    def authorization(self, method: str, url: str) -> str | None:
        """The Authorization header for a request, or None before the server has asked."""
        with self._lock:
            if self._scheme == "basic":
                token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
                return "Basic " + token
            if self._scheme != "digest":
                return None
            self._count += 1
            return _digest(self._challenge, self.user, self.password, method, url, self._count)


def _challenges(offers: list[str]) -> list[tuple[str, dict[str, str]]]:
    """The challenges of WWW-Authenticate header values, several to a header allowed:
    (scheme in lower case, parameters).

    >>> _challenges(['Basic realm="R", Digest realm="R", nonce="n, m"', "Bearer"])
    [('basic', {'realm': 'R'}), ('digest', {'realm': 'R', 'nonce': 'n, m'}), ('bearer', {})]
    """
    out: list[tuple[str, dict[str, str]]] = []
    for value in offers:
        for item in urllib.request.parse_http_list(value):
            head = re.match(r"\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)(?:\s+(.*))?$", item, re.DOTALL)
            if head and "=" not in head[1]:
                out.append((head[1].lower(), {}))
                item = head[2] or ""
            if out and "=" in item:
                key, _, val = item.strip().partition("=")
                val = val.strip()
                if len(val) >= 2 and val[0] == val[-1] == '"':
                    val = re.sub(r"\\(.)", r"\1", val[1:-1])
                out[-1][1][key.strip().lower()] = val
    return out


def _speaks(chal: dict[str, str]) -> bool:
    algorithm = chal.get("algorithm", "MD5").upper().removesuffix("-SESS")
    qops = {q.strip() for q in chal.get("qop", "").split(",") if q.strip()}
    return "nonce" in chal and algorithm in _DIGESTS and (not qops or "auth" in qops)


def _param(header: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', header)
    return found[1] if found else None


def _within(data: bytes, cap: str) -> bool:
    """Whether the query in a form body asks, by its own outermost LIMIT, for no more rows
    than a server's row limit `cap`: an answer then stops at the LIMIT, not at the cap.

    >>> _within(b"query=SELECT+*+%7B%3Fs+%3Fp+%3Fo%7D+LIMIT+10000", "10000")
    True
    >>> _within(b"query=SELECT+*+%7B%7B+SELECT+*+%7B%7D+LIMIT+5+%7D%7D", "10000")
    False
    """
    text = urllib.parse.parse_qs(data.decode("utf-8", "replace")).get("query", [""])[0]
    depth, limit, previous = 0, None, ""
    for tok in tokens(text):
        if tok.text in ("{", "("):
            depth += 1
        elif tok.text in ("}", ")"):
            depth -= 1
        elif depth == 0 and previous == "LIMIT" and tok.text.isdigit():
            limit = int(tok.text)
        previous = tok.text.upper()
    return limit is not None and cap.strip().isdigit() and limit <= int(cap)


def _refused_login(url: str, offers: list[str], login: _Login | None, sent: str | None) -> str:
    """The one line for a 401: what the server asks for, and what to do."""
    schemes = sorted({scheme.title() for scheme, _ in _challenges(offers)})
    asks = " or ".join(schemes) + " authentication" if schemes else "a login, naming no scheme"
    if login is None:
        return (
            f"{url} answered 401 (asks for {asks}): give the user name and password in the "
            "URL, http://USER:PASSWORD@host/..."
        )
    if sent is None:
        return f"{url} answered 401 (asks for {asks}), which kg does not speak (Basic, Digest)"
    return f"{url} answered 401 (asks for {asks}): the server refused the user name or password"


_DIGESTS = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _digest(
    chal: dict[str, str],
    user: str,
    password: str,
    method: str,
    url: str,
    n: int,
    cnonce: str | None = None,
) -> str:
    """An RFC 7616 Digest Authorization header; `n` counts the requests on this nonce.

    >>> chal = {"realm": "SPARQL", "nonce": "abc", "qop": "auth", "opaque": "xyz"}
    >>> header = _digest(chal, "dba", "dba", "POST", "http://h/sparql-auth?x=1", 1)
    >>> header.split(", ")[:4]
    ['Digest username="dba"', 'realm="SPARQL"', 'nonce="abc"', 'uri="/sparql-auth?x=1"']
    """
    algorithm = chal.get("algorithm", "MD5")
    new = _DIGESTS[algorithm.upper().removesuffix("-SESS")]

    def h(text: str) -> str:
        return new(text.encode()).hexdigest()

    realm, nonce = chal.get("realm", ""), chal.get("nonce", "")
    parts = urllib.parse.urlsplit(url)
    uri = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    nc, cnonce = f"{n:08x}", cnonce or os.urandom(16).hex()
    secret = h(f"{user}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        secret = h(f"{secret}:{nonce}:{cnonce}")
    target = h(f"{method}:{uri}")
    qop = "auth" if chal.get("qop") else ""
    response = h(
        f"{secret}:{nonce}:{nc}:{cnonce}:auth:{target}" if qop else f"{secret}:{nonce}:{target}"
    )

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    fields = [
        f"username={quoted(user)}",
        f"realm={quoted(realm)}",
        f"nonce={quoted(nonce)}",
        f"uri={quoted(uri)}",
        f"response={quoted(response)}",
        f"algorithm={algorithm}",
    ]
    if "opaque" in chal:
        fields.append(f"opaque={quoted(chal['opaque'])}")
    if qop:
        fields += [f"qop={qop}", f"nc={nc}", f"cnonce={quoted(cnonce)}"]
    return "Digest " + ", ".join(fields)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx comes back as an HTTPError, reported as such


_OPENER = urllib.request.build_opener(_NoRedirect)


def shown(spec: str) -> str:
    """A store spec fit to print: passwords in its URLs masked.

    >>> shown("http://alice:p%40ss@host/sparql gsp=http://bob:x@other/gsp")
    'http://alice:***@host/sparql gsp=http://bob:***@other/gsp'
    >>> shown("http://u:sec/ret#3@host/x")  # a password a URL cannot hold as written
    'http://u:***@host/x'
    """
    return " ".join(_masked(token) for token in spec.split(" "))


def _masked(token: str) -> str:
    """From the colon after the user name to the last `@`: all of a password, even one with
    `/` or `#` in it (which ends a URL's user part early)."""
    at = token.rfind("@")
    start = token.find("//")
    start = start + 2 if start >= 0 else token.find("=") + 1
    colon = token.find(":", start, at) if at > start else -1
    return token if colon < 0 else f"{token[: colon + 1]}***{token[at:]}"


def _check_url(url: str) -> None:
    """Refuse a URL urllib would only reject at the first request, with a traceback."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        why = "" if "@" in url else f" ({exc})"  # the parser's message may quote the password
        raise StoreError(f"{shown(url)}: not a valid URL{why}") from None
    if not parts.hostname:
        raise StoreError(f"{shown(url)}: the URL names no host")


def _without_credentials(url: str) -> tuple[str, str | None, str | None]:
    """The URL without ``user:password@``, and the two, percent-decoded (``p%40ss`` is
    ``p@ss``, the only way to write some passwords in a URL).

    >>> _without_credentials("http://al%40x:p%40ss@[::1]:7878/sparql")
    ('http://[::1]:7878/sparql', 'al@x', 'p@ss')
    """
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]  # keeps [::1] and the port as written
    user = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password else None
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), user, password
