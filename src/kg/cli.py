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
