"""The `kg` command line: each command parses options, calls one library function, prints."""

from __future__ import annotations

import codecs
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import click

from kg.errors import InputError, KgError
from kg.models import Modality, Relation

if TYPE_CHECKING:
    from kg.ingest import IngestReport

DATA_DIR = Path("data")


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (`timeout`, systemd, `docker stop`, a closed terminal), raised where
    Ctrl-C would be, so that a command cleans up as it does for Ctrl-C: a build killed
    outright left a staged copy of the whole graph behind (gigabytes at scale)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _notes(exc: BaseException) -> str:
    """What the library added to an interruption (PEP 678), such as what it left half done."""
    return "".join(f" ({note})" for note in getattr(exc, "__notes__", ()))


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signum)


def _catching_stops() -> dict[int, object]:
    """Turn SIGTERM and SIGHUP into `Stopped` where they would end the process; the handlers
    they had, to be put back. An ignored signal (`nohup`) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    before: dict[int, object] = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is signal.SIG_DFL:
            before[signum] = signal.signal(signum, _stop)
    return before


class KgGroup(click.Group):
    """Turn `KgError`, and a file that cannot be read or written, into one line on stderr and
    exit status 2; never a traceback. Ctrl-C exits 130, SIGTERM 143 and a closed pipe
    (``| head``) 141, as the shell reports a process those signals stopped."""

    def invoke(self, ctx: click.Context):
        from kg.files import note_inherited

        note_inherited()  # before the command opens a file (for --output /dev/fd/N)
        if sys.stdout is None:  # `kg ... >&-`: what is printed there is lost, no traceback
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the whole process
            click.echo("warning: standard output is closed: what kg prints there is lost", err=True)
        before = _catching_stops()
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # here, where a full disk can still be reported
                for signum, handler in before.items():
                    signal.signal(signum, handler)  # type: ignore[arg-type]
        except Stopped as exc:
            click.echo(f"stopped by {signal.Signals(exc.signum).name}{_notes(exc)}", err=True)
            sys.exit(128 + exc.signum)
        except KgError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            # stdout's reader is gone: say nothing more, and let no flush at exit fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except KeyboardInterrupt as exc:
            click.echo(f"interrupted{_notes(exc)}", err=True)
            sys.exit(130)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(2)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 claim``, ``2 claims``: a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DATA_DIR,
    show_default=True,
    help="Folder with sources/, entities.yaml and claims/.",
)


@click.group(cls=KgGroup)
@click.version_option(package_name="kg")
def cli() -> None:
    """A knowledge graph of actors and causal claims from news articles."""


@cli.command()
@data_option
def check(data_dir: Path) -> None:
    """Check sources, entities and claims without building the graph."""
    from kg.curation import load_corpus

    corpus = load_corpus(data_dir)
    n = sum(len(c) for c in corpus.claims.values())
    click.echo(f"ok: {len(corpus.sources)} sources, {len(corpus.entities)} entities, {n} claims")


def _undated(row: dict) -> str:
    """``undated``, with what the evidence bounds: ``undated (from 2024-01-02)``."""
    first, last = row["not_before"], row["not_after"]
    if first and last:
        return f"undated ({first} to {last})"
    if first or last:
        return f"undated ({'from ' + first if first else 'by ' + last})"
    return "undated"


@cli.command()
@data_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def sources(data_dir: Path, fmt: str) -> None:
    """List sources: title, publication date with precision, size, repairs.

    An undated source shows the days its evidence bounds it by; `--format json` gives every
    field, `not_before` and `not_after` being the first and last day the date and its
    evidence allow."""
    import json

    from rich.console import Console
    from rich.table import Table

    from kg.sources import describe_sources

    rows = describe_sources(data_dir / "sources")
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    # what matters first keeps its width on an 80-column terminal: the id, then the date
    from kg.query import cell

    cells = [
        (
            r["id"],
            f"{r['published']} ({r['established']})" if r["published"] else _undated(r),
            f"{r['bytes']:,}",
            str(r["repairs"]),
            cell(r["title"] or "—"),
        )
        for r in rows
    ]
    # piped, the width is not the terminal's (COLUMNS would change the bytes), as in kg query
    console = Console(width=None if sys.stdout.isatty() else 200)
    names = ("id", "published", "bytes", "repairs")
    widths = [max([len(name), *(len(c[i]) for c in cells)]) for i, name in enumerate(names)]
    # the id and the date always, then each column that fits whole (a number is never shown
    # cut), then the title in what is left
    keep, used = 2, widths[0] + 2 + widths[1]
    while keep < len(names) and used + 2 + widths[keep] <= console.width:
        used, keep = used + 2 + widths[keep], keep + 1
    table = Table(box=None, header_style="bold", padding=(0, 2, 0, 0))
    for i in range(keep):
        table.add_column(
            names[i], no_wrap=True, min_width=widths[i], justify="right" if i > 1 else "left"
        )
    title = keep == len(names) and console.width - used - 2 >= 10
    if title:
        table.add_column(
            "title", no_wrap=True, overflow="ellipsis", max_width=console.width - used - 2
        )
    for row in cells:
        table.add_row(*row[:keep], *row[4:] if title else ())
    # narrower than an id and its date: the terminal wraps the line, nothing is cut
    console.print(table, crop=False)


@cli.command()
@data_option
@click.argument("source_id")
@click.option(
    "--raw", is_flag=True, help="Print the raw decoded text instead of the normalised one."
)
@click.option("--edits", is_flag=True, help="Print the repairs as raw span -> normalised span.")
def text(data_dir: Path, source_id: str, raw: bool, edits: bool) -> None:
    """Print a source's normalised text (quotes anchor to it), its raw text, or its repairs."""
    from kg.errors import SourceError
    from kg.sources import load_source

    sidecar = data_dir / "sources" / f"{source_id}.meta.yaml"
    if "/" in source_id or not sidecar.is_file():
        raise SourceError(
            f"no source {source_id!r} in {data_dir / 'sources'} (`kg sources` lists them)"
        )
    doc = load_source(sidecar)
    if edits:
        for e in doc.normalised.edits:
            before = doc.normalised.raw[e.raw_start : e.raw_end]
            click.echo(
                f"raw {e.raw_start}-{e.raw_end} {before!r} -> "
                f"normalised {e.norm_start}-{e.norm_end} {e.replacement!r}  ({e.rule})"
            )
        return
    click.echo(doc.normalised.raw if raw else doc.text, nl=False)


