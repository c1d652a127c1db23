from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.errors import SourceError
from kg.normalise import decode, normalise_bytes, normalise_text
from kg.sources import load_sources

SEEDS = Path(__file__).resolve().parents[1] / "data" / "sources"
LOSSY = SEEDS / "002_1da6147a5e7dcde4.txt"


def test_lossy_mojibake_in_seed_002_is_repaired():
    n = normalise_bytes(LOSSY.read_bytes())
    assert "â" not in n.text
    assert "America’s borrowing habit" in n.text
    assert "Treasuries—hundreds of billions at a time—quietly" in n.text
    assert "supply chains “home.”" in n.text
    assert "papers—“unacceptable dependence.”" in n.text
    assert "• Cut exposure to U.S. bonds" in n.text
    assert n.text.count("“") == n.text.count("”")


def test_lossy_repair_is_one_for_one_so_offsets_map_exactly():
    n = normalise_bytes(LOSSY.read_bytes())
    assert len(n.text) == len(n.raw)
    for e in n.edits:
        assert n.raw[e.raw_start : e.raw_end] == "â"
        assert n.to_raw(e.norm_start) == e.raw_start


def test_clean_seeds_are_untouched():
    for path in SEEDS.glob("00[0134]_*.txt"):
        n = normalise_bytes(path.read_bytes())
        assert n.text == n.raw and n.edits == ()


def test_recoverable_mojibake_is_decoded_and_offsets_map_back():
    raw = "Japan’s “sell-off” started."
    import ftfy.bad_codecs  # noqa: F401 - registers sloppy-windows-1252, as browsers decode

    broken = raw.encode("utf-8").decode("sloppy-windows-1252")
    n = normalise_text("Intro: " + broken)
    assert n.text == "Intro: " + raw
    start = n.text.index("started")
    assert n.raw[n.to_raw(start) : n.to_raw(start + 7)] == "started"
    assert n.to_normalised(n.to_raw(start)) == start


def test_real_accented_words_are_left_alone():
    assert normalise_text("A pâte at the Château.").text == "A pâte at the Château."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01binary\x00", "binary"),
        (bytes(range(1, 32)) * 20, "binary"),
    ],
)
def test_bad_bytes_are_refused_with_a_clear_message(data, message):
    with pytest.raises(SourceError, match=message):
        decode(data, path="x.txt")


def test_cp1252_bytes_are_decoded():
    text, encoding = decode("Japan’s debt".encode("cp1252"))
    assert (text, encoding) == ("Japan’s debt", "cp1252")


@given(st.text(min_size=1))
def test_offset_maps_are_monotonic_and_total(text):
    n = normalise_text(text)
    previous = 0
    for i in range(len(n.text) + 1):
        raw = n.to_raw(i)
        assert 0 <= raw <= len(n.raw)
        assert raw >= previous
        previous = raw


HTML = Path(__file__).parent / "data" / "articles" / "yen-tariffs-wire.html"


def rebuild(n) -> str:
    """The normalised text made again from the raw text and the edits alone."""
    out, pos = [], 0
    for e in sorted(n.edits, key=lambda e: (e.raw_start, e.raw_end)):
        assert pos <= e.raw_start and n.text[e.norm_start : e.norm_end] == e.replacement
        out += [n.raw[pos : e.raw_start], e.replacement]
        pos = e.raw_end
    return "".join([*out, n.raw[pos:]])


def visible(fragment: str) -> str:
    return normalise_text(fragment, html=True).text


def test_html_is_read_as_its_visible_text():
    n = normalise_bytes(HTML.read_bytes())
    assert n.media_type == "text/html"
    assert n.text.startswith("Yen slides as tariff fears grow\n\nBy Mariko Tanaka")
    assert "U.S. tariffs would hurt Japan’s exporters.\n\n“Higher tariffs could" in n.text
    assert "said Kazuo Ueda, the bank’s governor." in n.text
    assert "Toyota & Honda" in n.text and n.text.endswith("fell 1.8%\nin early trade.")
    for hidden in ("<", "&", "dataLayer", "Home", "Subscribe", "rights reserved", "margin"):
        assert hidden not in n.text.replace("Toyota & Honda", "")
    assert rebuild(n) == n.text


