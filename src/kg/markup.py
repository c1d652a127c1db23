"""The visible text of an HTML article, as exact edits of its markup, and its metadata.

The standard library's `html.parser` reads the raw (decoded) text; every event it reports
starts at a known offset (`HTMLParser.getpos`), so the text can be cut into tokens that tile
it: visible text, character references, collapsible white space, block boundaries and hidden
markup. Each token that does not read as itself becomes one change ``(raw_start, raw_end,
replacement, rule)``, the same shape as the other repairs of `kg.normalise`, so the offset map
back to the raw text stays exact:

- ``html-markup``: tags, comments, declarations, and everything inside ``head``, ``title``,
  ``script``, ``style``, ``nav``, ``aside``, ``footer``, ``form``, ``svg`` and other
  non-article elements or elements marked ``hidden``, deleted; such an element ends where a
  browser ends it (`kg.htmltree`). A block element's tags become a paragraph break
  (``\\n\\n``), ``<br>`` a line break, two or more ``<br>`` a paragraph break;
- ``html-reference``: ``&rsquo;`` and ``&#8217;`` become ``’``, as HTML5 reads them: a name it
  does not know stays as written (``S&P-500``, ``AT&T.com``), and ``&shy;`` (a soft hyphen)
  is deleted (a literal U+00AD too, as ``html-soft-hyphen``);
- ``html-space``: a run of white space becomes one space (or the break it stands for). A
  non-breaking space, ``&nbsp;`` or U+00A0 alike, is white space, as are ``&#13;`` and
  ``&NewLine;``: a reader sees a space, and a quote typed with one matches.

>>> changes, meta = parse_html(
...     "<html><head><title>Yen</title></head><body><p>Japan&rsquo;s  <em>debt</em></p>"
...     "<p>grew.</p></body></html>"
... )
>>> from kg.normalise import normalise_text
>>> normalise_text("<p>Japan&rsquo;s  <em>debt</em></p>\\n<p>grew.</p>", html=True).text
'Japan’s debt\\n\\ngrew.'
>>> meta
{'title': 'Yen'}
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.entities import html5
from html.parser import HTMLParser

from kg.htmltree import Element, OpenElements, tags

__all__ = ["looks_like_html", "parse_html", "reference"]

# Elements that start a new paragraph
BLOCKS = tags(
    "address article blockquote body dd details div dl dt fieldset figcaption figure h1 h2 h3 "
    "h4 h5 h6 header hgroup hr html li main ol p pre section summary table tbody thead tfoot tr "
    "ul caption nav aside footer form"
)
_WHITE = " \t\n\r\f\xa0"  # U+00A0 (literal or &nbsp;) is white space, as a space is
_SPLIT = re.compile("([ \t\n\r\f\xa0\xad]+)")  # text apart from white space and soft hyphens
_SPLIT_PRE = re.compile("([\xa0\xad]+)")  # in pre, white space is text but U+00A0
_REFERENCE = re.compile(r"&(?:#(?:[0-9]+|[xX][0-9a-fA-F]+);?|[A-Za-z0-9]+;?)")
_HTML_START = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S
)


def looks_like_html(raw: str) -> bool:
    """Whether a text is an HTML document: it opens with ``<!DOCTYPE html>`` or ``<html>``."""
    return bool(_HTML_START.match(raw))


def reference(raw: str, start: int, end: int | None = None) -> tuple[int, str] | None:
    """The end and the text of the character reference at `raw[start]` (an ``&``), read as a
    browser reads it in text (HTML5); None when the ``&`` is just an ampersand.

    A name the HTML5 table does not know stays as written; the legacy names that may go
    without ``;`` (``&amp``, ``&lt``, ``&nbsp``, ...) are read up to where the name ends.

    >>> reference("S&P-500", 1), reference("AT&T.com", 2), reference("&#", 0)
    (None, None, None)
    >>> reference("&lt-b", 0), reference("&amp;", 0), reference("&#65a", 0)
    ((3, '<'), (5, '&'), (4, 'A'))
    """
    m = _REFERENCE.match(raw, start, len(raw) if end is None else end)
    if not m:
        return None
    if m.group()[1] == "#":
        return m.end(), html.unescape(m.group())
    name = m.group()[1:]
    if name.endswith(";") and name in html5:
        return m.end(), html5[name]
    for size in range(len(name.rstrip(";")), 1, -1):
        if name[:size] in html5:  # without ";": only the legacy names are in the table
            return start + 1 + size, html5[name[:size]]
    return None


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    kind: str  # text, space, break, drop, soft (deleted, never a separator)
    value: str = ""  # text: what it reads as; break: "\n", "\n\n" or " "
    rule: str = "html-reference"  # a text or soft token's rule when it changes


class _Reader(HTMLParser):
    """Collects tokens and metadata; offsets are into the raw text fed in one piece.

    The parser is fed the text with each ``&`` replaced by a character the text lacks (same
    offsets): `html.parser` reads references by rules of its own (``&P-500;``-like names, a
    lone ``&#`` that turns the rest of the page into text), so references are read here, by
    `reference`, from the raw text of each run of text.
    """

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.amp = next(c for c in map(chr, range(0xE000, 0xF900)) if c not in raw)
        self.fed = raw.replace("&", self.amp)
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", raw))]
        self.tokens: list[_Token] = []
        self.tree = OpenElements()
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.title_of: Element | None = None  # the document's title: the first outside svg

    def here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, self_closing=True)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        values = {k: html.unescape((v or "").replace(self.amp, "&")).strip() for k, v in attrs}
        hidden = self.tree.hidden
        self.tree.start(tag, hidden="hidden" in values, self_closing=self_closing)
        self._boundary(tag, hidden)
        if self.tree.foreign:
            return
        if tag == "meta":
            key = (values.get("name") or values.get("property") or "").lower()
            if key in ("author", "article:published_time") and values.get("content"):
                self.meta.setdefault(key, values["content"])
        elif tag == "time" and values.get("datetime") and not self.tree.hidden:
            self.meta.setdefault("time", values["datetime"])
            if self.tree.article:
                self.meta.setdefault("article-time", values["datetime"])

    def handle_endtag(self, tag: str) -> None:
        hidden = self.tree.hidden
        self.tree.end(tag)
        self._boundary(tag, hidden)

    def _boundary(self, tag: str, hidden_before: bool) -> None:
        """A tag is a break unless it is hidden on both sides, and not a block: hidden markup."""
        start = self.here()
        if (hidden_before and self.tree.hidden) or tag not in BLOCKS | {"br", "td", "th"}:
            self.tokens.append(_Token(start, start, "drop"))
        else:
            value = {"br": "\n", "td": " ", "th": " "}.get(tag, "\n\n")
            self.tokens.append(_Token(start, start, "break", value))

    def handle_data(self, data: str) -> None:
        start = self.here()
        if not self.fed.startswith(data, start):  # not seen in Python 3.11-3.13; never guess
            return  # the gap it leaves is hidden markup: exact, if not visible
        end = start + len(data)
        current = self.tree.current
        if current and current.tag == "title" and not current.foreign:
            if self.title_of is None or self.title_of is current:
                self.title_of = current
                self.title.append(html.unescape(self.raw[start:end]))
        elif data.strip(_WHITE):
            self.tree.text()
        if self.tree.hidden:
            self.tokens.append(_Token(start, end, "drop"))
            return
        split = _SPLIT_PRE if self.tree.pre else _SPLIT
        pos = start
        while pos < end:
            amp = self.raw.find("&", pos, end)
            stop = end if amp < 0 else amp
            for part in split.split(self.raw[pos:stop]):
                if part:
                    self._text(pos, part)
                    pos += len(part)
            if amp < 0:
                break
            found = reference(self.raw, amp, end)
            if found:
                self.tokens.append(self._reference(amp, *found))
                pos = found[0]
            else:  # an ampersand that is itself
                self.tokens.append(_Token(amp, amp + 1, "text", "&"))
                pos = amp + 1

    def _text(self, start: int, part: str) -> None:
        """A run of text, or of white space and soft hyphens (`_SPLIT` keeps them apart)."""
        if part[0] not in ("\xa0\xad" if self.tree.pre else _WHITE + "\xad"):
            self.tokens.append(_Token(start, start + len(part), "text", part))
        elif self.tree.pre or "\xad" in part:  # rare: a token for each character
            for i, char in enumerate(part, start):
                if char == "\xad":
                    self.tokens.append(_Token(i, i + 1, "soft", rule="html-soft-hyphen"))
                elif self.tree.pre:  # in pre, only U+00A0 is split off: a space, kept
                    self.tokens.append(_Token(i, i + 1, "text", " ", rule="html-space"))
                else:
                    self.tokens.append(_Token(i, i + 1, "space", char))
        else:
            self.tokens.append(_Token(start, start + len(part), "space", part))

    def _reference(self, start: int, end: int, text: str) -> _Token:
        if text in ("", "\xad"):  # a soft hyphen, or nothing: deleted
            return _Token(start, end, "soft")
        if not self.tree.pre and not text.strip(_WHITE):  # &nbsp; &#13; &NewLine;
            return _Token(start, end, "space", text)
        return _Token(start, end, "text", text.replace("\xa0", " "))

    def handle_comment(self, data: str) -> None:
        self._boundary("", True)

    def handle_decl(self, decl: str) -> None:
        self._boundary("", True)

    def handle_pi(self, data: str) -> None:
        self._boundary("", True)

    def unknown_decl(self, data: str) -> None:
        self._boundary("", True)


def _tiled(tokens: list[_Token], size: int) -> list[_Token]:
    """The tokens with every gap between them (the rest of a tag) filled as hidden markup."""
    out, pos = [], 0
    for t in sorted(tokens, key=lambda t: t.start):
        if t.start < pos:  # inside what an earlier token covers: never seen, never overlap
            continue
        if t.start > pos:
            out.append(_Token(pos, t.start, "drop"))
        if t.kind in ("text", "space", "soft"):
            out.append(t)
            pos = t.end
        else:  # a tag or comment: it reaches the next token, filled in by the gap above
            out.append(_Token(t.start, t.start, t.kind, t.value))
            pos = t.start
    if pos < size:
        out.append(_Token(pos, size, "drop"))
    return out


def parse_html(raw: str) -> tuple[list[tuple[int, int, str, str]], dict[str, str]]:
    """The changes that turn `raw` into its visible text, and its metadata.

    Metadata keys: ``title`` (the first ``<title>`` outside ``svg`` and ``math``), ``author``
    (``<meta name="author">``) and ``published`` (``<meta property="article:published_time">``,
    else the first visible ``<time datetime>`` in an ``article`` or ``main``, else the first
    visible one: a date in a dropped ``nav``, ``aside`` or ``footer`` is another story's).
    """
    reader = _Reader(raw)
    reader.feed(reader.fed)
    reader.close()
    tokens = _tiled(reader.tokens, len(raw))
    # Hidden markup reaches from a tag's start to the next token: merge it with the tag.
    merged: list[_Token] = []
    for t in tokens:
        last = merged[-1] if merged else None
        if last and t.kind == "drop" and last.kind in ("break", "drop") and last.end == t.start:
            last.end = t.end
        else:
            merged.append(t)
    changes: list[tuple[int, int, str, str]] = []
    pending: list[_Token] = []  # space and breaks since the last text
    seen_text = False
    for t in merged:
        if t.kind in ("space", "break", "drop", "soft"):
            pending.append(t)
            continue
        _flush(pending, changes, raw, separate=seen_text)
        pending = []
        seen_text = True
        if t.value != raw[t.start : t.end]:
            changes.append((t.start, t.end, t.value, t.rule))
    _flush(pending, changes, raw, separate=False)
    meta = {}
    title = " ".join("".join(reader.title).split())
    if title:
        meta["title"] = title
    if reader.meta.get("author"):
        meta["author"] = reader.meta["author"]
    published = next(
        (
            reader.meta[k]
            for k in ("article:published_time", "article-time", "time")
            if k in reader.meta
        ),
        None,
    )
    if published:
        meta["published"] = published
    return changes, meta


def _flush(
    pending: list[_Token], changes: list[tuple[int, int, str, str]], raw: str, *, separate: bool
) -> None:
    """Turn the markup and white space between two texts into deletions and one separator."""
    if not pending:
        return
    breaks = [t for t in pending if t.kind == "break"]
    spaces = [t for t in pending if t.kind == "space"]
    separator, carrier = "", None  # the separator is written where it comes from
    if separate and breaks:
        carrier = max(breaks, key=lambda t: len(t.value))
        separator = carrier.value
        if separator == "\n" and len(breaks) > 1:  # <br><br>: a new paragraph
            separator = "\n\n"
        elif separator == " " and spaces:
            carrier = spaces[0]
    elif separate and spaces:
        separator, carrier = " ", spaces[0]
    for t in pending:
        replacement = separator if t is carrier else ""
        if raw[t.start : t.end] != replacement:
            rule = {"space": "html-space", "soft": t.rule}.get(t.kind, "html-markup")
            changes.append((t.start, t.end, replacement, rule))
