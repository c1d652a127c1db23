"""Decode a source's bytes and repair its text, keeping an explicit offset map.

Quotes anchor to the *normalised* text; the raw text (the bytes decoded as they are) stays
available, and `Normalised.to_raw` / `Normalised.to_normalised` convert offsets between the two.
Offsets count Unicode code points, as Python `str` indices and SPARQL `SUBSTR` do.

Bytes are UTF-8 or cp1252. A file that is not UTF-8 as a whole is decoded piece by piece:
well-formed UTF-8 sequences stay UTF-8 and only the other bytes are read as cp1252 (an article
pasted together from two sources, even within one line); a byte that is neither is an error
naming its line and offset.

An HTML document (it starts with ``<!DOCTYPE html>`` or ``<html>``) is read as its visible
text first (`kg.markup`): markup deleted, references decoded, white space collapsed, each as an
`Edit` with its exact raw span. Then two repairs run, each recorded as an `Edit`:

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
import codecs
import re
import unicodedata
from dataclasses import dataclass, field

import ftfy

from kg.errors import SourceError
from kg.markup import looks_like_html, parse_html

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
    encoding: str  # "utf-8", "cp1252", or "utf-8+cp1252" (some characters each)
    edits: tuple[Edit, ...] = field(default=())
    media_type: str = "text/plain"  # or "text/html"
    # where each run of characters decoded alike starts: (raw offset, byte offset, encoding)
    segments: tuple[tuple[int, int, str], ...] = field(default=())
    # what an HTML page's markup says of itself (title, author, published), read in the same
    # pass as its text (`kg.markup.parse_html`)
    page: tuple[tuple[str, str], ...] = field(default=())

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

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw span of the normalised span `start:end`: from the first character's raw start
        to the last one's raw end, so markup deleted before or after it is not included. A
        span that starts or ends inside a replacement takes in its whole raw span."""
        if end <= start:
            return self.to_raw(start), self.to_raw(start)
        starts = [e.norm_start for e in self.edits]
        i = bisect.bisect_right(starts, end - 1) - 1
        while i >= 0 and self.edits[i].norm_end == self.edits[i].norm_start:
            i -= 1  # a deletion right before the last character is not part of it
        if i >= 0 and end - 1 < self.edits[i].norm_end:
            raw_end = self.edits[i].raw_end  # the last character comes from a replacement
        else:
            raw_end = self.to_raw(end - 1) + 1
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and self.edits[i].norm_start < start < self.edits[i].norm_end:
            return self.edits[i].raw_start, raw_end  # it starts inside a replacement: all of it
        return self.to_raw(start), raw_end

    def byte_offset(self, raw_offset: int) -> int:
        """The offset in the source's bytes of an offset in the raw text.

        >>> n = normalise_bytes("\ufeffCafé “au lait”".encode())
        >>> n.byte_offset(n.raw.index("au"))  # 3 of the BOM, 2 of é, 3 of “
        12
        """
        segments = self.segments or ((0, 0, self.encoding),)
        raw_start, byte_start, encoding = segments[
            bisect.bisect_right(segments, (raw_offset, 1 << 62, "")) - 1
        ]
        return byte_start + len(self.raw[raw_start:raw_offset].encode(encoding))

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
    """Decode bytes as UTF-8, falling back to cp1252 byte by byte; refuse empty and binary input.

    Returns ``(text, encoding)``.
    """
    text, encoding, _ = _decode(data, path=path)
    return text, encoding


def _decode(data: bytes, *, path: str | None) -> tuple[str, str, tuple[tuple[int, int, str], ...]]:
    if not data.strip():
        raise SourceError("empty source: no text to read", path=path)
    if len(data) > MAX_BYTES:
        raise SourceError(
            f"source is {len(data):,} bytes; the limit is {MAX_BYTES:,} (split it first)",
            path=path,
        )
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (NUL bytes): not a text article", path=path)
    bom = 3 if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text, encoding = data[bom:].decode("utf-8"), "utf-8"
        segments: tuple[tuple[int, int, str], ...] = ((0, bom, "utf-8"),)
    except UnicodeDecodeError:
        text, encoding, segments = _decode_mixed(data, bom, path)
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise SourceError("binary file (control characters): not a text article", path=path)
    return text, encoding, segments


# A run of ASCII, a run of well-formed UTF-8 sequences (Unicode Table 3-7), or one other byte
_PIECES = re.compile(
    rb"(?P<ascii>[\x00-\x7f]+)"
    rb"|(?P<utf8>(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})+)"
    rb"|(?P<byte>[\x80-\xff])"
)
_LINE_END = re.compile(rb"\r\n?|\n")