@cli.command()
@data_option
@click.option(
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/graph"),
    show_default=True,
    help="Folder for kg.trig, kg.nq, kg.ttl and kg.jsonld.",
)
@click.option(
    "--store",
    default="build/store",
    show_default=True,
    envvar="KG_STORE",
    help="Store to load: a folder or a SPARQL endpoint URL. Env: KG_STORE.",
)
@click.option(
    "--files",
    type=click.Choice(["all", "nq", "none"]),
    default="all",
    show_default=True,
    help="Which files to write: all four formats, only kg.nq, or none (the store only).",
)
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (for very large graphs).")
def build(data_dir: Path, out_dir: Path, store: str, files: str, no_validate: bool) -> None:
    """Check the corpus, build the RDF graph, validate it, write files and load the store."""
    from kg.build import FORMATS
    from kg.build import build as run_build

    names = {"all": list(FORMATS), "nq": ["kg.nq"], "none": []}[files]
    report = run_build(data_dir, out_dir, store, validate=not no_validate, files=names)
    click.echo(
        f"built {report.quads:,} quads from {report.sources} sources, {report.entities} entities, "
        f"{report.claims} claims in {report.seconds:.1f}s"
    )
    for path in report.outputs:
        click.echo(f"  wrote {path}")
    if report.store:
        from kg.remote import shown

        click.echo(f"  loaded {shown(report.store)}")


store_option = click.option(
    "--store",
    default="build/store",
    show_default=True,
    envvar="KG_STORE",
    help="Graph store: a folder (embedded Oxigraph) or a SPARQL endpoint URL. Env: KG_STORE.",
)


