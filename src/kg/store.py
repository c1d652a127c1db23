"""Where the graph lives: an embedded Oxigraph store on disk, or any SPARQL 1.1 server.

Consumers (query, audit, viz, export) only call `Store.select` / `Store.ask` /
`Store.construct`, so they behave the same on both. Queries see the union of all named graphs
as their default graph (`use_default_graph_as_union` on Oxigraph; most servers, Virtuoso
included, do this by default, and Fuseki does with `unionDefaultGraph`).

>>> store = open_store(":memory:")
>>> store.load_nquads(b'<http://e/s> <http://e/p> "1" <http://e/g> .\\n')
>>> [row["o"].value for row in store.select("SELECT ?o WHERE { ?s ?p ?o }")]
['1']
"""

from __future__ import annotations

import base64
import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.namespace import PREFIXES

__all__ = ["DEFAULT_STORE", "EmbeddedStore", "RemoteStore", "Store", "Term", "open_store"]

DEFAULT_STORE = "build/store"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term | None]


def _prologue() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


class Store:
    """The interface every store offers."""

    location: str

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        raise NotImplementedError

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        raise NotImplementedError

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        raise NotImplementedError

    def load_nquads(self, data: bytes) -> None:
        raise NotImplementedError

    def replace_nquads(self, data: bytes) -> None:
        """Replace the whole content with `data` (N-Quads)."""
        raise NotImplementedError


class EmbeddedStore(Store):
    """Oxigraph in-process: on disk at `path`, or in memory for `None`."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.location = str(path) if path else ":memory:"
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", path=path) from None

    def _run(self, query: str, bindings: Mapping[str, Term] | None) -> Any:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        try:
            return self._store.query(
                query, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=subs
            )
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL: {exc}") from None

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        solutions = self._run(query, bindings)
        names = [v.value for v in solutions.variables]
        return [{n: s[n] for n in names} for s in solutions]

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        return bool(self._run(query, bindings))

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        return list(self._run(query, bindings))

    def load_nquads(self, data: bytes) -> None:
        self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)

    def replace_nquads(self, data: bytes) -> None:
        self._store.clear()
        self.load_nquads(data)
        self._store.optimize()

    def quads(self) -> Iterable[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, None)


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


def _values_clause(bindings: Mapping[str, Term]) -> str:
    """Bind parameters as a VALUES block of serialised terms: never string pasting."""
    if not bindings:
        return ""
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(str(v) for v in bindings.values())
    return f"VALUES ({names}) {{ ({values}) }}\n"


def _with_bindings(query: str, bindings: Mapping[str, Term] | None) -> str:
    """Insert a VALUES block at the start of the outermost WHERE group."""
    if not bindings:
        return query
    parsed_ok = ox.Store().query  # parse locally first for a clear error
    try:
        parsed_ok(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"invalid SPARQL: {exc}") from None
    upper = query.upper()
    where = upper.find("WHERE")
    brace = query.find("{", where if where >= 0 else 0)
    if brace < 0:
        raise QueryError("cannot bind parameters: no WHERE group")
    return query[: brace + 1] + "\n" + _values_clause(bindings) + query[brace + 1 :]


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol endpoint; updates through the same or a separate URL.

    Bulk loads use the SPARQL 1.1 Graph Store HTTP Protocol when `gsp_url` is given, otherwise
    `INSERT DATA` in batches.
    """

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.location = query_url
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout = timeout
        self._auth = (
            "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() if user else None
        )

    def _request(self, url: str, data: bytes, content_type: str, accept: str) -> bytes:
        headers = {"Content-Type": content_type, "Accept": accept}
        if self._auth:
            headers["Authorization"] = self._auth
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip().splitlines()
            detail = body[0][:300] if body else exc.reason
            if 400 <= exc.code < 500 and "update" not in content_type:
                raise QueryError(f"the endpoint refused the query ({exc.code}): {detail}") from None
            raise StoreError(f"{url} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach {url}: {reason}") from None

    def _query(self, query: str, accept: str) -> bytes:
        data = urllib.parse.urlencode({"query": _prologue() + query}).encode()
        return self._request(self.query_url, data, "application/x-www-form-urlencoded", accept)

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        raw = self._query(_with_bindings(query, bindings), "application/sparql-results+json")
        doc = json.loads(raw)
        names = doc["head"].get("vars", [])
        return [
            {n: _term_from_json(b[n]) if n in b else None for n in names}
            for b in doc["results"]["bindings"]
        ]

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        raw = self._query(_with_bindings(query, bindings), "application/sparql-results+json")
        return bool(json.loads(raw)["boolean"])

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        raw = self._query(_with_bindings(query, bindings), "application/n-triples")
        return list(ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))

    def update(self, update: str) -> None:
        data = urllib.parse.urlencode({"update": _prologue() + update}).encode()
        self._request(self.update_url, data, "application/x-www-form-urlencoded", "*/*")

    def load_nquads(self, data: bytes) -> None:
        by_graph: dict[str, list[str]] = {}
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            g = quad.graph_name
            key = g.value if isinstance(g, ox.NamedNode) else ""
            by_graph.setdefault(key, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
        for graph, triples in sorted(by_graph.items()):
            if self.gsp_url and graph:
                url = self.gsp_url + "?" + urllib.parse.urlencode({"graph": graph})
                self._request(url, "\n".join(triples).encode(), "application/n-triples", "*/*")
                continue
            for i in range(0, len(triples), 2000):
                body = "\n".join(triples[i : i + 2000])
                wrapped = f"GRAPH <{graph}> {{ {body} }}" if graph else body
                self.update(f"INSERT DATA {{ {wrapped} }}")

    def replace_nquads(self, data: bytes) -> None:
        graphs = {
            q.graph_name.value
            for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)
            if isinstance(q.graph_name, ox.NamedNode)
        }
        for g in sorted(graphs):
            self.update(f"DROP SILENT GRAPH <{g}>")
        self.load_nquads(data)


def open_store(spec: str | Path = DEFAULT_STORE, *, create: bool = False) -> Store:
    """Open a store: an http(s) URL is a SPARQL endpoint, ":memory:" an in-memory Oxigraph,
    anything else a directory holding an on-disk Oxigraph store (read-only unless `create`).

    Remote credentials come from the URL (``https://user:pass@host/sparql``).
    """
    spec = str(spec)
    if spec == ":memory:":
        return EmbeddedStore(None)
    if spec.startswith(("http://", "https://")):
        parts = urllib.parse.urlsplit(spec)
        host = parts.hostname or ""
        clean = parts._replace(netloc=host + (f":{parts.port}" if parts.port else ""))
        return RemoteStore(
            urllib.parse.urlunsplit(clean), user=parts.username, password=parts.password
        )
    path = Path(spec)
    if not create and not path.is_dir():
        raise StoreError("no graph store here: run `kg build` first", path=path)
    # Readers open read-only: any number of them can share the store, even while it is open.
    return EmbeddedStore(path, read_only=not create)


def replace_directory(src: Path, dst: Path) -> None:
    """Swap a freshly written store directory into place, keeping the old one until then."""
    old = dst.with_name(dst.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if dst.exists():
        dst.rename(old)
    src.rename(dst)
    if old.exists():
        shutil.rmtree(old)
