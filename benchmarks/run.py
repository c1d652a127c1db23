"""Build and saved-query benchmark: embedded Oxigraph (on disk) vs rdflib's in-memory store.

For each size, in fresh processes (so peak memory is each step's own): generates a corpus
and writes it as curated YAML and text files (benchmarks/generate.py), runs `kg build` on them
(`kg.build.build`: the files read and checked, the graph streamed to kg.nq, bulk-loaded into a
new on-disk Oxigraph store; with SHACL too up to `--validate-max` claims), runs every saved
query (median of 3 runs, all rows fetched), and does the same with rdflib's `Dataset` (parse
the N-Quads, union default graph) up to `--rdflib-max` claims.

    python benchmarks/run.py --sizes 10000 100000 1000000 --rdflib-max 100000
    python benchmarks/run.py --sizes 1000000 --rdflib-max 0 --validate-max 0 --pages-only

(the second: the build and each saved query's first page at 1M claims, in about 15 minutes;
the exports of every row take another half hour there).

Prints a Markdown table and writes the raw numbers to `--json`. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUERY_TIMEOUT = 20  # rdflib, per query; Oxigraph's runs of one query get 15x that
PAGE = 100


def cases(info: dict) -> list[tuple[str, str, dict]]:
    """(label, saved query, parameters) for a generated graph."""
    return [
        ("causes", "causes", {"event": info["event"]}),
        ("speaker", "speaker", {"speaker": info["speaker"]}),
        ("chain", "chain", {"from": info["from"], "to": info["to"]}),
        ("single-source (entity)", "single-source", {"entity": info["entity"]}),
        ("single-source (all)", "single-source", {}),
        ("contradictions (entity)", "contradictions", {"entity": info["event"]}),
        ("contradictions (all)", "contradictions", {}),
        ("modality denied", "modality", {"modality": "denied"}),
        ("timeline (entity)", "timeline", {"entity": info["event"]}),
        ("timeline (all)", "timeline", {}),
        ("quantities", "quantities", {"measure": info["measure"]}),
        ("entities Person", "entities", {"type": "Person"}),
        ("as-of (entity)", "as-of", {"date": "2024-06-30", "entity": info["entity"]}),
        ("as-of (all)", "as-of", {"date": "2024-06-30"}),
    ]


def peak_mb() -> float:
    """This process's own peak resident memory. Linux keeps ru_maxrss across fork and exec,
    so a child of the generator (2.5 GB at 1M claims) would report the generator's peak;
    VmHWM belongs to the process's own address space."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args: list[str], timeout: float | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _write_corpus(size: str, data_dir: str) -> dict:
    """Generate a corpus and write it as curated files (`generate.write_corpus`)."""
    from generate import make_corpus, write_corpus

    started = time.perf_counter()
    corpus, info = make_corpus(int(size))
    write_corpus(corpus, Path(data_dir))
    return {"seconds": time.perf_counter() - started, "info": info}


def _ox_build(data_dir: str, out_dir: str, store_dir: str, validate: str = "no") -> dict:
    """`kg build --files nq --no-validate` (or with SHACL) on the curated files in
    `data_dir`: read and check them, stream the graph to kg.nq, bulk-load a new on-disk
    store."""
    import pyoxigraph as ox

    from kg.build import build

    report = build(
        Path(data_dir), Path(out_dir), store_dir, validate=validate == "yes", files=["kg.nq"]
    )
    started = time.perf_counter()
    store = ox.Store(store_dir)
    store.optimize()  # not part of `kg build`: compaction, reported apart
    optimize = time.perf_counter() - started
    return {
        "seconds": report.seconds,
        "stages": report.stages,
        "optimize_s": optimize,
        "peak_mb": peak_mb(),
        "quads": report.quads,
        "claims": report.claims,
    }


def _ox_query(store_dir: str, name: str, params: str, limit: str, runs: str = "3") -> dict:
    from kg.query import run_saved
    from kg.store import open_store

    store = open_store(store_dir)
    page = None if limit == "all" else int(limit)
    times, rows = [], 0
    for _ in range(int(runs)):
        started = time.perf_counter()
        rows = len(list(run_saved(store, name, json.loads(params), limit=page).rows))
        times.append(time.perf_counter() - started)
        if times[-1] > 10:  # one run is measurement enough for a slow query
            break
    return {"seconds": statistics.median(times), "rows": rows, "peak_mb": peak_mb()}


def _rdflib(nq: str, info_path: str) -> dict:
    import signal

    import rdflib

    from kg.namespace import PREFIXES
    from kg.saved import bind_params, get_saved
    from kg.sparql import substitute

    started = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(nq, format="nquads")
    out: dict = {"load": {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}}

    def alarm(signum, frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, alarm)
    for label, name, params in cases(json.loads(Path(info_path).read_text())):
        saved = get_saved(name)
        bindings = bind_params(saved, params)
        out[label] = {}
        for mode, limit in MODES:
            text = substitute(saved.render(bindings, limit), bindings)
            signal.alarm(QUERY_TIMEOUT)
            started = time.perf_counter()
            try:
                rows = len(list(ds.query(text, initNs=PREFIXES)))
                out[label][mode] = {"seconds": time.perf_counter() - started, "rows": rows}
            except TimeoutError:
                out[label][mode] = {"error": f"timeout after {QUERY_TIMEOUT} s"}
            finally:
                signal.alarm(0)
    out["load"]["peak_mb_after_queries"] = peak_mb()
    return out


# What `kg query --saved` shows in a terminal (a page of 100), and the whole answer (--all).
MODES = (("page", PAGE), ("all", None))