def _decode_mixed(
    data: bytes, bom: int, path: str | None
) -> tuple[str, str, tuple[tuple[int, int, str], ...]]:
    """Valid UTF-8 sequences as UTF-8, every other byte as cp1252 (a line pasted from a cp1252
    page into a UTF-8 one, or the reverse); runs decoded alike are the segments.

    The encoding is ``cp1252`` when nothing beyond ASCII was UTF-8, else ``utf-8+cp1252``.
    """
    parts: list[str] = []
    segments: list[tuple[int, int, str]] = []
    chars = 0
    for m in _PIECES.finditer(data, bom):
        if m["ascii"]:  # the same in both: it belongs to whichever segment it is in
            part = m["ascii"].decode("ascii")
        else:
            encoding = "utf-8" if m["utf8"] else "cp1252"
            try:
                part = m.group().decode(encoding)
            except UnicodeDecodeError:
                at = m.start()
                raise SourceError(
                    f"byte {at} (0x{data[at]:02x}) is neither UTF-8 nor cp1252 text",
                    path=path,
                    line=len(_LINE_END.findall(data, 0, at)) + 1,  # \r\n, \r or \n ends one
                ) from None
            if not segments:
                segments.append((0, bom, encoding))  # the ASCII before it reads alike
            elif segments[-1][2] != encoding:
                segments.append((chars, m.start(), encoding))
        parts.append(part)
        chars += len(part)
    encoding = "utf-8+cp1252" if any(e == "utf-8" for _, _, e in segments) else "cp1252"
    return "".join(parts), encoding, tuple(segments)


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


def normalise_text(
    raw: str,
    encoding: str = "utf-8",
    *,
    html: bool = False,
    segments: tuple[tuple[int, int, str], ...] = (),
) -> Normalised:
    """Repair `raw` (its visible text, if `html`) and return it with the edits that map offsets
    back to it."""
    text = raw
    edits: list[Edit] = []
    page: tuple[tuple[str, str], ...] = ()
    if html:
        changes, meta = parse_html(raw)
        text, edits = _apply(raw, changes)
        page = tuple(meta.items())
    mojibake: list[tuple[int, int, str, str]] = []
    for m in _NON_ASCII_RUN.finditer(text):
        fixed = unicodedata.normalize("NFC", ftfy.fix_encoding(m.group()))
        if fixed != m.group():
            mojibake.append((m.start(), m.end(), fixed, "mojibake"))
    text, edits = _compose(text, edits, mojibake)
    text, edits = _compose(text, edits, _repair_lossy(text))
    media_type = "text/html" if html else "text/plain"
    return Normalised(raw, text, encoding, tuple(edits), media_type, segments, page)


def _compose(
    text: str, edits: list[Edit], changes: list[tuple[int, int, str, str]]
) -> tuple[str, list[Edit]]:
    """Apply `changes` (spans of `text`) on top of `edits` (which made `text` from the raw text).

    A change that overlaps earlier edits takes them in, so that every edit still replaces one
    raw span; an earlier deletion at either end of a change stays apart from it.
    """
    if not changes:
        return text, edits
    if not edits:
        return _apply(text, changes)
    first = Normalised("", text, "", tuple(edits))
    merged: list[tuple[int, int, str, str]] = []  # spans of `text`, grown over earlier edits
    taken: set[int] = set()
    starts = [e.norm_start for e in edits]  # sorted, and the edits do not overlap
    for start, end, replacement, rule in changes:
        # only the edits starting at or after `start`, and the one before them, can touch it
        first_edit = max(0, bisect.bisect_left(starts, start) - 1)
        for i in range(first_edit, bisect.bisect_left(starts, end)):
            e = edits[i]
            inside = e.norm_start < end and e.norm_end > start
            if inside or (e.norm_start == e.norm_end and start < e.norm_start < end):
                taken.add(i)
                if e.norm_start < start:
                    replacement, start = text[e.norm_start : start] + replacement, e.norm_start
                if e.norm_end > end:
                    replacement, end = replacement + text[end : e.norm_end], e.norm_end
        merged.append((start, end, replacement, rule))
    out, result, pos, shift = [], [], 0, 0
    kept = [e for i, e in enumerate(edits) if i not in taken]
    k = 0
    for start, end, replacement, rule in merged:
        while k < len(kept) and kept[k].norm_start <= start and kept[k].norm_end <= start:
            e = kept[k]
            result.append(Edit(e.raw_start, e.raw_end, e.norm_start + shift, e.replacement, e.rule))
            k += 1
        out.append(text[pos:start])
        raw_start, raw_end = (
            first.raw_span(start, end) if end > start else (first.to_raw(start),) * 2
        )
        result.append(Edit(raw_start, raw_end, start + shift, replacement, rule))
        out.append(replacement)
        shift += len(replacement) - (end - start)
        pos = end
    for e in kept[k:]:
        result.append(Edit(e.raw_start, e.raw_end, e.norm_start + shift, e.replacement, e.rule))
    out.append(text[pos:])
    return "".join(out), result


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
    raw, encoding, segments = _decode(data, path=path)
    return normalise_text(raw, encoding, html=looks_like_html(raw), segments=segments)
