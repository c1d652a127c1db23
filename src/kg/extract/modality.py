"""Who stands behind a claim, and how sure the text is: modality and speaker from the parse.

The speaker is the subject of a speech verb ("said", "warned", "denied") that governs the
claim, or the object of "according to". "He"/"she" is taken to be the last person named
before the sentence. Attribution follows docs/curation.md: a collective ("analysts",
"economists") is ``vague``, an unnamed individual or group described by role ("officials",
"a person familiar with ...") is ``anonymous``, anything else ``named``.

Modality looks at the words that govern the claim's signal and effect (their auxiliaries,
negations and adverbs, up to the speech verb) and at the cue itself, in this order of priority:
``denied`` (not, never, deny, unlikely) > ``hypothetical`` (if, unless, were to) >
``speculative`` (could, may, might, perhaps) > ``predicted`` (will, would, expected to) >
``reported`` (a speaker) > ``asserted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.extract.cues import SPEECH
from kg.models import Attribution, Modality

__all__ = ["Stance", "find_stance"]

Token = Any
DENY_VERBS = frozenset({"deny", "reject", "dismiss", "rule", "refute", "doubt"})
DENY_WORDS = frozenset({"not", "n't", "never", "no", "unlikely", "improbable", "nor"})
HYPOTHETICAL = frozenset({"if", "unless", "whether", "suppose", "assuming"})
SPECULATIVE = frozenset(
    [
        "could",
        "may",
        "might",
        "perhaps",
        "possibly",
        "potentially",
        "maybe",
        "appear",
        "seem",
        "suggest",
        "risk",
        "can",
        "apparently",
        "allegedly",
    ]
)
# Speech verbs that report a belief, not a fact: "police suspect that ..." is hedged.
BELIEF = frozenset({"suspect", "believe", "think", "fear", "reckon", "suggest", "speculate"})
PREDICTED = frozenset({"will", "would", "shall", "'ll", "expect", "likely", "forecast",
                       "project", "poise", "set", "go", "predict"})  # fmt: skip
VAGUE = frozenset(
    [
        "analyst",
        "analysts",
        "economist",
        "economists",
        "expert",
        "experts",
        "observer",
        "observers",
        "report",
        "reports",
        "critic",
        "critics",
        "investor",
        "investors",
        "trader",
        "traders",
        "market",
        "markets",
        "strategist",
        "strategists",
        "commentator",
        "commentators",
        "some",
        "many",
        "others",
        "media",
    ]
)
ANONYMOUS = frozenset(
    [
        "official",
        "officials",
        "source",
        "sources",
        "person",
        "people",
        "aide",
        "aides",
        "insider",
        "insiders",
        "diplomat",
        "diplomats",
        "executive",
        "executives",
        "banker",
        "bankers",
        "spokesperson",
        "spokesman",
        "spokeswoman",
    ]
)
PRONOUNS = frozenset({"he", "she"})


@dataclass(frozen=True)
class Stance:
    modality: Modality
    attribution: Attribution
    speaker_text: str | None = None  # the words naming the speaker, as written
    speaker_start: int | None = None  # offset of those words in the document
    hedge: str | None = None  # the word that set the modality


def _speaker_phrase(tok: Token) -> tuple[str, int]:
    """The words naming the speaker: the head with its modifiers on the left and its
    prepositional phrase ("officials familiar with the talks"), without appositions."""
    first = min((t.i for t in tok.lefts if t.dep_ not in ("punct", "cc")), default=tok.i)
    last = tok.i
    if tok.pos_ != "PROPN":
        last = max((t.i for r in tok.rights if r.dep_ in ("prep", "amod", "acl")
                    for t in r.subtree), default=tok.i)  # fmt: skip
    span = tok.doc[first : last + 1]
    while len(span) > 1 and span[0].lower_ in ("the",):
        span = span[1:]
    return span.text, span.start_char


def _speech_verb(tokens: list[Token], exclude: tuple[int, int], sent: Any) -> Token | None:
    for tok in tokens:
        for anc in tok.ancestors:
            if exclude[0] <= anc.idx < exclude[1]:
                continue  # a speech verb inside the cause says nothing about who claims it
            if anc.lemma_.lower() in SPEECH | DENY_VERBS and anc.pos_ == "VERB":
                return anc
    root = sent.root
    for child in root.children:
        if child.dep_ == "parataxis" and child.lemma_.lower() in SPEECH:
            return child
    return None


def _attribution(head: Token, text: str) -> Attribution:
    lemma = head.lower_
    if head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") and head.pos_ == "PROPN":
        return Attribution.named
    if lemma in VAGUE:
        return Attribution.vague
    if lemma in ANONYMOUS or head.pos_ == "PRON":
        return Attribution.anonymous
    return Attribution.named if any(t.isupper() for t in text[:1]) else Attribution.vague


def _scope(tokens: list[Token], stop: Token | None) -> list[Token]:
    seen: dict[int, Token] = {}
    for tok in tokens:
        for anc in [tok, *tok.ancestors]:
            if stop is not None and anc.i == stop.i:
                break
            seen[anc.i] = anc
    return list(seen.values())


def find_stance(
    tokens: list[Token],
    cue: str,
    last_person: tuple[str, int] | None,
    exclude: tuple[int, int] = (0, 0),
    sent: Any = None,
) -> Stance:
    """The modality and speaker of a claim whose signal and effect head are `tokens`;
    `exclude` is the cause span (offsets in the parsed text), where no speech verb counts."""
    sent = sent if sent is not None else tokens[0].sent  # `Token.sent` rescans the doc
    speech = _speech_verb(tokens, exclude, sent)
    speaker = None
    according = next(
        (t for t in sent if t.lower_ == "according" and any(c.lower_ == "to" for c in t.children)),
        None,
    )
    if according is not None:
        to = next(c for c in according.children if c.lower_ == "to")
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        speaker = pobj
    if speaker is None and speech is not None:
        speaker = next((c for c in speech.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    modality, hedge = None, None
    words = []
    for tok in _scope(tokens, speech):
        if exclude[0] <= tok.idx < exclude[1]:
            continue  # "because he was not authorised": the cause's own negation, not the claim's
        words.append(tok)
        words.extend(c for c in tok.children if c.dep_ in ("aux", "neg", "advmod", "mark", "acomp"))
    if speech is not None:
        words.extend(c for c in speech.children if c.dep_ in ("neg",))
        if speech.lemma_.lower() in DENY_VERBS:
            modality, hedge = Modality.denied, speech.text
        elif speech.lemma_.lower() in BELIEF:
            words.append(speech)
    lemmas = [(t.lemma_.lower(), t) for t in words]
    checks = (
        (Modality.denied, DENY_WORDS),
        (Modality.hypothetical, HYPOTHETICAL),
        (Modality.speculative, SPECULATIVE | BELIEF),
        (Modality.predicted, PREDICTED),
    )
    if modality is None and cue in ("link:if", "link:unless"):
        modality, hedge = Modality.hypothetical, cue.split(":")[1]
    for candidate, lexicon in checks:
        if modality is not None:
            break
        hit = next((t for lemma, t in lemmas if lemma in lexicon or t.lower_ in lexicon), None)
        if hit is not None:
            modality, hedge = candidate, hit.text
    if speaker is None:
        return Stance(modality or Modality.asserted, Attribution.outlet, hedge=hedge)
    text, start = _speaker_phrase(speaker)
    if speaker.lower_ in PRONOUNS and last_person:
        text, start = last_person
        attribution = Attribution.named
    else:
        attribution = _attribution(speaker, text)
    return Stance(modality or Modality.reported, attribution, text, start, hedge)
