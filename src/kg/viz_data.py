"""What `kg viz` shows, read from the store through SPARQL: entities, sources, causal claims
with the sentence around each quote, and the event and quantity claims about each entity.

Reading only through `Store.select` keeps the view working on a remote endpoint too. Nothing here
knows about HTML; `kg.viz_page` turns a `VizGraph` into a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from pydantic import BaseModel, ConfigDict

from kg.errors import StoreError
from kg.namespace import KG, source_iri
from kg.store import Row, Store

__all__ = [
    "VizClaim",
    "VizEntity",
    "VizGraph",
    "VizNote",
    "VizSource",
    "load_graph",
    "sentence_around",
]

CONTEXT_LIMIT = 320

ENTITIES = """
SELECT ?id ?label ?type ?typeLabel ?description ?wikidata WHERE {
  ?e a kg:Entity, ?t ; dcterms:identifier ?id ; rdfs:label ?label .
  FILTER(?t != kg:Entity && STRSTARTS(STR(?t), STR(kg:)))
  BIND(STRAFTER(STR(?t), STR(kg:)) AS ?type)
  OPTIONAL { ?t rdfs:label ?typeLabel }
  OPTIONAL { ?e schema:description ?description }
  OPTIONAL { ?e schema:sameAs ?wikidata FILTER(STRSTARTS(STR(?wikidata), STR(wd:))) }
}
"""

ALIASES = """
SELECT ?id ?alias WHERE { ?e a kg:Entity ; dcterms:identifier ?id ; skos:altLabel ?alias }
"""

SOURCES = """
SELECT ?id ?title ?outlet ?author ?url ?published ?precision ?established ?notBefore ?notAfter
WHERE {
  ?src a kg:Source ; dcterms:identifier ?id ; rdfs:label ?title ;
       kg:publicationPrecision/rdfs:label ?precision ;
       kg:publicationEstablished/rdfs:label ?established .
  OPTIONAL { ?src kg:outlet ?outlet }
  OPTIONAL { ?src kg:author ?author }
  OPTIONAL { ?src schema:url ?url }
  OPTIONAL { ?src dcterms:issued ?published }
  OPTIONAL { ?src kg:notBefore ?notBefore }
  OPTIONAL { ?src kg:notAfter ?notAfter }
}
"""

# Oxigraph binds only projected variables, hence ?src in the SELECT clauses here.
TEXT = "SELECT ?src ?text WHERE { ?src kg:normalisedText ?text }"

# Claims are read with the IRIs they point to, and their quotes, ids and labels are joined
# here: Virtuoso 7.2 took 14 s to join the seed's 230 causal claims with their selectors and
# the labels of what they point to, where each part alone takes milliseconds (docs/stores.md).
_CLAIM_COMMON = """
  ?claim kg:claimId ?id ; prov:wasDerivedFrom ?src ; kg:subject ?s ; kg:modality ?mod ;
         kg:attribution ?attr .
  OPTIONAL { ?claim kg:speaker ?sp }
  OPTIONAL { ?claim kg:speakerAsWritten ?speakerAsWritten }
  OPTIONAL { ?claim kg:eventTime ?time }
  OPTIONAL { ?claim kg:eventTimePrecision ?tp }
  OPTIONAL { ?claim kg:eventTimeAsWritten ?timeWritten }
"""

CAUSAL = f"""
SELECT ?claim ?src ?id ?s ?rel ?o ?pol ?mod ?attr ?sp ?speakerAsWritten ?time ?tp ?timeWritten
WHERE {{
  ?claim a kg:CausalClaim ; kg:relation ?rel ; kg:object ?o ; kg:polarity ?pol .
  {_CLAIM_COMMON}
}}
"""

OTHER = f"""
SELECT ?claim ?src ?id ?k ?s ?mod ?attr ?sp ?speakerAsWritten ?time ?tp ?timeWritten ?st ?m
       ?value ?valueMax ?unit ?qualifier ?period WHERE {{
  ?claim a ?k . FILTER(?k IN (kg:EventClaim, kg:QuantityClaim))
  {_CLAIM_COMMON}
  OPTIONAL {{ ?claim kg:status ?st }}
  OPTIONAL {{ ?claim kg:measure ?m ; kg:value ?value ; kg:unit ?unit ; kg:qualifier ?qualifier }}
  OPTIONAL {{ ?claim kg:valueMax ?valueMax }}
  OPTIONAL {{ ?claim kg:periodAsWritten ?period }}
}}
"""

QUOTES = """
SELECT ?claim ?src ?quote ?start ?end WHERE {
  ?claim a kg:Claim ; prov:wasDerivedFrom ?src ; oa:hasTarget ?target .
  ?target oa:hasSelector ?qs, ?ps .
  ?qs a oa:TextQuoteSelector ; oa:exact ?quote .
  ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}