@cli.command()
@store_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def summary(store: str, fmt: str) -> None:
    """Sources, entities by type, claims by kind, relation, modality and source."""
    import json

    from rich.console import Console
    from rich.table import Table

    from kg.query import cell
    from kg.store import open_store
    from kg.summary import summarise

    result = summarise(open_store(store))
    if fmt == "json":
        click.echo(json.dumps({"counts": result.counts, **result.breakdowns}, indent=2))
        return
    console = Console()
    console.print(", ".join(f"{n:,} {name}" for name, n in result.counts.items()))
    for title, rows in result.breakdowns.items():
        table = Table(show_header=False, box=None, padding=(0, 1, 0, 2))
        for key, n in rows:
            table.add_row(cell(key), f"{n:,}")
        console.print(f"\n[bold]{title}[/bold]")
        console.print(table)


@cli.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    default="-",
    help="File to write (default: stdout); replaced only once complete.",
)
def claims(store: str, fmt: str, output: Path) -> None:
    """Export every claim, one JSON object per line, with its provenance."""
    from kg.export import claim_records, to_jsonl
    from kg.files import replacing
    from kg.store import open_store

    lines = to_jsonl(claim_records(open_store(store)))
    if str(output) == "-":
        for line in lines:
            click.echo(line)
        return
    with replacing(output) as out:
        for line in lines:
            out.write(line.encode("utf-8") + b"\n")


# --- viz ---


@cli.command()
@store_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write [default: visualizations/seed-graph.html for the whole graph, "
    "visualizations/<view>.html for the others].",
)
@click.option(
    "--focus", metavar="ENTITY", help="Show one entity (id, label or alias) and its surroundings."
)
@click.option(
    "--depth",
    type=click.IntRange(1, 8),
    help="Steps around --focus (1) or longest --from/--to path (4).",
)
@click.option("--source", "source_id", metavar="ID", help="Only this source's claims.")
@click.option("--from", "path_from", metavar="ENTITY", help="Causal paths from this entity ...")
@click.option("--to", "path_to", metavar="ENTITY", help="... to this one.")
@click.option(
    "--relation",
    multiple=True,
    type=click.Choice([r.value for r in Relation]),
    help="Only these relations (repeatable).",
)
@click.option(
    "--modality",
    multiple=True,
    type=click.Choice([m.value for m in Modality]),
    help="Only these modalities (repeatable).",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(1),
    default=5000,
    show_default=True,
    help="Refuse larger views.",
)
def viz(store, output, focus, depth, source_id, path_from, path_to, relation, modality, max_nodes):
    """Render the graph as an interactive HTML page that works offline."""
    from kg.store import open_store
    from kg.viz import ViewSpec, render_view

    spec = ViewSpec(focus, depth, source_id, path_from, path_to, relation, modality, max_nodes)
    result = render_view(open_store(store), spec, output)
    counts = ", ".join(
        [
            counted(result.nodes, "entity", "entities"),
            counted(result.edges, "edge"),
            counted(result.claims, "claim"),
        ]
    )
    click.echo(f"wrote {result.output}: {counts}")
    for line in result.paths:
        click.echo(f"  {line}")


# --- extract ---


@cli.command()
@data_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Report bad documents and go on.")
@click.option(
    "--store",
    help="Also add the sources to this built store (a folder or a SPARQL endpoint URL), so "
    "queries see them before the next kg build; given files already ingested are added too. "
    "Not taken from KG_STORE: writing to a store is asked for.",
)
def ingest(data_dir: Path, paths: tuple[Path, ...], skip_invalid: bool, store: str | None) -> None:
    """Add articles (files, folders, JSONL) to data/sources; never overwrite one."""
    import contextlib

    from kg.ingest import ingest as run_ingest

    with contextlib.ExitStack() as held:
        if store is not None:
            from kg.build import add_sources, adding_to

            # a missing store or a read-only server is refused before anything is written
            graph = held.enter_context(adding_to(store))
        report = run_ingest(list(paths), data_dir, skip_invalid=skip_invalid)
        _print_ingest(report, data_dir)
        if store is not None:
            loaded = add_sources(graph, data_dir, [*report.added, *report.unchanged])
            from kg.remote import shown

            click.echo(f"added {loaded} quads of the sources to {shown(store)}")


