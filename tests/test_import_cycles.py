"""No import cycle between the modules of src/cxsteward: each arrow points one way.

A cycle (``registry/tables.py`` importing the table modules that import it back, as it once
did) works only by the accident of import order. Imports inside functions count too (they
are how a cycle is usually hidden); imports under ``if TYPE_CHECKING:`` do not run, so they
do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cxsteward"
# Known cycles, each with its reason. None today: keep it so.
ALLOWED_CYCLES: list[set[str]] = []


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, package: str, modules: set[str]) -> set[str]:
    """The project modules one import statement names (a submodule when it names one)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        module = f"{base}.{node.module}" if node.module else base
    else:
        module = node.module or ""
    found = set()
    for alias in node.names:
        submodule = f"{module}.{alias.name}"
        found.add(submodule if submodule in modules else module)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each module of ``root`` with the modules of ``root`` it imports when it runs."""
    paths = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    modules = set(paths)
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        pending: list[ast.AST] = [ast.parse(path.read_text("utf-8"), str(path))]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                pending.extend(node.orelse)
                continue
            targets |= _imported(node, package, modules)
            pending.extend(ast.iter_child_nodes(node))
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(group)
    return found


def test_no_import_cycle_in_src() -> None:
    found = [sorted(group) for group in cycles(import_graph(SRC)) if group not in ALLOWED_CYCLES]
    assert found == []


def test_a_cycle_is_caught_even_through_a_function_level_import(tmp_path: Path) -> None:
    root = tmp_path / "cxsteward"
    (root / "registry").mkdir(parents=True)
    (root / "__init__.py").write_text("", "utf-8")
    (root / "registry" / "__init__.py").write_text("", "utf-8")
    (root / "registry" / "tables.py").write_text(
        "from cxsteward.registry import tables_audit\n", "utf-8"
    )
    (root / "registry" / "tables_audit.py").write_text(
        "def f():\n    from cxsteward.registry.tables import Base\n", "utf-8"
    )
    (root / "registry" / "base.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import tables\n", "utf-8"
    )
    assert cycles(import_graph(root)) == [
        {"cxsteward.registry.tables", "cxsteward.registry.tables_audit"}
    ]
