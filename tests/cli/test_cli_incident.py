"""The incident commands: exit codes, --json, readable errors and --help."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.workspace import Workspace

SETUP = {
    "organization": "Acme",
    "people": [
        {"key": "omar", "name": "Omar Ops", "email": "omar@acme.test"},
        {"key": "eve", "name": "Eve Engineer", "email": "eve@acme.test"},
        {"key": "lena", "name": "Lena Legal", "email": "lena@acme.test", "function": "legal"},
    ],
    "deployments": [
        {
            "key": "support-chat",
            "name": "Support chat",
            "function": "support",
            "status": "production",
            "decision_rights": {"pause": ["omar"], "modify": ["eve"]},
        }
    ],
    "protocols": [
        {"severity": "sev2", "notify": ["omar"], "respond_within_hours": 4, "decides": "omar"}
    ],
    "accountability": [{"metric": "complaint_rate", "monitors": "omar", "acts": "eve"}],
    "templates": [
        {
            "key": "apology",
            "incident_type": "complaint_rate",
            "text": "Dear {customer}, we are sorry.",
            "placeholders": ["customer"],
            "approved_by": "lena",
            "approved_at": datetime(2026, 10, 1, tzinfo=UTC),
        }
    ],
}
COMMANDS = [[], ["list"], ["show"], ["open"], ["ack"], ["status"], ["decide"], ["draft"]]
COMMANDS += [["send"], ["sync"]]


@pytest.fixture
def folder(ws: Workspace) -> Path:
    apply_governance(ws, Governance.model_validate(SETUP), actor="omar")
    return ws.settings.workspace


def cli(runner: CliRunner, folder: Path, *args: str) -> tuple[int, str, str]:
    # Wide enough that table cells print unwrapped.
    result = runner.invoke(
        app, ["--workspace", str(folder), "incident", *args], env={"COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


def store_breach(ws: Workspace) -> int:
    finding = Finding(
        kind="threshold_breach",
        metric="complaint_rate",
        scope={},
        deployment="support-chat",
        windows={"from": "2026-10-01", "to": "2026-10-31"},
        estimate={"ai": 0.08, "human": 0.04},
        n={"ai": 5000, "human": 5000},
        ci=(1.6, 2.4),
        p_value=1e-5,
        q_value=None,
        effect={"ratio": 2.0},
        threshold="complaints",
        rule="complaint_rate ratio AI/human above 1.5",
        severity="sev2",
        action="escalate",
        status="confirmed",
        message="complaints in support-chat: ratio 2.00.",
        trace=Trace(deployment="support-chat"),
    )
    at = datetime.now(UTC)
    with ws.transaction() as session:
        run = MonitorRunRecord(
            started_at=at, finished_at=at, parameters={}, artifacts="runs/x", n_findings=1
        )
        session.add(run)
        session.flush()
        session.add(
            FindingRecord(
                run_id=run.id,
                kind=finding.kind,
                metric=finding.metric,
                deployment=finding.deployment,
                key=finding.key,
                severity=finding.severity,
                status=finding.status,
                body=finding.model_dump(mode="json"),
            )
        )
        return run.id


def test_open_ack_status_list_show(runner: CliRunner, folder: Path) -> None:
    code, out, err = cli(
        runner,
        folder,
        "open",
        "--title",
        "Bot quotes wrong fees",
        "--deployment",
        "support-chat",
        "--severity",
        "sev2",
        "--by",
        "omar",
        "--metric",
        "complaint_rate",
        "--json",
    )
    assert code == 0, err
    made = json.loads(out)
    assert made["owner"] == "eve" and made["status"] == "open" and made["notify"] == ["omar"]
    code, out, _ = cli(runner, folder, "ack", str(made["id"]), "--by", "eve")
    assert code == 0 and f"Incident {made['id']} is now acknowledged." in out
    code, out, _ = cli(
        runner,
        folder,
        "status",
        str(made["id"]),
        "mitigating",
        "--by",
        "eve",
        "--note",
        "prompt patched",
    )
    assert code == 0
    code, out, _ = cli(runner, folder, "list", "--json")
    assert [(i["id"], i["status"]) for i in json.loads(out)] == [(made["id"], "mitigating")]
    code, out, _ = cli(runner, folder, "list", "--status", "open", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = cli(runner, folder, "list")
    assert code == 0 and "Bot quotes wrong fees" in out
    code, out, _ = cli(runner, folder, "show", str(made["id"]))
    assert code == 0 and "Owner:" in out and "prompt patched" in out and "Timeline" in out
    code, out, _ = cli(runner, folder, "show", str(made["id"]), "--json")
    events = json.loads(out)["events"]
    assert [e["kind"] for e in events][:1] == ["opened"]
    assert {"from": "acknowledged", "to": "mitigating", "note": "prompt patched"} in [
        e["detail"] for e in events
    ]


def test_refused_status_moves_and_unknown_ids_exit_1(runner: CliRunner, folder: Path) -> None:
    code, out, _ = cli(
        runner,
        folder,
        "open",
        "--title",
        "x",
        "--deployment",
        "support-chat",
        "--severity",
        "sev2",
        "--by",
        "omar",
        "--json",
    )
    incident_id = str(json.loads(out)["id"])
    code, _, err = cli(runner, folder, "status", incident_id, "closed", "--by", "eve")
    assert code == 1 and "cannot move from open to closed" in err and err.startswith("Error:")
    code, _, err = cli(runner, folder, "show", "99")
    assert code == 1 and "No incident 99" in err
    code, _, err = cli(
        runner,
        folder,
        "open",
        "--title",
        "x",
        "--deployment",
        "support-chat",
        "--severity",
        "high",
        "--by",
        "omar",
    )
    assert code == 1 and "Unknown severity 'high'" in err


def test_decide_permitted_and_refused(runner: CliRunner, folder: Path) -> None:
    code, _, err = cli(
        runner,
        folder,
        "decide",
        "pause",
        "--deployment",
        "support-chat",
        "--by",
        "eve",
        "--why",
        "complaints",
    )
    assert code == 1
    assert "Error: eve may not pause support-chat. Who may decide: omar (the pause right" in err
    code, out, err = cli(
        runner,
        folder,
        "decide",
        "pause",
        "--deployment",
        "support-chat",
        "--by",
        "omar",
        "--why",
        "complaints",
        "--json",
    )
    assert code == 0, err
    decision = json.loads(out)
    assert decision["status_after"] == "paused"
    assert decision["authority"] == "pause right on support-chat"
    code, out, _ = cli(
        runner,
        folder,
        "decide",
        "resume",
        "--deployment",
        "support-chat",
        "--by",
        "omar",
        "--why",
        "fixed",
    )
    assert code == 0 and "support-chat is now production" in out


def test_sync_draft_and_send(runner: CliRunner, folder: Path, ws: Workspace) -> None:
    run_id = store_breach(ws)
    code, out, err = cli(runner, folder, "sync", str(run_id), "--json")
    assert code == 0, err
    synced = json.loads(out)
    # The shape of before the typed result: the notifications still owed are never printed.
    assert list(synced) == ["run", "opened", "updated", "not_incidents"]
    assert synced["run"] == run_id and synced["updated"] == []
    assert len(synced["opened"]) == 1 and synced["not_incidents"] == {}
    incident_id = str(synced["opened"][0])
    code, _, err = cli(
        runner, folder, "draft", incident_id, "--template", "apology", "--by", "lena"
    )
    assert code == 1 and "column 'customer': has no value" in err
    code, _, err = cli(
        runner,
        folder,
        "draft",
        incident_id,
        "--template",
        "apology",
        "--value",
        "customer",
        "--by",
        "lena",
    )
    assert code == 1 and "use NAME=VALUE" in err
    code, out, err = cli(
        runner,
        folder,
        "draft",
        incident_id,
        "--template",
        "apology",
        "--value",
        "customer=Ms Novak",
        "--by",
        "lena",
    )
    assert code == 0, err
    assert "Dear Ms Novak, we are sorry." in out
    code, out, _ = cli(runner, folder, "send", "1", "--by", "omar", "--json")
    assert code == 0 and json.loads(out)["sent_by"] == "omar"
    code, _, err = cli(runner, folder, "send", "1", "--by", "omar")
    assert code == 1 and "already sent" in err
    code, out, _ = cli(runner, folder, "sync", str(run_id))
    assert code == 0 and "0 incident(s) opened, 0 updated" in out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "incident")
def test_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, ["incident", *command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    if command:
        assert "Example: cxsteward incident" in result.stdout