def _print_ingest(report: IngestReport, data_dir: Path) -> None:
    for source_id in report.added:
        click.echo(f"added {source_id}")
    for source_id in report.unchanged:
        click.echo(f"unchanged {source_id}")
    for new, old in report.versions:
        click.echo(f"  {new} is a new version of {old}")
    for line in report.skipped:
        click.echo(f"skipped: {line}", err=True)
    for kept in report.not_applied:
        sidecar = data_dir / "sources" / f"{kept.source_id}.meta.yaml"
        fields = ", ".join(
            f"{k} {new!r} (stored: {old!r})" for k, (old, new) in kept.fields.items()
        )
        click.echo(
            f"not applied: {kept.origin} has the bytes of stored {kept.source_id}, which keeps "
            f"its metadata: {fields}; to change it, edit {sidecar}",
            err=True,
        )
    click.echo(f"{len(report.added)} added, {len(report.unchanged)} unchanged")


@cli.command()
@data_option
@click.argument("sources", nargs=-1)
@click.option("--jsonl", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Batch mode: one {\"id\", \"text\"} document per line.")  # fmt: skip
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
              default="-", help="Batch output file (default: stdout); replaced only once "
              "complete.")  # fmt: skip
@click.option("--processes", default=2, show_default=True, type=click.IntRange(min=1),
              help="Worker processes (batch).")  # fmt: skip
@click.option("--threshold", default=0.4, show_default=True, type=click.FloatRange(0, 1),
              help="Minimum confidence.")  # fmt: skip
@click.option("--force", is_flag=True,
              help="Replace candidates still waiting for review (and edits to them).")  # fmt: skip
@click.option("--all", "every", is_flag=True,
              help="With no SOURCES: every source, curated ones too.")  # fmt: skip
@click.option(
    "--extractor",
    type=click.Choice(["spacy", "chat"]),
    default="spacy",
    show_default=True,
    help="chat: an OpenAI-compatible endpoint at KG_LLM_URL.",
)
def extract(
    data_dir, sources, jsonl, output, processes, threshold, force, every, extractor
) -> None:
    """Propose candidate claims for SOURCES (data/candidates/<id>.yaml), by default for the
    new sources (no claims file, no candidates waiting for review); or for a JSONL batch."""
    from kg.extract.run import extract_sources

    if jsonl and (sources or extractor != "spacy" or force or every):
        raise click.UsageError("--jsonl extracts its own documents with spaCy: give no SOURCES, "
                               "--extractor, --force or --all")  # fmt: skip
    if every and sources:
        raise click.UsageError("--all is instead of SOURCES: give one or the other")
    if not jsonl and str(output) != "-":
        raise click.UsageError("--output is for --jsonl; sources get data/candidates/<id>.yaml")
    if jsonl and str(output) != "-" and output.exists() and output.samefile(jsonl):
        raise click.UsageError("--output is the --jsonl file itself: it would be overwritten")
    if jsonl:
        from kg.extract.batch import BatchReport, extract_jsonl

        def run(out: TextIO) -> BatchReport:
            return extract_jsonl(jsonl, out, data_dir / "entities.yaml", processes=processes,
                                 threshold=threshold)  # fmt: skip

        if str(output) == "-":
            report = run(sys.stdout)
        else:
            from kg.files import replacing

            with replacing(output) as binary:
                report = run(codecs.getwriter("utf-8")(binary))  # type: ignore[arg-type]
        made = counted(report.claims, "candidate")
        click.echo(f"{made} from {counted(report.documents, 'document')}", err=True)
        return
    found = extract_sources(
        data_dir, list(sources), threshold=threshold, extractor=extractor, force=force, every=every
    )
    for path, n in found:
        click.echo(f"wrote {path} ({counted(n, 'candidate')})")
    if not found:
        click.echo(
            "no new sources: each has a claims file or candidates waiting for review; name the "
            "sources to extract from, or pass --all",
            err=True,
        )


