"""Registry page to create or edit the governance committee (meetings are recorded elsewhere)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from cxsteward.domain.governance.spec import Right
from cxsteward.web.deps import WS, Permission, UserOut, actor, require
from cxsteward.web.forms.committee import (
    committee_values,
    member_rows,
    save_committee,
)
from cxsteward.web.forms.fields import FormInvalid
from cxsteward.web.routes.registry_common import (
    FormState,
    back,
    page,
    people_options,
    read_form,
    require_governance,
)

router = APIRouter(include_in_schema=False)
Edit = Annotated[UserOut, require(Permission.REGISTRY_EDIT)]
# Blank rows offered under the members, so that adding someone needs no script.
BLANK_ROWS = 3


def _form_page(request: Request, ws: WS, form: FormState) -> HTMLResponse:
    gov = require_governance(ws)
    rows = member_rows(form.values)
    if not form.invalid:
        rows += BLANK_ROWS
    context = {
        "title": "Edit the committee" if gov.committee is not None else "Declare the committee",
        "form": form,
        "people": people_options(gov),
        "rights": [(r.value, r.value.replace("_", " ")) for r in Right],
        "rows": range(max(rows, 1)),
        "meetings": len(gov.committee.meetings) if gov.committee is not None else 0,
    }
    return page(request, "registry/committee_edit.html", context)


@router.get("/registry/committee/edit")
def edit_committee(request: Request, ws: WS, user: Edit) -> HTMLResponse:
    """The committee form: name, cadence, authority and members."""
    committee = require_governance(ws).committee
    return _form_page(request, ws, FormState.of(committee_values(committee)))


@router.post("/registry/committee/edit")
async def update_committee(request: Request, ws: WS, user: Edit) -> Response:
    """Save the committee through plan and apply; meetings already held stay as they were."""
    form = await read_form(request)
    try:
        save_committee(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _form_page(request, ws, form.failed(exc))
    return back("/registry/committee", "saved")
