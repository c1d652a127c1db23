"""Benchmark `kg audit` on a synthetic graph of 100,000 claims.

    .venv/bin/python benchmarks/audit_bench.py [--claims 100000] [--seed 7]

The graph is generated deterministically (a fixed seed, no clock), built by the real pipeline
(`kg.graph.corpus_quads`) into an on-disk Oxigraph store, reopened read-only as `kg audit` opens
it, and audited with the default checks; then the same graph in memory. Its shape loosely
follows the seeds: 100 claims per source, 70% causal, 20% event and 10% quantity claims; mixed
modalities and speakers; one source in fifty copies passages from another; one in five has no
date; holdings figures for Japan and China so the reference check has work. Prints the time of
each step and check. Results: docs/benchmarks.md, "Audit".
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.audit import CHECKS, DEFAULT_CHECKS
from kg.audit.context import AuditContext
from kg.audit.profile import source_profiles
from kg.build import ONTOLOGY, serialise
from kg.curation import Corpus
from kg.graph import corpus_quads
from kg.models import CausalClaim, Entity, EventClaim, QuantityClaim, SourceMeta
from kg.sources import SourceDocument
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
NQ = ox.RdfFormat.N_QUADS
WORDS = ["quietly", "sharply", "again", "suddenly", "slowly", "reportedly", "clearly", "broadly"]
MODALITIES = ["asserted"] * 10 + ["reported"] * 3 + ["hypothetical"] * 2 + ["speculative"] * 3
MODALITIES += ["predicted", "denied"]
STATUSES = ["occurred", "ongoing", "possible", "improbable", "threatened", "not_occurred"]


def entities(rng: random.Random) -> dict[str, Entity]:
    out = {
        "japan": Entity(id="japan", type="Country", label="Japan", description="x", wikidata="Q17"),
        "china": Entity(
            id="china", type="Country", label="China", description="x", wikidata="Q148"
        ),
        "treasury-holdings": Entity(
            id="treasury-holdings", type="Indicator", label="Treasury holdings", description="x"
        ),
    }
    kinds = [("actor", "Organisation", 300), ("event", "Event", 600), ("measure", "Indicator", 100)]
    for prefix, etype, n in kinds:
        for i in range(n):
            eid = f"{prefix}-{i:04d}"
            out[eid] = Entity(
                id=eid,
                type=etype,
                label=f"{prefix.title()} {i:04d}",
                description="synthetic",
                wikidata=f"Q{1000 + i}" if prefix == "actor" and rng.random() < 0.7 else None,
            )
    return out


def pick(rng: random.Random, prefix: str, n: int) -> str:
    """Zipf-like: low numbers are common, so propositions recur across sources."""
    return f"{prefix}-{min(int(rng.paretovariate(1.2)) - 1, n - 1):04d}"


def claim(rng: random.Random, cid: int, labels: dict[str, str], sentences: list[str], tag: str):
    modality = rng.choice(MODALITIES)
    who: dict = {}
    if modality == "reported":
        kind = rng.choice(["named", "anonymous", "vague"])
        who = {"attribution": kind}
        if kind == "named":
            who["speaker"] = pick(rng, "actor", 300)
        else:
            who["speaker_as_written"] = rng.choice(["officials familiar", "analysts", "insiders"])
    roll = rng.random()
    if roll < 0.7:
        s, o = pick(rng, "event", 600), pick(rng, "measure", 100)
        words, model = f"{labels[s]} raises {labels[o]}", CausalClaim
        fields = {"subject": s, "relation": "increases", "object": o}
    elif roll < 0.9:
        s = pick(rng, "event", 600)
        status = rng.choice(STATUSES)
        words, model = f"{labels[s]} is {status.replace('_', ' ')}", EventClaim
        fields = {"subject": s, "status": status}
    else:
        s = rng.choice(["japan", "china", pick(rng, "actor", 300)])
        value = rng.choice([1.1e12, 1.13e12, 7.6e11, 1e12]) if s != "japan" else 1.1e12
        words, model = f"{labels[s]} held {value / 1e9:.0f} billion", QuantityClaim
        fields = {"subject": s, "measure": "treasury-holdings", "value": value, "unit": "USD"}
        if rng.random() < 0.5:
            fields["period"] = {"value": f"{rng.choice([2024, 2025])}", "precision": "year"}
    if model is not QuantityClaim and rng.random() < 0.1:
        fields["event_time"] = {"value": None, "precision": "unknown", "as_written": "overnight"}
    quote = f"{words} {' '.join(rng.sample(WORDS, 3))} in note {tag}-{cid}"
    sentences.append(quote)
    return model, {"id": f"c{cid:03d}", "modality": modality, "quote": quote, **who, **fields}


def corpus(n_claims: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    ents = entities(rng)
    labels = {e.id: e.label for e in ents.values()}
    sources, claims = {}, {}
    previous: list[str] = []
    for s in range(n_claims // 100):
        sid = f"s{s:05d}"
        sentences: list[str] = []
        specs = [claim(rng, i, labels, sentences, sid) for i in range(100)]
        if s % 50 == 49:  # copies five passages of the previous source
            sentences[:5] = previous[:5]
            specs[:5] = [
                (m, {**spec, "quote": q})
                for (m, spec), q in zip(specs[:5], previous[:5], strict=True)
            ]
        previous = sentences
        text = ". ".join(sentences) + "."
        data = text.encode()
        dated = s % 5 != 0
        meta = SourceMeta(
            id=sid, title=f"Synthetic {sid}", outlet=None, author=None, url=None, language="en",
            sha256=hashlib.sha256(data).hexdigest(), byte_size=len(data), encoding="utf-8",
            original_filename=f"{sid}.txt",
            published={"value": "2025-05", "precision": "month", "established": "inferred",
                       "evidence": "synthetic"} if dated else {"evidence": "none"},
        )  # fmt: skip
        sources[sid] = SourceDocument(meta, Path(f"{sid}.txt"), data)
        out, offset = [], 0
        for (model, spec), sentence in zip(specs, sentences, strict=True):
            start = text.index(sentence, offset)
            out.append(model(**spec, start=start, end=start + len(sentence)))
            offset = start + len(sentence)
        claims[sid] = out
    return Corpus(sources, ents, claims)


def timed_audit(store: Store, label: str) -> None:
    """The default audit, as `run_audit` runs it, with the time of each step."""
    ctx = AuditContext(store, data_dir=ROOT / "data")
    steps: list[tuple[str, float]] = []
    t = time.perf_counter()
    _ = ctx.claims, ctx.sources
    steps.append(("claim and source index", time.perf_counter() - t))
    findings = 0
    for check in DEFAULT_CHECKS:
        t = time.perf_counter()
        findings += len(CHECKS[check](ctx)) if check in CHECKS else len(source_profiles(ctx))
        steps.append((check.value, time.perf_counter() - t))
    total = sum(seconds for _, seconds in steps)
    print(f"{label}: audit {total:.1f}s, {findings:,} findings and profiles", flush=True)
    for name, seconds in steps:
        print(f"  {name:24} {seconds:6.1f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t = time.perf_counter()
    nquads = serialise(list(corpus_quads(corpus(args.claims, args.seed), ONTOLOGY)), NQ)
    took = time.perf_counter() - t
    print(f"generated {args.claims:,} claims, {len(nquads) >> 20} MB of N-Quads in {took:.0f}s")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "kg.nq").write_bytes(nquads)
        t = time.perf_counter()
        disk = ox.Store(str(Path(tmp) / "store"))
        disk.bulk_load(path=str(Path(tmp) / "kg.nq"), format=NQ)
        disk.flush()
        disk.optimize()
        del disk
        print(f"loaded an on-disk store in {time.perf_counter() - t:.0f}s", flush=True)
        timed_audit(open_store(Path(tmp) / "store"), "on disk, read-only (as kg audit opens it)")
    memory = open_store(":memory:")
    memory.load_nquads(nquads)
    del nquads
    timed_audit(memory, "in memory")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(f"peak memory {rss:,.0f} MB; load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"python {sys.version.split()[0]}, pyoxigraph {ox.__version__}")


if __name__ == "__main__":
    main()
