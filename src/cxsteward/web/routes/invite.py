"""The public questionnaire behind a personal invitation link: no account, save and resume."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from cxsteward.domain.scale import ANSWER_LABELS, DONT_KNOW, Dimension
from cxsteward.errors import CxStewardError, Invalid
from cxsteward.services.assessment import invitations
from cxsteward.services.assessment.invitations import (
    InvitationNotFound,
    InvitationUnusable,
    InvitationView,
)
from cxsteward.web.deps import PUBLIC, WS, render
from cxsteward.web.errors import FORM_REFUSED, form_status, status_of

router = APIRouter(include_in_schema=False)
TOKEN_MAX = 100


def _unavailable(request: Request, exc: CxStewardError) -> Response:
    reason = exc.reason if isinstance(exc, InvitationUnusable) else "unknown"
    context = {"title": "Invitation unavailable", "message": exc.message, "reason": reason}
    return render(request, "invite/unavailable.html", context, status_code=status_of(exc))


def _sections(view: InvitationView) -> list[dict[str, object]]:
    """The bank's questions by dimension, each with how many are answered."""
    sections = []
    for dimension in Dimension:
        questions = view.bank.in_dimension(dimension)
        if questions:
            done = sum(1 for q in questions if q.id in view.answers)
            sections.append(
                {
                    "dimension": dimension,
                    "questions": questions,
                    "done": done,
                    "total": len(questions),
                }
            )
    return sections


def _page(
    request: Request,
    token: str,
    view: InvitationView,
    *,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "title": f"Assessment {view.cycle}",
        "token": token,
        "view": view,
        "sections": _sections(view),
        "labels": ANSWER_LABELS,
        "dont_know": DONT_KNOW,
        "errors": errors or {},
        "notice": notice,
        "error": error,
    }
    template = "invite/questionnaire.html" if view.started else "invite/start.html"
    if view.submitted_at is not None:
        template = "invite/submitted.html"
    return render(request, template, context, status_code=status_code)


@router.get("/invite/{token}", dependencies=[PUBLIC])
def open_invitation(request: Request, ws: WS, token: str, saved: bool = False) -> Response:
    """The invitee's page: choose how to answer, then the questions with the saved answers."""
    try:
        view = invitations.open_invitation(ws, token[:TOKEN_MAX])
    except (InvitationNotFound, InvitationUnusable) as exc:
        return _unavailable(request, exc)
    notice = "Your answers are saved. Use the same link to come back to them." if saved else None
    return _page(request, token, view, notice=notice)


@router.post("/invite/{token}/start", dependencies=[PUBLIC])
def start_invitation(
    request: Request,
    ws: WS,
    token: str,
    identity: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Record the choice: anonymous (no name stored) or named."""
    try:
        view = invitations.open_invitation(ws, token[:TOKEN_MAX])
    except (InvitationNotFound, InvitationUnusable) as exc:
        return _unavailable(request, exc)
    errors: dict[str, str] = {}
    status = FORM_REFUSED
    if identity not in ("anonymous", "named"):
        errors["identity"] = "Choose whether to answer anonymously or with your name."
    elif identity == "named" and not name.strip():
        errors["name"] = "Give your name, or choose to answer anonymously."
    if not errors:
        try:
            invitations.start_invitation(ws, token, identity == "anonymous", name)
        except (InvitationNotFound, InvitationUnusable) as exc:
            return _unavailable(request, exc)
        except CxStewardError as exc:
            errors["name"] = exc.message
            status = form_status(exc)
    if errors:
        return _page(request, token, view, errors=errors, status_code=status)
    return RedirectResponse(f"/invite/{token}", status_code=303)


def _parse_answers(
    form: FormData, view: InvitationView
) -> tuple[dict[str, tuple[int | None, str | None]], dict[str, str]]:
    answers: dict[str, tuple[int | None, str | None]] = {}
    errors: dict[str, str] = {}
    for question in view.bank.questions:
        raw = form.get(f"q-{question.id}")
        comment = form.get(f"c-{question.id}")
        text = comment if isinstance(comment, str) else None
        if not isinstance(raw, str) or raw == "":
            if text and text.strip():
                errors[question.id] = "Choose an answer (or don't know) to go with your comment."
            continue
        if raw == DONT_KNOW:
            answers[question.id] = (None, text)
        elif raw in {str(v) for v in ANSWER_LABELS}:
            answers[question.id] = (int(raw), text)
        else:
            errors[question.id] = f"{raw!r} is not one of the answers offered; choose one of them."
        if text is not None and len(text.strip()) > 2000:
            errors[question.id] = "The comment is longer than 2000 characters; shorten it."
    return answers, errors


@router.post("/invite/{token}/answers", dependencies=[PUBLIC])
async def save_answers(request: Request, ws: WS, token: str) -> Response:
    """Save the answers given on the page; ``submit`` also hands them in."""
    form = await request.form()
    try:
        view = invitations.open_invitation(ws, token[:TOKEN_MAX])
    except (InvitationNotFound, InvitationUnusable) as exc:
        return _unavailable(request, exc)
    if not view.started or view.submitted_at is not None:
        return RedirectResponse(f"/invite/{token}", status_code=303)
    answers, errors = _parse_answers(form, view)
    if errors:
        return _page(request, token, view, errors=errors, status_code=FORM_REFUSED)
    try:
        view = invitations.save_answers(ws, token, answers)
        if form.get("action") == "submit":
            view = invitations.submit_invitation(ws, token)
    except (InvitationNotFound, InvitationUnusable) as exc:
        return _unavailable(request, exc)
    except Invalid as exc:
        return _page(request, token, view, error=exc.message, status_code=form_status(exc))
    if view.submitted_at is not None:
        return RedirectResponse(f"/invite/{token}", status_code=303)
    return RedirectResponse(f"/invite/{token}?saved=true#progress", status_code=303)
