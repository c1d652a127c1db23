"""The public API is `kg.__all__`: exactly what kg exports, nothing private, all importable."""

import kg


def test_all_names_exist_and_are_public():
    for name in kg.__all__:
        assert hasattr(kg, name), name
        assert not name.startswith("_")


def test_all_is_sorted_and_complete():
    public = {
        n for n in vars(kg) if not n.startswith("_") and not isinstance(getattr(kg, n), type(kg))
    }
    assert kg.__all__ == sorted(kg.__all__)
    assert set(kg.__all__) == public
