"""Reading SPARQL text without running it: its form, the operations it uses, where its WHERE
group opens, and clean positions for syntax errors.

A small tokenizer that knows comments, strings, IRIs, variables and prefixed names is enough
for these questions, and it keeps `#`, `{` or `SERVICE` inside a string or a comment from
fooling them.

>>> query_form("PREFIX ex: <http://e/> # SELECT in a comment\\nASK { ?s ?p 'SELECT' }")
'ASK'
>>> sorted(keywords("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }") & {"SERVICE", "LOAD"})
['SERVICE']
>>> print(inject_values("SELECT ?x WHERE { ?x ?p ?y }", {"y": ox.Literal("a")}))
SELECT ?x WHERE {
VALUES (?y) { ("a") }
 ?x ?p ?y }
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import QueryError

__all__ = ["clean_syntax_error", "inject_values", "keywords", "query_form"]

FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[^\W\d][\w\-.]*)?:[\w\-.:%]*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(query: str) -> Iterator[Token]:
    """Significant tokens (no whitespace, no comments)."""
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield Token(kind, m.group(), m.start())


def keywords(query: str) -> set[str]:
    """Upper-cased bare words of the query: keywords, function names, `a`.

    A backslash outside strings (a codepoint escape that some servers would decode into a
    keyword) is reported as the keyword ``\\``, so a caller refusing keywords fails closed.
    """
    found = set()
    for tok in tokens(query):
        if tok.kind == "word":
            found.add(tok.text.upper())
        elif tok.text == "\\":
            found.add("\\")
    return found


def query_form(query: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE, or ``UPDATE`` for an update request."""
    for tok in tokens(query):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if word in FORMS:
            return word
        if word in UPDATES:
            return "UPDATE"
    raise QueryError("not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE")


def _matching(toks: list[Token], i: int) -> int:
    """Index of the `}` closing the `{` at `i`."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == "{":
            depth += 1
        elif toks[j].text == "}":
            depth -= 1
            if depth == 0:
                return j
    raise QueryError("unbalanced braces in the query")


def _where_group(toks: list[Token]) -> int:
    """Index of the `{` that opens the query's outermost WHERE group."""
    form = next(
        (i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() in FORMS), None
    )
    if form is None:
        raise QueryError("not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE")
    i = form + 1
    if toks[form].text.upper() == "CONSTRUCT":
        nxt = next((t for t in toks[i:] if t.kind != "iri" and t.text.upper() != "FROM"), None)
        if nxt is not None and nxt.text.upper() == "WHERE":
            raise QueryError("parameters need the long form: CONSTRUCT { ... } WHERE { ... }")
        i = _matching(toks, next(j for j in range(i, len(toks)) if toks[j].text == "{")) + 1
    parens = 0
    for j in range(i, len(toks)):
        text = toks[j].text
        parens += (text == "(") - (text == ")")
        if text == "{" and parens == 0:
            return j
    raise QueryError("parameters need a WHERE { ... } group")


def _sparql_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.BlankNode):
        raise QueryError("a parameter cannot be a blank node")
    return str(term)  # N-Triples syntax, which is also valid SPARQL


def inject_values(query: str, bindings: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]):
    """Bind variables with a VALUES block at the start of the outermost WHERE group.

    This is how parameters reach servers without pre-binding: terms are serialised as RDF
    terms, never pasted as text. Inside the top-level group the VALUES block joins before any
    FILTER of that group runs, so it matches Oxigraph's substitution for variables used there.
    """
    if not bindings:
        return query
    toks = list(tokens(query))
    at = _where_group(toks)
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(_sparql_term(term) for term in bindings.values())
    block = f"\nVALUES ({names}) {{ ({values}) }}\n"
    open_at = toks[at].start + 1
    first = toks[at + 1] if at + 1 < len(toks) else None
    if first is not None and first.text.upper() == "SELECT":
        # `{ SELECT ... }` admits no sibling: wrap the subquery in its own group.
        close_at = toks[_matching(toks, at)].start
        return query[:open_at] + block + "{" + query[open_at:close_at] + "}" + query[close_at:]
    return query[:open_at] + block + query[open_at:]


_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


def _expected(detail: str, query: str, line: int, column: int) -> str:
    """Oxigraph lists every alternative, character classes included; keep the readable ones."""
    if not detail.startswith("expected"):
        return detail.splitlines()[0]
    items = [i.strip() for i in re.split(r",\s*(?=[\[\"'A-Za-z])", detail.removeprefix("expected"))]
    items = [i.removeprefix("one of ").strip() for i in items]
    if "Prefix not found" in items:
        text = query.splitlines()[line - 1] if line - 1 < len(query.splitlines()) else ""
        before = text[: column - 1]
        m = re.search(r"([^\W\d][\w\-.]*)?:[\w\-.%]*$", before)
        name = m.group(1) if m else ""
        return f"unknown prefix '{name or ''}:'"
    if "IRI parsing failed" in items:
        return "invalid IRI"
    words = [i for i in items if re.fullmatch(r"[A-Za-z][A-Za-z ]*", i)]
    if words:
        return "expected " + " or ".join(words)
    return "unexpected character" if column else "incomplete query"


def clean_syntax_error(
    message: str, query: str, *, line_offset: int = 0, path: str | None = None
) -> QueryError:
    """Turn Oxigraph's parser message into one line with a line and column.

    `line_offset` is the number of lines put before the user's query (a prologue), taken off
    again so the position points into the text the user wrote.

    >>> str(clean_syntax_error("error at 2:5: expected OPTIONAL", "SELECT *\\n{ ?s\\n}"))
    'line 2, column 5: expected OPTIONAL'
    """
    m = _POSITION.match(message.strip())
    if not m:
        return QueryError(f"invalid SPARQL: {message.splitlines()[0]}", path=path)
    line, column = int(m.group(1)) - line_offset, int(m.group(2))
    detail = _expected(m.group(3), query, line, column)
    return QueryError(detail, path=path, line=max(line, 1), column=column)