@cli.command()
@data_option
@click.argument("source")
@click.argument("ids", nargs=-1)
@click.option("--min-confidence", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Accept only candidates at least this confident.")  # fmt: skip
def accept(data_dir: Path, source: str, ids: tuple[str, ...], min_confidence: float) -> None:
    """Move candidate claims (all, or the IDS given) into data/claims/SOURCE.yaml."""
    from kg.extract.review import accept as run_accept

    notes: list[str] = []
    accepted = run_accept(data_dir, source, list(ids) or None, min_confidence, notes)
    click.echo(
        f"accepted {counted(len(accepted), 'claim')} into {data_dir / 'claims' / source}.yaml"
    )
    for note in notes:
        click.echo(f"note: {note}", err=True)


@cli.command(name="eval")
@data_option
@click.option("--cnc", is_flag=True, help="Also cross-validate on benchmarks/cnc (minutes).")
@click.option("--write", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the results as the Extraction section of this file.")  # fmt: skip
def eval_(data_dir: Path, cnc: bool, write: Path | None) -> None:
    """Score extraction against the curated seeds (and CNC); print or write the report."""
    from kg.evaluate.run import evaluate

    click.echo(evaluate(data_dir, cnc=cnc, write=write), nl=False)


# --- query ---

# Rows a saved query shows in a terminal table unless --limit or --all says otherwise.
PAGE = 100


@cli.command("query")
@click.argument("sparql", required=False)
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path), help="Query file.")
@click.option("--saved", help="Run a saved query by name (`kg queries` lists them).")
@click.option(
    "--param", "params", multiple=True, metavar="NAME=VALUE", help="Saved-query parameter."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xml", "csv", "tsv", "ttl", "jsonld", "nt", "rdfxml"]),
    help="Output format [default: from --output's extension, else table (SELECT/ASK), ttl].",
)
@click.option(
    "--output",
    default="-",
    help="File to write (default: stdout); its extension picks the format: .csv .tsv .json "
    ".srj .xml .srx .txt (table) for SELECT/ASK, .ttl .jsonld .nt .rdf for graphs. Written "
    "beside and renamed into place, so a failed query leaves the file as it was.",
)
@click.option("--limit", type=click.IntRange(min=1, max=10**15),
              help="Saved query: entries (claims or propositions, as the query lists them) "
              "per page [default: 100 in a table, else all].")  # fmt: skip
@click.option("--offset", type=click.IntRange(min=0, max=10**15), default=0,
              help="Saved query: skip this many entries.")  # fmt: skip
@click.option("--all", "everything", is_flag=True, help="Saved query: every row, no page.")
@click.option("--timeout", type=click.FloatRange(min=0, max=7 * 24 * 3600, min_open=True),
              metavar="SECONDS", callback=lambda _c, _p, v: _a_number(v),
              help="Stop the query after this long (exit 2).")  # fmt: skip
@store_option
def query_command(
    sparql, file, saved, params, fmt, output, limit, offset, everything, timeout, store
):
    """Run SPARQL given as an argument, with --file, on stdin, or a saved query."""
    _in_background(
        lambda: _query(sparql, file, saved, params, fmt, output, limit, offset, everything, store),
        timeout,
    )


def _a_number(value: float | None) -> float | None:
    if value is not None and value != value:  # NaN passes every range check
        raise click.BadParameter("not a number")
    return value


