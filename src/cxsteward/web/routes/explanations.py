"""Plain-language explanation records (C8): the list, one record, writing one.

They live under /reviews because the people who work review requests write them; reading
needs ``review:queue``, writing ``review:resolve``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cxsteward.domain.trust import REFERENCE_MAX, TEXT_MAX, clean_factors, clean_text, required_text
from cxsteward.errors import Invalid, ReviewNotFound
from cxsteward.services.trust.explanations import (
    get_explanation,
    list_explanations,
    record_explanation,
)
from cxsteward.services.trust.reviews import get_review
from cxsteward.web.deps import WS, Id, Permission, UserOut, actor, render, require
from cxsteward.web.errors import FORM_REFUSED
from cxsteward.web.routes.trust_views import governance_or_none, when

router = APIRouter(include_in_schema=False)
Reader = Annotated[UserOut, require(Permission.REVIEW_QUEUE)]
Writer = Annotated[UserOut, require(Permission.REVIEW_RESOLVE)]


@router.get("/reviews/explanations")
def explanation_list(request: Request, ws: WS, user: Reader, deployment: str = "") -> HTMLResponse:
    """Every explanation record, newest first, optionally of one service."""
    gov = governance_or_none(ws)
    context = {
        "title": "Explanation records",
        "items": list_explanations(ws, deployment=deployment or None),
        "deployment": deployment,
        "deployments": gov.deployments if gov else [],
        "when": when,
    }
    return render(request, "reviews/explanations.html", context)


@router.get("/reviews/explanations/new")
def explanation_form(
    request: Request, ws: WS, user: Writer, review: int | None = None
) -> HTMLResponse:
    """The form to write an explanation, linked to a review request when one is given."""
    form = {"deployment": "", "reference": "", "text": "", "factors": "", "review": ""}
    if review is not None:
        found = get_review(ws, review)
        form.update(deployment=found.deployment, review=str(found.id))
    return _form_page(request, ws, form, {}, 200)


@router.post("/reviews/explanations")
def explanation_create(
    request: Request,
    ws: WS,
    user: Writer,
    deployment: Annotated[str, Form(max_length=200)] = "",
    reference: Annotated[str, Form(max_length=2000)] = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
    factors: Annotated[str, Form(max_length=20_000)] = "",
    review: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Store the explanation and show it."""
    form = {
        "deployment": deployment,
        "reference": reference,
        "text": text,
        "factors": factors,
        "review": review,
    }
    lines = [line for line in factors.replace("\r\n", "\n").split("\n") if line.strip()]
    errors = _errors(ws, form, lines)
    if errors:
        return _form_page(request, ws, form, errors, FORM_REFUSED)
    try:
        saved = record_explanation(
            ws,
            deployment=deployment,
            text=text,
            factors=lines,
            by=actor(user),
            reference=reference or None,
            review_id=int(review) if review else None,
        )
    except ReviewNotFound as exc:
        return _form_page(request, ws, form, {"review": exc.message}, FORM_REFUSED)
    except Invalid as exc:
        return _form_page(request, ws, form, {"form": exc.summary}, FORM_REFUSED)
    return RedirectResponse(f"/reviews/explanations/{saved.id}", status_code=303)


@router.get("/reviews/explanations/{explanation_id:int}")
def explanation_detail(request: Request, ws: WS, user: Reader, explanation_id: Id) -> HTMLResponse:
    """One explanation: the text, the factors, who wrote it and the request it answers."""
    found = get_explanation(ws, explanation_id)
    context = {"title": f"Explanation {found.id}", "item": found, "when": when}
    return render(request, "reviews/explanation.html", context)


def _errors(ws: WS, form: dict[str, str], factors: list[str]) -> dict[str, str]:
    gov = governance_or_none(ws)
    errors: dict[str, str] = {}
    if gov is None or gov.deployment(form["deployment"]) is None:
        errors["deployment"] = "Choose the service the explanation is about."
    checks: list[tuple[str, Callable[[], object]]] = [
        ("text", lambda: required_text(form["text"], "Explanation", TEXT_MAX)),
        ("factors", lambda: clean_factors(factors)),
        (
            "reference",
            lambda: clean_text(
                form["reference"], "Reference", REFERENCE_MAX, required=False, multiline=False
            ),
        ),
    ]
    for field, check in checks:
        try:
            check()
        except Invalid as exc:
            errors[field] = exc.summary
    if form["review"] and not form["review"].isdigit():
        errors["review"] = "The review request number must be a whole number."
    return errors


def _form_page(
    request: Request, ws: WS, form: dict[str, str], errors: dict[str, str], status: int
) -> HTMLResponse:
    gov = governance_or_none(ws)
    context = {
        "title": "Write an explanation",
        "form": form,
        "errors": errors,
        "deployments": gov.deployments if gov else [],
    }
    return render(request, "reviews/explanation_form.html", context, status_code=status)
