"""Read YAML into strict models, reporting errors at the file, line and field where they are.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "e.yaml"
>>> _ = p.write_text("id: japan\\ntype: Countree\\n")
>>> from kg.models import Entity
>>> try:
...     read_model(p, Entity)
... except CurationError as e:
...     print(str(e).replace(str(p), "e.yaml"))
e.yaml:2: type: Input should be 'Country', 'Person', ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from kg.errors import CurationError, KgError

__all__ = ["Located", "read_model", "read_yaml"]

M = TypeVar("M", bound=pydantic.BaseModel)


_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """libyaml's safe loader, but a mapping with a key twice is an error: PyYAML would keep
    the last value and drop the curator's first without a word."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable: the base class says so with its line
                continue
            if duplicate:
                raise CurationError(
                    f"duplicate key '{key}'", line=key_node.start_mark.line + 1, field=str(key)
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class Located:
    """Parsed YAML, and the line of every mapping key and sequence item, by path.

    The lines are found only when an error needs one: walking the node tree in Python costs
    ten times the parse, and a valid file never needs it.
    """

    def __init__(
        self, data: Any, path: Path, text: str | None = None, prefix: tuple[Any, ...] = ()
    ) -> None:
        self.data = data
        self.path = path
        self._text = text
        self._prefix = prefix
        self._lines: dict[tuple[Any, ...], int] | None = None

    def at(self, index: int) -> Located:
        """The item `index` of a sequence, with its lines."""
        sub = Located(self.data[index], self.path, self._text, (*self._prefix, index))
        sub._lines = self._lines
        return sub

    @property
    def lines(self) -> dict[tuple[Any, ...], int]:
        if self._lines is None:
            self._lines = {}
            node = yaml.compose(self._text or "", Loader=_Base)
            if node is not None:
                _walk(node, (), self._lines)
        return self._lines

    def line(self, loc: tuple[Any, ...]) -> int | None:
        """The line of the deepest known prefix of `loc` (1-based)."""
        full = (*self._prefix, *loc)
        for n in range(len(full), len(self._prefix) - 1, -1):
            if full[:n] in self.lines:
                return self.lines[full[:n]]
        return None

    def error(self, message: str, loc: tuple[Any, ...], error: type[KgError] = CurationError):
        field = ".".join(str(p) for p in loc if not isinstance(p, int)) or None
        return error(message, path=self.path, line=self.line(loc), field=field)


def _walk(node: yaml.Node, loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = yaml.load(yaml.serialize(key_node), Loader=_Base)
            lines[(*loc, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*loc, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), lines)


def read_yaml(path: Path, text: str | None = None) -> Located:
    """Parse `path` (or `text`, reported as `path`: a file about to be written); a syntax
    error or a key given twice names its line."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CurationError(f"cannot read: {exc}", path=path) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise CurationError(f"invalid YAML: {exc.problem}", path=path, line=line) from None
    except CurationError as exc:
        exc.path = str(path)
        raise
    return Located(data, path, text)


def read_model(path: Path, model: type[M], located: Located | None = None) -> M:
    """Parse `path` into `model`; the first validation error names its line and field."""
    located = located or read_yaml(path)
    if located.data is None:
        raise CurationError("empty file", path=path)
    try:
        return model.model_validate(located.data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        # Discriminated unions add the tag to the location ("causal"); drop it for lookup.
        loc = tuple(p for p in first["loc"] if p not in ("causal", "quantity", "event"))
        message = first["msg"].removeprefix("Value error, ")
        raise located.error(message, loc) from None
