"""The feedback commands: anonymous flags, triage, acted on, stats, --json, exit codes, --help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.domain.governance.spec import Governance
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.workspace import Workspace

SETUP = {
    "organization": "Acme",
    "people": [{"key": "omar", "name": "Omar Ops"}, {"key": "eve", "name": "Eve Engineer"}],
    "deployments": [{"key": "support-chat", "name": "Support chat", "function": "support"}],
    "protocols": [
        {"severity": "sev2", "notify": ["omar"], "respond_within_hours": 4, "decides": "omar"}
    ],
}
COMMANDS = [[], ["submit"], ["follow"], ["list"], ["show"], ["triage"], ["act"], ["decline"]]
COMMANDS += [["stats"]]


@pytest.fixture
def folder(ws: Workspace) -> Path:
    apply_governance(ws, Governance.model_validate(SETUP), actor="omar")
    return ws.settings.workspace


def cli(runner: CliRunner, folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--workspace", str(folder), "feedback", *args], env={"COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


def send(runner: CliRunner, folder: Path, *who: str, category: str = "tone") -> dict[str, object]:
    code, out, err = cli(
        runner,
        folder,
        "submit",
        "--deployment",
        "support-chat",
        "--category",
        category,
        "--text",
        "The bot joked about a bereavement.",
        *who,
        "--json",
    )
    assert code == 0, err
    document: dict[str, object] = json.loads(out)
    return document


def test_anonymous_flag_triaged_acted_on_and_followed(runner: CliRunner, folder: Path) -> None:
    receipt = send(runner, folder, "--anonymous")
    assert receipt["anonymous"] is True and receipt["incident_id"] is None
    follow_up = str(receipt["follow_up_code"])
    fid = str(receipt["id"])
    code, out, _ = cli(runner, folder, "list")
    assert code == 0 and "anonymous" in out and "bereavement" in out
    code, out, _ = cli(
        runner, folder, "triage", fid, "--severity", "sev3", "--owner", "eve", "--by", "omar"
    )
    assert code == 0 and "triaged as sev3" in out
    code, out, _ = cli(
        runner,
        folder,
        "act",
        fid,
        "--change",
        "Bereavement goes to a human.",
        "--by",
        "eve",
        "--json",
    )
    assert code == 0 and json.loads(out)["status"] == "acted_on"
    code, out, _ = cli(runner, folder, "follow", follow_up)
    assert code == 0 and "acted on" in out and "Bereavement goes to a human." in out
    code, out, _ = cli(runner, folder, "show", fid, "--json")
    shown = json.loads(out)
    assert shown["reporter"] is None and shown["anonymous"] is True and shown["owner"] == "eve"
    code, out, _ = cli(runner, folder, "stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["submitted"], stats["acted_on"], stats["acted_on_rate"]) == (1, 1, 1.0)


def test_bias_opens_an_incident_and_decline_says_why(runner: CliRunner, folder: Path) -> None:
    receipt = send(runner, folder, "--by", "finn", category="bias")
    assert receipt["incident_id"] is not None
    code, out, _ = cli(
        runner, folder, "triage", str(receipt["id"]), "--severity", "sev3", "--by", "omar"
    )
    assert code == 0
    code, out, _ = cli(
        runner,
        folder,
        "decline",
        str(receipt["id"]),
        "--reason",
        "Same answer for every caller.",
        "--by",
        "omar",
    )
    assert code == 0 and "declined" in out
    code, out, _ = cli(runner, folder, "stats")
    assert code == 0 and "Acted-on rate: 0%" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["submit", "--deployment", "support-chat", "--category", "tone", "--text", "x"],
            "send it anonymously",
        ),
        (
            [
                "submit",
                "--deployment",
                "support-chat",
                "--category",
                "tone",
                "--text",
                "x",
                "--anonymous",
                "--by",
                "finn",
            ],
            "Anonymous feedback names nobody",
        ),
        (
            [
                "submit",
                "--deployment",
                "support-chat",
                "--category",
                "rude",
                "--text",
                "x",
                "--anonymous",
            ],
            "Unknown category 'rude'",
        ),
        (
            ["submit", "--deployment", "web", "--category", "tone", "--text", "x", "--anonymous"],
            "No deployment 'web'",
        ),
        (["act", "1", "--change", "x", "--by", "eve"], "No feedback 1"),
        (["follow", "FB-0000-0000-0000-0000"], "No feedback has that follow-up code"),
        (["list", "--status", "done"], "Unknown status 'done'"),
        (["stats", "--until", "soon"], "--until 'soon'"),
    ],
    ids=["no-sender", "both", "category", "deployment", "missing", "code", "status", "date"],
)
def test_errors_print_one_line_and_exit_1(
    runner: CliRunner, folder: Path, args: list[str], message: str
) -> None:
    code, _, err = cli(runner, folder, *args)
    assert code == 1
    assert err.startswith("Error: ") and message in err


def test_acting_before_triage_exits_1(runner: CliRunner, folder: Path) -> None:
    receipt = send(runner, folder, "--anonymous")
    code, _, err = cli(runner, folder, "act", str(receipt["id"]), "--change", "x", "--by", "eve")
    assert code == 1 and "from new it can move to triaged" in err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "group")
def test_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, ["feedback", *command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout or not command
