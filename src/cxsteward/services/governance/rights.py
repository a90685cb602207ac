"""The one service that decides whether a person may move a deployment (issue 12).

Every path that changes a deployment's status or model calls :func:`authorize_move` inside
its own transaction, then :func:`settle` once the change is written: a committee decision is
used up, and an emergency pause is recorded so that its ratification can be tracked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.gate_policy import Standing
from cxsteward.domain.governance.rights import (
    CommitteeVote,
    Grant,
    Move,
    authorize,
    changes_model,
    describe_rights,
    move_of,
    needs,
    ratification_due,
    ratification_overdue,
    rights_changes,
    self_grant,
)
from cxsteward.domain.governance.spec import Deployment, Governance, allowed_moves
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import NotPermitted
from cxsteward.registry.tables_governance import (
    GovCommitteeDecisionRecord,
    GovEmergencyPauseRecord,
    GovMeetingRecord,
)
from cxsteward.services.clock import now
from cxsteward.services.governance.plan import previous_live
from cxsteward.services.workspace import Workspace


def unused_vote(session: Session, deployment: str, move: Move) -> CommitteeVote | None:
    """The oldest committee decision for ``move`` on ``deployment`` that no move used yet."""
    row = session.execute(
        select(GovCommitteeDecisionRecord, GovMeetingRecord.held_on)
        .join(GovMeetingRecord, GovMeetingRecord.id == GovCommitteeDecisionRecord.meeting_id)
        .where(
            GovCommitteeDecisionRecord.deployment == deployment,
            GovCommitteeDecisionRecord.move == move.value,
            GovCommitteeDecisionRecord.used_at.is_(None),
        )
        .order_by(GovCommitteeDecisionRecord.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    record, held_on = row
    return CommitteeVote(
        id=record.id,
        deployment=record.deployment,
        move=Move(record.move),
        held_on=held_on,
        present=tuple(record.present),
        votes_for=record.votes_for,
        votes_against=record.votes_against,
        quorum=record.quorum,
        members=record.members,
        overrides_gate=record.overrides_gate,
    )


def authorize_move(
    session: Session,
    gov: Governance,
    dep: Deployment,
    move: Move,
    by: str | None,
    severity: Severity | None = None,
    account: str | None = None,
    gate: Standing | None = None,
) -> Grant:
    """Whether ``by`` may make ``move`` on ``dep`` (``gate``: the scale gate's verdict, for a
    move to scaling or production).

    Raises:
        NotPermitted: nobody named, a person without the right, or a scale move the gate
            stops; the message names who may, or what the gate asks.
    """
    vote = unused_vote(session, dep.key, move)
    return authorize(gov, dep, move, by, vote, severity, account, gate)


def settle(session: Session, grant: Grant, deployment: str, reason: str, on: date) -> None:
    """Record what the grant used: the committee decision, or an emergency pause to ratify."""
    at = now(session)
    if grant.vote is not None:
        record = session.get(GovCommitteeDecisionRecord, grant.vote)
        if record is not None:
            record.used_at = at
    if grant.emergency is not None:
        session.add(
            GovEmergencyPauseRecord(
                deployment=deployment,
                by=grant.person,
                severity=grant.emergency.value,
                paused_on=on,
                reason=reason,
                recorded_at=at,
            )
        )
    session.flush()


@dataclass(frozen=True)
class EmergencyPauseOut:
    id: int
    deployment: str
    by: str
    severity: str
    paused_on: date
    reason: str
    ratified_by: int | None
    ratify_by: date
    overdue: bool


def list_emergency_pauses(
    ws: Workspace, cadence_days: int | None, today: date | None = None
) -> list[EmergencyPauseOut]:
    """Every emergency pause, with its ratification deadline and whether it is overdue."""
    with ws.transaction() as session:
        return emergency_pauses(session, cadence_days, today or now(session).date())


def emergency_pauses(
    session: Session, cadence_days: int | None, today: date
) -> list[EmergencyPauseOut]:
    """:func:`list_emergency_pauses` inside the caller's transaction."""
    meetings = list(session.scalars(select(GovMeetingRecord.held_on)))
    cadence = cadence_days or 30
    out: list[EmergencyPauseOut] = []
    for r in session.scalars(select(GovEmergencyPauseRecord).order_by(GovEmergencyPauseRecord.id)):
        out.append(
            EmergencyPauseOut(
                id=r.id,
                deployment=r.deployment,
                by=r.by,
                severity=r.severity,
                paused_on=r.paused_on,
                reason=r.reason,
                ratified_by=r.ratified_by,
                ratify_by=ratification_due(r.paused_on, cadence),
                overdue=r.ratified_by is None
                and ratification_overdue(r.paused_on, meetings, cadence, today),
            )
        )
    return out


