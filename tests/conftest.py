"""Shared fixtures: the real seed corpus and a small real fixture corpus (tests/data/mini)."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
MINI = ROOT / "tests" / "data" / "mini"


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """The seed graph built into a fresh embedded store."""
    from kg.build import build
    from kg.store import open_store

    out = tmp_path_factory.mktemp("seed")
    build(DATA, out / "graph", str(out / "store"))
    return open_store(out / "store")


@pytest.fixture(scope="session")
def seed_graph_dir(seed_store):
    return Path(seed_store.location).parent / "graph"


@pytest.fixture
def mini(tmp_path) -> Path:
    """A writable copy of the mini corpus, for tests that break it on purpose."""
    dst = tmp_path / "data"
    shutil.copytree(MINI, dst)
    return dst


def default_signals() -> None:
    """`preexec_fn` for a child the test signals: a background `make test` (`nohup`, `&`)
    starts it with SIGINT and SIGHUP ignored, and a Ctrl-C test would then test nothing."""
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
