"""Registry pages for AI deployments: list, detail, create and edit, lifecycle, model versions
and what each changed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from cxsteward.domain.governance.gap_summary import summarise_gaps
from cxsteward.domain.governance.rights import Move, committee_may
from cxsteward.domain.governance.spec import (
    Deployment,
    Function,
    Governance,
    Lifecycle,
    Meeting,
    Right,
    allowed_moves,
)
from cxsteward.errors import DeploymentNotFound
from cxsteward.services.governance.acting import person_of
from cxsteward.services.governance.committee import list_committee_decisions
from cxsteward.services.governance.gate import gate_history
from cxsteward.services.governance.plan import previous_live
from cxsteward.services.governance.rights import list_emergency_pauses
from cxsteward.services.monitoring.model_changes import model_changes
from cxsteward.services.overview import gate_verdicts
from cxsteward.services.workspace import Workspace
from cxsteward.web.deps import WS, Permission, UserOut, actor, require
from cxsteward.web.forms.decisions import decide
from cxsteward.web.forms.deployments import (
    add_model_version,
    change_status,
    deployment_values,
    disclosure_pairs,
    save_deployment,
)
from cxsteward.web.forms.fields import FormInvalid
from cxsteward.web.routes.registry_common import (
    FormState,
    back,
    gaps_by_object,
    governance_check,
    page,
    people_options,
    read_form,
    require_governance,
)

router = APIRouter(include_in_schema=False)
View = Annotated[UserOut, require(Permission.REGISTRY_VIEW)]
Edit = Annotated[UserOut, require(Permission.REGISTRY_EDIT)]


@router.get("/registry/deployments")
def list_deployments(request: Request, ws: WS, user: View) -> HTMLResponse:
    """Every deployment with its function, channels, vendor, go-live and status."""
    gov = require_governance(ws)
    grouped = gaps_by_object(governance_check(ws))
    blocking = {
        d.key: sum(
            g.blocking
            for o, gaps in grouped.items()
            if o.startswith(f"deployment:{d.key}")
            for g in gaps
        )
        for d in gov.deployments
    }
    context = {"title": "Deployments", "gov": gov, "blocking": blocking}
    return page(request, "registry/deployments.html", context)


def _form_page(request: Request, gov: Governance, form: FormState, key: str | None) -> HTMLResponse:
    # One statement box per channel: those already in the form, then newly typed channels.
    channels = [(ch, words) for ch, words in disclosure_pairs(form.mapping()) if ch]
    typed = [ch.strip() for ch in form.value("channels").split(",") if ch.strip()]
    channels += [(ch, "") for ch in typed if ch not in dict(channels)]
    context = {
        "title": "New deployment" if key is None else "Edit deployment",
        "gov": gov,
        "key": key,
        "form": form,
        "functions": [(f.value, f.value) for f in Function],
        "statuses": [(s.value, s.value) for s in Lifecycle if s != Lifecycle.RETIRED],
        "vendors": [(v.key, f"{v.name} ({v.key})") for v in gov.vendors],
        "people": people_options(gov),
        "rights": list(Right),
        "channels": channels,
    }
    return page(request, "registry/deployment_form.html", context)


@router.get("/registry/deployments/new")
def new_deployment(request: Request, ws: WS, user: Edit) -> HTMLResponse:
    """The form for a new deployment."""
    gov = require_governance(ws)
    form = FormState.of({"status": "pilot", "customer_facing": "yes"})
    return _form_page(request, gov, form, None)


@router.post("/registry/deployments/new")
async def create_deployment(request: Request, ws: WS, user: Edit) -> Response:
    """Create a deployment through plan and apply."""
    form = await read_form(request)
    try:
        dep = save_deployment(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _form_page(request, require_governance(ws), form.failed(exc), None)
    return back(f"/registry/deployments/{dep.key}", "saved")


def _deployment(gov: Governance, key: str) -> Deployment:
    dep = gov.deployment(key)
    if dep is None:
        known = ", ".join(d.key for d in gov.deployments) or "none"
        raise DeploymentNotFound(f"No deployment {key!r}; known deployments: {known}.")
    return dep


def _detail_page(
    request: Request,
    ws: Workspace,
    key: str,
    status_form: FormState,
    model_form: FormState,
    committee_form: FormState | None = None,
) -> HTMLResponse:
    gov = require_governance(ws)
    dep = _deployment(gov, key)
    grouped = gaps_by_object(governance_check(ws))
    gaps = [g for o, found in grouped.items() if o.startswith(f"deployment:{key}") for g in found]
    channel_gaps = {ch: grouped.get(f"channel:{ch}", []) for ch in dep.channels}
    moves = allowed_moves(dep.status, previous_live(dep.history))
    vendor = next((v for v in gov.vendors if v.key == dep.vendor), None)
    context = {
        "title": dep.name,
        "gov": gov,
        "dep": dep,
        "vendor": vendor,
        "gap_groups": summarise_gaps(gaps),
        "changes": model_changes(ws, key),
        "gate": next((g for g in gate_verdicts(ws) if g.deployment == key), None),
        "gate_history": gate_history(ws, key, limit=5),
        "channel_gaps": channel_gaps,
        "names": {p.key: p.name for p in gov.people},
        "moves": [(m.value, m.value) for m in moves],
        "people": people_options(gov),
        "rights": list(Right),
        "status_form": status_form,
        "model_form": model_form,
        "committee_form": committee_form or FormState(),
        "committee_moves": [(m.value, m.value) for m in Move if committee_may(gov.committee, m)],
        "members": [(m.person, m.person) for m in gov.committee.members] if gov.committee else [],
        "meetings": [
            (str(m.held_on), str(m.held_on))
            for m in sorted(
                gov.committee.meetings if gov.committee else [], key=_held, reverse=True
            )
        ],
        "committee_decisions": list_committee_decisions(ws, key),
        "pauses": [
            p
            for p in list_emergency_pauses(
                ws, gov.committee.cadence_days if gov.committee else None
            )
            if p.deployment == key
        ],
    }
    return page(request, "registry/deployment.html", context)


def _held(meeting: Meeting) -> date:
    return meeting.held_on


@router.get("/registry/deployments/{key}")
def show_deployment(request: Request, ws: WS, user: View, key: str) -> HTMLResponse:
    """One deployment: lifecycle and model history, disclosure, decision rights, its gaps."""
    gov = require_governance(ws)
    by = person_of(gov, actor(user)) or ""
    return _detail_page(request, ws, key, FormState.of({"by": by}), FormState())


@router.get("/registry/deployments/{key}/edit")
def edit_deployment(request: Request, ws: WS, user: Edit, key: str) -> HTMLResponse:
    """The form for a deployment's basic fields, disclosure and decision rights."""
    gov = require_governance(ws)
    form = FormState.of(deployment_values(_deployment(gov, key)))
    return _form_page(request, gov, form, key)