@dataclass(frozen=True)
class Gated:
    """One change of a governance file that moves a stored deployment, and what it needs."""

    deployment: str
    move: Move
    path: str
    needs: str
    value: str  # what the file says: the new status, the new model version, rights changed


def gated_changes(stored: Governance | None, new: Governance) -> list[Gated]:
    """Status changes, new model versions and changed right holders a file makes to
    deployments already stored (one rights move per deployment, however many rights change).

    Declaring a deployment (first apply, or a new key) is not a decision; moving one is.
    """
    if stored is None:
        return []
    found: list[Gated] = []
    for index, dep in enumerate(new.deployments):
        before = stored.deployment(dep.key)
        if before is None:
            continue
        if before.status != dep.status and dep.status in allowed_moves(
            before.status, previous_live(list(before.history))
        ):
            move = move_of(before.status, dep.status)
            path = f"deployments[{index}].status"
            found.append(Gated(dep.key, move, path, needs(stored, before, move), dep.status.value))
        added = [m for m in dep.models if m not in before.models]
        if changes_model(before) and added:
            found.append(
                Gated(
                    dep.key,
                    Move.MODEL,
                    f"deployments[{index}].models",
                    needs(stored, before, Move.MODEL),
                    f"{added[0].model} {added[0].version}",
                )
            )
        rights = rights_changes(before, dep)
        if rights:
            path = f"deployments[{index}].decision_rights.{rights[0][0].value}"
            wanted = needs(stored, before, Move.RIGHTS)
            found.append(Gated(dep.key, Move.RIGHTS, path, wanted, describe_rights(rights)))
    return found


def authorize_file(
    session: Session,
    stored: Governance | None,
    new: Governance,
    by: str | None,
    account: str | None,
    gates: dict[str, Standing] | None = None,
) -> tuple[list[tuple[str, Grant]], list[tuple[str, str, str | None]]]:
    """Grants for every gated change of a file applied by ``by``, and a problem per refusal.

    ``gates`` holds the scale gate's verdict for each deployment the file moves to scaling
    or production.
    """
    grants: list[tuple[str, Grant]] = []
    problems: list[tuple[str, str, str | None]] = []
    for gated in gated_changes(stored, new):
        assert stored is not None  # nothing is gated on a first apply
        dep = stored.deployment(gated.deployment)
        assert dep is not None
        index, declared = next((i, d) for i, d in enumerate(new.deployments) if d.key == dep.key)
        if gated.move is Move.RIGHTS:
            # Refused whatever else allows the change: a committee decision does not cover it.
            for right, added, _ in rights_changes(dep, declared):
                if by is not None and by in added:
                    path = f"deployments[{index}].decision_rights.{right.value}"
                    problems.append((path, self_grant(by, right, dep), by))
        elif gated.move is not Move.MODEL:
            # The history may not name a decider other than the person who applies.
            for step, entry in enumerate(declared.history):
                if entry not in dep.history and entry.by is not None and entry.by != by:
                    problems.append(
                        (
                            f"deployments[{index}].history[{step}].by",
                            f"names {entry.by} as the decider, but the file is applied by "
                            f"{by or 'nobody'}; apply it with --by {entry.by} (who must hold "
                            "the right), or leave 'by' out",
                            entry.by,
                        )
                    )
        try:
            gate = (gates or {}).get(dep.key)
            grant = authorize_move(session, stored, dep, gated.move, by, account=account, gate=gate)
        except NotPermitted as exc:
            problems.append((gated.path, exc.message, gated.value))
            continue
        grants.append((gated.deployment, grant))
    return grants, problems
