"""Where the store load's time goes: the same N-Quads loaded four ways, each in a fresh process.

- parse: Oxigraph's parser alone (quads handed to Python and dropped);
- memory: bulk load into an in-memory store (no RocksDB);
- disk: bulk load into a new on-disk store, as `kg build` does;
- disk, default graph: the same quads with their graph names dropped, into a new on-disk store
  (Oxigraph keeps three indexes for default-graph triples and six for named-graph quads).

    python benchmarks/load_levers.py /tmp/kgb/graph-100000/kg.nq

Prints a Markdown table. Not part of `make test`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WAYS = ("parse", "memory", "disk", "disk, default graph")


def _measure(way: str, nq: str, workdir: str) -> dict:
    import resource

    import pyoxigraph as ox

    started, cpu = time.perf_counter(), time.process_time()
    if way == "parse":
        count = sum(1 for _ in ox.parse(path=nq, format=ox.RdfFormat.N_QUADS))
    elif way == "memory":
        store = ox.Store()
        store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
        count = len(store)
    else:
        store = ox.Store(str(Path(workdir) / "store"))
        store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
        store.flush()
        count = len(store)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "quads": count,
    }


def _without_graphs(nq: Path, out: Path) -> None:
    graph = re.compile(rb" <[^>]*> \.\n$")
    with nq.open("rb") as src, out.open("wb") as dst:
        for line in src:
            dst.write(graph.sub(b" .\n", line))


def main() -> None:
    if sys.argv[1] == "_child":
        print(json.dumps(_measure(*sys.argv[2:])))
        return
    nq = Path(sys.argv[1])
    rows = {}
    with tempfile.TemporaryDirectory(prefix="kg-levers-") as tmp:
        flat = Path(tmp) / "default-graph.nq"
        _without_graphs(nq, flat)
        for way in WAYS:
            source = flat if way == "disk, default graph" else nq
            work = Path(tmp) / "work"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            args = [sys.executable, __file__, "_child", way, str(source), str(work)]
            done = subprocess.run(args, capture_output=True, text=True, check=True)
            rows[way] = json.loads(done.stdout.splitlines()[-1])
            print(way, rows[way], file=sys.stderr, flush=True)
    print(f"| {nq.name} | wall, s | CPU, s | peak memory, MB |")
    print("|---|---:|---:|---:|")
    for way, r in rows.items():
        print(f"| {way} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
