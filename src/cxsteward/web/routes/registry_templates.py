"""Registry pages for customer communication templates and their legal approval."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from cxsteward.domain.governance.spec import Governance, Template
from cxsteward.errors import TemplateNotFound
from cxsteward.services.governance.acting import (
    not_a_person_message,
    person_of_account,
    require_person,
)
from cxsteward.services.workspace import Workspace
from cxsteward.web.deps import WS, Permission, UserOut, actor, require
from cxsteward.web.forms.fields import FormInvalid
from cxsteward.web.forms.templates import approve, save_template
from cxsteward.web.routes.registry_common import (
    FormState,
    back,
    gaps_by_object,
    governance_check,
    page,
    read_form,
    require_governance,
)

router = APIRouter(include_in_schema=False)
View = Annotated[UserOut, require(Permission.REGISTRY_VIEW)]
Edit = Annotated[UserOut, require(Permission.REGISTRY_EDIT)]
Approve = Annotated[UserOut, require(Permission.TEMPLATE_APPROVE)]


def _templates_page(
    request: Request,
    ws: Workspace,
    user: UserOut,
    failed: tuple[str, FormState] | None = None,
) -> HTMLResponse:
    gov = require_governance(ws)
    grouped = gaps_by_object(governance_check(ws))
    default = FormState()
    items = [
        {
            "template": t,
            "gaps": grouped.get(f"template:{t.key}", []),
            "form": failed[1] if failed and failed[0] == t.key else default,
        }
        for t in gov.templates
    ]
    uncovered = [g for o, gaps in grouped.items() if o.startswith("incident_type:") for g in gaps]
    context = {
        "title": "Communication templates",
        "items": items,
        "uncovered": uncovered,
        "names": {p.key: p.name for p in gov.people},
        # Approvals are recorded as the person whose key is the username
        # (services/governance/acting.py).
        "me": person_of_account(gov, user.username),
        "not_person": not_a_person_message(user.username),
        # The refused approval form, so the page is answered as a refusal.
        "refused": failed[1] if failed else default,
    }
    return page(request, "registry/templates.html", context)


@router.get("/registry/templates")
def list_templates(request: Request, ws: WS, user: View) -> HTMLResponse:
    """Every template: text, placeholders, version and approval state."""
    return _templates_page(request, ws, user)


@router.post("/registry/templates/{key}/approve")
def approve_template(request: Request, ws: WS, user: Approve, key: str) -> Response:
    """Record legal approval of the template's current version by the signed-in person.

    A ``by`` field in the form is ignored: the approver is always the person whose key is
    the username, and a user who is not a registry person is refused (403).
    """
    by = require_person(require_governance(ws), user.username).key
    try:
        approve(ws, key, {"by": by})
    except FormInvalid as exc:
        return _templates_page(request, ws, user, (key, FormState().failed(exc)))
    return back("/registry/templates", "approved")


def _template_form(request: Request, form: FormState, key: str | None) -> HTMLResponse:
    context = {"title": "New template" if key is None else "Edit template", "key": key}
    return page(request, "registry/template_form.html", {**context, "form": form})


def _template(gov: Governance, key: str) -> Template:
    found = next((t for t in gov.templates if t.key == key), None)
    if found is None:
        raise TemplateNotFound(f"No communication template {key!r}.")
    return found


@router.get("/registry/templates/new")
def new_template(request: Request, ws: WS, user: Edit) -> HTMLResponse:
    """The form for a new template."""
    require_governance(ws)
    return _template_form(request, FormState(), None)


@router.post("/registry/templates/new")
async def create_template(request: Request, ws: WS, user: Edit) -> Response:
    """Add a template through plan and apply; it starts unapproved."""
    form = await read_form(request)
    try:
        save_template(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _template_form(request, form.failed(exc), None)
    return back("/registry/templates", "saved")


@router.get("/registry/templates/{key}/edit")
def edit_template(request: Request, ws: WS, user: Edit, key: str) -> HTMLResponse:
    """The form for a template's incident type and wording."""
    template = _template(require_governance(ws), key)
    values = {"incident_type": template.incident_type, "text": template.text}
    return _template_form(request, FormState.of(values), key)


@router.post("/registry/templates/{key}/edit")
async def update_template(request: Request, ws: WS, user: Edit, key: str) -> Response:
    """Save new wording: a new version, which needs legal approval again."""
    before = _template(require_governance(ws), key)
    form = await read_form(request)
    try:
        saved = save_template(ws, form.mapping(), actor(user), key=key)
    except FormInvalid as exc:
        return _template_form(request, form.failed(exc), key)
    return back("/registry/templates", "new-version" if saved.version > before.version else "saved")
