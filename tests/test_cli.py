"""Every command has help, appears in the README, and turns user mistakes into one line."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert cli.commands[name].help, f"kg {name} has no docstring"
    assert f"kg {name}" in README, f"kg {name} is missing from README.md"


def test_missing_store_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(cli, ["summary", "--store", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert (
        result.output == f"error: {tmp_path / 'nope'}: no graph store here: run `kg build` first\n"
    )


def test_unreachable_endpoint_is_one_clear_line():
    result = CliRunner().invoke(cli, ["summary", "--store", "http://127.0.0.1:9/sparql"])
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot reach http://127.0.0.1:9/sparql")
    assert result.output.count("\n") == 1


def test_check_reports_counts():
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0
    assert result.output.startswith("ok: 5 sources, ")


def test_summary_counts_the_seed_graph(seed_store):
    import json

    result = CliRunner().invoke(
        cli, ["summary", "--store", seed_store.location, "--format", "json"]
    )
    data = json.loads(result.output)
    assert data["counts"]["sources"] == 5
    assert data["counts"]["claims"] > 300
    kinds = dict(data["claims by kind"])
    assert kinds["CausalClaim"] > 100 and kinds["QuantityClaim"] > 24


def test_sources_lists_dates_with_precision():
    import json

    rows = json.loads(CliRunner().invoke(cli, ["sources", "--format", "json"]).output)
    by_id = {r["id"]: r for r in rows}
    assert by_id["003_20dda156d22ef2f6"]["precision"] == "month"
    assert by_id["002_1da6147a5e7dcde4"]["repairs"] == 61
    assert by_id["000_4c22c95cf8552d28"]["established"] == "unknown"


def test_text_shows_normalised_raw_and_edits():
    sid = "002_1da6147a5e7dcde4"
    normalised = CliRunner().invoke(cli, ["text", sid]).output
    raw = CliRunner().invoke(cli, ["text", sid, "--raw"]).output
    edits = CliRunner().invoke(cli, ["text", sid, "--edits"]).output.splitlines()
    assert "America’s" in normalised and "Americaâs" in raw
    assert len(edits) == 61
    assert edits[0] == "raw 52-53 'â' -> normalised 52-53 '’'  (lossy-apostrophe)"
    unknown = CliRunner().invoke(cli, ["text", "nosuch"])
    assert unknown.exit_code == 2
    assert unknown.output == "error: no source 'nosuch' in data/sources (`kg sources` lists them)\n"


def test_output_problems_are_one_line_with_status_2(seed_store, tmp_path):
    store = ["--store", seed_store.location]
    missing = tmp_path / "no" / "such"
    for args in (
        ["claims", *store, "--output", str(missing / "c.jsonl")],
        ["audit", *store, "--output", str(missing / "a.json")],
        ["audit", *store, "--data", str(missing)],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith(f"error: {missing}") and result.output.count("\n") == 1


def test_a_closed_pipe_ends_quietly_as_the_shell_expects(seed_store):
    import subprocess
    import sys

    program = "from kg.cli import cli; cli()"
    # outputs far larger than a pipe's buffer (64 KiB), so the writer is still writing
    everything = ["query", "SELECT * { ?s ?p ?o }", "--format", "csv"]
    for args in (everything, ["query", "--saved", "single-source", "--all"], ["claims"]):
        kg = subprocess.Popen(
            [sys.executable, "-c", program, *args, "--store", seed_store.location],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert kg.stdout is not None and kg.stderr is not None
        kg.stdout.readline()
        kg.stdout.close()  # what `| head -1` does
        assert kg.wait(60) == 141, args
        assert kg.stderr.read() == b""


def test_a_full_disk_on_stdout_is_one_line(seed_store):
    import subprocess
    import sys

    program = "from kg.cli import cli; cli()"
    store = ["--store", seed_store.location]
    for args in (["query", "SELECT * { ?s ?p ?o }", "--format", "csv"], ["audit"], ["summary"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-c", program, *args, *store],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
            )
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr == "error: No space left on device\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "--check", ""], "--check is empty"),
        (["viz", "--depth", "2"], "--depth counts steps around --focus"),
        (["serve", "--allow-load", "--port", "0"], "LOAD is an update"),
    ],
)
def test_options_that_would_be_ignored_are_refused(seed_store, args, message):
    result = CliRunner().invoke(cli, [*args, "--store", seed_store.location])
    assert result.exit_code == 2 and message in result.output, result.output


def _sources_in_a_terminal(columns: int) -> str:
    """`kg sources` as a terminal of `columns` shows it (a real pseudo-terminal)."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    subprocess.run(
        [sys.executable, "-c", "from kg.cli import cli; cli()", "sources"],
        stdout=follower, stderr=follower, env={**env, "TERM": "xterm"}, check=True,
        cwd=Path(__file__).parents[1],
    )  # fmt: skip
    os.close(follower)
    out = b""
    with contextlib.suppress(OSError):  # EIO once the terminal's other end is gone
        while chunk := os.read(leader, 65536):
            out += chunk
    os.close(leader)
    return re.sub(r"\x1b\[[0-9;]*m", "", out.decode()).replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("columns", "header"),
    [
        (80, ["id", "published", "bytes", "repairs", "title"]),
        (60, ["id", "published", "bytes"]),
        (40, ["id", "published"]),  # wider than the terminal: it wraps the line, whole
    ],
)
def test_the_sources_table_keeps_what_it_shows_whole_in_a_narrow_terminal(columns, header):
    """At 50 columns the bytes showed as "5" for 5,803; at 40 the date was cut. Columns that
    do not fit whole are left out; the id and the date are always there, whole."""
    out = _sources_in_a_terminal(columns)
    lines = out.splitlines()
    assert lines[0].split() == header
    assert "003_20dda156d22ef2f6  2025-03 (inferred)" in out
    # an undated source shows what its evidence bounds it by
    assert "001_1dee60d1331b1bec  undated (from 2024-01-02)" in out
    if "bytes" in header:
        assert "5,861" in out
    if columns >= 60:
        assert max(len(line.rstrip()) for line in lines) <= columns


