"""Incidents: opened by hand, routed by protocol, moved through a lifecycle, read back.

Incidents from monitoring runs are opened through the same routing (see ``sync.py``).
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.spec import Deployment, Governance
from cxsteward.domain.incidents import (
    EventKind,
    IncidentSource,
    IncidentStatus,
    Routing,
    check_move,
    is_overdue,
    more_severe,
    parse_severity,
    parse_status,
    respond_by,
    responded_late,
    route,
)
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import DeploymentNotFound, Invalid, NotFound
from cxsteward.registry.tables_incidents import DecisionRecord, IncidentEventRecord, IncidentRecord
from cxsteward.registry.tables_trust import ReviewRequestRecord
from cxsteward.services.clock import now
from cxsteward.services.governance.setup import load_governance
from cxsteward.services.incidents.models import (
    DecisionOut,
    EventOut,
    IncidentCreate,
    IncidentDetailOut,
    IncidentOut,
    IncidentUpdate,
    Pending,
    checked,
)
from cxsteward.services.incidents.notify import Sleep, deliver, governance_or_none
from cxsteward.services.workspace import Workspace


def deliver_after_commit(
    ws: Workspace, session: Session, pending: list[Pending], sleep: Sleep
) -> None:
    """Notify about ``pending`` once ``session`` commits: only what was really stored, and
    never after a rollback."""
    done = False

    def committed(_session: Session) -> None:
        nonlocal done
        if not done:
            done = True
            deliver(ws, pending, sleep)

    def rolled_back(_session: Session) -> None:
        nonlocal done
        done = True

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", rolled_back, once=True)


def open_incident(
    ws: Workspace,
    title: str,
    deployment: str,
    severity: str,
    by: str,
    metric: str | None = None,
    description: str = "",
    incident_type: str | None = None,
    source: str = IncidentSource.MANUAL.value,
    sleep: Sleep = time.sleep,
    session: Session | None = None,
) -> IncidentDetailOut:
    """Open an incident by hand (or for a frontline flag or review request).

    A hand-opened incident for the same deployment, kind and scope as one still open (not
    resolved or closed) updates that one instead: one more occurrence, a note of who opened
    it again, and the severity raised when the new one is more severe.
    With ``session`` the incident joins the caller's transaction (so it exists only if the
    caller's work commits) and the notifications go out once that transaction commits.
    """
    level = parse_severity(severity)
    if not title.strip():
        raise Invalid("An incident needs a title that says what went wrong.")
    if not by.strip():
        raise Invalid("Say who opens the incident (--by).")
    try:
        origin = IncidentSource(source)
    except ValueError:
        names = ", ".join(s.value for s in IncidentSource)
        raise Invalid(f"Unknown incident source {source!r}; use one of {names}.") from None

    opening = checked(
        IncidentCreate,
        title=title.strip(),
        deployment=deployment,
        severity=level,
        metric=metric,
        description=description,
        incident_type=incident_type,
        source=origin,
    )
    kind = opening.incident_type or metric or "general"

    def create(unit: Session) -> tuple[IncidentRecord, str | None]:
        gov = load_governance(unit)
        known_deployment(gov, deployment)
        same = _still_open(unit, deployment, kind) if origin is IncidentSource.MANUAL else None
        if same is not None:
            raised = _opened_again(unit, gov, same, level, by, title.strip(), description)
            return same, "severity_raised" if raised else None
        record = new_incident(
            unit,
            gov,
            source=origin,
            title=title.strip(),
            deployment=deployment,
            severity=level,
            metric=metric,
            scope={},
            description=description,
            incident_type=kind,
            actor=by,
            detail={"by": by},
        )
        return record, "opened"

    if session is not None:
        record, event = create(session)
        pending = [Pending(record.id, event)] if event else []
        deliver_after_commit(ws, session, pending, sleep)
        return _detail(session, record, now(session))
    with ws.transaction(actor=by) as own:
        record, event = create(own)
        incident_id = record.id
    deliver(ws, [Pending(incident_id, event)] if event else [], sleep)
    return get_incident(ws, incident_id)


def known_deployment(gov: Governance, key: str) -> Deployment:
    """The declared deployment an incident or a decision is about, or NotFound naming them."""
    dep = gov.deployment(key)
    if dep is None:
        known = ", ".join(d.key for d in gov.deployments) or "none declared yet"
        raise DeploymentNotFound(
            f"No deployment {key!r} in the governance registry (known: {known})."
        )
    return dep


def _still_open(session: Session, deployment: str, kind: str) -> IncidentRecord | None:
    """The open hand-made incident of this deployment, kind and (empty) scope, if any."""
    candidates = session.scalars(
        select(IncidentRecord)
        .where(
            IncidentRecord.deployment == deployment,
            IncidentRecord.incident_type == kind,
            IncidentRecord.source == IncidentSource.MANUAL.value,
            IncidentRecord.status.not_in([IncidentStatus.RESOLVED, IncidentStatus.CLOSED]),
        )
        .order_by(IncidentRecord.id)
    )
    return next((r for r in candidates if not r.scope), None)


def _opened_again(
    session: Session,
    gov: Governance | None,
    record: IncidentRecord,
    level: Severity,
    by: str,
    title: str,
    description: str,
) -> bool:
    """Count a hand-made repeat on the open incident; True when its severity went up."""
    at = now(session)
    record.occurrences += 1
    detail: dict[str, object] = {"by": by, "title": title, "occurrences": record.occurrences}
    if description.strip():
        detail["description"] = description.strip()
    raised = raise_severity(gov, record, level, at, detail)
    add_event(session, record.id, by, EventKind.RECURRED, detail, at)
    return raised


def raise_severity(
    gov: Governance | None,
    record: IncidentRecord,
    level: Severity,
    at: datetime,
    detail: dict[str, object],
) -> bool:
    """Route a repeat that is more severe than the incident under its new protocol (more
    people told, an owner if it had none, the customers if the protocol says so, the sooner
    deadline); True when the severity went up, which ``detail`` then records."""
    if not more_severe(level, Severity(record.severity)):
        return False
    detail["severity"] = {"from": record.severity, "to": level.value}
    record.severity = level.value
    routing = route(gov, level, record.deployment, record.metric)
    record.notify = list(dict.fromkeys([*record.notify, *routing.notify]))
    record.owner = record.owner or _owner(routing)
    if routing.protocol is not None:
        record.tell_customers = record.tell_customers or routing.protocol.tell_customers
        deadline = respond_by(at, routing.protocol)
        if record.acknowledged_at is None and deadline is not None:
            record.respond_by = min(filter(None, [record.respond_by, deadline]))
    return True


def _owner(routing: Routing) -> str | None:
    """Who acts on the metric; failing that, who decides under the severity's protocol."""
    if routing.owner is not None:
        return routing.owner
    return routing.protocol.decides if routing.protocol is not None else None


