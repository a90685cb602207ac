"""Incident pages: the list with filters, the detail with its timeline, and the actions on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from cxsteward.domain.incidents import MOVES, DecisionAction, IncidentStatus
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import CxStewardError, Invalid, NotFound, Problem
from cxsteward.services.governance import decisions
from cxsteward.services.governance.acting import (
    acting_person,
    not_a_person_message,
    person_of_account,
)
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.incidents import communications
from cxsteward.services.incidents import lifecycle as incidents
from cxsteward.services.incidents.models import NOTE_MAX, WHY_MAX
from cxsteward.web.deps import WS, Id, Permission, UserOut, actor, render, require
from cxsteward.web.errors import status_of

router = APIRouter(include_in_schema=False)
DONE = {
    "acknowledged": "The incident is acknowledged.",
    "status": "The status was changed.",
    "decision": "The decision is recorded.",
    "drafted": "The draft is saved; check it, then mark it sent once it has gone out.",
    "sent": "The message is recorded as sent.",
}


@router.get("/incidents")
def list_incidents(
    request: Request,
    ws: WS,
    user: Annotated[UserOut, require(Permission.INCIDENT_VIEW)],
    status: str = "",
    severity: str = "",
    deployment: str = "",
) -> Response:
    """Incidents, newest first, filtered by status, severity and deployment; overdue flagged."""
    problems = []
    if status and status not in {s.value for s in IncidentStatus}:
        problems.append(
            Problem(f"Unknown status {status!r}; choose one from the list.", column="status")
        )
    if severity and severity not in {s.value for s in Severity}:
        problems.append(
            Problem(f"Unknown severity {severity!r}; choose one from the list.", column="severity")
        )
    errors = {str(p.column): p.message for p in problems}
    items = incidents.list_incidents(ws, status or None, deployment or None) if not errors else []
    items = [i for i in items if not severity or i.severity == severity]
    gov = current_governance(ws)
    context = {
        "title": "Incidents",
        "items": items,
        "filters": {"status": status, "severity": severity, "deployment": deployment},
        "errors": errors,
        "statuses": list(IncidentStatus),
        "severities": list(Severity),
        "deployments": [d.key for d in gov.deployments],
    }
    code = status_of(Invalid("Some filters are not valid.", problems)) if problems else 200
    return render(request, "incidents/list.html", context, status_code=code)


@dataclass(frozen=True)
class _Refusal:
    """A refused form, shown again on the detail page with what was typed and why."""

    form: str
    message: str
    problems: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _View:
    """What the detail page shows beside the incident: a notice, a template, a refusal."""

    done: str = ""
    template_key: str = ""
    refusal: _Refusal | None = None
    status_code: int = 200


def _detail(request: Request, ws: WS, user: UserOut, incident_id: int, view: _View) -> Response:
    refusal, template_key = view.refusal, view.template_key
    incident = incidents.get_incident(ws, incident_id)
    gov = current_governance(ws)
    templates = [t for t in gov.templates if t.incident_type == incident.incident_type]
    chosen = next((t for t in templates if t.key == template_key), None)
    # The template's context: the page boundary, where Jinja reads values of every kind.
    context: dict[str, Any] = {
        "title": f"Incident {incident.id}",
        "incident": incident,
        "done": DONE.get(view.done),
        "form": refusal.form if refusal else "",
        "message": refusal.message if refusal else None,
        "problems": refusal.problems if refusal else {},
        "values": refusal.values if refusal else {},
        "moves": sorted(s.value for s in MOVES[IncidentStatus(incident.status)]),
        "actions": [a.value for a in DecisionAction],
        # Decisions and messages are taken as the person whose key is the username, never
        # as a person picked in the form (see services/governance/acting.py).
        "me": person_of_account(gov, user.username),
        "not_person": not_a_person_message(user.username),
        "decisions": incident.decisions,
        "messages": communications.list_communications(ws, incident.id),
        "templates": templates,
        "template": chosen,
        "deployment": gov.deployment(incident.deployment),
    }
    return render(request, "incidents/detail.html", context, status_code=view.status_code)


@router.get("/incidents/{incident_id}")
def show_incident(
    request: Request,
    ws: WS,
    user: Annotated[UserOut, require(Permission.INCIDENT_VIEW)],
    incident_id: Id,
    done: str = "",
    template: str = "",
) -> Response:
    """One incident: owner, notify list, respond-by, timeline, decisions, communications."""
    return _detail(request, ws, user, incident_id, _View(done=done, template_key=template))


def _back(incident_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{incident_id}?done={done}", status_code=303)


def _refused(
    request: Request,
    ws: WS,
    user: UserOut,
    incident_id: int,
    exc: CxStewardError,
    *,
    form: str,
    values: dict[str, str] | None = None,
    template_key: str = "",
    unplaced: str = "",
) -> Response:
    """The page again with the refusal beside its form; the status is the error mapper's."""
    refusal = _Refusal(form, exc.message, values=values or {})
    if isinstance(exc, Invalid):
        problems = {p.column or unplaced: p.message for p in exc.problems if p.column or unplaced}
        refusal = _Refusal(form, exc.summary, problems, values or {})
    view = _View(template_key=template_key, refusal=refusal, status_code=status_of(exc))
    return _detail(request, ws, user, incident_id, view)


