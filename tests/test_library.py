"""kg as a library, as a notebook uses it: `import kg` and the names in `kg.__all__`, with the
mistakes people make there (strings for paths, a generator of checks, a store still open)."""

from __future__ import annotations

import gc
import subprocess
import sys

import pyoxigraph as ox
import pytest
from conftest import MINI

import kg
from kg.audit import Check
from kg.errors import InputError, QueryError, StoreError

JAPAN = ox.NamedNode("https://w3id.org/kg-news/id/entity/japan")


@pytest.fixture
def mini_store(tmp_path):
    store = tmp_path / "store"
    kg.build(MINI, None, store)
    return store


def test_a_build_refuses_a_store_this_process_has_open_for_writing(mini_store):
    """RocksDB's lock is a POSIX lock, which the same process does not see: the build went
    ahead, and the writer left open then damaged the new store as it closed."""
    writer = kg.open_store(mini_store, create=True)
    with pytest.raises(StoreError, match="this process has the store open for writing"):
        kg.build(MINI, None, mini_store)
    with pytest.raises(StoreError, match="this process has the store open for writing"):
        kg.open_store(mini_store, create=True)  # not RocksDB's "lock hold by current process"
    del writer
    gc.collect()
    kg.build(MINI, None, mini_store)
    assert kg.open_store(mini_store).ask("ASK { ?c a kg:Claim }")


def test_open_store_for_writing_refuses_a_folder_of_other_files(tmp_path):
    """`create=True` on someone's folder wrote RocksDB files among theirs, and `kg build` then
    took it for a store and replaced the whole folder."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(StoreError, match="is a folder but not a graph store"):
        kg.open_store(folder, create=True)
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    with pytest.raises(StoreError, match="is a folder but not a graph store"):
        kg.build(MINI, None, folder)
    assert (folder / "keep.txt").read_text() == "mine"


def test_a_damaged_store_is_a_store_error_and_one_line_in_the_cli(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "CURRENT").write_text("junk\n")
    with pytest.raises(StoreError, match="cannot open the store: Corruption"):
        kg.open_store(store)
    done = subprocess.run(
        [sys.executable, "-m", "kg", "query", "--store", str(store), "ASK {}"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr


@pytest.mark.parametrize(
    "checks",
    [
        (c for c in [Check.time, Check.entities]),
        map(Check, ["time", "entities"]),
        ["time", "entities"],
        "time,entities",
    ],
    ids=["generator", "map", "names", "one string"],
)
def test_run_audit_reads_any_iterable_of_checks_once(seed_store, checks):
    """A generator was used up by the first check and the rest were skipped: an empty,
    clean-looking report."""
    report = kg.run_audit(seed_store, checks=checks, progress=False)
    assert report.checks == [Check.time, Check.entities]
    assert {f.check for f in report.findings} == {Check.time, Check.entities}


def test_run_audit_refuses_an_unknown_check(seed_store):
    with pytest.raises(InputError, match="unknown check bogus"):
        kg.run_audit(seed_store, checks=["bogus"], progress=False)


def test_a_query_of_the_wrong_form_is_an_error_not_an_empty_answer(seed_store):
    with pytest.raises(QueryError, match=r"ask\(\) takes an ASK query, not SELECT"):
        seed_store.ask("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(QueryError, match=r"select\(\) takes a SELECT query, not ASK"):
        seed_store.select("ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match=r"construct\(\) takes a CONSTRUCT or DESCRIBE query"):
        seed_store.construct("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_bindings_name_variables_that_the_query_has(seed_store):
    query = "SELECT ?label WHERE { ?e rdfs:label ?label }"
    assert [r["label"].value for r in kg.run_query(seed_store, query, {"?e": JAPAN}).rows] == [
        "Japan"
    ]
    with pytest.raises(QueryError, match=r"no variable \?nope to bind"):
        kg.run_query(seed_store, query, {"nope": JAPAN})


def test_paths_may_be_strings(tmp_path, seed_store, monkeypatch):
    """Notebooks pass strings: they crashed with AttributeError deep inside."""
    monkeypatch.chdir(MINI.parents[2])  # relative strings, as from the repository's root
    corpus = kg.load_corpus("tests/data/mini")
    assert list(corpus.sources) == ["mini-001"]
    assert [d.id for d in kg.load_sources("tests/data/mini/sources")] == ["mini-001"]
    assert kg.load_source("tests/data/mini/sources/mini-001.meta.yaml").id == "mini-001"
    graph, store = str(tmp_path / "graph"), str(tmp_path / "s")
    report = kg.build("tests/data/mini", graph, store, files="kg.nq")
    assert report.claims == 4 and [p.name for p in (tmp_path / "graph").iterdir()] == ["kg.nq"]
    audit = kg.run_audit(seed_store, checks=["anchoring"], data_dir="data", progress=False)
    assert audit.checks == [Check.anchoring]
    view = kg.render_view(seed_store, kg.ViewSpec(), str(tmp_path / "v.html"))
    assert (tmp_path / "v.html").stat().st_size > 0 and view.output == tmp_path / "v.html"


def test_replacing_the_content_with_bad_n_quads_keeps_the_old(tmp_path):
    store = kg.open_store(":memory:")
    store.load_nquads(b'<http://e/s> <http://e/p> "1" <http://e/g> .\n')
    with pytest.raises(InputError, match="not N-Quads"):
        store.replace_nquads(b'<http://e/s> <http://e/p> "2" <http://e/g> .\ngarbage\n')
    assert [r["o"].value for r in store.select("SELECT ?o { ?s ?p ?o }")] == ["1"]


def test_the_readme_python_example_runs(seed_store, capsys):
    readme = (MINI.parents[2] / "README.md").read_text(encoding="utf-8")
    code = readme.split("## From Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    exec(code.replace('"build/store"', repr(seed_store.location)), {})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("000_4c22c95cf8552d28 ")
    assert lines[-1].endswith(" findings") and int(lines[-1].split()[0]) > 0


def test_a_view_names_known_relations_and_modalities():
    with pytest.raises(InputError, match="unknown relation 'contributes-to'; choose from: causes"):
        kg.ViewSpec(relations=("contributes-to",))
    with pytest.raises(InputError, match="unknown modality 'sure'"):
        kg.ViewSpec(modalities=("sure",))
    assert kg.ViewSpec(relations="motivates").relations == ("motivates",)  # type: ignore[arg-type]


def test_a_build_never_replaces_a_folder_that_only_has_a_file_called_current(tmp_path):
    folder = tmp_path / "mydocs"
    folder.mkdir()
    (folder / "thesis.txt").write_text("important")
    (folder / "CURRENT").write_text("v2\n")
    with pytest.raises(StoreError, match="not a graph store"):
        kg.build(MINI, None, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["CURRENT", "thesis.txt"]


def _holding(folder):
    """Another process that holds the build lock on `folder` until its stdin closes."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kg.files import exclusive\n"
            f"with exclusive([Path({str(folder)!r})], 'busy'):\n"
            "    print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "held\n"
    return holder


