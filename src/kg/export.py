"""Export claims from the graph, one JSON object per claim, for users' own tools.

Reads through SPARQL, so it works on the embedded store and on a remote endpoint alike.
Fields of every record: ``id, kind, source, quote, start, end, subject{id,label,type},
modality, speaker{id,label,as_written,attribution}, published{value,precision,established}``;
causal claims add ``relation, object{id,label,type}, polarity, event_time``; quantity claims add
``measure{id,label,type}, value, value_max, unit, qualifier, period``; event claims add
``status, event_time``. Records come sorted by id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from kg.store import Store, Term

__all__ = ["claim_records", "entity_index", "to_jsonl"]

ENTITIES = """
SELECT ?e ?id ?label ?type WHERE {
  ?e a kg:Entity, ?t ; dcterms:identifier ?id ; rdfs:label ?label .
  FILTER(?t != kg:Entity && STRSTARTS(STR(?t), STR(kg:)))
  BIND(STRAFTER(STR(?t), STR(kg:)) AS ?type)
}
"""

CLAIMS = """
SELECT ?claim ?id ?kind ?source ?quote ?start ?end ?subject ?relation ?object ?polarity
       ?modality ?attribution ?speaker ?speakerAsWritten ?eventTime ?eventPrecision
       ?eventWritten ?measure ?value ?valueMax ?unit ?qualifier ?period ?periodPrecision
       ?periodWritten ?status ?published ?pubPrecision ?pubEstablished ?confidence ?note
