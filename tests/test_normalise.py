from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.errors import SourceError
from kg.normalise import decode, normalise_bytes, normalise_text

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
