"""The CNC loader and scorers, and the benchmark report writer, on the real CNC files."""

from __future__ import annotations

from pathlib import Path

from kg.evaluate.cnc import Scores, _keywords, keyword_baseline, load_cnc, score_spans
from kg.evaluate.report import render, write_section
from kg.evaluate.seeds import SeedReport

CNC = Path(__file__).resolve().parents[1] / "benchmarks" / "cnc"


def test_cnc_loads_with_labels_and_gold_spans_at_their_offsets():
    sentences = load_cnc(CNC)
    assert len(sentences) == 3075
    assert sum(s.label for s in sentences) == 1624
    assert sum(len(s.relations) for s in sentences) >= 2200
    strike = next(s for s in sentences if s.text.startswith("The farmworkers ' strike resumed"))
    [(cause, effect)] = strike.relations
    assert strike.text[cause[0] : cause[1]] == "their demands were not met"
    assert strike.text[effect[0] : effect[1]] == "The farmworkers ' strike resumed on Tuesday"
    assert {s.fold for s in sentences} == {0, 1, 2, 3, 4}
    by_doc = {}
    for s in sentences:
        assert by_doc.setdefault(s.doc_id, s.fold) == s.fold  # an article never straddles folds


def test_span_scores_exact_and_overlap():
    text = "The strike resumed when their demands were not met ."
    gold = [((24, 51), (0, 18))]
    exact, overlap = Scores(), Scores()
    score_spans(text, [((24, 51), (0, 10))], gold, exact, overlap)
    assert (exact.tp, exact.fp, exact.fn) == (1, 1, 1)  # cause right, effect cut short
    assert overlap.precision == 1.0 and 0 < overlap.recall < 1
    none = Scores()
    score_spans(text, [], gold, none, Scores())
    assert (none.tp, none.fn) == (0, 2)


def test_keyword_baseline_splits_at_the_first_cue():
    text = "Workers went on strike because of unpaid wages ."
    [(cause, effect)] = keyword_baseline(text, _keywords())
    assert text[cause[0] : cause[1]] == "unpaid wages ."
    assert text[effect[0] : effect[1]] == "Workers went on strike"


def test_report_replaces_only_its_own_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Query\n\nfast\n\n## Extraction\n\nold\n\n## Viz\n\nok\n")
    write_section(doc, "## Extraction\n\nnew\n")
    assert (
        doc.read_text()
        == "# Benchmarks\n\n## Query\n\nfast\n\n## Extraction\n\nnew\n\n## Viz\n\nok\n"
    )


def test_a_report_without_cnc_keeps_the_cnc_results_already_written(tmp_path):
    """`kg eval --write` (no --cnc) replaced the whole section, CNC table included."""
    doc = tmp_path / "benchmarks.md"
    cnc = "### Causal News Corpus V2, training split\n\n| system | F1 |\n| rules | 0.5 |\n"
    doc.write_text(f"# Benchmarks\n\n## Extraction\n\nold seeds\n\n{cnc}\n## Viz\n\nok\n")
    write_section(doc, "## Extraction\n\nnew seeds\n")
    assert doc.read_text() == f"# Benchmarks\n\n## Extraction\n\nnew seeds\n\n{cnc}\n## Viz\n\nok\n"
    write_section(doc, "## Extraction\n\nnewer\n\n### Causal News Corpus V2, again\n")
    assert "rules" not in doc.read_text() and "again" in doc.read_text()


def test_report_counts_the_articles_it_read_not_the_seeds():
    """An accepted article is curated too: the heading must not call six articles five seeds."""
    report = SeedReport(sources=6, words=5_380, gold=241, candidates=90, batch_articles=48)
    text = render(report, None)
    assert "### Curated articles (test set: 6 articles, 241 curated causal claims, 90 " in text
    assert "(about 900 words each)" in text
    assert "two worker processes, 48 articles" in text
    assert "seed" not in text.lower()


def test_an_article_not_yet_curated_is_not_scored(tmp_path):
    import shutil

    from click.testing import CliRunner

    from kg.cli import cli
    from kg.evaluate.seeds import curated_corpus

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", data,
                    ignore=shutil.ignore_patterns("graph"))  # fmt: skip
    article = Path(__file__).parent / "data" / "articles" / "yen-tariffs.txt"
    assert CliRunner().invoke(cli, ["ingest", "--data", str(data), str(article)]).exit_code == 0
    corpus = curated_corpus(data)
    assert len(corpus.sources) == 5 and set(corpus.sources) == set(corpus.claims)
