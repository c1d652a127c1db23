"""The public API is `kg.__all__`: exactly what kg exports, nothing private, all importable."""

import subprocess
import sys

import kg


def test_all_names_exist_and_are_public():
    for name in kg.__all__:
        assert hasattr(kg, name), name
        assert not name.startswith("_")
        assert name in dir(kg)


def test_all_is_sorted_and_complete():
    assert kg.__all__ == sorted(kg.__all__)
    assert set(kg.__all__) == set(kg._HOMES)
    for name, home in kg._HOMES.items():  # each name where the package says it lives
        assert getattr(kg, name).__module__.startswith(home), name


def test_an_unknown_name_is_an_attribute_error():
    try:
        kg.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("kg.no_such_thing did not raise")


def test_import_kg_loads_no_pipeline_stage():
    """`import kg` is cheap: the command line and a notebook load only the stages they use."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, kg; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for heavy in ("'rdflib'", "'pyoxigraph'", "'pydantic'", "'networkx'", "'kg.audit'"):
        assert heavy not in loaded, heavy


def test_kg_build_is_the_function_after_its_module_is_imported():
    import kg.build  # binds the package attribute `build` to the module, unless kg keeps it

    assert callable(kg.build)
    assert kg.build.__name__ == "build"


def test_mypy_still_reports_a_misspelt_name(tmp_path):
    """A module `__getattr__` types every attribute as Any unless type checkers do not see it."""
    script = tmp_path / "user.py"
    script.write_text('import kg\nfrom kg import opn_store\nkg.biuld("data")\nkg.open_store("x")\n')
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", str(script)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stdout
    assert 'no attribute "opn_store"; maybe "open_store"?' in done.stdout
    assert 'no attribute "biuld"; maybe "build"?' in done.stdout
    assert "user.py:4" not in done.stdout  # the real name is fine
