"""kg installed from its wheel, not from this checkout: what the package ships is enough.

An editable install (`make`) reads every file from the checkout, so a file left out of the
package data only shows in a real install: the build found no ontology, `kg extract` no model.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built from this checkout, unpacked into a folder of its own."""
    tmp = tmp_path_factory.mktemp("wheel")
    # from a copy: setuptools builds in the source folder, and its build/lib would both
    # litter the checkout and hand the next wheel files that the package data left out
    tree = tmp / "tree"
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", tmp, tree], check=True, cwd=tmp)
    (wheel,) = tmp.glob("kg-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", tmp / "site", wheel], check=True)
    return tmp / "site"


def run(site: Path, cwd: Path, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`code` in Python with the installed kg first on the path; its dependencies come from
    this venv (-I: no PYTHONPATH, no current folder, no user site)."""
    first = f"import sys; sys.path.insert(0, {str(site)!r}); {code}"
    return subprocess.run(
        [sys.executable, "-I", "-c", first, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def kg(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(site, cwd, "sys.argv[0] = 'kg'; import kg.__main__; kg.__main__.main()", *args)


def test_the_installed_package_builds_the_seed_graph_as_the_checkout_does(installed, tmp_path):
    where = run(installed, tmp_path, "import kg.build; print(sys.modules['kg.build'].ONTOLOGY)")
    assert where.stdout.startswith(str(installed)), where.stdout + where.stderr
    done = kg(installed, tmp_path, "build", "--data", str(DATA), "--output", "graph",
              "--store", "store")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "graph" / "kg.nq").read_bytes() == (DATA / "graph" / "kg.nq").read_bytes()
    shown = kg(installed, tmp_path, "query", "--store", "store", "--saved", "entities",
               "--param", "type=Person", "--format", "csv")  # fmt: skip
    assert shown.returncode == 0 and "Sanae Takaichi" in shown.stdout, shown.stderr


def test_the_installed_package_extracts_with_its_own_model(installed, tmp_path):
    article = tmp_path / "article.jsonl"
    article.write_text(
        '{"id": "a", "text": "Japan sold Treasuries because the tariffs hurt its exporters, '
        'the finance minister said on Tuesday."}\n'
    )
    done = kg(installed, tmp_path, "extract", "--data", str(DATA), "--jsonl", str(article),
              "--processes", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"relation"' in done.stdout


def test_the_cnc_evaluation_says_it_needs_a_checkout(installed, tmp_path):
    done = kg(installed, tmp_path, "eval", "--data", str(DATA), "--cnc")
    assert done.returncode == 2
    assert "the Causal News Corpus is not here" in done.stderr and "benchmarks/cnc" in done.stderr
