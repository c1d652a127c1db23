"""`kg query` end to end: input from an argument, a file or stdin; formats by flag or by the
output's extension, read back with real parsers; errors as one line with a position."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import QueryError
from kg.results import Result, ResultFormat, serialise
from kg.sparql import keywords, query_form, substitute

SOURCES = (
    "SELECT ?id ?title WHERE { ?s a kg:Source ; dcterms:identifier ?id . "
    "OPTIONAL { ?s dcterms:title ?title } } ORDER BY ?id"
)


def kg(*args, stdin=None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_argument_stdin_and_file_give_the_same_answer(seed_store, tmp_path):
    store = ["--store", seed_store.location, "--format", "json"]
    by_argument = kg("query", SOURCES, *store).output
    by_stdin = kg("query", *store, stdin=SOURCES).output
    (tmp_path / "q.rq").write_text(SOURCES)
    by_file = kg("query", "--file", str(tmp_path / "q.rq"), *store).output
    assert by_argument == by_stdin == by_file
    rows = json.loads(by_argument)["results"]["bindings"]
    assert [r["id"]["value"] for r in rows][:2] == ["000_4c22c95cf8552d28", "001_1dee60d1331b1bec"]


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [
        (".csv", None),
        (".tsv", ox.QueryResultsFormat.TSV),
        (".json", ox.QueryResultsFormat.JSON),
        (".xml", ox.QueryResultsFormat.XML),
    ],
)
def test_the_output_extension_chooses_the_format(seed_store, tmp_path, suffix, fmt):
    out = tmp_path / f"answer{suffix}"
    result = kg("query", SOURCES, "--store", seed_store.location, "--output", str(out))
    assert result.exit_code == 0, result.output
    if fmt is None:  # CSV is lossy by design; Oxigraph does not parse it back
        import csv

        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        titles = [r["title"] for r in rows if r["title"]]
    else:
        rows = list(ox.parse_query_results(out.read_bytes(), fmt))
        titles = [r["title"].value for r in rows if r["title"] is not None]
    assert len(rows) == 5
    assert any("Japan" in t for t in titles)


def test_graphs_come_out_as_turtle_or_json_ld(seed_store, tmp_path):
    query = "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Person ; rdfs:label ?l }"
    turtle = kg("query", query, "--store", seed_store.location).output
    assert "@prefix kgd:" in turtle or "PREFIX kgd:" in turtle
    assert len(rdflib.Graph().parse(data=turtle, format="turtle")) == 7
    out = tmp_path / "people.jsonld"
    assert kg("query", query, "--store", seed_store.location, "--output", str(out)).exit_code == 0
    assert len(rdflib.Graph().parse(out, format="json-ld")) == 7


def test_the_table_shortens_iris_and_counts_rows(seed_store):
    result = kg(
        "query", "SELECT ?e WHERE { ?e dcterms:identifier 'japan' }", "--store", seed_store.location
    )
    assert "ent:japan" in result.output and "1 row" in result.output
    assert kg("query", "ASK { ?e a kg:Person }", "--store", seed_store.location).output == "yes\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["SELECT ?x WHERE {\n  ?x a kg:Claim .\n  ?x nope:p ?y }"],
            "error: line 3, column 6: unknown prefix 'nope:'",
        ),
        (["SELECT ?x WHERE { ?x ?p ?o }", "--format", "ttl"], "error: ttl is for CONSTRUCT"),
        (["SELECT ?x WHERE { ?x ?p ?o }", "--output", "x.docx"], "error: cannot tell the format"),
        (["--saved", "causes"], "error: causes: missing parameter 'event'"),
        (["--saved", "causes", "--param", "event"], "error: --param 'event': expected NAME=VALUE"),
        ([], "error: no query"),
        (["INSERT DATA { <urn:a> <urn:b> <urn:c> }"], "error: kg query runs queries, not updates"),
        (["SELEC ?x WHERE { ?x ?p ?o }"], "error: not a SPARQL query: expected SELECT"),
        (
            ["SELECT ?x WHERE {\n  ?x a kg:Claim .\n"],  # the closing brace is missing
            "error: line 2, column 18: unexpected end of the query",
        ),
        (
            ["SELECT ?x WHERE { ?x a kg:Claim FILTER( }"],  # at the brace, not past it
            "error: line 1, column 41: syntax error near '}'",
        ),
        (
            ["SELECT (COUNT(?e) AS ?n) ?e WHERE { ?e a kg:Person }"],
            "error: line 1, column 26: ?e is selected but neither grouped nor aggregated: add "
            "it to GROUP BY, or select (SAMPLE(?e) AS ?any) for one of its values",
        ),
        (
            # Oxigraph stops at the end of the query and says "unbound", naming no variable
            ["SELECT ?p\n  ?x\nWHERE { ?x ?p ?o } GROUP BY ?p"],
            "error: line 2, column 3: ?x is selected but neither grouped nor aggregated",
        ),
        (
            # with a subquery the variable is not named, but Oxigraph's sentence is still said
            ["SELECT (COUNT(*) AS ?n) ?x { { SELECT ?x { ?x ?p ?o } } }"],
            "error: line 1, column 58: the SELECT contains a variable that is unbound: with "
            "GROUP BY or an aggregate, select only grouped variables and aggregates",
        ),
    ],
)
def test_mistakes_are_one_line_with_exit_2(seed_store, args, message):
    result = kg("query", *args, "--store", seed_store.location, stdin="")
    assert result.exit_code == 2
    assert result.output.startswith(message) and result.output.count("\n") == 1


def test_errors_in_a_file_name_the_file_line_and_column(seed_store, tmp_path):
    (tmp_path / "bad.rq").write_text("SELECT ?x\nWHERE { ?x a kg:Claim\n  FILTER( }\n")
    result = kg("query", "--file", str(tmp_path / "bad.rq"), "--store", seed_store.location)
    assert result.output == f"error: {tmp_path / 'bad.rq'}:3:11: syntax error near '}}'\n"


def test_serialisations_round_trip_through_oxigraph_parsers():
    rows = [
        {"s": ox.NamedNode("http://e/a"), "o": ox.Literal('tab\there, "quoted"', language="en")},
        {"s": ox.BlankNode("b0"), "o": None},
        {
            "s": ox.NamedNode("http://e/c"),
            "o": ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        },
    ]
    for fmt, parser in [
        (ResultFormat.json, ox.QueryResultsFormat.JSON),
        (ResultFormat.xml, ox.QueryResultsFormat.XML),
        (ResultFormat.tsv, ox.QueryResultsFormat.TSV),
    ]:
        data = serialise(Result.solutions(["s", "o"], rows), fmt)
        back = list(ox.parse_query_results(io.BytesIO(data), parser))
        assert [b["o"] for b in back] == [r["o"] for r in rows], fmt
        assert back[0]["s"] == rows[0]["s"]
    for fmt, parser in [
        (ResultFormat.json, ox.QueryResultsFormat.JSON),
        (ResultFormat.xml, ox.QueryResultsFormat.XML),
    ]:
        assert bool(ox.parse_query_results(serialise(Result.ask(True), fmt), parser)) is True


def test_reading_sparql_ignores_strings_comments_and_iris():
    query = "# SELECT\nPREFIX s: <http://e/SERVICE#> ASK { ?x s:p 'SERVICE ?param' . ?x ?p ?param }"
    assert query_form(query) == "ASK"
    assert "SERVICE" not in keywords(query)
    bound = substitute(query, {"param": ox.Literal("v")})
    assert bound.endswith("{ ?x s:p 'SERVICE ?param' . ?x ?p \"v\" }")
    with pytest.raises(QueryError, match="cannot be assigned"):
        substitute("SELECT * { BIND(1 AS ?p) }", {"p": ox.Literal("1")})


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "kept.csv", "give a graph"),
        ("ASK { ?s ?p ?o }", "kept.csv", "CSV and TSV are for SELECT"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "kept.ttl", "ttl is for CONSTRUCT"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "kept.txt", None),
    ],
)
def test_a_failed_query_leaves_the_output_file_as_it_was(
    seed_store, tmp_path, query, name, message
):
    out = tmp_path / name
    out.write_text("precious\n")
    result = kg("query", query, "--store", seed_store.location, "--output", str(out))
    if message is None:  # the control: a query that works replaces the file
        assert result.exit_code == 0 and "1 row" in out.read_text()
    else:
        assert result.exit_code == 2 and message in result.output
        assert out.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_output_keeps_permissions_and_symlinks_and_writes_into_a_fifo(seed_store, tmp_path):
    import os
    import stat
    import threading

    store = ["--store", seed_store.location, "--format", "csv"]
    old = os.umask(0o022)
    try:
        assert kg("query", SOURCES, *store, "--output", str(tmp_path / "new.csv")).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644  # not mkstemp's 0600
    shared = tmp_path / "shared.csv"
    shared.write_text("old\n")
    shared.chmod(0o664)
    (tmp_path / "link.csv").symlink_to(shared)
    assert kg("query", SOURCES, *store, "--output", str(tmp_path / "link.csv")).exit_code == 0
    assert (tmp_path / "link.csv").is_symlink()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    assert shared.read_text().count("\n") == 6
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert kg("query", SOURCES, *store, "--output", str(fifo)).exit_code == 0
    reader.join(10)
    assert got[0].count(b"\n") == 6 and stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_query_that_is_not_utf8_is_one_line(seed_store):
    store = ["--store", seed_store.location]
    by_argument = kg("query", 'ASK { ?s ?p "\udcff" }', *store)  # how Python passes byte 0xff
    assert by_argument.exit_code == 2
    assert (
        by_argument.output == "error: the query given as an argument is not UTF-8 (character 13)\n"
    )
    by_stdin = CliRunner().invoke(cli, ["query", *store], input=b'ASK { ?s ?p "\xff" }')
    assert by_stdin.exit_code == 2 and "on standard input is not UTF-8" in by_stdin.output


def test_output_and_query_file_problems_are_one_line(seed_store, tmp_path):
    store = ["--store", seed_store.location]
    for target, message in [
        (tmp_path / "no" / "x.csv", "cannot write here"),
        (tmp_path, "is a folder"),
    ]:
        result = kg("query", SOURCES, *store, "--output", str(target), "--format", "csv")
        assert result.exit_code == 2 and message in result.output, result.output
        assert result.output.count("\n") == 1
    (tmp_path / "latin1.rq").write_bytes(
        "SELECT * WHERE { ?s rdfs:label 'caf\xe9' }".encode("latin-1")
    )
    result = kg("query", "--file", str(tmp_path / "latin1.rq"), *store)
    assert result.exit_code == 2 and "not UTF-8" in result.output
    (tmp_path / "bom.rq").write_bytes(b"\xef\xbb\xbf" + SOURCES.encode())
    result = kg("query", "--file", str(tmp_path / "bom.rq"), *store, "--format", "csv")
    assert result.exit_code == 0 and result.output.count("\n") == 6


def test_from_chooses_the_default_graph(seed_store):
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    store = ["--store", seed_store.location, "--format", "csv"]

    def n(dataset: str) -> int:
        result = kg("query", count.format(dataset), *store)
        return int(result.output.split()[-1])

    everything = n("")
    propositions = n("FROM <https://w3id.org/kg-news/id/graph/propositions>")
    assert 0 < propositions < everything
    assert n("FROM <http://example.org/no-such-graph>") == 0
    assert n("FROM NAMED <https://w3id.org/kg-news/id/graph/propositions>") == 0


def test_rdf_xml_by_flag_or_extension(seed_store, tmp_path):
    query = "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kg:Person ; rdfs:label ?l }"
    out = tmp_path / "people.rdf"
    assert kg("query", query, "--store", seed_store.location, "--output", str(out)).exit_code == 0
    assert len(rdflib.Graph().parse(out, format="xml")) == 7
    flagged = kg("query", query, "--store", seed_store.location, "--format", "rdfxml").output
    assert len(rdflib.Graph().parse(data=flagged, format="xml")) == 7


@pytest.mark.parametrize(
    ("query", "fmt"),
    [
        ('SELECT ?x WHERE { BIND("page\fbreak" AS ?x) }', "xml"),
        ('CONSTRUCT { <http://e/a> <http://e/p> "page\fbreak" } WHERE {}', "rdfxml"),
    ],
)
def test_a_character_xml_cannot_carry_is_an_error_not_broken_xml(seed_store, query, fmt):
    """A form feed kept in an article's text (kg.normalise) has no XML 1.0 spelling."""
    result = kg("query", query, "--store", seed_store.location, "--format", fmt)
    assert result.exit_code == 2
    assert "U+000C, which XML 1.0 cannot carry" in result.output
    assert "<?xml" not in result.output  # none of the answer, not a broken half
    other = "json" if fmt == "xml" else "nt"
    assert "\\f" in kg("query", query, "--store", seed_store.location, "--format", other).output


