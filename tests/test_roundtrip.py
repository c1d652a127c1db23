"""Property: any valid claims file survives claims -> graph -> SPARQL export unchanged."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.export import claim_records
from kg.models import Modality, Relation
from kg.store import open_store

MINI = Path(__file__).resolve().parent / "data" / "mini"
TEXT = (MINI / "sources" / "mini-001.txt").read_text(encoding="utf-8")
ENTITIES = ["japan", "us-tariffs", "japan-treasury-selloff", "us-treasury-yields"]

spans = st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 60)).map(
    lambda t: (t[0], min(len(TEXT), t[0] + t[1]))
)
causal = st.fixed_dictionaries(
    {
        "kind": st.just("causal"),
        "subject": st.sampled_from(ENTITIES),
        "relation": st.sampled_from([r.value for r in Relation]),
        "object": st.sampled_from(ENTITIES),
        "polarity": st.sampled_from(["positive", "negative"]),
        "modality": st.sampled_from([m.value for m in Modality if m is not Modality.reported]),
        "span": spans,
    }
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(causal, min_size=1, max_size=6))
def test_claims_round_trip_through_the_graph(tmp_path_factory, drawn):
    data = tmp_path_factory.mktemp("rt") / "data"
    import shutil

    shutil.copytree(MINI, data)
    claims = []
    for i, c in enumerate(drawn):
        start, end = c.pop("span")
        claims.append(
            {"id": f"c{i:03d}", **c, "quote": TEXT[start:end], "start": start, "end": end}
        )
    (data / "claims" / "mini-001.yaml").write_text(
        yaml.safe_dump({"source": "mini-001", "claims": claims}, allow_unicode=True)
    )
    store_dir = data.parent / "store"
    build(data, None, str(store_dir), validate=False)
    records = list(claim_records(open_store(store_dir)))
    assert len(records) == len(claims)
    for c, r in zip(claims, records, strict=True):
        assert r["id"] == f"mini-001/{c['id']}"
        assert (r["quote"], r["start"], r["end"]) == (c["quote"], c["start"], c["end"])
        assert (r["subject"]["id"], r["relation"], r["object"]["id"]) == (
            c["subject"],
            c["relation"],
            c["object"],
        )
        assert (r["polarity"], r["modality"]) == (c["polarity"], c["modality"])
