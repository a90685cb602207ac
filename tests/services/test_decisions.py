"""Decisions checked against decision rights; pause, resume and discontinue move the lifecycle."""

from __future__ import annotations

from datetime import date

import pytest
from test_incidents_helpers import apply

from cxsteward.errors import Conflict, Invalid, NotFound, NotPermitted
from cxsteward.services.governance.committee import record_committee_decision
from cxsteward.services.governance.decisions import list_decisions, record_decision
from cxsteward.services.governance.setup import (
    current_governance,
    record_meeting,
    transition_deployment,
)
from cxsteward.services.incidents.lifecycle import get_incident, open_incident
from cxsteward.services.incidents.models import WHY_MAX
from cxsteward.services.workspace import Workspace


def status_of(ws: Workspace, key: str) -> str:
    dep = current_governance(ws).deployment(key)
    assert dep is not None
    return dep.status.value


def test_pause_and_resume_move_the_deployment_and_the_timeline(ws_any: Workspace) -> None:
    ws = ws_any
    apply(ws)
    incident = open_incident(ws, "Bot leaks account numbers", "support-chat", "sev1", by="finn")
    paused = record_decision(
        ws, "pause", "support-chat", by="omar", why="Data leak", incident_id=incident.id
    )
    assert paused.authority == "pause right on support-chat"
    assert (paused.status_before, paused.status_after) == ("production", "paused")
    assert status_of(ws, "support-chat") == "paused"
    history = current_governance(ws).deployment("support-chat")
    assert history is not None and history.history[-1].by == "omar"
    assert history.history[-1].reason == "Data leak"
    event = get_incident(ws, incident.id).events[-1]
    assert event.kind == "decision" and event.actor == "omar"
    assert event.detail["deployment_status"] == {"from": "production", "to": "paused"}
    resumed = record_decision(ws, "resume", "support-chat", by="omar", why="Fix deployed")
    assert (resumed.status_before, resumed.status_after) == ("paused", "production")
    assert status_of(ws, "support-chat") == "production"
    assert [d.action for d in list_decisions(ws, deployment="support-chat")] == ["pause", "resume"]
    assert [d.action for d in list_decisions(ws, incident_id=incident.id)] == ["pause"]


def test_a_committee_member_pauses_only_through_a_committee_decision(ws: Workspace) -> None:
    apply(ws)
    # The chair alone does not act in the committee's name.
    with pytest.raises(NotPermitted, match="does not decide alone in its name"):
        record_decision(ws, "pause", "billing-voice", by="chen", why="Complaints tripled")
    assert status_of(ws, "billing-voice") == "pilot"
    record_meeting(ws, date(2026, 11, 2), ["chen", "lena"], [])
    # One member present is below the majority quorum of two: no decision.
    with pytest.raises(NotPermitted, match="Quorum not met: 1 of 2 members present"):
        record_committee_decision(
            ws, "billing-voice", "pause", date(2026, 11, 2), ["chen"], 1, 0, "spike", "chen"
        )
    voted = record_committee_decision(
        ws, "billing-voice", "pause", date(2026, 11, 2), ["chen", "lena"], 2, 0, "spike", "chen"
    )
    assert voted.used_at is not None and status_of(ws, "billing-voice") == "paused"
    last = current_governance(ws).deployment("billing-voice")
    assert last is not None and (last.history[-1].by, last.history[-1].reason) == ("chen", "spike")
    # Resuming needs the pause right, which omar holds.
    transition_deployment(ws, "billing-voice", "pilot", "omar", "ok")
    assert status_of(ws, "billing-voice") == "pilot"


def test_someone_without_the_right_is_refused_and_nothing_changes(ws: Workspace) -> None:
    apply(ws)
    with pytest.raises(NotPermitted) as caught:
        record_decision(ws, "pause", "support-chat", by="eve", why="I think so")
    assert "eve may not pause support-chat" in str(caught.value)
    assert (
        "Who may decide: omar (the pause right on support-chat); or a decision of AI oversight "
        "committee with quorum 2 of 2 members"
    ) in str(caught.value)
    assert status_of(ws, "support-chat") == "production"
    assert list_decisions(ws) == []
    with pytest.raises(NotPermitted, match=r"Who may decide: carla \(the discontinue right"):
        record_decision(ws, "discontinue", "support-chat", by="omar", why="Enough")
    with pytest.raises(NotPermitted, match=r"Who may decide: eve \(the roll_back right"):
        record_decision(ws, "roll_back", "support-chat", by="chen", why="v2 is worse")


