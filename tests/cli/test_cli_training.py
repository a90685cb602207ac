"""The training commands: modules, import (mapping file or --column), record, coverage, --help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.services.governance.setup import apply_governance, read_governance_file
from cxsteward.services.workspace import Workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "governance.yaml"

COMMANDS = [[], ["modules"], ["import"], ["record"], ["coverage"]]


@pytest.fixture
def folder(ws: Workspace) -> Path:
    apply_governance(ws, read_governance_file(EXAMPLE))
    return ws.settings.workspace


def cli(runner: CliRunner, folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--workspace", str(folder), "training", *args], env={"COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "group" for c in COMMANDS])
def test_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, ["training", *command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.stdout


def test_modules_lists_what_the_file_declares(runner: CliRunner, folder: Path) -> None:
    code, out, _ = cli(runner, folder, "modules", "--json")
    assert code == 0
    assert [(m["key"], m["needed_by"]) for m in json.loads(out)] == [
        ("ai-at-the-front-line", 5),
        ("coaching-ai-assisted-work", 1),
        ("ai-oversight-for-the-committee", 6),
        ("ai-risk-for-leaders", 1),
    ]
    code, out, _ = cli(runner, folder, "modules")
    assert code == 0 and "730 days" in out


def test_import_record_and_coverage(runner: CliRunner, folder: Path, tmp_path: Path) -> None:
    export = tmp_path / "lms.csv"
    export.write_text("Email,Course,Done\nkwame-asante,ai-at-the-front-line,2024-01-05\n")
    columns = ["--column", "person=Email", "--column", "module=Course", "--column"]
    code, out, err = cli(runner, folder, "import", str(export), *columns, "completed_on=Done")
    assert code == 0, err
    assert "1 rows, 1 completions added, 0 already recorded" in out
    mapping = tmp_path / "m.yaml"
    mapping.write_text("person: Email\nmodule: Course\ncompleted_on: Done\n")
    code, out, _ = cli(runner, folder, "import", str(export), "--mapping", str(mapping), "--json")
    assert code == 0 and json.loads(out)["already_recorded"] == 1
    code, out, err = cli(
        runner, folder, "record", "ravi-patel", "ai-at-the-front-line", "--on", "2024-06-01"
    )
    assert code == 0, err
    assert "ravi-patel completed ai-at-the-front-line on 2024-06-01" in out
    code, out, _ = cli(runner, folder, "coverage", "--as-of", "2025-03-01", "--json")
    document = json.loads(out)
    front = document["modules"][0]
    assert (front["current"], front["overdue"], front["never"]) == (1, 1, 3)
    assert document["overdue"][0]["person"] == "kwame-asante"
    code, out, _ = cli(runner, folder, "coverage", "--as-of", "2025-03-01")
    assert "Overdue: Kwame Asante (kwame-asante), ai-at-the-front-line, since 2025-01-04" in out


def test_refusals_exit_1_with_located_messages(
    runner: CliRunner, folder: Path, tmp_path: Path
) -> None:
    export = tmp_path / "lms.csv"
    export.write_text("Email,Course,Done\nghost,ai-at-the-front-line,2024-01-05\n")
    code, _, err = cli(
        runner, folder, "import", str(export), "--column", "person=Email",
        "--column", "module=Course", "--column", "completed_on=Done",
    )  # fmt: skip
    assert code == 1
    assert "row 2, column 'Email': names nobody in the governance file" in err
    assert "(value 'ghost')" in err
    code, _, err = cli(runner, folder, "import", str(export))
    assert code == 2 and "--mapping FILE or --column" in err
    code, _, err = cli(runner, folder, "record", "ravi-patel", "nope", "--on", "2024-06-01")
    assert code == 1 and "No training module 'nope'" in err
    code, _, err = cli(runner, folder, "coverage", "--as-of", "31/12/2024")
    assert code != 0 and "--as-of" in err