@router.post("/incidents/{incident_id}/acknowledge")
def acknowledge_incident(
    request: Request,
    ws: WS,
    user: Annotated[UserOut, require(Permission.INCIDENT_ACK)],
    incident_id: Id,
) -> Response:
    """Say someone is on it: stops the respond-by clock."""
    try:
        incidents.set_incident_status(ws, incident_id, "acknowledged", actor(user))
    except CxStewardError as exc:
        return _refused(request, ws, user, incident_id, exc, form="status")
    return _back(incident_id, "acknowledged")


@router.post("/incidents/{incident_id}/status")
def set_incident_status(
    request: Request,
    ws: WS,
    user: Annotated[UserOut, require(Permission.INCIDENT_ACK)],
    incident_id: Id,
    status: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=NOTE_MAX)] = "",
) -> Response:
    """Move the incident along its lifecycle, with an optional note for the timeline."""
    try:
        incidents.set_incident_status(ws, incident_id, status, actor(user), note.strip())
    except CxStewardError as exc:
        values = {"status": status, "note": note}
        return _refused(request, ws, user, incident_id, exc, form="status", values=values)
    return _back(incident_id, "status")


@router.post("/incidents/{incident_id}/decisions")
def record_decision(
    request: Request,
    ws: WS,
    user: Annotated[UserOut, require(Permission.INCIDENT_DECIDE)],
    incident_id: Id,
    action: Annotated[str, Form(max_length=20)] = "",
    why: Annotated[str, Form(max_length=WHY_MAX)] = "",
) -> Response:
    """Record a decision about the incident's deployment, taken as the signed-in person.

    The decision is checked against the decision rights of that person; a user who is not a
    person of the registry is refused (403) before anything is read from the form.
    """
    by = acting_person(ws, user.username).key
    values = {"action": action, "why": why}
    missing = []
    if not action:
        missing.append(Problem("Choose the decision.", column="action"))
    if not why.strip():
        missing.append(
            Problem("Say why the decision is taken; the record is the evidence.", column="why")
        )
    incident = incidents.get_incident(ws, incident_id)
    try:
        if missing:
            raise Invalid("The decision was not recorded.", missing)
        decisions.record_decision(ws, action, incident.deployment, by, why, incident_id)
    except CxStewardError as exc:
        return _refused(request, ws, user, incident_id, exc, form="decision", values=values)
    return _back(incident_id, "decision")


@router.post("/incidents/{incident_id}/communications")
async def draft_communication(
    request: Request,
    ws: WS,
    user: Annotated[UserOut, require(Permission.INCIDENT_COMMUNICATE)],
    incident_id: Id,
) -> Response:
    """Fill an approved template of the incident's type, drafted as the signed-in person.

    Placeholders come as ``value-NAME``; any other field (a ``by`` or ``acting_as`` included)
    is ignored.
    """
    by = acting_person(ws, user.username).key
    form = await request.form()
    key = str(form.get("template", ""))
    filled = {
        name.removeprefix("value-"): str(value)
        for name, value in form.items()
        if name.startswith("value-")
    }
    values = {f"value-{k}": v for k, v in filled.items()}
    try:
        communications.draft_communication(ws, incident_id, key, filled, by)
    except CxStewardError as exc:
        return _refused(
            request,
            ws,
            user,
            incident_id,
            exc,
            form="draft",
            values=values,
            template_key=key,
            unplaced="template",
        )
    return _back(incident_id, "drafted")


@router.post("/incidents/{incident_id}/communications/{communication_id}/send")
def send_communication(
    request: Request,
    ws: WS,
    user: Annotated[UserOut, require(Permission.INCIDENT_COMMUNICATE)],
    incident_id: Id,
    communication_id: Id,
    channel: Annotated[str, Form(max_length=60)] = "email",
) -> Response:
    """Record that a drafted message went out to customers (once), sent by the signed-in person."""
    by = acting_person(ws, user.username).key
    if all(m.id != communication_id for m in communications.list_communications(ws, incident_id)):
        # The page has no such draft to show the refusal beside: the error page says it.
        raise NotFound(f"Communication {communication_id} is not a draft of this incident.")
    try:
        communications.send_communication(ws, communication_id, by, channel)
    except CxStewardError as exc:
        return _refused(request, ws, user, incident_id, exc, form=f"send-{communication_id}")
    return _back(incident_id, "sent")
