"""`kg query`: run SPARQL (typed, from a file, or saved) on any store and write the answer.

Prefixes of the ontology and of the standard vocabularies are predeclared (`kg.namespace.
PREFIXES`). The output format comes from `--format` or from the output file's extension:

>>> guess_format("answers.tsv")
<ResultFormat.tsv: 'tsv'>
>>> guess_format(None) is None
True
"""

from __future__ import annotations

import difflib
import io
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.files import descriptor, replacing
from kg.models import SLUG
from kg.namespace import DATA, PREFIXES
from kg.results import Result, ResultFormat, Row, Value, serialise_chunks
from kg.saved import SavedQuery, bind_params, get_saved
from kg.sparql import query_form
from kg.store import EmbeddedStore, Store, Term

__all__ = ["guess_format", "read_query", "run_query", "run_saved", "shorten", "write_result"]

EXTENSIONS = {
    ".json": ResultFormat.json,
    ".srj": ResultFormat.json,
    ".xml": ResultFormat.xml,
    ".srx": ResultFormat.xml,
    ".csv": ResultFormat.csv,
    ".tsv": ResultFormat.tsv,
    ".ttl": ResultFormat.ttl,
    ".jsonld": ResultFormat.jsonld,
    ".nt": ResultFormat.nt,
    ".rdf": ResultFormat.rdfxml,
    ".txt": ResultFormat.table,
}


def guess_format(output: str | Path | None) -> ResultFormat | None:
    """The format an output file's extension asks for, or None."""
    if output is None or str(output) == "-":
        return None
    suffix = Path(output).suffix.lower()
    if suffix not in EXTENSIONS:
        raise QueryError(f"cannot tell the format from {suffix or 'no extension'!r}: use --format")
    return EXTENSIONS[suffix]


def read_query(
    text: str | None, file: Path | None, stdin: IO[str] | None
) -> tuple[str, str | None]:
    """The query text and the file it came from: an argument, `--file`, or standard input."""
    if text is not None and file is not None:
        raise QueryError("give the query as an argument or with --file, not both")
    if file is not None:
        try:
            # utf-8-sig: editors on Windows start files with a byte-order mark
            return file.read_text(encoding="utf-8-sig"), str(file)
        except OSError as exc:
            raise QueryError(f"cannot read the query: {exc.strerror}", path=file) from None
        except UnicodeDecodeError as exc:
            raise QueryError(
                f"not UTF-8 text (byte {exc.start}): save the query as UTF-8", path=file
            ) from None
    where = "given as an argument"
    if text is None and stdin is not None:
        where = "on standard input"
        try:
            text = stdin.read()
        except UnicodeDecodeError as exc:
            raise QueryError(f"the query {where} is not UTF-8 (byte {exc.start})") from None
    if not text or not text.strip():
        raise QueryError("no query: give SPARQL as an argument, with --file, or on stdin")
    try:
        text.encode("utf-8")  # bytes that are not UTF-8 arrive as lone surrogates
    except UnicodeEncodeError as exc:
        raise QueryError(f"the query {where} is not UTF-8 (character {exc.start})") from None
    return text, None


def run_query(
    store: Store,
    text: str,
    bindings: Mapping[str, Term] | None = None,
    *,
    path: str | None = None,
) -> Result:
    """Run any query form; syntax errors name `path` with line and column."""
    try:
        if query_form(text) == "UPDATE":
            raise QueryError("kg query runs queries, not updates: `kg build` writes the graph")
        return store.query(text, bindings)
    except QueryError as exc:
        if path and exc.line is not None:
            exc.path = path
        raise


def run_saved(
    store: Store,
    name: str,
    params: Mapping[str, str] | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    notes: list[str] | None = None,
) -> Result:
    """Run the saved query `name` with parameters given as strings: all rows, or the page of
    `limit` rows from `offset` (the claims or propositions the query lists, in its order).
    An entity may be given by id, IRI, label or alias (`resolve_entities`); how a name was
    read goes to `notes`."""
    saved = get_saved(name)
    resolved = resolve_entities(store, saved, dict(params or {}), notes)
    bindings = bind_params(saved, resolved)
    _check_known(store, saved, bindings)
    if limit is not None or not isinstance(store, EmbeddedStore):
        # A server plans on its own, and Virtuoso refuses a sorted LIMIT above 10 000
        return run_query(store, saved.render(bindings, limit, offset), bindings, path=saved.path)
    first = run_query(store, saved.render(bindings, CHUNK, offset), bindings, path=saved.path)
    return Result.solutions(first.variables, _chunks(store, saved, bindings, offset, first))


