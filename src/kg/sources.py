"""The source store: original bytes, their hash, metadata sidecars and normalised text.

Layout of `data/sources/`::

    <id>.txt         the original bytes, never modified (an HTML article too: see kg.markup)
    <id>.meta.yaml   metadata (`kg.models.SourceMeta`): title, outlet, author, URL, language,
                     SHA-256 and size of the bytes, publication date with precision

`load_sources` checks every sidecar against its bytes, so a source edited in place is an error,
not a silent change of the text that quotes anchor to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from kg.errors import SourceError
from kg.files import listing
from kg.models import SourceMeta
from kg.normalise import Normalised, normalise_bytes
from kg.yamlfile import read_model, read_yaml

__all__ = ["SourceDocument", "describe_sources", "load_source", "load_sources", "sha256"]

META_SUFFIX = ".meta.yaml"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SourceDocument:
    meta: SourceMeta
    path: Path
    data: bytes

    @property
    def id(self) -> str:
        return self.meta.id

    @cached_property
    def normalised(self) -> Normalised:
        return normalise_bytes(self.data, path=str(self.path))

    @property
    def text(self) -> str:
        """The normalised text, which quotes anchor to."""
        return self.normalised.text


def load_source(meta_path: Path | str) -> SourceDocument:
    """Read one sidecar and its bytes, checking the hash and size it records."""
    meta_path = Path(meta_path)
    located = read_yaml(meta_path)
    meta = read_model(meta_path, SourceMeta, located)
    expected_name = meta_path.name.removesuffix(META_SUFFIX)
    if meta.id != expected_name:
        raise located.error(f"id '{meta.id}' does not match the file name", ("id",), SourceError)
    path = meta_path.with_name(f"{meta.id}.txt")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read source bytes: {exc.strerror}", path=path) from None
    doc = SourceDocument(meta, path, data)
    # Decode first: an empty or binary file gets that diagnosis, not a hash mismatch.
    doc.normalised  # noqa: B018
    if sha256(data) != meta.sha256:
        raise SourceError(
            f"SHA-256 is {sha256(data)}, the sidecar says {meta.sha256}: "
            "the file changed since it was added",
            path=path,
        )
    if len(data) != meta.byte_size:
        raise SourceError(f"{len(data)} bytes, the sidecar says {meta.byte_size}", path=path)
    return doc


def load_sources(directory: Path | str) -> list[SourceDocument]:
    """All sources in `directory`, sorted by id."""
    metas = listing(Path(directory), META_SUFFIX, error=SourceError, what="sources folder")
    return [load_source(p) for p in metas]


def describe_sources(directory: Path) -> list[dict[str, Any]]:
    """One row per source: what `kg sources` shows. `not_before` and `not_after` are the first
    and last day the date and its evidence allow (the graph's `kg:notBefore`/`kg:notAfter`),
    not only the sidecar's fields of that name: a source dated "2025" is not after 2025-12-31."""
    rows: list[dict[str, Any]] = []
    for doc in load_sources(directory):
        pub = doc.meta.published
        first, last = pub.window()
        rows.append(
            {
                "id": doc.id,
                "title": doc.meta.title,
                "author": doc.meta.author,
                "published": pub.value,
                "precision": pub.precision.value,
                "established": pub.established.value,
                "not_before": first,
                "not_after": last,
                "bytes": doc.meta.byte_size,
                "sha256": doc.meta.sha256,
                "repairs": len(doc.normalised.edits),
            }
        )
    return rows
