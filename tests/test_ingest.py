"""kg ingest: content-hash ids, no silent overwrite, clear errors for bad input."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import KgError, SourceError
from kg.ingest import ingest
from kg.sources import load_sources

ARTICLE = Path(__file__).parent / "data" / "articles" / "yen-tariffs.txt"


def test_ingest_stores_bytes_hash_and_sidecar_and_is_idempotent(tmp_path):
    report = ingest([ARTICLE], tmp_path)
    [sid] = report.added
    assert sid.startswith("yen-tariffs-") and len(sid) == len("yen-tariffs-") + 8
    [doc] = load_sources(tmp_path / "sources")  # checks hash and size like the seeds
    assert doc.data == ARTICLE.read_bytes()
    assert doc.meta.published.precision.value == "unknown"
    before = sorted(p.read_bytes() for p in (tmp_path / "sources").iterdir())
    again = ingest([ARTICLE], tmp_path)
    assert again.added == [] and again.unchanged == [sid]
    assert sorted(p.read_bytes() for p in (tmp_path / "sources").iterdir()) == before


def test_changed_article_is_a_new_version_not_an_overwrite(tmp_path):
    ingest([ARTICLE], tmp_path)
    changed = tmp_path / "in" / ARTICLE.name
    changed.parent.mkdir()
    changed.write_bytes(ARTICLE.read_bytes().replace(b"1.8%", b"2.1%"))
    report = ingest([changed], tmp_path)
    [(new, old)] = report.versions
    assert new != old
    docs = {d.id: d for d in load_sources(tmp_path / "sources")}
    assert set(docs) == {new, old}
    assert any(old in note for note in docs[new].meta.notes)


def test_a_name_is_one_name_however_its_accents_are_composed(tmp_path):
    """macOS gives "é" as e + U+0301: the sidecar kept whichever form came, and a later version
    under the composed name was not seen as a version."""
    decomposed, composed = tmp_path / "a" / "Cafe\u0301 news.txt", tmp_path / "b" / "Café news.txt"
    for path, text in ((decomposed, b"1.8%"), (composed, b"2.1%")):
        path.parent.mkdir()
        path.write_bytes(ARTICLE.read_bytes().replace(b"1.8%", text))
    [first] = ingest([decomposed], tmp_path / "d").added
    [(second, previous)] = ingest([composed], tmp_path / "d").versions
    assert previous == first
    names = {d.id: d.meta.original_filename for d in load_sources(tmp_path / "d" / "sources")}
    assert names == {first: "Café news.txt", second: "Café news.txt"}
    assert names[first] == composed.name  # the composed form, byte for byte


def test_jsonl_metadata_and_date_precision(tmp_path):
    feed = tmp_path / "feed.jsonl"
    text = ARTICLE.read_text(encoding="utf-8")
    lines = [{"id": "a-1", "text": text, "published": "2025-04", "outlet": "Wire", "x": 1}]
    feed.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    ingest([feed], tmp_path / "data")
    [doc] = load_sources(tmp_path / "data" / "sources")
    assert (doc.meta.published.value, doc.meta.published.precision.value) == ("2025-04", "month")
    assert doc.meta.outlet == "Wire" and doc.meta.original_filename == "a-1"
    assert "x" in doc.meta.notes[0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"url": "not a url"}, "url: 'not a url' is not an absolute http(s) URL"),
        ({"url": "https://example.org/a b"}, "is not an absolute http(s) URL"),
        ({"author": ["A", "B"]}, '"author" must be a string or null'),
        ({"id": True}, 'expected a non-empty "id"'),
        ({"text": "Tariffs hit the yen \ud800 hard, the minister said on Monday."}, "surrogate"),
    ],
)
def test_jsonl_fields_that_would_break_the_graph_are_refused(tmp_path, fields, message):
    feed = tmp_path / "feed.jsonl"
    line = {"id": "a-1", "text": ARTICLE.read_text(encoding="utf-8"), **fields}
    feed.write_text(json.dumps(line), encoding="utf-8")
    with pytest.raises(SourceError, match=re.escape(message)) as caught:
        ingest([feed], tmp_path / "data")
    assert str(caught.value).startswith(f"{feed}:1: ")
    assert not (tmp_path / "data" / "sources").exists()


@pytest.mark.parametrize("published", ["2025-02-30", "2025-13", "2025-00-10"])
def test_an_impossible_publication_date_is_refused(tmp_path, published):
    feed = tmp_path / "feed.jsonl"
    line = {"id": "a-1", "text": ARTICLE.read_text(encoding="utf-8"), "published": published}
    feed.write_text(json.dumps(line), encoding="utf-8")
    with pytest.raises(SourceError, match=f"published: '{published}' is not a date"):
        ingest([feed], tmp_path / "data")
    assert not (tmp_path / "data" / "sources").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"   \n", "empty source"),
        (
            b"<!DOCTYPE html>\n<html><head><title>T</title></head><body><script>var a=1;</script>"
            b"<div hidden>Subscribe</div></body></html>",
            "empty source: no visible text",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "binary file"),
        (
            b"Der Zoll trifft die japanische Wirtschaft hart, sagte der Minister am Montag in "
            b"Berlin vor Journalisten.",
            "not English",
        ),
        (
            "円安が進み、輸出企業の株価が上昇した。政府は為替市場を注視している。".encode(),
            "not English",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(tmp_path, content, message):
    bad = tmp_path / ("bad.html" if content.startswith(b"<!DOCTYPE") else "bad.txt")
    bad.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        ingest([ARTICLE, bad], tmp_path / "data")
    assert not (tmp_path / "data" / "sources").exists()


def test_a_50_mb_file_is_refused_without_reading_it_and_skip_invalid_goes_on(tmp_path):
    big = tmp_path / "in" / "big.txt"
    big.parent.mkdir()
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    shutil.copy(ARTICLE, tmp_path / "in" / ARTICLE.name)
    result = CliRunner().invoke(cli, ["ingest", "--data", str(tmp_path / "d"), str(big)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {big}: source is 52,428,800 bytes; the limit is 20,971,520 (split it first)"
    ]
    report = ingest([big.parent], tmp_path / "d", skip_invalid=True)
    assert len(report.added) == 1 and "52,428,800 bytes" in report.skipped[0]


def test_a_folder_is_ingested_without_its_hidden_folders(tmp_path):
    folder = tmp_path / "articles"
    (folder / ".git" / "objects").mkdir(parents=True)
    (folder / ".git" / "objects" / "note.txt").write_bytes(ARTICLE.read_bytes() + b"\nv2\n")
    (folder / "desk").mkdir()
    (folder / "desk" / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    report = ingest([folder], tmp_path / "data")
    assert [sid.rsplit("-", 1)[0] for sid in report.added] == ["yen-tariffs"]


def test_a_device_or_fifo_is_refused_without_reading_it(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block forever; /dev/zero would never end
    for path in (Path("/dev/zero"), fifo):
        with pytest.raises(SourceError, match="not a regular file"):
            ingest([ARTICLE, path], tmp_path / "data")
    assert not (tmp_path / "data" / "sources").exists()


def test_a_folder_gives_its_articles_and_names_what_is_not_one(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.TXT").write_bytes(ARTICLE.read_bytes())
    feed = {"id": "wire-1", "text": ARTICLE.read_text(encoding="utf-8") + " More."}
    (folder / "feed.NDJSON").write_text(json.dumps(feed), encoding="utf-8")
    (folder / "claims.yaml").write_text("source: x\nclaims: []\n")
    with pytest.raises(SourceError, match=r"claims\.yaml: not an article file"):
        ingest([folder], tmp_path / "data")
    assert not (tmp_path / "data").exists()
    report = ingest([folder], tmp_path / "data", skip_invalid=True)
    assert sorted(sid.rsplit("-", 1)[0] for sid in report.added) == ["story", "wire-1"]
    assert len(report.skipped) == 1


def test_same_file_names_in_two_folders_are_two_articles(tmp_path):
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "article.txt").write_bytes(ARTICLE.read_bytes())
    (folder / "b" / "article.txt").write_bytes(ARTICLE.read_bytes() + b"\nA second desk's copy.\n")
    report = ingest([folder], tmp_path / "data")
    assert len(report.added) == 2 and report.versions == []
    names = sorted(d.meta.original_filename for d in load_sources(tmp_path / "data" / "sources"))
    assert names == ["a/article.txt", "b/article.txt"]
    (folder / "a" / "article.txt").write_bytes(ARTICLE.read_bytes() + b"\nUpdated.\n")
    again = ingest([folder], tmp_path / "data")
    assert [old for _, old in again.versions] == [report.added[0]]


def test_metadata_is_checked_even_when_the_text_is_stored_already(tmp_path):
    ingest([ARTICLE], tmp_path / "data")
    feed = tmp_path / "feed.jsonl"
    line = {"id": "a-1", "text": ARTICLE.read_text(encoding="utf-8"), "url": "javascript:x"}
    feed.write_text(json.dumps(line), encoding="utf-8")
    with pytest.raises(SourceError, match="not an absolute http"):
        ingest([feed], tmp_path / "data")


def test_a_fifo_in_a_folder_is_named_not_skipped(tmp_path):
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.txt").write_bytes(ARTICLE.read_bytes())
    os.mkfifo(folder / "zz.txt")
    with pytest.raises(SourceError, match=r"zz\.txt: not a regular file"):
        ingest([folder], tmp_path / "data")


def test_metadata_given_with_stored_text_is_reported_not_applied(tmp_path):
    data = tmp_path / "data"
    [sid] = ingest([ARTICLE], data).added
    sidecar = data / "sources" / f"{sid}.meta.yaml"
    before = sidecar.read_bytes()
    feed = tmp_path / "feed.jsonl"
    text = ARTICLE.read_text(encoding="utf-8")
    wire = {"id": "wire-7", "text": text, "title": "Yen slides on tariff fears"}
    wire |= {"url": "https://wire.example/yen", "published": "2025-04-09", "outlet": None}
    feed.write_text(json.dumps(wire) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", "--data", str(data), str(feed)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"unchanged {sid}\n0 added, 1 unchanged\n"
    assert result.stderr == (
        f"not applied: {feed}:1 has the bytes of stored {sid}, which keeps its metadata: "
        "title 'Yen slides on tariff fears' (stored: None), url 'https://wire.example/yen' "
        "(stored: None), published '2025-04-09' (stored: None); to change it, edit "
        f"{sidecar}\n"
    )
    assert sidecar.read_bytes() == before


def test_a_second_record_with_the_same_text_keeps_the_first_records_metadata(tmp_path):
    feed = tmp_path / "feed.jsonl"
    text = ARTICLE.read_text(encoding="utf-8")
    records = [
        {"id": "a", "text": text, "url": "https://a.example/yen", "title": "Yen slides"},
        {"id": "b", "text": text, "url": "https://b.example/yen", "title": "Yen slides"},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = ingest([feed], tmp_path / "data")
    [sid] = report.added
    assert report.unchanged == [sid]
    [kept] = report.not_applied
    assert (kept.source_id, kept.origin) == (sid, f"{feed}:2")
    assert kept.fields == {"url": ("https://a.example/yen", "https://b.example/yen")}
    [doc] = load_sources(tmp_path / "data" / "sources")
    assert doc.meta.url == "https://a.example/yen"


def test_stored_metadata_is_changed_by_editing_the_sidecar_and_checked_on_load(tmp_path):
    [sid] = ingest([ARTICLE], tmp_path).added
    sidecar = tmp_path / "sources" / f"{sid}.meta.yaml"
    body = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(body.replace("url: null", "url: https://wire.example/yen"), "utf-8")
    [doc] = load_sources(tmp_path / "sources")
    assert doc.meta.url == "https://wire.example/yen"
    sidecar.write_text(body.replace("url: null", "url: wire.example/yen"), "utf-8")
    line = body.splitlines().index("url: null") + 1
    with pytest.raises(KgError, match=rf"^{re.escape(str(sidecar))}:{line}: url: .*not an abs"):
        load_sources(tmp_path / "sources")


HTML = Path(__file__).parent / "data" / "articles" / "yen-tariffs-wire.html"


def test_html_is_stored_as_it_came_and_its_metadata_is_read_when_none_was_given(tmp_path):
    [sid] = ingest([HTML], tmp_path).added
    assert sid.startswith("yen-tariffs-wire-")
    [doc] = load_sources(tmp_path / "sources")
    assert doc.data == HTML.read_bytes() and doc.normalised.media_type == "text/html"
    assert doc.text.startswith("Yen slides as tariff fears grow\n\nBy Mariko Tanaka")
    meta = doc.meta
    assert meta.title == "Yen slides as tariff fears grow | Example Wire"
    assert meta.author == "Mariko Tanaka"
    assert (meta.published.value, meta.published.precision.value) == ("2025-04-09", "day")
    assert "HTML" in meta.published.evidence and "title, author" in meta.notes[-1]


def test_metadata_given_wins_over_the_htmls_own(tmp_path):
    feed = tmp_path / "feed.jsonl"
    line = {"id": "wire", "text": HTML.read_text(encoding="utf-8"), "title": "Yen slides"}
    feed.write_text(json.dumps(line | {"published": "2025-04"}), encoding="utf-8")
    ingest([feed], tmp_path / "data")
    [doc] = load_sources(tmp_path / "data" / "sources")
    assert (doc.meta.title, doc.meta.author) == ("Yen slides", "Mariko Tanaka")
    assert doc.meta.published.value == "2025-04"


def test_an_html_fragment_is_refused_rather_than_stored_as_markup(tmp_path):
    fragment = tmp_path / "yen.html"
    body = HTML.read_text(encoding="utf-8")
    fragment.write_text(body[body.index("<article>") : body.index("</article>")], "utf-8")
    with pytest.raises(SourceError, match=r"yen\.html: an HTML file must start with <!DOCTYPE"):
        ingest([fragment], tmp_path / "data")


def test_an_html_page_with_no_visible_text_is_refused_with_exit_2(tmp_path):
    page = tmp_path / "only-markup.html"
    page.write_text(
        "<!DOCTYPE html>\n<html><head><title>T</title></head><body><script>var a=1;</script>"
        "</body></html>",
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["ingest", "--data", str(tmp_path / "d"), str(page)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {page}: empty source: no visible text "
        "(the page is only markup, scripts or hidden elements)"
    )
    assert not (tmp_path / "d" / "sources").exists()