# A name as written is looked up in the indexes; only when that finds nothing are all names
# lowered and compared (0.1 s for 5,000 entities).
_EXACT = """
SELECT DISTINCT ?id ?label WHERE {
  { ?e rdfs:label ?en } UNION { ?e skos:altLabel ?en }
  UNION { ?e rdfs:label ?plain } UNION { ?e skos:altLabel ?plain }
  ?e a kg:Entity ; dcterms:identifier ?id ; rdfs:label ?label .
}
ORDER BY ?id
"""
_NAMED = """
SELECT DISTINCT ?id ?label WHERE {
  ?e a kg:Entity ; dcterms:identifier ?id ; rdfs:label ?label .
  { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name }
  FILTER(REPLACE(LCASE(STR(?name)), "[’‘]", "'") = ?wanted)
}
ORDER BY ?id
"""
_NAMES = """
SELECT DISTINCT ?id ?name WHERE {
  ?e a kg:Entity ; dcterms:identifier ?id .
  { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name }
}
"""


def resolve_entities(
    store: Store, saved: SavedQuery, params: dict[str, str], notes: list[str] | None = None
) -> dict[str, str]:
    """`params` with each entity given by label or alias (any case: "Takichi", "sanae
    takaichi") replaced by its id. Ids, IRIs and prefixed names stay as given; a name that
    fits several entities, or none, is a `QueryError` that lists what it could mean.

    >>> from kg.store import EmbeddedStore
    >>> store = EmbeddedStore(None)
    >>> store.update('INSERT DATA { ent:sanae-takaichi a kg:Entity ; dcterms:identifier '
    ...     '"sanae-takaichi" ; rdfs:label "Sanae Takaichi"@en ; skos:altLabel "Takichi"@en }')
    >>> resolve_entities(store, get_saved("speaker"), {"speaker": "takichi"})
    {'speaker': 'sanae-takaichi'}
    """
    out = dict(params)
    for param in saved.params:
        value = params.get(param.name)
        if param.type != "entity" or value is None or _names_an_iri(value):
            continue
        if re.fullmatch(SLUG, value.lower()):
            iri = ox.NamedNode(str(DATA[f"entity/{value.lower()}"]))
            if store.ask(_KNOWN["entity"], {"x": iri}):
                out[param.name] = value.lower()  # ids are lower case; DONALD-TRUMP is meant
                continue
        name = " ".join(value.split())
        exact = {"en": ox.Literal(name, language="en"), "plain": ox.Literal(name)}
        # as the articles write it, curly apostrophes and all, or as labels do (straight)
        wanted = re.sub("[’‘]", "'", name.lower())
        rows = store.select(_EXACT, exact) or store.select(_NAMED, {"wanted": ox.Literal(wanted)})
        hits = [(r["id"], r["label"]) for r in rows]
        ids = sorted({h[0].value for h in hits if h[0] is not None})
        if len(ids) == 1:
            out[param.name] = ids[0]
            label = next(h[1].value for h in hits if h[1] is not None)
            if notes is not None:
                notes.append(f"{param.name}={value!r} is {label} ({ids[0]})")
        elif ids:
            raise QueryError(
                f"{saved.name}: {param.name}={value!r} could be any of {', '.join(ids)}: give an id"
            )
        else:
            close = _close(store, value)
            raise QueryError(
                f"{saved.name}: no entity {value!r} in the graph ({param.name}){close}"
            )
    return out


def _names_an_iri(value: str) -> bool:
    head, sep, _ = value.partition(":")
    return value.startswith(("http://", "https://")) or bool(sep and head in PREFIXES)


def _close(store: Store, value: str) -> str:
    """ "; did you mean ..." with the entities whose names are nearest to `value`."""
    names: dict[str, str] = {}
    for row in store.select(_NAMES):
        if row["id"] is not None and row["name"] is not None:
            names.setdefault(row["name"].value.lower(), row["id"].value)
    close = difflib.get_close_matches(value.lower(), list(names), n=4, cutoff=0.6)
    ids = list(dict.fromkeys(names[c] for c in close))
    return f"; did you mean {', '.join(ids)}?" if ids else ": give an id, a label or an alias"


_KNOWN = {
    "entity": "ASK { ?x a kg:Entity }",
    "source": "ASK { ?s a kg:Source ; dcterms:identifier ?x }",
}


def _check_known(store: Store, saved: SavedQuery, bindings: Mapping[str, Term]) -> None:
    """A mistyped id would otherwise read as "no answers": say it is not in the graph."""
    for param in saved.params:
        ask = _KNOWN.get(param.type)
        if ask and param.name in bindings and not store.ask(ask, {"x": bindings[param.name]}):
            value = bindings[param.name]
            shown = value.value if isinstance(value, ox.Literal) else shorten(value)
            raise QueryError(f"{saved.name}: no {param.type} {shown!r} in the graph ({param.name})")


# On the embedded store every row is fetched in chunks this large. Without a LIMIT in its
# paging subquery, Oxigraph plans as if the subquery were big and hash-joins the lookups of
# labels and quotes over the whole graph: 255 s instead of 16.5 s for `causes` of a popular
# event at 1M claims.
CHUNK = 1_000_000


def _chunks(
    store: Store, saved: SavedQuery, bindings: Mapping[str, Term], offset: int, first: Result
) -> Iterator[Row]:
    page = first
    while True:
        count = 0
        for row in page.rows:
            count += 1
            yield row
        # A short chunk ends the answer: no saved query drops rows of its page after cutting it
        if count < CHUNK:
            return
        offset += CHUNK
        page = run_query(store, saved.render(bindings, CHUNK, offset), bindings, path=saved.path)


