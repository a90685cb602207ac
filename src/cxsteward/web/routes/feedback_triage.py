"""Frontline feedback, the organization's side (C9): every flag, triage, acted on, declined.

Reading needs ``feedback:view``; triaging and recording what changed need ``feedback:triage``.
The acted-on rate and the median days to action sit above the list, so the page itself
shows whether feedback leads anywhere.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cxsteward.domain.thresholds import Severity
from cxsteward.domain.trust import FeedbackStatus
from cxsteward.services.people.feedback import (
    act_on_feedback,
    decline_feedback,
    feedback_summary,
    get_feedback,
    list_feedback,
    triage_feedback,
)
from cxsteward.services.people.models import FeedbackActedOn, FeedbackDeclined, FeedbackTriage
from cxsteward.web.deps import WS, Id, Permission, UserOut, actor, is_htmx, render, require
from cxsteward.web.errors import FORM_REFUSED
from cxsteward.web.routes.trust_views import (
    FEEDBACK_CATEGORY_LABELS,
    FEEDBACK_STATUS_WORDS,
    FEEDBACK_TONES,
    governance_or_none,
    read_form,
    when,
)

router = APIRouter(include_in_schema=False)
Reader = Annotated[UserOut, require(Permission.FEEDBACK_VIEW)]
Triager = Annotated[UserOut, require(Permission.FEEDBACK_TRIAGE)]
LONG_TEXT = Form(max_length=20_000)


@router.get("/feedback/triage")
def triage_queue(
    request: Request,
    ws: WS,
    user: Reader,
    status: str = "",
    deployment: str = "",
    category: str = "",
) -> HTMLResponse:
    """Every flag, newest first, with the acted-on figures; filters by status, service, kind."""
    items = list_feedback(
        ws, status=status or None, deployment=deployment or None, category=category or None
    )
    gov = governance_or_none(ws)
    context = {
        "title": "Feedback triage",
        "items": items,
        "stats": feedback_summary(ws),
        "filters": {"status": status, "deployment": deployment, "category": category},
        "deployments": gov.deployments if gov else [],
        "categories": FEEDBACK_CATEGORY_LABELS,
        "status_words": FEEDBACK_STATUS_WORDS,
        "tones": FEEDBACK_TONES,
        "when": when,
    }
    template = "feedback/_triage_table.html" if is_htmx(request) else "feedback/triage.html"
    return render(request, template, context)


@router.get("/feedback/{feedback_id:int}")
def feedback_detail(request: Request, ws: WS, user: Reader, feedback_id: Id) -> HTMLResponse:
    """One flag: what happened, who sent it (unless anonymous), triage and what changed."""
    return _detail(request, ws, feedback_id, {}, {}, 200)


@router.post("/feedback/{feedback_id:int}/triage")
def triage(
    request: Request,
    ws: WS,
    user: Triager,
    feedback_id: Id,
    severity: Annotated[str, Form(max_length=10)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, LONG_TEXT] = "",
) -> Response:
    """Give the flag a severity, an owner and a note."""
    form = {"severity": severity, "owner": owner, "note": note}
    fields = {"severity": severity, "owner": owner or None, "note": note or None}
    command, errors = read_form(FeedbackTriage, fields)
    if "severity" in errors:
        errors["severity"] = "Choose a severity, sev1 (worst) to sev4."
    gov = governance_or_none(ws)
    if owner and (gov is None or gov.person(owner) is None):
        errors["owner"] = "Choose the owner from the list of people, or leave it empty."
    if command is None or errors:
        return _detail(request, ws, feedback_id, errors, form, FORM_REFUSED)
    triage_feedback(
        ws,
        feedback_id,
        command.severity,
        by=actor(user),
        owner=command.owner,
        note=command.note,
    )
    return RedirectResponse(f"/feedback/{feedback_id}", status_code=303)


@router.post("/feedback/{feedback_id:int}/act")
def act(
    request: Request,
    ws: WS,
    user: Triager,
    feedback_id: Id,
    change: Annotated[str, LONG_TEXT] = "",
) -> Response:
    """Record what changed because of the flag (required)."""
    command, errors = read_form(FeedbackActedOn, {"status": "acted_on", "text": change})
    if command is None:
        errors = {"change": errors.get("text", "")}
        return _detail(request, ws, feedback_id, errors, {"change": change}, FORM_REFUSED)
    act_on_feedback(ws, feedback_id, command.text, by=actor(user))
    return RedirectResponse(f"/feedback/{feedback_id}", status_code=303)


@router.post("/feedback/{feedback_id:int}/decline")
def decline(
    request: Request,
    ws: WS,
    user: Triager,
    feedback_id: Id,
    reason: Annotated[str, LONG_TEXT] = "",
) -> Response:
    """Decline the flag with a reason the sender can read."""
    command, errors = read_form(FeedbackDeclined, {"status": "declined", "text": reason})
    if command is None:
        errors = {"reason": errors.get("text", "")}
        return _detail(request, ws, feedback_id, errors, {"reason": reason}, FORM_REFUSED)
    decline_feedback(ws, feedback_id, command.text, by=actor(user))
    return RedirectResponse(f"/feedback/{feedback_id}", status_code=303)


def _detail(
    request: Request,
    ws: WS,
    feedback_id: int,
    errors: dict[str, str],
    form: dict[str, str],
    status: int,
) -> HTMLResponse:
    item = get_feedback(ws, feedback_id)
    gov = governance_or_none(ws)
    context = {
        "title": f"Feedback {item.id}",
        "item": item,
        "errors": errors,
        "form": {"severity": "", "owner": "", "note": "", "change": "", "reason": "", **form},
        "severities": [s.value for s in Severity],
        "people": gov.people if gov else [],
        "categories": FEEDBACK_CATEGORY_LABELS,
        "status_words": FEEDBACK_STATUS_WORDS,
        "tones": FEEDBACK_TONES,
        "is_new": item.status == FeedbackStatus.NEW.value,
        "is_triaged": item.status == FeedbackStatus.TRIAGED.value,
        "when": when,
    }
    return render(request, "feedback/detail.html", context, status_code=status)