def test_the_sources_table_piped_does_not_depend_on_columns():
    """COLUMNS (or its absence) changed the bytes written to a file, and cut titles."""
    import os

    def piped(**env: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", "from kg.cli import cli; cli()", "sources"],
            capture_output=True, text=True, env={**os.environ, **env}, check=True,
            cwd=Path(__file__).parents[1],
        ).stdout  # fmt: skip

    out = piped(COLUMNS="40")
    assert out == piped(COLUMNS="200")
    assert "When Allies Unwind: The Global Shockwave If Japan Dumps U.S. Treasuries" in out


def test_ctrl_c_while_kg_starts_is_quiet():
    """A Ctrl-C that lands while `kg` is still importing (about a fifth of a second) exits 130
    with one word, as it does once a command runs, not with a traceback from pydantic. The
    signal is sent for real, from inside the import it interrupts."""
    script = textwrap.dedent(
        """
        import builtins, os, signal, sys
        real_import = builtins.__import__

        def interrupting(name, *args, **kwargs):
            if name == "pydantic":
                os.kill(os.getpid(), signal.SIGINT)
            return real_import(name, *args, **kwargs)

        from kg.__main__ import main
        builtins.__import__ = interrupting
        sys.argv = ["kg", "--help"]
        main()
        """
    )
    from conftest import default_signals

    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        preexec_fn=default_signals,
    )
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted\n", "")


def test_python_dash_m_kg_runs_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=True
    )
    assert "version" in done.stdout


def test_sigterm_stops_a_build_as_ctrl_c_does(tmp_path):
    """`timeout`, systemd and `docker stop` send SIGTERM: the build ended at once and left
    its staged copy of the graph behind (gigabytes at scale), for a day."""
    import signal
    import time

    from conftest import DATA, MINI, default_signals

    from kg.build import build

    out, store = tmp_path / "graph", tmp_path / "store"
    build(MINI, out, str(store))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    args = ["build", "--data", str(DATA), "--output", str(out), "--store", str(store)]
    kg = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=default_signals,
    )
    deadline = time.monotonic() + 60
    while not list(out.glob(".kg-build-*")) and time.monotonic() < deadline:
        time.sleep(0.02)  # the build is under way once it stages
    kg.send_signal(signal.SIGTERM)
    _, err = kg.communicate(timeout=60)
    assert (kg.returncode, err) == (143, b"stopped by SIGTERM\n")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph", "store"]
