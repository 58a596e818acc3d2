"""YAML that remembers line numbers, so every error can name FILE:LINE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping with the line of the mapping and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class BadKey(yaml.MarkedYAMLError):
    """A key that is a list or a mapping (``? [a, b]``): no record field is named like that."""


class TooDeep(yaml.MarkedYAMLError):
    """Collections nested deeper than any record needs (and deep enough to exhaust the stack)."""


MAX_DEPTH = 64


class BadValue(yaml.MarkedYAMLError):
    """A value that its explicit tag cannot make: ``!!int 12x``, ``!!bool maybe``, ``!!map [1]``."""


# What PyYAML's constructors raise (instead of a YAMLError) for such a value.
_CONSTRUCTOR_FAILURES = (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except _CONSTRUCTOR_FAILURES:
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            if isinstance(node, yaml.ScalarNode):
                value = repr(node.value) if len(node.value) <= 40 else repr(node.value[:39]) + "…"
            else:
                value = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            raise BadValue(None, None, f"{value} is not a valid {tag} value", node.start_mark) from None


class _Nested:
    """Counts how deep the collection being built is; too deep is a YAML error at its line."""

    def __init__(self, loader: _Loader, node: yaml.Node):
        self.loader, self.node = loader, node

    def __enter__(self) -> None:
        depth = getattr(self.loader, "_timeline_depth", 0) + 1
        if depth > MAX_DEPTH:
            raise TooDeep(None, None, f"lists or mappings nested more than {MAX_DEPTH} levels deep",
                          self.node.start_mark)
        self.loader._timeline_depth = depth

    def __exit__(self, *exc: object) -> None:
        self.loader._timeline_depth -= 1


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    with _Nested(loader, node):
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                kind = "a list" if isinstance(key, list) else "a mapping" if isinstance(key, dict) else "a value"
                raise BadKey(None, None, f"a key must be a plain name, not {kind}", key_node.start_mark)
            if key in result:
                raise DuplicateKey(
                    None, None, f"duplicate key {key!r} (first at line {result.key_lines[key]})", key_node.start_mark
                )
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    with _Nested(loader, node):
        result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _string_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay strings: they are EDTF, and YAML would turn 2018-06-12 into a date.
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _string_timestamp)


def loads(text: str, line_offset: int = 0) -> Any:
    """Parse YAML text; lines in errors and LineDicts are shifted by ``line_offset``."""
    data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    if line_offset:
        _shift(data, line_offset)
    return data


def _shift(data: Any, offset: int) -> None:
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
        for value in data.values():
            _shift(value, offset)
    elif isinstance(data, LineList):
        data.line += offset
        data.item_lines = [v + offset for v in data.item_lines]
        for value in data:
            _shift(value, offset)


def load(path: Path) -> Any:
    return loads(path.read_text(encoding="utf-8"))


def _indented_by_tab(text: str | None, mark: yaml.Mark | None) -> bool:
    if text is None or mark is None:
        return False
    lines = text.split("\n", mark.line + 1)
    return mark.line < len(lines) and "\t" in lines[mark.line][: len(lines[mark.line]) - len(lines[mark.line].lstrip())]


def error_line(exc: yaml.YAMLError, text: str | None = None) -> tuple[int, str]:
    """The 1-based line and a one-line message of a YAML error.

    When a construct opened on an earlier line is never closed (an unclosed
    ``[`` or quote), PyYAML notices it later; the error then names the line
    where it was opened, where the fix belongs.
    """
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    context, problem = getattr(exc, "context", None), getattr(exc, "problem", None)
    mark = problem_mark or context_mark
    line = mark.line + 1 if mark is not None else 0
    if _indented_by_tab(text, problem_mark):  # a newcomer's commonest mistake, in our words whatever PyYAML says
        return problem_mark.line + 1, "invalid YAML: this line is indented with a tab; indent YAML with spaces only"
    if context_mark is not None and problem_mark is not None and context_mark.line < problem_mark.line:
        opened = (context or "construct").removeprefix("while ").replace("parsing a ", "").replace("scanning a ", "")
        return context_mark.line + 1, (f"invalid YAML: {problem or 'syntax error'} — the {opened} opened on "
                                       f"this line is not closed (noticed at line {problem_mark.line + 1})")
    parts = [context, problem]
    message = "; ".join(p for p in parts if p) or str(exc).splitlines()[0]
    return line, f"invalid YAML: {message}"