WHERE {
  ?claim a kg:Claim ; kg:claimId ?id ; a ?k ; prov:wasDerivedFrom ?src ; kg:subject ?subject ;
         kg:modality ?m ; kg:attribution ?a ;
         oa:hasTarget/oa:hasSelector ?qs, ?ps .
  FILTER(?k IN (kg:CausalClaim, kg:QuantityClaim, kg:EventClaim))
  ?qs a oa:TextQuoteSelector ; oa:exact ?quote .
  ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?src dcterms:identifier ?source ; kg:publicationPrecision ?pp ; kg:publicationEstablished ?pe .
  OPTIONAL { ?src dcterms:issued ?published }
  OPTIONAL { ?claim kg:relation/skos:notation ?relation ; kg:object ?object ; kg:polarity ?pol }
  OPTIONAL { ?claim kg:speaker ?speaker }
  OPTIONAL { ?claim kg:speakerAsWritten ?speakerAsWritten }
  OPTIONAL { ?claim kg:eventTime ?eventTime }
  OPTIONAL { ?claim kg:eventTimePrecision ?ep }
  OPTIONAL { ?claim kg:eventTimeAsWritten ?eventWritten }
  OPTIONAL { ?claim kg:measure ?measure ; kg:value ?value ; kg:unit ?unit ;
                    kg:qualifier ?qualifier }
  OPTIONAL { ?claim kg:valueMax ?valueMax }
  OPTIONAL { ?claim kg:period ?period }
  OPTIONAL { ?claim kg:periodPrecision ?pprec }
  OPTIONAL { ?claim kg:periodAsWritten ?periodWritten }
  OPTIONAL { ?claim kg:status ?st }
  OPTIONAL { ?claim schema:ratingValue ?confidence }
  OPTIONAL { ?claim kg:note ?note }
  BIND(LCASE(STRAFTER(STR(?k), STR(kg:))) AS ?kind0)
  BIND(REPLACE(?kind0, "claim$", "") AS ?kind)
  BIND(LCASE(STRAFTER(STR(?pol), STR(kg:))) AS ?polarity)
  BIND(LCASE(STRAFTER(STR(?m), STR(kg:))) AS ?modality)
  BIND(LCASE(REPLACE(STRAFTER(STR(?a), STR(kg:)), "Attribution$", "")) AS ?attribution)
  BIND(LCASE(STRAFTER(STR(?ep), STR(kg:))) AS ?eventPrecision)
  BIND(LCASE(STRAFTER(STR(?pprec), STR(kg:))) AS ?periodPrecision)
  BIND(LCASE(STRAFTER(STR(?st), STR(kg:))) AS ?status)
  BIND(LCASE(STRAFTER(STR(?pp), STR(kg:))) AS ?pubPrecision)
  BIND(LCASE(STRAFTER(STR(?pe), STR(kg:))) AS ?pubEstablished)
}
ORDER BY ?id
"""

_STATUS = {"notoccurred": "not_occurred"}
_PRECISION = {"unknownprecision": "unknown"}
_ESTABLISHED = {"notestablished": "unknown"}


def entity_index(store: Store) -> dict[str, dict[str, str]]:
    """Entity IRI -> ``{id, label, type}``."""
    index: dict[str, dict[str, str]] = {}
    for row in store.select(ENTITIES):
        iri, eid, label, etype = (_v(row, k) or "" for k in ("e", "id", "label", "type"))
        index[iri] = {"id": eid, "label": label, "type": etype}
    return index


def _v(row: dict[str, Term | None], name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _number(text: str | None) -> int | float | None:
    if text is None:
        return None
    number = float(text)
    return int(number) if number.is_integer() else number


def _time(value: str | None, precision: str | None, written: str | None) -> dict | None:
    if value is None and written is None and precision is None:
        return None
    return {
        "value": value,
        "precision": _PRECISION.get(precision or "", precision or "unknown"),
        "as_written": written,
    }


def claim_records(store: Store) -> Iterator[dict[str, Any]]:
    """Every claim in the graph as a plain dict, sorted by id."""
    entities = entity_index(store)

    def ent(iri: str | None) -> dict[str, str] | None:
        return entities.get(iri) if iri else None

    for row in store.select(CLAIMS):
        kind = _v(row, "kind")
        speaker = ent(_v(row, "speaker"))
        record: dict[str, Any] = {
            "id": _v(row, "id"),
            "kind": kind,
            "source": _v(row, "source"),
            "quote": _v(row, "quote"),
            "start": int(_v(row, "start") or 0),
            "end": int(_v(row, "end") or 0),
            "subject": ent(_v(row, "subject")),
        }
        if kind == "causal":
            record |= {
                "relation": _v(row, "relation"),
                "object": ent(_v(row, "object")),
                "polarity": _v(row, "polarity"),
            }
        elif kind == "quantity":
            record |= {
                "measure": ent(_v(row, "measure")),
                "value": _number(_v(row, "value")),
                "value_max": _number(_v(row, "valueMax")),
                "unit": _v(row, "unit"),
                "qualifier": _v(row, "qualifier"),
                "period": _time(
                    _v(row, "period"), _v(row, "periodPrecision"), _v(row, "periodWritten")
                ),
            }
        else:
            status = _v(row, "status") or ""
            record["status"] = _STATUS.get(status, status)
        record["modality"] = _v(row, "modality")
        record["speaker"] = {
            "id": speaker["id"] if speaker else None,
            "label": speaker["label"] if speaker else None,
            "as_written": _v(row, "speakerAsWritten"),
            "attribution": _v(row, "attribution"),
        }
        if kind != "quantity":
            record["event_time"] = _time(
                _v(row, "eventTime"), _v(row, "eventPrecision"), _v(row, "eventWritten")
            )
        established = _v(row, "pubEstablished") or "notestablished"
        record["published"] = {
            "value": _v(row, "published"),
            "precision": _PRECISION.get(_v(row, "pubPrecision") or "", _v(row, "pubPrecision")),
            "established": _ESTABLISHED.get(established, established),
        }
        if row.get("confidence") is not None:
            record["confidence"] = float(_v(row, "confidence") or 0)
        if row.get("note") is not None:
            record["note"] = _v(row, "note")
        yield record


def to_jsonl(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False, sort_keys=False)
