"""Errors raised by `kg`.

Every error a user can cause is a `KgError`; the CLI prints it as one line on stderr and exits
with status 2. Errors about a file carry its path and, where known, the line and field::

    KgError
    ├── InputError            bad input a user can fix (file, line, field)
    │   ├── SourceError       a source document is empty, binary or unreadable
    │   ├── CurationError     entities.yaml or a claims file is malformed or inconsistent
    │   └── QueryError        a SPARQL query does not parse or names an unknown saved query
    │       └── QueryRefused  a SPARQL server refused a query that kg reads
    ├── StoreError            the graph store is missing, unreachable or refused the request
    │   └── StoreTimeout      a store server stayed silent past its timeout=
    └── ValidationError       the built graph does not conform to the SHACL shapes

>>> str(CurationError("unknown entity 'japn'", path="data/claims/x.yaml", line=12, field="subject"))
"data/claims/x.yaml:12: subject: unknown entity 'japn'"
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CurationError",
    "InputError",
    "KgError",
    "QueryError",
    "QueryRefused",
    "SourceError",
    "StoreError",
    "StoreTimeout",
    "ValidationError",
]


class KgError(Exception):
    """Base class: a failure the user should see as one clear line, not a traceback."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class InputError(KgError):
    """Input a user can fix: the message names the file, line and field."""


class SourceError(InputError):
    """A source document is empty, binary, too large or cannot be decoded."""


class CurationError(InputError):
    """`data/entities.yaml` or a `data/claims/*.yaml` file is malformed or inconsistent."""


class QueryError(InputError):
    """A SPARQL query is invalid, or a saved query or parameter is unknown.

    Syntax errors carry the line and column in the user's text:

    >>> str(QueryError("expected OPTIONAL", line=4, column=2))
    'line 4, column 2: expected OPTIONAL'
    >>> str(QueryError("expected OPTIONAL", path="q.rq", line=4, column=2))
    'q.rq:4:2: expected OPTIONAL'
    """

    def __init__(self, message: str, *, column: int | None = None, **where) -> None:
        super().__init__(message, **where)
        self.column = column

    def __str__(self) -> str:
        if self.line is None or self.column is None:
            return super().__str__()
        if self.path:
            return f"{self.path}:{self.line}:{self.column}: {self.message}"
        return f"line {self.line}, column {self.column}: {self.message}"


class QueryRefused(QueryError):
    """A SPARQL server refused a query that kg itself reads (a dialect it lacks, a limit)."""


class StoreError(KgError):
    """The graph store is missing, unreachable, or refused a request."""


class StoreTimeout(StoreError):
    """A store server stayed silent past its ``timeout=``."""


class ValidationError(KgError):
    """The built graph does not conform to `ontology/shapes.ttl`."""
