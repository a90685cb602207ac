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


# --- The contract layering of issue 15 -------------------------------------------------
# Frameworks of the adapters: a service that imports one has taken on an adapter's job.
ADAPTER_FRAMEWORKS = {"fastapi", "starlette", "jinja2", "typer", "click", "rich"}
# Known until the helpers moving them land (issue 15); each entry fails once it is gone,
# so the list only shrinks. Mirrors: web classes named as a service result.
PENDING_MIRRORS: set[str] = set()
PENDING_DOCUMENTS: set[str] = set()
PENDING_HAND_STATUSES: set[str] = set()
# Where an error status may be written as a number: the one mapper, and the middleware
# refusing what never reaches a route (a body too large, a crash).
STATUS_WRITERS = {"web/errors.py", "web/security.py"}


def _trees(folder: str) -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(SRC).as_posix(), ast.parse(path.read_text("utf-8"), str(path)))
        for path in sorted((SRC / folder).rglob("*.py"))
    ]


def _class_names(folder: str) -> set[str]:
    return {
        node.name
        for _, tree in _trees(folder)
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }


def framework_imports(root: Path) -> list[str]:
    """Imports of an adapter framework anywhere under ``root``'s services/."""
    return [
        f"{path.relative_to(root)}:{line} {module}"
        for path in sorted((root / "services").rglob("*.py"))
        for line, module in imports_of(path)
        if module.split(".")[0] in ADAPTER_FRAMEWORKS
    ]


def files_defining_document() -> set[str]:
    return {
        name
        for name, tree in _trees("services")
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "document" for node in ast.walk(tree)
        )
    }


def _is_error_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and 400 <= node.value < 600


def hand_statuses(trees: list[tuple[str, ast.Module]]) -> dict[str, list[int]]:
    """Per file, the lines passing an error status as a literal (argument or status keyword)."""
    found: dict[str, list[int]] = {}
    for name, tree in trees:
        if name in STATUS_WRITERS:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            values = [*node.args, *(k.value for k in node.keywords if k.arg != "max_length")]
            lines = [value.lineno for value in values if _is_error_status(value)]
            if isinstance(node.func, ast.Name) and node.func.id == "HTTPException":
                lines.append(node.lineno)
            if lines:
                found.setdefault(name, []).extend(lines)
    return {name: sorted(lines) for name, lines in found.items()}


def test_services_import_no_adapter_framework() -> None:
    assert framework_imports(SRC) == []


def test_web_defines_no_mirror_of_a_service_class() -> None:
    mirrors = _class_names("web") & _class_names("services")
    assert mirrors - PENDING_MIRRORS == set(), "a web class mirrors a service result"
    assert PENDING_MIRRORS - mirrors == set(), "gone: remove it from PENDING_MIRRORS"


def test_no_service_has_a_document_method() -> None:
    found = files_defining_document()
    assert found - PENDING_DOCUMENTS == set(), "return a Result; print_json writes it"
    assert PENDING_DOCUMENTS - found == set(), "gone: remove it from PENDING_DOCUMENTS"


def test_only_the_error_mapper_writes_error_statuses() -> None:
    found = hand_statuses(_trees("web"))
    assert {name: lines for name, lines in found.items() if name not in PENDING_HAND_STATUSES} == {}
    assert PENDING_HAND_STATUSES - set(found) == set(), "gone: remove it from the pending list"


def test_the_status_rule_catches_a_hand_picked_status() -> None:
    route = ast.parse(
        "def page(request):\n"
        "    try:\n        act()\n"
        "    except Conflict as exc:\n"
        "        return render(request, 'x.html', {}, status_code=409)\n"
        "    raise HTTPException(404)\n"
        "Form(max_length=400)\n"
    )
    assert hand_statuses([("web/routes/x.py", route)]) == {"web/routes/x.py": [5, 6, 6]}


def test_the_framework_rule_catches_a_service_importing_fastapi(tmp_path: Path) -> None:
    fake = tmp_path / "cxsteward"
    (fake / "services").mkdir(parents=True)
    (fake / "services" / "mod.py").write_text("from fastapi import Form\n", "utf-8")
    assert framework_imports(fake) == ["services/mod.py:1 fastapi"]
