"""constraints.txt pins what `make` installs: every dependency, at the versions the committed
outputs were made with (an igraph release moved every node of the committed view)."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pairs = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {_name(name): pinned for name, pinned in pairs}


def test_every_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    assert {_name(r) for r in declared} - set(_pins()) == set()


def test_what_shapes_the_committed_outputs_is_the_pinned_version():
    pins = _pins()
    for package in ("pyoxigraph", "igraph", "pyvis", "rdflib", "pyyaml", "ftfy", "spacy"):
        assert version(package) == pins[package], package
