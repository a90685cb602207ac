"""Plain-language explanations of how AI shaped a customer's outcome (C8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from cxsteward.domain.trust import (
    REFERENCE_MAX,
    TEXT_MAX,
    clean_factors,
    clean_text,
    required_text,
)
from cxsteward.errors import ExplanationNotFound, Invalid, ReviewNotFound
from cxsteward.registry.tables_trust import ExplanationRecord, ReviewRequestRecord
from cxsteward.services.trust.models import ExplanationOut
from cxsteward.services.trust.reviews import actor_name, check_deployment, clock
from cxsteward.services.workspace import Workspace


def record_explanation(
    ws: Workspace,
    deployment: str,
    text: str,
    factors: list[str],
    by: str,
    reference: str | None = None,
    review_id: int | None = None,
    at: datetime | None = None,
) -> ExplanationOut:
    """Record how AI shaped one outcome, in words the customer can follow.

    Raises:
        Invalid: empty or too long text, a bad factor, or a review of another deployment.
        DeploymentNotFound, ReviewNotFound: what it refers to does not exist.
    """
    body = required_text(text, "Explanation", TEXT_MAX)
    reasons = clean_factors(factors)
    ref = clean_text(reference, "Reference", REFERENCE_MAX, required=False, multiline=False)
    who = actor_name(by)
    when = clock(ws, at)
    with ws.transaction(actor=who) as session:
        check_deployment(session, deployment)
        if review_id is not None:
            review = session.get(ReviewRequestRecord, review_id)
            if review is None:
                raise ReviewNotFound(
                    f"No review request {review_id} to link the explanation to; "
                    "`cxsteward review list --all` shows them."
                )
            if review.deployment != deployment:
                raise Invalid(
                    f"Review request {review_id} is about {review.deployment}, not "
                    f"{deployment}; link the explanation to a request of the same deployment."
                )
            # The request's own reference is the customer's; reuse it when none is given.
            ref = ref or review.reference
        record = ExplanationRecord(
            deployment=deployment,
            reference=ref,
            text=body,
            factors=reasons,
            written_by=who,
            written_at=when,
            review_request_id=review_id,
        )
        session.add(record)
        session.flush()
        return _out(record)


def list_explanations(
    ws: Workspace, deployment: str | None = None, review_id: int | None = None
) -> list[ExplanationOut]:
    """Explanations, newest first, optionally of one deployment or review request."""
    query = select(ExplanationRecord).order_by(
        ExplanationRecord.written_at.desc(), ExplanationRecord.id.desc()
    )
    if deployment is not None:
        query = query.where(ExplanationRecord.deployment == deployment)
    if review_id is not None:
        query = query.where(ExplanationRecord.review_request_id == review_id)
    with ws.transaction() as session:
        return [_out(r) for r in session.scalars(query)]


def get_explanation(ws: Workspace, explanation_id: int) -> ExplanationOut:
    """One explanation record."""
    with ws.transaction() as session:
        record = session.get(ExplanationRecord, explanation_id)
        if record is None:
            raise ExplanationNotFound(
                f"No explanation {explanation_id}; `cxsteward review explanations` lists them."
            )
        return _out(record)


def _out(record: ExplanationRecord) -> ExplanationOut:
    return ExplanationOut.model_validate(record)
