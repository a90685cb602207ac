"""The review and explanation contract: what the services return and what callers send.

The API answers with these results (its ``response_model``), ``--json`` prints them and the
pages read them. The commands declare every rule the services check (lengths, the
characters a text may hold, the forms of a contact and a tracking code), so the published
schema refuses what the service would refuse; the services keep checking for the CLI.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from cxsteward.domain.trust import ReviewOutcome
from cxsteward.services.contract import Command, Result
from cxsteward.services.trust.fields import (
    Consent,
    Contact,
    DeploymentKey,
    Description,
    OutcomeText,
    Reason,
    Reference,
    TrackingCode,
)


class ReviewRequestCreate(Command):
    """A customer's request for a human review (the public form and API)."""

    deployment: DeploymentKey
    description: Description
    contact: Contact
    reference: Reference | None = None
    consent: Consent | None = None


class ReviewResolve(Command):
    outcome: ReviewOutcome
    text: OutcomeText


class ReviewWithdraw(Command):
    reason: Reason


class ReviewStatusQuery(Command):
    code: TrackingCode


class ReviewReceiptOut(Result):
    """What the customer gets back; ``tracking_code`` is shown this once and never stored."""

    tracking_code: str = Field(description="Shown this once; keep it to follow the request.")
    status: str
    received_at: datetime
    due_at: datetime


class ReviewSubmitted(ReviewReceiptOut):
    """The receipt with the request's and its incident's ids, for staff and the CLI."""

    id: int
    incident_id: int

    def receipt(self) -> ReviewReceiptOut:
        """What the customer sees: no ids of the registry."""
        shown = set(ReviewReceiptOut.model_fields)
        return ReviewReceiptOut.model_validate(self.model_dump(include=shown))


class ReviewStatusOut(Result):
    """The public view of a request: status, dates and the outcome meant for the customer."""

    status: str
    received_at: datetime
    due_at: datetime
    started_at: datetime | None
    resolved_at: datetime | None
    withdrawn_at: datetime | None
    outcome: str | None
    outcome_text: str | None
    explanation: str | None = Field(
        default=None,
        description="How AI shaped the outcome, in plain words: the explanation staff recorded "
        "for this request, shown once it is resolved.",
    )
    factors: list[str] = Field(
        default_factory=list, description="What the explanation says weighed in the outcome."
    )


class ReviewOut(Result):
    """The staff view of a request, with its SLA clock."""

    id: int
    deployment: str
    reference: str | None
    description: str
    contact: str | None = Field(
        description="E-mail or phone; null for frontline staff on a request they have not taken."
    )
    contact_kind: str | None
    consent: str | None
    status: str
    received_at: datetime
    due_at: datetime
    started_at: datetime | None
    started_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    outcome: str | None
    outcome_text: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str | None
    incident_id: int | None
    overdue: bool
    resolved_late: bool = Field(description="Resolved after its due time.")
    hours_to_resolution: float | None
    hours_left: float | None = Field(
        description="Hours until due (negative once overdue); null when the request is finished."
    )


class ReviewSummary(Result):
    """The SLA at a glance: the open queue now, and requests resolved since ``since``."""

    open: int
    overdue: int
    resolved: int
    resolved_within_sla: int
    within_sla_rate: float | None = Field(
        description="resolved_within_sla / resolved; null when nothing was resolved."
    )
    median_hours_to_resolution: float | None


class ExplanationOut(Result):
    """How AI shaped one customer's outcome, in plain words."""

    id: int
    deployment: str
    reference: str | None
    text: str
    factors: list[str]
    written_by: str
    written_at: datetime
    review_request_id: int | None
