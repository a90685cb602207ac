"""YAML read with line numbers, so every problem in a user's file can name its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from cxsteward.errors import Invalid, Problem


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (2026-02-30) as text instead of crashing.

    The text then reaches the schema, which reports it with its field and line.
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


@dataclass(frozen=True)
class YamlSource:
    """Parsed data plus the 1-based line of each item of top-level lists and their keys."""

    data: Any
    item_lines: dict[str | None, list[int]] = field(default_factory=dict)
    key_lines: dict[tuple[str | None, int, str], int] = field(default_factory=dict)
    # Every node by its path, e.g. ``deployments[1].decision_rights.pause[0]``.
    path_lines: dict[str, int] = field(default_factory=dict)

    def line(self, key: str | None, index: int, name: str | None = None) -> int | None:
        """The line of item ``index`` of list ``key`` (None: the root list), or of its field."""
        if name is not None and (key, index, name) in self.key_lines:
            return self.key_lines[(key, index, name)]
        lines = self.item_lines.get(key, [])
        return lines[index] if index < len(lines) else None

    def path_line(self, path: str) -> int | None:
        """The line of the node at ``path``, or of its nearest ancestor present in the file."""
        while path:
            if path in self.path_lines:
                return self.path_lines[path]
            path = _parent(path)
        return None


def read_yaml(
    text: str, source: str, error: type[Invalid] = Invalid, empty_ok: bool = False
) -> YamlSource:
    """Parse YAML text, remembering where list items and their keys start.

    Raises:
        ``error``: on broken YAML (with its line) or an empty file.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = Problem(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            source,
            row=mark.line + 1 if mark is not None else None,
        )
        raise error(f"{source}: not valid YAML; nothing was written", [problem]) from None
    if node is None and not empty_ok:
        raise error(f"{source}: the file is empty", [Problem("the file is empty", source)])
    result = YamlSource(data=data)
    if node is not None:
        _walk(result.path_lines, "", node)
    if isinstance(node, yaml.SequenceNode):
        _record(result, None, node)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(value_node, yaml.SequenceNode):
                _record(result, str(key_node.value), value_node)
    return result


def _record(result: YamlSource, key: str | None, sequence: yaml.SequenceNode) -> None:
    result.item_lines[key] = [item.start_mark.line + 1 for item in sequence.value]
    for index, item in enumerate(sequence.value):
        if isinstance(item, yaml.MappingNode):
            for field_key, _ in item.value:
                result.key_lines[(key, index, str(field_key.value))] = field_key.start_mark.line + 1


def _walk(lines: dict[str, int], path: str, node: yaml.Node) -> None:
    if path:
        lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(lines, f"{path}[{index}]", item)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = f"{path}.{key_node.value}" if path else str(key_node.value)
            # A key's line is where the key is written, even when its value starts below.
            lines.setdefault(child, key_node.start_mark.line + 1)
            _walk(lines, child, value_node)


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""