@router.post("/registry/deployments/{key}/edit")
async def update_deployment(request: Request, ws: WS, user: Edit, key: str) -> Response:
    """Save the deployment form through plan and apply."""
    form = await read_form(request)
    try:
        save_deployment(ws, form.mapping(), actor(user), key=key)
    except FormInvalid as exc:
        return _form_page(request, require_governance(ws), form.failed(exc), key)
    return back(f"/registry/deployments/{key}", "saved")


@router.post("/registry/deployments/{key}/status")
async def transition_deployment(request: Request, ws: WS, user: Edit, key: str) -> Response:
    """Move the deployment through its lifecycle; a refused move comes back with the reason."""
    form = await read_form(request)
    # The decider is the signed-in person, never a name picked in the form.
    values = {**form.mapping(), "by": [person_of(require_governance(ws), actor(user)) or ""]}
    try:
        change_status(ws, key, values, actor(user))
    except FormInvalid as exc:
        state = FormState.of(values).failed(exc)
        return _detail_page(request, ws, key, state, FormState())
    return back(f"/registry/deployments/{key}", "status")


@router.post("/registry/deployments/{key}/committee-decisions")
async def record_committee_decision(request: Request, ws: WS, user: Edit, key: str) -> Response:
    """Record a decision the committee took at a meeting, with members present and votes."""
    form = await read_form(request)
    _deployment(require_governance(ws), key)
    try:
        decide(ws, key, form.mapping(), actor(user))
    except FormInvalid as exc:
        state = form.failed(exc)
        return _detail_page(request, ws, key, FormState(), FormState(), state)
    return back(f"/registry/deployments/{key}", "committee")


@router.post("/registry/deployments/{key}/models")
async def record_model_version(request: Request, ws: WS, user: Edit, key: str) -> Response:
    """Record the model version the deployment runs from a date."""
    form = await read_form(request)
    try:
        add_model_version(ws, key, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _detail_page(request, ws, key, FormState(), form.failed(exc))
    return back(f"/registry/deployments/{key}", "model")
