"""Registry pages for people: the list, add a person, edit a person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from cxsteward.errors import PersonNotFound
from cxsteward.web.deps import WS, Permission, UserOut, actor, require
from cxsteward.web.forms.fields import FormInvalid
from cxsteward.web.forms.people import person_values, save_person
from cxsteward.web.routes.registry_common import (
    FormState,
    back,
    page,
    read_form,
    require_governance,
)

router = APIRouter(include_in_schema=False)
View = Annotated[UserOut, require(Permission.REGISTRY_VIEW)]
Edit = Annotated[UserOut, require(Permission.REGISTRY_EDIT)]


@router.get("/registry/people")
def list_people(request: Request, ws: WS, user: View) -> HTMLResponse:
    """Everyone the registry names, with title and function."""
    gov = require_governance(ws)
    return page(request, "registry/people.html", {"title": "People", "gov": gov})


def _form_page(request: Request, form: FormState, key: str | None) -> HTMLResponse:
    context = {"title": "Add a person" if key is None else "Edit a person", "key": key}
    return page(request, "registry/person_form.html", {**context, "form": form})


@router.get("/registry/people/new")
def new_person(request: Request, ws: WS, user: Edit) -> HTMLResponse:
    """The form for a new person."""
    require_governance(ws)
    return _form_page(request, FormState(), None)


@router.post("/registry/people/new")
async def create_person(request: Request, ws: WS, user: Edit) -> Response:
    """Add a person through plan and apply."""
    form = await read_form(request)
    try:
        save_person(ws, form.mapping(), actor(user))
    except FormInvalid as exc:
        return _form_page(request, form.failed(exc), None)
    return back("/registry/people", "saved")


@router.get("/registry/people/{key}/edit")
def edit_person(request: Request, ws: WS, user: Edit, key: str) -> HTMLResponse:
    """The form for one person."""
    person = require_governance(ws).person(key)
    if person is None:
        raise PersonNotFound(f"No person {key!r} in the registry.")
    return _form_page(request, FormState.of(person_values(person)), key)


@router.post("/registry/people/{key}/edit")
async def update_person(request: Request, ws: WS, user: Edit, key: str) -> Response:
    """Save the person form through plan and apply."""
    form = await read_form(request)
    try:
        save_person(ws, form.mapping(), actor(user), key=key)
    except FormInvalid as exc:
        return _form_page(request, form.failed(exc), key)
    return back("/registry/people", "saved")