def test_a_carriage_return_survives_sparql_xml_and_is_refused_in_rdf_xml(seed_store, tmp_path):
    """An ingested CRLF article keeps its CRs (kg.normalise), and its offsets count them; XML
    readers turn a raw CR into LF, so SPARQL XML writes it as a reference."""
    out = tmp_path / "cr.srx"
    query = 'SELECT ?x WHERE { BIND("one\\r\\ntwo" AS ?x) }'
    assert kg("query", query, "--store", seed_store.location, "--output", str(out)).exit_code == 0
    (row,) = ox.parse_query_results(out.read_bytes(), ox.QueryResultsFormat.XML)
    assert row["x"].value == "one\r\ntwo"
    (row,) = rdflib.query.Result.parse(out.open("rb"), format="xml")
    assert str(row[0]) == "one\r\ntwo"
    graph = 'CONSTRUCT { <http://e/a> <http://e/p> "one\\r\\ntwo" } WHERE {}'
    result = kg("query", graph, "--store", seed_store.location, "--format", "rdfxml")
    assert result.exit_code == 2 and "carriage return (U+000D)" in result.output


def test_a_query_the_engine_would_crash_on_is_refused(seed_store):
    deep = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 10_000 + "true" + ")" * 10_000 + ") }"
    binds = "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(5_000)) + " }"
    for query, message in ((deep, "brackets deep"), (binds, "split it")):
        result = kg("query", query, "--store", seed_store.location)
        assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ("", "--store is empty"),
        ("ftp://example.org/kg", "ftp: is not a store"),
        (None, "no graph store here"),
    ],
)
def test_a_store_that_is_not_one_is_named_plainly(tmp_path, store, message):
    spec = str(tmp_path) if store is None else store  # an empty folder is not a store either
    result = kg("query", "ASK {}", "--store", spec)
    assert result.exit_code == 2 and message in result.output and result.output.count("\n") == 1


