"""Changing who holds a deployment's decision rights is a committee move (issue 12).

Seen: an editor granted themselves the pause right through the deployment form, then paused.
Who holds what is written out here from examples/governance.yaml.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cxsteward.domain.governance.spec import DecisionRights, Deployment, Function, Governance
from cxsteward.errors import GovernanceInvalid
from cxsteward.services.governance import setup as service
from cxsteward.services.governance.committee import (
    list_committee_decisions,
    record_committee_decision,
)
from cxsteward.services.workspace import Workspace

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"
COUNCIL = ["maya-okafor", "dev-raman", "lena-fischer", "hana-sato"]
MEETING = date(2025, 3, 4)
COMMITTEE = "a decision of Customer AI Council with quorum 4 of 6 members"


@pytest.fixture
def applied(ws: Workspace) -> Governance:
    gov = service.read_governance_file(EXAMPLE)
    service.apply_governance(ws, gov)
    service.record_meeting(ws, MEETING, COUNCIL, [])
    return service.current_governance(ws)


def _with_rights(gov: Governance, key: str, **rights: list[str]) -> Governance:
    deployments = []
    for dep in gov.deployments:
        if dep.key == key:
            held = dep.decision_rights.model_dump() | rights
            dep = dep.model_copy(update={"decision_rights": DecisionRights(**held)})
        deployments.append(dep)
    return gov.model_copy(update={"deployments": deployments})


def _decide(ws: Workspace, key: str = "billing-voice") -> None:
    record_committee_decision(ws, key, "rights", MEETING, COUNCIL, 4, 0, "ok", "maya-okafor")


def _pause_holders(ws: Workspace) -> list[str]:
    dep = service.current_governance(ws).deployment("billing-voice")
    assert dep is not None
    return dep.decision_rights.pause


def _refusal(ws: Workspace, gov: Governance, by: str | None) -> str:
    with pytest.raises(GovernanceInvalid) as caught:
        service.apply_governance(ws, gov, by=by)
    return " ".join(str(p) for p in caught.value.problems)


def test_granting_a_right_without_a_committee_decision_is_refused(
    ws: Workspace, applied: Governance
) -> None:
    edited = _with_rights(
        applied, "billing-voice", pause=["dev-raman", "marco-ricci", "priya-nair"]
    )
    message = _refusal(ws, edited, "maya-okafor")
    assert "deployments[1].decision_rights.pause" in message
    assert "maya-okafor may not change who holds the decision rights on billing-voice" in message
    assert f"Who may decide: {COMMITTEE}." in message
    assert "pause: +priya-nair" in message
    assert _pause_holders(ws) == ["dev-raman", "marco-ricci"]


def test_removing_a_holder_needs_the_decision_too(ws: Workspace, applied: Governance) -> None:
    edited = _with_rights(applied, "billing-voice", pause=["dev-raman"])
    assert "pause: -marco-ricci" in _refusal(ws, edited, "dev-raman")
    _decide(ws)
    service.apply_governance(ws, edited, by="dev-raman")
    assert _pause_holders(ws) == ["dev-raman"]


def test_a_committee_decision_allows_one_change_and_is_used_up(
    ws: Workspace, applied: Governance
) -> None:
    _decide(ws)
    first = _with_rights(applied, "billing-voice", pause=["dev-raman", "marco-ricci", "priya-nair"])
    service.apply_governance(ws, first, by="maya-okafor")
    assert _pause_holders(ws) == ["dev-raman", "marco-ricci", "priya-nair"]
    [decision] = list_committee_decisions(ws, "billing-voice")
    assert decision.move == "rights" and decision.used_at is not None
    second = _with_rights(first, "billing-voice", discontinue=["maya-okafor", "priya-nair"])
    assert COMMITTEE in _refusal(ws, second, "maya-okafor")


def test_a_decision_for_another_deployment_does_not_count(
    ws: Workspace, applied: Governance
) -> None:
    _decide(ws, "support-chat")
    edited = _with_rights(
        applied, "billing-voice", pause=["dev-raman", "marco-ricci", "priya-nair"]
    )
    assert COMMITTEE in _refusal(ws, edited, "maya-okafor")


def test_nobody_adds_themselves_even_with_a_committee_decision(
    ws: Workspace, applied: Governance
) -> None:
    _decide(ws)
    edited = _with_rights(
        applied, "billing-voice", pause=["dev-raman", "marco-ricci", "amara-mensah"]
    )
    message = _refusal(ws, edited, "amara-mensah")
    assert (
        "amara-mensah may not add themselves as a holder of the pause right on billing-voice"
        in message
    )
    assert "`cxsteward governance committee-decision billing-voice rights`" in message
    assert _pause_holders(ws) == ["dev-raman", "marco-ricci"]
    # The decision was not used: another person may apply the same change.
    service.apply_governance(ws, edited, by="maya-okafor")
    assert _pause_holders(ws) == ["dev-raman", "marco-ricci", "amara-mensah"]


def test_reordering_holders_is_no_change(ws: Workspace, applied: Governance) -> None:
    edited = _with_rights(applied, "billing-voice", pause=["marco-ricci", "dev-raman"])
    plan = service.apply_governance(ws, edited)
    assert all(not c.needs for c in plan.changes)


def test_declaring_a_deployment_with_rights_is_no_decision(
    ws: Workspace, applied: Governance
) -> None:
    new = Deployment(
        key="returns-bot",
        name="Returns bot",
        function=Function.SUPPORT,
        decision_rights=DecisionRights(pause=["dev-raman"], discontinue=["maya-okafor"]),
    )
    gov = applied.model_copy(update={"deployments": [*applied.deployments, new]})
    service.apply_governance(ws, gov)
    dep = service.current_governance(ws).deployment("returns-bot")
    assert dep is not None and dep.decision_rights.pause == ["dev-raman"]


def test_the_first_apply_declares_rights_without_anyone(ws: Workspace) -> None:
    service.apply_governance(ws, service.read_governance_file(EXAMPLE))
    assert _pause_holders(ws) == ["dev-raman", "marco-ricci"]


def test_plan_shows_what_a_rights_change_needs(ws: Workspace, applied: Governance) -> None:
    edited = _with_rights(
        applied, "billing-voice", pause=["dev-raman", "marco-ricci", "priya-nair"]
    )
    plan = service.plan_governance(ws, edited)
    [change] = [c for c in plan.changes if c.needs]
    assert (change.kind, change.key) == ("deployment", "billing-voice")
    assert change.needs == f"needs a committee decision: {COMMITTEE}"
    quiet = service.plan_governance(ws, applied)
    assert not quiet.changes