def bench(
    size: int,
    workdir: Path,
    rdflib_max: int,
    validate_max: int,
    build_only: bool = False,
    pages_only: bool = False,
) -> dict:
    data = workdir / f"data-{size}"
    out, store = workdir / f"graph-{size}", workdir / f"store-{size}"
    nq, info_path = out / "kg.nq", workdir / f"info-{size}.json"
    for old in (data, store):
        shutil.rmtree(old, ignore_errors=True)
    written = child(["_write_corpus", str(size), str(data)])
    if "error" in written:
        raise SystemExit(f"writing {size} claims failed: {written['error']}")
    info = written.pop("info")
    info_path.write_text(json.dumps(info))
    built = child(["_ox_build", str(data), str(out), str(store)])
    built["written_s"] = written["seconds"]
    print(size, "oxigraph build", built, file=sys.stderr, flush=True)
    if "error" in built:
        raise SystemExit(f"build of {size} claims failed: {built['error']}")
    result: dict = {"size": size, "info": info, "oxigraph": {"load": built}, "rdflib": {}}
    if size <= validate_max:
        checked = child(
            ["_ox_build", str(data), str(workdir / "checked"), str(store) + "-checked", "yes"]
        )
        result["oxigraph"]["validated"] = checked
        print(size, "oxigraph build with SHACL", checked, file=sys.stderr, flush=True)
        shutil.rmtree(str(store) + "-checked", ignore_errors=True)
    if build_only:
        return result
    for label, name, params in cases(info):
        result["oxigraph"][label] = {}
        for mode, limit in MODES[:1] if pages_only else MODES:
            args = ["_ox_query", str(store), name, json.dumps(params), str(limit or "all")]
            r = child(args, timeout=QUERY_TIMEOUT * 15)
            result["oxigraph"][label][mode] = r
            print(size, "oxigraph", label, mode, r, file=sys.stderr, flush=True)
    if size <= rdflib_max:
        result["rdflib"] = child(["_rdflib", str(nq), str(info_path)])
        print(size, "rdflib", result["rdflib"], file=sys.stderr, flush=True)
    return result


def _cell(r: dict | None, key: str = "seconds") -> str:
    if not r:
        return "not run"
    if "error" in r:
        return r["error"]
    return f"{r[key]:.2f}"


def markdown(results: list[dict]) -> str:
    head = "| | " + " | ".join(f"{r['size']:,} claims" for r in results) + " |"
    rule = "|---" * (len(results) + 1) + "|"
    lines = [head, rule]
    quads = [f"{r['oxigraph']['load'].get('quads', 0):,}" for r in results]
    lines.append("| quads | " + " | ".join(quads) + " |")
    built = [r["oxigraph"]["load"] for r in results]

    def row(title: str, cells: list[str]) -> None:
        lines.append(f"| {title} | " + " | ".join(cells) + " |")

    row("curated files written by the generator (before the build), s",
        [_cell(b, "written_s") for b in built])  # fmt: skip
    row("**`kg build`** (no SHACL; kg.nq and store), s", [_cell(b) for b in built])
    for stage, title in (
        ("corpus", "curated files read and checked"),
        ("graph", "graph streamed to kg.nq"),
        ("store", "store bulk load"),
    ):
        row(f"&nbsp;&nbsp;of which {title}, s", [_cell(b.get("stages"), stage) for b in built])
    row("`kg build` peak memory, MB", [_cell(b, "peak_mb") for b in built])
    row("oxigraph optimize after the build, s", [_cell(b, "optimize_s") for b in built])
    checked = [r["oxigraph"].get("validated") for r in results]
    row("`kg build` with SHACL validation, s", [_cell(c) for c in checked])
    row("&nbsp;&nbsp;of which SHACL, s", [_cell(c and c.get("stages"), "shacl") for c in checked])
    row("`kg build` with SHACL, peak memory, MB", [_cell(c, "peak_mb") for c in checked])
    rdflib = [r["rdflib"].get("load") for r in results]
    row("rdflib load (parse kg.nq), s", [_cell(x) for x in rdflib])
    row("rdflib peak memory, MB", [_cell(x, "peak_mb") for x in rdflib])
    if len(results[0]["oxigraph"]) <= 2:  # --build-only
        return "\n".join(lines)
    for mode, title in (("page", f"a page of {PAGE} (`kg query` in a terminal)"),
                        ("all", "every row (`--all`, exports)")):  # fmt: skip
        lines += ["", f"Saved queries, {title}, seconds (rows):", "", head, rule]
        for label, _, _ in cases(results[0]["info"]):
            for engine in ("oxigraph", "rdflib"):
                cells = []
                for r in results:
                    x = (r[engine].get(label) or {}).get(mode) if r[engine] else None
                    cells.append(_cell(x) + (f" ({x['rows']:,})" if x and "rows" in x else ""))
                lines.append(f"| {label}: {engine} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    sys.path.insert(0, str(HERE))
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        fn = {
            "_write_corpus": _write_corpus,
            "_ox_build": _ox_build,
            "_ox_query": _ox_query,
            "_rdflib": _rdflib,
        }[sys.argv[1]]
        print(json.dumps(fn(*sys.argv[2:])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--rdflib-max", type=int, default=100_000)
    parser.add_argument("--validate-max", type=int, default=10_000, help="also build with SHACL")
    parser.add_argument("--build-only", action="store_true", help="no queries, no rdflib")
    parser.add_argument(
        "--pages-only", action="store_true", help="saved queries' first page only, no --all"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench"))
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = [
        bench(
            size,
            args.workdir,
            args.rdflib_max,
            args.validate_max,
            args.build_only,
            args.pages_only,
        )
        for size in args.sizes
    ]
    args.json.write_text(json.dumps(results, indent=2))
    print(markdown(results))


if __name__ == "__main__":
    main()
