"""A small trained model: is a sentence causal, and how reliable is each cue?

Logistic regression over sparse binary features (words, lemma bigrams, the cue rules that
fired and the dependency labels around them), trained by plain SGD with L2, in pure Python: no
numeric library, a few seconds on the CNC training split, and a JSON artefact of a few hundred
kilobytes (`causal_model.json`, written by `benchmarks/train_detector.py`). Beside the weights
it keeps each cue's reliability: the smoothed share of training sentences with that cue that
are causal. A claim's confidence blends the two (`Detector.confidence`).

>>> m = train([["w:because", "cue:link:because"], ["w:the"]] * 20, [1, 0] * 20, epochs=5)
>>> m.probability(["w:because", "cue:link:because"]) > 0.8 > m.probability(["w:the"])
True
>>> round(m.reliability("link:because"), 2), m.reliability("never-seen")
(0.95, 0.5)
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from kg.extract.causal import CausalMatch

__all__ = ["Detector", "features", "load_detector", "train"]

MODEL_PATH = Path(__file__).with_name("causal_model.json")


def features(sent: Any, matches: list[CausalMatch]) -> list[str]:
    """The sparse features of a spaCy sentence, given the causal matches found in it."""
    toks = [t for t in sent if not t.is_space]
    lemmas = [t.lemma_.lower() for t in toks]
    out = {f"w:{t.lower_}" for t in toks}
    out.update(f"b:{a}_{b}" for a, b in pairwise(lemmas))
    out.update(f"dep:{t.dep_}:{t.lemma_.lower()}" for t in toks if t.dep_ in ("mark", "agent"))
    out.update(f"dep:{t.dep_}:{t.head.lemma_.lower()}" for t in toks if t.dep_ in ("advcl",))
    for m in matches:
        out.add(f"cue:{m.cue}")
        out.add(f"kind:{m.cue.split(':')[0]}")
        out.add(f"rel:{m.relation.value}")
    out.add(f"n:{min(len(matches), 3)}")
    return sorted(out)


@dataclass
class Detector:
    weights: dict[str, float]
    bias: float
    cues: dict[str, list[int]] = field(default_factory=dict)  # cue -> [causal, total]

    def score(self, feats: list[str]) -> float:
        return self.bias + sum(self.weights.get(f, 0.0) for f in feats)

    def probability(self, feats: list[str]) -> float:
        z = max(-30.0, min(30.0, self.score(feats)))
        return 1 / (1 + math.exp(-z))

    def reliability(self, cue: str) -> float:
        """The smoothed share of training sentences with `cue` that were causal."""
        causal, total = self.cues.get(cue, (0, 0))
        return (causal + 1) / (total + 2)

    def confidence(self, feats: list[str], cue: str) -> float:
        """How likely a claim from `cue` in a sentence with `feats` is right, in [0, 1]."""
        return round(0.5 * self.probability(feats) + 0.5 * self.reliability(cue), 3)

    @classmethod
    def from_json(cls, text: str) -> Detector:
        body = json.loads(text)
        return cls(body["weights"], body["bias"], {k: list(v) for k, v in body["cues"].items()})

    def to_json(self) -> str:
        # Pruning the weakest weights keeps the artefact small at no measurable cost.
        weights = {k: round(v, 3) for k, v in sorted(self.weights.items()) if abs(v) >= 0.05}
        body = {"bias": round(self.bias, 4), "cues": dict(sorted(self.cues.items())),
                "weights": weights}  # fmt: skip
        return json.dumps(body, indent=0, sort_keys=True) + "\n"


def train(
    x: list[list[str]],
    y: list[int],
    *,
    epochs: int = 20,
    rate: float = 0.1,
    l2: float = 1e-4,
    seed: int = 0,
) -> Detector:
    """Fit logistic regression by SGD; deterministic for a given `seed`."""
    weights: dict[str, float] = {}
    bias = 0.0
    order = list(range(len(x)))
    rng = random.Random(seed)
    cues: dict[str, list[int]] = {}
    for feats, label in zip(x, y, strict=True):
        for f in feats:
            if f.startswith("cue:"):
                counts = cues.setdefault(f[4:], [0, 0])
                counts[0] += label
                counts[1] += 1
    for epoch in range(epochs):
        rng.shuffle(order)
        step = rate / (1 + epoch)
        for i in order:
            z = max(-30.0, min(30.0, bias + sum(weights.get(f, 0.0) for f in x[i])))
            grad = 1 / (1 + math.exp(-z)) - y[i]
            bias -= step * grad
            for f in x[i]:
                w = weights.get(f, 0.0)
                weights[f] = w - step * (grad + l2 * w)
    return Detector(weights, bias, cues)


def load_detector(path: Path = MODEL_PATH) -> Detector:
    return Detector.from_json(path.read_text(encoding="utf-8"))
