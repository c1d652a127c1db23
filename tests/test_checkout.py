"""A checkout made with Git's line-ending conversion on (core.autocrlf, Git for Windows'
default) still holds the corpus byte for byte: sources are read by their SHA-256 and offsets."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import ROOT


@pytest.mark.skipif(not (ROOT / ".git").exists() or not shutil.which("git"), reason="no git")
def test_a_crlf_checkout_keeps_the_sources_bytes(tmp_path):
    from kg.curation import load_corpus

    clone = ["git", "-c", "core.autocrlf=true", "clone", "-q", "--no-hardlinks", str(ROOT)]
    subprocess.run([*clone, str(tmp_path / "clone")], check=True)
    corpus = load_corpus(tmp_path / "clone" / "data")  # checks every hash and offset
    assert sum(len(c) for c in corpus.claims.values()) > 300
    for name in ("data/graph/kg.nq", "tests/data/mini/entities.yaml"):
        assert b"\r\n" not in (tmp_path / "clone" / name).read_bytes(), name
