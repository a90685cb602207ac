"""``cxsteward governance ...``: exit codes, --json, and the help of every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cxsteward.cli.app import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"


def run(runner: CliRunner, ws: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--workspace", str(ws), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ws(runner: CliRunner, tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    assert run(runner, folder, "init")[0] == 0
    return folder


@pytest.fixture
def applied(runner: CliRunner, ws: Path) -> Path:
    code, _, err = run(runner, ws, "governance", "apply", str(EXAMPLE))
    assert code == 0, err
    return ws


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["validate"],
        ["plan"],
        ["apply"],
        ["export"],
        ["check"],
        ["deployment-status"],
        ["approve-template"],
        ["meeting", "add"],
        ["model-version", "add"],
        ["roadmap-review", "add"],
    ],
    ids=lambda c: " ".join(c) or "group",
)
def test_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, ["governance", *command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    if command:
        assert "Example: cxsteward governance" in result.stdout


def test_validate(runner: CliRunner, ws: Path, tmp_path: Path) -> None:
    code, out, _ = run(runner, ws, "governance", "validate", str(EXAMPLE))
    assert code == 0 and "is valid: Kestrel Telecom; 10 people, 4 deployments" in out
    code, out, _ = run(runner, ws, "governance", "validate", str(EXAMPLE), "--json")
    declared = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    assert json.loads(out)["counts"]["templates"] == len(declared["templates"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "organization: A\npeople:\n  - {key: a, name: A}\n  - {key: a, name: B}\n"
        "deployments:\n  - {key: d, name: D, function: legal}\n"
    )
    code, out, err = run(runner, ws, "governance", "validate", str(bad))
    assert code == 1
    assert "row 4, column 'people[1].key': is used twice (value 'a')" in err
    assert "row 6, column 'deployments[0].function'" in err


def test_plan_apply_export_round_trip(runner: CliRunner, ws: Path, tmp_path: Path) -> None:
    code, out, _ = run(runner, ws, "governance", "plan", str(EXAMPLE), "--json")
    assert code == 0
    plan = json.loads(out)
    assert plan["counts"]["add"] > 50 and not plan["empty"]
    code, out, _ = run(runner, ws, "governance", "apply", str(EXAMPLE))
    assert code == 0 and "to add, 0 to change, 0 to remove" in out
    exported = tmp_path / "exported.yaml"
    code, out, _ = run(runner, ws, "governance", "export", "--out", str(exported))
    assert code == 0 and exported.exists()
    code, out, _ = run(runner, ws, "governance", "apply", str(exported), "--json")
    assert code == 0 and json.loads(out)["empty"] is True
    code, out, _ = run(runner, ws, "governance", "export")
    assert out == exported.read_text("utf-8")


def test_plan_shows_field_changes(runner: CliRunner, applied: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        EXAMPLE.read_text("utf-8").replace("cadence_days: 30", "cadence_days: 14"), "utf-8"
    )
    code, out, _ = run(runner, applied, "governance", "plan", str(edited))
    assert code == 0 and "cadence_days: 30 -> 14" in out
    code, out, _ = run(runner, applied, "governance", "plan", str(edited), "--json")
    [change] = json.loads(out)["changes"]
    assert change == {
        "kind": "committee",
        "key": "committee",
        "action": "change",
        "fields": [{"field": "cadence_days", "old": 30, "new": 14}],
    }


def test_export_before_apply_is_an_error(runner: CliRunner, ws: Path) -> None:
    code, _, err = run(runner, ws, "governance", "export")
    assert code == 1 and "No governance in this workspace yet" in err


def test_deployment_status(runner: CliRunner, applied: Path) -> None:
    args = ["governance", "deployment-status", "billing-voice", "paused", "--by", "marco-ricci"]
    code, out, _ = run(runner, applied, *args, "--reason", "wrong bills", "--json")
    assert code == 0
    assert json.loads(out) == {
        "deployment": "billing-voice",
        "from": "scaling",
        "status": "paused",
        "on": json.loads(out)["on"],
        "by": "marco-ricci",
        "reason": "wrong bills",
    }
    args = ["governance", "deployment-status", "billing-voice", "production", "--by", "dev-raman"]
    code, _, err = run(runner, applied, *args, "--reason", "x")
    assert code == 1 and "allowed: scaling, retired" in err


def test_approve_template_and_records(runner: CliRunner, applied: Path) -> None:
    args = ["governance", "approve-template", "billing-correction", "--by", "lena-fischer"]
    code, out, _ = run(runner, applied, *args)
    assert code == 0 and "version 1 approved by lena-fischer" in out
    code, _, err = run(runner, applied, *args)
    assert code == 1 and "already approved" in err
    code, out, _ = run(
        runner,
        applied,
        "governance",
        "meeting",
        "add",
        "--on",
        "2025-03-11",
        "--attendee",
        "maya-okafor",
        "--decision",
        "Pause nothing",
        "--json",
    )
    assert code == 0 and json.loads(out)["decisions"] == ["Pause nothing"]
    code, _, err = run(runner, applied, "governance", "meeting", "add", "--on", "11/03/2025")
    assert code == 1 and "use YYYY-MM-DD" in err
    code, out, _ = run(
        runner,
        applied,
        "governance",
        "model-version",
        "add",
        "billing-voice",
        "--model",
        "parlance-dialog",
        "--version",
        "v2",
        "--from",
        "2025-03-01",
    )
    assert code == 0 and "parlance-dialog v2 from 2025-03-01" in out
    code, out, _ = run(
        runner,
        applied,
        "governance",
        "roadmap-review",
        "add",
        "--on",
        "2025-04-01",
        "--reviewer",
        "maya-okafor",
        "--notes",
        "On track",
    )
    assert code == 0 and "2025-04-01" in out


def test_check_exits_2_on_blocking_gaps(runner: CliRunner, applied: Path) -> None:
    code, out, _ = run(runner, applied, "governance", "check", "--json")
    assert code == 2
    report = json.loads(out)
    assert report["blocking"] is True
    rules = {gap["rule"] for gap in report["gaps"]}
    assert {"accountability.collapsed_chain", "disclosure.inconsistent"} <= rules
    code, out, _ = run(runner, applied, "governance", "check")
    assert code == 2 and "BLOCKS  accountability.collapsed_chain" in out
