"""The overview's figures, checked against the stored run and the registry read independently."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from consent_world import GOVERNANCE

from cxsteward.config import Settings
from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.scale import RoleGroup
from cxsteward.services import overview as overview_service
from cxsteward.services.accounts.users import add_user
from cxsteward.services.assessment.cycles import add_respondent, answer_question, open_cycle
from cxsteward.services.clock import FixedClock
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.governance.gate import GateOut, evaluate_gates
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.overview import (
    CycleWaiting,
    Readiness,
    Section,
    gate_summary,
    gather_overview,
)
from cxsteward.services.trust.reviews import submit_review_request
from cxsteward.services.workspace import Workspace, init_workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EVERYTHING = set(Section)


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, MonitorOut]]:
    folder = tmp_path_factory.mktemp("overview")
    synthesize(folder / "contacts.parquet", 20_000, seed=4)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, folder / "contacts.parquet")
    add_thresholds_file(ws, EXAMPLES / "thresholds.yaml")
    yield ws, run_monitor(ws)
    ws.close()


def test_an_empty_workspace_has_nothing_yet(ws: Workspace) -> None:
    o = gather_overview(ws, EVERYTHING)
    assert o.readiness is None and o.monitoring is None
    assert o.incidents is not None and o.incidents.open == 0
    assert o.reviews is not None and o.reviews.summary.open == 0
    assert o.reviews.overdue_share is None
    assert o.feedback is not None and o.feedback.submitted == 0


def test_only_the_sections_asked_for_are_gathered(ws: Workspace) -> None:
    o = gather_overview(ws, {Section.INCIDENTS})
    assert o.incidents is not None
    assert (o.reviews, o.feedback, o.readiness, o.monitoring) == (None, None, None, None)


def test_threshold_status_per_deployment_matches_the_runs_file(
    monitored: tuple[Workspace, MonitorOut],
) -> None:
    ws, out = monitored
    o = gather_overview(ws, {Section.MONITORING})
    assert o.monitoring is not None and o.monitoring.run_id == out.run_id
    stored = json.loads((out.artifacts / "evaluations.json").read_text("utf-8"))
    expected = Counter((e["deployment"], e["status"]) for e in stored)
    shown = {
        (s.deployment, status): getattr(s, status)
        for s in o.monitoring.deployments
        for status in ("confirmed", "suspected", "ok", "insufficient")
    }
    assert {k: v for k, v in shown.items() if v} == dict(expected)
    # The synthetic data plants a billing complaint breach in both deployments.
    assert {s.deployment: s.worst for s in o.monitoring.deployments} == {
        "billing-voice": "confirmed",
        "support-chat": "confirmed",
    }


def test_open_incidents_by_severity(monitored: tuple[Workspace, MonitorOut]) -> None:
    ws, out = monitored
    o = gather_overview(ws, {Section.INCIDENTS})
    assert o.incidents is not None
    breaches = [f for f in out.findings if f.kind == "threshold_breach"]
    assert o.incidents.open == len(out.incidents.opened) == len(breaches)
    assert o.incidents.by_severity == {
        "sev1": 0,
        "sev2": sum(f.severity == "sev2" for f in breaches),
        "sev3": sum(f.severity == "sev3" for f in breaches),
        "sev4": 0,
    }


def test_a_missing_run_folder_is_explained(monitored: tuple[Workspace, MonitorOut]) -> None:
    ws, out = monitored
    evaluations = out.artifacts / "evaluations.json"
    kept = evaluations.read_bytes()
    evaluations.unlink()
    try:
        o = gather_overview(ws, {Section.MONITORING})
    finally:
        evaluations.write_bytes(kept)
    assert o.monitoring is not None and o.monitoring.problem is not None
    assert "cxsteward monitor run" in o.monitoring.problem


def test_readiness_waits_for_answers_then_shows_the_stages(ws: Workspace) -> None:
    open_cycle(ws, "2026-Q4")
    assert gather_overview(ws, {Section.READINESS}).readiness == CycleWaiting("2026-Q4")
    # Enough respondents for every group size rule; all claim everything fully in place.
    for _ in range(5):
        person = add_respondent(ws, "2026-Q4", RoleGroup.EXECUTIVE, anonymous=True)
        for question in ws.bank.questions:
            answer_question(ws, "2026-Q4", person.code, question.id, 4)
    found = gather_overview(ws, {Section.READINESS}).readiness
    assert isinstance(found, Readiness)
    assert found.cycle == "2026-Q4" and found.respondents == 5
    assert found.overall_score == pytest.approx(100.0)
    assert found.previous_cycle is None and found.score_change is None
    # Everything claimed in place, nothing in the registry: the records cannot back it.
    assert found.claimed.number == 5
    assert found.evidenced is not None and found.evidenced.number < found.claimed.number
    assert found.contradicted > 0


def test_readiness_is_rebuilt_only_when_the_registry_changes(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_cycle(ws, "2026-Q4")
    person = add_respondent(ws, "2026-Q4", RoleGroup.EXECUTIVE, anonymous=True)
    answer_question(ws, "2026-Q4", person.code, "GOV-01", 3)
    built: list[str] = []
    real = overview_service.assessment_report

    def counting(ws_: Workspace, cycle: str) -> object:
        built.append(cycle)
        return real(ws_, cycle)

    monkeypatch.setattr(overview_service, "assessment_report", counting)
    first = gather_overview(ws, {Section.READINESS}).readiness
    again = gather_overview(ws, {Section.READINESS}).readiness
    assert again is first and built == ["2026-Q4"]
    # A change the figures do not read (a new web user) keeps them.
    add_user(ws, "someone", "a-long-password", "viewer")
    assert gather_overview(ws, {Section.READINESS}).readiness is first
    assert built == ["2026-Q4"]
    # Kept figures older than the limit are rebuilt.
    later = FixedClock(ws.now() + overview_service.READINESS_MAX_AGE + timedelta(seconds=1))
    assert gather_overview(replace(ws, clock=later), {Section.READINESS}).readiness is not first
    assert built == ["2026-Q4", "2026-Q4"]
    first = gather_overview(ws, {Section.READINESS}).readiness
    built.clear()
    # Any registry change (here one more answer) moves the audit head: the figures follow.
    answer_question(ws, "2026-Q4", person.code, "GOV-02", 1)
    changed = gather_overview(ws, {Section.READINESS}).readiness
    assert built == ["2026-Q4"] and changed is not first


def test_the_overview_gate_follows_public_requests_within_a_minute(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply_governance(ws, Governance.model_validate(GOVERNANCE), actor="tests")
    built: list[str] = []
    real = overview_service._gate_verdicts

    def counting(ws_: Workspace) -> list[GateOut]:
        built.append("gate")
        return real(ws_)

    monkeypatch.setattr(overview_service, "_gate_verdicts", counting)
    start = ws.now().replace(hour=12, minute=0)  # far from midnight either way

    def at(seconds: int) -> Workspace:
        return replace(ws, clock=FixedClock(start + timedelta(seconds=seconds)))

    first = gate_summary(at(0))
    assert [g.deployment for g in first.verdicts] == ["chat-bot", "voice-bot"]
    assert first.as_of == start
    # A customer's review request (public traffic) reaches it only once it is a minute old.
    submit_review_request(ws, "chat-bot", "Please check my refund.", "kim@example.com")
    assert gate_summary(at(30)) is first and built == ["gate"]
    later = gate_summary(at(61))
    assert later is not first and later.as_of == start + timedelta(seconds=61)
    assert built == ["gate", "gate"]
    # The gate itself is exact at once: the summary now says what it says.
    assert later.verdicts == evaluate_gates(at(61), ["chat-bot", "voice-bot"])
    # Any other change (here a web account) rebuilds it at once.
    add_user(ws, "someone", "a-long-password", "viewer")
    assert gate_summary(at(62)) is not later and len(built) == 3
