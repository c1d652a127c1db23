"""Start a real Virtuoso (Debian's virtuoso-opensource) on loopback, on a fresh database.

Used by the remote-store tests. Where Virtuoso is not installed the tests skip, except under
CI=true, where they fail: CI installs it (`make system-deps`), so a missing server is a broken
setup, not a reason to pass.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
SERVER = "virtuoso-t"
ISQL = "isql-vt"


def require_virtuoso() -> None:
    missing = [p for p in (SERVER, ISQL) if shutil.which(p) is None] + (
        [] if INI.exists() else [str(INI)]
    )
    if not missing:
        return
    message = f"Virtuoso is not installed ({', '.join(missing)} missing): `make system-deps`"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def stop(proc: subprocess.Popen) -> None:
    """Ask a server to stop; kill it if it has not within 30 s."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _configure(
    text: str, folder: Path, isql_port: int, http_port: int, max_rows: int = 1_000_000
) -> str:
    """Point the database at `folder` and bind both ports to loopback."""
    out, section = [], ""
    for line in text.splitlines():
        header = re.match(r"\s*\[(.+)\]", line)
        if header:
            section = header.group(1)
        key = line.split("=", 1)[0].strip()
        if re.match(
            r"^(DatabaseFile|ErrorLogFile|LockFile|TransactionFile|xa_persistent_file)$", key
        ):
            name = line.split("=", 1)[1].split(";")[0].strip().rsplit("/", 1)[-1]
            line = f"{key} = {folder / name}"
        elif key == "ServerPort" and section == "Parameters":
            line = f"ServerPort = 127.0.0.1:{isql_port}"
        elif key == "ServerPort" and section == "HTTPServer":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif key == "ServerRoot":
            line = f"ServerRoot = {folder}"
        elif key == "DirsAllowed":
            line = f"DirsAllowed = ., {folder}, /usr/share/virtuoso-opensource-7/vad"
        elif key in ("NumberOfBuffers", "MaxDirtyBuffers"):
            line = f"{key} = {170000 if key == 'NumberOfBuffers' else 130000}"
        elif key.startswith("Load") and section == "Plugins":
            continue  # wiki plugins: not needed, and they slow the start
        elif key == "ResultSetMaxRows":
            line = f"ResultSetMaxRows = {max_rows}"  # Debian's 10000 cuts answers
        elif key == "DefaultHost":
            line = f"DefaultHost = 127.0.0.1:{http_port}"
        out.append(line)
    return "\n".join(out) + "\n"


def isql(port: int, statement: str) -> str:
    result = subprocess.run(
        [ISQL, str(port), "dba", "dba", f"exec={statement}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
        raise RuntimeError(f"isql failed: {result.stdout}{result.stderr}")
    return result.stdout


@contextmanager
def running_virtuoso(
    folder: Path,
    *,
    open_updates: bool = True,
    setup: tuple[str, ...] = (),
    max_rows: int = 1_000_000,
) -> Iterator[str]:
    """A fresh Virtuoso; yields the base URL (``http://127.0.0.1:PORT``). With `open_updates`
    anyone may write through /sparql and /sparql-graph-crud; without it, only accounts that
    authenticate on /sparql-auth and /sparql-graph-crud-auth. `setup` statements then run as
    dba (create such an account)."""
    require_virtuoso()
    isql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_configure(INI.read_text(), folder, isql_port, http_port, max_rows))
    log = (folder / "stdout.log").open("wb")
    proc = subprocess.Popen(
        [SERVER, "+configfile", str(ini), "+foreground"],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"virtuoso exited: {(folder / 'stdout.log').read_text()[-2000:]}"
                )
            try:
                urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("virtuoso did not start within 120 s") from None
                time.sleep(0.3)
        if open_updates:
            # Updates over plain /sparql need this role; the GSP endpoint needs write rights.
            isql(isql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";')
            isql(isql_port, "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
        for statement in setup:
            isql(isql_port, statement)
        yield base
    finally:
        stop(proc)
        log.close()
