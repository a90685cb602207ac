"""`governance check` on a real workspace: applied governance, thresholds, a frozen baseline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cxsteward.domain.governance.checks import DEFAULT_KEY_METRICS
from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.thresholds import Threshold
from cxsteward.services.contract import jsonable
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.governance.check import check_governance
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.thresholds import add_thresholds, retire_threshold
from cxsteward.services.workspace import Workspace

# Creation times in the registry are real clock times, so go-live dates are set around
# the real today: one deployment goes live after everything was recorded, one long before.
TODAY = datetime.now(UTC).date()
LATER = TODAY + timedelta(days=2)
PAST = date(2025, 3, 1)
AGO = (TODAY - timedelta(days=10)).isoformat()


@pytest.fixture(scope="module")
def contacts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("contacts") / "contacts.parquet"
    synthesize(path, 20_000, seed=3)  # support-chat and billing-voice, from 2025-01-01
    yield path


def governance(**changes: Any) -> Governance:
    rights = {"pause": ["ana"], "roll_back": ["ben"]}
    data: dict[str, Any] = {
        "organization": "Example Co",
        "people": [
            {"key": "ana", "name": "Ana", "function": "cx"},
            {"key": "ben", "name": "Ben", "function": "technology"},
            {"key": "cara", "name": "Cara", "function": "legal"},
            {"key": "dev", "name": "Dev", "function": "data"},
        ],
        "committee": {
            "name": "AI council",
            "members": [
                {"person": "ana", "function": "cx"},
                {"person": "ben", "function": "technology"},
                {"person": "cara", "function": "legal"},
            ],
            "cadence_days": 30,
            "authority": ["pause", "roll_back"],
            "meetings": [{"held_on": AGO, "attendees": ["ana", "ben", "cara"]}],
        },
        "deployments": [
            {
                "key": "support-chat",
                "name": "Support chat",
                "function": "support",
                "channels": ["chat"],
                "go_live": LATER.isoformat(),
                "status": "pilot",
                "disclosure": {"chat": "You are chatting with an AI assistant."},
                "decision_rights": rights,
            },
            {
                "key": "billing-voice",
                "name": "Billing voice",
                "function": "sales",
                "channels": ["voice"],
                "go_live": PAST.isoformat(),
                "status": "pilot",
                "disclosure": {"voice": "This call is answered by an automated assistant."},
                "decision_rights": rights,
            },
        ],
        "protocols": [
            {
                "severity": f"sev{n}",
                "notify": ["ana"],
                "respond_within_hours": 4 * n,
                "decides": "ben",
                "tell_customers": n <= 2,
            }
            for n in range(1, 5)
        ],
        "accountability": [
            {"metric": m, "monitors": "dev", "escalates": "ana", "acts": "ben"}
            for m in DEFAULT_KEY_METRICS
        ],
        "templates": [
            {
                "key": "outage",
                "incident_type": "outage",
                "text": "Our assistant made a mistake on {date}.",
                "placeholders": ["date"],
                "approved_by": "cara",
                "approved_at": f"{AGO}T10:00:00Z",
            }
        ],
        "roadmap": {"owner": "ana", "reviews": [{"held_on": AGO, "reviewers": ["ana"]}]},
    }
    data.update(changes)
    return Governance.model_validate(data)


def rule_for(metric: str) -> Threshold:
    return Threshold(id=f"{metric}-gap", metric=metric, direction="above", points=5)


def pairs(report_gaps: Any) -> set[tuple[str, str]]:
    return {(g.rule, g.object) for g in report_gaps}


def test_without_governance_one_blocking_gap_says_what_to_run(ws: Workspace) -> None:
    report = check_governance(ws, today=date(2026, 6, 1))
    assert report.blocking and report.today == date(2026, 6, 1)
    assert [g.rule for g in report.gaps] == ["governance.not_applied"]
    assert "cxsteward governance apply" in report.gaps[0].fix


def test_chain_on_a_real_workspace(ws: Workspace, contacts: Path) -> None:
    apply_governance(ws, governance())
    before = check_governance(ws, today=TODAY)
    assert pairs(g for g in before.gaps if g.blocking) == {
        (f"evidence.{kind}_missing", f"deployment:{d}/metric:{m}")
        for kind in ("threshold", "baseline")
        for d in ("support-chat", "billing-voice")
        for m in DEFAULT_KEY_METRICS
    }

    load_data(ws, contacts)
    add_thresholds(ws, [rule_for(m) for m in DEFAULT_KEY_METRICS])
    freeze_baseline(ws, "january-humans", date(2025, 1, 1), date(2025, 1, 31))
    report = check_governance(ws, today=TODAY)
    late = {
        (rule, f"deployment:billing-voice/metric:{m}")
        for rule in (
            "evidence.threshold_late",
            "evidence.baseline_late",
            "accountability.declared_after_go_live",
        )
        for m in DEFAULT_KEY_METRICS
    }
    # Protocols were recorded today too: long after billing-voice went live.
    declared = {("protocol.declared_after_go_live", f"protocol:{s}") for s in ("sev1", "sev2")}
    assert pairs(report.gaps) == late | declared
    gaps = {(g.rule, g.object): g for g in report.gaps}
    baseline = gaps[("evidence.baseline_late", "deployment:billing-voice/metric:complaint_rate")]
    assert "january-humans" in baseline.message and "after go-live (2025-03-01)" in baseline.message
    threshold = gaps[("evidence.threshold_late", "deployment:billing-voice/metric:complaint_rate")]
    assert "complaint_rate-gap" in threshold.message
    assert {g.rule for g in report.gaps if g.blocking} == {
        "evidence.threshold_late",
        "evidence.baseline_late",
    }
    document = jsonable(report)
    assert json.loads(json.dumps(document)) == document
    assert document["counts"] == {"blocking": 8, "warnings": 6}

    # A retired threshold is no longer evidence for anything.
    retire_threshold(ws, "escalation_rate-gap")
    after = pairs(check_governance(ws, today=TODAY).gaps)
    assert {
        ("evidence.threshold_missing", f"deployment:{d}/metric:escalation_rate")
        for d in ("support-chat", "billing-voice")
    } <= after

    # A baseline edited after freezing no longer proves anything.
    with ws.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE baseline_values SET n = n + 1 WHERE id = (SELECT min(id) FROM baseline_values)"
        )
    altered = check_governance(ws, today=TODAY)
    assert {g.object for g in altered.gaps if g.rule == "evidence.baseline_altered"} == {
        f"deployment:{d}/metric:{m}"
        for d in ("support-chat", "billing-voice")
        for m in DEFAULT_KEY_METRICS
    }
    assert "evidence.baseline_late" not in {g.rule for g in altered.gaps}


@pytest.mark.parametrize(
    ("today", "overdue"),
    [(date(2026, 2, 9), False), (date(2026, 2, 10), True), (date(2026, 1, 9), True)],
    ids=["30-days-after", "31-days-after", "before-the-only-meeting"],
)
def test_today_anchors_the_committee_cadence(ws: Workspace, today: date, overdue: bool) -> None:
    committee = governance().model_dump(mode="json")["committee"]
    committee["meetings"] = [{"held_on": "2026-01-10", "attendees": ["ana"]}]
    apply_governance(ws, governance(committee=committee))
    report = check_governance(ws, today=today)
    assert ("committee.overdue" in {g.rule for g in report.gaps}) is overdue
    assert report.today == today


def test_default_today_is_the_utc_date(ws: Workspace) -> None:
    apply_governance(ws, governance())
    report = check_governance(ws)
    assert report.today == report.checked_at.date()
    assert report.checked_at.tzinfo is not None


def test_creation_times_rewritten_with_sql_change_no_verdict(ws: Workspace, contacts: Path) -> None:
    """The chain check reads when the audit log recorded each row, so backdating the
    ``created_at`` columns (issue 12: GOV-07 turned evidenced that way) changes nothing."""
    apply_governance(ws, governance())
    load_data(ws, contacts)
    add_thresholds(ws, [rule_for(m) for m in DEFAULT_KEY_METRICS])
    freeze_baseline(ws, "january-humans", date(2025, 1, 1), date(2025, 1, 31))
    honest = pairs(check_governance(ws, today=TODAY).gaps)
    late_rules = {
        "evidence.threshold_late",
        "evidence.baseline_late",
        "accountability.declared_after_go_live",
        "protocol.declared_after_go_live",
    }
    assert late_rules <= {rule for rule, _ in honest}
    with ws.engine.begin() as connection:
        for table in ("thresholds", "baselines", "gov_protocols", "gov_accountability"):
            connection.exec_driver_sql(f"UPDATE {table} SET created_at = '2024-01-01 00:00:00'")
    assert pairs(check_governance(ws, today=TODAY).gaps) == honest


def test_a_threshold_the_audit_log_never_saw_proves_nothing(ws: Workspace, contacts: Path) -> None:
    apply_governance(ws, governance())
    load_data(ws, contacts)
    add_thresholds(ws, [rule_for("complaint_rate")])
    with ws.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_log WHERE table_name = 'thresholds'")
    gaps = {(g.rule, g.object): g for g in check_governance(ws, today=TODAY).gaps}
    late = gaps[("evidence.threshold_late", "deployment:support-chat/metric:complaint_rate")]
    assert "has no recorded creation time" in late.message
