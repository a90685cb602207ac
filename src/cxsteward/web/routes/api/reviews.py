"""/api/v1/reviews (staff queue) and /api/v1/public/review-requests (customers, no account)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query

from cxsteward.domain.trust import ReviewStatus
from cxsteward.errors import ReviewNotFound
from cxsteward.services.trust import reviews
from cxsteward.services.trust.fields import TrackingCode
from cxsteward.services.trust.models import (
    ReviewOut,
    ReviewReceiptOut,
    ReviewRequestCreate,
    ReviewResolve,
    ReviewStatusOut,
    ReviewStatusQuery,
)
from cxsteward.web.deps import (
    PUBLIC,
    STATUS_LOOKUP,
    WS,
    Permission,
    UserOut,
    actor,
    require_api,
    review_for,
)
from cxsteward.web.routes.api.common import PUBLIC_ERRORS, Id, signed_router

router = signed_router("/reviews", "review requests")
Queue = Annotated[UserOut, require_api(Permission.REVIEW_QUEUE)]
Claimer = Annotated[UserOut, require_api(Permission.REVIEW_CLAIM)]
Resolver = Annotated[UserOut, require_api(Permission.REVIEW_RESOLVE)]

# No token: customers use these. The security middleware caps the body at 80 KB and
# rate-limits POSTs per client address, in the same buckets as the public HTML pages.
public_router = APIRouter(
    prefix="/public/review-requests", tags=["public"], responses=PUBLIC_ERRORS
)
# Not nullable: a header has no null, only absence (the empty default).
HeaderCode = Annotated[
    TrackingCode,
    Header(alias="X-Tracking-Code", description="The tracking code, when the body has none."),
]


@router.get("", summary="The review queue", response_model=list[ReviewOut])
def list_reviews(
    ws: WS,
    user: Queue,
    status: Annotated[ReviewStatus | None, Query(description="Only this status.")] = None,
    deployment: Annotated[str | None, Query(max_length=120)] = None,
    overdue_only: Annotated[bool, Query(description="Only requests past their SLA.")] = False,
    include_finished: Annotated[bool, Query(description="Resolved and withdrawn too.")] = False,
) -> list[ReviewOut]:
    """Open requests, soonest due first, each with its SLA clock."""
    found = reviews.list_reviews(
        ws,
        status=status.value if status else None,
        deployment=deployment,
        overdue_only=overdue_only,
        include_finished=include_finished,
    )
    return [review_for(user, item) for item in found]


@router.get("/{review_id}", summary="One review request", response_model=ReviewOut)
def get_review(ws: WS, user: Queue, review_id: Id) -> ReviewOut:
    """One request as staff see it; frontline staff see the contact only once they took it."""
    return review_for(user, reviews.get_review(ws, review_id))


@router.post("/{review_id}/start", summary="Take a review request", response_model=ReviewOut)
def start_review(ws: WS, user: Claimer, review_id: Id) -> ReviewOut:
    """received -> in_review, in the token user's name: the request is now theirs."""
    started = reviews.start_review(ws, review_id, actor(user))
    return review_for(user, started)


@router.post("/{review_id}/resolve", summary="Resolve a review request", response_model=ReviewOut)
def resolve_review(ws: WS, user: Resolver, review_id: Id, body: ReviewResolve) -> ReviewOut:
    """Record the human decision and the plain-language text the customer will read."""
    resolved = reviews.resolve_review(ws, review_id, body.outcome, body.text, actor(user))
    return review_for(user, resolved)


@public_router.post(
    "",
    summary="Ask for a human review (public)",
    response_model=ReviewReceiptOut,
    status_code=201,
    dependencies=[PUBLIC],
)
def submit_review_request(ws: WS, body: ReviewRequestCreate) -> ReviewReceiptOut:
    """A customer asks for a human to review an AI-influenced outcome; no account needed.

    The answer carries the tracking code, shown this once.
    """
    submitted = reviews.submit_review_request(
        ws, body.deployment, body.description, body.contact, body.reference, body.consent
    )
    return submitted.receipt()


@public_router.post(
    "/status",
    summary="Follow a review request (public)",
    response_model=ReviewStatusOut,
    dependencies=[STATUS_LOOKUP],
)
def review_status(
    ws: WS, body: Annotated[ReviewStatusQuery | None, Body()] = None, code: HeaderCode = ""
) -> ReviewStatusOut:
    """Status, dates and the outcome text of the request behind a tracking code.

    The code goes in the body (``{"code": "RV-..."}``) or the ``X-Tracking-Code`` header,
    never in the address, where access logs and proxies would keep it. Lookups are
    rate-limited per client address together with the web page's. Without a code there
    is no request to show: a 404, as for an unknown code.
    """
    given = body.code if body is not None else code
    if not given:
        raise ReviewNotFound(
            'No tracking code was sent; send it as the JSON body {"code": "RV-..."} or in '
            "the X-Tracking-Code header."
        )
    return reviews.review_status(ws, given)
