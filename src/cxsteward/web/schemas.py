"""Request and response bodies of the REST API (/api/v1): ``XxxCreate``, ``XxxUpdate``, ``XxxOut``.

Response models mirror the services' dataclasses field by field and are built from them
with ``model_validate`` (``from_attributes``), so the API shows what the services return.
Request models carry only what the caller chooses; who acts always comes from the token.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxsteward.domain.governance.spec import Lifecycle
from cxsteward.domain.incidents import DecisionAction, IncidentStatus
from cxsteward.domain.thresholds import Severity
from cxsteward.domain.trust import FeedbackCategory, ReviewOutcome

# Generous caps on free text: the services apply the real limits with clear messages;
# these only stop a client from sending megabytes to be parsed.
TEXT_CAP = 20_000
LINE_CAP = 500


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(_Out):
    status: int
    title: str
    message: str = Field(description="What went wrong and what to do, in plain words.")
    problems: list[dict[str, Any]] | None = Field(
        default=None, description="Each located problem (field, value, message) when known."
    )


class ErrorOut(_Out):
    """Every error of the API has this shape."""

    error: ErrorBody


# -- assessments ---------------------------------------------------------------------------


class CycleOut(_Out):
    name: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    bank_version: str
    respondents: int
    answers: int


# -- registry ------------------------------------------------------------------------------


class TransitionCreate(_In):
    status: Lifecycle = Field(description="The lifecycle status to move the deployment to.")
    reason: str = Field(min_length=1, max_length=LINE_CAP, description="Why it moves.")
    on: date | None = Field(default=None, description="The day it takes effect (default today).")


class TransitionOut(_Out):
    deployment: str
    previous: Lifecycle
    status: Lifecycle
    on: date
    by: str | None
    reason: str


class GapOut(_Out):
    rule: str
    blocking: bool
    object: str
    message: str
    fix: str


class CheckCounts(_Out):
    blocking: int
    warnings: int


class CheckOut(_Out):
    """The governance chain check: every gap, blocking ones first in the rules' order."""

    checked_at: datetime
    today: date
    blocking: bool
    counts: CheckCounts
    gaps: list[GapOut]


# -- incidents -----------------------------------------------------------------------------


class EventOut(_Out):
    at: datetime
    actor: str
    kind: str
    detail: dict[str, Any]


class IncidentOut(_Out):
    id: int
    key: str | None
    source: str
    title: str
    description: str
    incident_type: str
    deployment: str
    metric: str | None
    scope: dict[str, str]
    severity: str
    status: str
    owner: str | None
    notify: list[str]
    opened_at: datetime
    respond_by: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    occurrences: int
    last_run_id: int | None
    tell_customers: bool
    overdue: bool
    responded_late: bool


class DecisionOut(_Out):
    id: int
    incident_id: int | None
    deployment: str
    action: str
    by: str
    why: str
    authority: str
    decided_at: datetime
    status_before: str | None
    status_after: str | None


class IncidentDetailOut(IncidentOut):
    events: list[EventOut] = Field(description="The timeline, oldest first.")
    decisions: list[DecisionOut]


class IncidentUpdate(_In):
    status: IncidentStatus
    note: str = Field(default="", max_length=TEXT_CAP)


class AcknowledgeCreate(_In):
    note: str = Field(default="", max_length=TEXT_CAP)


class DecisionCreate(_In):
    action: DecisionAction
    why: str = Field(min_length=1, max_length=TEXT_CAP, description="The reason, for the record.")


# -- review requests -----------------------------------------------------------------------


class ReviewOut(_Out):
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
    resolved_late: bool
    hours_to_resolution: float | None
    hours_left: float | None


class ReviewResolve(_In):
    outcome: ReviewOutcome
    text: str = Field(
        min_length=1,
        max_length=TEXT_CAP,
        description="The plain-language outcome the customer reads.",
    )


class ReviewRequestCreate(_In):
    deployment: str = Field(min_length=1, max_length=LINE_CAP)
    description: str = Field(min_length=1, max_length=TEXT_CAP, description="What happened.")
    contact: str = Field(min_length=1, max_length=LINE_CAP, description="E-mail or phone number.")
    reference: str | None = Field(default=None, max_length=LINE_CAP)
    consent: str | None = Field(default=None, max_length=TEXT_CAP)


class ReviewReceiptOut(_Out):
    tracking_code: str = Field(description="Shown this once; keep it to follow the request.")
    status: str
    received_at: datetime
    due_at: datetime


class ReviewStatusQuery(_In):
    code: str = Field(min_length=1, max_length=64, description="The tracking code.")


class ReviewStatusOut(_Out):
    status: str
    received_at: datetime
    due_at: datetime
    started_at: datetime | None
    resolved_at: datetime | None
    withdrawn_at: datetime | None
    outcome: str | None
    outcome_text: str | None


# -- frontline feedback --------------------------------------------------------------------


class FeedbackOut(_Out):
    id: int
    deployment: str
    category: str
    description: str
    anonymous: bool
    reporter: str | None
    status: str
    submitted_at: datetime
    triaged_at: datetime | None
    triaged_by: str | None
    severity: str | None
    owner: str | None
    triage_note: str | None
    acted_at: datetime | None
    acted_by: str | None
    change_made: str | None
    declined_at: datetime | None
    declined_by: str | None
    decline_reason: str | None
    incident_id: int | None
    days_to_action: float | None


class FeedbackCreate(_In):
    deployment: str = Field(min_length=1, max_length=LINE_CAP)
    category: FeedbackCategory
    description: str = Field(min_length=1, max_length=TEXT_CAP, description="What happened.")
    anonymous: bool = Field(default=False, description="Store no sender at all.")


class FeedbackReceiptOut(_Out):
    id: int
    follow_up_code: str = Field(description="Shown this once; keep it to follow the flag.")
    status: str
    submitted_at: datetime
    anonymous: bool
    incident_id: int | None


class FeedbackTriage(_In):
    severity: Severity
    owner: str | None = Field(default=None, max_length=LINE_CAP, description="A person's key.")
    note: str | None = Field(default=None, max_length=TEXT_CAP)


class FeedbackUpdate(_In):
    """Close a triaged flag: ``acted_on`` with what changed, or ``declined`` with why."""

    status: Literal["acted_on", "declined"]
    text: str = Field(min_length=1, max_length=TEXT_CAP)
