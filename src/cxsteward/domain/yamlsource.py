"""YAML read with line numbers, so every problem in a user's file can name its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from cxsteward.errors import Invalid, Problem


@dataclass(frozen=True)
class YamlSource:
    """Parsed data plus the 1-based line of each item of top-level lists and their keys."""

    data: Any
    item_lines: dict[str | None, list[int]] = field(default_factory=dict)
    key_lines: dict[tuple[str | None, int, str], int] = field(default_factory=dict)

    def line(self, key: str | None, index: int, name: str | None = None) -> int | None:
        """The line of item ``index`` of list ``key`` (None: the root list), or of its field."""
        if name is not None and (key, index, name) in self.key_lines:
            return self.key_lines[(key, index, name)]
        lines = self.item_lines.get(key, [])
        return lines[index] if index < len(lines) else None


def read_yaml(
    text: str, source: str, error: type[Invalid] = Invalid, empty_ok: bool = False
) -> YamlSource:
    """Parse YAML text, remembering where list items and their keys start.

    Raises:
        ``error``: on broken YAML (with its line) or an empty file.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
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