def list_incidents(
    ws: Workspace,
    status: str | None = None,
    deployment: str | None = None,
    at: datetime | None = None,
) -> list[IncidentOut]:
    """Incidents, newest first, optionally of one status or deployment."""
    query = select(IncidentRecord).order_by(IncidentRecord.id.desc())
    if status is not None:
        query = query.where(IncidentRecord.status == parse_status(status).value)
    if deployment is not None:
        query = query.where(IncidentRecord.deployment == deployment)
    with ws.transaction() as session:
        records = list(session.scalars(query))
        joined = _review_requests(session, [r.id for r in records])
        return [_out(r, at or now(session), joined.get(r.id, 0)) for r in records]


def get_incident(ws: Workspace, incident_id: int, at: datetime | None = None) -> IncidentDetailOut:
    """One incident with its whole timeline and its decisions: the one read of an incident
    that the API, its page and ``incident show --json`` all give."""
    with ws.transaction() as session:
        return _detail(session, load_incident(session, incident_id), at or now(session))


def set_incident_status(
    ws: Workspace, incident_id: int, status: str, by: str, note: str = ""
) -> IncidentDetailOut:
    """Move an incident along its lifecycle; refused moves say which ones are allowed."""
    target = parse_status(status)
    if not by.strip():
        raise Invalid("Say who changes the status (--by).")
    note = checked(IncidentUpdate, status=target, note=note).note
    with ws.transaction(actor=by) as session:
        record = load_incident(session, incident_id)
        current = IncidentStatus(record.status)
        check_move(incident_id, current, target)
        at = now(session)
        if target is IncidentStatus.OPEN:
            reopen(governance_or_none(session), record, at)
        else:
            if record.acknowledged_at is None:
                # Working on it or fixing it is a response, even without an explicit ack.
                record.acknowledged_at = at
            if target is IncidentStatus.RESOLVED:
                record.resolved_at = at
            if target is IncidentStatus.CLOSED:
                record.closed_at = at
        record.status = target.value
        detail: dict[str, object] = {"from": current.value, "to": target.value}
        if note:
            detail["note"] = note
        add_event(session, record.id, by, EventKind.STATUS, detail, at)
    return get_incident(ws, incident_id)


def load_incident(session: Session, incident_id: int) -> IncidentRecord:
    """The incident row, or NotFound."""
    record = session.get(IncidentRecord, incident_id)
    if record is None:
        raise NotFound(f"No incident {incident_id}; `cxsteward incident list` shows them.")
    return record


def add_event(
    session: Session,
    incident_id: int,
    actor: str,
    kind: EventKind,
    detail: dict[str, object],
    at: datetime | None = None,
) -> None:
    """Append one line to an incident's timeline."""
    session.add(
        IncidentEventRecord(
            incident_id=incident_id,
            at=at or now(session),
            actor=actor,
            kind=kind.value,
            detail=detail,
        )
    )


