"""Train the causal-sentence detector on the CNC training split shipped in benchmarks/cnc.

Usage: .venv/bin/python benchmarks/train_detector.py   (about two minutes on two cores)
Writes src/kg/extract/causal_model.json, which `kg extract` loads. Deterministic: the same
data and code give the same file.
"""

from __future__ import annotations

from pathlib import Path

from kg.evaluate.cnc import train_model
from kg.extract.detector import MODEL_PATH
from kg.extract.pipeline import load_nlp

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    detector = train_model(ROOT / "benchmarks" / "cnc", MODEL_PATH, load_nlp())
    size = MODEL_PATH.stat().st_size
    print(
        f"wrote {MODEL_PATH.relative_to(ROOT)}: {len(detector.weights):,} weights, {size:,} bytes"
    )
