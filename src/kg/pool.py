"""Worker processes that run queries with a deadline, for `kg serve`.

Oxigraph cannot interrupt a running query and a Python thread cannot be killed, so each
query runs in a worker process: when the deadline passes the worker is killed, a fresh one
takes its place, and the server goes on serving. Workers open the store themselves
(read-only, so several can share an embedded store) and send back the serialised answer,
cut at the result limit.

A deadline alone does not bound memory: a cross join took 2 GB in its first 5 s here. So a
worker may also get a memory limit (Linux's ``RLIMIT_DATA``: heap and private mappings, not
the store's files), past which an allocation fails, the worker stops, and the pool answers
that the query needed too much memory and starts a fresh worker.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
import signal
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import KgError, QueryError, QueryRefused, StoreError, StoreTimeout
from kg.results import Unrepresentable

__all__ = ["Answer", "QueryPool", "QueryTimeout", "QueryTooLarge"]


class QueryTimeout(KgError):
    """A query ran past the server's deadline and was stopped."""


class QueryTooLarge(QueryTimeout):
    """A query needed more memory than a worker may use and was stopped (HTTP 503)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str
    truncated: bool = False


def _answer(store: Any, kind: str, text: str, fmt: str, limit: int) -> Answer:
    from kg.results import ResultFormat, serialise

    if kind == "update":
        store.update(text)
        return Answer(204, b"", "text/plain")
    result = store.query(text)
    truncated = False
    if result.form == "select":
        rows = list(itertools.islice(result.rows, limit + 1))
        truncated = len(rows) > limit
        result.rows = rows[:limit]
    elif result.form == "graph":
        triples = list(itertools.islice(result.triples, limit + 1))
        truncated = len(triples) > limit
        result.triples = triples[:limit]
    from kg.namespace import PREFIXES

    chosen = ResultFormat(fmt)
    return Answer(200, serialise(result, chosen, PREFIXES), chosen.media_type, truncated)


def _work(spec: str, writable: bool, conn: Connection, memory_mb: int | None = None) -> None:
    """Worker loop: open the store once, then answer requests until the pipe closes."""
    # Ctrl-C on `kg serve` reaches the whole process group: the server stops its workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb:
        import resource  # POSIX only: imported where a limit is asked for

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    from kg.store import open_store

    try:
        store = open_store(spec, create=writable)
    except KgError as exc:
        conn.send(Answer(500, str(exc).encode(), "text/plain; charset=utf-8"))
        return
    conn.send(None)  # ready
    opened = _identity(spec, writable)
    while True:
        try:
            kind, text, fmt, limit = conn.recv()
        except EOFError:
            return
        try:
            if (now := _identity(spec, writable)) != opened and now is not None:
                # `kg build` swapped a new store into place, or `kg ingest --store` added to
                # it: answer from what is there now (and while the folder is away, mid-swap,
                # from the old files)
                with contextlib.suppress(KgError):
                    store, opened = open_store(spec, create=writable), now
            answer = _answer(store, kind, text, fmt, limit)
        except QueryRefused as exc:  # by the server behind a front: its words are its own
            answer = _failed(exc, remote=True, status=400)
        except QueryError as exc:
            status = 406 if isinstance(exc, Unrepresentable) else 400
            answer = Answer(status, f"{exc}\n".encode(), "text/plain; charset=utf-8")
        except StoreError as exc:
            answer = _failed(exc, remote=spec.startswith(("http://", "https://")))
        except (OSError, RuntimeError, ValueError) as exc:
            answer = Answer(500, f"query failed: {exc}\n".encode(), "text/plain; charset=utf-8")
        except MemoryError:
            raise  # the worker dies, and the pool reports the memory limit
        except Exception as exc:  # a bug must not kill the worker and pass for a memory limit
            kind_ = type(exc).__name__
            answer = Answer(
                500, f"query failed: {kind_}: {exc}\n".encode(), "text/plain; charset=utf-8"
            )
        conn.send(answer)


def _failed(exc: KgError, *, remote: bool, status: int | None = None) -> Answer:
    """The answer to a query the store failed. In front of another server that is a gateway's
    502 (504 when it stayed silent), and what went wrong goes to the log, for the operator:
    a client gets neither the server's URL nor advice about its login."""
    if not remote:
        return Answer(500, f"query failed: {exc}\n".encode(), "text/plain; charset=utf-8")
    print(f"kg serve: the store failed a query: {exc}", file=sys.stderr, flush=True)
    if status == 400:
        what = "refused this query, which kg reads as SPARQL"
    elif isinstance(exc, StoreTimeout):
        status, what = 504, "did not answer in time"
    else:
        status, what = 502, "failed"
    text = f"the SPARQL server behind this endpoint {what}; the endpoint's log says more\n"
    return Answer(status, text.encode(), "text/plain; charset=utf-8")


