"""Operational governance actions: lifecycle moves, approvals, meetings, versions, reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cxsteward.domain.governance.spec import Governance, Lifecycle
from cxsteward.errors import (
    Conflict,
    DeploymentNotFound,
    GovernanceInvalid,
    GovernanceNotFound,
    Invalid,
    NotPermitted,
    PersonNotFound,
    TemplateNotFound,
    TransitionNotAllowed,
)
from cxsteward.services.governance import setup as service
from cxsteward.services.governance.actions import move_deployment
from cxsteward.services.governance.committee import record_committee_decision
from cxsteward.services.governance.models import TransitionCreate
from cxsteward.services.governance.reading import parse_governance
from cxsteward.services.workspace import Workspace

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"
COUNCIL = ["maya-okafor", "dev-raman", "lena-fischer", "hana-sato"]


@pytest.fixture
def applied(ws: Workspace) -> Governance:
    gov = service.read_governance_file(EXAMPLE)
    service.apply_governance(ws, gov)
    return gov


def _status(ws: Workspace, key: str) -> Lifecycle:
    dep = service.current_governance(ws).deployment(key)
    assert dep is not None
    return dep.status


def test_forward_pause_and_resume_to_the_previous_state(ws: Workspace, applied: Governance) -> None:
    # pilot -> scaling is the committee's: refused to one person, made by its decision.
    with pytest.raises(NotPermitted, match="quorum 4 of 6"):
        service.transition_deployment(ws, "sales-assistant", "scaling", "maya-okafor", "met")
    service.record_meeting(ws, date(2025, 3, 4), COUNCIL, [])
    record_committee_decision(
        ws,
        "sales-assistant",
        "scale",
        date(2025, 3, 4),
        COUNCIL,
        4,
        0,
        "met",
        "maya-okafor",
        execute=False,
        override_gate=True,  # the bare example has no data: its scale gate says no-go
    )
    out = service.transition_deployment(ws, "sales-assistant", "scaling", "maya-okafor", "met")
    assert (out.previous, out.status) == (Lifecycle.PILOT, Lifecycle.SCALING)
    assert out.authority.startswith("committee decision #1 of 2025-03-04 (4 of 6 members")
    assert out.authority.endswith("overriding the scale gate no-go (evaluation #1)")
    service.transition_deployment(ws, "sales-assistant", "paused", "amara-mensah", "complaints")
    with pytest.raises(TransitionNotAllowed, match="allowed: scaling, retired"):
        service.transition_deployment(ws, "sales-assistant", "production", "maya-okafor", "x")
    service.transition_deployment(ws, "sales-assistant", "scaling", "amara-mensah", "fixed")
    dep = service.current_governance(ws).deployment("sales-assistant")
    assert dep is not None and dep.status == Lifecycle.SCALING
    assert [(t.status, t.by, t.reason) for t in dep.history[-3:]] == [
        (Lifecycle.SCALING, "maya-okafor", "met"),
        (Lifecycle.PAUSED, "amara-mensah", "complaints"),
        (Lifecycle.SCALING, "amara-mensah", "fixed"),
    ]


@pytest.mark.parametrize(
    ("key", "status", "error", "message"),
    [
        ("sales-assistant", "production", TransitionNotAllowed, "allowed: scaling, paused"),
        ("support-chat", "production", TransitionNotAllowed, "already production"),
        ("support-chat", "pilot", TransitionNotAllowed, "cannot move to pilot"),
        ("support-chat", "live", Invalid, "Unknown lifecycle status 'live'"),
        ("nope", "paused", DeploymentNotFound, "known deployments: billing-voice"),
    ],
    ids=["skip-a-step", "same", "backwards", "bad-status", "unknown-deployment"],
)
def test_refused_moves(
    ws: Workspace, applied: Governance, key: str, status: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        service.transition_deployment(ws, key, status, "dev-raman", "why")


def test_retired_is_final_and_by_must_be_a_person(ws: Workspace, applied: Governance) -> None:
    with pytest.raises(PersonNotFound, match="ghost"):
        service.transition_deployment(ws, "campaign-writer", "retired", "ghost", "done")
    assert _status(ws, "campaign-writer") == Lifecycle.PILOT
    service.transition_deployment(ws, "campaign-writer", "retired", "maya-okafor", "done")
    with pytest.raises(TransitionNotAllowed, match="retired is final"):
        service.transition_deployment(ws, "campaign-writer", "pilot", "maya-okafor", "again")


def test_a_caller_s_session_shares_its_transaction(ws: Workspace, applied: Governance) -> None:
    with pytest.raises(RuntimeError), ws.transaction() as session:
        service.transition_deployment(
            ws, "support-chat", "paused", "dev-raman", "x", session=session
        )
        raise RuntimeError("the caller's own step failed")
    assert _status(ws, "support-chat") == Lifecycle.PRODUCTION


def test_an_old_file_cannot_undo_an_operational_move(ws: Workspace, applied: Governance) -> None:
    service.transition_deployment(ws, "support-chat", "paused", "dev-raman", "spike")
    with pytest.raises(GovernanceInvalid, match="governance export"):
        service.plan_governance(ws, applied)
    exported = parse_governance(service.export_governance(ws), "export.yaml")
    assert service.plan_governance(ws, exported.governance, exported).empty


def test_template_approval(ws: Workspace, applied: Governance) -> None:
    with pytest.raises(PersonNotFound):
        service.approve_template(ws, "billing-correction", "nobody")
    with pytest.raises(TemplateNotFound):
        service.approve_template(ws, "nope", "lena-fischer")
    template = service.approve_template(ws, "billing-correction", "lena-fischer")
    assert template.approved_by == "lena-fischer" and template.approved_at is not None
    with pytest.raises(Conflict, match="already approved by lena-fischer"):
        service.approve_template(ws, "billing-correction", "oluwaseun-bello")
    # An old file without the approval may not revoke it.
    with pytest.raises(GovernanceInvalid, match="approval is only replaced"):
        service.plan_governance(ws, applied)


def test_new_template_version_needs_new_approval(ws: Workspace, applied: Governance) -> None:
    current = service.current_governance(ws)
    templates = [
        t.model_copy(
            update={"version": 3, "text": "New words", "approved_by": None, "approved_at": None}
        )
        if t.key == "ai-error-apology"
        else t
        for t in current.templates
    ]
    service.apply_governance(ws, current.model_copy(update={"templates": templates}))
    stored = next(
        t for t in service.current_governance(ws).templates if t.key == "ai-error-apology"
    )
    assert (stored.version, stored.approved_by) == (3, None)
    assert service.approve_template(ws, "ai-error-apology", "lena-fischer").version == 3


def test_meetings_model_versions_and_reviews_are_appended(
    ws: Workspace, applied: Governance
) -> None:
    service.record_meeting(ws, date(2025, 3, 11), ["maya-okafor", "dev-raman"], ["Keep pilot"])
    # billing-voice names no modify holder: only the committee's decision allows a new model.
    with pytest.raises(NotPermitted, match="Customer AI Council with quorum 4 of 6"):
        service.record_model_version(
            ws, "billing-voice", "parlance-dialog", "v2", date(2025, 3, 1), "dev-raman"
        )
    service.record_meeting(ws, date(2025, 3, 10), COUNCIL, [])
    record_committee_decision(
        ws, "billing-voice", "model", date(2025, 3, 10), COUNCIL, 3, 1, "v2", "dev-raman"
    )
    service.record_model_version(
        ws, "billing-voice", "parlance-dialog", "v2", date(2025, 3, 1), "dev-raman"
    )
    service.record_roadmap_review(ws, date(2025, 4, 2), ["maya-okafor"], "On track")
    gov = service.current_governance(ws)
    assert gov.committee is not None and gov.committee.meetings[-1].decisions == ["Keep pilot"]
    dep = gov.deployment("billing-voice")
    assert dep is not None and dep.models[-1].version == "v2"
    assert gov.roadmap.reviews[-1].notes == "On track"
    with pytest.raises(Conflict, match="already recorded"):
        service.record_model_version(
            ws, "billing-voice", "parlance-dialog", "v2", date(2025, 3, 1), "dev-raman"
        )
    with pytest.raises(PersonNotFound, match="ghost"):
        service.record_meeting(ws, date(2025, 4, 1), ["ghost"], [])
    with pytest.raises(DeploymentNotFound):
        service.record_model_version(ws, "nope", "m", "v", date(2025, 1, 1), "dev-raman")


def test_actions_need_an_applied_governance(ws: Workspace) -> None:
    with pytest.raises(GovernanceNotFound):
        service.transition_deployment(ws, "support-chat", "paused", "dev-raman", "x")
    with pytest.raises(GovernanceNotFound):
        service.record_roadmap_review(ws, date(2025, 1, 1), [], "")


def test_meetings_need_a_committee(ws: Workspace) -> None:
    service.apply_governance(ws, Governance(organization="Tiny"))
    with pytest.raises(Conflict, match="No governance committee"):
        service.record_meeting(ws, date(2025, 1, 1), [], [])


def test_only_a_legal_approver_approves_a_template(ws: Workspace, applied: Governance) -> None:
    # dev-raman's function is cx, and he is not named under legal_approvers.
    with pytest.raises(NotPermitted) as caught:
        service.approve_template(ws, "billing-correction", "dev-raman")
    assert "Who may approve: lena-fischer, oluwaseun-bello." in caught.value.message
    # Naming someone under legal_approvers lets them approve whatever their function.
    current = service.current_governance(ws)
    named = current.model_copy(update={"legal_approvers": ["hana-sato"]})
    service.apply_governance(ws, named)
    template = service.approve_template(ws, "billing-correction", "hana-sato")
    assert template.approved_by == "hana-sato"


def test_a_file_cannot_record_an_approval_by_someone_who_is_not_legal(
    ws: Workspace, applied: Governance
) -> None:
    current = service.current_governance(ws)
    templates = [
        t.model_copy(
            update={"approved_by": "dev-raman", "approved_at": datetime(2025, 3, 1, 9, tzinfo=UTC)}
        )
        if t.key == "billing-correction"
        else t
        for t in current.templates
    ]
    with pytest.raises(GovernanceInvalid) as caught:
        service.apply_governance(ws, current.model_copy(update={"templates": templates}))
    [problem] = caught.value.problems
    assert (problem.column, problem.value) == ("templates[3].approved_by", "dev-raman")
    assert "who may approve: lena-fischer, oluwaseun-bello" in problem.message
    # The same approval by a legal person goes through.
    templates = [
        t.model_copy(update={"approved_by": "oluwaseun-bello"})
        if t.key == "billing-correction"
        else t
        for t in templates
    ]
    service.apply_governance(ws, current.model_copy(update={"templates": templates}))


def test_a_move_needs_a_reason_and_nobody_is_no_meeting(ws: Workspace, applied: Governance) -> None:
    move = TransitionCreate(status=Lifecycle.PAUSED, reason="x")
    # A reason of spaces passes no schema check by accident: the service refuses it too.
    blank = move.model_copy(update={"reason": "   "})
    with pytest.raises(Invalid) as caught:
        move_deployment(ws, "billing-voice", blank, "marco-ricci")
    assert [p.column for p in caught.value.problems] == ["reason"]
    assert _status(ws, "billing-voice") == Lifecycle.SCALING
    out = move_deployment(ws, "billing-voice", move, "marco-ricci")
    assert (out.previous, out.status, out.reason) == (Lifecycle.SCALING, Lifecycle.PAUSED, "x")
    with pytest.raises(Invalid) as meeting:
        service.record_meeting(ws, date(2025, 1, 1), [], ["nothing"])
    assert [p.column for p in meeting.value.problems] == ["attendees"]
    with pytest.raises(Invalid) as review:
        service.record_roadmap_review(ws, date(2025, 1, 1), [], "")
    assert [p.column for p in review.value.problems] == ["reviewers"]
    committee = service.current_governance(ws).committee
    assert committee is not None and not any(
        m.held_on == date(2025, 1, 1) for m in committee.meetings
    )
