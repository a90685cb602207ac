"""The staff side of customer review requests (C8): the queue with its SLA clock, one request.

Seeing the queue needs ``review:queue``; taking a request ``review:claim`` (as in the API);
resolving and withdrawing ``review:resolve``. Frontline staff see a customer's contact
details only on requests they took. The outcome text is what the customer reads on the
public status page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cxsteward.domain.trust import ReviewOutcome, ReviewStatus
from cxsteward.errors import Invalid
from cxsteward.services.trust.explanations import list_explanations
from cxsteward.services.trust.models import ReviewResolve, ReviewWithdraw
from cxsteward.services.trust.reviews import (
    get_review,
    list_reviews,
    resolve_review,
    review_summary,
    start_review,
    withdraw_review,
)
from cxsteward.web.deps import (
    WS,
    Id,
    Permission,
    UserOut,
    actor,
    is_htmx,
    render,
    require,
    review_for,
)
from cxsteward.web.errors import FORM_REFUSED
from cxsteward.web.routes.trust_views import (
    OUTCOME_WORDS,
    STATUS_WORDS,
    duration_words,
    governance_or_none,
    read_form,
    sla_clock,
    when,
)

router = APIRouter(include_in_schema=False)
Queue = Annotated[UserOut, require(Permission.REVIEW_QUEUE)]
Claimer = Annotated[UserOut, require(Permission.REVIEW_CLAIM)]
Resolver = Annotated[UserOut, require(Permission.REVIEW_RESOLVE)]
# The queue's status filter: "open" (the default) and "all" besides the statuses themselves.
SHOW_CHOICES = ("open", *(s.value for s in ReviewStatus), "all")


@router.get("/reviews")
def review_queue(
    request: Request,
    ws: WS,
    user: Queue,
    show: str = "open",
    deployment: str = "",
    overdue: bool = False,
) -> HTMLResponse:
    """Requests soonest due first, each with its SLA clock; filters by status and service."""
    if show not in SHOW_CHOICES:
        raise Invalid(f"Unknown filter show={show[:40]!r}; use one of {', '.join(SHOW_CHOICES)}.")
    status = show if show in {s.value for s in ReviewStatus} else None
    items = list_reviews(
        ws,
        status=status,
        deployment=deployment or None,
        overdue_only=overdue,
        include_finished=show == "all",
    )
    gov = governance_or_none(ws)
    context: dict[str, object] = {
        "title": "Review requests",
        "rows": [(item, sla_clock(item)) for item in items],
        "filters": {"show": show, "deployment": deployment, "overdue": overdue},
        "show_choices": SHOW_CHOICES,
        "deployments": gov.deployments if gov else [],
        "summary": review_summary(ws),
        "status_words": STATUS_WORDS,
        "duration_words": duration_words,
        "when": when,
    }
    template = "reviews/_queue.html" if is_htmx(request) else "reviews/queue.html"
    return render(request, template, context)


@router.get("/reviews/{review_id:int}")
def review_detail(request: Request, ws: WS, user: Queue, review_id: Id) -> HTMLResponse:
    """One request: what the customer wrote, how to reach them, its clock and its outcome."""
    return _detail_page(request, ws, user, review_id, {}, {"outcome": "", "text": ""}, 200)


@router.post("/reviews/{review_id:int}/start")
def start(request: Request, ws: WS, user: Claimer, review_id: Id) -> Response:
    """Take the request: received -> in review."""
    start_review(ws, review_id, by=actor(user))
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)


@router.post("/reviews/{review_id:int}/resolve")
def resolve(
    request: Request,
    ws: WS,
    user: Resolver,
    review_id: Id,
    outcome: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Record the decision and the words the customer will read."""
    command, errors = read_form(ReviewResolve, {"outcome": outcome, "text": text})
    if command is None:
        if "outcome" in errors:
            errors["outcome"] = "Choose the outcome: upheld, changed or explained."
        form = {"outcome": outcome, "text": text}
        return _detail_page(request, ws, user, review_id, errors, form, FORM_REFUSED)
    resolve_review(ws, review_id, command.outcome, command.text, by=actor(user))
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)


@router.post("/reviews/{review_id:int}/withdraw")
def withdraw(
    request: Request,
    ws: WS,
    user: Resolver,
    review_id: Id,
    reason: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Close a request the customer no longer wants reviewed, saying why."""
    command, errors = read_form(ReviewWithdraw, {"reason": reason})
    if command is None:
        empty = {"outcome": "", "text": ""}
        return _detail_page(request, ws, user, review_id, errors, empty, FORM_REFUSED)
    withdraw_review(ws, review_id, by=actor(user), reason=command.reason)
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)


def _detail_page(
    request: Request,
    ws: WS,
    user: UserOut,
    review_id: int,
    errors: dict[str, str],
    form: dict[str, str],
    status: int,
) -> HTMLResponse:
    review = review_for(user, get_review(ws, review_id))
    context: dict[str, object] = {
        "title": f"Review request {review.id}",
        "review": review,
        "clock": sla_clock(review),
        "explanations": list_explanations(ws, review_id=review.id),
        "errors": errors,
        "form": form,
        "outcomes": [(o.value, OUTCOME_WORDS[o.value]) for o in ReviewOutcome],
        "status_words": STATUS_WORDS,
        "outcome_words": OUTCOME_WORDS,
        "when": when,
    }
    return render(request, "reviews/detail.html", context, status_code=status)
