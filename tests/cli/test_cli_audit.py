"""``cxsteward audit ...`` through the real CLI, on a SQLite workspace in ``tmp_path``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner, Result

from cxsteward.cli.app import app


def run(runner: CliRunner, ws: Path, *args: str) -> Result:
    return runner.invoke(app, ["--workspace", str(ws), *args])


@pytest.fixture
def workspace(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with three audited changes, made by the actor 'erin'."""
    monkeypatch.setenv("CXSTEWARD_ACTOR", "erin")
    ws = tmp_path / "ws"
    for args in (
        ["init"],
        ["assess", "open", "2026-Q3"],
        ["assess", "open", "2026-Q4"],
        ["assess", "close", "2026-Q3"],
    ):
        result = run(runner, ws, *args)
        assert result.exit_code == 0, result.output
    return ws


def tamper(ws: Path, sql: str) -> None:
    engine = create_engine(f"sqlite:///{ws / 'registry.sqlite'}")
    with engine.begin() as connection:
        connection.execute(text(sql))
    engine.dispose()


def test_verify_intact_exits_0(runner: CliRunner, workspace: Path) -> None:
    result = run(runner, workspace, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Audit log intact: 3 entries checked; head 3 ")
    assert result.stderr == ""


def test_verify_json_intact(runner: CliRunner, workspace: Path) -> None:
    result = run(runner, workspace, "audit", "verify", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {k: doc[k] for k in ("intact", "entries", "checked", "head_seq", "problem")} == {
        "intact": True,
        "entries": 3,
        "checked": 3,
        "head_seq": 3,
        "problem": None,
    }
    assert len(doc["head_hash"]) == 64


def test_verify_tampered_exits_2_with_the_first_bad_entry(
    runner: CliRunner, workspace: Path
) -> None:
    tamper(workspace, "DELETE FROM audit_log WHERE seq = 2")
    result = run(runner, workspace, "audit", "verify")
    assert result.exit_code == 2, result.output
    assert "1 entry of 2 verified before the first broken link" in result.stdout
    assert "Tampering found at entry 2 (deleted):" in result.stderr
    assert "entry 2 is missing: the log jumps from 1 to 3." in result.stderr


def test_verify_json_tampered_exits_2(runner: CliRunner, workspace: Path) -> None:
    tamper(workspace, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
    result = run(runner, workspace, "audit", "verify", "--json")
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert doc["intact"] is False and doc["checked"] == 0
    assert {k: doc["problem"][k] for k in ("seq", "kind")} == {"seq": 1, "kind": "edited"}


def test_log_shows_who_changed_what(runner: CliRunner, workspace: Path) -> None:
    result = run(runner, workspace, "audit", "log", "--limit", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("#3  ") and lines[0].endswith("erin  update assessment_cycles 1")
    assert '"status": ["open", "closed"]' in lines[1]


def test_log_json_and_table_filter(runner: CliRunner, workspace: Path) -> None:
    result = run(runner, workspace, "audit", "log", "--table", "assessment_cycles", "--json")
    assert result.exit_code == 0, result.output
    doc: list[dict[str, Any]] = json.loads(result.stdout)
    assert [(e["seq"], e["action"], e["key"]) for e in doc] == [
        (1, "insert", "1"),
        (2, "insert", "2"),
        (3, "update", "1"),
    ]
    assert doc[2]["changes"]["status"] == ["open", "closed"]
    # UTC, written as every Result's time is (services/contract.py): ISO 8601 with "Z".
    assert doc[0]["at"].endswith("Z") and doc[0]["actor"] == "erin"


def test_log_of_a_quiet_table(runner: CliRunner, workspace: Path) -> None:
    result = run(runner, workspace, "audit", "log", "--table", "thresholds")
    assert result.exit_code == 0, result.output
    assert result.stdout == "No audit entries for thresholds.\n"


def test_log_bad_option_is_one_error_line(runner: CliRunner, workspace: Path) -> None:
    result = run(runner, workspace, "audit", "log", "--table", "findings")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --table findings: not audited")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [[], ["verify"], ["log"]], ids=["audit", "verify", "log"])
def test_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, ["audit", *command, "--help"])
    assert result.exit_code == 0
    assert "audit" in result.stdout
    if command:
        assert "Example: cxsteward audit " + command[0] in result.stdout


def test_verify_reports_rows_changed_outside_cxsteward_and_exits_2(
    runner: CliRunner, workspace: Path
) -> None:
    # The seen case: a column rewritten with plain SQL left the chain intact.
    tamper(workspace, "UPDATE assessment_cycles SET status = 'open' WHERE name = '2026-Q3'")
    tamper(
        workspace,
        "INSERT INTO assessment_cycles (name, status, opened_at, bank_id, bank_version, "
        "bank_json, maturity_json) VALUES ('forged', 'open', '2024-01-01 00:00:00', 'b', 'v', "
        "'{}', '{}')",
    )
    result = run(runner, workspace, "audit", "verify")
    assert result.exit_code == 2, result.output
    assert result.stdout.startswith("Audit log chain intact: 3 entries checked")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("2 difference(s) between the registry and the audit log")
    assert sorted(lines[1:]) == [
        '  assessment_cycles row 1, column status: stored "open", audited "closed"',
        "  assessment_cycles row 3: in the registry, but no audit entry records its insert",
    ]
    doc = json.loads(run(runner, workspace, "audit", "verify", "--json").stdout)
    assert doc["intact"] is False and doc["problem"] is None
    changed = next(d for d in doc["drift"] if d["kind"] == "changed")
    assert {k: changed[k] for k in ("table", "key", "column", "stored", "audited")} == {
        "table": "assessment_cycles",
        "key": "1",
        "column": "status",
        "stored": "open",
        "audited": "closed",
    }


def test_verify_of_an_emptied_log_and_head_fails(runner: CliRunner, workspace: Path) -> None:
    tamper(workspace, "DELETE FROM audit_log")
    tamper(workspace, "DELETE FROM audit_head")
    result = run(runner, workspace, "audit", "verify")
    assert result.exit_code == 2, result.output
    assert "0 entries checked; empty log" in result.stdout
    assert result.stderr.splitlines()[0].startswith("2 difference(s)")  # the two cycles
