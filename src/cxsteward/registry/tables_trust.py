"""Registry tables of customer review requests, explanations and frontline feedback (C8, C9).

Tracking and follow-up codes are stored only as their sha256, so a copy of the database
does not let anyone read or follow a case. The column names are part of the contract with
the evidence rules and the reports; keep them stable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxsteward.registry.base import Base, UTCDateTime


class ReviewRequestRecord(Base):
    """A customer's request for a human review of an AI-influenced outcome."""

    __tablename__ = "review_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    deployment: Mapped[str] = mapped_column(String(120), index=True)
    reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    description: Mapped[str] = mapped_column(Text)
    # Personal data: shown to staff only, never on a public page or in a status lookup.
    contact: Mapped[str] = mapped_column(String(254))
    contact_kind: Mapped[str] = mapped_column(String(10))
    consent: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)
    outcome_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True, index=True
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('received', 'in_review', 'resolved', 'withdrawn')", name="status"
        ),
        CheckConstraint("contact_kind IN ('email', 'phone')", name="contact_kind"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('upheld', 'changed', 'explained')", name="outcome"
        ),
        # A resolved request always carries its outcome, the customer's text and when.
        CheckConstraint(
            "(status = 'resolved') = (outcome IS NOT NULL AND outcome_text IS NOT NULL "
            "AND resolved_at IS NOT NULL)",
            name="resolved_has_outcome",
        ),
        CheckConstraint("due_at >= received_at", name="due_after_receipt"),
    )


class ExplanationRecord(Base):
    """A plain-language explanation of how AI shaped one customer's outcome."""

    __tablename__ = "explanations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment: Mapped[str] = mapped_column(String(120), index=True)
    reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    factors: Mapped[list[str]] = mapped_column(JSON)
    written_by: Mapped[str] = mapped_column(String(80))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_requests.id", ondelete="SET NULL"), nullable=True, index=True
    )


class FeedbackRecord(Base):
    """A frontline flag of an AI failure, and what was done about it."""

    __tablename__ = "frontline_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    deployment: Mapped[str] = mapped_column(String(120), index=True)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    reporter: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    triaged_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    severity: Mapped[str | None] = mapped_column(String(10), nullable=True)
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    triage_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acted_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    change_made: Mapped[str | None] = mapped_column(Text, nullable=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    declined_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True, index=True
    )

    __table_args__ = (
        CheckConstraint("status IN ('new', 'triaged', 'acted_on', 'declined')", name="status"),
        CheckConstraint(
            "category IN ('wrong_answer', 'missed_escalation', 'tone', 'bias', "
            "'disclosure_missing', 'other')",
            name="category",
        ),
        CheckConstraint(
            "severity IS NULL OR severity IN ('sev1', 'sev2', 'sev3', 'sev4')", name="severity"
        ),
        # Anonymity is structural: an anonymous flag has no reporter value at all, and a
        # named one always has its reporter.
        CheckConstraint(
            "(anonymous AND reporter IS NULL) OR (NOT anonymous AND reporter IS NOT NULL)",
            name="anonymous_has_no_reporter",
        ),
        CheckConstraint(
            "status = 'new' OR (severity IS NOT NULL AND triaged_at IS NOT NULL)",
            name="triaged_has_severity",
        ),
        # "Acted on" always says what changed and when.
        CheckConstraint(
            "(status = 'acted_on') = (change_made IS NOT NULL AND acted_at IS NOT NULL)",
            name="acted_on_says_what_changed",
        ),
    )