def _identity(spec: str, writable: bool) -> tuple[int, ...] | None:
    """Which folder is at `spec` now (device, inode), and for a reader when files were last
    added to it or removed; None for a URL or ":memory:". `kg build` swaps in a new folder;
    `kg ingest --store` adds files to the same one, and `kg serve --allow-update` writes to
    its log, neither of which a store opened read-only sees until it is opened again. A
    writer sees its own writes, and the folder is its own."""
    try:
        info = os.stat(spec)
        if writable:
            return info.st_dev, info.st_ino
        # an update through another server writes to the log, not to a new file
        logs = [e.stat().st_mtime_ns for e in os.scandir(spec) if e.name.endswith(".log")]
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino, info.st_mtime_ns, max(logs, default=0)


REPLACE_SECONDS = 10.0  # a generous bound on starting a worker (about 1 s seen)


class Busy(QueryTimeout):
    """No worker became free in time (HTTP 503, like a timeout)."""


@dataclass
class _Worker:
    process: Any
    conn: Connection


class QueryPool:
    """`size` workers over the store `spec`; `run` waits at most `timeout` seconds, and a
    worker may use at most `memory_mb` megabytes (None: no limit)."""

    def __init__(
        self,
        spec: str,
        *,
        size: int = 2,
        timeout: float = 30.0,
        writable: bool = False,
        memory_mb: int | None = None,
    ):
        self.spec, self.timeout, self.writable = spec, timeout, writable
        self.memory_mb = memory_mb
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._closed = False
        self._lock = threading.Lock()
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_work, args=(self.spec, self.writable, child, self.memory_mb), daemon=True
        )
        process.start()
        child.close()
        ready = parent.recv()
        if ready is not None:
            process.join()
            raise StoreError(ready.body.decode())
        worker = _Worker(process, parent)
        with self._lock:
            self._all.append(worker)
        return worker

    def run(self, kind: str, text: str, fmt: str, limit: int) -> Answer:
        """Run a query (`kind` "query") or update; raise `QueryTimeout` past the deadline,
        or `Busy` when every worker stays taken for longer than a query may run (plus the
        time to replace a worker stopped at its deadline: a request queued behind runaway
        queries is answered once they are stopped)."""
        wait = self.timeout + REPLACE_SECONDS
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise Busy(f"every worker stayed busy for {wait:g} s; try again shortly") from None
        try:
            worker.conn.send((kind, text, fmt, limit))
            if worker.conn.poll(self.timeout):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError):
            if self._closed:  # the server is stopping and killed the worker under us
                raise StoreError("the server is shutting down") from None
            worker.process.join(5)
            code = worker.process.exitcode
            self._replace(worker)
            # an allocation past the limit aborts Oxigraph (SIGABRT) or raises MemoryError
            if self.memory_mb and code in (-signal.SIGABRT, 1):
                raise QueryTooLarge(
                    f"the query needed more than the {self.memory_mb} MB a query may use and "
                    "was stopped; bind more of it (an entity, a source), add a LIMIT, or raise "
                    "--memory-limit"
                ) from None
            if code == -signal.SIGSEGV:  # the engine's recursion ran out of stack
                raise QueryError(
                    "the query is too deeply nested or chained for the engine, which crashed "
                    "on it (its worker was replaced): split it"
                ) from None
            raise StoreError(
                f"the query worker stopped (exit code {code}, out of memory?); it was replaced"
            ) from None
        self._replace(worker)
        raise QueryTimeout(
            f"the query ran past the {self.timeout:g} s limit and was stopped; "
            "bind more of it (an entity, a source), add a LIMIT, or raise --timeout"
        )

    def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        if self._closed:
            raise StoreError("the server is shutting down")
        self._idle.put(self._spawn())

    def _kill(self, worker: _Worker) -> None:
        with self._lock:  # close() and a request that timed out may both get here
            if worker not in self._all:
                return
            self._all.remove(worker)
        worker.process.kill()
        worker.process.join()
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker; requests still running get an error, not a fresh worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._kill(worker)
