"""The visible text of an HTML article, as exact edits of its markup, and its metadata.

The standard library's `html.parser` reads the raw (decoded) text; every event it reports
starts at a known offset (`HTMLParser.getpos`), so the text can be cut into tokens that tile
it: visible text, character references, collapsible white space, block boundaries and hidden
markup. Each token that does not read as itself becomes one change ``(raw_start, raw_end,
replacement, rule)``, the same shape as the other repairs of `kg.normalise`, so the offset map
back to the raw text stays exact:

- ``html-markup``: tags, comments, declarations, and everything inside ``head``, ``script``,
  ``style``, ``nav``, ``aside``, ``footer``, ``form`` and other non-article elements, deleted;
  a block element's tags become a paragraph break (``\\n\\n``), ``<br>`` a line break;
- ``html-reference``: ``&rsquo;`` and ``&#8217;`` become ``’``;
- ``html-space``: a run of white space becomes one space (or the break it stands for).

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
from html.parser import HTMLParser

__all__ = ["looks_like_html", "parse_html"]

# Elements whose content is not article text
HIDDEN = frozenset(
    [
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "nav",
        "aside",
        "footer",
        "form",
        "iframe",
        "object",
        "button",
        "select",
        "textarea",
        "dialog",
    ]
)
# Elements that start a new paragraph
BLOCKS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "body",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "caption",
        "nav",
        "aside",
        "footer",
        "form",
    ]
)
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
_SPACE = re.compile(r"[ \t\n\r\f]+")
_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_HTML_START = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S
)


def looks_like_html(raw: str) -> bool:
    """Whether a text is an HTML document: it opens with ``<!DOCTYPE html>`` or ``<html>``."""
    return bool(_HTML_START.match(raw))


@dataclass
class _Token:
    start: int
    end: int
    kind: str  # text, space, break, drop
    value: str = ""  # text: what it reads as; break: "\n" or "\n\n"


class _Reader(HTMLParser):
    """Collects tokens and metadata; offsets are into the raw text fed in one piece."""

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", raw))]
        self.tokens: list[_Token] = []
        self.hidden: list[str] = []  # open hidden elements
        self.pre = 0
        self.meta: dict[str, str] = {}
        self.in_title = False
        self.title: list[str] = []

    def here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _add(self, kind: str, end: int | None = None, value: str = "") -> None:
        start = self.here()
        self.tokens.append(_Token(start, start if end is None else end, kind, value))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, closes=tag in VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, closes=True)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], closes: bool) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = (values.get("name") or values.get("property") or "").lower()
            if key in ("author", "article:published_time") and values.get("content"):
                self.meta.setdefault(key, values["content"].strip())
        elif tag == "time" and values.get("datetime"):
            self.meta.setdefault("time", values["datetime"].strip())
        elif tag == "title":
            self.in_title = not closes
        hide = not closes and (tag in HIDDEN or "hidden" in values)
        self._boundary(tag)
        if hide:
            self.hidden.append(tag)
        elif tag == "pre" and not closes and not self.hidden:
            self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.hidden and tag in self.hidden:
            while self.hidden.pop() != tag:
                pass
        elif tag == "pre" and self.pre and not self.hidden:
            self.pre -= 1
        self._boundary(tag)

    def _boundary(self, tag: str) -> None:
        if self.hidden or tag not in BLOCKS | {"br", "td", "th"}:
            self._add("drop")
        else:
            self._add("break", value={"br": "\n", "td": " ", "th": " "}.get(tag, "\n\n"))

    def handle_data(self, data: str) -> None:
        start = self.here()
        if not self.raw.startswith(data, start):  # not seen in Python 3.11-3.13; never guess
            return  # the gap it leaves is hidden markup: exact, if not visible
        if self.in_title:
            self.title.append(data)
        if self.hidden:
            self.tokens.append(_Token(start, start + len(data), "drop"))
            return
        pos = start
        for part in [data] if self.pre else re.split(r"([ \t\n\r\f]+)", data):
            if part:
                kind = "space" if _SPACE.fullmatch(part) else "text"
                self.tokens.append(_Token(pos, pos + len(part), kind, part))
                pos += len(part)

    def _reference(self) -> None:
        start = self.here()
        m = _REFERENCE.match(self.raw, start)
        end = m.end() if m else start
        text = html.unescape(self.raw[start:end]).replace("\xa0", " ")
        if self.in_title:
            self.title.append(text)
        self.tokens.append(_Token(start, end, "drop" if self.hidden else "text", text))

    def handle_entityref(self, name: str) -> None:
        self._reference()

    def handle_charref(self, name: str) -> None:
        self._reference()

    def handle_comment(self, data: str) -> None:
        self._add("drop")

    def handle_decl(self, decl: str) -> None:
        self._add("drop")

    def handle_pi(self, data: str) -> None:
        self._add("drop")

    def unknown_decl(self, data: str) -> None:
        self._add("drop")


def _tiled(tokens: list[_Token], size: int) -> list[_Token]:
    """The tokens with every gap between them (the rest of a tag) filled as hidden markup."""
    out, pos = [], 0
    for t in sorted(tokens, key=lambda t: t.start):
        if t.start < pos:  # inside what an earlier token covers: never seen, never overlap
            continue
        if t.start > pos:
            out.append(_Token(pos, t.start, "drop"))
        if t.kind in ("text", "space"):
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

    Metadata keys: ``title``, ``author`` (``<meta name="author">``) and ``published``
    (``<meta property="article:published_time">``, else the first ``<time datetime>``).
    """
    reader = _Reader(raw)
    reader.feed(raw)
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
        if t.kind in ("space", "break", "drop"):
            pending.append(t)
            continue
        _flush(pending, changes, raw, separate=seen_text)
        pending = []
        seen_text = True
        if t.value != raw[t.start : t.end]:
            changes.append((t.start, t.end, t.value, "html-reference"))
    _flush(pending, changes, raw, separate=False)
    meta = {}
    title = " ".join("".join(reader.title).split())
    if title:
        meta["title"] = title
    if reader.meta.get("author"):
        meta["author"] = reader.meta["author"]
    published = reader.meta.get("article:published_time") or reader.meta.get("time")
    if published:
        meta["published"] = published
    return changes, meta


def _flush(
    pending: list[_Token], changes: list[tuple[int, int, str, str]], raw: str, *, separate: bool
) -> None:
    """Turn the markup and white space between two texts into deletions and one separator."""
    if not pending:
        return
    breaks = [t.value for t in pending if t.kind == "break"]
    spaces = [t for t in pending if t.kind == "space"]
    separator = ""
    if separate:
        separator = max(breaks, key=len) if breaks else " " if spaces else ""
    # The separator is written where it comes from: a space, else the break that makes it.
    carrier = None
    if separator == " " and spaces:
        carrier = spaces[0]
    elif separator:
        carrier = next(t for t in pending if t.kind == "break" and t.value == separator)
    for t in pending:
        replacement = separator if t is carrier else ""
        if raw[t.start : t.end] != replacement:
            rule = "html-space" if t.kind == "space" else "html-markup"
            changes.append((t.start, t.end, replacement, rule))