def test_a_deep_query_hidden_from_one_reading_of_less_than_is_refused(seed_store, tmp_path):
    """Read with `<'>'` as an IRI the nesting is inside a string; Oxigraph reads a comparison
    and overflowed its stack on the 20,000 parentheses (a segmentation fault)."""
    n = 20000
    deep = "ASK { FILTER(1<'>' || true) FILTER(" + "(" * n + "true" + ")" * n + " || 'z') }"
    result = kg("query", deep, "--store", seed_store.location)
    assert result.exit_code == 2 and "nests 20002 brackets deep" in result.output


def test_a_service_that_answers_nonsense_is_one_line(seed_store):
    from test_serve import listener

    remote, url, seen = listener()
    try:
        query = f"SELECT * {{ SERVICE <{url}/> {{ ?s ?p ?o }} }}"
        result = kg("query", query, "--store", seed_store.location)
    finally:
        remote.shutdown()
    assert seen and result.exit_code == 2
    assert result.output.startswith("error: the query failed") and result.output.count("\n") == 1


def test_the_table_shows_brackets_and_control_characters_as_text(seed_store):
    """Rich would read "[the minister]" as markup and drop it; an ESC from an article would
    reach the terminal."""
    query = 'SELECT ?a WHERE { BIND("[the minister] said \\u001b[31m" AS ?a) }'
    result = kg("query", query, "--store", seed_store.location)
    assert "[the minister] said \\x1b[31m" in result.output and "\x1b" not in result.output


