"""The real SPARQL servers the remote-store tests drive, each started fresh on loopback.

`running(name, folder)` starts one on an empty database in `folder` and yields the `--store`
spec that works for it (docs/stores.md). Virtuoso's harness is tests/virtuoso.py; Oxigraph
server is the `oxigraph` command of the PyPI package of that name (the dev extra). Where a
server is missing the tests skip, except under CI=true, where they fail: `make test` installs
both, so a missing server is a broken setup, not a reason to pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from virtuoso import running_virtuoso, stop


def missing(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def oxigraph_command() -> str:
    # pytest runs as .venv/bin/pytest without the venv on PATH: look beside the interpreter
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        missing("Oxigraph server is not installed (no `oxigraph` command): pip install -e '.[dev]'")
    assert found is not None
    return found


def listening_port(pid: int) -> int | None:
    """The TCP port process `pid` listens on, from /proc (Linux). A server bound to port 0
    takes a free port itself, so concurrent test runs cannot race for one; Oxigraph prints
    port 0 back rather than the port it got."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            sockets.add(target[len("socket:[") : -1])
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in sockets:  # 0A: LISTEN
                return int(fields[1].rsplit(":", 1)[1], 16)
    return None


@contextmanager
def running_oxigraph(folder: Path, *, union: bool = True) -> Iterator[str]:
    """`oxigraph serve` on `folder`/db (a fresh store unless the caller put one there); yields
    the base URL (``http://127.0.0.1:PORT``). `union`: queries without GRAPH see every named
    graph, as kg's queries need."""
    command = oxigraph_command()
    log_path = folder / "oxigraph.log"
    with log_path.open("wb") as log:
        args = ["serve", "--location", str(folder / "db"), "--bind", "127.0.0.1:0"]
        proc = subprocess.Popen(
            [command, *args, *(["--union-default-graph"] if union else [])],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"oxigraph exited: {log_path.read_text()[-2000:]}")
                port = listening_port(proc.pid)
                if port:
                    base = f"http://127.0.0.1:{port}"
                    try:
                        urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
                        break
                    except OSError:
                        pass
                if time.monotonic() > deadline:
                    raise RuntimeError("oxigraph did not start within 60 s")
                time.sleep(0.1)
            yield base
        finally:
            stop(proc)


# Each server: how to start it, and the --store spec for its base URL (docs/stores.md).
SERVERS: dict[str, tuple[Callable[[Path], AbstractContextManager[str]], str]] = {
    "virtuoso": (running_virtuoso, "{base}/sparql gsp={base}/sparql-graph-crud"),
    "oxigraph": (running_oxigraph, "{base}/query update={base}/update gsp={base}/store"),
}


@contextmanager
def running(name: str, folder: Path) -> Iterator[str]:
    """Server `name` started fresh in `folder`; yields its `--store` spec."""
    start, spec = SERVERS[name]
    with start(folder) as base:
        yield spec.format(base=base)
