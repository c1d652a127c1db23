"""The benchmark's generated corpus, written as curated files, is what `kg build` reads back."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyoxigraph as ox

from kg.build import ONTOLOGY
from kg.curation import load_corpus
from kg.graph import emit_corpus

ROOT = Path(__file__).resolve().parents[1]


def _generate_module():
    spec = importlib.util.spec_from_file_location(
        "kg_bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nquads(corpus) -> bytes:
    chunks: list[bytes] = []
    emit_corpus(corpus, ONTOLOGY, chunks.append)
    return b"".join(chunks)


def test_written_corpus_loads_with_every_check_and_gives_the_same_graph(tmp_path):
    generate = _generate_module()
    corpus, _info = generate.make_corpus(1000)
    generate.write_corpus(corpus, tmp_path / "data")
    read = load_corpus(tmp_path / "data")  # hashes, offsets, entity references all checked
    assert sum(map(len, read.claims.values())) == 1000
    assert {c.kind for _, c in read.all_claims()} == {"causal", "event", "quantity"}
    nquads = _nquads(read)
    assert nquads == _nquads(corpus)
    assert len(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))) > 30_000
