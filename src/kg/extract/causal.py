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

from collections.abc import Iterable, Iterator
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
from kg.models import Relation

__all__ = ["CausalMatch", "TextSpan", "find_causal", "token_span"]

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
EDGE_TRIM = frozenset({"punct", "cc", "mark", "prep", "case"})


@dataclass(frozen=True)
class TextSpan:
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, int | str]:
        return {"start": self.start, "end": self.end, "text": self.text}


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


def token_span(doc: Any, i: int, j: int, offset: int = 0) -> TextSpan:
    """The text of tokens `i..j-1` as a span of the document, shifted by `offset`."""
    start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1])
    return TextSpan(start + offset, end + offset, doc[i:j].text)  # `Doc.text` rebuilds it all


def _run(indices: set[int], pivot: int) -> tuple[int, int] | None:
    """The maximal contiguous run of `indices` that contains `pivot` (or starts nearest it)."""
    if not indices:
        return None
    if pivot not in indices:
        pivot = min(indices, key=lambda i: (abs(i - pivot), i))
    i = j = pivot
    while i - 1 in indices:
        i -= 1
    while j + 1 in indices:
        j += 1
    return i, j + 1


def _trim(doc: Any, bounds: tuple[int, int] | None) -> tuple[int, int] | None:
    if bounds is None:
        return None
    i, j = bounds
    while i < j and (doc[i].dep_ in EDGE_TRIM or doc[i].is_punct or doc[i].is_space):
        i += 1
    while j > i and (doc[j - 1].is_punct or doc[j - 1].dep_ in ("cc",) or doc[j - 1].is_space):
        j -= 1
    return (i, j) if j > i else None


def _subtree(tok: Token) -> set[int]:
    return {t.i for t in tok.subtree}


def _asides(head: Token) -> set[int]:
    """Parts of a clause that are events of their own: subordinate clauses with a conjunction
    ("..., as it did not want ..."), and a scene-setting opener before a comma ("Two days
    before the attack, police arrested ..."). Span annotation (CNC) leaves them out."""
    out: set[int] = set()
    if head.pos_ not in ("VERB", "AUX"):
        return out
    doc = head.doc
    for child in head.children:
        ids = _subtree(child)
        if child.dep_ in ("advcl", "parataxis") and (
            child.dep_ == "parataxis" or any(c.dep_ == "mark" for c in child.children)
        ):
            out |= ids
        elif (
            child.i < head.i
            and child.dep_ in ("npadvmod", "advmod", "prep", "advcl", "tmod")
            and max(ids) + 1 < head.i
            and doc[max(ids) + 1].text == ","
        ):
            out |= ids | {max(ids) + 1}
    return out


def _clause(head: Token, exclude: Iterable[int], pivot: Token | None = None) -> tuple | None:
    """`head`'s subtree without `exclude` and its asides, as the contiguous run around
    `pivot` (or `head`)."""
    keep = _subtree(head) - set(exclude) - _asides(head)
    return _trim(head.doc, _run(keep, (pivot or head).i))


def _verb_of(tok: Token) -> Token:
    """Climb from a noun to the verb whose clause it sits in: "staged a protest over X"."""
    while tok.pos_ in ("NOUN", "PROPN", "PRON") and tok.dep_ in ("dobj", "pobj", "attr", "nsubj"):
        if tok.head.i == tok.i:
            break
        tok = tok.head
    return tok


def _antecedent(tok: Token) -> Token | None:
    """The noun a relative pronoun stands for: "a move that analysts said could erode X"."""
    while tok.dep_ != "relcl":
        if tok.head.i == tok.i:
            return None
        tok = tok.head
    noun = tok.head
    return noun.head if noun.dep_ == "appos" and noun.head.i != noun.i else noun


def _appositions(tok: Token) -> set[int]:
    return set().union(set(), *(_subtree(c) for c in tok.children if c.dep_ in ("appos", "relcl")))


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
    cause, effect = _trim(doc, cause), _trim(doc, effect)
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
            effect, effect_head = _trim(doc, _run(_subtree(subj), subj.i)), subj
        elif tok.dep_ in ("acl", "advcl") and tok.head.i != tok.i:
            effect_head = _verb_of(tok.head)
            effect = _clause(effect_head, _subtree(tok), tok.head)
        else:
            return
        cause = _trim(doc, _run(_subtree(pobj), pobj.i))
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
        antecedent = _antecedent(tok)
        if antecedent is not None:
            cause = _clause(antecedent, _subtree(tok) | _appositions(antecedent))
            effect = _trim(doc, _run(_subtree(target), target.i))
            yield _make(doc, cause, effect, signal, relation, f"verb:{lemma}", 0.6,
                        antecedent, target)  # fmt: skip
            return
    participle = subj is None or (subj.lower_ in RELATIVE and tok.dep_ == "relcl")
    if participle and tok.dep_ in ("advcl", "relcl", "acl", "conj") and tok.head.i != tok.i:
        # The clause the participle hangs on is the cause; the effect keeps its verb.
        cause_head = _verb_of(tok.head) if tok.dep_ == "advcl" else tok.head
        cause = _clause(cause_head, _subtree(tok), tok.head)
        own = _subtree(tok) - _asides(tok) - ({subj.i} if subj is not None else set())
        effect = _trim(doc, _run(own, tok.i))
        prior = 0.6
    elif subj is not None and not participle:
        cause_head = subj
        cause = _trim(doc, _run(_subtree(subj), subj.i))
        effect = _trim(doc, _run(_subtree(target), target.i))
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
        clause = last.head if last.dep_ in ("mark", "aux") else cue[0].head
        if clause.i in cue_ids or clause.head.i == clause.i:
            return None
        effect_head = _verb_of(clause.head)
        cause = _clause(clause, cue_ids)
        effect = _clause(effect_head, _subtree(clause), clause.head)
        cause_head = clause
    else:
        if words in (("as",), ("since",), ("when",), ("if",), ("unless",)):
            return None  # only as subordinating conjunctions: "as a result", "since 2020" are not
        comps = [c for t in cue for c in t.children if c.i not in cue_ids and c.dep_ != "punct"]
        anchor = next((t for t in cue if t.head.i not in cue_ids), None)
        if not comps or anchor is None or anchor.head.i == anchor.i:
            return None
        cause_ids = set().union(*(_subtree(c) for c in comps))
        if any(doc[k].ent_type_ in ("DATE", "TIME") for k in cause_ids) and prior < 0.5:
            return None  # "after Tuesday", "over the past year": time, not cause
        effect_head = _verb_of(anchor.head)
        if words in (("over",), ("against",)) and not (
            effect_head.lemma_.lower() in DISPUTE or anchor.head.lemma_.lower() in DISPUTE
        ):
            return None
        cause = _trim(doc, _run(cause_ids, comps[0].i))
        effect = _clause(effect_head, _subtree(anchor), anchor.head)
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
    effect = _trim(doc, (cue[-1].i + 1, max(t.i for t in head.subtree) + 1))
    cause = _trim(doc, (sent.start, cue[0].i))
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
            effect = _clause(_verb_of(tok.head.head), _subtree(tok.head), tok.head.head)
            cause = _trim(sent.doc, _run(_subtree(tok.head), tok.i))
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
