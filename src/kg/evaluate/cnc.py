"""The Causal News Corpus (CNC V2 training split, `benchmarks/cnc/`): load, train, cross-validate.

Sentences and relations come from `train_subtask2_grouped.csv` (one row per sentence, in the
order of `train_subtask1.csv`, whose labels they carry). Folds group sentences by source
article (CRC-32 of `doc_id` mod 5), so that no article is split between training and test.

Span scores, for cause and effect spans of each relation (the signal is not scored):

- ``exact``: a predicted span counts when it equals a gold span of the relation it is paired
  with, ignoring edge punctuation (the shared task's exact-match scoring);
- ``overlap``: token-level precision and recall over the paired relations (partial credit).

Predicted and gold relations of a sentence are paired greedily by token overlap; a predicted
relation in a non-causal sentence is a false positive for both.
"""

from __future__ import annotations

import ast
import csv
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.extract.causal import CausalMatch, find_causal
from kg.extract.detector import Detector, features, train

__all__ = ["CncSentence", "Scores", "load_cnc", "parse_tagged", "prepare", "train_model"]

TAG = re.compile(r"</?(ARG0|ARG1|SIG\d+)>")
Pair = tuple[tuple[int, int], tuple[int, int]]  # ((cause start, end), (effect start, end))


@dataclass(frozen=True)
class CncSentence:
    index: str
    doc_id: str
    text: str
    label: int
    relations: tuple[Pair, ...]

    @property
    def fold(self) -> int:
        return zlib.crc32(self.doc_id.encode()) % 5