def test_a_second_build_or_an_ingest_waits_for_no_one_and_says_so(tmp_path, mini):
    """Two builds at once each wrote their files into the same folder (a mixture of two
    graphs, committed as one), and an ingest during a build wrote into a store the build
    then replaced."""
    from click.testing import CliRunner

    from kg.cli import cli

    out, store = tmp_path / "out" / "graph", tmp_path / "out" / "store"
    kg.build(mini, out, store)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    holder = _holding(tmp_path / "out")
    try:
        args = ["build", "--data", str(mini), "--output", str(out), "--store", str(store)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2
        assert "another kg build or kg ingest --store is writing here" in result.output
        article = tmp_path / "a.txt"
        article.write_text("Tariffs made Japan sell Treasuries.\n")
        args = ["ingest", "--data", str(mini), "--store", str(store), str(article)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "is writing here" in result.output
        assert len(list((mini / "sources").glob("*.txt"))) == 1  # nothing ingested
    finally:
        holder.stdin.close()
        holder.wait()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    kg.build(mini, out, store)  # once the other is done


def test_bindings_are_one_per_variable(seed_store):
    query = "SELECT ?label WHERE { ?x rdfs:label ?label }"
    with pytest.raises(QueryError, match="two bindings for one variable"):
        kg.run_query(seed_store, query, {"x": JAPAN, "?x": JAPAN})
    with pytest.raises(QueryError, match=r"'\?\?x' is not a variable name"):
        kg.run_query(seed_store, query, {"??x": JAPAN})


def test_run_audit_refuses_checks_that_are_not_names(seed_store):
    with pytest.raises(InputError, match="checks are Check values or their names"):
        kg.run_audit(seed_store, checks=b"time", progress=False)  # type: ignore[arg-type]


def test_a_view_reads_a_generator_of_relations_once(seed_store, tmp_path):
    spec = kg.ViewSpec(relations=(r for r in ["causes"]))  # type: ignore[arg-type]
    assert spec.relations == ("causes",)
    assert kg.render_view(seed_store, spec, tmp_path / "v.html").edges > 0


def test_a_store_opened_for_writing_makes_its_parent_folders(tmp_path):
    store = kg.open_store(tmp_path / "a" / "b" / "store", create=True)
    store.load_nquads(b'<http://e/s> <http://e/p> "1" <http://e/g> .\n')
    assert store.ask("ASK { ?s ?p ?o }")


def test_the_build_lock_is_the_same_whatever_the_spelling_or_whether_it_exists(tmp_path, mini):
    """A store reached through a symlink was locked beside the link, and a new folder's lock
    fell on whatever folder above existed: two builds into it both ran."""
    from click.testing import CliRunner

    from kg.cli import cli

    real = tmp_path / "real"
    real.mkdir()
    kg.build(mini, None, real / "store")
    link = tmp_path / "link"
    link.symlink_to(real / "store")
    holder = _holding(real)
    try:
        article = tmp_path / "a.txt"
        article.write_text("Tariffs made Japan sell Treasuries.\n")
        args = ["ingest", "--data", str(mini), "--store", str(link), str(article)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "is writing here" in result.output
    finally:
        holder.stdin.close()
        holder.wait()
    new = tmp_path / "new" / "deeper"
    holder = _holding(new)  # made by the first to come, then locked: the same folder
    try:
        args = ["build", "--data", str(mini), "--output", str(new / "graph")]
        result = CliRunner().invoke(cli, [*args, "--store", str(new / "store")])
        assert result.exit_code == 2 and "is writing here" in result.output
    finally:
        holder.stdin.close()
        holder.wait()
