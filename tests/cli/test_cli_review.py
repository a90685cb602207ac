"""The review commands: a request from submission to resolution, --json, exit codes, --help."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.domain.governance.spec import Governance
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.trust.reviews import submit_review_request
from cxsteward.services.workspace import Workspace

SETUP = {
    "organization": "Acme",
    "people": [{"key": "omar", "name": "Omar Ops"}],
    "deployments": [{"key": "support-chat", "name": "Support chat", "function": "support"}],
}
COMMANDS = [[], ["submit"], ["status"], ["list"], ["show"], ["start"], ["resolve"]]
COMMANDS += [["withdraw"], ["summary"], ["explain"], ["explanations"], ["explanation"]]


@pytest.fixture
def folder(ws: Workspace) -> Path:
    apply_governance(ws, Governance.model_validate(SETUP), actor="omar")
    return ws.settings.workspace


def cli(runner: CliRunner, folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--workspace", str(folder), "review", *args], env={"COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


def submit(runner: CliRunner, folder: Path) -> dict[str, object]:
    code, out, err = cli(
        runner,
        folder,
        "submit",
        "--deployment",
        "support-chat",
        "--what",
        "The bot refused my refund.",
        "--contact",
        "jo@example.com",
        "--reference",
        "ORD-1",
        "--json",
    )
    assert code == 0, err
    document: dict[str, object] = json.loads(out)
    return document


def test_a_request_from_submission_to_resolution(runner: CliRunner, folder: Path) -> None:
    receipt = submit(runner, folder)
    tracking = str(receipt["tracking_code"])
    assert tracking.startswith("RV-") and receipt["status"] == "received"
    code, out, _ = cli(runner, folder, "status", tracking, "--json")
    assert code == 0 and json.loads(out)["status"] == "received"
    assert "jo@example.com" not in out
    code, out, _ = cli(runner, folder, "list")
    assert code == 0 and "support-chat" in out and "ORD-1" in out and "h left" in out
    code, out, _ = cli(runner, folder, "start", str(receipt["id"]), "--by", "omar")
    assert code == 0 and "in review by omar" in out
    code, out, _ = cli(
        runner,
        folder,
        "resolve",
        str(receipt["id"]),
        "--outcome",
        "changed",
        "--text",
        "We refunded the fee.",
        "--by",
        "omar",
        "--json",
    )
    assert code == 0 and json.loads(out)["outcome"] == "changed"
    code, out, _ = cli(runner, folder, "status", tracking)
    assert code == 0 and "resolved" in out and "We refunded the fee." in out
    code, out, _ = cli(runner, folder, "show", str(receipt["id"]))
    assert code == 0 and "jo@example.com (email)" in out and "Told the customer" in out
    code, out, _ = cli(runner, folder, "list", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = cli(runner, folder, "list", "--all", "--json")
    assert [r["status"] for r in json.loads(out)] == ["resolved"]
    code, out, _ = cli(runner, folder, "summary", "--json")
    assert code == 0 and json.loads(out)["resolved"] == 1


def test_overdue_requests_fail_the_check_with_exit_2(
    runner: CliRunner, folder: Path, ws: Workspace
) -> None:
    code, _, _ = cli(runner, folder, "list", "--overdue", "--fail-on-overdue")
    assert code == 0
    past = datetime.now(UTC) - timedelta(hours=100)
    late = submit_review_request(ws, "support-chat", "No answer yet.", "+15551234567", at=past)
    code, out, _ = cli(runner, folder, "list", "--overdue", "--json", "--fail-on-overdue")
    assert code == 2 and [r["id"] for r in json.loads(out)] == [late.id]
    assert json.loads(out)[0]["overdue"] is True
    code, out, _ = cli(runner, folder, "list", "--overdue")
    assert code == 0 and "OVERDUE" in out


def test_withdraw_and_explanations(runner: CliRunner, folder: Path) -> None:
    receipt = submit(runner, folder)
    code, out, _ = cli(
        runner,
        folder,
        "explain",
        "--deployment",
        "support-chat",
        "--review",
        str(receipt["id"]),
        "--text",
        "The order was past the 30-day window.",
        "--factor",
        "order age",
        "--factor",
        "refund policy",
        "--by",
        "omar",
        "--json",
    )
    assert code == 0
    explanation = json.loads(out)
    assert explanation["factors"] == ["order age", "refund policy"]
    assert explanation["reference"] == "ORD-1"
    code, out, _ = cli(runner, folder, "explanations", "--json")
    assert [e["id"] for e in json.loads(out)] == [explanation["id"]]
    code, out, _ = cli(runner, folder, "explanation", str(explanation["id"]))
    assert code == 0 and "- order age" in out
    code, out, _ = cli(
        runner,
        folder,
        "withdraw",
        str(receipt["id"]),
        "--reason",
        "Called to cancel",
        "--by",
        "omar",
    )
    assert code == 0 and "withdrawn" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "RV-0000-0000-0000-0000"], "No review request has that tracking code"),
        (["status", "nonsense"], "not in the right form"),
        (["show", "9"], "No review request 9"),
        (
            ["submit", "--deployment", "web", "--what", "x", "--contact", "jo@example.com"],
            "No deployment 'web'",
        ),
        (
            ["submit", "--deployment", "support-chat", "--what", "x", "--contact", "jo@"],
            "not an e-mail address",
        ),
        (["resolve", "1", "--outcome", "nope", "--text", "t", "--by", "omar"], "Unknown outcome"),
        (["summary", "--since", "last week"], "--since 'last week'"),
        (["explanation", "3"], "No explanation 3"),
    ],
    ids=["unknown-code", "bad-code", "missing", "deployment", "email", "outcome", "date", "expl"],
)
def test_errors_print_one_line_and_exit_1(
    runner: CliRunner, folder: Path, args: list[str], message: str
) -> None:
    code, _, err = cli(runner, folder, *args)
    assert code == 1
    assert err.startswith("Error: ") and message in err


def test_a_refused_move_exits_1(runner: CliRunner, folder: Path) -> None:
    receipt = submit(runner, folder)
    code, _, err = cli(
        runner,
        folder,
        "resolve",
        str(receipt["id"]),
        "--outcome",
        "upheld",
        "--text",
        "t",
        "--by",
        "omar",
    )
    assert code == 1 and "from received it can move to in_review" in err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "group")
def test_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, ["review", *command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout or not command