def parse_tagged(tagged: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """Strip CNC tags; return the text and the character span of each tag.

    >>> parse_tagged("<ARG1>Prices rose</ARG1> <SIG0>because of</SIG0> <ARG0>tariffs</ARG0> .")
    ('Prices rose because of tariffs .', {'ARG1': (0, 11), 'SIG0': (12, 22), 'ARG0': (23, 30)})
    """
    out, pos = [], 0
    spans: dict[str, tuple[int, int]] = {}
    opened: dict[str, int] = {}
    for m in TAG.finditer(tagged):
        out.append(tagged[pos : m.start()])
        here = sum(len(p) for p in out)
        if m.group().startswith("</"):
            spans[m.group(1)] = (opened.pop(m.group(1)), here)
        else:
            opened[m.group(1)] = here
        pos = m.end()
    out.append(tagged[pos:])
    return "".join(out), spans


def load_cnc(directory: Path) -> list[CncSentence]:
    """The CNC training sentences with their labels and gold relations."""
    with (directory / "train_subtask1.csv").open(encoding="utf-8-sig", newline="") as f:
        labels = {row["index"]: int(row["label"]) for row in csv.DictReader(f)}
    out = []
    with (directory / "train_subtask2_grouped.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            relations = []
            for tagged in ast.literal_eval(row["causal_text_w_pairs"]):
                text, spans = parse_tagged(tagged)
                if text == row["text"] and "ARG0" in spans and "ARG1" in spans:
                    relations.append((spans["ARG0"], spans["ARG1"]))
            index = f"train_{row['index'].split('_train_', 1)[1].rsplit('_', 1)[0]}"
            label = labels.get(index, int(bool(relations)))
            out.append(CncSentence(index, row["doc_id"], row["text"], label, tuple(relations)))
    return out


@dataclass
class Prepared:
    """One CNC sentence parsed once: its features and the rule matches in it."""

    sentence: CncSentence
    feats: list[str]
    matches: list[CausalMatch]


def prepare(sentences: list[CncSentence], nlp: Any, n_process: int = 1) -> list[Prepared]:
    out = []
    docs = nlp.pipe((s.text for s in sentences), batch_size=64, n_process=n_process)
    for sentence, doc in zip(sentences, docs, strict=True):
        matches = [m for sent in doc.sents for m in find_causal(sent)]
        out.append(Prepared(sentence, features(doc[:], matches), matches))
    return out


@dataclass
class Scores:
    tp: float = 0
    fp: float = 0
    fn: float = 0

    def add(self, tp: float, fp: float, fn: float) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


_EDGE = " .,;:'\"“”‘’()-"


def _tokens(text: str, span: tuple[int, int]) -> set[int]:
    return {m.start() for m in re.finditer(r"\S+", text) if span[0] <= m.start() < span[1]}


def _norm(text: str, span: tuple[int, int]) -> str:
    return text[span[0] : span[1]].strip(_EDGE)


def score_spans(text: str, predicted: list[Pair], gold: list[Pair], exact: Scores,
                overlap: Scores) -> None:  # fmt: skip
    """Add one sentence's span counts to `exact` and `overlap`."""
    tok = {s: _tokens(text, s) for pair in (*predicted, *gold) for s in pair}
    options = sorted(
        (
            (-(len(tok[p[0]] & tok[g[0]]) + len(tok[p[1]] & tok[g[1]])), i, j)
            for i, p in enumerate(predicted)
            for j, g in enumerate(gold)
        )
    )
    used_p, used_g = set(), set()
    for neg, i, j in options:
        if i in used_p or j in used_g or neg == 0:
            continue
        used_p.add(i)
        used_g.add(j)
        for ps, gs in zip(predicted[i], gold[j], strict=True):
            hit = _norm(text, ps) == _norm(text, gs)
            exact.add(hit, not hit, not hit)
            both = len(tok[ps] & tok[gs])
            overlap.add(both, len(tok[ps]) - both, len(tok[gs]) - both)
    for i, p in enumerate(predicted):
        if i not in used_p:
            exact.add(0, 2, 0)
            overlap.add(0, len(tok[p[0]]) + len(tok[p[1]]), 0)
    for j, g in enumerate(gold):
        if j not in used_g:
            exact.add(0, 0, 2)
            overlap.add(0, 0, len(tok[g[0]]) + len(tok[g[1]]))


def cross_validate(
    prepared: list[Prepared],
    predict: Callable[[list[Prepared], Prepared], tuple[bool, list[Pair]]],
) -> dict[str, Scores]:
    """5-fold scores of `predict(training, item) -> (is causal, relations)`."""
    detection, exact, overlap = Scores(), Scores(), Scores()
    for fold in range(5):
        training = [p for p in prepared if p.sentence.fold != fold]
        fitted = _fit(training)
        for item in (p for p in prepared if p.sentence.fold == fold):
            causal, relations = predict(fitted, item)
            gold = item.sentence.label == 1
            detection.add(causal and gold, causal and not gold, gold and not causal)
            score_spans(item.sentence.text, relations, list(item.sentence.relations), exact,
                        overlap)  # fmt: skip
    return {"detection": detection, "exact": exact, "overlap": overlap}


def _fit(training: list[Prepared]) -> Any:
    return training  # the predictor decides what to train; see `fit_detector`


def fit_detector(training: list[Prepared]) -> Detector:
    """Train on `training`, pruned as the shipped artefact is (through its JSON form)."""
    detector = train([p.feats for p in training], [p.sentence.label for p in training])
    return Detector.from_json(detector.to_json())


def train_model(cnc_dir: Path, out: Path, nlp: Any) -> Detector:
    """Train the causal detector on the whole CNC training split and write it to `out`."""
    detector = fit_detector(prepare(load_cnc(cnc_dir), nlp))
    out.write_text(detector.to_json(), encoding="utf-8")
    return detector


def _keywords() -> list[tuple[tuple[str, ...], bool]]:
    """(words, cause comes after) for the keyword baseline, longest first."""
    from kg.extract.cues import LINK_CUES, RESULT_CUES, VERB_CUES

    out = [(words, True) for words, _, _ in LINK_CUES]
    out += [(words, False) for words, _ in RESULT_CUES]
    out += [((lemma,), False) for lemma in VERB_CUES]
    return sorted(out, key=lambda kw: -len(kw[0]))


def keyword_baseline(text: str, keywords: list) -> list[Pair]:
    """The first cue word splits the sentence into cause and effect; no parse."""
    toks = [(m.start(), m.end(), m.group().lower()) for m in re.finditer(r"\S+", text)]
    words = [w for _, _, w in toks]
    for k in range(len(toks)):
        for cue, cause_after in keywords:
            hit = tuple(words[k : k + len(cue)]) == cue or (
                len(cue) == 1 and len(cue[0]) >= 4 and words[k].startswith(cue[0])
            )
            if hit and k > 0 and k + len(cue) < len(toks):
                left = (toks[0][0], toks[k - 1][1])
                right = (toks[k + len(cue)][0], toks[-1][1])
                return [(right, left) if cause_after else (left, right)]
    return []


def evaluate_cnc(cnc_dir: Path, nlp: Any, threshold: float = 0.4) -> dict[str, dict[str, Scores]]:
    """5-fold scores of the extractor and of the keyword baseline on the CNC training split."""
    prepared = prepare(load_cnc(cnc_dir), nlp)
    keywords = _keywords()
    fitted: dict[int, Detector] = {}

    def extractor(training: list[Prepared], item: Prepared) -> tuple[bool, list[Pair]]:
        key = id(training)
        if key not in fitted:
            fitted.clear()
            fitted[key] = fit_detector(training)
        detector = fitted[key]
        relations = [((m.cause.start, m.cause.end), (m.effect.start, m.effect.end))
                     for m in item.matches
                     if detector.confidence(item.feats, m.cue) >= threshold]  # fmt: skip
        return detector.probability(item.feats) >= 0.5, relations

    def rules(training: list[Prepared], item: Prepared) -> tuple[bool, list[Pair]]:
        relations = [((m.cause.start, m.cause.end), (m.effect.start, m.effect.end))
                     for m in item.matches]  # fmt: skip
        return bool(relations), relations

    def baseline(training: list[Prepared], item: Prepared) -> tuple[bool, list[Pair]]:
        relations = keyword_baseline(item.sentence.text, keywords)
        return bool(relations), relations

    return {
        "extractor (rules + trained detector)": cross_validate(prepared, extractor),
        "rules alone": cross_validate(prepared, rules),
        "keyword baseline": cross_validate(prepared, baseline),
    }
