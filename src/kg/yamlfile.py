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


class Located:
    """Parsed YAML plus the line of every mapping key and sequence item, by path."""

    def __init__(self, data: Any, lines: dict[tuple[Any, ...], int], path: Path) -> None:
        self.data = data
        self.lines = lines
        self.path = path

    def line(self, loc: tuple[Any, ...]) -> int | None:
        """The line of the deepest known prefix of `loc` (1-based)."""
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return None

    def error(self, message: str, loc: tuple[Any, ...], error: type[KgError] = CurationError):
        field = ".".join(str(p) for p in loc if not isinstance(p, int)) or None
        return error(message, path=self.path, line=self.line(loc), field=field)


def _walk(node: yaml.Node, loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            if key in out:
                raise CurationError(
                    f"duplicate key '{key}'", line=key_node.start_mark.line + 1, field=str(key)
                )
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, (*loc, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*loc, i), lines) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def read_yaml(path: Path) -> Located:
    """Parse `path`, keeping line numbers; a syntax error names its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CurationError(f"cannot read: {exc}", path=path) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise CurationError(f"invalid YAML: {exc.problem}", path=path, line=line) from None
    lines: dict[tuple[Any, ...], int] = {}
    try:
        data = _walk(node, (), lines) if node is not None else None
    except CurationError as exc:
        exc.path = str(path)
        raise
    return Located(data, lines, path)


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
