"""Bad input gets one clear error naming file, line and field; nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.cli import cli
from kg.curation import load_corpus
from kg.errors import CurationError, SourceError

CLAIMS = "claims/mini-001.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_mini_corpus_loads(mini):
    corpus = load_corpus(mini)
    assert [c.id for c in corpus.claims["mini-001"]] == ["c001", "c002", "e001", "q001"]


def test_seed_corpus_loads_and_every_quote_is_at_its_offsets():
    corpus = load_corpus(Path(__file__).resolve().parents[1] / "data")
    assert len(corpus.sources) == 5
    for sid, claim in corpus.all_claims():
        assert corpus.sources[sid].text[claim.start : claim.end] == claim.quote, claim.id


def test_malformed_yaml_names_the_line(mini):
    path = mini / CLAIMS
    edit(path, "  relation: motivates", "  relation: [motivates")
    with pytest.raises(CurationError, match=r"mini-001\.yaml:\d+: invalid YAML"):
        load_corpus(mini)


def test_unknown_entity_names_file_line_and_field(mini):
    path = mini / CLAIMS
    edit(path, "subject: us-tariffs", "subject: us-tarifs")
    line = line_of(path, "subject: us-tarifs")
    with pytest.raises(CurationError) as err:
        load_corpus(mini)
    assert str(err.value) == f"{path}:{line}: claims.subject: unknown entity 'us-tarifs'"


def test_unknown_relation_is_refused(mini):
    path = mini / CLAIMS
    edit(path, "relation: motivates", "relation: inspires")
    line = line_of(path, "relation: inspires")
    with pytest.raises(CurationError, match=rf":{line}: claims\.relation: Input should be"):
        load_corpus(mini)


def test_wrong_offsets_say_where_the_quote_really_is(mini):
    path = mini / CLAIMS
    data = yaml.safe_load(path.read_text())
    start, end = data["claims"][1]["start"], data["claims"][1]["end"]
    edit(path, f"start: {start}\n", f"start: {start + 1}\n")
    edit(path, f"end: {end}\n", f"end: {end + 1}\n")
    with pytest.raises(
        CurationError,
        match=rf"quote not found at {start + 1}-{end + 1}; it occurs at {start}-{end}",
    ):
        load_corpus(mini)


def test_offsets_that_disagree_with_the_quote_length(mini):
    path = mini / CLAIMS
    data = yaml.safe_load(path.read_text())
    end = data["claims"][0]["end"]
    edit(path, f"end: {end}\n", f"end: {end + 3}\n")
    with pytest.raises(CurationError, match="end - start is") as caught:
        load_corpus(mini)
    assert caught.value.line == line_of(path, f"end: {end + 3}")  # not the claim's first line


def test_duplicate_claim_ids(mini):
    path = mini / CLAIMS
    edit(path, "id: c002", "id: c001")
    line = (
        line_of(path, "id: c001")
        and [i for i, ln in enumerate(path.read_text().splitlines(), 1) if "id: c001" in ln][1]
    )
    with pytest.raises(CurationError, match=rf":{line}: claims\.id: duplicate claim id 'c001'"):
        load_corpus(mini)


def test_duplicate_entity_ids(mini):
    path = mini / "entities.yaml"
    edit(path, "- id: us-tariffs", "- id: japan")
    with pytest.raises(CurationError, match=r"entities\.yaml:\d+: id: duplicate entity id 'japan'"):
        load_corpus(mini)


def test_entity_errors_name_the_line_of_the_entity_they_are_in(mini):
    path = mini / "entities.yaml"
    edit(
        path,
        "  type: Indicator\n  label: U.S. Treasury yields",
        "  type: Indicater\n  label: U.S. Treasury yields",
    )
    line = line_of(path, "type: Indicater")
    with pytest.raises(CurationError) as err:
        load_corpus(mini)
    assert str(err.value).startswith(f"{path}:{line}: type: Input should be")


def test_a_key_given_twice_is_refused_at_its_second_line(mini):
    """PyYAML would keep the second value silently; the curator's first would be lost."""
    path = mini / CLAIMS
    edit(path, "  modality: hypothetical", "  modality: hypothetical\n  modality: asserted")
    line = line_of(path, "modality: asserted")
    with pytest.raises(CurationError) as err:
        load_corpus(mini)
    assert str(err.value) == f"{path}:{line}: modality: duplicate key 'modality'"


