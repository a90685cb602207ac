"""/api/v1/incidents: list and read incidents, acknowledge, move, record decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cxsteward.domain.incidents import IncidentStatus
from cxsteward.services.governance.decisions import record_decision
from cxsteward.services.incidents import lifecycle as incidents
from cxsteward.services.incidents.models import (
    KEY_MAX,
    AcknowledgeCreate,
    DecisionCreate,
    DecisionOut,
    IncidentDetailOut,
    IncidentOut,
    IncidentUpdate,
)
from cxsteward.web.deps import WS, Permission, UserOut, actor, require_api
from cxsteward.web.routes.api.common import Id, person_of, signed_router

router = signed_router("/incidents", "incidents")
Reader = Annotated[UserOut, require_api(Permission.INCIDENT_VIEW)]
Acker = Annotated[UserOut, require_api(Permission.INCIDENT_ACK)]
Decider = Annotated[UserOut, require_api(Permission.INCIDENT_DECIDE)]


@router.get("", summary="List incidents", response_model=list[IncidentOut])
def list_incidents(
    ws: WS,
    user: Reader,
    status: Annotated[IncidentStatus | None, Query(description="Only this status.")] = None,
    deployment: Annotated[
        str | None, Query(max_length=KEY_MAX, description="Only this deployment.")
    ] = None,
) -> list[IncidentOut]:
    """Incidents, newest first."""
    return incidents.list_incidents(ws, status.value if status else None, deployment)


@router.get(
    "/{incident_id}", summary="One incident with its timeline", response_model=IncidentDetailOut
)
def get_incident(ws: WS, user: Reader, incident_id: Id) -> IncidentDetailOut:
    """The incident, every event of its timeline and the decisions taken on it."""
    return incidents.get_incident(ws, incident_id)


@router.post(
    "/{incident_id}/acknowledge",
    summary="Acknowledge an incident",
    response_model=IncidentDetailOut,
)
def acknowledge_incident(
    ws: WS, user: Acker, incident_id: Id, body: AcknowledgeCreate | None = None
) -> IncidentDetailOut:
    """Say someone is on it: open -> acknowledged (stops the response clock)."""
    note = body.note if body else ""
    return incidents.set_incident_status(
        ws, incident_id, IncidentStatus.ACKNOWLEDGED, actor(user), note
    )


@router.post(
    "/{incident_id}/status",
    summary="Move an incident along its lifecycle",
    response_model=IncidentDetailOut,
)
def set_incident_status(
    ws: WS, user: Acker, incident_id: Id, body: IncidentUpdate
) -> IncidentDetailOut:
    """Acknowledge, mitigate, resolve, close or reopen; refused moves list the allowed ones."""
    return incidents.set_incident_status(ws, incident_id, body.status, actor(user), body.note)


@router.post(
    "/{incident_id}/decisions",
    summary="Record a decision (pause, roll back...)",
    response_model=DecisionOut,
    status_code=201,
)
def record_incident_decision(
    ws: WS, user: Decider, incident_id: Id, body: DecisionCreate
) -> DecisionOut:
    """Record a decision on the incident's deployment, taken by the token's user.

    The user's username must be a person's key in the governance registry, and that person
    must hold the decision right (403 with who holds it otherwise). Pause, resume and
    discontinue change the deployment's lifecycle status in the same transaction.
    """
    incident = incidents.get_incident(ws, incident_id)
    by = person_of(ws, user)
    return record_decision(ws, body.action, incident.deployment, by, body.why, incident_id)
