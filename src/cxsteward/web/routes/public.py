"""Customer pages, no account needed (C8): AI disclosure, asking for a human review, its status.

Every POST here is public, so the security middleware caps its body and counts it against
a per-address rate limit; the tracking-code lookup is a POST for that reason too (and so
that a code never lands in an address bar, a history or a server log), counted in its own
bucket (STATUS_LOOKUP) shared with the API's lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from cxsteward.errors import DeploymentNotFound, Invalid, ReviewNotFound
from cxsteward.services.trust.reviews import review_status, submit_review_request
from cxsteward.web.deps import PUBLIC, STATUS_LOOKUP, WS, UserOut, render
from cxsteward.web.errors import FORM_REFUSED
from cxsteward.web.routes.trust_views import (
    CONSENT_TEXT,
    OUTCOME_WORDS,
    STATUS_WORDS,
    ReviewForm,
    customer_services,
    governance_or_none,
    refusal,
    review_request,
    when,
)

router = APIRouter(include_in_schema=False)
Visitor = Annotated[UserOut | None, PUBLIC]
# Generous caps: the service gives the precise message; these only bound the parsing.
TEXT_FIELD = Form(max_length=20_000)


@router.get("/ai")
def ai_index(request: Request, ws: WS, visitor: Visitor) -> HTMLResponse:
    """Every AI service customers may meet, with a link to its disclosure page."""
    gov = governance_or_none(ws)
    context = {
        "title": "How we use AI",
        "organization": gov.organization if gov else None,
        "services": customer_services(ws),
    }
    return render(request, "public/ai_index.html", context)


@router.get("/ai/{deployment}")
def ai_disclosure(request: Request, ws: WS, visitor: Visitor, deployment: str) -> HTMLResponse:
    """One service's disclosure: what it does, where, the exact words customers see."""
    found = next((d for d in customer_services(ws) if d.key == deployment), None)
    if found is None:
        raise DeploymentNotFound(
            "We have no AI service at this address. The list of our AI services is at /ai."
        )
    gov = governance_or_none(ws)
    context = {
        "title": f"AI in {found.name}",
        "organization": gov.organization if gov else None,
        "service": found,
    }
    return render(request, "public/ai_disclosure.html", context)


@router.get("/review")
def review_form(
    request: Request, ws: WS, visitor: Visitor, service: str | None = None
) -> HTMLResponse:
    """The form to ask a person to review an outcome the AI influenced."""
    return _form_page(request, ws, ReviewForm(deployment=service or ""), {}, 200)


@router.post("/review", dependencies=[PUBLIC])
def submit_review(
    request: Request,
    ws: WS,
    deployment: Annotated[str, Form(max_length=200)] = "",
    reference: Annotated[str, TEXT_FIELD] = "",
    description: Annotated[str, TEXT_FIELD] = "",
    contact: Annotated[str, TEXT_FIELD] = "",
    consent: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """Record the request and show its tracking code, this once."""
    form = ReviewForm(deployment, reference, description, contact, consent == "yes")
    services = customer_services(ws)
    command, errors = review_request(form, services)
    if command is None:
        return _form_page(request, ws, form, errors, FORM_REFUSED)
    receipt = submit_review_request(
        ws,
        deployment=command.deployment,
        description=command.description,
        contact=command.contact,
        reference=command.reference,
        consent=command.consent,
    )
    service = next(d for d in services if d.key == form.deployment)
    context = {"title": "Request received", "receipt": receipt, "service": service, "when": when}
    return render(request, "public/review_receipt.html", context)


@router.get("/review/status")
def status_form(request: Request, visitor: Visitor) -> HTMLResponse:
    """Where a customer enters their tracking code."""
    return _status_page(request, {"code": "", "error": None}, 200)


@router.post("/review/status", dependencies=[STATUS_LOOKUP])
def status_lookup(
    request: Request, ws: WS, code: Annotated[str, Form(max_length=100)] = ""
) -> HTMLResponse:
    """The status, dates and outcome of the request behind a tracking code; nothing else."""
    if not code.strip():
        missing = {"code": code, "error": "Enter the tracking code from your confirmation."}
        return _status_page(request, missing, FORM_REFUSED)
    try:
        found = review_status(ws, code)
    except (ReviewNotFound, Invalid) as exc:
        message, status = refusal(exc)
        return _status_page(request, {"code": code, "error": message}, status)
    context: dict[str, object] = {
        "title": "Your review request",
        "found": found,
        "status_words": STATUS_WORDS,
        "outcome_words": OUTCOME_WORDS,
        "when": when,
    }
    return render(request, "public/review_status.html", context)


def _form_page(
    request: Request, ws: WS, form: ReviewForm, errors: dict[str, str], status: int
) -> HTMLResponse:
    context: dict[str, object] = {
        "title": "Ask for a human review",
        "form": form,
        "errors": errors,
        "services": customer_services(ws),
        "consent_text": CONSENT_TEXT,
    }
    return render(request, "public/review_form.html", context, status_code=status)


def _status_page(request: Request, context: Mapping[str, object], status: int) -> HTMLResponse:
    full = {"title": "Follow your review request", **context}
    return render(request, "public/status_form.html", full, status_code=status)