def test_modify_and_roll_back_leave_the_status_alone(ws: Workspace) -> None:
    apply(ws)
    modify = record_decision(ws, "modify", "support-chat", by="eve", why="Tighter prompt")
    roll = record_decision(ws, "roll_back", "support-chat", by="eve", why="Back to v1")
    assert modify.status_after is None and roll.status_after is None
    assert modify.authority == "modify right on support-chat"
    assert status_of(ws, "support-chat") == "production"


def test_discontinue_retires_and_then_nothing_else_moves(ws: Workspace) -> None:
    apply(ws)
    out = record_decision(ws, "discontinue", "support-chat", by="carla", why="Not worth it")
    assert out.status_after == "retired" and status_of(ws, "support-chat") == "retired"
    with pytest.raises(Conflict, match="retired"):
        record_decision(ws, "pause", "support-chat", by="omar", why="again")


def test_accept_risk_needs_the_protocol_decider_or_the_committee(ws: Workspace) -> None:
    apply(ws)
    incident = open_incident(ws, "Slightly slower answers", "support-chat", "sev3", by="ana")
    with pytest.raises(NotPermitted, match="omar, chen, lena may"):
        record_decision(
            ws, "accept_risk", "support-chat", by="carla", why="ok", incident_id=incident.id
        )
    out = record_decision(
        ws,
        "accept_risk",
        "support-chat",
        by="omar",
        why="Within tolerance",
        incident_id=incident.id,
    )
    assert out.authority == "decides for sev3 incidents (escalation protocol)"
    assert out.status_after is None
    member = record_decision(ws, "accept_risk", "support-chat", by="lena", why="Known issue")
    assert member.authority == "member of AI oversight committee"


def test_pause_and_resume_are_refused_in_the_wrong_state(ws: Workspace) -> None:
    apply(ws)
    with pytest.raises(Conflict, match="not paused; there is nothing to resume"):
        record_decision(ws, "resume", "support-chat", by="omar", why="x")
    record_decision(ws, "pause", "support-chat", by="omar", why="x")
    with pytest.raises(Conflict, match="already paused"):
        record_decision(ws, "pause", "support-chat", by="omar", why="x")


def test_bad_decision_input_is_named(ws: Workspace) -> None:
    apply(ws)
    incident = open_incident(ws, "x", "billing-voice", "sev3", by="ana")
    with pytest.raises(Invalid, match="Unknown decision 'stop'"):
        record_decision(ws, "stop", "support-chat", by="omar", why="x")
    with pytest.raises(Invalid, match="Say why"):
        record_decision(ws, "pause", "support-chat", by="omar", why=" ")
    with pytest.raises(NotFound, match="No deployment 'web-bot'"):
        record_decision(ws, "pause", "web-bot", by="omar", why="x")
    with pytest.raises(NotFound, match="'mallory' is not in the governance"):
        record_decision(ws, "pause", "support-chat", by="mallory", why="x")
    with pytest.raises(Invalid, match="concerns billing-voice, not support-chat"):
        record_decision(ws, "pause", "support-chat", by="omar", why="x", incident_id=incident.id)
    with pytest.raises(NotFound, match="No incident 99"):
        record_decision(ws, "pause", "support-chat", by="omar", why="x", incident_id=99)
    assert list_decisions(ws) == [] and status_of(ws, "support-chat") == "production"


def test_a_reason_longer_than_the_command_allows_is_refused(ws: Workspace) -> None:
    apply(ws)
    incident = open_incident(ws, "Bot leaks account numbers", "support-chat", "sev1", by="finn")
    with pytest.raises(Invalid) as refused:
        record_decision(ws, "modify", "support-chat", "eve", "w" * (WHY_MAX + 1), incident.id)
    assert [p.column for p in refused.value.problems] == ["why"]
    assert list_decisions(ws) == []
    kept = record_decision(ws, "modify", "support-chat", "eve", "w" * WHY_MAX, incident.id)
    assert kept.why == "w" * WHY_MAX
    assert get_incident(ws, incident.id).decisions == [kept]
