"""Write the `## Extraction` section of docs/benchmarks.md from measured scores."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

from kg.evaluate.cnc import Scores
from kg.evaluate.seeds import SeedReport

__all__ = ["render", "write_section"]

HEADING = "## Extraction"
CNC_HEADING = "### Causal News Corpus V2"


def _row(name: str, s: Scores) -> str:
    return f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |"


def render(seeds: SeedReport, cnc: dict[str, dict[str, Scores]] | None) -> str:
    head = "| measure | precision | recall | F1 |\n| --- | --- | --- | --- |"
    mod, att = seeds.modality, seeds.attribution
    lines = [
        HEADING,
        "",
        "Produced by `make benchmarks` (`kg eval --cnc --write docs/benchmarks.md`) on "
        f"{platform.machine()} with {os.cpu_count()} cores, CPU only. Method and limits: "
        "[docs/extraction.md](extraction.md).",
        "",
        f"### Curated articles (test set: {seeds.sources} articles, {seeds.gold} curated causal "
        f"claims, {seeds.candidates} candidates)",
        "",
        head,
        _row("causal claims, span overlap", seeds.span),
        _row("causal claims, same subject and object", seeds.entity),
        _row("entity linking (full alias list)", seeds.linking),
        _row("entity linking (labels only, no aliases)", seeds.linking_labels_only),
        "",
        f"Modality agrees on {mod[0]} of {mod[1]} span-matched pairs "
        f"({mod[0] / max(mod[1], 1):.0%}); attribution (outlet, named, anonymous, vague) on "
        f"{att[0]} of {att[1]} ({att[0] / max(att[1], 1):.0%}).",
        "",
        f"Throughput on the curated articles (about "
        f"{round(seeds.words / max(seeds.sources, 1), -2):,.0f} words each): "
        f"{seeds.articles_per_second:.1f} articles/second in one process, peak memory "
        f"{seeds.peak_mb:.0f} MB (spaCy model, entity index, detector); batch mode "
        f"(`kg extract --jsonl`, two worker processes, {seeds.batch_articles} articles, "
        "worker start included) "
        f"{seeds.batch_per_second:.1f} articles/second, {seeds.batch_worker_mb:.0f} MB peak per "
        f"worker. The machine is shared: its load average was {seeds.load_average:.1f} on "
        f"{os.cpu_count()} cores while measuring, so these are lower bounds.",
    ]
    if cnc:
        lines += [
            "",
            f"{CNC_HEADING}, training split, 5-fold cross-validation",
            "",
            "| system | detection P | R | F1 | spans exact P | R | F1 | spans overlap P | R | F1 |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, s in cnc.items():
            d, e, o = s["detection"], s["exact"], s["overlap"]
            lines.append(
                f"| {name} | {d.precision:.3f} | {d.recall:.3f} | {d.f1:.3f} | {e.precision:.3f} "
                f"| {e.recall:.3f} | {e.f1:.3f} | {o.precision:.3f} | {o.recall:.3f} | "
                f"{o.f1:.3f} |"
            )
        lines += [
            "",
            "Published best (fine-tuned transformers, hidden test sets): detection F1 0.862 "
            "(2022) and 0.847 (2023); cause/effect/signal span F1 0.542 (2022) and 0.728 (2023).",
        ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace (or append) the `## Extraction` section of `path`, leaving the others alone.
    A section measured without `--cnc` keeps the CNC results already there (a run of
    minutes, not to be lost to a quick re-run on the seeds)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if found := pattern.search(text):
        old_cnc = found.group(0).partition(CNC_HEADING)
        if CNC_HEADING not in section and old_cnc[1]:
            section = section.rstrip("\n") + "\n\n" + old_cnc[1] + old_cnc[2].rstrip("\n") + "\n"
        text = pattern.sub(lambda _: section + "\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
