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

import contextlib
import datetime
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
                # past Python's recursion limit, the lines found so far are all there is
                with contextlib.suppress(RecursionError):
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
            raw = path.read_bytes()
        except OSError as exc:
            raise CurationError(f"cannot read: {exc.strerror}", path=path) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise CurationError(
                f"not UTF-8 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8",
                path=path,
                line=line,
            ) from None
    if "&" in text and "*" in text and _expanded_size(text) > MAX_EXPANDED:
        raise CurationError(
            f"its aliases (*name) expand to over {MAX_EXPANDED:,} values: write them out",
            path=path,
        )
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise CurationError(
            f"invalid YAML: {exc.problem}", path=path, line=mark.line + 1 if mark else None
        ) from None
    except CurationError as exc:
        exc.path = str(path)
        raise
    except yaml.reader.ReaderError as exc:  # a control character, often pasted from a PDF
        line = text[: exc.position].count("\n") + 1
        raise CurationError(
            f"control character U+{exc.character:04X} is not allowed in YAML: remove it",
            path=path,
            line=line,
        ) from None
    except RecursionError:
        raise CurationError("nested too deeply to be a kg file", path=path) from None
    return Located(data, path, text)


# Values a file may expand to once its aliases are followed: far more than any kg file holds
MAX_EXPANDED = 10_000_000


def _expanded_size(text: str) -> int:
    """How many values `text` holds once every alias is expanded. Aliases nested in anchors
    multiply: ten lines can stand for a billion values (a "billion laughs"), which validation
    would then visit one by one. Counted on the node graph, each node once, so the count
    itself costs what the file's size does; only done when the text has both `&` and `*`."""
    try:
        root = yaml.compose(text, Loader=_Base)
    except yaml.YAMLError:
        return 0  # the parse reports it, with its line
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) not in sizes:
            if isinstance(node, yaml.MappingNode):
                children = [child for pair in node.value for child in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = node.value
            else:
                children = []
            sizes[id(node)] = min(1 + sum(size(child) for child in children), MAX_EXPANDED + 1)
        return sizes[id(node)]

    try:
        return size(root) if root is not None else 0
    except RecursionError:
        return 0  # too deep to count: the parse refuses it


def read_model(path: Path, model: type[M], located: Located | None = None) -> M:
    """Parse `path` into `model`; the first validation error names its line and field."""
    located = located or read_yaml(path)
    if located.data is None:
        if located._prefix:  # an item of a list: `- ` with nothing after it
            raise located.error("empty item: expected a mapping", ())
        raise CurationError("empty file", path=path)
    try:
        return model.model_validate(located.data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        # Discriminated unions add the tag to the location ("causal"); drop it for lookup.
        loc = tuple(p for p in first["loc"] if p not in ("causal", "quantity", "event"))
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "string_type" and isinstance(first["input"], datetime.date):
            # YAML reads an unquoted 2025-03-01 as a date, not the text the field wants
            message += f' (YAML read a date: quote it, "{first["input"].isoformat()}")'
        raise located.error(message, loc) from None
