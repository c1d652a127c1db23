"""Find cause and effect spans in a parsed sentence, by cue words and the dependency parse.

Every span is a contiguous run of tokens, so its text is an exact substring of the document at
its character offsets. The rules, by cue kind (`kg.extract.cues`):

- ``verb``: "*tariffs* **push up** *prices*": cause = subject, effect = object (or the object of
  the required particle: "lead **to** X"). A participle or relative clause without a subject
  takes the clause it hangs on as the cause: "*X*, **sending** *yields higher*".
- ``agent``: "*prices* were **pushed up by** *tariffs*", "*the yen fell*, **driven by** *fears*".
- ``link``: "*exports fell* **because of** *weak demand*": the cue's complement is the cause,
  the clause it attaches to is the effect.
- ``result``: "*X*; **as a result**, *Y*": the connective's clause is the effect, what
  precedes it the cause (within the sentence only).
- ``purpose``: "*they filed for a permit* **to** *hold a rally*": the purpose motivates the act.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg.extract.cues import (
    AGENT_CUES,
    FALL,
    LINK_CUES,
    PARTICLES,
    RESULT_CUES,
    RISE,
    VERB_CUES,
    WEAK_VERBS,
)
from kg.extract.spans import (
    TextSpan,
    antecedent,
    appositions,
    asides,
    clause,
    run,
    subtree,
    token_span,
    trim,
    verb_of,
)
from kg.models import Relation

__all__ = ["CausalMatch", "find_causal"]

Token = Any  # spacy.tokens.Token; spaCy is imported lazily, never at import time
REQUIRED_PARTICLE = {"lead", "result", "bring", "set", "touch", "contribute", "add", "make"}
OBJECTS = ("dobj", "attr", "ccomp", "xcomp", "oprd", "acomp")
DISPUTE = frozenset(
    [
        "protest",
        "strike",
        "rally",
        "demonstrate",
        "march",
        "clash",
        "anger",
        "outrage",
        "concern",
        "worry",
        "fear",
        "dispute",
        "sue",
        "arrest",
        "riot",
        "boycott",
        "row",
        "fight",
        "complain",
        "criticism",
        "criticise",
        "criticize",
        "condemn",
        "demonstration",
        "agitation",
    ]
)
RELATIVE = frozenset({"that", "which", "who"})
RESPONSE = {"respond": ("to",), "react": ("to",), "retaliate": ("against", "for")}


@dataclass(frozen=True)
class CausalMatch:
    cause: TextSpan
    effect: TextSpan
    signal: TextSpan
    relation: Relation
    cue: str  # "verb:trigger", "link:because of", ...
    prior: float
    cause_head: Token
    effect_head: Token  # for increases/decreases: the token naming what rises or falls


def _refine(relation: Relation, effect_head: Token) -> tuple[Relation, Token]:
    """A rise or fall in the effect clause makes the relation `increases`/`decreases`, and
    its subject the thing that changes."""
    lemma = effect_head.lemma_.lower()
    if relation in (Relation.responds_to, Relation.prevents, Relation.enables):
        return relation, effect_head
    if lemma in RISE or lemma in FALL:
        subjects = [c for c in effect_head.children if c.dep_ in ("nsubj", "nsubjpass")]
        target = subjects[0] if subjects else effect_head
        return (Relation.increases if lemma in RISE else Relation.decreases), target
    return relation, effect_head


def _make(doc, cause, effect, signal, relation, cue, prior, cause_head, effect_head):
    cause, effect = trim(doc, cause), trim(doc, effect)
    if cause is None or effect is None or cause == effect:
        return None
    if cause[0] < effect[1] and effect[0] < cause[1]:  # overlapping spans carry no claim
        return None
    relation, effect_head = _refine(relation, effect_head)
    sig = token_span(doc, min(t.i for t in signal), max(t.i for t in signal) + 1)
    return CausalMatch(
        token_span(doc, *cause),
        token_span(doc, *effect),
        sig,
        relation,
        cue,
        prior,
        cause_head,
        effect_head,
    )


def _verb_matches(tok: Token) -> Iterator[CausalMatch | None]:
    doc, lemma = tok.doc, tok.lemma_.lower()
    children = list(tok.children)
    agent = next((c for c in children if c.dep_ == "agent"), None)
    passive = agent is not None or any(c.dep_ in ("nsubjpass", "auxpass") for c in children)
    if passive:
        if agent is None or lemma not in AGENT_CUES:
            return
        pobj = next((c for c in agent.children if c.dep_ in ("pobj", "pcomp")), None)
        subj = next((c for c in children if c.dep_ == "nsubjpass"), None)
        if pobj is None:
            return
        if subj is not None:
            effect, effect_head = trim(doc, run(subtree(subj), subj.i)), subj
        elif tok.dep_ in ("acl", "advcl") and tok.head.i != tok.i:
            effect_head = verb_of(tok.head)
            effect = clause(effect_head, subtree(tok), tok.head)
        else:
            return
        cause = trim(doc, run(subtree(pobj), pobj.i))
        yield _make(doc, cause, effect, [tok, agent], AGENT_CUES[lemma], f"agent:{lemma}", 0.8,
                    pobj, effect_head)  # fmt: skip
        return
    particle = next(
        (c for c in children if c.dep_ in ("prt", "prep") and c.lower_ in PARTICLES.get(lemma, ())),
        None,
    )
    if lemma in REQUIRED_PARTICLE and particle is None:
        return
    relation = VERB_CUES[lemma]
    if particle is not None and particle.lower_ in ("up", "down"):
        relation = Relation.increases if particle.lower_ == "up" else Relation.decreases
    elif particle is not None and lemma in ("drive", "push"):
        relation = Relation.causes
    target = None
    if particle is not None and particle.dep_ == "prep":
        target = next((c for c in particle.children if c.dep_ in ("pobj", "pcomp")), None)
    if target is None:
        target = next((c for c in children if c.dep_ in OBJECTS), None)
    if target is None:
        return
    subj = next((c for c in children if c.dep_ in ("nsubj", "csubj")), None)
    if subj is None and tok.dep_ in ("xcomp", "conj"):
        subj = next((c for c in tok.head.children if c.dep_ in ("nsubj", "csubj")), None)
    signal = [tok, particle] if particle is not None else [tok]
    if subj is not None and subj.lower_ in RELATIVE and tok.dep_ != "relcl":
        noun = antecedent(tok)
        if noun is not None:
            cause = clause(noun, subtree(tok) | appositions(noun))
            effect = trim(doc, run(subtree(target), target.i))
            yield _make(doc, cause, effect, signal, relation, f"verb:{lemma}", 0.6,
                        noun, target)  # fmt: skip
            return
    participle = subj is None or (subj.lower_ in RELATIVE and tok.dep_ == "relcl")
    if participle and tok.dep_ in ("advcl", "relcl", "acl", "conj") and tok.head.i != tok.i:
        # The clause the participle hangs on is the cause; the effect keeps its verb.
        cause_head = verb_of(tok.head) if tok.dep_ == "advcl" else tok.head
        cause = clause(cause_head, subtree(tok), tok.head)
        own = subtree(tok) - asides(tok) - ({subj.i} if subj is not None else set())
        effect = trim(doc, run(own, tok.i))
        prior = 0.6
    elif subj is not None and not participle:
        cause_head = subj
        cause = trim(doc, run(subtree(subj), subj.i))
        effect = trim(doc, run(subtree(target), target.i))
        prior = 0.3 if lemma in WEAK_VERBS and particle is None else 0.7
    else:
        return
    yield _make(doc, cause, effect, signal, relation, f"verb:{lemma}", prior, cause_head, target)


def _cue_at(lowers: list[str], i: int, cues: list) -> tuple | None:
    """The first (longest) cue in `cues` whose words start at `lowers[i]`."""
    for entry in cues:
        words = entry[0]
        if words[0] == lowers[i] and tuple(lowers[i : i + len(words)]) == words:
            return entry
    return None


def _link_match(sent: Any, i: int, entry: tuple) -> CausalMatch | None:
    doc = sent.doc
    words, relation, prior = entry
    cue = list(doc[i : i + len(words)])
    cue_ids = {t.i for t in cue}
    last = cue[-1]
    if last.dep_ in ("mark", "aux") or cue[0].dep_ == "mark":
        sub = last.head if last.dep_ in ("mark", "aux") else cue[0].head
        if sub.i in cue_ids or sub.head.i == sub.i:
            return None
        effect_head = verb_of(sub.head)
        cause = clause(sub, cue_ids)
        effect = clause(effect_head, subtree(sub), sub.head)
        cause_head = sub
    else:
        if words in (("as",), ("since",), ("when",), ("if",), ("unless",)):
            return None  # only as subordinating conjunctions: "as a result", "since 2020" are not
        comps = [c for t in cue for c in t.children if c.i not in cue_ids and c.dep_ != "punct"]
        anchor = next((t for t in cue if t.head.i not in cue_ids), None)
        if not comps or anchor is None or anchor.head.i == anchor.i:
            return None
        cause_ids = set().union(*(subtree(c) for c in comps))
        if any(doc[k].ent_type_ in ("DATE", "TIME") for k in cause_ids) and prior < 0.5:
            return None  # "after Tuesday", "over the past year": time, not cause
        effect_head = verb_of(anchor.head)
        if words in (("over",), ("against",)) and not (
            effect_head.lemma_.lower() in DISPUTE or anchor.head.lemma_.lower() in DISPUTE
        ):
            return None
        cause = trim(doc, run(cause_ids, comps[0].i))
        effect = clause(effect_head, subtree(anchor), anchor.head)
        cause_head = comps[0]
    return _make(doc, cause, effect, cue, relation, "link:" + " ".join(words), prior,
                 cause_head, effect_head)  # fmt: skip


def _result_match(sent: Any, i: int, entry: tuple) -> CausalMatch | None:
    doc = sent.doc
    words, prior = entry
    cue = list(doc[i : i + len(words)])
    head = cue[-1].head if words != ("as", "a", "result") else cue[0].head
    if head.i in {t.i for t in cue} or head.i < i or cue[0].i <= sent.start:
        return None
    effect = trim(doc, (cue[-1].i + 1, max(t.i for t in head.subtree) + 1))
    cause = trim(doc, (sent.start, cue[0].i))
    if cause is None:
        return None
    cause_head = doc[cause[0] : cause[1]].root
    return _make(doc, cause, effect, cue, Relation.causes, "result:" + " ".join(words), prior,
                 cause_head, head)  # fmt: skip


def find_causal(sent: Any) -> list[CausalMatch]:
    """Every causal match in a spaCy sentence `sent`, one per distinct (cause, effect)."""
    found: list[CausalMatch | None] = []
    lowers = [t.lower_ for t in sent]
    for k, tok in enumerate(sent):
        lemma = tok.lemma_.lower()
        if tok.pos_ in ("VERB", "AUX") and lemma in VERB_CUES:
            found.extend(_verb_matches(tok))
        link = _cue_at(lowers, k, LINK_CUES)
        if link:
            found.append(_link_match(sent, tok.i, link))
        result = _cue_at(lowers, k, RESULT_CUES)
        if result:
            found.append(_result_match(sent, tok.i, result))
        if lemma in RESPONSE and tok.pos_ == "VERB":
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ in RESPONSE[lemma]:
                    entry = ((prep.lower_,), Relation.responds_to, 0.8)
                    m = _link_match(sent, prep.i, entry)
                    found.append(m and CausalMatch(**{**m.__dict__, "cue": f"verb:{lemma}"}))
        if (
            tok.lower_ == "to"
            and tok.dep_ == "aux"
            and tok.head.dep_ == "advcl"
            and tok.head.head.pos_ == "VERB"
            and tok.i >= 2
            and sent.doc[tok.i - 1].lower_ != "order"
        ):
            effect = clause(verb_of(tok.head.head), subtree(tok.head), tok.head.head)
            cause = trim(sent.doc, run(subtree(tok.head), tok.i))
            found.append(_make(sent.doc, cause, effect, [tok], Relation.motivates, "purpose:to",
                               0.45, tok.head, tok.head.head))  # fmt: skip
    seen: dict[tuple[int, int, int, int], CausalMatch] = {}
    for m in found:
        if m is None:
            continue
        key = (m.cause.start, m.cause.end, m.effect.start, m.effect.end)
        if key not in seen or m.prior > seen[key].prior:
            seen[key] = m
    return sorted(seen.values(), key=lambda m: (m.signal.start, m.cause.start, m.effect.start))
