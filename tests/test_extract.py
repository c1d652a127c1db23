"""Extraction on real text: a new article end to end, the seeds, and CNC sentences."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.curation import load_corpus, load_entities
from kg.extract.batch import extract_jsonl
from kg.extract.pipeline import SpacyExtractor
from kg.models import CausalClaim

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "tests" / "data" / "articles" / "yen-tariffs.txt"


@pytest.fixture(scope="session")
def extractor():
    """One extractor (and one spaCy load) for the whole session."""
    return SpacyExtractor(load_entities(ROOT / "data" / "entities.yaml"))


@pytest.fixture(scope="session")
def article(extractor):
    text = ARTICLE.read_text(encoding="utf-8")
    return text, extractor.extract("yen", text)


def test_new_article_ingest_extract_accept_end_to_end(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("graph"))
    run = CliRunner().invoke
    result = run(cli, ["ingest", "--data", str(data), str(ARTICLE)])
    assert result.exit_code == 0, result.output
    sid = result.output.split()[1]
    result = run(cli, ["extract", "--data", str(data), sid])
    assert result.exit_code == 0, result.output
    corpus = load_corpus(data)
    text = corpus.sources[sid].text
    cands = yaml_load(data / "candidates" / f"{sid}.yaml")
    assert len(cands["claims"]) >= 5
    for claim in cands["claims"]:
        assert claim["curation"] == "candidate" and 0 <= claim["confidence"] <= 1
        assert text[claim["start"] : claim["end"]] == claim["quote"]
    for spans in cands["spans"].values():
        for span in spans.values():
            assert text[span["start"] : span["end"]] == span["text"]
    result = run(cli, ["accept", "--data", str(data), sid])
    assert result.exit_code == 0, result.output
    assert len(load_corpus(data).claims[sid]) == len(cands["claims"])  # passes kg check


def yaml_load(path: Path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_article_claims_relations_modality_and_speakers(article):
    text, out = article
    causal = {(c.claim.subject, c.claim.relation.value, c.claim.object): c for c in
              out.candidates if isinstance(c.claim, CausalClaim)}  # fmt: skip
    exports = causal[("weaker-demand", "decreases", "exports")]
    assert exports.cause_span.text == "weaker demand for cars"
    assert exports.signal.text == "because of"
    hypothetical = causal[("japanese-yen", "causes", "us-interest-rates")].claim
    assert hypothetical.modality.value == "hypothetical"
    assert hypothetical.speaker_as_written == "Kazuo Ueda"  # "he said" resolved
    recession = causal[("trade-war", "causes", "recession")].claim
    assert (recession.modality.value, recession.attribution.value) == ("speculative", "vague")
    assert recession.speaker_as_written == "Some economists"
    for c in out.candidates:
        assert text[c.claim.start : c.claim.end] == c.claim.quote


def test_linking_aliases_metonyms_and_misspellings(article, extractor):
    _, out = article
    linked = {m.text: (m.entity, m.how) for m in out.mentions}
    assert linked["Tokyo"] == ("japan", "alias")
    assert linked["Sanae Takiachi"] == ("sanae-takaichi", "fuzzy")  # not an alias anywhere
    assert linked["Kazuo Ueda"][1] == "proposed"
    pronoun = extractor.extract("p", "Let us wait and see, the US envoy said.").mentions
    assert [m.text for m in pronoun if m.entity == "united-states"] == ["US"]


def test_an_html_article_gives_candidates_from_its_visible_text(extractor):
    from kg.normalise import normalise_bytes

    text = normalise_bytes((ROOT / "tests/data/articles/yen-tariffs-wire.html").read_bytes()).text
    out = extractor.extract("wire", text)
    assert out.candidates
    for c in out.candidates:
        assert text[c.claim.start : c.claim.end] == c.claim.quote
        assert not any(s in c.claim.quote for s in ("&rsquo;", "<", "&#"))
        assert "DOCTYPE" not in (c.claim.speaker_as_written or "")
    assert {m.text for m in out.mentions} >= {"Kazuo Ueda", "Bank of Japan"}


def test_proposed_ids_transliterate_accents_and_labels_keep_them(extractor):
    text = (
        "The weaker real caused a rise in import prices, said João Simões, an economist at "
        "Banco Itaú in São Paulo."
    )
    proposed = {m.entity: m.proposed for m in extractor.extract("br", text).mentions if m.proposed}
    assert proposed["joao-simoes"].label == "João Simões"  # was 'jo-o-sim-es'
    assert proposed["banco-itau"].label == "Banco Itaú"


def test_linking_on_a_seed_article(extractor):
    corpus_text = (ROOT / "data" / "sources" / "002_1da6147a5e7dcde4.txt").read_bytes()
    from kg.normalise import normalise_bytes

    out = extractor.extract("002", normalise_bytes(corpus_text).text)
    linked = {(m.text, m.entity) for m in out.mentions}
    assert ("Sanae Takichi", "sanae-takaichi") in linked
    assert ("Tokyo", "japan") in linked
    speakers = {(c.claim.modality.value, c.claim.speaker_as_written) for c in out.candidates}
    assert ("hypothetical", "Analysts at Oxford Economics") in speakers


# Real CNC training sentences (benchmarks/cnc); the expected spans are the gold ARG0/ARG1.
CNC_CASES = [
    (
        "Two days before the attack , local police arrested Tohtunyaz , Ehet and Muhammad as "
        "they tried to illegally cross into Vietnam via Honghe county , the court said .",
        "they tried to illegally cross into Vietnam via Honghe county",
        "local police arrested Tohtunyaz , Ehet and Muhammad",
        ("reported", "court"),
    ),
    (
        "Lt-Col Andre Traut said the teenager laid the complaint at the Robertson police station "
        "following a farmworkers ' protest in the area .",
        "a farmworkers ' protest in the area",
        "the teenager laid the complaint at the Robertson police station",
        ("reported", "Lt-Col Andre Traut"),
    ),
    (
        "They said the strikes would continue in the coming days to express solidarity with "
        "their leader .",
        "to express solidarity with their leader",
        "the strikes would continue in the coming days",
        ("predicted", "They"),
    ),
    (
        "The attack on Karayogams had sparked sharp reactions from the CPM leaders .",
        "The attack on Karayogams",
        "sharp reactions from the CPM leaders",
        ("asserted", None),
    ),
    (
        "Police suspect that the Maoists abducted the workers after the company refused to pay "
        '" protection money " demanded by the rebels .',
        'the company refused to pay " protection money " demanded by the rebels',
        "the Maoists abducted the workers",
        ("speculative", "Police"),
    ),
]


@pytest.mark.parametrize(("sentence", "cause", "effect", "stance"), CNC_CASES)
def test_cnc_sentences_spans_modality_and_speaker(extractor, sentence, cause, effect, stance):
    [c] = [c for c in extractor.extract("cnc", sentence).candidates if c.cause_span]
    assert (c.cause_span.text, c.effect_span.text) == (cause, effect)
    assert sentence[c.cause_span.start : c.cause_span.end] == cause
    assert sentence[c.effect_span.start : c.effect_span.end] == effect
    assert (c.claim.modality.value, c.claim.speaker_as_written) == stance


def test_denial_is_denied(extractor):
    out = extractor.extract("d", "Officials denied that the tariffs caused the slump in exports.")
    assert [c.claim.modality.value for c in out.candidates] == ["denied"]


def test_a_negation_inside_the_cause_does_not_deny_the_claim(extractor):
    """A negation in the cause ("because he was not authorised") is not the speaker denying."""
    text = (
        "A Treasury official spoke on condition of anonymity because he was not authorised "
        "to discuss the talks."
    )
    out = extractor.extract("n", text)
    assert out.candidates
    assert [c.claim.modality.value for c in out.candidates] != ["denied"]
    assert "not" in text[out.candidates[0].claim.start : out.candidates[0].claim.end]


def test_a_proposal_that_is_not_a_name_gets_no_alias_and_stop_words_never_link(extractor):
    """Accepted as aliases, "it" or "that" would be linked in every later article."""
    text = "That pushed yields lower, and it caused the yen to fall."
    proposed = extractor.extract("p", text).entities
    assert {"it", "that"} <= set(proposed)
    assert proposed["it"].aliases == proposed["that"].aliases == []
    assert "Not a name" in proposed["it"].description
    from kg.extract.linking import Linker
    from kg.models import Entity

    linker = Linker({"by": Entity(id="by", type="Event", label="by", description="junk")})
    assert linker.lookup("by") is None


def test_batch_jsonl_lines_and_no_line_for_a_document_without_claims(tmp_path):
    text = ARTICLE.read_text(encoding="utf-8")
    feed = tmp_path / "in.jsonl"
    docs = [{"id": "a", "text": text}, {"id": "b", "text": "The sky is blue today."}]
    feed.write_text("\n".join(json.dumps(d) for d in docs), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with out.open("w", encoding="utf-8") as f:
        report = extract_jsonl(feed, f, ROOT / "data" / "entities.yaml", processes=2)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert report.documents == 2 and report.claims == len(lines) > 0
    assert {r["source"] for r in lines} == {"a"}
    for r in lines:
        for key in ("cause_span", "effect_span", "signal"):
            span = r[key]
            assert text[span["start"] : span["end"]] == span["text"]
        assert text[r["start"] : r["end"]] == r["quote"]


def test_batch_checks_every_line_first_and_keeps_the_output_file(tmp_path):
    good = '{"id": "a", "text": "Tariffs caused a sell-off, analysts said."}\n'
    out = tmp_path / "out.jsonl"
    out.write_text("earlier results\n")
    for name, content, message in [
        ("bad.jsonl", (good + '{"id": "d", "text": 1}\n').encode(), "bad.jsonl:2: expected"),
        ("twice.jsonl", (good * 2).encode(), "twice.jsonl:2: id 'a' was given on line 1"),
        (
            "latin1.jsonl",
            good.encode() + '{"id": "é"}\n'.encode("latin-1"),
            "latin1.jsonl:2: not UTF-8",
        ),
    ]:
        (tmp_path / name).write_bytes(content)
        args = ["extract", "--jsonl", str(tmp_path / name), "--output", str(out)]
        result = CliRunner().invoke(cli, [*args, "--processes", "1"])
        assert result.exit_code == 2, result.output
        assert message in result.output and result.output.count("\n") == 1
        assert out.read_text() == "earlier results\n"


def test_batch_refuses_its_input_as_output_and_a_bad_entities_file_at_once(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "text": "Tariffs caused a sell-off, analysts said."}\n')
    same = CliRunner().invoke(cli, ["extract", "--jsonl", str(feed), "--output", str(feed)])
    assert same.exit_code == 2 and "would be overwritten" in same.output
    assert feed.read_text().startswith('{"id": "a"')
    args = ["extract", "--data", str(tmp_path / "none"), "--jsonl", str(feed), "--processes", "2"]
    missing = CliRunner().invoke(cli, args)  # workers used to fail and respawn forever
    assert missing.exit_code == 2 and "entities.yaml" in missing.output
    assert missing.output.count("\n") == 1


@pytest.mark.parametrize(
    ("sentence", "measure", "value"),
    [
        ("Japan holds about $1.06 trillion in U.S. Treasuries, the Treasury said.",
         "treasury-holdings", "1060000000000"),
        ("Japan sold $20 billion of Treasuries in April.", "treasury-net-sales", "20000000000"),
        ("Japan held $1.1 trillion in March.", "treasury-holdings", "1100000000000"),
    ],
)  # fmt: skip
def test_a_verb_names_what_a_dollar_figure_measures(extractor, sentence, measure, value):
    """ "Japan sold $20 billion": no noun says what the number is; the verb does."""
    found = [
        c.claim for c in extractor.extract("x", sentence).candidates if c.claim.kind == "quantity"
    ]
    assert [(q.subject, q.measure, format(q.value, "f"), q.unit) for q in found] == [
        ("japan", measure, value, "USD")
    ]


def test_batch_reads_a_pipe(tmp_path):
    """`kg extract --jsonl <(zcat feed.gz)`: the lines are checked in a first pass, so a pipe,
    readable once, gave "0 candidates from 0 documents" and exit 0."""
    import os
    import subprocess
    import sys
    import threading

    good = '{"id": "a", "text": "Japan sold Treasuries because of U.S. tariffs."}\n'
    for feed, status, expected in (
        (good, 0, "1 candidate from 1 document"),
        (good + '{"id": 1}\n', 2, "error: /dev/fd/{fd}:2: expected"),
    ):
        read, write = os.pipe()

        def feed_it(w=write, text=feed):
            with os.fdopen(w, "w") as pipe:
                pipe.write(text)

        threading.Thread(target=feed_it).start()
        done = subprocess.run(
            [sys.executable, "-m", "kg", "extract", "--jsonl", f"/dev/fd/{read}",
             "--processes", "1", "--output", str(tmp_path / "out.jsonl")],
            pass_fds=[read], capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        os.close(read)
        assert done.returncode == status, done.stderr
        assert expected.format(fd=read) in done.stderr + done.stdout
