"""Query results, whatever store produced them, and their standard serialisations.

A `Result` holds the answer of one query: solutions (SELECT), a boolean (ASK) or triples
(CONSTRUCT, DESCRIBE). Solutions are written here as SPARQL 1.1 Query Results JSON, XML, CSV
and TSV, row by row, so a caller can stop after a limit; triples go through Oxigraph's RDF
serialisers.

>>> r = Result.solutions(["x"], [{"x": ox.Literal("a,b")}])
>>> print(serialise(r, ResultFormat.csv).decode(), end="")
x
"a,b"
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.errors import QueryError

__all__ = ["Result", "ResultFormat", "Unrepresentable", "serialise"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
ITS = "http://www.w3.org/2005/11/its"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Value = Term | ox.Triple  # a user's query may bind RDF 1.2 triple terms: TRIPLE(), <<( )>>
Row = dict[str, Value | None]


class ResultFormat(StrEnum):
    """Output formats: the first five for SELECT and ASK, the RDF ones for graphs."""

    table = "table"
    json = "json"
    xml = "xml"
    csv = "csv"
    tsv = "tsv"
    ttl = "ttl"
    jsonld = "jsonld"
    nt = "nt"
    rdfxml = "rdfxml"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]

    @property
    def for_graphs(self) -> bool:
        return self in (ResultFormat.ttl, ResultFormat.jsonld, ResultFormat.nt, ResultFormat.rdfxml)


MEDIA_TYPES = {
    ResultFormat.table: "text/plain; charset=utf-8",
    ResultFormat.json: "application/sparql-results+json",
    ResultFormat.xml: "application/sparql-results+xml",
    ResultFormat.csv: "text/csv; charset=utf-8",
    ResultFormat.tsv: "text/tab-separated-values; charset=utf-8",
    ResultFormat.ttl: "text/turtle",
    ResultFormat.jsonld: "application/ld+json",
    ResultFormat.nt: "application/n-triples",
    ResultFormat.rdfxml: "application/rdf+xml",
}
_RDF = {
    ResultFormat.ttl: ox.RdfFormat.TURTLE,
    ResultFormat.jsonld: ox.RdfFormat.JSON_LD,
    ResultFormat.nt: ox.RdfFormat.N_TRIPLES,
    ResultFormat.rdfxml: ox.RdfFormat.RDF_XML,
}


@dataclass
class Result:
    """The answer to one query. `rows` and `triples` may be lazy: iterate them once."""

    form: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: Iterable[Row] = ()
    boolean: bool = False
    triples: Iterable[ox.Triple] = ()

    @classmethod
    def solutions(cls, variables: list[str], rows: Iterable[Row]) -> Result:
        return cls("select", variables=variables, rows=rows)

    @classmethod
    def ask(cls, value: bool) -> Result:
        return cls("ask", boolean=value)

    @classmethod
    def graph(cls, triples: Iterable[ox.Triple]) -> Result:
        return cls("graph", triples=triples)


def _json_term(term: Value) -> dict[str, Any]:
    if isinstance(term, ox.Triple):  # RDF 1.2 triple terms: TRIPLE(), <<( )>>
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
        if term.direction:  # RDF 1.2: "x"@ar--rtl
            out["its:dir"] = str(term.direction)
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _json(result: Result) -> Iterator[str]:
    if result.form == "ask":
        yield json.dumps({"head": {}, "boolean": result.boolean})
        return
    yield json.dumps({"head": {"vars": result.variables}})[:-1] + ',"results":{"bindings":['
    for i, row in enumerate(result.rows):
        cells = {k: _json_term(v) for k, v in row.items() if v is not None}
        yield ("," if i else "") + json.dumps(cells, ensure_ascii=False)
    yield "]}}"


class Unrepresentable(QueryError):
    """The answer holds a character the chosen format cannot carry (HTTP 406)."""


# Characters XML 1.0 has no way to write, not even as a reference (its production `Char`)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str, instead: str = "JSON or TSV") -> str:
    """`text` escaped for XML; an error naming the character if XML 1.0 cannot hold it
    (article text may keep a form feed: `kg.normalise`), and the formats that can."""
    if found := _NOT_XML.search(text):
        raise Unrepresentable(
            f"a value holds U+{ord(found.group()):04X}, which XML 1.0 cannot carry: "
            f"ask for {instead} instead"
        )
    # a raw CR would be read back as LF (XML's end-of-line handling), moving every offset
    return escape(text, {"\r": "&#13;"})


def _xml_term(term: Value) -> str:
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    attr = ""
    if term.language:
        attr = f" xml:lang={quoteattr(term.language)}"
        if term.direction:  # RDF 1.2, as SPARQL 1.2 results write it (ITS 2.0)
            attr += f' its:dir={quoteattr(str(term.direction))} xmlns:its="{ITS}" its:version="2.0"'

    elif term.datatype.value != XSD_STRING:
        attr = f" datatype={quoteattr(term.datatype.value)}"
    return f"<literal{attr}>{_xml_text(term.value)}</literal>"


def _xml(result: Result) -> Iterator[str]:
    yield '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
    if result.form == "ask":
        yield f"<head/>\n<boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n"
        return
    heads = "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables)
    yield f"<head>{heads}</head>\n<results>\n"
    for row in result.rows:
        cells = "".join(
            f"<binding name={quoteattr(k)}>{_xml_term(v)}</binding>"
            for k, v in row.items()
            if v is not None
        )
        yield f"<result>{cells}</result>\n"
    yield "</results>\n</sparql>\n"


def _delimited(result: Result, tsv: bool) -> Iterator[str]:
    """CSV carries plain values (lossy by design); TSV carries terms in N-Triples syntax."""
    if result.form == "ask":
        raise QueryError("CSV and TSV are for SELECT results; use json or xml for ASK")
    if tsv:
        yield "\t".join(f"?{v}" for v in result.variables) + "\n"
        for row in result.rows:
            yield "\t".join(_tsv_term(row.get(v)) for v in result.variables)
            yield "\n"
        return
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        values = []
        for v in result.variables:
            term = row.get(v)
            if term is None:
                values.append("")
            else:
                values.append(_csv_term(term))
        writer.writerow(values)
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def _xml_terms(triple: ox.Triple, instead: str) -> None:
    """Refuse a triple that RDF/XML cannot write, triple terms inside it included."""
    for term in (triple.subject, triple.predicate, triple.object):
        if isinstance(term, ox.Triple):
            _xml_terms(term, instead)
        elif isinstance(term, ox.Literal | ox.NamedNode):
            _xml_text(term.value, instead)
            if "\r" in term.value:  # Oxigraph writes it raw, and a reader gets LF back
                raise Unrepresentable(
                    "a value holds a carriage return (U+000D), which RDF/XML as written here "
                    f"would turn into a line feed: ask for {instead} instead"
                )


def _tsv_term(term: Value | None) -> str:
    """N-Triples syntax; a triple term as ``<<( s p o )>>`` (SPARQL 1.2, as Oxigraph writes)."""
    if term is None:
        return ""
    return f"<<( {term} )>>" if isinstance(term, ox.Triple) else str(term)


def _csv_term(term: Value) -> str:
    """A plain value; a triple term as its three values (as Oxigraph writes it)."""
    if isinstance(term, ox.Triple):
        return " ".join(_csv_term(t) for t in (term.subject, term.predicate, term.object))
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def serialise_chunks(result: Result, fmt: ResultFormat, prefixes: dict[str, str] | None = None):
    """Yield the serialisation of `result` in pieces (bytes)."""
    if result.form == "graph":
        if not fmt.for_graphs:
            raise QueryError(
                f"CONSTRUCT and DESCRIBE give a graph: use ttl, jsonld, nt or rdfxml, not {fmt}"
            )
        triples = list(result.triples)
        if fmt is ResultFormat.rdfxml:
            for t in triples:
                _xml_terms(t, "N-Triples, Turtle or JSON-LD")
        try:
            yield ox.serialize(triples, format=_RDF[fmt], prefixes=prefixes)
        except OSError as exc:  # "JSON-LD does not support RDF 1.2 yet": triple terms
            raise Unrepresentable(
                f"{fmt} cannot carry this graph ({exc}): ask for ttl or nt"
            ) from None
        return
    writers = {
        ResultFormat.json: _json,
        ResultFormat.xml: _xml,
        ResultFormat.csv: lambda r: _delimited(r, tsv=False),
        ResultFormat.tsv: lambda r: _delimited(r, tsv=True),
    }
    if fmt not in writers:
        raise QueryError(f"{fmt} is for CONSTRUCT and DESCRIBE; use table, json, xml, csv or tsv")
    for piece in writers[fmt](result):
        yield piece.encode("utf-8")


def serialise(result: Result, fmt: ResultFormat, prefixes: dict[str, str] | None = None) -> bytes:
    return b"".join(serialise_chunks(result, fmt, prefixes))
