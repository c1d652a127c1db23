"""The audit on a real SPARQL server gives exactly the report it gives on the embedded store.

Each server is started by the harness in tests/servers.py (a fresh database on loopback ports);
it skips without the server except under CI=true, where it fails.
"""

from __future__ import annotations

import pytest
from conftest import DATA
from servers import SERVERS, running

from kg.audit import DEFAULT_CHECKS, run_audit
from kg.audit.render import Format, render
from kg.remote import remote_store
from kg.store import open_store


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_same_findings_on_the_server_as_embedded(server, tmp_path, seed_graph_dir):
    nquads = (seed_graph_dir / "kg.nq").read_bytes()
    local = open_store(":memory:")
    local.load_nquads(nquads)
    with running(server, tmp_path) as spec:
        remote = remote_store(spec)
        remote.load_nquads(nquads)
        here = run_audit(local, checks=DEFAULT_CHECKS, data_dir=DATA)
        there = run_audit(remote, checks=DEFAULT_CHECKS, data_dir=DATA)
    assert there.findings == here.findings
    assert there.profiles == here.profiles
    assert render(there, Format.markdown).replace(there.store, ":memory:") == render(
        here, Format.markdown
    )
