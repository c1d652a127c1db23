"""Synthetic claim graphs in the shape `kg build` produces, for load and query benchmarks.

`make_corpus` makes entities, sources and claims as `kg.curation.load_corpus` would read them,
so `kg.build.build_corpus` (the build itself) and `kg.graph.emit_corpus` turn them into exactly
the nodes, properties, named graphs and materialised aggregates of the real graph. The skew
is realistic: entity popularity is Zipf-like (a few actors are in most claims), popular
propositions are restated by many sources, and modalities, attributions, kinds and dates are
mixed in the seed corpus's proportions.

    python benchmarks/generate.py 100000 /tmp/kg-100k.nq
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import random
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import IO

import yaml

from kg import graph
from kg.build import ONTOLOGY
from kg.curation import Corpus
from kg.models import (
    Attribution,
    CausalClaim,
    Entity,
    EntityType,
    EventClaim,
    EventStatus,
    Modality,
    Polarity,
    Precision,
    Publication,
    QuantityClaim,
    Relation,
    SourceMeta,
    TimeSpec,
)

Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
CLAIMS_PER_SOURCE = 50
WORDS = [
    *[
        "tariffs",
        "yields",
        "treasury",
        "holdings",
        "japan",
        "selloff",
        "markets",
        "dollar",
        "yen",
        "bonds",
        "investors",
    ],
    *[
        "policy",
        "ministry",
        "finance",
        "reserves",
        "inflation",
        "rates",
        "debt",
        "trade",
        "deficit",
        "analysts",
    ],
]
MODALITIES = [
    (Modality.asserted, 51),
    (Modality.reported, 13),
    (Modality.hypothetical, 20),
    (Modality.speculative, 12),
    (Modality.denied, 2),
    (Modality.predicted, 2),
]
KINDS = [("causal", 66), ("event", 24), ("quantity", 10)]
ENTITY_TYPES = [
    (EntityType.event, 30),
    (EntityType.indicator, 20),
    (EntityType.policy, 9),
    (EntityType.country, 8),
    (EntityType.asset, 6),
    (EntityType.company, 6),
    (EntityType.group, 6),
    (EntityType.government_body, 5),
    (EntityType.person, 5),
    (EntityType.currency, 3),
    (EntityType.international_organisation, 1),
    (EntityType.central_bank, 1),
]


class Zipf:
    """Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1) ** s."""

    def __init__(self, n: int, s: float, rng: random.Random) -> None:
        self.cumulative = list(itertools.accumulate(1 / (k + 1) ** s for k in range(n)))
        self.rng = rng

    def draw(self) -> int:
        x = self.rng.random() * self.cumulative[-1]
        return min(bisect.bisect_left(self.cumulative, x), len(self.cumulative) - 1)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _entities(n: int, rng: random.Random) -> list[Entity]:
    out = []
    for i in range(n):
        kind = _weighted(rng, ENTITY_TYPES)
        out.append(
            Entity(
                id=f"e{i:07d}",
                type=kind,
                label=f"{kind.value} {i}",
                description=f"Synthetic {kind.value.lower()} number {i}.",
                aliases=[f"{kind.value} {i}", f"E{i}"],
                wikidata=f"Q{100000 + i}" if rng.random() < 0.4 else None,
            )
        )
    return out


def _source(i: int, rng: random.Random) -> SimpleNamespace:
    text = " ".join(rng.choice(WORDS) for _ in range(160))
    day = rng.randrange(0, 3 * 365)
    year, rest = 2023 + day // 365, day % 365
    month, dom = 1 + rest // 31 % 12, 1 + rest % 28
    precision = _weighted(rng, [(Precision.day, 5), (Precision.month, 3), (Precision.year, 1)])
    value = {
        Precision.day: f"{year}-{month:02d}-{dom:02d}",
        Precision.month: f"{year}-{month:02d}",
        Precision.year: f"{year}",
    }[precision]
    meta = SourceMeta(
        id=f"s{i:07d}",
        title=f"Synthetic article {i}",
        outlet=f"Outlet {i % 97}",
        author=None,
        url=None,
        language="en",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        byte_size=len(text),
        encoding="utf-8",
        original_filename=f"s{i:07d}.txt",
        published=Publication(
            value=value, precision=precision, established="stated", evidence="synthetic"
        ),
    )
    normalised = SimpleNamespace(
        encoding="utf-8", edits=[], media_type="text/plain", raw_span=lambda a, b: (a, b)
    )
    return SimpleNamespace(id=meta.id, meta=meta, text=text, normalised=normalised)


def _claim(cid: str, rng: random.Random, text: str, pick, prop: tuple) -> object:
    kind, subject, other = prop
    modality = _weighted(rng, MODALITIES)
    attribution = Attribution.outlet
    who: dict = {}
    r = rng.random()
    if modality is Modality.reported or r < 0.4:
        attribution = _weighted(
            rng, [(Attribution.named, 4), (Attribution.anonymous, 2), (Attribution.vague, 4)]
        )
        if attribution is Attribution.named:
            who = {"speaker": pick("speaker")}
        else:
            who = {"speaker_as_written": rng.choice(["analysts", "officials", "experts"])}
    start = rng.randrange(0, len(text) - 60)
    end = start + rng.randrange(20, 60)
    common = {
        "id": cid,
        "quote": text[start:end],
        "start": start,
        "end": end,
        "modality": modality,
        "attribution": attribution,
        **who,
    }
    when = None
    if rng.random() < 0.2:
        year = rng.randrange(2000, 2026)
        when = TimeSpec(value=str(year), precision="year", as_written=f"in {year}")
    if kind == "causal":
        relation, obj = other
        negative = rng.random() < 0.01
        return CausalClaim(
            **common,
            subject=subject,
            relation=relation,
            object=obj,
            polarity=Polarity.negative if negative else Polarity.positive,
            event_time=when,
        )
    if kind == "event":
        status = rng.choice(list(EventStatus))
        return EventClaim(**common, subject=subject, status=status, event_time=when)
    value = rng.randrange(1, 2000) * 10 ** rng.randrange(0, 10)
    return QuantityClaim(
        **common, subject=subject, measure=other, value=value, unit="USD", period=when
    )


def make_corpus(n_claims: int, seed: int = 7) -> tuple[Corpus, dict]:
    """A corpus of about `n_claims` claims, and parameters worth querying its graph with."""
    rng = random.Random(seed)
    n_entities = max(200, n_claims // 20)
    entities = _entities(n_entities, rng)
    by_type: dict[EntityType, list[str]] = {}
    for e in entities:
        by_type.setdefault(e.type, []).append(e.id)
    popular = Zipf(n_entities, 1.05, rng)
    speakers = by_type[EntityType.person] + by_type[EntityType.government_body]
    speaker_rank = Zipf(len(speakers), 1.1, rng)
    indicators = by_type[EntityType.indicator]
    indicator_rank = Zipf(len(indicators), 1.1, rng)
    events = by_type[EntityType.event]

    def pick(what: str) -> str:
        if what == "speaker":
            return speakers[speaker_rank.draw()]
        return entities[popular.draw()].id

    propositions: list[tuple] = []
    restated = Zipf(max(1, n_claims), 1.1, rng)
    sources: dict = {}
    claims: dict[str, list] = {}
    n_sources = max(5, n_claims // CLAIMS_PER_SOURCE)
    made = 0
    for i in range(n_sources):
        source = _source(i, rng)
        sources[source.id] = source
        claims[source.id] = []
        for j in range(n_claims // n_sources + (i < n_claims % n_sources)):
            if propositions and rng.random() < 0.45:  # restate a proposition, popular ones more
                prop = propositions[restated.draw() % len(propositions)]
            else:
                kind = _weighted(rng, KINDS)
                subject = pick("entity")
                if kind == "causal":
                    obj = pick("entity")
                    while obj == subject:
                        obj = pick("entity")
                    prop = (kind, subject, (rng.choice(list(Relation)), obj))
                elif kind == "quantity":
                    prop = (kind, subject, indicators[indicator_rank.draw()])
                else:
                    prop = (kind, events[popular.draw() % len(events)], None)
                propositions.append(prop)
            claims[source.id].append(_claim(f"c{j:04d}", rng, source.text, pick, prop))
            made += 1
    corpus = Corpus(sources=sources, entities={e.id: e for e in entities}, claims=claims)
    info = {
        "claims": made,
        "entity": entities[20].id,
        "event": by_type[EntityType.event][0],
        "speaker": speakers[3],
        "measure": indicators[0],
        "from": entities[5].id,
        "to": entities[40].id,
    }
    return corpus, info


def write_corpus(corpus: Corpus, data_dir: Path) -> None:
    """Write `corpus` as curated files (`sources/`, `entities.yaml`, `claims/`), as
    `kg.curation.load_corpus` reads them, so a benchmark can time `kg build` from the files."""
    (data_dir / "sources").mkdir(parents=True)
    (data_dir / "claims").mkdir()

    def dump(data: object, path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            yaml.dump(data, out, Dumper=Dumper, sort_keys=False, allow_unicode=True)

    dump(
        [e.model_dump(mode="json", exclude_defaults=True) for e in corpus.entities.values()],
        data_dir / "entities.yaml",
    )
    for sid, source in corpus.sources.items():
        (data_dir / "sources" / f"{sid}.txt").write_bytes(source.text.encode())
        dump(source.meta.model_dump(mode="json"), data_dir / "sources" / f"{sid}.meta.yaml")
        claims = [c.model_dump(mode="json", exclude_defaults=True) for c in corpus.claims[sid]]
        for claim, model in zip(claims, corpus.claims[sid], strict=True):
            claim["kind"] = model.kind  # the union's tag, a default of each model
        dump({"source": sid, "claims": claims}, data_dir / "claims" / f"{sid}.yaml")


def generate(n_claims: int, out: IO[bytes], seed: int = 7) -> dict:
    """Write the N-Quads of a generated graph (`make_corpus`) to `out`, as `kg build` would."""
    corpus, info = make_corpus(n_claims, seed)
    info["quads"] = graph.emit_corpus(corpus, ONTOLOGY, out.write)
    return info


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("claims", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with args.output.open("wb") as out:
        info = generate(args.claims, out, args.seed)
    print(info, file=sys.stderr)


if __name__ == "__main__":
    main()
