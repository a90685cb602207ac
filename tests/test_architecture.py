"""The import direction of DESIGN section 3.

domain <- engine, registry <- services <- cli, web, reports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cxsteward"

# Which cxsteward layers each layer may import.
ALLOWED: dict[str, set[str]] = {
    "domain": {"domain", "errors"},
    "engine": {"domain", "engine", "errors", "config"},
    "registry": {"domain", "registry", "errors", "config"},
    "services": {"domain", "engine", "registry", "services", "errors", "config", "reports"},
    "reports": {"domain", "reports", "errors"},
    "cli": {"cli", "services", "domain", "reports", "errors", "config"},
    "web": {"web", "services", "domain", "reports", "errors", "config"},
}
# Frameworks that must stay out of the pure layer.
FORBIDDEN_IN_DOMAIN = {
    "sqlalchemy",
    "alembic",
    "ibis",
    "fastapi",
    "typer",
    "click",
    "jinja2",
    "rich",
}


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def layer_of(path: Path, root: Path) -> str | None:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None


def violations(root: Path) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        layer = layer_of(path, root)
        if layer is None:
            continue
        for line, module in imports_of(path):
            top = module.split(".")
            if top[0] == "cxsteward" and len(top) > 1:
                target = top[1]
                if target in ALLOWED and target not in ALLOWED[layer]:
                    problems.append(f"{path.relative_to(root)}:{line} {layer} imports {module}")
            elif layer == "domain" and top[0] in FORBIDDEN_IN_DOMAIN:
                problems.append(f"{path.relative_to(root)}:{line} domain imports {module}")
    return problems


def test_layers_import_only_downwards() -> None:
    assert violations(SRC) == []


def test_every_layer_folder_is_known() -> None:
    folders = {p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders <= set(ALLOWED) | {"data"}


@pytest.mark.parametrize(
    ("layer", "line", "should_fail"),
    [
        ("domain", "from cxsteward.services import demo", True),
        ("domain", "import sqlalchemy", True),
        ("cli", "from cxsteward.web import app", True),
        ("reports", "from cxsteward.registry import tables", True),
        ("services", "from cxsteward.registry import tables", False),
        ("cli", "from cxsteward.services import demo", False),
    ],
    ids=["domain-up", "domain-sqlalchemy", "cli-web", "reports-registry", "ok-services", "ok-cli"],
)
def test_checker_catches_a_wrong_arrow(
    tmp_path: Path, layer: str, line: str, should_fail: bool
) -> None:
    fake = tmp_path / "cxsteward"
    (fake / layer).mkdir(parents=True)
    (fake / layer / "mod.py").write_text(line + "\n", "utf-8")
    assert bool(violations(fake)) is should_fail
