"""The /training page: AI-literacy coverage per module and role, overdue renewals, and the
forms that record a completion by hand or import a learning-system export.

Reading needs ``training:view``; both forms need ``training:manage``. A refused import shows
every problem of the file with its row, column and value, and writes nothing.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cxsteward.errors import CxStewardError, Invalid, Problem
from cxsteward.services.contract import Day
from cxsteward.services.training.completions import import_completions, record_completion
from cxsteward.services.training.coverage import list_modules, training_coverage
from cxsteward.services.training.models import CompletionCreate, CompletionMapping
from cxsteward.web.deps import MAX_ID, WS, Permission, UserOut, actor, render, require
from cxsteward.web.errors import FORM_REFUSED, form_status
from cxsteward.web.routes.trust_views import governance_or_none, read_form

router = APIRouter(include_in_schema=False)
Reader = Annotated[UserOut, require(Permission.TRAINING_VIEW)]
Manager = Annotated[UserOut, require(Permission.TRAINING_MANAGE)]
UPLOAD_MAX = 5 * 1024 * 1024
Text = Annotated[str, Form(max_length=200)]


@router.get("/training")
def training_page(
    request: Request,
    ws: WS,
    user: Reader,
    as_of: Day | None = None,
    imported: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> HTMLResponse:
    """Coverage as of a day (default: today), with the record and import forms."""
    return _page(request, ws, as_of, {}, {}, [], imported, 200)


@router.post("/training/completions")
def record(
    request: Request,
    ws: WS,
    user: Manager,
    person: Text = "",
    module: Text = "",
    completed_on: Text = "",
    score: Text = "",
    source: Text = "",
) -> Response:
    """Record one completion by hand."""
    form = {"person": person, "module": module, "completed_on": completed_on, "score": score}
    fields = {
        "person": person,
        "module": module,
        "completed_on": completed_on,
        "score": score or None,
        "source": source or "recorded by hand",
    }
    command, errors = read_form(CompletionCreate, fields)
    if command is None or errors:
        return _page(request, ws, None, errors, form, [], 0, FORM_REFUSED)
    try:
        record_completion(ws, command, actor(user))
    except CxStewardError as exc:
        message = exc.summary if isinstance(exc, Invalid) else exc.message
        return _page(request, ws, None, {"record": message}, form, [], 0, form_status(exc))
    return RedirectResponse("/training#recorded", status_code=303)


@router.post("/training/imports")
async def import_file(
    request: Request,
    ws: WS,
    user: Manager,
    file: Annotated[UploadFile, File()],
    person_column: Text = "",
    module_column: Text = "",
    day_column: Text = "",
    date_format: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Import a learning-system export through the columns named in the form."""
    form = {
        "person_column": person_column,
        "module_column": module_column,
        "day_column": day_column,
        "date_format": date_format,
    }
    fields = {
        "person": person_column,
        "module": module_column,
        "completed_on": day_column,
        "date_format": date_format or None,
    }
    mapping, errors = read_form(CompletionMapping, fields)
    errors = {f"{k}_column" if k != "date_format" else k: v for k, v in errors.items()}
    name = Path(file.filename or "upload.csv").name
    data = await file.read(UPLOAD_MAX + 1)
    if len(data) > UPLOAD_MAX:
        errors["file"] = f"The file is over {UPLOAD_MAX // (1024 * 1024)} MB; split it."
    elif not data:
        errors["file"] = "Choose the export to import."
    if mapping is None or errors:
        return _page(request, ws, None, errors, form, [], 0, FORM_REFUSED)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            out = import_completions(ws, path, mapping, actor(user), name)
        except Invalid as exc:
            problems = exc.problems or [Problem(exc.summary, name)]
            return _page(request, ws, None, {}, form, problems, 0, form_status(exc))
    return RedirectResponse(f"/training?imported={out.id}#imported", status_code=303)


def _page(
    request: Request,
    ws: WS,
    as_of: date | None,
    errors: dict[str, str],
    form: dict[str, str],
    problems: list[Problem],
    imported: int,
    status: int,
) -> HTMLResponse:
    gov = governance_or_none(ws)
    context = {
        "title": "AI-literacy training",
        "coverage": training_coverage(ws, as_of) if gov is not None else None,
        "modules": list_modules(ws) if gov is not None else [],
        "people": gov.people if gov is not None else [],
        "errors": errors,
        "form": form,
        "problems": problems,
        "imported": imported,
    }
    return render(request, "training/page.html", context, status_code=status)
