"""Content negotiation for `kg serve`: which result format a request gets, by ``?format=``
or by the ``Accept`` header (q-values, wildcards, q=0 refusals), and the W3C names of the
formats for the Service Description.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "SELECT")
<ResultFormat.xml: 'xml'>
"""

from __future__ import annotations

import contextlib

from kg.errors import KgError, QueryError
from kg.results import ResultFormat

__all__ = [
    "ACCEPTS",
    "FORMAT_NAMES",
    "NotAcceptable",
    "description_format",
    "negotiate",
    "requested_format",
]

ACCEPTS = {
    "application/sparql-results+json": ResultFormat.json,
    "application/json": ResultFormat.json,
    "application/sparql-results+xml": ResultFormat.xml,
    "application/xml": ResultFormat.xml,
    "text/xml": ResultFormat.xml,
    "text/csv": ResultFormat.csv,
    "text/tab-separated-values": ResultFormat.tsv,
    "text/turtle": ResultFormat.ttl,
    "application/x-turtle": ResultFormat.ttl,
    "application/n-triples": ResultFormat.nt,
    "text/plain": ResultFormat.nt,
    "application/ld+json": ResultFormat.jsonld,
    "application/rdf+xml": ResultFormat.rdfxml,
}
# A graph's JSON is JSON-LD and its XML RDF/XML, as most servers answer these names.
GRAPH_ACCEPTS = {
    "application/json": ResultFormat.jsonld,
    "application/xml": ResultFormat.rdfxml,
    "text/xml": ResultFormat.rdfxml,
}
# `?format=` values: ours, and the names clients such as SPARQLWrapper send.
ALIASES = {"turtle": "ttl", "n3": "ttl", "ntriples": "nt", "json-ld": "jsonld", "rdf+xml": "rdfxml"}
# The W3C's names of the formats, for a service description's sd:resultFormat
FORMAT_NAMES = {
    ResultFormat.json: "SPARQL_Results_JSON",
    ResultFormat.xml: "SPARQL_Results_XML",
    ResultFormat.csv: "SPARQL_Results_CSV",
    ResultFormat.tsv: "SPARQL_Results_TSV",
    ResultFormat.ttl: "Turtle",
    ResultFormat.nt: "N-Triples",
    ResultFormat.jsonld: "JSON-LD",
    ResultFormat.rdfxml: "RDF_XML",
}


def requested_format(params: dict[str, list[str]]) -> str | None:
    """The format= asked for: the first value kg knows, where a client sends several
    (SPARQLWrapper sends ``format=json-ld&format=application/ld+json,...``); else the first."""
    values = params.get("format", [])
    for value in values:
        name = ALIASES.get(value.lower(), value.lower())
        if name in ACCEPTS or name in ResultFormat.__members__:
            return value
    return values[0] if values else None