TRIPLE_TERM = "SELECT ?t WHERE { BIND(TRIPLE(ent:japan, rdfs:label, 'Japan, \"JP\"'@en) AS ?t) }"
JAPAN_LABEL = ox.Triple(
    ox.NamedNode("https://w3id.org/kg-news/id/entity/japan"),
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ox.Literal('Japan, "JP"', language="en"),
)


@pytest.mark.parametrize(
    "fmt", [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.TSV]
)
def test_rdf_1_2_triple_terms_come_out_in_every_results_format(seed_store, fmt):
    """A triple term (TRIPLE(), <<( )>>) is written as SPARQL 1.2 results have it, and
    Oxigraph's own parser reads back the same term."""
    name = {"SPARQL Results in JSON": "json", "SPARQL Results in XML": "xml"}.get(str(fmt), "tsv")
    result = kg("query", TRIPLE_TERM, "--store", seed_store.location, "--format", name)
    assert result.exit_code == 0, result.output
    (row,) = ox.parse_query_results(result.output.encode(), fmt)
    assert row["t"] == JAPAN_LABEL


def test_triple_terms_in_a_table_and_csv(seed_store):
    table = kg("query", TRIPLE_TERM, "--store", seed_store.location)
    assert table.exit_code == 0 and '<<( ent:japan rdfs:label "Japan, \\"JP\\""@en )>>' in (
        table.output
    )
    csv_text = kg("query", TRIPLE_TERM, "--store", seed_store.location, "--format", "csv")
    assert csv_text.exit_code == 0
    assert "entity/japan http://www.w3.org/2000/01/rdf-schema#label" in csv_text.output


