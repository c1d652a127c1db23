"""`kg build`: check the corpus, make the graph, validate it, write it everywhere it goes.

Nothing is written until everything is checked: a curation error or a SHACL violation stops
the build with the previous outputs untouched. Files are written in a staging folder beside
their targets and renamed into place; the store is loaded in a fresh directory and swapped in.
The graph streams to disk and is never held in memory whole (`build_corpus`).

Outputs (default `data/graph/`): `kg.trig` (named graphs), `kg.nq`, `kg.ttl` (all triples,
graphs merged) and `kg.jsonld`; plus the embedded query store (default `build/store`) or a remote
SPARQL endpoint.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from kg.curation import Corpus, load_corpus
from kg.errors import InputError, KgError, StoreError, ValidationError
from kg.files import exclusive, umask
from kg.graph import emit_corpus, source_nquads
from kg.namespace import PREFIXES
from kg.remote import RemoteStore
from kg.sources import META_SUFFIX, load_source
from kg.store import (
    DEFAULT_STORE,
    EmbeddedStore,
    Store,
    check_unlocked,
    open_store,
    replace_directory,
    store_target,
)

__all__ = ["BuildReport", "build", "build_corpus", "serialise", "shacl_validate"]

# Inside the package, so that an installed kg (not only a checkout) can build; the checkout's
# top-level `ontology/` is a link to this folder.
ONTOLOGY = Path(__file__).resolve().with_name("ontology") / "kg.ttl"
SHAPES = ONTOLOGY.with_name("shapes.ttl")
FORMATS = {
    "kg.trig": ox.RdfFormat.TRIG,
    "kg.nq": ox.RdfFormat.N_QUADS,
    "kg.ttl": ox.RdfFormat.TURTLE,
    "kg.jsonld": ox.RdfFormat.JSON_LD,
}

# Said in the file itself, where a user loading it into another store will see it.
HEADERS = {
    "kg.ttl": b"# The kg graph as triples: Turtle has no named graphs, so the graph of each\n"
    b"# source, claim and proposition is merged here, and a query naming a GRAPH (the saved\n"
    b"# queries do) finds nothing in it. Load kg.nq, kg.trig or kg.jsonld to keep them.\n",
}


@dataclass
class BuildReport:
    sources: int
    entities: int
    claims: int
    quads: int
    outputs: list[Path] = field(default_factory=list)
    store: str | None = None
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, in order


def _triples(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
    """The triples of `quads`, graphs merged. No triple of the graph is in two of its named
    graphs (`kg.graph`), so merging needs no memory of what was seen."""
    for quad in quads:
        yield quad.triple


def serialise(
    quads: Iterable[ox.Quad], fmt: ox.RdfFormat, output: Path | IO[bytes] | None = None
) -> bytes:
    """Serialise in the given order: same quads, same bytes. Streams to `output` if given."""
    items: Iterable[ox.Quad] | Iterable[ox.Triple] = (
        quads if fmt.supports_datasets else _triples(quads)
    )
    target = str(output) if isinstance(output, Path) else output
    data = ox.serialize(items, target, format=fmt, prefixes=PREFIXES)
    return data or b""


def shacl_validate(quads: Iterable[ox.Quad]) -> None:
    """Validate all triples (graphs merged) against `ontology/shapes.ttl` with pySHACL."""
    import pyshacl
    import rdflib

    ntriples = ox.serialize(_triples(quads), format=ox.RdfFormat.N_TRIPLES)
    data = rdflib.Graph().parse(data=ntriples, format="nt")
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _graph, text = pyshacl.validate(data, shacl_graph=shapes)
    if not conforms:
        keep = ("Focus Node", "Value Node", "Result Path", "Message")
        details = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(keep)]
        raise ValidationError(
            "graph does not conform to the shapes: " + "; ".join(details[:8]), path=SHAPES
        )


def build(
    data_dir: Path | str = Path("data"),
    out_dir: Path | str | None = Path("data/graph"),
    store: str | Path | None = DEFAULT_STORE,
    *,
    validate: bool = True,
    files: Iterable[str] = FORMATS,
) -> BuildReport:
    """Build the graph from `data_dir`; write `files` to `out_dir` and load `store`."""
    if isinstance(files, str):  # "nq" is one name, not the letters n and q
        files = [files]
    return build_corpus(
        lambda: load_corpus(data_dir),
        None if out_dir is None else Path(out_dir),
        None if store is None else str(store),
        validate=validate,
        files=files,
    )


def build_corpus(
    load: Callable[[], Corpus],
    out_dir: Path | None = Path("data/graph"),
    store: str | None = DEFAULT_STORE,
    *,
    validate: bool = True,
    files: Iterable[str] = FORMATS,
) -> BuildReport:
    """The graph of the corpus `load()` returns, written to `out_dir` (`files`, names from
    `FORMATS`) and loaded into `store`.

    The quads stream to an N-Quads file in a staging folder beside the outputs; every other
    format is made from that file and the store bulk-loads it, so memory stays at the corpus's
    own size however large the graph (36 quads a claim). The corpus is let go once its quads
    are written (hence a loader, not the corpus: a caller's reference would keep it), so the
    store's bulk loader does not add its memory to the corpus's. With `store=":memory:"` the
    graph is loaded and then let go: that checks it loads, and keeps nothing to query.
    """
    started = time.perf_counter()
    target = store_target(store) if store is not None else None  # before any work or harm
    if target:
        check_unlocked(target)
    if target and out_dir and files and target in (out_dir.resolve(), *out_dir.resolve().parents):
        raise StoreError(
            f"the output folder {out_dir} is in the store's folder, which the build replaces: "
            "give them separate folders",
            path=store,
        )
    # where the build replaces things: beside the outputs and beside the store
    # (resolved, so that a symlink's other spelling of the same folder takes the same lock)
    places = (out_dir.resolve() if out_dir and files else None, target)
    replaced = [p.parent for p in places if p is not None]
    if store is not None and store.startswith(("http://", "https://")):
        # a wrong URL or a missing permission fails in seconds, not after the whole build
        cast(RemoteStore, open_store(store, create=True)).check_writable()
    with exclusive(replaced, BUSY):
        corpus = load()
        loaded = time.perf_counter()
        report = BuildReport(
            sources=len(corpus.sources),
            entities=len(corpus.entities),
            claims=sum(len(c) for c in corpus.claims.values()),
            quads=0,
        )
        names = [name for name in files if out_dir]
        if unknown := set(names) - set(FORMATS):
            raise InputError(
                f"unknown output files {sorted(unknown)}: expected some of {list(FORMATS)}"
            )
        near = out_dir if names else target.parent if target else None
        if near:
            near.mkdir(parents=True, exist_ok=True)
            _remove_stale(near, ".kg-build-*")
        if target:
            _remove_stale(target.parent, f".{target.name}.new-*", f".{target.name}.old-*")
        report.stages["corpus"] = loaded - started
        lap = loaded

        def stage(name: str) -> None:
            nonlocal lap
            now = time.perf_counter()
            report.stages[name] = now - lap
            lap = now

        try:
            staging = tempfile.TemporaryDirectory(prefix=".kg-build-", dir=near)
        except OSError as exc:  # named by the folder the user gave, not the staging one
            raise InputError(f"cannot write here: {exc.strerror}", path=near) from None
        with staging as tmp:
            staged = Path(tmp) / "kg.nq"
            with staged.open("wb") as out:
                report.quads = emit_corpus(corpus, ONTOLOGY, out.write)
            del corpus
            stage("graph")
            if validate:
                shacl_validate(_parse(staged))
                stage("shacl")
            staged_outputs = {}
            for name in names:
                if name != "kg.nq":
                    with (Path(tmp) / name).open("wb") as out:
                        out.write(HEADERS.get(name, b""))
                        serialise(_parse(staged), FORMATS[name], out)
                staged_outputs[name] = Path(tmp) / name
            stage("files")
            if store is not None:
                load_store(store, staged, target)
                report.store = store
                stage("store")
            for name, path in staged_outputs.items():
                assert out_dir is not None
                os.replace(path, out_dir / name)
                report.outputs.append(out_dir / name)
        report.seconds = time.perf_counter() - started
        return report


def writable_store(spec: str) -> Store:
    """The built store at `spec`, open for adding to it (not for replacing it: `kg build`)."""
    if spec == ":memory:":
        raise StoreError(":memory: holds nothing between commands: name a built store")
    if not spec.startswith(("http://", "https://")) and not (Path(spec) / "CURRENT").is_file():
        raise StoreError("no graph store here: run `kg build` first", path=spec)
    store_target(spec)  # a URL checked, a folder named sensibly
    if not spec.startswith(("http://", "https://")):
        check_unlocked(Path(spec))
    store = open_store(spec, create=True)
    if isinstance(store, RemoteStore):
        store.check_writable()
    return store


@contextlib.contextmanager
def adding_to(spec: str) -> Iterator[Store]:
    """`writable_store(spec)`, with a folder's build lock held for the block, so that a
    `kg build` running meanwhile cannot swap its store over what is added (nor start)."""
    folder = [] if spec == ":memory:" or spec.startswith(("http://", "https://")) else [spec]
    with exclusive([Path(f).resolve().parent for f in folder], BUSY):
        yield writable_store(spec)


def add_sources(store: Store, data_dir: Path, source_ids: Iterable[str]) -> int:
    """Add the graphs of the sources `source_ids` to `store`, so that queries see them before
    the next `kg build`; return how many quads that was. A source's graph is its own
    (metadata and text), so adding it, even again, changes nothing that is already there."""
    data = b"".join(
        source_nquads(load_source(data_dir / "sources" / f"{sid}{META_SUFFIX}"))
        for sid in source_ids
    )
    try:
        if data:
            store.load_nquads(data)
    except KgError as exc:
        exc.message += f" (the sources are in {data_dir / 'sources'}: kg build loads them)"
        raise
    return data.count(b"\n")


BUSY = "another kg build or kg ingest --store is writing here: let it finish, then try again"

STALE_AFTER = 24 * 3600  # seconds: far longer than any build, so a running one is never touched


def _remove_stale(folder: Path, *patterns: str) -> None:
    """Remove staging folders a killed build left behind (a clean exit removes its own)."""
    cutoff = time.time() - STALE_AFTER
    for pattern in patterns:
        for path in folder.glob(pattern):
            try:
                if path.is_dir() and path.stat().st_mtime < cutoff:
                    shutil.rmtree(path)
            except OSError:
                pass  # someone else's, or already gone: it is only litter


def _parse(path: Path) -> Iterator[ox.Quad]:
    return ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)


def load_store(spec: str, nquads: Path, target: Path | None = None) -> None:
    """Replace the content of the store at `spec` with the N-Quads file `nquads`; `target` is
    the folder `store_target(spec)` approved (None for a URL or ":memory:")."""
    if target is None:
        open_store(spec, create=True).replace_nquads(nquads.read_bytes())
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
        fresh.chmod(0o777 & ~umask())  # a store folder, not mkdtemp's private 0700
        try:
            new = EmbeddedStore(fresh)
            new.load_file(nquads)
            new._store.flush()
            del new
            replace_directory(fresh, target)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
    except OSError as exc:
        raise StoreError(f"cannot write the store: {exc.strerror or exc}", path=target) from None
