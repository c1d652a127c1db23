"""Which elements of an HTML page are open at each tag: the HTML5 implied-end rules kg needs.

`html.parser` reports tags as written; a browser also ends elements that the markup leaves
open (``</head>``, ``</p>``, ``</li>`` are optional) and ignores end tags that match nothing.
What is visible depends on it: ``<p hidden>`` ends at the next ``<p>``, ``<head>`` at the
first element that belongs in the body, and ``<div hidden><div>x</div>secret</div>`` hides
``secret`` because the first ``</div>`` ends the inner ``div``. `OpenElements` keeps the
stack of open elements as a browser builds it, for the rules that decide visibility:

- void elements (``<br>``, ``<img>``) never open; ``<div/>`` opens a ``div`` (the slash only
  counts inside ``svg`` and ``math``);
- ``head`` ends at ``<body>``, at any element that does not belong in a head, at text, at
  ``</head>``, ``</body>`` and ``</html>``; a second ``<head>`` is ignored;
- ``p`` ends at a block element or ``table`` (in button scope), ``li`` at the next ``li``,
  ``dd``/``dt`` at the next of either, a heading at a heading opened in it, ``td``/``th``,
  ``tr`` and table sections at the next of their kind;
- an end tag ends the innermost open element of its name, with the elements opened inside
  it, unless a scope boundary (``table``, ``td``, ...) or, for an inline element, a block
  element comes first: then it is ignored, as in a browser;
- ``title`` and ``textarea`` hold text only; in ``svg``/``math`` a tag that only HTML has
  (``<p>``, ``<div>``, ...) ends the foreign content.

Not modelled: the adoption agency (an inline element that a block interrupts is reopened in
the block), tables' foster parenting, and ``<template>`` contents.

>>> tree = OpenElements()
>>> for tag in ["div", "div"]:
...     tree.start(tag, hidden=tag == "div" and not tree.stack)
>>> tree.end("div"); tree.hidden
True
>>> tree.end("div"); tree.hidden
False
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HIDDEN", "VOID", "Element", "OpenElements", "tags"]


def tags(names: str) -> frozenset[str]:
    """A set of tag names written as one string: ``tags("p div")``."""
    return frozenset(names.split())


# Elements whose content is not article text
HIDDEN = tags(
    "head title script style noscript template svg math nav aside footer form iframe object "
    "button select textarea dialog"
)
VOID = tags(
    "area base basefont bgsound br col embed hr img input keygen link meta param source track wbr"
)
HEADINGS = tags("h1 h2 h3 h4 h5 h6")
# Elements a head may hold: any other start tag ends the head
HEAD_CONTENT = tags("base basefont bgsound link meta noframes script style template title noscript")
# Start tags that end an open p
CLOSES_P = tags(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form header hgroup hr main menu nav ol p pre listing search section summary "
    "table ul xmp plaintext li dd dt h1 h2 h3 h4 h5 h6"
)
# HTML5 "special" elements: an end tag of an inline element is not matched across them
SPECIAL = tags(
    "address applet area article aside base basefont bgsound blockquote body br button caption "
    "center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form "
    "frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li link "
    "listing main marquee menu meta nav noembed noframes noscript object ol p param plaintext pre "
    "script search section select source style summary table tbody td template textarea tfoot th "
    "thead title tr track ul wbr xmp"
)
# Inline formatting elements: their end tag reaches across blocks (the adoption agency, roughly)
FORMATTING = tags("a b big code em font i nobr s small strike strong tt u")
SCOPE = tags("applet caption html table td th marquee object template")
TABLE_SCOPE = frozenset(["html", "table", "template"])
# HTML start tags that end svg or math content
BREAKOUT = tags(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img "
    "li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul "
    "var"
)
TEXT_ONLY = frozenset(["title", "textarea"])
_END_SCOPE = {"p": SCOPE | {"button"}, "li": SCOPE | {"ol", "ul"}} | dict.fromkeys(
    ["tr", "tbody", "thead", "tfoot"], TABLE_SCOPE
)
# Start tag -> the open elements it ends, and the elements that stop the search
_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset(["li"]), SPECIAL - {"address", "div", "p"}),
    "dd": (frozenset(["dd", "dt"]), SPECIAL - {"address", "div", "p"}),
    "dt": (frozenset(["dd", "dt"]), SPECIAL - {"address", "div", "p"}),
    "td": (frozenset(["td", "th"]), TABLE_SCOPE),
    "th": (frozenset(["td", "th"]), TABLE_SCOPE),
    "tr": (frozenset(["tr"]), TABLE_SCOPE),
    "tbody": (frozenset(["tbody", "thead", "tfoot"]), TABLE_SCOPE),
    "thead": (frozenset(["tbody", "thead", "tfoot"]), TABLE_SCOPE),
    "tfoot": (frozenset(["tbody", "thead", "tfoot"]), TABLE_SCOPE),
}


@dataclass(frozen=True, eq=False)  # two elements alike are still two elements
class Element:
    tag: str
    hidden: bool  # it, or an element it is in, is not article text
    pre: bool  # in a pre: white space is kept
    foreign: int  # in svg or math: 1 + the index of the outermost svg or math; else 0
    article: bool  # in an article or main


class OpenElements:
    """The stack of open elements, as a browser builds it (html and body are implied)."""

    def __init__(self) -> None:
        self.stack: list[Element] = []
        self.where: dict[str, list[int]] = {}  # tag -> the indices of its open elements
        self.head_seen = False  # a head was opened, or the body began: no head opens again
        self.body_started = False

    @property
    def current(self) -> Element | None:
        return self.stack[-1] if self.stack else None

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1].hidden

    @property
    def pre(self) -> bool:
        return bool(self.stack) and self.stack[-1].pre

    @property
    def foreign(self) -> bool:
        return bool(self.stack) and bool(self.stack[-1].foreign)

    @property
    def article(self) -> bool:
        return bool(self.stack) and self.stack[-1].article

    def _find(self, tags: frozenset[str], stop: frozenset[str]) -> int | None:
        """The index of the innermost open element in `tags`, unless one in `stop` comes first.

        Looked up by tag, not by walking the stack: a page nested 100,000 deep stays linear.
        """
        i = max((self.where[t][-1] for t in tags if t in self.where), default=-1)
        if i < 0:
            return None
        after = (n[-1] for t, n in self.where.items() if t in stop and t not in tags)
        return i if i > max(after, default=-1) else None

    def _close(self, tags: frozenset[str], stop: frozenset[str] = SCOPE) -> None:
        i = self._find(tags, stop)
        if i is not None:
            self._pop(i)

    def _pop(self, i: int) -> None:
        """Close the element at `i` and every element opened in it."""
        for element in self.stack[i:]:
            indices = self.where[element.tag]
            indices.pop()
            if not indices:
                del self.where[element.tag]
        del self.stack[i:]

    def _close_head(self) -> None:
        self._close(frozenset(["head"]), frozenset())
        self.body_started = True

    def text(self) -> None:
        """Text that is not white space: in a head itself, it ends the head."""
        current = self.current
        if current is None or current.tag == "head":
            self._close_head()

    def start(self, tag: str, *, hidden: bool = False, self_closing: bool = False) -> None:
        """A start tag; `hidden` when it carries the ``hidden`` attribute."""
        current = self.current
        if current and current.tag in TEXT_ONLY and not current.foreign:
            return  # a browser reads it as text
        if current and current.foreign:
            if tag not in BREAKOUT:
                if not self_closing:
                    self._push(tag, hidden)
                return
            self._pop(current.foreign - 1)  # an HTML element ends the svg or math
        if tag in ("html", "body") or (tag == "head" and (self.head_seen or self.body_started)):
            if tag == "body":
                self._close_head()
            return
        if tag == "head":
            self.head_seen = True
        elif tag not in HEAD_CONTENT:
            self._close_head()
        if tag in CLOSES_P:
            self._close(frozenset(["p"]), SCOPE | {"button"})
        if tag in _ENDS:
            self._close(*_ENDS[tag])
        if tag in HEADINGS and current and current.tag in HEADINGS:
            self._close(HEADINGS)
        if tag not in VOID:
            self._push(tag, hidden)

    def _push(self, tag: str, hidden: bool) -> None:
        parent = self.current
        foreign = parent.foreign if parent and parent.foreign else 0
        self.where.setdefault(tag, []).append(len(self.stack))
        self.stack.append(
            Element(
                tag,
                hidden=hidden or tag in HIDDEN or bool(parent and parent.hidden),
                pre=tag == "pre" or bool(parent and parent.pre),
                foreign=foreign or (len(self.stack) + 1 if tag in ("svg", "math") else 0),
                article=tag in ("article", "main") or bool(parent and parent.article),
            )
        )

    def end(self, tag: str) -> None:
        """An end tag: ends what it ends in a browser, or nothing."""
        current = self.current
        if current and current.tag in TEXT_ONLY and not current.foreign:
            if tag == current.tag:
                self._pop(len(self.stack) - 1)
            return
        if current and current.foreign and tag in self.where:  # in svg or math: its own first
            i = self.where[tag][-1]
            if i >= current.foreign - 1:
                self._pop(i)
                return
        if tag in ("head", "body", "html", "br"):
            if self._find(frozenset(["head"]), frozenset()) is not None:
                self._close_head()
            return  # a body and html are never closed: what follows is still in them
        if tag in HEADINGS:
            self._close(HEADINGS)
        elif tag in SPECIAL:
            self._close(frozenset([tag]), _END_SCOPE.get(tag, SCOPE))
        elif tag in FORMATTING:
            self._close(frozenset([tag]), SCOPE)
        else:
            self._close(frozenset([tag]), SPECIAL)