_LOCAL = re.compile(r"\w([\w.\-]*[\w\-])?")


def shorten(term: Value | None) -> str:
    """A term as a person reads it: prefixed IRIs, literal values without quotes. The longest
    namespace wins, so an entity reads as it is typed back into a query or `--param`.

    >>> shorten(ox.NamedNode("https://w3id.org/kg-news/id/entity/japan"))
    'ent:japan'
    >>> shorten(ox.NamedNode("https://w3id.org/kg-news/id/claim/000_4c22/c001"))
    'kgd:claim/000_4c22/c001'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        matches = [
            (len(iri), prefix, term.value[len(iri) :])
            for prefix, iri in PREFIXES.items()
            if term.value.startswith(iri) and len(term.value) > len(iri)
        ]
        # a local name with a slash is not valid SPARQL, but kgd:claim/... still reads best
        for _, prefix, local in sorted(matches, reverse=True):
            if _LOCAL.fullmatch(local) or prefix == "kgd":
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):  # an RDF 1.2 triple term, written as SPARQL 1.2 does
        parts = (term.subject, term.predicate, term.object)
        return "<<( " + " ".join(_shown(t) for t in parts) + " )>>"
    return term.value


def _shown(term: Value) -> str:
    """A term inside a triple term: literals quoted, so a value's spaces stay readable."""
    return str(term) if isinstance(term, ox.Literal) else shorten(term)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def cell(value: str) -> Any:
    r"""A value for a terminal table, shown as it is: square brackets are text, not rich markup
    (a quote's "[the minister] said" kept its words), and control characters are shown as
    escapes, so that text from an article cannot drive the terminal.

    >>> cell("[bold]x\x1b[31m").plain
    '[bold]x\\x1b[31m'
    """
    from rich.text import Text

    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value))


def _table(result: Result, out: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # for the CLI to exit as `| head` expects, not rich's 1

    console = _Console(
        file=out, soft_wrap=False, width=None if out.isatty() else 200, highlight=False
    )
    if result.form == "ask":
        console.print("yes" if result.boolean else "no")
        return
    rows: Iterable[Row] = list(result.rows)
    table = Table(show_lines=False, highlight=False)
    for name in result.variables:
        table.add_column(name, overflow="fold")  # wrap, never cut: ids get copied from here
    n = 0
    for row in rows:
        table.add_row(*(cell(shorten(row.get(v))) for v in result.variables))
        n += 1
    console.print(table)
    console.print(f"{n} row{'s' if n != 1 else ''}")


def _write_all(stream: IO[bytes], data: bytes) -> None:
    """Write all of `data`: with PYTHONUNBUFFERED set, stdout's binary layer is a raw file
    that may take part of a chunk (a full disk, a pipe) and say so only by its count."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if not written:  # a blocking file takes bytes or raises why not
            raise OSError("the output took no more bytes")
        view = view[written:]


def write_result(
    result: Result, fmt: ResultFormat | str | None = None, output: str | Path | None = None
) -> None:
    """Write `result` to the file `output` (standard output for None or "-") in `fmt`, or in
    the format its extension names; by default a table for solutions, Turtle for graphs."""
    # standard output by another name (--output /dev/stdout) defaults as standard output does
    described = output is not None and descriptor(str(output)) is not None
    fmt = ResultFormat(fmt) if fmt else None if described else guess_format(output)
    if fmt is None:
        fmt = ResultFormat.ttl if result.form == "graph" else ResultFormat.table
    to_stdout = output is None or str(output) == "-"
    if fmt is ResultFormat.table:
        if result.form == "graph":
            raise QueryError("CONSTRUCT and DESCRIBE give a graph: use ttl, jsonld, nt or rdfxml")
        if to_stdout:
            _table(result, sys.stdout)
            return
        with replacing(Path(output), error=QueryError) as binary:  # type: ignore[arg-type]
            text = io.TextIOWrapper(binary, encoding="utf-8")
            _table(result, text)
            text.flush()
            text.detach()  # leave closing the file to _replacing
        return
    chunks = serialise_chunks(result, fmt, PREFIXES)
    if to_stdout:
        if fmt in (ResultFormat.xml, ResultFormat.rdfxml):
            # a value XML cannot carry fails the whole answer: none of it is printed
            chunks = iter([b"".join(chunks)])
        last = b"\n"
        for chunk in chunks:
            _write_all(sys.stdout.buffer, chunk)
            last = chunk[-1:] or last
        if last != b"\n":  # JSON ends without one; a shell prompt should not follow it
            _write_all(sys.stdout.buffer, b"\n")
        sys.stdout.flush()
        return
    with replacing(Path(output), error=QueryError) as binary:  # type: ignore[arg-type]
        last = b"\n"
        for chunk in chunks:
            binary.write(chunk)
            last = chunk[-1:] or last
        if last != b"\n":  # the same bytes as on standard output
            binary.write(b"\n")
