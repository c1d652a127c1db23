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


# --- query ---


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
    type=click.Choice(["table", "json", "xml", "csv", "tsv", "ttl", "jsonld", "nt"]),
    help="Output format [default: from --output's extension, else table (SELECT/ASK), ttl].",
)
@click.option("--output", default="-", help="File to write (default: stdout).")
@store_option
def query_command(sparql, file, saved, params, fmt, output, store) -> None:
    """Run SPARQL given as an argument, with --file, on stdin, or a saved query."""
    from kg.query import read_query, run_query, run_saved, write_result
    from kg.saved import parse_params
    from kg.store import open_store

    if saved:
        result = run_saved(open_store(store), saved, parse_params(params))
    else:
        text, path = read_query(sparql, file, sys.stdin)
        result = run_query(open_store(store), text, path=path)
    write_result(result, fmt, output)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def queries(fmt: str) -> None:
    """List the saved queries with their descriptions and parameters."""
    from kg.saved import describe_saved

    click.echo(describe_saved(json_output=fmt == "json"))


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, help="Port (0: any free port).")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds a query may run.")
@click.option("--limit", default=10_000, show_default=True, help="Most rows in an answer.")
@click.option("--workers", default=2, show_default=True, help="Queries run at once.")
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
def serve(store, host, port, timeout, limit, workers, allow_update, allow_service, allow_load, viz):
    """Serve the graph as a SPARQL 1.1 endpoint with a query page (read-only by default)."""
    from kg.serve import Endpoint, make_server

    endpoint = Endpoint(
        store, timeout, limit, workers, allow_update, allow_service, allow_load, viz
    )
    server = make_server(endpoint, host, port)
    click.echo(f"serving {store} at http://{host}:{server.server_port}/ (SPARQL: /sparql)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        endpoint.pool.close() if endpoint.pool else None
