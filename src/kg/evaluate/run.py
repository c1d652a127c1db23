"""`kg eval`: score the extractor on the seeds (and on CNC), render, optionally write."""

from __future__ import annotations

from pathlib import Path

from kg.errors import InputError
from kg.evaluate.cnc import evaluate_cnc
from kg.evaluate.report import render, write_section
from kg.evaluate.seeds import evaluate_seeds
from kg.extract.pipeline import load_nlp

__all__ = ["CNC_DIR", "evaluate"]

CNC_DIR = Path(__file__).resolve().parents[3] / "benchmarks" / "cnc"


def evaluate(data_dir: Path, *, cnc: bool = False, write: Path | None = None,
             cnc_dir: Path = CNC_DIR) -> str:  # fmt: skip
    """The `## Extraction` report as Markdown; written into `write` when given."""
    if cnc and not (cnc_dir / "train_subtask1.csv").is_file():
        raise InputError(
            "the Causal News Corpus is not here: `kg eval --cnc` runs in a checkout of kg, "
            "which carries it in benchmarks/cnc",
            path=cnc_dir,
        )
    seeds = evaluate_seeds(data_dir)
    cnc_scores = evaluate_cnc(cnc_dir, load_nlp()) if cnc else None
    section = render(seeds, cnc_scores)
    if write is not None:
        write_section(write, section)
    return section
