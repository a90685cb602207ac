"""Decisions about a deployment (pause, modify, roll back...), checked against decision rights."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.spec import Deployment, Lifecycle
from cxsteward.domain.incidents import (
    MOVE_OF,
    DecisionAction,
    EventKind,
    authority,
    parse_action,
)
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import Conflict, Invalid, NotFound
from cxsteward.registry.tables_incidents import DecisionRecord
from cxsteward.services.clock import now
from cxsteward.services.governance.rights import authorize_move, settle
from cxsteward.services.governance.setup import load_governance, transition_deployment
from cxsteward.services.incidents.lifecycle import add_event, known_deployment, load_incident
from cxsteward.services.incidents.models import DecisionCreate, DecisionOut, checked
from cxsteward.services.workspace import Workspace


def record_decision(
    ws: Workspace,
    action: str,
    deployment: str,
    by: str,
    why: str,
    incident_id: int | None = None,
) -> DecisionOut:
    """Record a decision taken by someone entitled to it; pause, resume and discontinue
    change the deployment's lifecycle status in the same transaction.

    Raises:
        NotPermitted: ``by`` holds no right that allows the action (the message names who does).
    """
    chosen = parse_action(action)
    if not why.strip():
        raise Invalid("Say why the decision was taken (--why); the record is the evidence.")
    why = checked(DecisionCreate, action=chosen, why=why).why
    with ws.transaction(actor=by) as session:
        gov = load_governance(session)
        dep = known_deployment(gov, deployment)
        if gov.person(by) is None:
            raise NotFound(
                f"{by!r} is not in the governance registry's people; decisions are taken by "
                "people declared there."
            )
        severity: Severity | None = None
        if incident_id is not None:
            incident = load_incident(session, incident_id)
            if incident.deployment != dep.key:
                raise Invalid(
                    f"Incident {incident_id} concerns {incident.deployment}, not {dep.key}; "
                    "a decision on an incident is about that incident's deployment."
                )
            severity = Severity(incident.severity)
        target = _new_status(session, dep, chosen)
        if chosen is DecisionAction.ACCEPT_RISK:
            allowed_by = authority(gov, chosen, dep, by, severity)
        elif target is not None:
            # The same service as every other door decides; it also records the move.
            moved = transition_deployment(
                ws, dep.key, target.value, by, why, session=session, severity=severity
            )
            allowed_by = moved.authority
        else:
            grant = authorize_move(session, gov, dep, MOVE_OF[chosen], by, severity)
            settle(session, grant, dep.key, why.strip(), now(session).date())
            allowed_by = grant.basis
        at = now(session)
        record = DecisionRecord(
            incident_id=incident_id,
            deployment=dep.key,
            action=chosen.value,
            by=by,
            why=why.strip(),
            authority=allowed_by,
            decided_at=at,
            status_before=dep.status.value if target is not None else None,
            status_after=target.value if target is not None else None,
        )
        session.add(record)
        session.flush()
        if incident_id is not None:
            detail: dict[str, object] = {
                "decision_id": record.id,
                "action": chosen.value,
                "why": record.why,
                "authority": allowed_by,
            }
            if target is not None:
                detail["deployment_status"] = {"from": dep.status.value, "to": target.value}
            add_event(session, incident_id, by, EventKind.DECISION, detail, at)
        return _out(record)


def list_decisions(
    ws: Workspace, deployment: str | None = None, incident_id: int | None = None
) -> list[DecisionOut]:
    """Decisions, oldest first, optionally about one deployment or incident."""
    query = select(DecisionRecord).order_by(DecisionRecord.id)
    if deployment is not None:
        query = query.where(DecisionRecord.deployment == deployment)
    if incident_id is not None:
        query = query.where(DecisionRecord.incident_id == incident_id)
    with ws.transaction() as session:
        return [_out(r) for r in session.scalars(query)]


def _new_status(session: Session, dep: Deployment, action: DecisionAction) -> Lifecycle | None:
    """The lifecycle status the decision moves the deployment to, if it moves it."""
    if dep.status is Lifecycle.RETIRED and action is not DecisionAction.ACCEPT_RISK:
        raise Conflict(f"{dep.key} is retired; no decision can change it any more.")
    if action is DecisionAction.PAUSE:
        if dep.status is Lifecycle.PAUSED:
            raise Conflict(f"{dep.key} is already paused; resume it first to pause it again.")
        return Lifecycle.PAUSED
    if action is DecisionAction.RESUME:
        if dep.status is not Lifecycle.PAUSED:
            raise Conflict(
                f"{dep.key} is {dep.status.value}, not paused; there is nothing to resume."
            )
        return _before_pause(session, dep)
    if action is DecisionAction.DISCONTINUE:
        return Lifecycle.RETIRED
    return None


def _before_pause(session: Session, dep: Deployment) -> Lifecycle:
    """The status the deployment had when it was last paused."""
    pause = session.scalar(
        select(DecisionRecord)
        .where(DecisionRecord.deployment == dep.key, DecisionRecord.action == "pause")
        .order_by(DecisionRecord.id.desc())
        .limit(1)
    )
    if pause is not None and pause.status_before is not None:
        return Lifecycle(pause.status_before)
    # Paused outside cxsteward's decisions (in the governance file): read the history.
    history = list(dep.history)
    paused = [i for i, t in enumerate(history) if t.status is Lifecycle.PAUSED]
    if paused and paused[-1] > 0 and history[paused[-1] - 1].status.live:
        return history[paused[-1] - 1].status
    raise Conflict(
        f"The history of {dep.key} does not show which status it had before it was paused, so "
        "it cannot be resumed by a decision; set its status in the governance file instead."
    )


def _out(record: DecisionRecord) -> DecisionOut:
    return DecisionOut.model_validate(record)