def test_unknown_yaml_key_is_refused(mini):
    path = mini / CLAIMS
    edit(path, "  modality: hypothetical", "  modality: hypothetical\n  modalty: asserted")
    with pytest.raises(CurationError, match=r"claims\.modalty: Extra inputs are not permitted"):
        load_corpus(mini)


def test_edited_source_is_refused(mini):
    path = mini / "sources" / "mini-001.txt"
    path.write_bytes(path.read_bytes().replace(b"Japan", b"Japon"))
    with pytest.raises(SourceError, match=r"mini-001\.txt: SHA-256 is \w+, the sidecar says"):
        load_corpus(mini)


def test_binary_source_with_matching_sidecar_is_refused(mini):
    import hashlib

    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10
    (mini / "sources" / "mini-001.txt").write_bytes(data)
    meta = mini / "sources" / "mini-001.meta.yaml"
    text = re.sub(r"sha256: \w+", f"sha256: {hashlib.sha256(data).hexdigest()}", meta.read_text())
    text = re.sub(r"byte_size: \d+", f"byte_size: {len(data)}", text)
    meta.write_text(text)
    with pytest.raises(SourceError, match=r"mini-001\.txt: binary file"):
        load_corpus(mini)


def test_empty_source_is_refused(mini):
    (mini / "sources" / "mini-001.txt").write_bytes(b"")
    with pytest.raises(SourceError, match=r"mini-001\.txt: empty source"):
        load_corpus(mini)


BAD_INPUTS = {
    "malformed yaml": (CLAIMS, "  relation: motivates", "  relation: [motivates", "invalid YAML"),
    "unknown entity": (CLAIMS, "object: us-treasury-yields", "object: yields", "unknown entity"),
    "wrong offsets": (CLAIMS, "start: 114\n  end: 151", "start: 115\n  end: 152", "not found"),
    "duplicate ids": (CLAIMS, "id: c002", "id: c001", "duplicate claim id"),
    "unknown relation": (CLAIMS, "relation: motivates", "relation: inspires", "claims.relation"),
    "binary source": ("sources/mini-001.txt", None, b"\x00\x01\x02\x00", "binary file"),
    "empty source": ("sources/mini-001.txt", None, b"", "empty source"),
    "impossible date": (
        "sources/mini-001.meta.yaml",
        'value: "2025-05-02"',
        'value: "2025-02-30"',
        "'2025-02-30' is not a date in the calendar",
    ),
    "control character": (CLAIMS, "  relation: motivates", "  relation: motivates\x07", "U+0007"),
    "relative url": (
        "sources/mini-001.meta.yaml",
        "url: https://example.org/mini-001",
        "url: www.example.org/mini 001",
        "not an absolute http(s) URL",
    ),
    "not_before after the date": (
        "sources/mini-001.meta.yaml",
        "  established: stated\n",
        '  established: stated\n  not_before: "2025-06-01"\n',
        "not_before 2025-06-01 is after 2025-05-02, the date itself",
    ),
    "not_after before the month": (
        "sources/mini-001.meta.yaml",
        'value: "2025-05-02"\n  precision: day\n  established: stated\n',
        'value: "2025-05"\n  precision: month\n  established: stated\n  not_after: "2025-04-30"\n',
        "not_after 2025-04-30 is before 2025-05, the date itself",
    ),
    "a range without its upper end": (
        CLAIMS,
        "  qualifier: exactly\n  period:",
        "  qualifier: range\n  period:",
        "qualifier 'range' goes with value_max",
    ),
    "a range upside down": (
        CLAIMS,
        "  qualifier: exactly\n  period:",
        "  value_max: 1000000000000\n  qualifier: range\n  period:",
        "value_max 1000000000000 is below value 1100000000000",
    ),
    "an unquoted date": (
        "sources/mini-001.meta.yaml",
        'value: "2025-05-02"',
        "value: 2025-05-02",
        'Input should be a valid string (YAML read a date: quote it, "2025-05-02")',
    ),
    "a figure too large to write": (
        CLAIMS,
        "  value: 1100000000000\n",
        "  value: 1e1000000\n",
        "is not a figure kg takes (at most 30 digits)",
    ),
    "month 13": (
        "sources/mini-001.meta.yaml",
        'value: "2025-05-02"\n  precision: day',
        'value: "2025-13"\n  precision: month',
        "'2025-13' is not a date in the calendar",
    ),
}


