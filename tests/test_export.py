"""`kg claims`: one record per curated claim, with the documented fields, read through SPARQL."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli
from kg.curation import load_corpus
from kg.export import claim_records

ROOT = Path(__file__).resolve().parents[1]
COMMON = {
    "id",
    "kind",
    "source",
    "quote",
    "start",
    "end",
    "subject",
    "modality",
    "speaker",
    "published",
}


def test_one_record_per_claim_and_every_field_matches_the_yaml(seed_store):
    corpus = load_corpus(ROOT / "data")
    expected = {f"{sid}/{c.id}": (sid, c) for sid, c in corpus.all_claims()}
    records = list(claim_records(seed_store))
    assert len(records) == len(expected)
    assert [r["id"] for r in records] == sorted(expected)
    for r in records:
        sid, c = expected[r["id"]]
        assert r.keys() >= COMMON
        assert (r["source"], r["quote"], r["start"], r["end"]) == (sid, c.quote, c.start, c.end)
        assert r["subject"]["id"] == c.subject
        assert r["modality"] == c.modality.value
        assert r["speaker"]["attribution"] == c.attribution.value
        assert r["speaker"]["id"] == c.speaker
        assert r["speaker"]["as_written"] == c.speaker_as_written
        if c.kind == "causal":
            assert (r["relation"], r["object"]["id"], r["polarity"]) == (
                c.relation.value,
                c.object,
                c.polarity.value,
            )
            written = c.event_time.as_written if c.event_time else None
            assert (r["event_time"] or {}).get("as_written") == written
        elif c.kind == "quantity":
            assert r["measure"]["id"] == c.measure
            assert r["value"] == float(c.value) and r["unit"] == c.unit
        else:
            assert r["status"] == c.status.value


def test_published_dates_keep_their_precision(seed_store):
    published = {r["source"]: r["published"] for r in claim_records(seed_store)}
    assert published["003_20dda156d22ef2f6"] == {
        "value": "2025-03",
        "precision": "month",
        "established": "inferred",
    }
    assert published["000_4c22c95cf8552d28"] == {
        "value": None,
        "precision": "unknown",
        "established": "unknown",
    }


def test_cli_writes_jsonl(seed_store):
    result = CliRunner().invoke(cli, ["claims", "--store", seed_store.location])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(json.loads(line)["quote"] for line in lines)
    assert len({json.loads(line)["id"] for line in lines}) == len(lines)