def negotiate(
    accept: str | None,
    form: str,
    requested: str | None = None,
    skip: frozenset[ResultFormat] = frozenset(),
) -> ResultFormat:
    """The result format: `requested` (``?format=``) first, then the Accept header (passing
    over the formats in `skip`).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "SELECT")
    <ResultFormat.xml: 'xml'>
    >>> negotiate("*/*", "CONSTRUCT")
    <ResultFormat.ttl: 'ttl'>
    >>> negotiate("text/*", "SELECT"), negotiate("application/*", "CONSTRUCT")
    (<ResultFormat.csv: 'csv'>, <ResultFormat.nt: 'nt'>)
    >>> negotiate("application/sparql-results+json;q=0, */*", "SELECT")
    <ResultFormat.xml: 'xml'>
    >>> negotiate("text/csv;q=0, text/*", "SELECT")
    <ResultFormat.tsv: 'tsv'>
    >>> negotiate("application/*;q=0, */*;q=0.5", "SELECT")
    <ResultFormat.csv: 'csv'>
    >>> negotiate("text/*", "ASK"), negotiate("text/xml", "CONSTRUCT")
    (<ResultFormat.xml: 'xml'>, <ResultFormat.rdfxml: 'rdfxml'>)
    """
    graph = form in ("CONSTRUCT", "DESCRIBE")
    default = ResultFormat.ttl if graph else ResultFormat.json
    if requested:
        requested = ALIASES.get(requested.lower(), requested.lower())
        if graph and requested in ("xml", "json"):  # a graph's XML is RDF/XML, its JSON JSON-LD
            requested = {"xml": "rdfxml", "json": "jsonld"}[requested]
        try:
            chosen = _named(requested, graph) or ResultFormat(requested)  # a name or a media type
        except ValueError:
            raise QueryError(f"unknown format {requested!r}") from None
        if chosen is ResultFormat.table or chosen.for_graphs != graph:
            raise QueryError(f"format {requested} does not fit {_a(form)} {form} query")
        return chosen
    if not (accept or "").strip():
        return default
    ranked, excluded = [], set()
    for i, item in enumerate((accept or "").split(",")):
        media, *params = (p.strip() for p in item.split(";"))
        q = next((_weight(p[2:]) for p in params if p[:2].lower() == "q="), 1.0)
        if q > 0:
            ranked.append((-q, i, media.lower()))
        else:  # q=0 means "not this one"
            excluded.add(media.lower())
    # q=0 refuses a format under any of its names, and a range of them (application/*;q=0)
    # wherever a wildcard would pick one; answers carry the format's own media type
    refused = skip | {f for m in excluded if (f := _named(m, graph))}
    ranges = {m.removesuffix("*") for m in excluded if m.endswith("/*") and m != "*/*"}
    allowed = [
        fmt
        for fmt in dict.fromkeys((default, *ACCEPTS.values()))
        if fmt not in refused and _fits(fmt, form) and not _main(fmt).startswith(tuple(ranges))
    ]
    for _, _, media in sorted(ranked):
        fmt = _named(media, graph)
        if fmt is not None and fmt not in refused and _fits(fmt, form):
            return fmt
        if media.endswith("/*"):
            # the first format of that type, the default first; else the first offered under
            # a name of that type (an ASK answer as text/xml)
            kind = "" if media == "*/*" else media.removesuffix("*")
            by_type = [f for f in allowed if _main(f).startswith(kind)]
            by_name = [f for f in allowed if any(n.startswith(kind) for n in _names(f, graph))]
            if by_type or by_name:
                return (by_type or by_name)[0]
    offered = sorted(
        m for m in {**ACCEPTS, **GRAPH_ACCEPTS} if (f := _named(m, graph)) and _fits(f, form)
    )
    raise NotAcceptable(f"cannot answer {_a(form)} {form} query as {accept}: " + ", ".join(offered))


def description_format(accept: str | None) -> ResultFormat | None:
    """The RDF format a request for the service description asks for by its own media type;
    None for a wildcard, text/plain or XML, as browsers and curl send, who are told instead
    that the query is missing.

    >>> description_format("text/turtle"), description_format("text/html, */*;q=0.8")
    (<ResultFormat.ttl: 'ttl'>, None)
    """
    asked = {item.split(";")[0].strip().lower() for item in (accept or "").split(",")}
    with contextlib.suppress(NotAcceptable):
        fmt = negotiate(accept, "DESCRIBE")
        if asked & {m for m, f in ACCEPTS.items() if f is fmt and m != "text/plain"}:
            return fmt
    return None


def _named(media: str, graph: bool) -> ResultFormat | None:
    """The format a media type names, in an answer to a graph query or to another."""
    return (GRAPH_ACCEPTS.get(media) if graph else None) or ACCEPTS.get(media)


def _names(fmt: ResultFormat, graph: bool) -> list[str]:
    """The media types `fmt` is offered under."""
    return [m for m in {**ACCEPTS, **GRAPH_ACCEPTS} if _named(m, graph) is fmt]


def _main(fmt: ResultFormat) -> str:
    return fmt.media_type.split(";")[0]


class NotAcceptable(KgError):
    """No format the client accepts fits the query (HTTP 406)."""


def _fits(fmt: ResultFormat, form: str) -> bool:
    if fmt.for_graphs != (form in ("CONSTRUCT", "DESCRIBE")):
        return False
    return not (form == "ASK" and fmt in (ResultFormat.csv, ResultFormat.tsv))


def _a(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"


def _weight(text: str) -> float:
    """An Accept weight; a malformed one counts as 0, as if the type were not listed."""
    try:
        return min(max(float(text), 0.0), 1.0)
    except ValueError:
        return 0.0
