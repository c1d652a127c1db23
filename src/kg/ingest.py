"""Add new articles to the source store (`data/sources/`), exactly like the seeds.

Each document becomes ``<id>.txt`` (its bytes, never modified) and ``<id>.meta.yaml`` (a
`kg.models.SourceMeta`). The id is ``<slug>-<sha8>``: a slug of the file name (or of the JSONL
``id``) and the first 8 hex digits of the SHA-256 of the bytes, so it is deterministic and a
changed article can never overwrite the old one:

- the same bytes again (under any name) change nothing: the document is reported unchanged;
- the same name with different bytes is a new version, with a new id and a note naming the
  version it follows; the old version stays. A file's name is its path under the folder
  given (``a/article.txt``), or its own name when the file is given: two articles that share
  a file name in different folders are two articles.

Inputs are files, folders (every article file under them: ``.txt``, ``.md``, ``.html`` or no
extension, in sorted order, hidden ones skipped; an HTML document is read as its visible text
and gives its title, author and date when none is given, see `kg.markup`) and
``.jsonl``/``.ndjson`` files with one ``{"id", "text", ...}`` object per line; optional
metadata keys are
``title, outlet, author, url, published`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, or an ISO
timestamp). A publication date is recorded only when given; otherwise it is ``unknown``.
Bytes that are stored already keep their stored metadata: what is given with them and differs
is reported in `IngestReport.not_applied` (edit ``<id>.meta.yaml`` to change it). The keys are
documented in docs/extraction.md.

Bad input raises `SourceError` naming the file (and JSONL line): empty (or an HTML page with
no visible text), binary, over 20 MB, or not English. English is checked by two cheap signals,
documented in docs/extraction.md: at least half the letters are Latin, and (for texts of 10
words or more) at least 12% of the words are common English function words (English news runs
at 35-50%).

>>> slugify("Japan's Treasury Sale (draft 2).txt")
'japan-s-treasury-sale-draft-2'
>>> slugify("Ana Lúcia Ferreira"), slugify("Ishiba Shigeru (石破茂)"), slugify("Łódź Straße")
('ana-lucia-ferreira', 'ishiba-shigeru', 'lodz-strasse')
>>> english_problem("Der Zoll trifft die japanische Wirtschaft, sagte der Minister am Montag.")
'not English: 0% of 11 words are English function words (English runs at 35-50%)'
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kg.errors import SourceError
from kg.models import Establishment, Precision, Publication, SourceMeta
from kg.normalise import MAX_BYTES, normalise_bytes
from kg.sources import META_SUFFIX, load_sources, sha256

__all__ = [
    "Document",
    "IngestReport",
    "NotApplied",
    "english_problem",
    "ingest",
    "read_documents",
    "slugify",
]

METADATA_KEYS = ("title", "outlet", "author", "url", "published")
FUNCTION_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "more",
        "most",
        "no",
        "not",
        "of",
        "on",
        "one",
        "or",
        "our",
        "over",
        "said",
        "says",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "up",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "while",
        "who",
        "will",
        "with",
        "would",
        "you",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass(frozen=True)
class Document:
    """One article to ingest: its bytes, the name it came under, and given metadata."""

    name: str
    data: bytes
    origin: str  # where it came from, for error messages: a path or `path:line`
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # one spelling of "é" whatever the file system gave (macOS decomposes names), so the
        # same name is the same name, in the sidecar's bytes and when versions are matched
        object.__setattr__(self, "name", unicodedata.normalize("NFC", self.name))


@dataclass(frozen=True)
class NotApplied:
    """Metadata given with a document whose bytes are stored already, and not applied.

    The stored sidecar is never rewritten by `ingest`: edit ``sources/<id>.meta.yaml`` by hand
    to change it (`kg check` and `kg build` validate it again).
    """

    source_id: str  # the stored source the bytes matched
    origin: str  # the document given: a path or `path:line`
    fields: dict[str, tuple[str | None, str | None]]  # field -> (stored, given)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_applied: list[NotApplied] = field(default_factory=list)
    versions: list[tuple[str, str]] = field(default_factory=list)  # (new id, previous id)
    skipped: list[str] = field(default_factory=list)  # one error line each


# Latin letters that Unicode does not decompose into a base letter and a combining mark
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def slugify(name: str, limit: int = 40) -> str:
    """An id from a name: accents dropped (``ú`` -> ``u``), other characters -> ``-``."""
    folded = unicodedata.normalize("NFKD", name.lower().translate(_TRANSLITERATE))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    stem = re.sub(r"\.(txt|text|md|html?)$", "", ascii_only)
    slug = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug or "source"


def english_problem(text: str) -> str | None:
    """Why `text` does not look like English, or None when it does."""
    letters = [c for c in text if c.isalpha()]
    if letters:
        latin = sum(1 for c in letters if c < "ɏ")
        if latin / len(letters) < 0.5:
            return f"not English: {100 * latin // len(letters)}% of the letters are Latin"
    words = _WORD.findall(text.lower())
    if len(words) >= 10:
        share = sum(1 for w in words if w in FUNCTION_WORDS) / len(words)
        if share < 0.12:
            return (
                f"not English: {100 * share:.0f}% of {len(words)} words are English function "
                "words (English runs at 35-50%)"
            )
    return None


def _jsonl_document(path: Path, n: int, line: bytes) -> Document:
    try:
        item = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"invalid JSON: {exc}", path=path, line=n) from None
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise SourceError('expected an object with a string "text"', path=path, line=n)
    doc_id = item.get("id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or not str(doc_id).strip():
        raise SourceError('expected a non-empty "id" (a string or a number)', path=path, line=n)
    meta = {k: v for k, v in item.items() if k not in ("id", "text")}
    for key in ("title", "outlet", "author", "url"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise SourceError(f'"{key}" must be a string or null', path=path, line=n)
    try:
        data = item["text"].encode("utf-8")
    except UnicodeEncodeError as exc:  # JSON may escape a lone surrogate ("\ud800")
        raise SourceError(
            f'"text" holds a lone surrogate (character {exc.start}), not Unicode text',
            path=path,
            line=n,
        ) from None
    return Document(str(doc_id), data, f"{path}:{n}", meta)


def _from_jsonl(path: Path) -> Iterator[Document | SourceError]:
    try:
        lines = path.open("rb")
    except OSError as exc:
        yield SourceError(f"cannot read: {exc.strerror}", path=path)
        return
    with lines:
        for n, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield _jsonl_document(path, n, line)
                except SourceError as exc:
                    yield exc


def _from_file(path: Path, name: str | None = None) -> Document:
    try:
        if not path.is_file():  # a device (/dev/zero) or a FIFO: no size to check, maybe no end
            raise SourceError("not a regular file", path=path)
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(
                f"source is {size:,} bytes; the limit is {MAX_BYTES:,} (split it first)", path=path
            )
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)  # it may have grown since stat
        if len(data) > MAX_BYTES:
            raise SourceError(f"source is over the limit of {MAX_BYTES:,} bytes", path=path)
        return Document(name or path.name, data, str(path))
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=path) from None


# Files taken from a folder; any file named on the command line is taken as it is
ARTICLE_SUFFIXES = {"", ".txt", ".text", ".md", ".markdown", ".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


def read_documents(paths: list[Path]) -> Iterator[Document | SourceError]:
    """The documents under `paths`: files, folders (recursively) and `.jsonl` files.

    A document that cannot be read is yielded as its `SourceError`, so that the caller decides
    whether one bad file stops the rest.
    """
    for path in paths:
        if path.is_dir():
            # hidden files and everything under hidden folders (.git, .venv) are not articles
            files = sorted(
                p
                for p in path.rglob("*")
                if not p.is_dir()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            files = [path]
        else:
            raise SourceError("no such file or folder", path=path)
        for file in files:
            suffix = file.suffix.lower()
            if suffix in JSONL_SUFFIXES:
                yield from _from_jsonl(file)
            elif file != path and suffix not in ARTICLE_SUFFIXES:
                # in a folder, only what looks like an article: claims YAML, PDFs and
                # spreadsheets are not, and a named file is taken as the user says
                kinds = " ".join(sorted((ARTICLE_SUFFIXES | JSONL_SUFFIXES) - {""}))
                yield SourceError(f"not an article file ({kinds} or no extension)", path=file)
            else:
                try:
                    # in a folder, the name is the path under it: a/article.txt and
                    # b/article.txt are two articles, not two versions of one
                    name = file.relative_to(path).as_posix() if file != path else None
                    yield _from_file(file, name)
                except SourceError as exc:
                    yield exc


def _publication(value: Any, origin: str) -> Publication:
    if value is None:
        return Publication(evidence="No publication date was given at ingest.")
    m = _DATE.match(str(value))
    if not m:
        raise SourceError(
            f"published: '{value}' is not YYYY, YYYY-MM, YYYY-MM-DD or an ISO timestamp",
            path=origin,
        )
    year, month, day = m.groups()
    precision = Precision.day if day else Precision.month if month else Precision.year
    date = "-".join(p for p in (year, month, day) if p)
    try:
        return Publication(
            value=date,
            precision=precision,
            established=Establishment.stated,
            evidence=f"Given at ingest as '{value}'.",
        )
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise SourceError(f"published: {message}", path=origin) from None


def _html_metadata(
    page: dict[str, str], given: dict[str, Any], published: Publication, doc: Document
) -> tuple[dict[str, Any], Publication, list[str]]:
    """Title, author and date from the page's own markup (`page`), where none was given."""
    found = page
    taken = [k for k in ("title", "author") if given[k] is None and found.get(k)]
    given = given | {k: found[k] for k in taken}
    notes = []
    if published.value is None and found.get("published"):
        try:
            published = _publication(found["published"], doc.origin)
        except SourceError:
            notes.append(f"The HTML gives the date '{found['published']}', which was not read.")
        else:
            where = "the HTML (article:published_time or <time datetime>)"
            evidence = f"Read from {where} as '{found['published']}'."
            published = published.model_copy(update={"evidence": evidence})
            taken.append("published")
    if taken:
        notes.append(f"Read from the HTML: {', '.join(taken)}.")
    return given, published, notes


