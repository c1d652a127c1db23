"""Reading SPARQL text without running it: its form, the operations it uses, where its WHERE
group opens, and clean positions for syntax errors.

A small tokenizer that knows comments, strings, IRIs, variables and prefixed names is enough
for these questions, and it keeps `#`, `{` or `SERVICE` inside a string or a comment from
fooling them.

>>> query_form("PREFIX ex: <http://e/> # SELECT in a comment\\nASK { ?s ?p 'SELECT' }")
'ASK'
>>> sorted(keywords("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }") & {"SERVICE", "LOAD"})
['SERVICE']
>>> substitute("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal("a")})
'SELECT ?s WHERE { ?s ?p "a" }'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespace import PREFIXES

__all__ = [
    "check_size",
    "clean_syntax_error",
    "keywords",
    "mentions",
    "query_form",
    "substitute",
]

FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

# The characters of a SPARQL variable's name (VARNAME): wider than Python's \w (℃, 、).
_VARNAME = (
    "0-9_A-Za-z\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c\u200d"
    "\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)  # SPARQL ends a line at CR as well as LF
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<reifier><<|>>)  # RDF 1.2 quoted triples: `<<'a>'` is not the IRI <'a>
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][VARNAME]+)
  | (?P<pname>(?:[^\W\d][\w\-.]*)?:[\w\-.:%]*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<other>.)
    """.replace("VARNAME", _VARNAME),
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(query: str, *, less_than_after_values: bool = False) -> Iterator[Token]:
    """Significant tokens (no whitespace, no comments).

    ``<`` starts an IRI or is the less-than operator depending on the grammar's context,
    which a tokenizer does not know: by default it starts an IRI wherever one can be read;
    with `less_than_after_values` it is an operator after a value (a variable, a literal, a
    name, ``)``), as in ``?x<'>'``. The size checks read a query both ways.
    """
    pos, previous = 0, None
    while pos < len(query):
        if less_than_after_values and query[pos] == "<" and _ends_value(previous):
            previous = Token("other", "<", pos)
            yield previous
            pos += 1
            continue
        m = _TOKEN.match(query, pos)
        assert m is not None  # `other` matches any character
        kind = m.lastgroup or "other"
        if kind not in ("space", "comment"):
            previous = Token(kind, m.group(), m.start())
            yield previous
        pos = m.end()


def _ends_value(tok: Token | None) -> bool:
    return tok is not None and (
        tok.kind in ("var", "string", "iri", "pname", "word")
        or tok.text in (")", "]")
        or tok.text.isdigit()
    )


def keywords(query: str) -> set[str]:
    """Upper-cased bare words of the query: keywords, function names, `a`; and the prefixes of
    its prefixed names, with their colon (``KG:``).

    A backslash outside strings (a codepoint escape that some servers would decode into a
    keyword) is reported as the keyword ``\\``, so a caller refusing keywords fails closed.
    """
    return _scan(query)[0]


