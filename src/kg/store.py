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

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError
from kg.namespace import PREFIXES
from kg.results import Result
from kg.results import Row as AnyRow
from kg.sparql import check_size, clean_syntax_error, substitute

__all__ = ["DEFAULT_STORE", "EmbeddedStore", "Store", "Term", "check_complete", "open_store"]

DEFAULT_STORE = "build/store"

_BUILT = """
SELECT ?claims (COUNT(DISTINCT ?c) AS ?found) WHERE {
  ?build a kg:Build ; kg:claimsWritten ?claims .
  OPTIONAL { ?c a kg:Claim }
} GROUP BY ?claims"""

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term | None]


class Store:
    """The interface every store offers: `query` answers any query form; `select`, `ask` and
    `construct` are its shortcuts. `bindings` pre-bind variables to RDF terms."""

    location: str

    def query(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        raise NotImplementedError

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """The rows of a SELECT kg's own code asks, which binds no RDF 1.2 triple terms (a
        user's query may: `query` gives those)."""
        return cast(list[Row], list(self._answer("select", query, bindings).rows))

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        return self._answer("ask", query, bindings).boolean

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        return list(self._answer("graph", query, bindings).triples)

    def _answer(self, form: str, query: str, bindings: Mapping[str, Term] | None) -> Result:
        # An ASK given to select() would otherwise answer [], and a SELECT given to ask() False
        result = self.query(query, bindings)
        if result.form != form:
            forms = {"select": "a SELECT", "ask": "an ASK", "graph": "a CONSTRUCT or DESCRIBE"}
            name = {"graph": "construct"}.get(form, form)
            given = forms[result.form].split(" ", 1)[1]
            raise QueryError(f"{name}() takes {forms[form]} query, not {given}")
        return result

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
        if path is not None and not read_only:
            _check_no_writer_here(path)
        for attempt in range(3):
            seen = _folder(path)
            try:
                if path is None:
                    self._store = ox.Store()
                elif read_only:
                    self._store = ox.Store.read_only(str(path))
                else:
                    self._store = ox.Store(str(path))
                break
            except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB found it damaged
                if attempt < 2 and _folder(path) != seen:
                    # `kg build` swapped in a new store while this one was being opened: the
                    # old manifest then names the new files ("Sst file size mismatch")
                    continue
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise StoreError(f"cannot open the store: {first}", path=path) from None
        if path is not None and not read_only:
            key = path.resolve()
            _WRITERS[key] = _WRITERS.get(key, 0) + 1
            weakref.finalize(self, _writer_closed, key)

    def _run(self, query: str, bindings: Mapping[str, Term] | None) -> Any:
        # Bindings go into the text as constants (SEP-0007 semantics, as for remote stores),
        # not through Oxigraph's `substitutions`: those reach only projected variables, not
        # the subqueries the saved queries page in, and constants let the planner start there.
        # The default graph is the union of all graphs, unless the query names its own
        # dataset: with the union on, Oxigraph would ignore FROM.
        union = "FROM" not in check_size(query)
        try:
            return self._store.query(
                substitute(query, bindings or {}),
                prefixes=PREFIXES,
                use_default_graph_as_union=union,
            )
        except SyntaxError as exc:
            raise clean_syntax_error(str(exc), query) from None
        except OSError as exc:  # a SERVICE call that failed
            raise StoreError(f"the query failed: {exc}") from None

    def query(self, query: str, bindings: Mapping[str, Term] | None = None) -> Result:
        answer = self._run(query, bindings)
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            return Result.solutions(names, _rows(answer, names))
        if isinstance(answer, ox.QueryBoolean):
            return Result.ask(bool(answer))
        return Result.graph(answer)

    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 Update (INSERT, DELETE, ...) in one transaction."""
        try:
            self._store.update(update, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise clean_syntax_error(str(exc), update) from None

    def load_nquads(self, data: bytes) -> None:
        try:
            self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise InputError(f"not N-Quads: {exc}") from None

    def load_file(self, path: Path) -> None:
        """Bulk-load an N-Quads file; Oxigraph reads it, so it is never held in memory."""
        self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)

    def replace_nquads(self, data: bytes) -> None:
        try:  # read all of it first: a syntax error must leave the old content, not none
            for _ in ox.parse(data, format=ox.RdfFormat.N_QUADS):
                pass
        except SyntaxError as exc:
            raise InputError(f"not N-Quads: {exc}") from None
        self._store.clear()
        self.load_nquads(data)
        self._store.optimize()

    def quads(self) -> Iterable[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, None)


def _folder(path: Path | None) -> tuple[int, int] | None:
    """Which folder is at `path` now (device and inode)."""
    try:
        info = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if info else None


def _rows(answer: ox.QuerySolutions, names: list[str]) -> Iterator[AnyRow]:
    # Oxigraph evaluates lazily, so a SERVICE call can fail while rows are read
    try:
        for solution in answer:
            yield {n: solution[n] for n in names}
    except (OSError, RuntimeError) as exc:  # RuntimeError: a SERVICE answered nonsense
        raise StoreError(f"the query failed: {str(exc).splitlines()[0]}") from None


def open_store(spec: str | Path = DEFAULT_STORE, *, create: bool = False) -> Store:
    """Open a store: an http(s) URL is a SPARQL endpoint, ":memory:" an in-memory Oxigraph,
    anything else a directory holding an on-disk Oxigraph store (read-only unless `create`).

    A URL may be followed by ``update=URL`` (the SPARQL Update endpoint, when it differs from
    the query endpoint) and ``gsp=URL`` (a Graph Store Protocol endpoint for bulk loads),
    separated by spaces. Remote credentials come from the URL (``https://user:pass@host/sparql``).
    """
    spec = str(spec)
    if not spec.strip():
        raise StoreError("--store is empty: give a folder or a SPARQL endpoint URL")
    if spec == ":memory:":
        return EmbeddedStore(None)
    if spec.startswith(("http://", "https://")):
        from kg.remote import remote_store

        return remote_store(spec)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", spec):
        raise StoreError(f"{spec.split(':')[0]}: is not a store: use a folder or an http(s) URL")
    path = Path(spec)
    if not create and not (path / "CURRENT").is_file():  # RocksDB's marker of a database
        raise StoreError("no graph store here: run `kg build` first", path=path)
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)  # RocksDB makes only the last folder
    if create and path.exists():  # RocksDB would write among someone's files
        if not path.is_dir():
            raise StoreError("is a file, not a store folder", path=path)
        if any(path.iterdir()) and not is_graph_store(path):
            raise StoreError(NOT_A_STORE, path=path)
    # Readers open read-only: any number of them can share the store, even while it is open.
    return EmbeddedStore(path, read_only=not create)


# What RocksDB (under Oxigraph) keeps in a store's folder, and nothing else.
_ROCKSDB_NAME = re.compile(
    r"CURRENT|IDENTITY|LOCK|LOG(\.old\.\d+)?|MANIFEST-\d+|OPTIONS-\d+|\d+\.(log|sst|blob)"
    r"|.*\.dbtmp|archive"
)


def is_graph_store(path: Path) -> bool:
    """Whether the folder `path` holds a store and nothing but a store: a CURRENT file that
    names a manifest, and only the file names RocksDB writes. A folder that merely has a
    file called CURRENT among someone's documents is not one, and `kg build` would replace
    it whole."""
    try:
        current = (path / "CURRENT").read_text(encoding="ascii", errors="replace")
        names = os.listdir(path)
    except OSError:
        return False
    return bool(re.fullmatch(r"MANIFEST-\d+\n", current)) and all(
        _ROCKSDB_NAME.fullmatch(name) for name in names
    )


NOT_A_STORE = (
    "is a folder but not a graph store (or a damaged one); refusing to replace it: choose "
    "another --store, or delete the folder yourself if it was a store"
)


def store_target(spec: str) -> Path | None:
    """Check that `kg build` may replace the store at `spec`; return its folder (None for
    ":memory:" and URLs). A folder is replaced only if it is missing or already an Oxigraph
    store, so a mistyped ``--store data/sources`` cannot delete anything."""
    if not spec.strip():
        raise StoreError("--store is empty: give a folder or a SPARQL endpoint URL")
    if spec == ":memory:" or spec.startswith(("http://", "https://")):
        if spec != ":memory:":
            open_store(spec)  # checks the URL without connecting
        return None
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", spec):
        raise StoreError(f"{spec.split(':')[0]}: is not a store: use a folder or an http(s) URL")
    path = Path(spec)
    resolved = path.resolve()
    if resolved == Path(resolved.anchor) or resolved in (Path.cwd(), *Path.cwd().parents):
        raise StoreError("refusing to replace this folder: name a folder for the store", path=path)
    if path.exists() and not path.is_dir():
        raise StoreError("is a file, not a store folder", path=path)
    if path.is_dir() and any(path.iterdir()) and not is_graph_store(path):
        raise StoreError(NOT_A_STORE, path=path)
    return resolved


def replace_directory(src: Path, dst: Path) -> None:
    """Swap a freshly written store directory into place, keeping the old one until then.

    Refused while another process has the old store open for writing (`kg serve
    --allow-update`): RocksDB writes its files by path, so that process would go on writing
    into the new store and corrupt it. Readers are fine: they keep the files they opened."""
    old = Path(tempfile.mkdtemp(prefix=f".{dst.name}.old-", dir=dst.parent))
    try:
        with _writer_lock(dst):
            if dst.exists():
                dst.rename(old / dst.name)
            src.rename(dst)
    finally:
        shutil.rmtree(old, ignore_errors=True)


def check_unlocked(store: Path) -> None:
    """Fail now, before hours of work, if another process writes to the store at `store`."""
    with _writer_lock(store):
        pass


# Stores this process has open for writing, by folder. RocksDB's lock on a store is a POSIX
# lock, which only other processes see; and taking and releasing it here would drop the
# writer's own lock, since closing any descriptor of a file ends all of a process's locks.
_WRITERS: dict[Path, int] = {}


def _writer_closed(key: Path) -> None:
    _WRITERS[key] -= 1
    if not _WRITERS[key]:
        del _WRITERS[key]


def _check_no_writer_here(store: Path) -> None:
    if store.resolve() in _WRITERS:
        raise StoreError(
            "this process has the store open for writing (open_store(..., create=True)): "
            "let go of it (del it) first",
            path=store,
        )


@contextlib.contextmanager
def _writer_lock(store: Path) -> Iterator[None]:
    """Hold RocksDB's own lock on the store at `store` (if it is one) for the block."""
    _check_no_writer_here(store)
    lock = store / "LOCK"
    if not lock.is_file():
        yield
        return
    with lock.open("rb+") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreError(
                "another process has this store open for writing (kg serve --allow-update?): "
                "stop it, then try again",
                path=store,
            ) from None
        try:
            yield
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN)


def check_complete(store: Store) -> int:
    """The number of claims in `store`, once it holds all that its `kg build` wrote; else
    a `StoreError`. An empty store, a server whose queries miss the named graphs, or one a
    build loaded partway would otherwise read as a graph with nothing (or less) to report.
    """
    rows = store.select(_BUILT)
    if not rows and store.ask("ASK { ?c a kg:Claim }"):
        raise StoreError(
            "the store holds claims but no record of the build that wrote them (a store made "
            "by a kg before 2026-12-05, or loaded from part of a graph): run kg build",
            path=store.location,
        )
    if not rows:
        raise StoreError(
            "the store holds no graph from kg build (it is empty, or the server's queries do "
            "not see its named graphs): run kg build",
            path=store.location,
        )
    if len(rows) > 1:
        raise StoreError(
            "the store holds the graphs of several builds: run kg build, which replaces them",
            path=store.location,
        )
    wrote = int(rows[0]["claims"].value) if rows[0]["claims"] is not None else -1
    found = int(rows[0]["found"].value) if rows[0]["found"] is not None else 0
    if found != wrote:
        raise StoreError(
            f"the store holds {found:,} claims where its build wrote {wrote:,}: it was loaded "
            "partway (a server that failed or was stopped mid-load) or changed since; run "
            "kg build again",
            path=store.location,
        )
    return found