def test_html_quotes_map_back_to_the_bytes_of_their_markup():
    data = HTML.read_bytes()
    n = normalise_bytes(data)
    for quote, markup in [
        ("Japan’s exporters", "Japan&rsquo;s exporters"),
        ("“Higher tariffs could force", "&ldquo;Higher tariffs could force"),
        ("Kazuo Ueda, the bank’s governor.", "Kazuo Ueda</a>, the bank&#8217;s governor."),
        ("feared that U.S. tariffs", "feared that\n       U.S. tariffs"),
    ]:
        start = n.text.index(quote)
        raw_start, raw_end = n.raw_span(start, start + len(quote))
        found = data[n.byte_offset(raw_start) : n.byte_offset(raw_end)].decode("utf-8")
        assert found == markup and visible(found) == quote
        assert n.to_normalised(raw_start) == start


def test_every_visible_character_maps_to_the_markup_that_renders_it():
    n = normalise_bytes(HTML.read_bytes())
    for i, char in enumerate(n.text):
        if not char.isspace():
            start, end = n.raw_span(i, i + 1)
            assert visible(n.raw[start:end]) == char, (i, n.raw[start:end])


def test_mojibake_inside_html_is_repaired_over_the_markup_edits():
    raw = "<!DOCTYPE html><p>Japanâ€™s &ldquo;sell-offâ€\x9d</p>"
    n = normalise_text(raw, html=True)
    assert n.text == "Japan’s “sell-off”"
    assert rebuild(n) == n.text


def test_text_that_is_not_an_html_document_is_left_as_it_is():
    raw = "Tariffs <p> and &amp; stay as written in a plain-text article."
    assert normalise_bytes(raw.encode()).text == raw


@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<em>",
                "</em>",
                " ",
                "\n  ",
                "&amp;",
                "&rsquo;",
                "&#8217;",
                "&bogus;",
                "yen",
                "fell",
                "<br>",
                "<br/>",
                "<script>a<b</script>",
                "<!-- ad -->",
                "é",
                "<nav>",
                "</nav>",
                "<li>",
                "<pre>a  b</pre>",
                "<",
                "&",
                "<td>",
                "<a href='x>y'>",
                "S&P-500",
                "&#",
                "&lt-b",
                "&shy;",
                "\xad",
                "\xa0",
                "&nbsp;",
                "&#13;",
                "<p hidden>",
                "<div hidden>",
                "<div>",
                "</div>",
                "<head>",
                "<title>",
                "</title>",
                "<svg>",
                "</svg>",
            ]
        ),
        max_size=30,
    )
)
def test_html_offsets_are_exact_for_any_markup(pieces):
    raw = "<!DOCTYPE html>" + "".join(pieces)
    n = normalise_text(raw, html=True)
    assert rebuild(n) == n.text
    previous = 0
    for i in range(len(n.text)):
        start, end = n.raw_span(i, i + 1)
        assert previous <= start < end <= len(raw)
        previous = start
        if not n.text[i].isspace():
            assert visible("<!DOCTYPE html>" + n.raw[start:end]) == n.text[i]


MIXED = (
    "Japan’s finance minister, Katō Katsunobu, called the tariffs “deeply regrettable”.\n".encode()
    + "A trader in Zürich said the yen’s fall was “no surprise”.\r\n".encode("cp1252")
    + "Ishiba said Tōkyō would respond “calmly”.\n".encode()
)


def test_a_utf8_article_with_a_cp1252_paragraph_is_decoded_line_by_line():
    n = normalise_bytes(MIXED)
    assert n.encoding == "utf-8+cp1252"
    assert n.text == (
        "Japan’s finance minister, Katō Katsunobu, called the tariffs “deeply regrettable”.\n"
        "A trader in Zürich said the yen’s fall was “no surprise”.\r\n"
        "Ishiba said Tōkyō would respond “calmly”.\n"
    )
    for word, encoding in [("Katō", "utf-8"), ("Zürich", "cp1252"), ("Tōkyō", "utf-8")]:
        start = n.raw.index(word)
        at = n.byte_offset(start)
        assert MIXED[at : n.byte_offset(start + len(word))].decode(encoding) == word


