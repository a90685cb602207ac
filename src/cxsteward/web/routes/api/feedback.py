"""/api/v1/feedback: frontline flags of AI failures: list, read, submit, triage, close."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query

from cxsteward.domain.trust import FeedbackCategory, FeedbackStatus
from cxsteward.services.people import feedback
from cxsteward.services.people.models import (
    FeedbackActedOn,
    FeedbackCreate,
    FeedbackOut,
    FeedbackReceiptOut,
    FeedbackTriage,
    FeedbackUpdate,
)
from cxsteward.web.deps import WS, Permission, UserOut, actor, require_api
from cxsteward.web.routes.api.common import Id, signed_router

router = signed_router("/feedback", "frontline feedback")
Reader = Annotated[UserOut, require_api(Permission.FEEDBACK_VIEW)]
Sender = Annotated[UserOut, require_api(Permission.FEEDBACK_SUBMIT)]
Triager = Annotated[UserOut, require_api(Permission.FEEDBACK_TRIAGE)]


@router.get("", summary="List frontline feedback", response_model=list[FeedbackOut])
def list_feedback(
    ws: WS,
    user: Reader,
    status: Annotated[FeedbackStatus | None, Query()] = None,
    deployment: Annotated[str | None, Query(max_length=120)] = None,
    category: Annotated[FeedbackCategory | None, Query()] = None,
) -> list[FeedbackOut]:
    """Flags, newest first."""
    return feedback.list_feedback(
        ws,
        status=status.value if status else None,
        deployment=deployment,
        category=category.value if category else None,
    )


@router.get("/{feedback_id}", summary="One feedback flag", response_model=FeedbackOut)
def get_feedback(ws: WS, user: Reader, feedback_id: Id) -> FeedbackOut:
    """One flag as staff see it (no sender for anonymous flags)."""
    return feedback.get_feedback(ws, feedback_id)


@router.post("", summary="Flag an AI failure", response_model=FeedbackReceiptOut, status_code=201)
def submit_feedback(ws: WS, user: Sender, body: FeedbackCreate) -> FeedbackReceiptOut:
    """Send a flag in the token user's name, or anonymously (then no name is stored at all)."""
    return feedback.submit_feedback(
        ws,
        body.deployment,
        body.category,
        body.description,
        by=None if body.anonymous else actor(user),
        anonymous=body.anonymous,
    )


@router.post("/{feedback_id}/triage", summary="Triage a flag", response_model=FeedbackOut)
def triage_feedback(ws: WS, user: Triager, feedback_id: Id, body: FeedbackTriage) -> FeedbackOut:
    """Give a new flag a severity, an owner and a note; sev1 or sev2 opens an incident."""
    return feedback.triage_feedback(
        ws, feedback_id, body.severity, actor(user), owner=body.owner, note=body.note
    )


@router.post("/{feedback_id}/close", summary="Act on or decline a flag", response_model=FeedbackOut)
def close_feedback(
    ws: WS, user: Triager, feedback_id: Id, body: Annotated[FeedbackUpdate, Body()]
) -> FeedbackOut:
    """``acted_on`` records what changed; ``declined`` records why not. Both need triage first."""
    if isinstance(body, FeedbackActedOn):
        return feedback.act_on_feedback(ws, feedback_id, body.text, actor(user))
    return feedback.decline_feedback(ws, feedback_id, body.text, actor(user))
