"""Entities: links to Wikidata, possible duplicates, and links the text does not show.

- **No Wikidata id** (info): only for kinds of things Wikidata covers by name (countries,
  people, organisations, currencies, places); events, indicators, policies and assets of the
  news are mostly not items there, and listing them all would bury the useful ones.
- **Possible duplicates** (info): entities whose label, once case, punctuation, a leading "the"
  and a possessive are ignored, equals the label or an alias of another, or entities of one
  type whose labels differ by at most `TYPO_CHARS` characters (a misspelling such as "Takichi"
  for "Takaichi"; labels of at least `TYPO_MIN_CHARS` characters, first words equal).
- **Unused** (info): declared entities no claim refers to.
- **Not found in the text** (info): entities that claims refer to although none of their label
  and aliases occurs in any of those claims' sources: the link from the words to the entity is
  invisible to a reader (a pronoun, a paraphrase, or a missing alias).
"""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import SequenceMatcher
from itertools import combinations

from kg.audit.context import AuditContext, local, value
from kg.audit.models import Check, Finding, Severity, finding_id

__all__ = ["check_entities", "name_key"]

TYPO_CHARS = 2
TYPO_MIN_CHARS = 8
NAMED_TYPES = {
    "Country",
    "Person",
    "GovernmentBody",
    "CentralBank",
    "InternationalOrganisation",
    "Company",
    "Organisation",
    "Currency",
    "Place",
}

NAMES = """
SELECT ?id ?type ?label ?name ?wikidata WHERE {
  ?e a kg:Entity ; dcterms:identifier ?id ; rdfs:label ?label ; a ?type .
  FILTER(?type != kg:Entity && STRSTARTS(STR(?type), STR(kg:)))
  { BIND(?label AS ?name) } UNION { ?e skos:altLabel ?name }
  OPTIONAL { ?e schema:sameAs ?wikidata FILTER(STRSTARTS(STR(?wikidata), STR(wd:))) }
}
"""

UNUSED = """
SELECT ?id WHERE {
  ?e a kg:Entity ; dcterms:identifier ?id .
  FILTER NOT EXISTS { ?c a kg:Claim ; kg:subject|kg:object|kg:speaker|kg:measure ?e }
}
"""

NOT_IN_TEXT = """
SELECT ?id WHERE {
  ?e a kg:Entity ; dcterms:identifier ?id .
  FILTER EXISTS { ?c a kg:Claim ; kg:subject|kg:object|kg:speaker|kg:measure ?e }
  FILTER NOT EXISTS {
    ?c2 a kg:Claim ; kg:subject|kg:object|kg:speaker|kg:measure ?e ; prov:wasDerivedFrom ?src .
    ?src kg:normalisedText ?text .
    ?e rdfs:label|skos:altLabel ?name .
    FILTER(CONTAINS(LCASE(?text), LCASE(?name)))
  }
}
"""


def name_key(name: str) -> str:
    """A name with case, punctuation, a leading "the" and a possessive ignored.

    >>> name_key("The U.S. Treasury’s"), name_key("u.s. treasury")
    ('u s treasury', 'u s treasury')
    """
    key = re.sub(r"['’]s\b", "", name.lower())
    key = " ".join(re.sub(r"[^\w]+", " ", key).split())
    return key.removeprefix("the ")


def typo(a: str, b: str) -> bool:
    """Do two strings differ by at most `TYPO_CHARS` characters?

    >>> typo("sanae takichi", "sanae takaichi"), typo("net buying streak", "net selling streak")
    (True, False)
    """
    if abs(len(a) - len(b)) > TYPO_CHARS:
        return False
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal") <= TYPO_CHARS


def _entity_finding(kind: str, ids: list[str], message: str) -> Finding:
    return Finding(
        id=finding_id(Check.entities, kind, *ids),
        check=Check.entities,
        kind=kind,
        severity=Severity.info,
        message=message,
        entities=ids,
    )


def _duplicates(labels: dict[str, str], names: dict[str, set[str]], types: dict[str, str]):
    label_keys = {eid: name_key(label) for eid, label in labels.items()}
    holders: dict[str, set[str]] = defaultdict(set)
    for eid, ns in names.items():
        for n in ns:
            holders[name_key(n)].add(eid)
    pairs: dict[tuple[str, str], str] = {}
    for eid, key in label_keys.items():
        for other in holders.get(key, ()):
            if other != eid:
                pair = (min(eid, other), max(eid, other))
                pairs.setdefault(pair, f"“{labels[eid]}” names both")
    by_block: dict[tuple[str, str], list[str]] = defaultdict(list)
    for eid, key in label_keys.items():
        by_block[(types[eid], key.split(" ")[0] if key else "")].append(eid)
    for block in by_block.values():
        for a, b in combinations(sorted(block), 2):
            ka, kb = label_keys[a], label_keys[b]
            if ka != kb and min(len(ka), len(kb)) >= TYPO_MIN_CHARS and typo(ka, kb):
                pairs.setdefault((a, b), f"near-identical labels “{labels[a]}”, “{labels[b]}”")
    findings = []
    for (a, b), why in sorted(pairs.items()):
        findings.append(
            _entity_finding(
                "possible-duplicate",
                [a, b],
                f"{a} and {b} may be the same entity: {why}",
            )
        )
    return findings


def check_entities(ctx: AuditContext) -> list[Finding]:
    """Entities without a Wikidata id, possible duplicates, unused entities and entities whose
    names never occur in the sources that mention them."""
    labels: dict[str, str] = {}
    types: dict[str, str] = {}
    names: dict[str, set[str]] = defaultdict(set)
    linked: set[str] = set()
    for row in ctx.store.select(NAMES):
        eid = value(row, "id") or ""
        labels[eid] = value(row, "label") or eid
        types[eid] = (value(row, "type") or "").rsplit("#", 1)[-1]
        names[eid].add(value(row, "name") or "")
        if row.get("wikidata") is not None:
            linked.add(eid)
    findings = [
        _entity_finding(
            "no-wikidata",
            [eid],
            f"{eid} ({labels[eid]}, a {local(types[eid]).replace('_', ' ')}) has no Wikidata id",
        )
        for eid in sorted(labels)
        if types[eid] in NAMED_TYPES and eid not in linked
    ]
    findings += _duplicates(labels, names, types)
    for row in ctx.store.select(UNUSED):
        eid = value(row, "id") or ""
        findings.append(_entity_finding("unused", [eid], f"no claim refers to {eid}"))
    for row in ctx.store.select(NOT_IN_TEXT):
        eid = value(row, "id") or ""
        findings.append(
            _entity_finding(
                "not-in-text",
                [eid],
                f"{eid}: claims refer to it, but neither its label nor an alias occurs in "
                "their sources",
            )
        )
    return sorted(findings, key=lambda f: (f.kind, f.entities))
