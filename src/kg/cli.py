"""The `kg` command line: each command parses options, calls one library function, prints."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import KgError

DATA_DIR = Path("data")


class KgGroup(click.Group):
    """Turn `KgError` into one line on stderr and exit status 2; never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


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
    help="Store to load: a folder or a SPARQL endpoint URL.",
)
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (for very large graphs).")
def build(data_dir: Path, out_dir: Path, store: str, no_validate: bool) -> None:
    """Check the corpus, build the RDF graph, validate it, write files and load the store."""
    from kg.build import build as run_build

    report = run_build(data_dir, out_dir, store, validate=not no_validate)
    click.echo(
        f"built {report.quads:,} quads from {report.sources} sources, {report.entities} entities, "
        f"{report.claims} claims in {report.seconds:.1f}s"
    )
    for path in report.outputs:
        click.echo(f"  wrote {path}")
    if report.store:
        click.echo(f"  loaded {report.store}")


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
            table.add_row(key, f"{n:,}")
        console.print(f"\n[bold]{title}[/bold]")
        console.print(table)


@cli.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option(
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: stdout).",
)
def claims(store: str, fmt: str, output) -> None:
    """Export every claim, one JSON object per line, with its provenance."""
    from kg.export import claim_records, to_jsonl
    from kg.store import open_store

    for line in to_jsonl(claim_records(open_store(store))):
        output.write(line + "\n")


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

    graph = open_store(store)
    report = run_audit(graph, checks=parse_checks(checks), data_dir=data_dir, tolerance=tolerance)
    form = guess_format(fmt, output)
    color = output is None and sys.stdout.isatty()
    link = relative_link(graph_view, output)
    text = render(
        report, form, store=graph, graph_view=link, verbose=verbose, summary=summary, color=color
    )
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code(Severity(fail_on)))
