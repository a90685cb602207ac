"""The demo produces the realistic patterns it promises, through the real services."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from cxsteward.config import Settings
from cxsteward.errors import Invalid
from cxsteward.services.audit.log import verify_audit
from cxsteward.services.clock import FixedClock
from cxsteward.services.demo.company import run_demo
from cxsteward.services.incidents.lifecycle import list_incidents
from cxsteward.services.workspace import open_workspace

ROWS = 30_000
# The demo's now: the cycles are named after the quarters of its story.
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_demo_patterns(tmp_path: Path) -> None:
    result = run_demo(Settings(workspace=tmp_path / "demo"), rows=ROWS, clock=FixedClock(NOW))
    report = result.report
    assert report.cycle == "2026-Q4" and report.respondents.total == 25
    assert set(report.respondents.by_role_group) == {
        "executive",
        "governance_committee",
        "cx_management",
        "frontline",
        "technology",
        "legal_compliance",
        "data",
    }

    def group_mean(group: str) -> float:
        return statistics.mean(
            g.mean
            for q in report.questions
            for g in q.by_role_group
            if g.role_group == group and g.mean is not None
        )

    assert group_mean("executive") - group_mean("frontline") > 1.0
    assert any(
        g.higher_group == "executive" and g.lower_group == "frontline"
        for g in report.perception_gaps
    )
    vendor = next(q for q in report.questions if q.id == "GOV-04")
    others = [q.dont_know_share or 0 for q in report.questions if q.id not in {"GOV-04", "GOV-05"}]
    assert (vendor.dont_know_share or 0) > 2 * statistics.mean(others)
    assert report.trend is not None and report.trend.previous_cycle == "2026-Q3"
    assert report.trend.overall.change is not None and report.trend.overall.change > 0
    assert result.html_path.read_text("utf-8").startswith("<!DOCTYPE html>")
    markdown = result.markdown_path.read_text("utf-8")
    assert report.stage.blockers
    assert all(b.message in markdown for b in report.stage.blockers)
    # The demo shows a refusal that names who may decide instead.
    assert result.operations.refusal == (
        "amara-mensah may not pause billing-voice. Who may decide: dev-raman, marco-ricci (the "
        "pause right on billing-voice); or a decision of Customer AI Council with quorum 4 of 6 "
        "members; or maya-okafor as sev1 on-call decider, in an emergency."
    )


def test_demo_is_repeatable_and_rebuilds(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "demo")
    first = run_demo(settings, rows=10_000).report
    second = run_demo(settings, rows=10_000).report
    assert first.overall_score == second.overall_score
    assert [q.mean for q in first.questions] == [q.mean for q in second.questions]


def test_demo_refuses_to_wipe_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "thesis.txt").write_text("do not delete", "utf-8")
    with pytest.raises(Invalid, match="not a cxsteward workspace"):
        run_demo(Settings(workspace=folder), rows=10_000)
    assert (folder / "thesis.txt").read_text("utf-8") == "do not delete"


def test_demo_runs_the_operations_a_user_would(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "demo")
    ops = run_demo(settings, rows=ROWS, clock=FixedClock(NOW)).operations
    assert ops.organization == "Kestrel Telecom"
    stored = pd.read_parquet(settings.workspace / "demo-contacts.parquet")
    # The synthetic world's rows all load, and the sales pilot's chats come on top.
    assert len(stored) == ops.rows_loaded
    assert (stored.deployment != "sales-assistant").sum() == ROWS
    assert (stored.deployment == "sales-assistant").sum() > 0
    ws = open_workspace(settings)
    try:
        incidents = list_incidents(ws)
        assert len(incidents) == ops.incidents
        assert ops.open_incidents == sum(i.status.value != "resolved" for i in incidents)
        # Every breach of today's run has exactly one incident, found independently.
        breach_keys = {f.key for f in ops.monitor.findings if f.kind == "threshold_breach"}
        monitored = [i for i in incidents if i.source.value == "finding"]
        assert breach_keys and breach_keys <= {i.key for i in monitored}
        assert len({i.key for i in monitored}) == len(monitored)
        assert all(i.status.value == "acknowledged" for i in monitored if i.key in breach_keys)
        # Every change the demo made is in the audit log, and the chain is intact.
        assert verify_audit(ws).intact
    finally:
        ws.close()
