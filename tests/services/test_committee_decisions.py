"""Committee decisions with quorum, emergency pauses and their ratification (issue 12)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cxsteward.domain.governance.spec import Governance, Lifecycle
from cxsteward.errors import Conflict, Invalid, NotFound, NotPermitted, PersonNotFound
from cxsteward.services.governance import setup as service
from cxsteward.services.governance.check import check_governance
from cxsteward.services.governance.committee import (
    list_committee_decisions,
    record_committee_decision,
)
from cxsteward.services.governance.rights import list_emergency_pauses
from cxsteward.services.workspace import Workspace

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"
COUNCIL = ["maya-okafor", "dev-raman", "lena-fischer", "hana-sato"]
RULE = "decision.ratification_overdue"


@pytest.fixture
def applied(ws: Workspace) -> Governance:
    gov = service.read_governance_file(EXAMPLE)
    service.apply_governance(ws, gov)
    service.record_meeting(ws, date(2025, 3, 4), [*COUNCIL, "marco-ricci"], [])
    return gov


def _status(ws: Workspace, key: str) -> Lifecycle:
    dep = service.current_governance(ws).deployment(key)
    assert dep is not None
    return dep.status


def _decide(ws: Workspace, move: str, present: list[str], **kw: object) -> object:
    args: dict[str, object] = {"votes_for": len(present), "votes_against": 0, **kw}
    return record_committee_decision(
        ws,
        str(args.pop("deployment", "billing-voice")),
        move,
        args.pop("meeting", date(2025, 3, 4)),  # type: ignore[arg-type]
        present,
        args.pop("votes_for"),  # type: ignore[arg-type]
        args.pop("votes_against"),  # type: ignore[arg-type]
        "reason",
        str(args.pop("by", "maya-okafor")),
        **args,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("move", "present", "extra", "error", "message"),
    [
        ("pause", COUNCIL[:3], {}, NotPermitted, "Quorum not met: 3 of 6 members present"),
        ("pause", COUNCIL, {"votes_for": 2, "votes_against": 2}, NotPermitted, "did not carry"),
        ("pause", COUNCIL, {"votes_for": 4, "votes_against": 1}, Invalid, "add up to at most"),
        ("pause", [*COUNCIL, "amara-mensah"], {}, Invalid, "Not members of"),
        ("pause", [*COUNCIL[:3], "tomasz-wilk"], {}, Invalid, "Not recorded as attending"),
        ("retire", COUNCIL, {}, NotPermitted, "has no discontinue authority"),
        ("pause", COUNCIL, {"meeting": date(2025, 3, 5)}, NotFound, "No committee meeting held"),
        ("pause", COUNCIL, {"by": "ghost"}, PersonNotFound, "not 'ghost'"),
        ("ratify", COUNCIL, {}, Conflict, "no emergency pause waiting"),
        ("jump", COUNCIL, {}, Invalid, "Unknown move 'jump'"),
    ],
    ids=[
        "no-quorum",
        "motion-lost",
        "votes-exceed-present",
        "not-a-member",
        "absent-member",
        "no-authority",
        "no-meeting",
        "not-a-person",
        "nothing-to-ratify",
        "unknown-move",
    ],
)
def test_invalid_committee_decisions_are_refused_and_change_nothing(
    ws: Workspace,
    applied: Governance,
    move: str,
    present: list[str],
    extra: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        _decide(ws, move, present, **extra)
    assert list_committee_decisions(ws) == []
    assert _status(ws, "billing-voice") == Lifecycle.SCALING


def test_a_decision_with_quorum_moves_the_deployment_once(
    ws: Workspace, applied: Governance
) -> None:
    # Without an override the gate's no-go stops it (the bare example has no data at all).
    with pytest.raises(NotPermitted, match="The scale gate says no-go"):
        _decide(ws, "production", COUNCIL, votes_for=3, votes_against=1)
    assert _status(ws, "billing-voice") == Lifecycle.SCALING and not list_committee_decisions(ws)
    out = _decide(ws, "production", COUNCIL, votes_for=3, votes_against=1, override_gate=True)
    assert _status(ws, "billing-voice") == Lifecycle.PRODUCTION
    assert out.overrides_gate
    [stored] = list_committee_decisions(ws, "billing-voice")
    assert stored == out and stored.used_at is not None
    assert (stored.quorum, stored.members, stored.present) == (4, 6, COUNCIL)
    dep = service.current_governance(ws).deployment("billing-voice")
    assert dep is not None and dep.history[-1].by == "maya-okafor"
    assert dep.history[-1].on == date(2025, 3, 4)


def test_a_recorded_decision_authorizes_one_move_by_anyone_who_carries_it_out(
    ws: Workspace, applied: Governance
) -> None:
    _decide(ws, "pause", COUNCIL, execute=False)
    assert _status(ws, "billing-voice") == Lifecycle.SCALING
    # amara-mensah holds no right, but carries out the committee's decision.
    moved = service.transition_deployment(ws, "billing-voice", "paused", "amara-mensah", "x")
    assert moved.authority.startswith("committee decision #1 of 2025-03-04")
    service.transition_deployment(ws, "billing-voice", "scaling", "dev-raman", "fixed")
    with pytest.raises(NotPermitted, match="amara-mensah may not pause billing-voice"):
        service.transition_deployment(ws, "billing-voice", "paused", "amara-mensah", "again")


def test_an_emergency_pause_is_tracked_until_ratified(ws: Workspace, applied: Governance) -> None:
    # maya-okafor holds no pause right on billing-voice; the sev1 protocol delegates it to her.
    moved = service.transition_deployment(
        ws, "billing-voice", "paused", "maya-okafor", "harm", on=date(2025, 3, 6)
    )
    assert moved.authority.startswith("emergency pause as sev1 on-call decider")
    [pause] = list_emergency_pauses(ws, 30, today=date(2025, 3, 9))
    # Due by the cadence, 30 days after the pause (hand count: 2025-03-06 + 30 = 2025-04-05).
    assert (pause.by, pause.ratify_by, pause.overdue) == ("maya-okafor", date(2025, 4, 5), False)
    quiet = check_governance(ws, today=date(2025, 3, 9))
    assert RULE not in {g.rule for g in quiet.gaps}
    # The committee met after the pause without ratifying it: overdue, and the check blocks.
    service.record_meeting(ws, date(2025, 3, 10), COUNCIL, [])
    assert list_emergency_pauses(ws, 30, today=date(2025, 3, 11))[0].overdue
    [gap] = [g for g in check_governance(ws, today=date(2025, 3, 11)).gaps if g.rule == RULE]
    assert gap.blocking and gap.object == "deployment:billing-voice"
    out = _decide(ws, "ratify", COUNCIL, meeting=date(2025, 3, 10))
    assert out.ratifies == pause.id  # type: ignore[attr-defined]
    [ratified] = list_emergency_pauses(ws, 30, today=date(2025, 3, 11))
    assert (ratified.ratified_by, ratified.overdue) == (out.id, False)  # type: ignore[attr-defined]
    after = check_governance(ws, today=date(2025, 3, 11))
    assert RULE not in {g.rule for g in after.gaps}


def test_a_pause_by_a_right_holder_needs_no_ratification(
    ws: Workspace, applied: Governance
) -> None:
    service.transition_deployment(ws, "billing-voice", "paused", "dev-raman", "x")
    assert list_emergency_pauses(ws, 30) == []
