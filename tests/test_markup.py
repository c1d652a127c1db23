"""kg.markup and kg.htmltree: an HTML page's visible text and metadata, as a browser shows it."""

from __future__ import annotations

import pytest

from kg.markup import parse_html
from kg.normalise import normalise_text

PAGE = "<!DOCTYPE html>\n<html>"


def visible(fragment: str) -> str:
    n = normalise_text(PAGE + fragment, html=True)
    for e in n.edits:  # every edit replaces its own raw span
        assert n.text[e.norm_start : e.norm_end] == e.replacement
    return n.text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>The S&P-500 fell 3%.</p>", "The S&P-500 fell 3%."),
        ("<p>M&A-related deals slowed.</p>", "M&A-related deals slowed."),
        ("<p>Visit AT&T.com for more. See our Q&A.</p>", "Visit AT&T.com for more. See our Q&A."),
        ("<p>Yields &lt-b and &gt5%, Toyota &amp Honda</p>", "Yields <-b and >5%, Toyota & Honda"),
        ("<p>Tariffs &amp;&#32;the &notit; yen</p>", "Tariffs & the ¬it; yen"),
        ("<p>Issue &#65a and &#x42;</p>", "Issue Aa and B"),
    ],
)
def test_a_reference_is_read_as_a_browser_reads_it(markup, text):
    assert visible(markup) == text


def test_a_lone_numeric_ampersand_does_not_turn_the_rest_of_the_page_into_text():
    page = (
        "<body>\n<p>Issue &# 3 was bad.</p>\n<script>track()</script>\n<footer>Copyright</footer>"
    )
    assert visible(page) == "Issue &# 3 was bad."
    assert (
        visible("<p>Issue &#x and &#; stay.</p><script>x()</script>") == "Issue &#x and &#; stay."
    )


@pytest.mark.parametrize(
    "markup",
    [
        # </head> is optional: the body's first element, text or <body> ends the head
        "<head><meta charset='utf-8'><title>Yen</title>\n<body><p>Japan said so.</p></body>",
        "<head><title>Yen</title><p>Japan said so.",
        "<head><title>Yen</title>Japan said so.",
        "<head><title>Yen</title></head><head><p>Japan said so.",
        # a hidden element ends where a browser ends it
        "<body>\n<p hidden>Subscribe now\n<p>Japan said so.</p>",
        "<ul><li hidden>Advertisement<li>Japan said so.</ul>",
        "<dl><dt hidden>Sponsored<dd>Japan said so.</dl>",
        "<table><tr><td hidden>Ad<td>Japan said so.</table>",
        "<h2 hidden>Ad<h3>Japan said so.</h3>",
        # ... and not at the end tag of an element inside it
        "<div hidden><div>x</div>The secret plan.</div><p>Japan said so.</p>",
        "<div hidden><p>x<div>y</div>The secret plan.</div><p>Japan said so.</p>",
        "<div hidden><b>x<p>y</div><p>Japan said so.</p>",
        # title is never text, head or not; svg holds no article text, unless HTML ends it
        "<title>Japan weighs its Treasuries</title>\n<p>Japan said so.</p>",
        "<p>Japan <svg><title>icon</title><text>secret</text></svg>said so.</p>",
        "<svg><title>icon</title><p>Japan said so.</p>",
        "<div/><p hidden/>Secret<p>Japan said so.",
    ],
)
def test_elements_end_where_a_browser_ends_them(markup):
    assert visible(markup) == "Japan said so."


def test_a_page_of_markup_only_has_no_visible_text():
    assert visible("<head><title>T</title></head><body><script>var a=1;</script></body>") == ""


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<div>Japan fell<br><br>The ministry</div>", "Japan fell\n\nThe ministry"),
        ("<div>Japan fell<br>\n <br/>The ministry</div>", "Japan fell\n\nThe ministry"),
        ("<div>Japan fell<br>The ministry</div>", "Japan fell\nThe ministry"),
        (
            "<p>10&nbsp;per cent, 10\xa0per cent, 10&#160; per cent</p>",
            "10 per cent, " * 2 + "10 per cent",
        ),
        ("<p>Japan&#13;said&NewLine;so&Tab;</p>", "Japan said so"),
        ("<p>inter&shy;national, inter\xadnational</p>", "international, international"),
        ("<pre>a\xa0 b&nbsp;c</pre>", "a  b c"),
    ],
)
def test_breaks_spaces_and_soft_hyphens_read_as_a_browser_shows_them(markup, text):
    assert visible(markup) == text


def test_a_soft_hyphen_is_deleted_as_an_edit_with_its_raw_span():
    raw = PAGE + "<p>inter&shy;national</p>"
    n = normalise_text(raw, html=True)
    [edit] = [e for e in n.edits if e.raw_start == raw.index("&shy;")]
    assert (edit.raw_end - edit.raw_start, edit.replacement, edit.rule) == (5, "", "html-reference")
    assert n.raw_span(0, len("international")) == (raw.index("inter"), raw.index("</p>"))


@pytest.mark.parametrize(
    ("markup", "meta"),
    [
        (
            "<head><title>Japan weighs its Treasuries</title></head><body><a href='/'>"
            "<svg><title>Home icon</title></svg></a><p>Japan said so.</p>",
            {"title": "Japan weighs its Treasuries"},
        ),
        ("<svg><title>Home icon</title></svg><title>Yen</title>", {"title": "Yen"}),
        (
            "<title>Yen &amp; tariffs</title><p>Japan.<title>Other</title>",
            {"title": "Yen & tariffs"},
        ),
        (
            "<body><nav><a href='/old'>Old story <time datetime='2019-01-01'>2019</time></a></nav>"
            "<article><time datetime='2025-04-12'>12 April</time><p>Japan said so.</p></article>",
            {"published": "2025-04-12"},
        ),
        (
            "<body><header><time datetime='2025-04-01'>1 April</time></header>"
            "<main><p>Japan said so, <time datetime='2025-04-12'>12 April</time></p></main>",
            {"published": "2025-04-12"},
        ),
        (
            "<body><footer><time datetime='2019-01-01'>2019</time></footer>"
            "<p>Japan said so. <time datetime='2025-04-12'>12 April</time></p>",
            {"published": "2025-04-12"},
        ),
        ("<aside><time datetime='2019-01-01'>2019</time></aside><p>Japan said so.</p>", {}),
    ],
)
def test_metadata_comes_from_the_document_not_from_icons_or_other_stories(markup, meta):
    assert parse_html(PAGE + markup)[1] == meta
