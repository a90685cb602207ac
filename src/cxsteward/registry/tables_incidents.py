"""Registry tables for incidents, their timeline, decisions, communications, notifications (C7)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxsteward.registry.base import Base, UTCDateTime


class IncidentRecord(Base):
    """One incident; the column names are read by the evidence rules, so keep them stable."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The finding key it dedupes on; unique among incidents that are not closed (the
    # service enforces it, since "not closed" is not expressible as a portable constraint).
    key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    incident_type: Mapped[str] = mapped_column(String(80))
    deployment: Mapped[str] = mapped_column(String(120), index=True)
    metric: Mapped[str | None] = mapped_column(String(60), nullable=True)
    scope: Mapped[dict[str, str]] = mapped_column(JSON)
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    notify: Mapped[list[str]] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    last_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitor_runs.id", ondelete="SET NULL"), nullable=True
    )
    tell_customers: Mapped[bool] = mapped_column(Boolean, default=False)

    events: Mapped[list[IncidentEventRecord]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentEventRecord.id"
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'acknowledged', 'mitigating', 'resolved', 'closed')",
            name="status",
        ),
        CheckConstraint("severity IN ('sev1', 'sev2', 'sev3', 'sev4')", name="severity"),
        CheckConstraint(
            "source IN ('finding', 'manual', 'frontline', 'review_request')", name="source"
        ),
        CheckConstraint("occurrences >= 1", name="occurrences"),
    )


class IncidentEventRecord(Base):
    """One line of an incident's timeline; only ever added to."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict[str, object]] = mapped_column(JSON)

    incident: Mapped[IncidentRecord] = relationship(back_populates="events")


class DecisionRecord(Base):
    """A decision about a deployment, with who took it, why, and the right that allowed it."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id"), nullable=True, index=True
    )
    deployment: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(80))
    why: Mapped[str] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The deployment's lifecycle status around the decision, when the decision changed it.
    status_before: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status_after: Mapped[str | None] = mapped_column(String(20), nullable=True)

    __table_args__ = (
        CheckConstraint(
            "action IN ('pause', 'modify', 'roll_back', 'discontinue', 'accept_risk', 'resume')",
            name="action",
        ),
    )


class CommunicationRecord(Base):
    """A customer message filled from an approved template; sent at most once."""

    __tablename__ = "communications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    template_key: Mapped[str] = mapped_column(String(80))
    template_version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    values: Mapped[dict[str, str]] = mapped_column(JSON)
    drafted_by: Mapped[str] = mapped_column(String(80))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(60), nullable=True)

    __table_args__ = (
        CheckConstraint("(sent_at IS NULL) = (sent_by IS NULL)", name="sent_together"),
    )


class NotificationRecord(Base):
    """One notification of an incident through one channel, with every try counted."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(500))
    # Why it was sent: the incident opened, or its severity was raised.
    reason: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("channel IN ('webhook', 'email')", name="channel"),
        CheckConstraint("status IN ('sent', 'failed')", name="status"),
    )
