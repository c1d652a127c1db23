"""Spans of a parse as exact substrings: contiguous token runs cut from dependency subtrees.

Every span the extractor reports is a run of whole tokens, so its text is the document's text
between its offsets. These helpers turn subtrees (minus what must be left out) into such runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "TextSpan",
    "antecedent",
    "appositions",
    "asides",
    "clause",
    "run",
    "subtree",
    "token_span",
    "trim",
    "verb_of",
]

Token = Any  # spacy.tokens.Token; spaCy is imported lazily, never at import time
EDGE_TRIM = frozenset({"punct", "cc", "mark", "prep", "case"})


@dataclass(frozen=True)
class TextSpan:
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, int | str]:
        return {"start": self.start, "end": self.end, "text": self.text}


def token_span(doc: Any, i: int, j: int, offset: int = 0) -> TextSpan:
    """The text of tokens `i..j-1` as a span of the document, shifted by `offset`."""
    start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1])
    return TextSpan(start + offset, end + offset, doc[i:j].text)  # `Doc.text` rebuilds it all


def run(indices: set[int], pivot: int) -> tuple[int, int] | None:
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


def trim(doc: Any, bounds: tuple[int, int] | None) -> tuple[int, int] | None:
    if bounds is None:
        return None
    i, j = bounds
    while i < j and (doc[i].dep_ in EDGE_TRIM or doc[i].is_punct or doc[i].is_space):
        i += 1
    while j > i and (doc[j - 1].is_punct or doc[j - 1].dep_ in ("cc",) or doc[j - 1].is_space):
        j -= 1
    return (i, j) if j > i else None


def subtree(tok: Token) -> set[int]:
    return {t.i for t in tok.subtree}


def asides(head: Token) -> set[int]:
    """Parts of a clause that are events of their own: subordinate clauses with a conjunction
    ("..., as it did not want ..."), and a scene-setting opener before a comma ("Two days
    before the attack, police arrested ..."). Span annotation (CNC) leaves them out."""
    out: set[int] = set()
    if head.pos_ not in ("VERB", "AUX"):
        return out
    doc = head.doc
    for child in head.children:
        ids = subtree(child)
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


def clause(head: Token, exclude: Iterable[int], pivot: Token | None = None) -> tuple | None:
    """`head`'s subtree without `exclude` and its asides, as the contiguous run around
    `pivot` (or `head`)."""
    keep = subtree(head) - set(exclude) - asides(head)
    return trim(head.doc, run(keep, (pivot or head).i))


def verb_of(tok: Token) -> Token:
    """Climb from a noun to the verb whose clause it sits in: "staged a protest over X"."""
    while tok.pos_ in ("NOUN", "PROPN", "PRON") and tok.dep_ in ("dobj", "pobj", "attr", "nsubj"):
        if tok.head.i == tok.i:
            break
        tok = tok.head
    return tok


def antecedent(tok: Token) -> Token | None:
    """The noun a relative pronoun stands for: "a move that analysts said could erode X"."""
    while tok.dep_ != "relcl":
        if tok.head.i == tok.i:
            return None
        tok = tok.head
    noun = tok.head
    return noun.head if noun.dep_ == "appos" and noun.head.i != noun.i else noun


def appositions(tok: Token) -> set[int]:
    return set().union(set(), *(subtree(c) for c in tok.children if c.dep_ in ("appos", "relcl")))