def _in_background(work: Callable[[], None], timeout: float | None) -> None:
    """Run `work` in a thread the main thread waits on: the engine evaluates a query where
    Python cannot interrupt it, so Ctrl-C and `--timeout` end the process instead (exit 130
    or 2). An --output file is written beside and renamed into place, so it stays as it was."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised below, where KgGroup reports it
            # without the frames, so that the engine's objects in them are freed here:
            # Oxigraph refuses to drop an answer on another thread than its own
            chained: BaseException | None = exc
            while chained is not None:
                chained.__traceback__ = None
                chained = chained.__cause__ or chained.__context__
            failed.append(exc)

    def stopped(signum: int, _frame: object) -> None:  # as a shell would report the signal
        _abandon(f"stopped by {signal.Signals(signum).name}", 128 + signum)

    # `timeout`, systemd, a closed terminal; the caller's handlers come back afterwards
    before = {
        s: signal.signal(s, stopped)
        for s in (signal.SIGTERM, signal.SIGHUP)
        if signal.getsignal(s) is not signal.SIG_IGN  # `nohup kg query ...` keeps running
    }
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while thread.is_alive():
            thread.join(0.1)
            if deadline is not None and thread.is_alive() and time.monotonic() > deadline:
                _abandon(f"error: the query ran past --timeout {timeout:g} s", 2)
    except KeyboardInterrupt:
        _abandon("interrupted", 130)
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
    if failed:
        raise failed[0]


def _abandon(message: str, status: int) -> NoReturn:
    """End the process now, with the query still running: no output file left half-written."""
    from kg.files import remove_unfinished

    remove_unfinished()
    click.echo(message, err=True)
    os._exit(status)


def _query(sparql, file, saved, params, fmt, output, limit, offset, everything, store) -> None:
    from kg.query import read_query, run_query, run_saved, write_result
    from kg.results import Result
    from kg.saved import parse_params
    from kg.store import open_store

    if (limit is not None or offset or everything) and not saved:
        raise click.UsageError("--limit, --offset and --all page saved queries; write LIMIT")
    if params and not saved:
        raise click.UsageError("--param binds a saved query's parameters (--saved NAME)")
    if saved and (sparql is not None or file is not None):
        raise click.UsageError("give --saved or your own SPARQL, not both")
    if everything and limit is not None:
        raise click.UsageError("--all or --limit, not both")
    if not saved:
        text, path = read_query(sparql, file, sys.stdin)
        write_result(run_query(open_store(store), text, path=path), fmt, output)
        return
    # A page only for a table on the terminal; a file gets every row unless --limit says
    to_terminal = output in (None, "-") and (fmt or "table") == "table"
    if limit is None and not everything and to_terminal:
        limit = PAGE
    bound = parse_params(params)
    notes: list[str] = []  # how names given for entities were read
    if limit is None:  # every row from --offset: stream it, as for any other query
        answer = run_saved(open_store(store), saved, bound, offset=offset, notes=notes)
        for note in notes:
            click.echo(note, err=True)
        write_result(answer, fmt, output)
        return
    # A page counts what the query lists (claims, or propositions with all their claims), not
    # rows, so a page is never cut inside a proposition; a second, one-entry page says
    # whether another follows.
    opened = open_store(store)
    page = run_saved(opened, saved, bound, limit=limit, offset=offset, notes=notes)
    for note in notes:
        click.echo(note, err=True)
    rows = list(page.rows)  # a page: small
    write_result(Result.solutions(page.variables, rows), fmt, output)
    if not rows and offset:
        click.echo(f"--offset {offset} is past the end of this listing", err=True)
    elif next(iter(run_saved(opened, saved, bound, limit=1, offset=offset + limit).rows), None):
        click.echo(
            f"a page of {counted(limit, 'entry', 'entries')} of this listing from {offset}: "
            f"--offset {offset + limit} for the next, --all for everything",
            err=True,
        )


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def queries(fmt: str) -> None:
    """List the saved queries with their descriptions and parameters."""
    from kg.saved import describe_saved

    click.echo(describe_saved(json_output=fmt == "json"))


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")  # fmt: skip
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds a query may run.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Most rows in an answer.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Queries run at once.",
)
@click.option(
    "--memory-limit",
    "memory_mb",
    type=click.IntRange(min=0),
    default=4096,
    show_default=True,
    help="Megabytes a query's worker may use (0: no limit; Linux).",
)
@click.option("--allow-update", is_flag=True, help="Accept SPARQL updates (read-only otherwise).")
@click.option("--allow-service", is_flag=True, help="Accept SERVICE (federated) queries.")
@click.option("--allow-load", is_flag=True, help="Accept LOAD (with --allow-update).")
@click.option(
    "--viz",
    type=click.Path(path_type=Path),
    default="visualizations/seed-graph.html",
    show_default=True,
    help="HTML graph view served at /graph.",
)
def serve(
    store, host, port, timeout, limit, workers, memory_mb, allow_update, allow_service,
    allow_load, viz,
):  # fmt: skip
    """Serve the graph as a SPARQL 1.1 endpoint with a query page (read-only by default)."""
    from kg.serve import Endpoint, make_server

    if allow_load and not allow_update:
        raise click.BadParameter("LOAD is an update: add --allow-update", param_hint="--allow-load")
    if 0 < memory_mb < 256:
        raise click.BadParameter(
            "a worker needs at least 256 MB (0: no limit)", param_hint="--memory-limit"
        )
    endpoint = Endpoint(
        store,
        timeout,
        limit,
        workers,
        allow_update,
        allow_service,
        allow_load,
        viz,
        memory_mb=memory_mb or None,
    )
    server = make_server(endpoint, host, port)
    from kg.remote import shown

    where = f"[{host}]" if ":" in host else host  # an IPv6 address, as a URL writes it
    click.echo(f"serving {shown(store)} at http://{where}:{server.server_port}/ (SPARQL: /sparql)")
    if store.startswith(("http://", "https://")):
        # the front serves anyway (the server may come up later), but says so now, not only
        # with a 502 to every query; in the background, as a silent server takes its timeout
        import threading

        threading.Thread(target=_check_upstream, args=(store,), daemon=True).start()
    try:
        server.serve_forever()
    except Stopped:  # systemd, `docker stop`: answer what is under way, then stop (exit 0)
        endpoint.in_flight.drain(endpoint.timeout + 5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        endpoint.pool.close() if endpoint.pool else None


def _check_upstream(store: str) -> None:
    from kg.serve import upstream_problem

    if problem := upstream_problem(store):
        click.echo(f"warning: {problem}", err=True)


# --- audit ---


@cli.command()
@store_option
@data_option
@click.option(
    "--check",
    "checks",
    metavar="LIST",
    help="Checks to run, comma-separated: anchoring, corroboration, contradictions, attribution, "
    "time, entities, mentions, reference, profile, or all. Default: all but mentions.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["info", "warning", "error"]),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding reaches this severity.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    help="Default: from the --output file name (.json, .md, .html), else text.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout).",
)
@click.option("--summary", is_flag=True, help="Only the counts and the source profile.")
@click.option("--verbose", is_flag=True, help="Show info findings in the terminal too.")
@click.option(
    "--tolerance",
    type=float,
    default=0.01,
    show_default=True,
    help="Relative difference within which two figures agree.",
)
@click.option(
    "--graph-view",
    default="visualizations/seed-graph.html",
    show_default=True,
    help="Graph view the HTML report links claims to ('' for none).",
)
def audit(store, data_dir, checks, fail_on, fmt, output, summary, verbose, tolerance, graph_view):
    """Audit provenance: anchoring, corroboration, contradictions, attribution, time, entities,
    reference data; exit 0 clean, 1 findings at --fail-on or above, 2 error."""
    from kg.audit import Severity, parse_checks, run_audit
    from kg.audit.render import guess_format, relative_link, render
    from kg.store import open_store

    if not data_dir.is_dir():  # the audit reads the sources' bytes from here
        raise InputError("data folder not found (--data)", path=data_dir)
    graph = open_store(store)
    report = run_audit(graph, checks=parse_checks(checks), data_dir=data_dir, tolerance=tolerance)
    form = guess_format(fmt, output)
    color = output is None and sys.stdout.isatty()
    link = relative_link(graph_view, output)
    text = render(
        report, form, store=graph, graph_view=link, verbose=verbose, summary=summary, color=color
    )
    if output:
        from kg.files import replacing

        with replacing(output) as out:
            out.write(text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code(Severity(fail_on)))