def _meta(doc: Document, existing_ids: set[str]) -> SourceMeta:
    text = normalise_bytes(doc.data, path=doc.origin)
    if not text.text.strip():  # an HTML page of scripts and hidden elements: nothing to quote
        raise SourceError(
            "empty source: no visible text (the page is only markup, scripts or hidden elements)",
            path=doc.origin,
        )
    problem = english_problem(text.text)
    if problem:
        raise SourceError(problem, path=doc.origin)
    digest = sha256(doc.data)
    slug = slugify(doc.name.rsplit("/", 1)[-1])
    source_id = f"{slug}-{digest[:8]}"
    if source_id in existing_ids:  # a prefix collision with other bytes: lengthen the hash
        source_id = f"{slug}-{digest[:16]}"
    ignored = sorted(k for k in doc.metadata if k not in METADATA_KEYS)
    given = {k: doc.metadata.get(k) for k in ("title", "outlet", "author", "url")}
    published = _publication(doc.metadata.get("published"), doc.origin)
    notes = [f"Ingested; fields not kept: {', '.join(ignored)}."] if ignored else []
    if text.media_type == "text/html":
        given, published, read = _html_metadata(dict(text.page), given, published, doc)
        notes += read
    elif doc.name.lower().endswith((".html", ".htm")):
        raise SourceError(
            "an HTML file must start with <!DOCTYPE html> or <html> to be read as HTML "
            "(add it, or save the article as plain text)",
            path=doc.origin,
        )
    try:
        return SourceMeta(
            id=source_id,
            **{k: str(v) if v is not None else None for k, v in given.items()},
            language="en",
            sha256=digest,
            byte_size=len(doc.data),
            encoding=text.encoding,
            original_filename=doc.name,
            published=published,
            notes=notes,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise SourceError(f"{field}: {message}", path=doc.origin) from None


def _not_applied(stored: SourceMeta, given: SourceMeta, doc: Document) -> NotApplied | None:
    """The metadata `doc` gives that differs from what is stored for its bytes, if any."""
    fields: dict[str, tuple[str | None, str | None]] = {}
    for key in ("title", "outlet", "author", "url"):
        if doc.metadata.get(key) is not None and getattr(given, key) != getattr(stored, key):
            fields[key] = (getattr(stored, key), getattr(given, key))
    old, new = stored.published, given.published
    if doc.metadata.get("published") is not None and (old.value, old.precision) != (
        new.value,
        new.precision,
    ):
        fields["published"] = (old.value, new.value)
    return NotApplied(stored.id, doc.origin, fields) if fields else None


def _write(directory: Path, meta: SourceMeta, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{meta.id}.txt").write_bytes(data)
    body = yaml.safe_dump(
        meta.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100
    )
    (directory / f"{meta.id}{META_SUFFIX}").write_text(body, encoding="utf-8")


def ingest(paths: list[Path], data_dir: Path, *, skip_invalid: bool = False) -> IngestReport:
    """Store the documents under `paths` in `data_dir/sources`.

    Every document is checked before anything is written: the first bad one raises
    `SourceError` and nothing is stored, unless `skip_invalid`, which reports it in
    `IngestReport.skipped` and goes on. Bytes stored already (or earlier in the same batch)
    are not stored again, and their stored metadata is kept: metadata given with them that
    differs is reported in `IngestReport.not_applied`, never written.
    """
    directory = data_dir / "sources"
    existing = load_sources(directory) if directory.is_dir() else []
    by_hash = {s.meta.sha256: s.meta for s in existing}
    by_name = {unicodedata.normalize("NFC", s.meta.original_filename): s.id for s in existing}
    ids = {s.id for s in existing}
    report, pending = IngestReport(), []
    for doc in read_documents(paths):
        try:
            if isinstance(doc, SourceError):
                raise doc
            digest = sha256(doc.data)
            meta = _meta(doc, ids)  # checked even when the bytes are stored already
            if digest in by_hash:
                stored = by_hash[digest]
                report.unchanged.append(stored.id)
                ignored = _not_applied(stored, meta, doc)
                if ignored:
                    report.not_applied.append(ignored)
                continue
        except SourceError as exc:
            if not skip_invalid:
                raise
            report.skipped.append(str(exc))
            continue
        previous = by_name.get(doc.name)
        if previous:
            note = f"New version of {previous}: same original name, different bytes."
            meta = meta.model_copy(update={"notes": [*meta.notes, note]})
            report.versions.append((meta.id, previous))
        by_hash[digest], by_name[doc.name] = meta, meta.id
        ids.add(meta.id)
        pending.append((meta, doc.data))
        report.added.append(meta.id)
    for meta, data in pending:
        _write(directory, meta, data)
    return report
