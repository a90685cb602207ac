"""Frontline feedback, the sender's side (C9): flag an AI failure, my reports, follow a code.

An anonymous flag is sent without a name: the route passes no person to the service, which
stores none, so nothing in the registry links the flag to the signed-in account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from cxsteward.errors import FeedbackNotFound, Invalid
from cxsteward.services.people.feedback import follow_feedback, list_feedback, submit_feedback
from cxsteward.services.people.models import FeedbackCreate
from cxsteward.web.deps import WS, Permission, UserOut, actor, render, require
from cxsteward.web.errors import FORM_REFUSED
from cxsteward.web.routes.trust_views import (
    FEEDBACK_CATEGORY_LABELS,
    FEEDBACK_STATUS_WORDS,
    FEEDBACK_TONES,
    flaggable_deployments,
    read_form,
    refusal,
    when,
)

router = APIRouter(include_in_schema=False)
Sender = Annotated[UserOut, require(Permission.FEEDBACK_SUBMIT)]


@router.get("/feedback")
def feedback_home(
    request: Request, ws: WS, user: Annotated[UserOut, require(Permission.OVERVIEW_VIEW)]
) -> HTMLResponse:
    """The form to flag a failure and the sender's own named reports.

    The header shows Feedback to people who may send it or read it, so the page needs only
    a sign-in; someone who may read but not send gets a pointer to the list of all flags.
    """
    return _page(request, ws, user, _empty_form(), {}, 200)


@router.post("/feedback")
def feedback_submit(
    request: Request,
    ws: WS,
    user: Sender,
    deployment: Annotated[str, Form(max_length=200)] = "",
    category: Annotated[str, Form(max_length=60)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    anonymous: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """Record the flag and show its follow-up code, this once."""
    form: dict[str, str | bool] = {
        "deployment": deployment,
        "category": category,
        "description": description,
        "anonymous": anonymous == "yes",
    }
    command, errors = read_form(
        FeedbackCreate,
        {
            "deployment": deployment,
            "category": category,
            "description": description,
            "anonymous": form["anonymous"],
        },
    )
    # The page offered these choices: say so in its words, not the schema's.
    if deployment not in {d.key for d in flaggable_deployments(ws)}:
        errors["deployment"] = "Choose the AI service that failed from the list."
    if "category" in errors:
        errors["category"] = "Choose what kind of failure it was."
    if command is None or errors:
        return _page(request, ws, user, form, errors, FORM_REFUSED)
    receipt = submit_feedback(
        ws,
        deployment=command.deployment,
        category=command.category,
        description=command.description,
        # Anonymous means no name at all, not even the account that is signed in.
        by=None if command.anonymous else actor(user),
        anonymous=command.anonymous,
    )
    context = {"title": "Feedback sent", "receipt": receipt, "when": when}
    return render(request, "feedback/receipt.html", context)


@router.get("/feedback/follow")
def follow_form(request: Request, user: Sender) -> HTMLResponse:
    """Where the holder of a follow-up code enters it."""
    return _follow_page(request, {"code": "", "error": None, "found": None}, 200)


@router.post("/feedback/follow")
def follow(
    request: Request, ws: WS, user: Sender, code: Annotated[str, Form(max_length=100)] = ""
) -> HTMLResponse:
    """What became of the flag behind a follow-up code; no names."""
    if not code.strip():
        context = {"code": code, "error": "Enter the follow-up code you were given.", "found": None}
        return _follow_page(request, context, FORM_REFUSED)
    try:
        found = follow_feedback(ws, code)
    except (FeedbackNotFound, Invalid) as exc:
        message, status = refusal(exc)
        return _follow_page(request, {"code": code, "error": message, "found": None}, status)
    return _follow_page(request, {"code": "", "error": None, "found": found}, 200)


def _empty_form() -> dict[str, str | bool]:
    return {"deployment": "", "category": "", "description": "", "anonymous": False}


def _page(
    request: Request,
    ws: WS,
    user: UserOut,
    form: dict[str, str | bool],
    errors: dict[str, str],
    status: int,
) -> HTMLResponse:
    name = actor(user)
    may_send = user.can(Permission.FEEDBACK_SUBMIT)
    # Only named reports can be "mine": anonymous ones carry no name to match.
    mine = [f for f in list_feedback(ws) if not f.anonymous and f.reporter == name]
    context = {
        "title": "Frontline feedback",
        "form": form,
        "errors": errors,
        "deployments": flaggable_deployments(ws),
        "categories": FEEDBACK_CATEGORY_LABELS,
        "mine": mine if may_send else [],
        "may_send": may_send,
        "status_words": FEEDBACK_STATUS_WORDS,
        "tones": FEEDBACK_TONES,
        "when": when,
    }
    return render(request, "feedback/home.html", context, status_code=status)


def _follow_page(request: Request, context: Mapping[str, object], status: int) -> HTMLResponse:
    full = {
        "title": "Follow your feedback",
        "categories": FEEDBACK_CATEGORY_LABELS,
        "status_words": FEEDBACK_STATUS_WORDS,
        "when": when,
        **context,
    }
    return render(request, "feedback/follow.html", full, status_code=status)