def new_incident(
    session: Session,
    gov: Governance | None,
    *,
    source: IncidentSource,
    title: str,
    deployment: str,
    severity: Severity,
    metric: str | None,
    scope: dict[str, str],
    description: str,
    incident_type: str,
    actor: str,
    detail: dict[str, object],
    key: str | None = None,
    run_id: int | None = None,
) -> IncidentRecord:
    """Store a new incident routed by its severity's protocol, with its opening on the
    timeline and a note for each gap in the routing (no protocol, owner or governance)."""
    at = now(session)
    routing = route(gov, severity, deployment, metric)
    protocol = routing.protocol
    record = IncidentRecord(
        key=key,
        source=source.value,
        title=title[:300],
        description=description,
        incident_type=incident_type,
        deployment=deployment,
        metric=metric,
        scope=scope,
        severity=severity.value,
        status=IncidentStatus.OPEN.value,
        owner=_owner(routing),
        notify=routing.notify,
        opened_at=at,
        respond_by=respond_by(at, protocol),
        occurrences=1,
        last_run_id=run_id,
        tell_customers=protocol.tell_customers if protocol is not None else False,
    )
    session.add(record)
    session.flush()
    opened = {
        **detail,
        "severity": severity.value,
        "owner": _owner(routing),
        "notify": routing.notify,
    }
    add_event(session, record.id, actor, EventKind.OPENED, opened, at)
    for note in _routing_notes(gov, severity, deployment, metric, _owner(routing)):
        add_event(session, record.id, actor, EventKind.NOTE, {"note": note}, at)
    return record


def _routing_notes(
    gov: Governance | None,
    severity: Severity,
    deployment: str,
    metric: str | None,
    owner: str | None,
) -> list[str]:
    if gov is None:
        return [
            "No governance is applied in this workspace, so the incident has no owner, "
            "deadline or notify list; apply a governance file (`cxsteward governance apply`)."
        ]
    notes = []
    if gov.protocol(severity) is None:
        notes.append(
            f"No escalation protocol covers {severity.value}, so no response deadline, decider "
            "or notify list applied; add one to the governance file."
        )
    if gov.deployment(deployment) is None:
        notes.append(f"Deployment {deployment!r} is not in the governance registry.")
    if metric is not None and owner is None:
        notes.append(
            f"Nobody acts on {metric} for {deployment} in the accountability map, so the "
            "incident has no owner; assign one in the governance file."
        )
    return notes


def reopen(gov: Governance | None, record: IncidentRecord, at: datetime) -> None:
    """Clear the response of an incident that opens again; its deadline restarts from now,
    since a reopened incident needs a fresh response."""
    protocol = gov.protocol(Severity(record.severity)) if gov is not None else None
    record.respond_by = respond_by(at, protocol)
    record.acknowledged_at = None
    record.resolved_at = None


def _review_requests(session: Session, incident_ids: list[int]) -> dict[int, int]:
    """How many customer review requests each incident gathers (one statement).

    A review-request incident counts its requests here rather than in ``occurrences``:
    bumping that one row on every request made every public POST wait for the one
    before it (under load, most of a POST's time on PostgreSQL).
    """
    if not incident_ids:
        return {}
    counted = session.execute(
        select(ReviewRequestRecord.incident_id, func.count())
        .where(ReviewRequestRecord.incident_id.in_(incident_ids))
        .group_by(ReviewRequestRecord.incident_id)
    )
    return {incident: count for incident, count in counted if incident is not None}


def _out(record: IncidentRecord, at: datetime, review_requests: int = 0) -> IncidentOut:
    gathers = record.source == IncidentSource.REVIEW_REQUEST.value
    return IncidentOut(
        id=record.id,
        key=record.key,
        source=IncidentSource(record.source),
        title=record.title,
        description=record.description,
        incident_type=record.incident_type,
        deployment=record.deployment,
        metric=record.metric,
        scope=dict(record.scope),
        severity=Severity(record.severity),
        status=IncidentStatus(record.status),
        owner=record.owner,
        notify=list(record.notify),
        opened_at=record.opened_at,
        respond_by=record.respond_by,
        acknowledged_at=record.acknowledged_at,
        resolved_at=record.resolved_at,
        closed_at=record.closed_at,
        occurrences=max(review_requests, 1) if gathers else record.occurrences,
        last_run_id=record.last_run_id,
        tell_customers=record.tell_customers,
        overdue=is_overdue(record.respond_by, record.acknowledged_at, at),
        responded_late=responded_late(record.respond_by, record.acknowledged_at),
    )


def _detail(session: Session, record: IncidentRecord, at: datetime) -> IncidentDetailOut:
    # Read from the tables, not the relationship: in a caller's transaction the events were
    # added by id and the record's collection may not hold them yet.
    session.flush()
    events = session.scalars(
        select(IncidentEventRecord)
        .where(IncidentEventRecord.incident_id == record.id)
        .order_by(IncidentEventRecord.id)
    )
    decisions = session.scalars(
        select(DecisionRecord)
        .where(DecisionRecord.incident_id == record.id)
        .order_by(DecisionRecord.id)
    )
    return IncidentDetailOut(
        **dict(_out(record, at, _review_requests(session, [record.id]).get(record.id, 0))),
        events=[EventOut.model_validate(e) for e in events],
        decisions=[DecisionOut.model_validate(d) for d in decisions],
    )
