"""Decode a source's bytes and repair its text, keeping an explicit offset map.

Quotes anchor to the *normalised* text; the raw text (the bytes decoded as they are) stays
available, and `Normalised.to_raw` / `Normalised.to_normalised` convert offsets between the two.
Offsets count Unicode code points, as Python `str` indices and SPARQL `SUBSTR` do.

Two repairs run, each recorded as an `Edit`:

1. **Recoverable mojibake** (UTF-8 read as cp1252, e.g. ``â€™``): every maximal run of
   non-ASCII characters goes through `ftfy.fix_encoding`, then NFC.
2. **Lossy mojibake**: when the continuation bytes were lost, each of ``’ — “ ” •`` (and any
   other character U+2000-U+2FFF) is left as a lone ``â``. When a text shows this signature
   (``â`` glued to English contractions: ``Americaâs``, ``didnât``), each lone ``â`` is
   restored from its context: apostrophe inside a word, em dash between words, opening quote
   before a word, closing quote after one, bullet at the start of a line. This is a
   reconstruction, not a decoding: each edit records the rule that chose it.

>>> n = normalise_text("Americaâs debt isnât âhome.â")
>>> n.text
'America’s debt isn’t “home.”'
>>> [e.rule for e in n.edits]
['lossy-apostrophe', 'lossy-apostrophe', 'lossy-open-quote', 'lossy-close-quote']
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

import ftfy

from kg.errors import SourceError

__all__ = ["Edit", "Normalised", "decode", "normalise_bytes", "normalise_text"]

MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Edit:
    """`raw[raw_start:raw_end]` became `replacement` at `norm_start` in the normalised text."""

    raw_start: int
    raw_end: int
    norm_start: int
    replacement: str
    rule: str

    @property
    def norm_end(self) -> int:
        return self.norm_start + len(self.replacement)


@dataclass(frozen=True)
class Normalised:
    raw: str
    text: str
    encoding: str
    edits: tuple[Edit, ...] = field(default=())

    def to_raw(self, offset: int) -> int:
        """Map an offset in the normalised text to the raw text.

        An offset inside a replaced span maps to the start of the raw span it replaced.
        """
        starts = [e.norm_start for e in self.edits]
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        e = self.edits[i]
        if offset < e.norm_end:
            return e.raw_start if offset == e.norm_start else e.raw_end
        return offset - e.norm_end + e.raw_end

    def to_normalised(self, offset: int) -> int:
        """Map an offset in the raw text to the normalised text."""
        starts = [e.raw_start for e in self.edits]
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        e = self.edits[i]
        if offset < e.raw_end:
            return e.norm_start if offset == e.raw_start else e.norm_end
        return offset - e.raw_end + e.norm_end


def decode(data: bytes, *, path: str | None = None) -> tuple[str, str]:
    """Decode bytes as UTF-8, falling back to cp1252; refuse empty and binary input.

    Returns ``(text, encoding)``.
    """
    if not data.strip():
        raise SourceError("empty source: no text to read", path=path)
    if len(data) > MAX_BYTES:
        raise SourceError(
            f"source is {len(data):,} bytes; the limit is {MAX_BYTES:,} (split it first)",
            path=path,
        )
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (NUL bytes): not a text article", path=path)
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise SourceError(f"not UTF-8 or cp1252 text: {exc.reason}", path=path) from None
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise SourceError("binary file (control characters): not a text article", path=path)
    return text, encoding


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_LOSSY_SIGNATURE = re.compile(r"[A-Za-z]â(?:s|t|ll|re|ve|d|m)\b")
_LONE_A = re.compile(r"â")
_CONTRACTION = re.compile(r"(?:s|t|ll|re|ve|d|m)\b")
_WORD = re.compile(r"\w")


def _lossy_rule(chars: list[str], text: str, i: int) -> tuple[str, str]:
    """Pick the character a lone ``â`` at `i` stood for, from its context.

    `chars` holds the text repaired so far (left of `i`), `text` the unrepaired text.
    """
    before = chars[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    word_before, word_after = bool(_WORD.match(before)), bool(_WORD.match(after))
    if word_before and _CONTRACTION.match(text, i + 1):
        return "’", "lossy-apostrophe"
    if before == "\n" and after == " ":
        return "•", "lossy-bullet"
    if word_before and (word_after or after == "â"):
        return "—", "lossy-dash"
    if word_after and not word_before:
        return "“", "lossy-open-quote"
    return "”", "lossy-close-quote"


def _repair_lossy(text: str) -> list[tuple[int, int, str, str]]:
    """One-for-one replacements of lone ``â``, only in texts that show the lossy signature."""
    if len(_LOSSY_SIGNATURE.findall(text)) < 2:
        return []
    chars = list(text)
    edits = []
    for m in _LONE_A.finditer(text):
        replacement, rule = _lossy_rule(chars, text, m.start())
        chars[m.start()] = replacement
        edits.append((m.start(), m.end(), replacement, rule))
    return edits


def normalise_text(raw: str, encoding: str = "utf-8") -> Normalised:
    """Repair `raw` and return it with the edits that map offsets back to it."""
    changes: list[tuple[int, int, str, str]] = []
    for m in _NON_ASCII_RUN.finditer(raw):
        fixed = unicodedata.normalize("NFC", ftfy.fix_encoding(m.group()))
        if fixed != m.group():
            changes.append((m.start(), m.end(), fixed, "mojibake"))
    text, edits = _apply(raw, changes)
    lossy = _repair_lossy(text)
    if lossy:
        # One-for-one replacements leave offsets in `text` where they are; map each back
        # through the mojibake edits so that its raw span stays exact.
        first = Normalised(raw, text, encoding, tuple(edits))
        chars = list(text)
        for start, end, replacement, rule in lossy:
            chars[start] = replacement
            edits.append(Edit(first.to_raw(start), first.to_raw(end), start, replacement, rule))
        edits.sort(key=lambda e: e.norm_start)
        text = "".join(chars)
    return Normalised(raw, text, encoding, tuple(edits))


def _apply(raw: str, changes: list[tuple[int, int, str, str]]) -> tuple[str, list[Edit]]:
    out, edits, pos, shift = [], [], 0, 0
    for start, end, replacement, rule in changes:
        out.append(raw[pos:start])
        edits.append(Edit(start, end, start + shift, replacement, rule))
        out.append(replacement)
        shift += len(replacement) - (end - start)
        pos = end
    out.append(raw[pos:])
    return "".join(out), edits


def normalise_bytes(data: bytes, *, path: str | None = None) -> Normalised:
    """Decode and repair a source's bytes."""
    raw, encoding = decode(data, path=path)
    return normalise_text(raw, encoding)