def test_a_line_that_is_neither_utf8_nor_cp1252_is_named_with_its_byte():
    bad = MIXED + b"A last line with a stray byte: \x81 and " + "“quotes”.\n".encode()
    at = bad.index(b"\x81")
    with pytest.raises(SourceError) as caught:
        normalise_bytes(bad, path="wire.txt")
    assert str(caught.value) == f"wire.txt:4: byte {at} (0x81) is neither UTF-8 nor cp1252 text"


def test_the_seed_texts_and_their_edits_are_unchanged():
    import hashlib

    expected = {  # sha256 of each seed's normalised text, and its number of edits
        "000_4c22c95cf8552d28": (
            "e427f8a2e05e241b1611bc76aa6aaab3fe85fe0814e53e43698fb6395f5516ba",
            0,
        ),
        "001_1dee60d1331b1bec": (
            "2e2530bc26e9c0acf39735874507122da061400e6754415cc4de4b5468c89d9a",
            0,
        ),
        "002_1da6147a5e7dcde4": (
            "eb51121508100000f99ca26f49b141393c9bfccc3617e8a4e3e64217cc5b7a35",
            61,
        ),
        "003_20dda156d22ef2f6": (
            "58ff58950ba3a7161e60aa2ad63c90c59ca589c489b47db4cce3d69f88499553",
            0,
        ),
        "004_705212384a123df3": (
            "6b4a39e1f88a38dfd210fd9eba146753ddf55e72b700c75d54ec3bae9bdcca22",
            0,
        ),
    }
    assert [d.id for d in load_sources(SEEDS)] == list(expected)  # ids: from the same bytes
    for sid, (digest, edits) in expected.items():
        n = normalise_bytes((SEEDS / f"{sid}.txt").read_bytes())
        assert (hashlib.sha256(n.text.encode()).hexdigest(), len(n.edits)) == (digest, edits)
        assert (n.encoding, n.media_type) == ("utf-8", "text/plain")


def test_a_line_mixing_utf8_and_cp1252_is_decoded_piece_by_piece():
    data = "The minister said the tariffs caused a “shock” to the ".encode() + b"caf\xe9 trade.\n"
    n = normalise_bytes(data)
    assert n.text == "The minister said the tariffs caused a “shock” to the café trade.\n"
    assert n.encoding == "utf-8+cp1252"
    for word, encoding in [("“shock”", "utf-8"), ("café", "cp1252"), ("trade", "ascii")]:
        start, end = n.raw.index(word), n.raw.index(word) + len(word)
        assert data[n.byte_offset(start) : n.byte_offset(end)].decode(encoding) == word


def test_the_undecodable_byte_is_named_not_a_byte_of_valid_utf8_next_to_it():
    data = "A “shock” to the ".encode() + b"caf\xe9 trade, and a stray \x81 byte.\n"
    with pytest.raises(SourceError) as caught:
        normalise_bytes(data, path="wire.txt")
    at = data.index(b"\x81")
    assert str(caught.value) == f"wire.txt:1: byte {at} (0x81) is neither UTF-8 nor cp1252 text"


@pytest.mark.parametrize("newline", [b"\r", b"\n", b"\r\n"])
def test_the_line_of_an_undecodable_byte_counts_cr_lf_and_crlf_line_ends(newline):
    lines = [b"Line one is fine.", b"Line two is cp1252: Japan\x92s yen.", b"A bad \x81 byte."]
    with pytest.raises(SourceError, match=r"^wire\.txt:3: byte \d+ \(0x81\)"):
        normalise_bytes(newline.join(lines) + newline, path="wire.txt")


def test_a_cp1252_file_is_recorded_as_cp1252_even_with_ascii_only_lines():
    data = "Japan’s minister said the tariffs caused a fall.\nThe yen fell.\n".encode("cp1252")
    n = normalise_bytes(data)
    assert (n.text, n.encoding) == (data.decode("cp1252"), "cp1252")