"""

# What claims point to, by IRI: the ids of entities and sources, the labels and notations of
# the ontology's terms (modalities, relations, statuses, precisions).
NAMES = "SELECT ?x ?id WHERE { ?x dcterms:identifier ?id }"
TERMS = """
SELECT ?t ?label ?notation WHERE {
  ?t rdfs:label ?label . OPTIONAL { ?t skos:notation ?notation }
  FILTER(STRSTARTS(STR(?t), STR(kg:)))
}
"""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VizEntity(_Frozen):
    id: str
    label: str
    type: str
    type_label: str
    description: str | None = None
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None


class VizSource(_Frozen):
    id: str
    title: str
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None
    precision: str
    established: str
    not_before: str | None = None
    not_after: str | None = None


class _ClaimBase(_Frozen):
    id: str
    source: str
    subject: str
    modality: str
    attribution: str
    speaker: str | None = None
    speaker_as_written: str | None = None
    before: str = ""
    quote: str
    after: str = ""
    time: str | None = None
    time_precision: str | None = None
    time_written: str | None = None


class VizClaim(_ClaimBase):
    """One causal claim: an edge's evidence."""

    relation: str
    object: str
    polarity: str


class VizNote(_ClaimBase):
    """An event or quantity claim, shown in the panels of its subject and of its measure (an
    indicator); `summary` says what it claims."""

    kind: str
    summary: str
    measure: str | None = None


class VizGraph(_Frozen):
    entities: dict[str, VizEntity]
    sources: dict[str, VizSource]
    claims: tuple[VizClaim, ...]
    notes: tuple[VizNote, ...]
    relation_labels: dict[str, str]


# A sentence ends at . ! or ? (not after a capital, so "U.S. Treasury" goes on) followed by
# optional closing quotes and white space; a line break always ends one.
_BOUNDARY = re.compile(r"(?:(?<![A-Z])\.|[!?])[\"'”’)\]]*[ \t]+|\s*\n\s*")


def sentence_around(text: str, start: int, end: int, limit: int = CONTEXT_LIMIT) -> tuple[str, str]:
    """The rest of the sentence(s) before and after `text[start:end]`, at most `limit` chars.

    >>> t = "Tariffs rose. The U.S. tariffs pushed Japan to sell, officials said. Yields rose."
    >>> sentence_around(t, 23, 30)
    ('The U.S. ', ' pushed Japan to sell, officials said.')
    """
    lo = max(0, start - limit)
    head = text[lo:start]
    cut = 0
    for match in _BOUNDARY.finditer(head):
        cut = match.end()
    before = head[cut:]
    if cut == 0 and lo > 0:
        before = "…" + before.lstrip()
    tail = text[end : end + limit]
    if text[start:end].rstrip().endswith((".", "!", "?")) and tail[:1].isspace():
        return before, ""
    stop = _BOUNDARY.search(tail)
    after = tail[: stop.end()].rstrip() if stop else tail
    if not stop and end + limit < len(text):
        after = after.rstrip() + "…"
    return before, after


def _v(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _req(row: Row, name: str) -> str:
    """A variable every solution binds (not under OPTIONAL)."""
    term = row.get(name)
    if term is None:
        raise StoreError(f"the store answered without ?{name}, which the query requires")
    return term.value


def _qid(iri: str | None) -> str | None:
    return iri.rsplit("/", 1)[-1] if iri else None


def _number(text: str | None) -> str:
    if text is None:
        return ""
    value = float(text)
    for size, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.4g} {name}"
    return f"{value:,.6g}"


def _summary(row: Row) -> str:
    if _v(row, "kind") == "event":
        return f"status: {_v(row, 'status')}"
    value = _number(_v(row, "value"))
    if _v(row, "valueMax"):
        value += f" to {_number(_v(row, 'valueMax'))}"
    qualifier = (_v(row, "qualifier") or "exactly").replace("_", " ")
    period = f" ({_v(row, 'period')})" if _v(row, "period") else ""
    qualified = "" if qualifier == "exactly" else qualifier + " "
    unit = (_v(row, "unit") or "").replace("_", " ")
    return f"{_v(row, 'subjectLabel')}, {_v(row, 'measure')}: {qualified}{value} {unit}{period}"


def _claim_fields(row: Row, text: str) -> dict[str, Any]:
    start, end = int(_v(row, "start") or 0), int(_v(row, "end") or 0)
    before, after = sentence_around(text, start, end)
    names = ("id", "source", "subject", "modality", "attribution", "speaker", "quote", "time")
    return {n: _v(row, n) for n in names} | {
        "speaker_as_written": _v(row, "speakerAsWritten"),
        "time_precision": _v(row, "timePrecision"),
        "time_written": _v(row, "timeWritten"),
        "before": before,
        "after": after,
    }


def _texts(store: Store, source_ids: Iterable[str]) -> dict[str, str]:
    texts = {}
    for sid in sorted(set(source_ids)):
        rows = store.select(TEXT, {"src": ox.NamedNode(str(source_iri(sid)))})
        texts[sid] = _v(rows[0], "text") or "" if rows else ""
    return texts


