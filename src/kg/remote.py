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
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Mapping

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.namespace import BASE, PREFIXES
from kg.results import Result, Row
from kg.sparql import keywords, query_form, substitute
from kg.store import Store, Term

__all__ = ["RemoteStore", "remote_store"]

JSON_RESULTS = "application/sparql-results+json"
GSP_MIN_TRIPLES = 500  # smaller graphs go in batched INSERT DATA: one request for many graphs
BATCH_BYTES = 1_000_000
DROP_BATCH = 25
BATCH_TRIPLES = 250  # Virtuoso turns an update into SQL and refuses past 10 000 lines


def _prologue() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def _term_from_json(b: dict[str, str]) -> Term:
    kind = b["type"]
    if kind == "uri":
        return ox.NamedNode(b["value"])
    if kind == "bnode":
        return ox.BlankNode(b["value"])
    if "xml:lang" in b:
        return ox.Literal(b["value"], language=b["xml:lang"])
    if "datatype" in b:
        return ox.Literal(b["value"], datatype=ox.NamedNode(b["datatype"]))
    return ox.Literal(b["value"])


def _local_position(query: str) -> QueryError | None:
    """Parse a refused query with Oxigraph (on an empty store) for a line and column."""
    from kg.store import EmbeddedStore

    if "SERVICE" in keywords(query):  # an empty store would still call the service
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
        # Credentials go only to the host they were given for: `user`/`password` to the
        # query URL's host (and update or GSP URLs on it), `credentials` by host:port.
        logins = dict(credentials or {})
        if user:
            logins[urllib.parse.urlsplit(query_url).netloc] = (user, password)
        self._auth = {
            host: "Basic " + base64.b64encode(f"{u}:{p or ''}".encode()).decode()
            for host, (u, p) in logins.items()
        }

    def _request(
        self, url: str, data: bytes, content_type: str, accept: str, *, is_query: bool = False
    ) -> tuple[bytes, str]:
        headers = {"Content-Type": content_type, "Accept": accept}
        if auth := self._auth.get(urllib.parse.urlsplit(url).netloc):
            headers["Authorization"] = auth
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with _OPENER.open(req, timeout=self.timeout) as resp:
                if cut := resp.headers.get("X-KG-Truncated"):
                    # a silently shortened answer would read as a complete one (kg serve --limit)
                    raise StoreError(
                        f"{url} {cut}, so the answer would be incomplete: narrow the query, "
                        "or raise the server's limit (kg serve --limit)"
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
            body = exc.read().decode("utf-8", "replace").strip().splitlines()
            detail = " ".join(line.strip() for line in body[:3])[:300] or exc.reason
            if exc.code == 400 and is_query:
                raise QueryError(f"the endpoint refused the request (400): {detail}") from None
            raise StoreError(f"{url} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise StoreError(
                    f"{url} was silent for {self.timeout:g} s: add timeout=SECONDS to the "
                    "store to wait longer"
                ) from None
            raise StoreError(f"cannot reach {url}: {reason}") from None

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
            raise _local_position(query) or refused from None
        try:
            if form in ("SELECT", "ASK"):
                doc = json.loads(raw)
                if "boolean" in doc:
                    return Result.ask(bool(doc["boolean"]))
                names = doc["head"].get("vars", [])
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
        self._request(self.update_url, data, "application/x-www-form-urlencoded", "*/*")

    def _gsp_post(self, graph: str, ntriples: str) -> None:
        assert self.gsp_url is not None
        sep = "&" if "?" in self.gsp_url else "?"
        url = self.gsp_url + sep + urllib.parse.urlencode({"graph": graph})
        self._request(url, ntriples.encode(), "application/n-triples", "*/*")

    def load_nquads(self, data: bytes) -> None:
        by_graph: dict[str, list[str]] = defaultdict(list)
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
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
        given) before anything is dropped: a wrong URL or a missing permission then fails with
        the old graph still in place."""
        probe = "urn:kg:build-probe"
        self.update(f"INSERT DATA {{ GRAPH <{probe}> {{ <urn:kg:s> <urn:kg:p> <urn:kg:o> }} }}")
        try:
            if self.gsp_url:
                self._gsp_post(probe, "<urn:kg:s> <urn:kg:p> <urn:kg:gsp> .\n")
        finally:
            self.update(f"DROP SILENT GRAPH <{probe}>")

    def replace_nquads(self, data: bytes) -> None:
        """Drop kg's graphs (those of the new data and any left from an older build), load."""
        self._probe()
        new = {
            q.graph_name.value
            for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)
            if isinstance(q.graph_name, ox.NamedNode)
        }
        old = sorted(new | set(self.graphs()))
        try:
            for i in range(0, len(old), DROP_BATCH):
                batch = old[i : i + DROP_BATCH]
                self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in batch))
            self.load_nquads(data)
        except StoreError as exc:
            raise StoreError(
                f"{exc} (the server now holds part of the old or the new graph: run kg build again)"
            ) from None


MAX_TIMEOUT = 7 * 24 * 3600.0  # a week; sockets refuse far larger timeouts with an overflow


def remote_store(spec: str) -> RemoteStore:
    """A `RemoteStore` from ``URL [update=URL] [gsp=URL] [timeout=SECONDS]``; credentials in
    the URL. A request gives up when the server stays silent for `timeout` seconds (default
    120): connecting, or between two pieces of its answer."""
    url, *options = spec.split()
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
            raise StoreError(f"store option {key}= needs an http(s) URL, not {value!r}")
        _check_url(value)
        extra[key] = value
    clean, user, password = _without_credentials(url)
    credentials: dict[str, tuple[str, str | None]] = {}
    for key, value in extra.items():
        extra[key], other_user, other_password = _without_credentials(value)
        if other_user:
            credentials[urllib.parse.urlsplit(extra[key]).netloc] = (other_user, other_password)
    return RemoteStore(
        clean,
        update_url=extra.get("update"),
        gsp_url=extra.get("gsp"),
        user=user,
        password=password,
        timeout=timeout,
        credentials=credentials,
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx comes back as an HTTPError, reported as such


_OPENER = urllib.request.build_opener(_NoRedirect)


def shown(spec: str) -> str:
    """A store spec fit to print: passwords in its URLs masked.

    >>> shown("http://alice:p%40ss@host/sparql gsp=http://bob:x@other/gsp")
    'http://alice:***@host/sparql gsp=http://bob:***@other/gsp'
    """
    return re.sub(r"(//[^/@:\s]+):[^/@\s]*@", r"\1:***@", spec)


def _check_url(url: str) -> None:
    """Refuse a URL urllib would only reject at the first request, with a traceback."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        raise StoreError(f"{url}: not a valid URL ({exc})") from None
    if not parts.hostname:
        raise StoreError(f"{url}: the URL names no host")


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
