"""`kg accept` on claims files as curators really write them, and when something goes wrong."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.cli import cli
from kg.curation import load_corpus

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "tests" / "data" / "articles" / "yen-tariffs.txt"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> tuple[Path, str]:
    """A copy of the seed data with the test article ingested and its candidates extracted."""
    data = tmp_path_factory.mktemp("extracted") / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("graph"))
    result = CliRunner().invoke(cli, ["ingest", "--data", str(data), str(ARTICLE)])
    assert result.exit_code == 0, result.output
    sid = result.output.split()[1]
    result = CliRunner().invoke(cli, ["extract", "--data", str(data), sid])
    assert result.exit_code == 0, result.output
    return data, sid


@pytest.fixture
def data(extracted, tmp_path) -> tuple[Path, str]:
    src, sid = extracted
    shutil.copytree(src, tmp_path / "data")
    return tmp_path / "data", sid


def kg(*args: str):
    return CliRunner().invoke(cli, list(args))


def candidate_ids(data: Path, sid: str) -> list[str]:
    text = (data / "candidates" / f"{sid}.yaml").read_text(encoding="utf-8")
    return [c["id"] for c in yaml.safe_load(text)["claims"]]


def snapshot(data: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()
    }


def indented(text: str) -> str:
    """The claims file `kg accept` wrote, as docs/curation.md shows one: a comment on top,
    the list indented under `claims:`, and `source:` after it."""
    body = yaml.safe_load(text)
    lines = text.splitlines(keepends=True)
    start = lines.index("claims:\n")
    items = "".join("  " + line if line.strip() else line for line in lines[start + 1 :])
    return f"# curated by hand\nclaims:\n{items}# keep this comment\nsource: {body['source']}\n"


@pytest.mark.parametrize("style", ["indented, source last", "claims: []", "claims: [] # note"])
def test_accept_appends_to_claims_files_in_any_valid_layout(data, style):
    data, sid = data
    first, *rest = candidate_ids(data, sid)
    claims = data / "claims" / f"{sid}.yaml"
    if style == "indented, source last":
        assert kg("accept", "--data", str(data), sid, first).exit_code == 0
        claims.write_text(indented(claims.read_text(encoding="utf-8")), encoding="utf-8")
        before = 1
    else:
        note = "  # none yet" if style.endswith("# note") else ""
        claims.write_text(f"# by hand\nclaims: []{note}\nsource: {sid}\n", encoding="utf-8")
        before = 0
        rest = [first, *rest]
    result = kg("accept", "--data", str(data), sid)
    assert result.exit_code == 0, result.output
    assert len(load_corpus(data).claims[sid]) == before + len(rest)  # passes kg check
    text = claims.read_text(encoding="utf-8")
    assert text.startswith("# ")
    if style.endswith("# note"):
        assert "\nclaims: # none yet\n" in text
    if style == "indented, source last":
        assert "# keep this comment\nsource:" in text
        assert all(
            line.startswith(("  ", "# ", "claims:", "source:")) for line in text.splitlines()
        )


def test_accepting_twice_says_so(data):
    data, sid = data
    first = candidate_ids(data, sid)[0]
    result = kg("accept", "--data", str(data), sid, first)
    assert result.output == f"accepted 1 claim into {data / 'claims' / sid}.yaml\n"
    result = kg("accept", "--data", str(data), sid, first)
    assert result.exit_code == 2
    assert f"already accepted: {first}" in result.output


def test_a_candidate_accepted_from_an_older_copy_is_not_added_twice(data):
    data, sid = data
    path = data / "candidates" / f"{sid}.yaml"
    older = path.read_bytes()
    first = candidate_ids(data, sid)[0]
    assert kg("accept", "--data", str(data), sid, first).exit_code == 0
    path.write_bytes(older)  # the curator restores a copy made before accepting
    before = snapshot(data)
    result = kg("accept", "--data", str(data), sid, first)
    assert result.exit_code == 2
    assert f"candidate {first} repeats a claim already in" in result.output
    assert f"{sid}.yaml:" in result.output  # the candidates file, at the candidate's line
    assert snapshot(data) == before


def test_a_candidate_on_the_quote_of_a_corrected_claim_gets_a_note(data):
    """The curator corrected an accepted claim's relation; accepting the candidate again from
    an older copy is not refused (one quote may carry several claims) but is pointed out."""
    data, sid = data
    path = data / "candidates" / f"{sid}.yaml"
    older = path.read_bytes()
    body = yaml.safe_load(older)
    first = next(c for c in body["claims"] if c["kind"] == "causal")
    assert kg("accept", "--data", str(data), sid, first["id"]).exit_code == 0
    claims = data / "claims" / f"{sid}.yaml"
    curated = yaml.safe_load(claims.read_text(encoding="utf-8"))
    other = "causes" if first["relation"] != "causes" else "triggers"
    curated["claims"][-1]["relation"] = other
    claims.write_text(yaml.safe_dump(curated, sort_keys=False, allow_unicode=True), "utf-8")
    path.write_bytes(older)
    result = kg("accept", "--data", str(data), sid, first["id"])
    assert result.exit_code == 0, result.output
    assert f"note: candidate {first['id']} quotes what" in result.output
    assert "with another proposition" in result.output


def test_duplicate_candidate_ids_are_named(data):
    data, sid = data
    path = data / "candidates" / f"{sid}.yaml"
    body = yaml.safe_load(path.read_text(encoding="utf-8"))
    first, second = body["claims"][:2]
    second["id"] = first["id"]
    path.write_text(yaml.safe_dump(body, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = kg("accept", "--data", str(data), sid, first["id"])
    assert result.exit_code == 2
    assert f"duplicate candidate id '{first['id']}'" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("source: [unclosed\n", "invalid YAML"),
        ("- just\n- a list\n", "valid dictionary"),
        ("source: other\nclaims: []\n", "source"),
    ],
)
def test_a_broken_claims_file_is_one_line_and_nothing_changes(data, content, message):
    data, sid = data
    (data / "claims" / f"{sid}.yaml").write_text(content, encoding="utf-8")
    before = snapshot(data)
    result = kg("accept", "--data", str(data), sid)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {data / 'claims' / sid}.yaml:")
    assert message in result.output and result.output.count("\n") == 1
    assert snapshot(data) == before


def test_a_write_that_fails_halfway_changes_no_file(data, tmp_path):
    """Out of room after entities.yaml is written but before the claims file is (a file size
    limit does what a full disk would): entities.yaml, the claims file and the candidates file
    all stay as they were."""
    data, sid = data
    claims = data / "claims" / f"{sid}.yaml"
    notes = "".join(
        f"# review note {i:05d}: a long comment that the curator keeps\n" for i in range(1500)
    )
    claims.write_text(f"{notes}source: {sid}\nclaims: []\n", encoding="utf-8")
    trial = tmp_path / "trial"  # the same accept with room enough, to learn the file sizes
    shutil.copytree(data, trial)
    assert kg("accept", "--data", str(trial), sid).exit_code == 0
    entities_size = (trial / "entities.yaml").stat().st_size
    claims_size = (trial / "claims" / f"{sid}.yaml").stat().st_size
    assert entities_size + 100 < claims_size
    limit = entities_size + 50  # entities.yaml fits, the claims file does not
    before = snapshot(data)
    program = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
        "from kg.cli import cli; sys.argv[0] = 'kg'; cli()"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, "accept", "--data", str(data), sid],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {claims}: cannot write: File too large")
    assert "nothing was changed" in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(data) == before


def test_extract_without_sources_takes_those_not_curated_yet(data):
    """The seeds have claims files: a bare `kg extract` must not fill data/candidates/ with
    them (and then refuse every later run over candidates nobody meant to review)."""
    data, sid = data
    (data / "candidates" / f"{sid}.yaml").unlink()
    result = kg("extract", "--data", str(data))
    assert result.exit_code == 0, result.output
    assert [p.stem for p in (data / "candidates").iterdir()] == [sid]
    result = kg("extract", "--data", str(data))  # waiting for review: not new any more
    assert result.exit_code == 0 and "no new sources" in result.output
    assert kg("accept", "--data", str(data), sid).exit_code == 0
    result = kg("extract", "--data", str(data))
    assert result.exit_code == 0 and "no new sources" in result.output
    assert kg("extract", "--data", str(data), "--all", sid).exit_code == 2  # one or the other


def test_extract_again_keeps_pending_candidates_and_skips_accepted_claims(data):
    data, sid = data
    ids = candidate_ids(data, sid)
    cands = data / "candidates" / f"{sid}.yaml"
    cands.write_text(cands.read_text(encoding="utf-8") + "# my review notes\n", encoding="utf-8")
    before = snapshot(data)
    result = kg("extract", "--data", str(data), sid)
    assert result.exit_code == 2 and "--force" in result.output
    assert snapshot(data) == before
    assert kg("accept", "--data", str(data), sid, *ids[:2]).exit_code == 0
    result = kg("extract", "--data", str(data), sid)  # two accepted, the rest still wait
    assert result.exit_code == 2 and f"{len(ids) - 2} candidates still wait" in result.output
    assert kg("accept", "--data", str(data), sid).exit_code == 0
    result = kg("extract", "--data", str(data), sid)  # nothing waits: no --force needed
    assert result.exit_code == 0, result.output
    from kg.extract.review import CandidatesFile
    from kg.yamlfile import read_model

    def key(c):
        return c.start, c.end, c.proposition_key

    curated = {key(c) for c in load_corpus(data).claims[sid]}
    again = read_model(cands, CandidatesFile).claims
    assert len(curated) == len(ids) and not curated & {key(c) for c in again}
    assert len(again) < len(ids)  # what the extractor finds again is not proposed again
    assert kg("extract", "--data", str(data), sid, "--threshold", "2").exit_code == 2


def test_an_edited_candidate_is_reported_where_it_was_edited(data):
    data, sid = data
    cands = data / "candidates" / f"{sid}.yaml"
    text = cands.read_text(encoding="utf-8")
    first = yaml.safe_load(text)["claims"][0]
    text = text.replace(f"  subject: {first['subject']}\n", "  subject: no-such-entity\n", 1)
    cands.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  subject: no-such-entity") + 1
    before = snapshot(data)
    result = kg("accept", "--data", str(data), sid, first["id"])
    assert result.exit_code == 2
    assert result.output == (
        f"error: {cands}:{line}: claims.subject: unknown entity 'no-such-entity'\n"
    )
    assert snapshot(data) == before
    (data / "candidates" / "000_4c22c95cf8552d28.yaml").write_text(text, encoding="utf-8")
    wrong = kg("accept", "--data", str(data), "000_4c22c95cf8552d28")
    assert wrong.exit_code == 2 and f"these candidates are for '{sid}'" in wrong.output


def test_a_crlf_claims_file_stays_crlf(data):
    data, sid = data
    first, *rest = candidate_ids(data, sid)
    assert kg("accept", "--data", str(data), sid, first).exit_code == 0
    claims = data / "claims" / f"{sid}.yaml"
    claims.write_bytes(claims.read_bytes().replace(b"\n", b"\r\n"))
    assert kg("accept", "--data", str(data), sid, *rest[:2]).exit_code == 0
    raw = claims.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") and len(load_corpus(data).claims[sid]) == 3


def test_what_a_curator_deleted_or_accepted_is_not_proposed_again(data):
    """Extraction after review proposes only what was not decided: a candidate deleted by
    hand stays deleted, and one accepted (then corrected in the claims file) does not come
    back in its first form, even though entities added since change its linking."""
    data, sid = data
    cands = data / "candidates" / f"{sid}.yaml"
    body = yaml.safe_load(cands.read_text(encoding="utf-8"))
    deleted = body["claims"].pop(0)
    cands.write_text(yaml.safe_dump(body, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert kg("accept", "--data", str(data), sid).exit_code == 0
    result = kg("extract", "--data", str(data), sid)
    assert result.exit_code == 0, result.output
    again = yaml.safe_load(cands.read_text(encoding="utf-8"))
    decided = set(again["reviewed"])
    assert body["signatures"][deleted["id"]] in decided
    assert not decided & set(again["signatures"].values())
    assert all(
        (c["start"], c["end"]) != (deleted["start"], deleted["end"]) or c["kind"] != deleted["kind"]
        for c in again["claims"]
    )
    assert "(0 candidates)" in result.output
