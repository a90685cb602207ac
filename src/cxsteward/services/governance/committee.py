"""Committee decisions: the committee deciding as a body, at a recorded meeting, with quorum.

A committee decision authorizes exactly one move on one deployment. Recording a lifecycle
decision makes the move at once (``execute``); a model change or roll-back is made later by
the path that names the new model, which uses the decision up. A ``ratify`` decision ratifies
the deployment's oldest unratified emergency pause.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.rights import GATED, Move, check_vote, quorum_of
from cxsteward.domain.governance.spec import Lifecycle
from cxsteward.domain.trust import parse_choice
from cxsteward.errors import (
    Conflict,
    DeploymentNotFound,
    Invalid,
    NotFound,
    PersonNotFound,
)
from cxsteward.registry.tables_governance import (
    GovCommitteeDecisionRecord,
    GovEmergencyPauseRecord,
    GovMeetingRecord,
)
from cxsteward.services.clock import now
from cxsteward.services.contract import Result
from cxsteward.services.governance.actions import transition_deployment
from cxsteward.services.governance.plan import previous_live
from cxsteward.services.governance.store import load_governance
from cxsteward.services.workspace import Workspace

# The status each lifecycle move leads to; resume is read from the deployment's history.
TARGET: dict[Move, Lifecycle] = {
    Move.PAUSE: Lifecycle.PAUSED,
    Move.RETIRE: Lifecycle.RETIRED,
    Move.SCALE: Lifecycle.SCALING,
    Move.PRODUCTION: Lifecycle.PRODUCTION,
}


class CommitteeDecisionOut(Result):
    """A decision the committee took as a body at a meeting, and whether its move was made."""

    id: int
    deployment: str
    move: Move
    meeting: date = Field(description="The day of the meeting it was taken at.")
    present: list[str] = Field(description="The members present (person keys).")
    votes_for: int
    votes_against: int
    quorum: int
    members: int
    reason: str
    recorded_by: str
    recorded_at: datetime
    used_at: datetime | None = Field(description="When its move was made; null until then.")
    ratifies: int | None = Field(
        default=None, description="The emergency pause a ratify decision ratified."
    )
    overrides_gate: bool = Field(
        default=False,
        description="A move to scaling or production made although the scale gate said no-go.",
    )


def record_committee_decision(
    ws: Workspace,
    deployment: str,
    move: str,
    meeting: date,
    present: list[str],
    votes_for: int,
    votes_against: int,
    reason: str,
    by: str | None,
    execute: bool = True,
    account: str | None = None,
    override_gate: bool = False,
) -> CommitteeDecisionOut:
    """Record a decision the committee took at the meeting of ``meeting``, and make the move.

    Raises:
        NotFound: no such deployment, meeting or person.
        NotPermitted: quorum not met, motion lost, the committee lacks the authority, or
            the scale gate says no-go for a move to scaling or production and the decision
            does not override it (``override_gate``).
        Invalid: members present who are not members or did not attend; an override on a
            move the gate does not judge.
    """
    chosen = parse_choice(Move, move, "move")
    if override_gate and chosen not in GATED:
        raise Invalid(
            f"Only a move to scaling or production passes the scale gate; a {chosen.value} "
            "decision has no gate to override."
        )
    if not reason.strip():
        raise Invalid("Say why the committee decided (--reason); the record is the evidence.")
    with ws.transaction(actor=by or account) as s:
        gov = load_governance(s)
        dep = gov.deployment(deployment)
        if dep is None:
            known = ", ".join(d.key for d in gov.deployments) or "none"
            raise DeploymentNotFound(f"No deployment {deployment!r}; known deployments: {known}.")
        if by is None or gov.person(by) is None:
            who = f"account {account}" if account is not None else repr(by)
            raise PersonNotFound(
                f"A committee decision is recorded by a person of the governance registry, not "
                f"{who}; name one with --by (a web account acts as the person whose key is "
                "its username)."
            )
        held = s.scalar(
            select(GovMeetingRecord)
            .where(GovMeetingRecord.held_on == meeting)
            .order_by(GovMeetingRecord.id.desc())
            .limit(1)
        )
        if held is None:
            raise NotFound(
                f"No committee meeting held on {meeting}; record it first with "
                "`cxsteward governance meeting add --on DATE --attendee PERSON ...`."
            )
        check_vote(gov.committee, chosen, held.attendees, present, votes_for, votes_against)
        assert gov.committee is not None  # check_vote refuses a missing committee
        at = now(s)
        record = GovCommitteeDecisionRecord(
            meeting_id=held.id,
            deployment=dep.key,
            move=chosen.value,
            present=list(dict.fromkeys(present)),
            votes_for=votes_for,
            votes_against=votes_against,
            quorum=quorum_of(gov.committee),
            members=len(gov.committee.members),
            reason=reason.strip(),
            recorded_by=by,
            recorded_at=at,
            overrides_gate=override_gate,
        )
        s.add(record)
        s.flush()
        ratifies: int | None = None
        if chosen is Move.RATIFY:
            ratifies = _ratify(s, dep.key, record)
        elif execute and (chosen in TARGET or chosen is Move.RESUME):
            target = TARGET.get(chosen) or previous_live(list(dep.history))
            if target is None:
                raise Conflict(
                    f"The history of {dep.key} does not show the status it was paused from; "
                    "resume it by naming the status with `governance deployment-status`."
                )
            transition_deployment(ws, dep.key, target, by, record.reason, session=s, on=meeting)
        return _out(record, meeting, ratifies)


def load_person(ws: Workspace, key: str) -> bool:
    """Whether ``key`` is a person of the stored governance."""
    with ws.transaction() as s:
        return load_governance(s).person(key) is not None


def list_committee_decisions(
    ws: Workspace, deployment: str | None = None
) -> list[CommitteeDecisionOut]:
    """Committee decisions, oldest first, optionally about one deployment."""
    query = (
        select(GovCommitteeDecisionRecord, GovMeetingRecord.held_on)
        .join(GovMeetingRecord, GovMeetingRecord.id == GovCommitteeDecisionRecord.meeting_id)
        .order_by(GovCommitteeDecisionRecord.id)
    )
    if deployment is not None:
        query = query.where(GovCommitteeDecisionRecord.deployment == deployment)
    with ws.transaction() as s:
        ratified = {
            p.ratified_by: p.id
            for p in s.scalars(select(GovEmergencyPauseRecord))
            if p.ratified_by is not None
        }
        return [_out(r, held, ratified.get(r.id)) for r, held in s.execute(query)]


def _ratify(s: Session, deployment: str, record: GovCommitteeDecisionRecord) -> int:
    pause = s.scalar(
        select(GovEmergencyPauseRecord)
        .where(
            GovEmergencyPauseRecord.deployment == deployment,
            GovEmergencyPauseRecord.ratified_by.is_(None),
        )
        .order_by(GovEmergencyPauseRecord.id)
        .limit(1)
    )
    if pause is None:
        raise Conflict(f"{deployment} has no emergency pause waiting for ratification.")
    pause.ratified_by = record.id
    record.used_at = record.recorded_at
    return pause.id


def _out(
    record: GovCommitteeDecisionRecord, meeting: date, ratifies: int | None
) -> CommitteeDecisionOut:
    return CommitteeDecisionOut(
        id=record.id,
        deployment=record.deployment,
        move=Move(record.move),
        meeting=meeting,
        present=list(record.present),
        votes_for=record.votes_for,
        votes_against=record.votes_against,
        quorum=record.quorum,
        members=record.members,
        reason=record.reason,
        recorded_by=record.recorded_by,
        recorded_at=record.recorded_at,
        used_at=record.used_at,
        ratifies=ratifies,
        overrides_gate=record.overrides_gate,
    )