def _scan(query: str, *, less_than_after_values: bool = False) -> tuple[set[str], int, int, int]:
    """The query's `keywords`, its deepest bracket nesting, its count of `_OPERATORS` and its
    count of `_LINKS`."""
    words: set[str] = set()
    depth = deepest = operators = links = 0
    for tok in tokens(query, less_than_after_values=less_than_after_values):
        if tok.text in ("(", "{", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif tok.text in (")", "}", "]"):
            depth -= 1
        elif tok.kind == "word":
            word = tok.text.upper()
            words.add(word)
            operators += word in _OPERATORS
        elif tok.kind == "pname":  # its prefix, for `glued`: ``SERVICEE:``
            words.add(tok.text.partition(":")[0].upper() + ":")
        elif tok.text == "\\":
            words.add("\\")
        elif tok.text in _LINKS:
            links += 1
    return words, deepest, operators, links


# Oxigraph parses and plans recursively: on this machine 10,000 nested parentheses or 5,000
# BINDs in a row overflow its stack and kill the process (a segmentation fault, no error), and
# so do 10,000 of `1+1+...`, `!!!...`, `a || b || ...`, triple patterns or path steps.
MAX_DEPTH = 1000
MAX_OPERATORS = 1000
MAX_LINKS = 2000
_OPERATORS = {"BIND", "OPTIONAL", "UNION", "MINUS", "FILTER", "GRAPH", "SERVICE", "SELECT"}
# what chains expressions, patterns and paths: every one is a level of the engine's recursion
_LINKS = set("+-*/!|&=<>.;^")


def check_size(query: str) -> set[str]:
    """Refuse a query nested or chained past what the engine can take without crashing;
    return its `keywords`, read in the same pass.

    >>> sorted(check_size("ASK FROM <urn:g> { ?s ?p ?o }"))
    ['ASK', 'FROM']
    >>> check_size("ASK { " + "OPTIONAL { ?s ?p ?o } " * 1001 + "}")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: the query has 1001 OPTIONAL, UNION, BIND... (at most 1000): split it
    """
    words, deepest, operators, links = _scan(query)
    # the other reading of `<` (see `tokens`): a size hidden from one reading shows in the other
    _, deepest_b, operators_b, links_b = _scan(query, less_than_after_values=True)
    deepest, operators, links = (
        max(deepest, deepest_b),
        max(operators, operators_b),
        max(links, links_b),
    )
    if deepest > MAX_DEPTH:
        raise QueryError(f"the query nests {deepest} brackets deep (at most {MAX_DEPTH})")
    if operators > MAX_OPERATORS:
        raise QueryError(
            f"the query has {operators} OPTIONAL, UNION, BIND... (at most {MAX_OPERATORS}): "
            "split it"
        )
    if links > MAX_LINKS:
        raise QueryError(
            f"the query chains {links} operators, triple patterns or path steps (at most "
            f"{MAX_LINKS}): split it"
        )
    return words


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def mentions(query: str, word: str) -> bool:
    """Whether `word` occurs anywhere in `query`, in any case, even inside another word, after
    codepoint escapes are decoded: strings, IRIs and comments included. This is the
    fail-closed check for words a server refuses: the tokenizer here reads most queries as the
    engine does, but not all (``?x<'>'`` is a comparison to the engine and an IRI to a
    context-free tokenizer), and a refused word must not hide in such a gap. Inside another
    word too, since the engine reads a keyword with no boundary after it (`glued`).

    >>> mentions("SELECT * { FILTER(?x<'>') SERVICE <http://e/> {} }", "service")
    True
    >>> mentions("SELECT * { ?s kg:level ?o }", "SERVICE")
    False
    """
    decoded = _ESCAPE.sub(
        lambda m: chr(int(m[1] or m[2], 16)) if int(m[1] or m[2], 16) < 0x110000 else "", query
    )
    return word.casefold() in decoded.casefold()


def glued(words: set[str], word: str) -> bool:
    """Whether `word` (a keyword) is in one of `words` (a query's `keywords`, which include
    the prefixes of its prefixed names as ``E:``): the engine reads ``SERVICEe:x`` as SERVICE
    and ``e:x``, and ``trueSERVICE`` as ``true`` and SERVICE, where a tokenizer sees one word.
    No keyword or function name contains another keyword, so a bare word or a prefix holding
    one is refused rather than read.

    >>> glued(keywords("ASK { SERVICEe:steal {} }"), "SERVICE")
    True
    >>> glued(keywords("ASK { ?s ?p trueservice }"), "SERVICE")
    True
    >>> glued(keywords("ASK { ?s kg:serviceLevel ?o }"), "SERVICE")  # a local name: read whole
    False
    """
    return any(word in w for w in words)


def called_functions(query: str) -> list[str]:
    """The IRIs of the functions a query calls by name (an IRI or a prefixed name before
    ``(``), with its PREFIX declarations and the predeclared ones applied.

    >>> called_functions("PREFIX b: <bif:> SELECT (b:get('x') AS ?x) (xsd:integer(1) AS ?z) {}")
    ['bif:get', 'http://www.w3.org/2001/XMLSchema#integer']
    """
    prefixes = dict(PREFIXES)
    toks = list(tokens(query))
    out = []
    for i, tok in enumerate(toks):
        following = toks[i + 1] if i + 1 < len(toks) else None
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and i + 2 < len(toks):
            name, iri = toks[i + 1], toks[i + 2]
            if name.kind == "pname" and iri.kind == "iri":
                prefixes[name.text.rstrip(":")] = iri.text[1:-1]
        elif following is not None and following.text == "(" and tok.kind in ("iri", "pname"):
            if tok.kind == "iri":
                out.append(tok.text[1:-1])
            else:
                head, _, local = tok.text.partition(":")
                out.append(prefixes.get(head, head + ":") + local)
    return out


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


def _sparql_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise QueryError("a parameter must be an IRI or a literal")
    return str(term)  # N-Triples syntax, escaped by Oxigraph, which is also valid SPARQL


def substitute(query: str, bindings: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """Replace bound variables by their RDF terms, as SPARQL's SEP-0007 pre-binding does.

    This is how parameters reach servers without pre-binding, and Oxigraph when a parameter
    is not projected. The value is an RDF term serialised by Oxigraph (escaped, validated),
    never text pasted into the query, and it replaces variable tokens only: `?x` inside a
    string or a comment is left alone. With constants in place of variables every engine
    plans the query from them, which a VALUES block does not guarantee. In a projection
    the variable stays a column, ``(<term> AS ?x)``.

    >>> substitute('SELECT ?x ?y WHERE { ?x ?p ?y } # ?y', {"y": ox.Literal('a b')})
    'SELECT ?x ("a b" AS ?y) WHERE { ?x ?p "a b" } # ?y'
    """
    if not bindings:
        return query
    terms = {_variable(name): _sparql_term(term) for name, term in bindings.items()}
    if len(terms) < len(bindings):
        raise QueryError(f"two bindings for one variable: {', '.join(sorted(bindings))}")
    unused = set(terms)
    out, at, zone, previous = [], 0, "", ""
    for tok in tokens(query):
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "SELECT":
            zone = "projection"
        elif word in ("WHERE", "HAVING", "LIMIT", "OFFSET") or tok.text in ("{", "}"):
            zone = ""
        elif word in ("GROUP", "ORDER"):
            zone = "modifier"
        elif word == "VALUES":
            zone = "values"
        name = tok.text[1:] if tok.kind == "var" else None
        if name in terms:
            if previous in ("AS", "BOUND(") or zone == "values":
                raise QueryError(f"parameter ?{name} cannot be assigned or tested here")
            term = terms[name]
            unused.discard(name)
            replacement = {"projection": f"({term} AS ?{name})", "modifier": f"({term})"}
            out.append(query[at : tok.start] + replacement.get(zone, term))
            at = tok.start + len(tok.text)
        previous = word or (previous + "(" if tok.text == "(" and previous == "BOUND" else tok.text)
    if unused:  # a misspelt name would otherwise bind nothing and answer for every value
        raise QueryError(f"no variable {', '.join('?' + n for n in sorted(unused))} to bind")
    out.append(query[at:])
    return "".join(out)


def _variable(name: str) -> str:
    """A binding's variable name, given as ``x``, ``?x`` or ``$x``."""
    bare = name[1:] if name[:1] in ("?", "$") else name
    if not re.fullmatch(r"\w+", bare):
        raise QueryError(f"{name!r} is not a variable name")
    return bare


_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


def _expected(detail: str, query: str, line: int, column: int, at: tuple[int, int]) -> str:
    """Oxigraph lists every alternative, character classes included; keep the readable ones.
    `line` and `column` are where Oxigraph stopped, `at` where the token it stopped at begins."""
    if not detail.startswith("expected"):
        return detail.splitlines()[0]
    items = _items(detail)
    if "Prefix not found" in items:
        text = query.splitlines()[line - 1] if line - 1 < len(query.splitlines()) else ""
        before = text[: column - 1]
        m = re.search(r"([^\W\d][\w\-.]*)?:[\w\-.%]*$", before)
        name = m.group(1) if m else ""
        return f"unknown prefix '{name or ''}:'"
    if "IRI parsing failed" in items:
        return "invalid IRI"
    if sentence := _sentence(detail, query):
        return sentence
    words = [i for i in items if re.fullmatch(r"[A-Za-z][A-Za-z ]*", i)]
    if 0 < len(words) <= 4:
        return "expected " + " or ".join(words)
    lines = query.splitlines()
    line, column = at
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    near = (text[column - 1 : column + 12] or text[max(column - 2, 0) : column + 12]).strip()
    if line > len(lines):
        return "unexpected end of the query"
    return f"syntax error near {near!r}" if near else "syntax error at the end of the line"


AGGREGATES = frozenset({"GROUP", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})


def _items(detail: str) -> list[str]:
    """The alternatives of Oxigraph's "expected one of A, B, ..." message."""
    items = re.split(r",\s*(?=[\[\"'A-Za-z])", detail.removeprefix("expected"))
    return [i.strip().removeprefix("one of ").strip() for i in items]


def _sentence(detail: str, query: str) -> str | None:
    """Oxigraph's own checks come as sentences among the expected tokens ("The SELECT contains
    a variable that is unbound"): the one thing in the list worth saying."""
    sentences = [i for i in _items(detail) if len(i.split()) >= 4 and i[:1].isupper()]
    if not sentences:
        return None
    said = sentences[0][:1].lower() + sentences[0][1:]
    if "unbound" in said and keywords(query) & AGGREGATES:
        said += ": with GROUP BY or an aggregate, select only grouped variables and aggregates"
    return said


def projection(query: str) -> list[str] | None:
    """The variables a SELECT query's answer has, in order; None for ``SELECT *`` or another
    form. A server's answer is checked against it (one that names others is no answer).

    >>> projection("PREFIX x: <u:> SELECT DISTINCT ?a (COUNT(?b) AS ?n) $c { ?a ?b ?c }")
    ['a', 'n', 'c']
    >>> projection("SELECT * { ?s ?p ?o }") is None
    True
    >>> projection("SELECT ?temp℃ ?a、b { }")  # SPARQL's names are wider than Python's \\w
    ['temp℃', 'a、b']
    """
    found = list(tokens(query))
    selected = _selected(found, [t.text.upper() if t.kind == "word" else t.text for t in found])
    return None if selected is None else [token.text[1:] for token, _ in selected]


def _selected(found: list[Token], words: list[str]) -> list[tuple[Token, bool]] | None:
    """The variables the first SELECT clause of `found` projects, each with whether it stands
    bare (not bound by AS); None for ``SELECT *`` or no SELECT. `words`: the tokens' texts,
    keywords upper-cased."""
    if "SELECT" not in words:
        return None
    out: list[tuple[Token, bool]] = []
    depth = 0
    for i in range(words.index("SELECT") + 1, len(found)):
        if depth == 0 and words[i] in ("WHERE", "{", "FROM", "*"):
            return out if words[i] != "*" else None
        depth += {"(": 1, ")": -1}.get(words[i], 0)
        if found[i].kind == "var" and depth == 0:
            out.append((found[i], True))
        elif found[i].kind == "var" and depth == 1 and words[i - 1] == "AS":
            out.append((found[i], False))
    return out


def ungrouped(query: str) -> Token | None:
    """The first variable a one-SELECT query selects bare although it groups (or aggregates)
    without it: the classic mistake behind Oxigraph's "variable that is unbound".

    >>> ungrouped("SELECT ?s (COUNT(?o) AS ?n) ?p WHERE { ?s ?p ?o } GROUP BY ?s")
    Token(kind='var', text='?p', start=28)
    >>> ungrouped("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s") is None
    True
    """
    found = list(tokens(query))
    words = [t.text.upper() if t.kind == "word" else t.text for t in found]
    if words.count("SELECT") != 1 or not AGGREGATES & set(words):
        return None  # subqueries: which GROUP BY belongs to which SELECT is the parser's job
    selected = [token for token, bare in _selected(found, words) or () if bare]
    grouped: set[str] = set()
    if "GROUP" in words:
        for i in range(words.index("GROUP") + 1, len(found)):
            if words[i] in ("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
                break
            if found[i].kind == "var":
                grouped.add(found[i].text[1:])
    return next((v for v in selected if v.text[1:] not in grouped), None)


def clean_syntax_error(
    message: str, query: str, *, line_offset: int = 0, path: str | None = None
) -> QueryError:
    """Turn Oxigraph's parser message into one line with a line and column.

    `line_offset` is the number of lines put before the user's query (a prologue), taken off
    again so the position points into the text the user wrote.

    >>> str(clean_syntax_error("error at 2:5: expected OPTIONAL", "SELECT *\\n{ ?s\\n}"))
    'line 2, column 3: expected OPTIONAL'
    """
    m = _POSITION.match(message.strip())
    if not m:
        return QueryError(f"invalid SPARQL: {message.splitlines()[0]}", path=path)
    line, column = int(m.group(1)) - line_offset, int(m.group(2))
    if "variable that is unbound" in m.group(3) and (bare := ungrouped(query)):
        before = query[: bare.start]
        return QueryError(
            f"{bare.text} is selected but neither grouped nor aggregated: add it to GROUP BY,"
            f" or select (SAMPLE({bare.text}) AS ?any) for one of its values",
            path=path,
            line=before.count("\n") + 1,
            column=bare.start - (before.rfind("\n") + 1) + 1,
        )
    stopped = _stopped_at(query, line, column)
    if stopped and m.group(3).startswith("expected") and not _sentence(m.group(3), query):
        token, at_end = stopped
        before = query[: token.start]
        at = before.count("\n") + 1, token.start - (before.rfind("\n") + 1) + 1
        if at_end and token.text not in ("}", ")", "]"):
            # the query ends where more was expected: say so, just after its last token
            return QueryError(
                "unexpected end of the query",
                path=path,
                line=at[0],
                column=at[1] + len(token.text),
            )
        detail = _expected(m.group(3), query, line, column, at)
        return QueryError(detail, path=path, line=at[0], column=at[1])
    detail = _expected(m.group(3), query, line, column, (line, column))
    return QueryError(detail, path=path, line=max(line, 1), column=column)


def _stopped_at(query: str, line: int, column: int) -> tuple[Token, bool] | None:
    """The token Oxigraph stopped at, and whether only whitespace follows it. The parser
    reports the position after the last token it read and the whitespace after it, so a stray
    ``}`` at the end of line 3 came out as line 4, column 1.

    >>> _stopped_at("SELECT ?x WHERE {\\n  FILTER( }\\n", 3, 1)
    (Token(kind='other', text='}', start=28), True)
    >>> _stopped_at("ASK { ?s ?p ?o } LIMT 1", 1, 18)
    (Token(kind='word', text='LIMT', start=17), False)
    """
    lines = query.split("\n")
    if not 0 < line <= len(lines):
        return None
    index = min(sum(len(text) + 1 for text in lines[: line - 1]) + column - 1, len(query))
    at_end = not query[index:].strip()
    found = list(tokens(query))
    for tok in found:
        if tok.start == index:
            return tok, at_end
    while index > 0 and query[index - 1].isspace():
        index -= 1
    ending = [tok for tok in found if tok.start < index <= tok.start + len(tok.text)]
    return (ending[-1], at_end) if ending else None
