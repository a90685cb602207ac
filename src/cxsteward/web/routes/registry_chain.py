"""Registry pages for the escalation chain: the accountability map and escalation protocols."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from cxsteward.domain.governance.spec import Accountability, Deployment, Governance
from cxsteward.domain.metrics import METRIC_NAMES
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import NotFound
from cxsteward.services.governance.check import CheckOut, GapOut
from cxsteward.services.workspace import Workspace
from cxsteward.web.deps import WS, Id, Permission, UserOut, actor, require
from cxsteward.web.forms.chain import save_accountability, save_protocol
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
ROLES = ("monitors", "escalates", "acts")


@dataclass(frozen=True)
class GridCell:
    """One deployment's cell of a metric's row: the accountability row that applies, its gaps."""

    deployment: Deployment
    row: Accountability | None
    gaps: list[GapOut]


@dataclass(frozen=True)
class GridRow:
    metric: str
    cells: list[GridCell]


def accountability_grid(gov: Governance, report: CheckOut) -> list[GridRow]:
    """One row per key metric, one cell per deployment: the row that applies and its gaps."""
    metrics = list(gov.key_metrics) or sorted({r.metric for r in gov.accountability})
    grouped = gaps_by_object(report)
    rows = []
    for metric in metrics:
        cells = []
        for dep in gov.deployments:
            row = _applies(gov.accountability, metric, dep.key)
            where = f"deployment:{dep.key}/metric:{metric}"
            gaps = [g for g in grouped.get(where, []) if g.rule.startswith("accountability.")]
            cells.append(GridCell(dep, row, gaps))
        rows.append(GridRow(metric, cells))
    return rows


def _applies(rows: list[Accountability], metric: str, deployment: str) -> Accountability | None:
    # As the chain check reads it: a row for the deployment wins over the catch-all row.
    specific = [r for r in rows if r.metric == metric and r.deployment == deployment]
    general = [r for r in rows if r.metric == metric and r.deployment is None]
    chosen = specific or general
    return chosen[0] if chosen else None


@router.get("/registry/accountability")
def accountability_map(request: Request, ws: WS, user: View) -> HTMLResponse:
    """The accountability map: who monitors, escalates and acts per metric and deployment."""
    gov = require_governance(ws)
    report = governance_check(ws)
    context = {
        "title": "Accountability map",
        "gov": gov,
        "grid": accountability_grid(gov, report),
        "names": {p.key: p.name for p in gov.people},
        "roles": ROLES,
    }
    return page(request, "registry/accountability.html", context)


def _row_form(request: Request, ws: Workspace, form: FormState, index: int | None) -> HTMLResponse:
    gov = require_governance(ws)
    context = {
        "title": "Add an accountability row" if index is None else "Edit an accountability row",
        "index": index,
        "form": form,
        "metrics": [(m, m) for m in METRIC_NAMES],
        "deployments": [(d.key, f"{d.name} ({d.key})") for d in gov.deployments],
        "people": people_options(gov),
        "roles": ROLES,
    }
    return page(request, "registry/accountability_form.html", context)


@router.get("/registry/accountability/new")
def new_accountability(request: Request, ws: WS, user: Edit) -> HTMLResponse:
    """The form for a new accountability row."""
    return _row_form(
        request, ws, FormState.of({"metric": request.query_params.get("metric")}), None
    )


@router.post("/registry/accountability/new")
async def create_accountability(request: Request, ws: WS, user: Edit) -> Response:
    """Add an accountability row through plan and apply."""
    form = await read_form(request)
    try:
        save_accountability(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _row_form(request, ws, form.failed(exc), None)
    return back("/registry/accountability", "saved")


def _row(gov: Governance, number: int) -> Accountability:
    if not 1 <= number <= len(gov.accountability):
        raise NotFound(f"No accountability row number {number}.")
    return gov.accountability[number - 1]


@router.get("/registry/accountability/{number}/edit")
def edit_accountability(request: Request, ws: WS, user: Edit, number: Id) -> HTMLResponse:
    """The form for accountability row ``number`` (1-based, in declared order)."""
    row = _row(require_governance(ws), number)
    return _row_form(request, ws, FormState.of(row.model_dump()), number)


@router.post("/registry/accountability/{number}/edit")
async def update_accountability(request: Request, ws: WS, user: Edit, number: Id) -> Response:
    """Save accountability row ``number`` through plan and apply (the service knows the rows)."""
    form = await read_form(request)
    try:
        save_accountability(ws, form.mapping(), actor(user), index=number - 1)
    except FormInvalid as exc:
        return _row_form(request, ws, form.failed(exc), number)
    return back("/registry/accountability", "saved")


@router.get("/registry/protocols")
def list_protocols(request: Request, ws: WS, user: View) -> HTMLResponse:
    """The escalation protocol of each severity, sev1 to sev4, with its gaps."""
    gov = require_governance(ws)
    grouped = gaps_by_object(governance_check(ws))
    protocols = [(s, gov.protocol(s), grouped.get(f"protocol:{s.value}", [])) for s in Severity]
    names = {p.key: p.name for p in gov.people}
    context = {"title": "Escalation protocols", "protocols": protocols, "names": names}
    return page(request, "registry/protocols.html", context)


def _protocol_form(
    request: Request, ws: Workspace, form: FormState, severity: Severity
) -> HTMLResponse:
    gov = require_governance(ws)
    context = {
        "title": f"Escalation protocol {severity.value}",
        "severity": severity,
        "form": form,
        "people": people_options(gov),
    }
    return page(request, "registry/protocol_form.html", context)


@router.get("/registry/protocols/{severity}/edit")
def edit_protocol(request: Request, ws: WS, user: Edit, severity: Severity) -> HTMLResponse:
    """The form for one severity's protocol (empty when none is declared yet)."""
    protocol = require_governance(ws).protocol(severity)
    values = protocol.model_dump(mode="json") if protocol else {"severity": severity.value}
    values["tell_customers"] = "yes" if values.get("tell_customers") else ""
    values["emergency_pause"] = "yes" if values.get("emergency_pause") else ""
    return _protocol_form(request, ws, FormState.of(values), severity)


@router.post("/registry/protocols/{severity}/edit")
async def update_protocol(request: Request, ws: WS, user: Edit, severity: Severity) -> Response:
    """Save one severity's protocol through plan and apply."""
    form = await read_form(request)
    form.values["severity"] = [severity.value]
    try:
        save_protocol(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _protocol_form(request, ws, form.failed(exc), severity)
    return back("/registry/protocols", "saved")
