"""Score the extractor against the curated claims (a test set: nothing here tunes it).

Every curated source (one with a claims file) counts: the five seeds, and any article
accepted since (`kg accept`), whose claims were reviewed from this extractor's own candidates
and so flatter it; the report says how many articles it read. Ingested articles not yet
curated are left out: they have no answers to score against.

- causal claims, by span: a candidate matches a curated causal claim of the same source when
  their quotes overlap by at least half of the shorter one;
- causal claims, by entities: ... and both have the same subject and object;
- entity linking: for each curated claim, the entities it names (subject, object, measure,
  speaker) against the entities the linker found inside its quote; run twice, with the full
  alias list and with labels only, because the aliases were written while curating these very
  seeds and flatter the full run;
- modality and attribution: agreement on the span-matched pairs.
"""

from __future__ import annotations

import io
import json
import os
import resource
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.curation import Corpus, load_corpus
from kg.evaluate.cnc import Scores
from kg.extract.batch import extract_jsonl
from kg.extract.pipeline import SpacyExtractor, load_nlp
from kg.models import CausalClaim

__all__ = ["SeedReport", "curated_corpus", "evaluate_seeds"]


@dataclass
class SeedReport:
    span: Scores = field(default_factory=Scores)
    entity: Scores = field(default_factory=Scores)
    linking: Scores = field(default_factory=Scores)
    linking_labels_only: Scores = field(default_factory=Scores)
    modality: tuple[int, int] = (0, 0)  # agreeing, matched pairs
    attribution: tuple[int, int] = (0, 0)
    candidates: int = 0
    gold: int = 0
    sources: int = 0  # every curated source, the seeds and any article accepted since
    words: int = 0  # in all of them
    batch_articles: int = 0
    articles_per_second: float = 0.0
    peak_mb: float = 0.0
    batch_per_second: float = 0.0  # `kg extract --jsonl` with two worker processes
    batch_worker_mb: float = 0.0
    load_average: float = 0.0  # other work on the machine while measuring


def _overlap(a: CausalClaim, b: CausalClaim) -> bool:
    both = min(a.end, b.end) - max(a.start, b.start)
    return both > 0 and both >= 0.5 * min(a.end - a.start, b.end - b.start)


def _link_scores(extractor: SpacyExtractor, corpus, scores: Scores) -> None:
    nlp = load_nlp()
    for sid, source in sorted(corpus.sources.items()):
        doc = nlp(source.text)
        mentions = extractor.linker.mentions(doc)
        for claim in corpus.claims.get(sid, []):
            gold = {claim.subject, getattr(claim, "object", None), getattr(claim, "measure", None),
                    claim.speaker} - {None}  # fmt: skip
            found = {m.entity for m in mentions if claim.start <= m.start and m.end <= claim.end}
            scores.add(len(found & gold), len(found - gold), len(gold - found))


def _batch_rate(corpus, data_dir: Path, report: SeedReport, copies: int = 8) -> None:
    """Time batch mode over the seed texts repeated `copies` times, worker start included."""
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "seeds.jsonl"
        lines = [json.dumps({"id": f"{sid}-{n}", "text": s.text})
                 for n in range(copies) for sid, s in sorted(corpus.sources.items())]  # fmt: skip
        feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.perf_counter()
        extract_jsonl(feed, io.StringIO(), data_dir / "entities.yaml", processes=2, progress=False)
        report.batch_per_second = len(lines) / (time.perf_counter() - started)
        report.batch_articles = len(lines)
    report.batch_worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def curated_corpus(data_dir: Path) -> Corpus:
    """The corpus under `data_dir` without the sources that have no claims file: an ingested
    article not yet reviewed has no answers, and would count every candidate as wrong."""
    corpus = load_corpus(data_dir)
    curated = {sid: s for sid, s in corpus.sources.items() if sid in corpus.claims}
    return replace(corpus, sources=curated)


def evaluate_seeds(data_dir: Path, repeat: int = 3) -> SeedReport:
    """Extract from every seed source and compare with its curated claims."""
    corpus = curated_corpus(data_dir)
    extractor = SpacyExtractor(corpus.entities)
    report = SeedReport(
        sources=len(corpus.sources),
        words=sum(len(s.text.split()) for s in corpus.sources.values()),
    )
    load_nlp()
    started = time.perf_counter()
    extractions = {}
    for _ in range(repeat):
        extractions = {sid: extractor.extract(sid, s.text) for sid, s in corpus.sources.items()}
    seconds = time.perf_counter() - started
    report.articles_per_second = repeat * len(corpus.sources) / seconds
    report.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.load_average = os.getloadavg()[0]
    _batch_rate(corpus, data_dir, report)
    agree_mod = agree_att = pairs = 0
    for sid, extraction in sorted(extractions.items()):
        gold = [c for c in corpus.claims.get(sid, []) if isinstance(c, CausalClaim)]
        pred = [c.claim for c in extraction.candidates if isinstance(c.claim, CausalClaim)]
        report.gold += len(gold)
        report.candidates += len(pred)
        span_hit = [any(_overlap(p, g) for g in gold) for p in pred]
        ent_hit = [any(_overlap(p, g) and (p.subject, p.object) == (g.subject, g.object)
                       for g in gold) for p in pred]  # fmt: skip
        report.span.add(
            sum(span_hit),
            len(pred) - sum(span_hit),
            sum(1 for g in gold if not any(_overlap(p, g) for p in pred)),
        )
        report.entity.add(sum(ent_hit), len(pred) - sum(ent_hit), sum(
            1 for g in gold if not any(_overlap(p, g) and (p.subject, p.object) ==
                                       (g.subject, g.object) for p in pred)))  # fmt: skip
        for p in pred:
            match = next((g for g in gold if _overlap(p, g)), None)
            if match is not None:
                pairs += 1
                agree_mod += p.modality == match.modality
                agree_att += p.attribution == match.attribution
    report.modality, report.attribution = (agree_mod, pairs), (agree_att, pairs)
    _link_scores(extractor, corpus, report.linking)
    labels_only = {k: e.model_copy(update={"aliases": []}) for k, e in corpus.entities.items()}
    _link_scores(SpacyExtractor(labels_only), corpus, report.linking_labels_only)
    return report