@pytest.mark.parametrize("fmt", [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML])
def test_a_language_string_keeps_its_direction(seed_store, fmt):
    """RDF 1.2: "x"@ar--rtl is written with its direction (its:dir) and read back whole."""
    name = "json" if fmt == ox.QueryResultsFormat.JSON else "xml"
    query = "SELECT ?x WHERE { BIND('مرحبا'@ar--rtl AS ?x) }"
    result = kg("query", query, "--store", seed_store.location, "--format", name)
    assert result.exit_code == 0, result.output
    (row,) = ox.parse_query_results(result.output.encode(), fmt)
    assert row["x"] == ox.Literal("مرحبا", language="ar", direction=ox.BaseDirection.RTL)


def test_rdf_xml_refuses_what_it_cannot_write_inside_a_triple_term(seed_store):
    query = (
        "CONSTRUCT { <urn:s> <urn:p> ?t } WHERE { BIND(<<( <urn:a> <urn:b> 'a\\u0001b' )>> AS ?t) }"
    )
    result = kg("query", query, "--store", seed_store.location, "--format", "rdfxml")
    assert result.exit_code == 2 and "U+0001" in result.output


def test_json_ld_says_it_cannot_carry_a_triple_term(seed_store):
    query = "CONSTRUCT { <urn:s> <urn:p> ?t } WHERE { BIND(<<( <urn:a> <urn:b> 'c' )>> AS ?t) }"
    result = kg("query", query, "--store", seed_store.location, "--format", "jsonld")
    assert result.exit_code == 2 and "jsonld cannot carry this graph" in result.output
    turtle = kg("query", query, "--store", seed_store.location, "--format", "ttl")
    assert turtle.exit_code == 0 and "<<(" in turtle.output


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _kg_process(*args):
    import subprocess
    import sys

    from conftest import default_signals

    program = "from kg.cli import cli; cli()"
    return subprocess.Popen(
        [sys.executable, "-c", program, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=default_signals,
    )


def test_a_query_past_its_timeout_is_stopped_and_its_output_left_alone(seed_store, tmp_path):
    import time

    out = tmp_path / "answer.csv"
    out.write_text("the old answer\n")
    began = time.monotonic()
    streaming = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # rows go out as they come
    proc = _kg_process(
        "query", streaming, "--store", seed_store.location, "--timeout", "2", "--output", str(out)
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and b"ran past --timeout 2 s" in err
    assert time.monotonic() - began < 20  # the whole answer would take many minutes
    assert out.read_text() == "the old answer\n"
    assert [p.name for p in tmp_path.iterdir()] == ["answer.csv"]  # nothing half-written


@pytest.mark.parametrize(
    ("signum", "status", "said"),
    [("SIGINT", 130, b"interrupted"), ("SIGTERM", 143, b"stopped by SIGTERM")],
)
def test_ctrl_c_stops_a_query_the_engine_is_still_evaluating(
    seed_store, tmp_path, signum, status, said
):
    """Ctrl-C, or `timeout` and systemd's SIGTERM, while rows stream into --output: the
    process ends at once, the old file stays, and nothing half-written is left."""
    import signal
    import time

    out = tmp_path / "answer.csv"
    out.write_text("the old answer\n")
    streaming = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    proc = _kg_process("query", streaming, "--store", seed_store.location, "--output", str(out))
    try:
        time.sleep(3)  # well into the answer
        proc.send_signal(getattr(signal, signum))
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()  # a cross join left running would take a core for the rest of the tests
    assert proc.returncode == status and said in err
    assert out.read_text() == "the old answer\n"
    assert [p.name for p in tmp_path.iterdir()] == ["answer.csv"]


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_that_goes_away_ends_the_query_as_the_shell_expects(seed_store, unbuffered):
    """With PYTHONUNBUFFERED set, stdout takes part of a chunk and says so only by its count:
    the rest must still be written (or fail), not dropped with exit 0."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import cli; cli()", "query", "--format", "nt",
         "CONSTRUCT WHERE { ?s ?p ?o }", "--store", seed_store.location],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    proc.wait(timeout=60)
    assert proc.returncode == 141, proc.stderr.read() if proc.stderr else ""


def test_kg_query_gives_back_the_caller_s_signal_handlers(seed_store):
    """The library in a caller's process (a test runner, a notebook) keeps its handlers."""
    import signal

    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    assert kg("query", "ASK {}", "--store", seed_store.location).exit_code == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before


def test_output_to_dev_stdout_writes_the_descriptor_not_over_the_file_behind_it(
    seed_store, tmp_path
):
    """`>> log` with --output /dev/stdout: opened by name or renamed over, the log was lost."""
    log = tmp_path / "log.csv"
    log.write_text("kept\n")
    args = [sys.executable, "-m", "kg", "query", "--store", seed_store.location, "--saved",
            "entities", "--param", "type=Person", "--format", "csv"]  # fmt: skip
    with log.open("ab") as out:
        done = subprocess.run([*args, "--output", "/dev/stdout"], stdout=out, check=False)
    assert done.returncode == 0
    piped = subprocess.run(args, capture_output=True, check=True).stdout
    assert log.read_bytes() == b"kept\n" + piped
    through_pipe = subprocess.run([*args, "--output", "/dev/stdout"], capture_output=True)
    assert through_pipe.returncode == 0 and through_pipe.stdout == piped


@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "tsv"])
def test_a_file_holds_the_bytes_standard_output_gets(seed_store, tmp_path, fmt):
    """JSON written with --output lacked the final newline that standard output has."""
    args = ["query", "--saved", "entities", "--param", "type=Person", "--store",
            seed_store.location, "--format", fmt]  # fmt: skip
    out = tmp_path / f"people.{fmt}"
    assert kg(*args, "--output", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == kg(*args).output


def test_what_a_killed_export_left_is_removed_a_day_later(seed_store, tmp_path):
    """kill -9 during --output left `.people.csv.XXXXXXXX` (52 MB in a tester's run) for ever."""
    import os
    import time

    old, fresh = tmp_path / ".people.csv.k3_x9a0z", tmp_path / ".people.csv.abcdefgh"
    other = tmp_path / ".people.csv.notours"  # not mkstemp's shape: someone else's
    for path in (old, fresh, other):
        path.write_text("partial")
    day_ago = time.time() - 25 * 3600
    for path in (old, other):
        os.utime(path, (day_ago, day_ago))
    args = ["query", "--saved", "entities", "--param", "type=Person", "--store",
            seed_store.location, "--output", str(tmp_path / "people.csv")]  # fmt: skip
    assert kg(*args).exit_code == 0
    assert not old.exists() and fresh.exists() and other.exists()


@pytest.mark.parametrize(
    "name", ["//dev/stdout", "/dev/../dev/stdout", "/proc/thread-self/fd/1", "link"]
)
def test_every_spelling_of_standard_output_appends_where_the_shell_does(seed_store, tmp_path, name):
    log = tmp_path / "log.csv"
    log.write_text("kept\n")
    if name == "link":
        (tmp_path / "out").symlink_to("/dev/stdout")
        name = str(tmp_path / "out")
    args = [sys.executable, "-m", "kg", "query", "--store", seed_store.location, "--saved",
            "entities", "--param", "type=Person", "--format", "csv", "--output", name]  # fmt: skip
    with log.open("ab") as out:
        assert subprocess.run(args, stdout=out, check=False).returncode == 0
    assert log.read_bytes().startswith(b"kept\nkind,id,label,wikidata\r\n")


def test_a_descriptor_kg_opened_itself_or_for_reading_is_refused(seed_store, tmp_path):
    """/dev/fd/N for a descriptor the shell did not open wrote into one of kg's own (a file
    of the store), and failed with a bare "Bad file descriptor"."""
    args = [sys.executable, "-m", "kg", "query", "--store", seed_store.location, "--saved",
            "entities", "--param", "type=Person", "--format", "csv", "--output"]  # fmt: skip
    mine = subprocess.run([*args, "/dev/fd/7"], capture_output=True, text=True)
    assert mine.returncode == 2
    assert mine.stderr == "error: /dev/fd/7: descriptor 7 was not open when kg started\n"
    (tmp_path / "in").write_text("")
    with (tmp_path / "in").open("r") as given:
        reading = subprocess.run([*args, "/dev/fd/0"], stdin=given, capture_output=True)
    assert reading.returncode == 2 and b"open for reading, not writing" in reading.stderr


def test_standard_output_by_name_defaults_to_the_table_and_a_closed_one_is_no_traceback(
    seed_store,
):
    import os

    args = [sys.executable, "-m", "kg", "query", "--store", seed_store.location, "ASK {}"]
    named = subprocess.run([*args, "--output", "/dev/stdout"], capture_output=True, text=True)
    assert named.returncode == 0 and named.stdout == "yes\n"
    closed = subprocess.run(args, capture_output=False, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: os.close(1))  # fmt: skip
    assert closed.returncode == 0
    assert closed.stderr == "warning: standard output is closed: what kg prints there is lost\n"
