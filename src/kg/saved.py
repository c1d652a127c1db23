"""The library of saved queries: documented SPARQL files shipped in `kg/queries/*.rq`.

Each file starts with a comment: a description, then one line per parameter and examples::

    # What each source says caused or motivated an event ...
    #
    # param event (entity, required): the effect, as an entity id or IRI
    # param source (source): only this source (its id)
    # example: kg query --saved causes --param event=japan-treasury-selloff

A parameter is a variable of the query. Its value is checked against its type and turned into
an RDF term, then bound by the store (`Store.query(..., bindings=...)`): never pasted into the
text. An optional parameter left out stays a free variable, so it matches anything.

>>> q = saved_queries()["causes"]
>>> [(p.name, p.type, p.required) for p in q.params]
[('event', 'entity', True)]
>>> bind_params(q, {"event": "japan-treasury-selloff"})["event"].value
'https://w3id.org/kg-news/id/entity/japan-treasury-selloff'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Literal

import pyoxigraph as ox
from pydantic import BaseModel, ConfigDict

from kg.errors import QueryError
from kg.models import SLUG, EntityType, Modality
from kg.namespace import DATA, KG, PREFIXES
from kg.sparql import tokens

__all__ = [
    "Param",
    "SavedQuery",
    "bind_params",
    "describe_saved",
    "get_saved",
    "parse_params",
    "saved_queries",
]

ParamType = Literal["entity", "source", "modality", "type", "date", "string", "integer", "decimal"]
XSD = "http://www.w3.org/2001/XMLSchema#"

_PARAM = re.compile(
    r"^param (?P<name>\w+) \((?P<type>\w+)(?P<required>, required)?\): (?P<text>.+)$"
)


_COUNT = re.compile(r"\s+\d+")  # the number after LIMIT
# A pattern line kept only when an optional parameter is given, or only when it is not
# (see SavedQuery.render).
_CONDITION = re.compile(r"^[^#\n]*[^#\s][^#\n]*#\s*(?P<kind>if|unless)\s+(?P<name>\w+)\s*$")
# Where a page may be named by the listing's own order, or narrowed to its first numbers
# (see SavedQuery.render).
_PAGE = re.compile(
    r"^(?P<indent>[ \t]*)#\s*(?P<kind>page|first)\s+\?(?P<var>\w+)"
    r"(?:,?\s+unless\s+(?P<name>\w+))?\s*$"
)
# A page larger than this is sorted instead of looked up, so that the query text stays short
# (a number per row); exports fetch a million rows at a time and sort anyway.
PAGE_BY_ORDER_MAX = 10_000


class Param(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: ParamType
    required: bool
    description: str


class SavedQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    params: tuple[Param, ...]
    examples: tuple[str, ...]
    text: str
    path: str

    def render(self, given: Iterable[str] = (), limit: int | None = None, offset: int = 0) -> str:
        """The text to run with the parameters `given`: `limit` rows from `offset` (None: all).

        Every saved query has one ``LIMIT`` (its default page, usually inside the subquery
        that picks and orders the rows, so that a page costs what it shows); it is replaced.
        A line ending in ``# if NAME`` is dropped when the optional parameter NAME is not
        given: with NAME free the line matches anything anyway, so the answer is the same,
        but the engine no longer joins a pattern that only multiplies rows. A line ending in
        ``# unless NAME`` is dropped when NAME is given; such lines only restate what other
        lines ask, in a shape that plans better for the case (the file as written, with
        every line, gives the same answer).

        A line ``# page ?order`` (``, unless NAME``: only when NAME is not given) names the
        page by the listing's own numbers: it becomes ``VALUES ?order { offset ...
        offset+limit-1 }`` and the query is no longer cut by ``OFFSET``. A line ``# first
        ?order`` is for an answer merged from several numbered listings, each in the answer's
        order: a row on the page is among the first offset+limit of its own listing, so the
        line becomes ``VALUES ?order { 0 ... offset+limit-1 }`` and the query still sorts and
        cuts. Both are left out (every row read, then sorted) for pages past
        `PAGE_BY_ORDER_MAX`.

        >>> q = saved_queries()["timeline"]
        >>> "LIMIT 20 OFFSET 40" in q.render(["entity"], 20, 40), "LIMIT" in q.render()
        (True, False)
        >>> "?entity" in q.render(), "?entity" in q.render(["entity"])
        (False, True)
        >>> "VALUES ?order { 40 41 42 }" in q.render(limit=3, offset=40)
        True
        """
        if (limit is not None and limit < 0) or offset < 0:
            raise QueryError("limit and offset cannot be negative")
        given = set(given)
        start, end = _page_span(self.text, self.path)
        lines = []
        by_order = False
        for line in (self.text[:start] + "\0" + self.text[end:]).splitlines(keepends=True):
            if (m := _CONDITION.search(line)) and (m["name"] in given) != (m["kind"] == "if"):
                continue
            page = _PAGE.match(line)
            if page and limit is not None and page["name"] not in given:
                first = 0 if page["kind"] == "first" else offset
                if offset + limit - first <= PAGE_BY_ORDER_MAX:
                    numbers = " ".join(map(str, range(first, offset + limit)))
                    line = f"{page['indent']}VALUES ?{page['var']} {{ {numbers} }}\n"
                    by_order = page["kind"] == "page"
            lines.append(line)
        clause = f"LIMIT {limit}" if limit is not None else ""
        if offset and not by_order:
            clause += f" OFFSET {offset}"
        return "".join(lines).replace("\0", clause)


def _page_span(text: str, path: str) -> tuple[int, int]:
    """Where the one ``LIMIT n`` of a saved query is (comments and strings skipped)."""
    spans = []
    for tok in tokens(text):
        if tok.kind == "word" and tok.text.upper() == "LIMIT":
            m = _COUNT.match(text, tok.start + len(tok.text))
            if m:
                spans.append((tok.start, m.end()))
    if len(spans) != 1:
        line = text.count("\n", 0, spans[1][0]) + 1 if spans else None
        raise QueryError("a saved query needs exactly one LIMIT: its page", path=path, line=line)
    return spans[0]


def parse_saved(name: str, text: str, path: str = "") -> SavedQuery:
    """Read the header comment of a saved query."""
    description: list[str] = []
    params: list[Param] = []
    examples: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        body = line.removeprefix("#").strip()
        if body.startswith("param "):
            m = _PARAM.match(body)
            if not m or m["type"] not in ParamType.__args__:  # type: ignore[attr-defined]
                raise QueryError(f"malformed parameter line: {body}", path=path, line=number)
            params.append(
                Param.model_validate(
                    {
                        "name": m["name"],
                        "type": m["type"],
                        "required": bool(m["required"]),
                        "description": m["text"],
                    }
                )
            )
        elif body.startswith("example: "):
            examples.append(body.removeprefix("example: "))
        elif body and not params:
            description.append(body)
        elif body and not examples:  # a parameter's description goes on
            last = params[-1]
            params[-1] = last.model_copy(update={"description": f"{last.description} {body}"})
    if not description:
        raise QueryError("a saved query needs a description comment", path=path, line=1)
    _page_span(text, path)
    optional = {p.name for p in params if not p.required}
    pages = 0
    for number, line in enumerate(text.splitlines(), start=1):
        m = _CONDITION.search(line)
        if m and m["name"] not in optional:
            raise QueryError(
                f"`# {m['kind']} {m['name']}` names no optional parameter", path=path, line=number
            )
        page = _PAGE.match(line)
        if page and page["name"] and page["name"] not in optional:
            raise QueryError(
                f"`# {page['kind']} ... unless {page['name']}` names no optional parameter",
                path=path,
                line=number,
            )
        pages += bool(page)
        if pages > 1:
            raise QueryError(
                "a saved query has at most one `# page` or `# first` line", path=path, line=number
            )
    return SavedQuery(
        name=name,
        description=" ".join(description),
        params=tuple(params),
        examples=tuple(examples),
        text=text,
        path=path,
    )


@cache
def saved_queries() -> dict[str, SavedQuery]:
    """Every saved query by name (the file name without `.rq`), sorted."""
    folder = resources.files("kg") / "queries"
    found = {}
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".rq"):
            name = item.name.removesuffix(".rq")
            found[name] = parse_saved(
                name, item.read_text(encoding="utf-8"), f"kg/queries/{item.name}"
            )
    return found


def get_saved(name: str) -> SavedQuery:
    library = saved_queries()
    if name not in library:
        raise QueryError(f"no saved query {name!r}; `kg queries` lists them: {', '.join(library)}")
    return library[name]


def _iri_or(prefix: str, value: str) -> ox.NamedNode:
    if value.startswith(("http://", "https://")):
        return ox.NamedNode(value)
    head, sep, rest = value.partition(":")
    if sep and head in PREFIXES:
        return ox.NamedNode(PREFIXES[head] + rest)
    if not re.match(SLUG, value):
        raise ValueError("expected an id like japan-treasury-selloff, or an IRI")
    return ox.NamedNode(str(DATA[f"{prefix}/{value}"]))


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _term(param: Param, value: str) -> ox.NamedNode | ox.Literal:
    kind = param.type
    if kind == "entity":
        return _iri_or("entity", value)
    if kind == "source":
        if not re.match(r"^[A-Za-z0-9_.\-]+$", value):
            raise ValueError("expected a source id like 000_4c22c95cf8552d28")
        return ox.Literal(value)
    if kind == "modality":
        if value.lower() not in {m.value for m in Modality}:
            raise ValueError("expected one of " + ", ".join(m.value for m in Modality))
        return ox.NamedNode(str(KG[Modality(value.lower()).value.title()]))
    if kind == "type":
        by_name = {t.value.lower(): t.value for t in EntityType}
        if value.lower() not in by_name:
            raise ValueError("expected one of " + ", ".join(t.value for t in EntityType))
        return ox.NamedNode(str(KG[by_name[value.lower()]]))
    if kind == "date":
        # Python also takes 20251231; the help promises YYYY-MM-DD, so hold to it
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError("expected a date as YYYY-MM-DD")
        try:
            return _typed(date.fromisoformat(value).isoformat(), "date")
        except ValueError:
            raise ValueError("no such day (YYYY-MM-DD)") from None
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ValueError("expected a whole number")
        return _typed(str(int(value)), "integer")
    if kind == "decimal":
        try:
            return _typed(str(Decimal(value)), "decimal")
        except InvalidOperation:
            raise ValueError("expected a number like 61.9") from None
    return ox.Literal(value)


def bind_params(saved: SavedQuery, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """Check `values` (strings from the command line or a form) and turn them into RDF terms."""
    known = {p.name: p for p in saved.params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        expected = ", ".join(known) or "none"
        raise QueryError(f"{saved.name}: unknown parameter {unknown[0]!r} (parameters: {expected})")
    missing = [p.name for p in saved.params if p.required and p.name not in values]
    if missing:
        raise QueryError(
            f"{saved.name}: missing parameter {missing[0]!r}: --param {missing[0]}=..."
        )
    bindings = {}
    for name, value in values.items():
        try:
            bindings[name] = _term(known[name], value)
        except (ValueError, InvalidOperation) as exc:
            raise QueryError(f"{saved.name}: parameter {name}={value!r}: {exc}") from None
    return bindings


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["event=japan", ...]`` as a dict; each item must have a name and an `=`."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {pair!r}: expected NAME=VALUE")
        name = name.strip()
        if name in out:
            raise QueryError(f"--param {name!r} given twice")
        out[name] = value.strip()
    return out


def describe_saved(*, json_output: bool = False) -> str:
    """The library as text for people, or as JSON."""
    library = saved_queries()
    if json_output:
        import json

        return json.dumps(
            [q.model_dump(exclude={"text"}) for q in library.values()], indent=2, ensure_ascii=False
        )
    import textwrap

    blocks = []
    for q in library.values():
        lines = [q.name]
        lines += textwrap.wrap(
            q.description, 96, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False
        )
        for p in q.params:
            need = "required" if p.required else "optional"
            lines += textwrap.wrap(
                f"--param {p.name}=<{p.type}>  ({need}) {p.description}",
                96,
                initial_indent="    ",
                subsequent_indent="        ",
                break_on_hyphens=False,  # ids stay whole, to be copied
            )
        lines += [f"    e.g. {example}" for example in q.examples]
        blocks.append("\n".join(lines))
    note = "An <entity> is an id, a label or an alias in any case (Takichi), or an IRI."
    return "\n\n".join([*blocks, note])
