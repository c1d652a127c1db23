"""Link mentions in a text to `data/entities.yaml`, or propose a new entity with a type.

Three steps, each recorded in `Mention.how`:

1. ``alias``: the surface form is a label or alias of an entity (after folding case,
   possessives and a leading "the"). Short or all-caps aliases ("US", "Fed", "yen") match
   only as written (or capitalised), so the pronoun "us" is not the United States.
2. ``fuzzy``: a named entity spaCy found (or a capitalised word) that is no alias, but close
   to one: a misspelling ("Takiachi" for Takaichi). Close means a `difflib` ratio of at least
   0.85 on names of 6 letters or more, with the same first letter.
3. ``proposed``: nothing matches; a new entity is proposed with a slug id, the words as label
   and alias, and a type from spaCy's NER label (see `NER_TYPES`) or a small lexicon.

>>> from kg.models import Entity
>>> linker = Linker({"japan": Entity(id="japan", type="Country", label="Japan",
...                  description="d", aliases=["Tokyo"])})
>>> linker.lookup("Tokyo's")
('japan', 1.0, 'alias')
>>> linker.lookup("Japna") is None, linker.lookup("Tokoyo")
(True, ('japan', 0.909..., 'fuzzy'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from kg.ingest import slugify
from kg.models import Entity, EntityType

__all__ = ["NER_TYPES", "Linker", "Mention", "fold", "guess_type"]

NER_TYPES = {
    "PERSON": EntityType.person,
    "GPE": EntityType.country,
    "NORP": EntityType.group,
    "ORG": EntityType.organisation,
    "LOC": EntityType.place,
    "FAC": EntityType.place,
    "EVENT": EntityType.event,
    "LAW": EntityType.policy,
    "PRODUCT": EntityType.asset,
}
LINKABLE_NER = frozenset(NER_TYPES)
FUZZY_MIN = 0.85
# Words that type a proposed entity when spaCy's NER gives no label, checked on the head noun.
LEXICON = {
    EntityType.indicator: """price prices yield yields rate rates inflation growth demand
        export exports import imports profit profits cost costs index output deficit surplus
        spending investment confidence sales revenue unemployment wages debt value level""",
    EntityType.currency: "yen dollar dollars euro euros yuan renminbi won pound pounds franc",
    EntityType.policy: "tariff tariffs sanction sanctions policy ban quota tax taxes",
    EntityType.asset: "bond bonds treasuries treasury gold stocks shares securities",
    EntityType.group: """analysts economists investors traders protesters workers officials
        demonstrators students farmers residents voters exporters""",
}
_LEXICON = {word: t for t, words in LEXICON.items() for word in words.split()}
_ORG_HINTS = (
    (re.compile(r"\b(central bank|Bank of|Reserve|Fed\b)"), EntityType.central_bank),
    (
        re.compile(r"\b(Ministry|Department|Treasury|Congress|Parliament|Senate|Cabinet)"),
        EntityType.government_body,
    ),
    (re.compile(r"\b(Inc|Corp|Co|Ltd|Motors?|Holdings|Group|Bank)\b"), EntityType.company),
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_TYPE_RANK = {
    EntityType.event: 0,
    EntityType.policy: 0,
    EntityType.indicator: 0,
    EntityType.asset: 1,
    EntityType.currency: 1,
}


def fold(surface: str) -> str:
    """The lookup key of a surface form: case, possessive, leading article and spacing folded."""
    s = " ".join(surface.replace("’", "'").split())
    s = _POSSESSIVE.sub("", s)
    s = re.sub(r"^(?:the|The)\s+", "", s)
    return s.casefold()


def guess_type(head: str, ner_label: str = "", text: str = "") -> EntityType:
    """The type of a proposed entity, from its NER label, its words, or its head noun."""
    if ner_label == "ORG":
        for pattern, entity_type in _ORG_HINTS:
            if pattern.search(text):
                return entity_type
    if ner_label in NER_TYPES:
        return NER_TYPES[ner_label]
    return _LEXICON.get(head.lower(), EntityType.event)


@dataclass(frozen=True)
class Mention:
    """A span of the text and the entity it names (an existing id or a `proposed` one)."""

    start: int
    end: int
    text: str
    entity: str
    score: float
    how: str  # alias | fuzzy | proposed
    type: EntityType
    proposed: Entity | None = None


class Linker:
    """An alias index over the entity catalogue."""

    def __init__(self, entities: dict[str, Entity]) -> None:
        from spacy.lang.en.stop_words import STOP_WORDS  # spaCy's import is slow: extract only

        self.entities = entities
        self.keys: dict[str, list[str]] = {}
        exact: set[str] = set()
        loose: set[str] = set()
        for entity in entities.values():
            for alias in (entity.label, *entity.aliases):
                if alias in STOP_WORDS:  # "it", "by", "that": never a name ("US" is kept)
                    continue
                self.keys.setdefault(fold(alias), [])
                if entity.id not in self.keys[fold(alias)]:
                    self.keys[fold(alias)].append(entity.id)
                if len(alias) <= 4 or alias.isupper():
                    exact.update({alias, alias[:1].upper() + alias[1:]})
                else:
                    loose.add(alias)

        # Longest first, so "U.S. Treasury yields" wins over "U.S."; word edges on both sides.
        def alternation(aliases: set[str]) -> str:
            return "|".join(re.escape(a) for a in sorted(aliases, key=lambda a: (-len(a), a)))

        edge = r"(?<![\w.-]){}(?:['’]s)?(?![\w-])"
        self._exact = re.compile(edge.format(f"(?:{alternation(exact)})")) if exact else None
        self._loose = re.compile(edge.format(f"(?:{alternation(loose)})"), re.IGNORECASE)

    def lookup(self, surface: str) -> tuple[str, float, str] | None:
        """``(entity id, score, how)`` for a surface form, or None."""
        key = fold(surface)
        if key in self.keys:
            return self.keys[key][0], 1.0, "alias"
        if len(key) < 6:
            return None
        best: tuple[float, str] | None = None
        for candidate, ids in self.keys.items():
            if candidate[:1] != key[:1] or abs(len(candidate) - len(key)) > 3:
                continue
            ratio = SequenceMatcher(None, key, candidate).ratio()
            if ratio >= FUZZY_MIN and (best is None or ratio > best[0]):
                best = (ratio, ids[0])
        return (best[1], best[0], "fuzzy") if best else None

    def _mention(self, start: int, end: int, text: str, ner: str = "") -> Mention | None:
        found = self.lookup(text)
        if found:
            entity_id, score, how = found
            entity = self.entities[entity_id]
            return Mention(start, end, text, entity_id, score, how, entity.type)
        if not ner:
            return None
        entity_type = guess_type(text.split()[-1], ner, text)
        label = _POSSESSIVE.sub("", re.sub(r"^(?:the|The)\s+", "", text)).strip()
        proposed = Entity(
            id=slugify(label, limit=60),
            type=entity_type,
            label=label,
            description=f"Proposed by kg extract from the mention '{text}'.",
            aliases=[label],
        )
        return Mention(start, end, text, proposed.id, 0.5, "proposed", entity_type, proposed)

    def aliases_in(self, text: str) -> list[Mention]:
        """Alias mentions in plain text (no parse, no fuzzy matching), longest first."""
        hits = [*(self._exact.finditer(text) if self._exact else ()), *self._loose.finditer(text)]
        found = (self._mention(m.start(), m.end(), m.group()) for m in hits)
        return sorted((m for m in found if m), key=lambda m: (-(m.end - m.start), m.start))

    def mentions(self, doc: Any) -> list[Mention]:
        """Every entity mention in a spaCy `doc`: aliases first, then NER spans by fuzzy match
        or as proposals. Non-overlapping, sorted by offset."""
        text: str = doc.text
        taken = bytearray(len(text))
        found: list[Mention] = []

        def claim(m: Mention | None) -> None:
            if m and not any(taken[m.start : m.end]):
                taken[m.start : m.end] = b"\x01" * (m.end - m.start)
                found.append(m)

        hits = [*(self._exact.finditer(text) if self._exact else ()), *self._loose.finditer(text)]
        for m in sorted(hits, key=lambda m: (-(m.end() - m.start()), m.start())):
            claim(self._mention(m.start(), m.end(), m.group()))
        for ent in doc.ents:
            if ent.label_ in LINKABLE_NER:
                tokens = [t for t in ent if t.pos_ != "DET" and t.tag_ != "POS"]
                if tokens:
                    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
                    claim(self._mention(start, end, text[start:end], ent.label_))
        return sorted(found, key=lambda m: m.start)
