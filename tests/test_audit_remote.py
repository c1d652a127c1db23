"""The audit on a real SPARQL server gives exactly the report it gives on the embedded store.

Virtuoso is started by the harness in tests/virtuoso.py (a fresh database on loopback ports); it
skips without Virtuoso except under CI=true, where it fails.
"""

from __future__ import annotations

import virtuoso
from conftest import DATA

from kg.audit import DEFAULT_CHECKS, run_audit
from kg.audit.render import Format, render
from kg.remote import RemoteStore
from kg.store import open_store


def test_same_findings_on_virtuoso_as_embedded(tmp_path, seed_graph_dir):
    nquads = (seed_graph_dir / "kg.nq").read_bytes()
    local = open_store(":memory:")
    local.load_nquads(nquads)
    with virtuoso.running_virtuoso(tmp_path) as base:
        remote = RemoteStore(f"{base}/sparql", gsp_url=f"{base}/sparql-graph-crud")
        remote.load_nquads(nquads)
        here = run_audit(local, checks=DEFAULT_CHECKS, data_dir=DATA)
        there = run_audit(remote, checks=DEFAULT_CHECKS, data_dir=DATA)
    assert there.findings == here.findings
    assert there.profiles == here.profiles
    assert render(there, Format.markdown).replace(there.store, ":memory:") == render(
        here, Format.markdown
    )
