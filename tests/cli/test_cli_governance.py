"""``cxsteward governance ...``: exit codes, --json, and the help of every command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cxsteward.cli import common
from cxsteward.cli.app import app
from cxsteward.config import Settings
from cxsteward.services.clock import FixedClock
from cxsteward.services.workspace import Workspace, open_workspace

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
        ["committee-decision"],
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
    assert code == 0 and "is valid: Kestrel Telecom; 14 people, 4 deployments" in out
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
        "note": "",
        "needs": "",
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
        "previous": "scaling",
        "status": "paused",
        "on": json.loads(out)["on"],
        "by": "marco-ricci",
        "reason": "wrong bills",
        "authority": "pause right on billing-voice",
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
        "support-chat",
        "--model",
        "lumen-assist",
        "--version",
        "v3",
        "--from",
        "2025-03-01",
        "--by",
        "tomasz-wilk",
    )
    assert code == 0 and "lumen-assist v3 from 2025-03-01" in out
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


def test_a_person_without_the_right_is_refused_naming_who_may(
    runner: CliRunner, applied: Path
) -> None:
    # Seen in the demo: amara-mensah holds no right on billing-voice, yet paused it.
    args = ["governance", "deployment-status", "billing-voice", "paused", "--by", "amara-mensah"]
    code, _, err = run(runner, applied, *args, "--reason", "x")
    assert code == 1
    assert "Error: amara-mensah may not pause billing-voice. Who may decide: dev-raman, " in err
    assert "marco-ricci (the pause right on billing-voice)" in " ".join(err.split())
    code, out, _ = run(runner, applied, "governance", "export")
    assert "status: scaling" in out.split("key: billing-voice")[1].split("key: ")[0]


def test_committee_decision_then_apply_and_plan_name_rights(
    runner: CliRunner, applied: Path, tmp_path: Path
) -> None:
    meeting = ["governance", "meeting", "add", "--on", "2025-03-11"]
    for who in ("maya-okafor", "dev-raman", "lena-fischer", "hana-sato"):
        meeting += ["--attendee", who]
    assert run(runner, applied, *meeting)[0] == 0
    present = ["--present", "maya-okafor", "--present", "dev-raman", "--present", "lena-fischer"]
    decide = ["governance", "committee-decision", "billing-voice", "production"]
    decide += ["--meeting", "2025-03-11", "--reason", "Targets met", "--by", "maya-okafor"]
    code, _, err = run(runner, applied, *decide, *present, "--for", "3")
    assert code == 1 and "Quorum not met: 3 of 6 members present" in " ".join(err.split())
    quorate = [*present, "--present", "hana-sato", "--for", "3"]
    code, _, err = run(runner, applied, *decide, *quorate)
    # The bare example has no data, so the scale gate says no-go: only an override passes.
    assert code == 1 and "The scale gate says no-go" in " ".join(err.split())
    code, out, _ = run(runner, applied, *decide, *quorate, "--override-gate", "--json")
    assert code == 0, out
    assert json.loads(out)["overrides_gate"] is True
    decision = json.loads(out)
    assert (decision["quorum"], decision["members"], decision["votes_for"]) == (4, 6, 3)
    assert decision["used_at"] is not None
    exported = tmp_path / "now.yaml"
    assert run(runner, applied, "governance", "export", "--out", str(exported))[0] == 0
    # A file that pauses support-chat: plan names the right; apply needs a --by holding it.
    text = exported.read_text("utf-8").replace("status: production\n", "status: paused\n", 1)
    edited = tmp_path / "edited.yaml"
    edited.write_text(text, "utf-8")
    code, out, _ = run(runner, applied, "governance", "plan", str(edited), "--json")
    [status] = [c for c in json.loads(out)["changes"] if c["kind"] == "deployment"]
    assert status["key"] == "support-chat"
    assert status["needs"].startswith("needs the pause right: dev-raman, priya-nair (the pause")
    code, _, err = run(runner, applied, "governance", "apply", str(edited))
    assert code == 1 and "name one with --by" in err
    code, _, err = run(runner, applied, "governance", "apply", str(edited), "--by", "hana-sato")
    refusal = " ".join(err.split())
    assert code == 1 and "column 'deployments[0].status': hana-sato may not pause" in refusal
    # hana-sato sits on the committee, which does not make her a decider on her own.
    assert "in an emergency. A member of Customer AI Council does not decide alone" in refusal
    assert refusal.endswith("(value 'paused')")
    code, out, _ = run(runner, applied, "governance", "apply", str(edited), "--by", "priya-nair")
    assert code == 0, out


def test_a_file_changing_right_holders_needs_a_committee_decision(
    runner: CliRunner, applied: Path, tmp_path: Path
) -> None:
    edited = tmp_path / "rights.yaml"
    text = EXAMPLE.read_text("utf-8")
    old = "      pause: [dev-raman, marco-ricci]\n"
    edited.write_text(text.replace(old, "      pause: [dev-raman, marco-ricci, hana-sato]\n"))
    row = text[: text.index(old)].count("\n") + 1
    code, out, _ = run(runner, applied, "governance", "plan", str(edited), "--json")
    [change] = [c for c in json.loads(out)["changes"] if c["kind"] == "deployment"]
    assert change["key"] == "billing-voice"
    assert change["needs"] == (
        "needs a committee decision: a decision of Customer AI Council with quorum 4 of 6 members"
    )
    code, _, err = run(runner, applied, "governance", "apply", str(edited), "--by", "maya-okafor")
    refusal = " ".join(err.split())
    assert code == 1
    assert (
        f"row {row}, column 'deployments[1].decision_rights.pause': maya-okafor may not" in refusal
    )
    assert refusal.endswith("(value 'pause: +hana-sato')")
    meeting = ["governance", "meeting", "add", "--on", "2025-03-11"]
    for who in ("maya-okafor", "dev-raman", "lena-fischer", "hana-sato"):
        meeting += ["--attendee", who]
    assert run(runner, applied, *meeting)[0] == 0
    decide = ["governance", "committee-decision", "billing-voice", "rights", "--for", "4"]
    decide += ["--meeting", "2025-03-11", "--reason", "On-call rota", "--by", "maya-okafor"]
    for who in ("maya-okafor", "dev-raman", "lena-fischer", "hana-sato"):
        decide += ["--present", who]
    assert run(runner, applied, *decide)[0] == 0
    # The file must now carry the meeting: edit the export, as the refusal above advised.
    exported = tmp_path / "now.yaml"
    assert run(runner, applied, "governance", "export", "--out", str(exported))[0] == 0
    now = exported.read_text("utf-8")
    assert now.count("pause:\n    - dev-raman\n    - marco-ricci\n") == 1
    edited.write_text(
        now.replace(
            "pause:\n    - dev-raman\n    - marco-ricci\n",
            "pause:\n    - dev-raman\n    - marco-ricci\n    - hana-sato\n",
        )
    )
    # hana-sato sat in the vote, but she may not apply her own grant.
    code, _, err = run(runner, applied, "governance", "apply", str(edited), "--by", "hana-sato")
    refusal = " ".join(err.split())
    assert code == 1 and "hana-sato may not add themselves as a holder of the pause" in refusal
    code, out, err = run(runner, applied, "governance", "apply", str(edited), "--by", "maya-okafor")
    assert code == 0, err
    code, _, err = run(runner, applied, "governance", "apply", str(exported), "--by", "maya-okafor")
    assert code == 1 and "decision_rights.pause" in err, "the decision was used up"


def test_a_meeting_without_a_day_is_held_today_by_the_workspace_clock(
    runner: CliRunner, applied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A leap day no machine clock will show while this suite runs: only the workspace's
    # clock can have put it there.
    fixed = FixedClock(datetime(2024, 2, 29, 23, 30, tzinfo=UTC))

    def opened(settings: Settings) -> Workspace:
        return open_workspace(settings, clock=fixed)

    monkeypatch.setattr(common, "open_workspace", opened)
    code, out, err = run(
        runner, applied, "governance", "meeting", "add", "--attendee", "maya-okafor", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["held_on"] == "2024-02-29"
