"""YAML read with line numbers, so every problem in a user's file can name its line.

Every YAML file a user gives (mappings, governance, thresholds, answers, question banks)
is parsed through ``parse_yaml``, which refuses what would exhaust the machine: aliases
that multiply a block instead of repeating it (a 1 KB "billion laughs" file grows to
gigabytes), aliases that contain themselves, and nesting deeper than Python's stack.
"""

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

# Nodes that aliases may add on top of the ones written in the file. Sharing a block of
# defaults among a few hundred items stays far below; an alias bomb is far above.
ALIAS_BUDGET = 100_000

Loader = type[yaml.BaseLoader] | type[yaml.SafeLoader]


class YamlRefused(yaml.YAMLError):
    """YAML that is well formed but would take unbounded memory or time to read."""

    def __init__(self, problem: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


def parse_yaml(text: str, loader: Loader = yaml.SafeLoader) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data of one YAML document.

    Raises:
        yaml.YAMLError: the text is not YAML; ``YamlRefused`` (a subclass) when its aliases
            would add more than ``ALIAS_BUDGET`` nodes, refer to themselves, or it is
            nested too deeply.
    """
    reader = loader(text)
    try:
        try:
            node = reader.get_single_node()
            if node is None:
                return None, None
            _check_aliases(node)
            return node, reader.construct_document(node)
        except RecursionError:
            raise YamlRefused("nested too deeply to read; flatten the structure", None) from None
    finally:
        reader.dispose()


def yaml_problem(exc: yaml.YAMLError) -> tuple[str, int | None]:
    """What is wrong with a YAML text, and on which 1-based line (when known)."""
    mark = getattr(exc, "problem_mark", None)
    row = mark.line + 1 if mark is not None else None
    if isinstance(exc, YamlRefused):
        return f"refused: {exc.problem}", row
    return f"not valid YAML: {getattr(exc, 'problem', exc)}", row


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a node graph whose aliases expand it by more than the budget, or loop.

    An alias is the same node object met twice, so the file's size as a tree (what a
    reader of the data walks) is computed over the graph, once per distinct node.
    """
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] - len(size) > ALIAS_BUDGET:
                raise YamlRefused(
                    f"its aliases would expand it into more than {size[key]:,} YAML nodes "
                    f"(aliases may add at most {ALIAS_BUDGET:,}), as an alias bomb "
                    '("billion laughs") does. Write the repeated parts out, or nest fewer '
                    "aliases",
                    node.start_mark,
                )
            continue
        if key in size:
            continue
        open_.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_:
                raise YamlRefused(
                    "an alias refers to a block that contains it (a loop); remove the alias",
                    child.start_mark,
                )
            if id(child) not in size:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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
        node, data = parse_yaml(text, _Loader)
    except yaml.YAMLError as exc:
        message, row = yaml_problem(exc)
        problem = Problem(message, source, row=row)
        summary = "refused" if isinstance(exc, YamlRefused) else "not valid YAML"
        raise error(f"{source}: {summary}; nothing was written", [problem]) from None
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