_KINDS = {str(KG.EventClaim): "event", str(KG.QuantityClaim): "quantity"}


def _joined(
    row: Row,
    names: dict[str, str],
    terms: dict[str, Row],
    labels: dict[str, str],
    quotes: dict[str, Row],
) -> dict[str, Any]:
    """A claim's row with what it points to named: the variables `_claim_fields` and
    `_summary` read, as one query with label paths would bind them."""

    def name(var: str) -> str | None:
        iri = _v(row, var)
        return names.get(iri) if iri else None

    def term(var: str, field: str = "label") -> str | None:
        iri = _v(row, var)
        found = terms.get(iri) if iri else None
        return _v(found, field) if found else None

    claim = _req(row, "claim")
    if claim not in quotes:
        raise StoreError(f"the store has no quote selectors for {claim}")
    subject, measure, speaker = name("s"), name("m"), name("sp")
    values = {
        "id": _v(row, "id"),
        "source": name("src"),
        "subject": subject,
        "relation": term("rel", "notation"),
        "object": name("o"),
        "polarity": term("pol"),
        "modality": term("mod"),
        "attribution": term("attr"),
        "speaker": labels.get(speaker) if speaker else None,
        "timePrecision": term("tp"),
        "status": term("st"),
        "measure": labels.get(measure) if measure else None,
        "measureId": measure,
        "subjectLabel": labels.get(subject) if subject else None,
        "kind": _KINDS.get(_v(row, "k") or ""),
    }
    kept = ("speakerAsWritten", "time", "timeWritten", "value", "valueMax", "unit", "qualifier")
    for var in (*kept, "period"):
        values[var] = _v(row, var)
    for var in ("quote", "start", "end"):
        values[var] = _v(quotes[claim], var)
    return {k: None if v is None else ox.Literal(v) for k, v in values.items()}


def load_graph(store: Store, *, source: str | None = None) -> VizGraph:
    """Everything the page may show; with `source`, only that source's claims."""
    # quoted: a mistyped id ("a b") then names no source, and is reported as unknown
    bind = {"src": ox.NamedNode(str(source_iri(quote(source, safe=""))))} if source else None
    aliases: dict[str, list[str]] = {}
    for row in store.select(ALIASES):
        aliases.setdefault(_req(row, "id"), []).append(_req(row, "alias"))
    entities = {}
    for row in store.select(ENTITIES):
        eid = _req(row, "id")
        if _req(row, "type") == "Entity" and eid in entities:
            continue  # Virtuoso lets the generic type through the FILTER: keep the specific one
        entities[eid] = VizEntity(
            id=eid,
            label=_req(row, "label"),
            type=_req(row, "type"),
            type_label=_v(row, "typeLabel") or _req(row, "type"),
            description=_v(row, "description"),
            aliases=tuple(sorted(set(aliases.get(eid, [])))),
            wikidata=_qid(_v(row, "wikidata")),
        )
    sources = {}
    for row in store.select(SOURCES):
        optional = {k: _v(row, k) for k in ("outlet", "author", "url", "published")}
        sources[_req(row, "id")] = VizSource(
            id=_req(row, "id"),
            title=_req(row, "title"),
            **optional,
            precision=_v(row, "precision") or "unknown",
            established=_v(row, "established") or "not established",
            not_before=_v(row, "notBefore"),
            not_after=_v(row, "notAfter"),
        )
    names = {_req(row, "x"): _req(row, "id") for row in store.select(NAMES)}
    terms = {_req(row, "t"): row for row in store.select(TERMS)}
    quotes = {_req(row, "claim"): row for row in store.select(QUOTES, bind)}
    labels = {eid: e.label for eid, e in entities.items()}
    causal = [_joined(row, names, terms, labels, quotes) for row in store.select(CAUSAL, bind)]
    other = [_joined(row, names, terms, labels, quotes) for row in store.select(OTHER, bind)]
    texts = _texts(store, (_req(row, "source") for row in [*causal, *other]))
    claims = [
        VizClaim(
            **_claim_fields(row, texts[_req(row, "source")]),
            relation=_req(row, "relation"),
            object=_req(row, "object"),
            polarity=_req(row, "polarity"),
        )
        for row in causal
    ]
    notes = [
        VizNote(
            **_claim_fields(row, texts[_req(row, "source")]),
            kind=_req(row, "kind"),
            summary=_summary(row),
            measure=_v(row, "measureId"),
        )
        for row in other
    ]
    relation_labels = {
        _req(row, "n"): _req(row, "l")
        for row in store.select(
            "SELECT ?n ?l WHERE { ?r a kg:CausalRelation ; skos:notation ?n ; rdfs:label ?l }"
        )
    }
    return VizGraph(
        entities=dict(sorted(entities.items())),
        sources=dict(sorted(sources.items())),
        claims=tuple(sorted(claims, key=lambda c: c.id)),
        notes=tuple(sorted(notes, key=lambda c: c.id)),
        relation_labels=relation_labels,
    )
