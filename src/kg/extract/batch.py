"""Batch extraction: JSONL documents in, JSONL candidate claims out, on every core.

Each input line is ``{"id", "text", ...}``; each output line is one causal candidate
(`kg.extract.review.candidate_records`), in input order. Offsets are into the text as given
(batch input is not re-normalised, so that spans index the caller's own strings). A document
with no causal candidate writes no line. Work is spread over `processes` worker processes,
each loading spaCy and the entity catalogue once; progress goes to stderr when it is a terminal.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kg.curation import load_entities
from kg.errors import SourceError

__all__ = ["BatchReport", "extract_jsonl"]

_WORKER: dict[str, Any] = {}


@dataclass
class BatchReport:
    documents: int
    claims: int


def _init(entities_path: str, threshold: float) -> None:
    from kg.curation import load_entities
    from kg.extract.pipeline import SpacyExtractor

    _WORKER["extractor"] = SpacyExtractor(load_entities(Path(entities_path)), threshold=threshold)


def _run(item: tuple[str, str]) -> list[str]:
    from kg.extract.review import candidate_records

    doc_id, text = item
    extraction = _WORKER["extractor"].extract(doc_id, text)
    return [json.dumps(r, ensure_ascii=False) for r in candidate_records(extraction)]


def _documents(path: Path) -> Iterator[tuple[str, str]]:
    try:
        lines = path.open("rb")
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=path) from None
    seen: dict[str, int] = {}  # id -> line
    with lines:
        for n, raw in enumerate(lines, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SourceError(
                    f"not UTF-8 (byte {exc.start + 1} of the line)", path=path, line=n
                ) from None
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(f"invalid JSON: {exc.msg}", path=path, line=n) from None
            doc_id = item.get("id") if isinstance(item, dict) else None
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("text"), str)
                or isinstance(doc_id, bool)
                or not isinstance(doc_id, str | int)
                or not str(doc_id).strip()
            ):
                raise SourceError('expected {"id": ..., "text": "..."}', path=path, line=n)
            try:
                item["text"].encode("utf-8")
            except UnicodeEncodeError as exc:
                raise SourceError(
                    f'"text" holds a lone surrogate (character {exc.start})', path=path, line=n
                ) from None
            if str(doc_id) in seen:
                raise SourceError(
                    f"id {str(doc_id)!r} was given on line {seen[str(doc_id)]} already",
                    path=path,
                    line=n,
                )
            seen[str(doc_id)] = n
            yield str(doc_id), item["text"]


def extract_jsonl(
    path: Path,
    output: TextIO,
    entities_path: Path,
    *,
    processes: int = 2,
    threshold: float = 0.4,
    progress: bool | None = None,
) -> BatchReport:
    """Extract candidates from every document of the JSONL file `path` into `output`.

    Every line is checked before the first is extracted, so a bad line 9,000 stops the run
    at once, naming its line, rather than after hours of work."""
    from rich.progress import Progress

    if not path.is_file():  # a pipe (`<(...)`, /dev/stdin) reads once, and this reads twice
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "documents.jsonl"
            with path.open("rb") as pipe, copy.open("wb") as out:
                shutil.copyfileobj(pipe, out)
            try:
                return extract_jsonl(
                    copy, output, entities_path,
                    processes=processes, threshold=threshold, progress=progress,
                )  # fmt: skip
            except SourceError as exc:
                if exc.path == str(copy):  # name what the user gave, with the line
                    exc.path = str(path)
                raise
    total = sum(1 for _ in _documents(path))
    load_entities(entities_path)  # here, not in each worker, so a bad file is one error
    show = sys.stderr.isatty() if progress is None else progress
    docs = claims = 0
    with Progress(transient=True, disable=not show) as bar:
        task = bar.add_task("extracting", total=total)
        results: Iterator[list[str]]
        if processes > 1:
            ctx = multiprocessing.get_context("spawn")  # no forked spaCy state
            pool = ctx.Pool(processes, _init, (str(entities_path), threshold))
            results = pool.imap(_run, _documents(path), chunksize=4)
        else:
            _init(str(entities_path), threshold)
            pool, results = None, iter(map(_run, _documents(path)))
        try:
            for lines in results:
                for line in lines:
                    output.write(line + "\n")
                docs, claims = docs + 1, claims + len(lines)
                bar.advance(task)
        finally:
            if pool is not None:
                pool.terminate()
    return BatchReport(docs, claims)