@pytest.mark.parametrize(
    ("break_it", "where", "message"),
    [
        (lambda d: (d / "claims").rename(d / "gone"), "claims", "claims folder not found"),
        (lambda d: (d / "sources").rename(d / "gone"), "sources", "sources folder not found"),
        (
            lambda d: (d / CLAIMS).rename(d / "claims" / "mini-002.yml"),
            "claims/mini-002.yml",
            "claims files end in .yaml",
        ),
        (
            lambda d: [(d / CLAIMS).unlink(), (d / "claims").rmdir(), (d / "claims").touch()],
            "claims",
            "is a file, not a claims folder",
        ),
        (
            lambda d: (d / CLAIMS).rename(d / "claims" / "mini-001.YAML"),
            "claims/mini-001.YAML",
            "name it *.yaml (lower case)",
        ),
        (
            lambda d: (d / "claims" / "zz.yaml").symlink_to(d / "nowhere"),
            "claims/zz.yaml",
            "not a readable file (a broken link?)",
        ),
    ],
)
def test_a_missing_folder_is_an_error_not_an_empty_corpus(mini, tmp_path, break_it, where, message):
    """Read as empty, a moved or misnamed folder would build an empty graph over a good one."""
    store = tmp_path / "s"
    args = ["build", "--data", str(mini), "--output", str(tmp_path / "g"), "--store", str(store)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    break_it(mini)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {mini / where}: {message}")
    from kg.store import open_store

    assert open_store(store).ask("ASK { ?c a kg:Claim }")


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_every_bad_input_is_one_line_and_writes_nothing(mini, tmp_path, case):
    name, old, new, message = BAD_INPUTS[case]
    if old is None:
        (mini / name).write_bytes(new)
    else:
        edit(mini / name, old, new)
    out, store = tmp_path / "graph", tmp_path / "store"
    args = ["build", "--data", str(mini), "--output", str(out), "--store", str(store)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {mini / name}:")
    assert message in result.output and result.output.count("\n") == 1
    assert not out.exists() and not store.exists()


def test_cli_prints_one_line_and_writes_nothing(mini, tmp_path):
    edit(mini / CLAIMS, "object: us-treasury-yields", "object: yields")
    out = tmp_path / "graph"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(mini), "--output", str(out), "--store", str(tmp_path / "s")]
    )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "claims.object: unknown entity 'yields'" in result.output
    assert not out.exists() and not (tmp_path / "s").exists()


def test_a_failed_build_keeps_the_previous_outputs(mini, tmp_path):
    runner = CliRunner()
    args = [
        "build",
        "--data",
        str(mini),
        "--output",
        str(tmp_path / "g"),
        "--store",
        str(tmp_path / "s"),
    ]
    assert runner.invoke(cli, args).exit_code == 0
    before = (tmp_path / "g" / "kg.trig").read_bytes()
    edit(mini / CLAIMS, "modality: asserted", "modality: sure")
    assert runner.invoke(cli, args).exit_code == 2
    assert (tmp_path / "g" / "kg.trig").read_bytes() == before
    assert (
        runner.invoke(
            cli, ["summary", "--store", str(tmp_path / "s"), "--format", "json"]
        ).exit_code
        == 0
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{entities}-\n", ":{n}: empty item: expected a mapping"),
        ("{entities}- id: x\n  label: Caf\xe9\n", ":{m}: not UTF-8 (byte 0xe9)"),
        (
            "{entities}- &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"- &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
            ),
            ": its aliases (*name) expand to over 10,000,000 values",
        ),
    ],
    ids=["empty item", "latin-1", "aliases"],
)
def test_entities_file_problems_name_their_line(mini, content, message):
    path = mini / "entities.yaml"
    entities = path.read_text(encoding="utf-8")
    n = entities.count("\n") + 1
    path.write_bytes(content.format(entities=entities).encode("latin-1"))
    with pytest.raises(CurationError) as caught:
        load_corpus(mini)
    assert str(caught.value).startswith(f"{path}{message.format(n=n, m=n + 1)}")
