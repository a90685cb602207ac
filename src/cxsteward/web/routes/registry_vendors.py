"""Registry pages for vendors and their contract clauses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from cxsteward.domain.governance.spec import ClauseKind, ClauseStatus, Governance, Vendor
from cxsteward.errors import NotFound
from cxsteward.services.governance.check import check_governance
from cxsteward.web.deps import WS, Permission, UserOut, actor, require
from cxsteward.web.forms.fields import FormInvalid
from cxsteward.web.forms.vendors import save_clause, save_vendor
from cxsteward.web.routes.registry_common import (
    FormState,
    back,
    gaps_by_object,
    page,
    read_form,
    require_governance,
)

router = APIRouter(include_in_schema=False)
View = Annotated[UserOut, require(Permission.REGISTRY_VIEW)]
Edit = Annotated[UserOut, require(Permission.REGISTRY_EDIT)]


@router.get("/registry/vendors")
def list_vendors(request: Request, ws: WS, user: View) -> HTMLResponse:
    """Each vendor with the four contract clauses, their status and evidence."""
    gov = require_governance(ws)
    grouped = gaps_by_object(check_governance(ws))
    vendors = []
    for vendor in gov.vendors:
        clauses = {c.kind: c for c in vendor.clauses}
        rows = [
            (kind, clauses.get(kind), grouped.get(f"vendor:{vendor.key}/clause:{kind.value}", []))
            for kind in ClauseKind
        ]
        used_by = [d for d in gov.deployments if d.vendor == vendor.key]
        vendors.append({"vendor": vendor, "rows": rows, "used_by": used_by})
    return page(request, "registry/vendors.html", {"title": "Vendors", "vendors": vendors})


def _vendor_form(request: Request, form: FormState, key: str | None) -> HTMLResponse:
    context = {"title": "Add a vendor" if key is None else "Rename a vendor", "key": key}
    return page(request, "registry/vendor_form.html", {**context, "form": form})


@router.get("/registry/vendors/new")
def new_vendor(request: Request, ws: WS, user: Edit) -> HTMLResponse:
    """The form for a new vendor."""
    require_governance(ws)
    return _vendor_form(request, FormState(), None)


@router.post("/registry/vendors/new")
async def create_vendor(request: Request, ws: WS, user: Edit) -> Response:
    """Add a vendor through plan and apply."""
    form = await read_form(request)
    try:
        save_vendor(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _vendor_form(request, form.failed(exc), None)
    return back("/registry/vendors", "saved")


def _vendor(gov: Governance, key: str) -> Vendor:
    vendor = next((v for v in gov.vendors if v.key == key), None)
    if vendor is None:
        raise NotFound(f"No vendor {key!r} in the registry.")
    return vendor


@router.get("/registry/vendors/{key}/edit")
def edit_vendor(request: Request, ws: WS, user: Edit, key: str) -> HTMLResponse:
    """The form for a vendor's name."""
    vendor = _vendor(require_governance(ws), key)
    return _vendor_form(request, FormState.of({"name": vendor.name}), key)


@router.post("/registry/vendors/{key}/edit")
async def update_vendor(request: Request, ws: WS, user: Edit, key: str) -> Response:
    """Rename a vendor through plan and apply."""
    form = await read_form(request)
    try:
        save_vendor(ws, form.mapping(), actor(user), key=key)
    except FormInvalid as exc:
        return _vendor_form(request, form.failed(exc), key)
    return back("/registry/vendors", "saved")


def _clause_form(
    request: Request, vendor: Vendor, kind: ClauseKind, form: FormState
) -> HTMLResponse:
    context = {
        "title": f"{vendor.name}: {kind.value.replace('_', ' ')} clause",
        "vendor": vendor,
        "kind": kind,
        "form": form,
        "statuses": [(s.value, s.value.replace("_", " ")) for s in ClauseStatus],
    }
    return page(request, "registry/clause_form.html", context)


@router.get("/registry/vendors/{key}/clauses/{kind}")
def edit_clause(request: Request, ws: WS, user: Edit, key: str, kind: ClauseKind) -> HTMLResponse:
    """The form for one contract clause of a vendor (empty when not recorded yet)."""
    vendor = _vendor(require_governance(ws), key)
    clause = next((c for c in vendor.clauses if c.kind == kind), None)
    values = clause.model_dump(mode="json") if clause else {"status": "missing"}
    return _clause_form(request, vendor, kind, FormState.of(values))


@router.post("/registry/vendors/{key}/clauses/{kind}")
async def update_clause(
    request: Request, ws: WS, user: Edit, key: str, kind: ClauseKind
) -> Response:
    """Save one contract clause through plan and apply."""
    vendor = _vendor(require_governance(ws), key)
    form = await read_form(request)
    form.values["kind"] = [kind.value]
    try:
        save_clause(ws, key, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _clause_form(request, vendor, kind, form.failed(exc))
    return back("/registry/vendors", "saved")
