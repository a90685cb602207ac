"""Registry tables for the governance setup (C3): people, committee, deployments and the rest.

People and other objects refer to each other by ``key``, as the governance file does; the
references are checked before anything is written (``reference_problems``). Child rows
(clauses, members, model versions, lifecycle transitions, roadmap items) point at their
parent row and go with it. Every row keeps ``created_at`` (never changed by a later apply)
and ``updated_at``: checks compare creation times with go-live dates.
History rows (meetings, transitions, model versions, roadmap reviews) are append-only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxsteward.registry.base import Base, UTCDateTime


class _Stamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GovOrganizationRecord(_Stamped, Base):
    """The one organization the workspace governs."""

    __tablename__ = "gov_organization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    key_metrics: Mapped[list[str]] = mapped_column(JSON)
    # The governance file's data_quality: section, as declared; NULL when it has none
    # (a JSON column: the YAML section as read).
    data_quality: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    legal_approvers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The governance file's scale_gate: section, only the values it sets (a JSON column)
    scale_gate: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class GovPersonRecord(_Stamped, Base):
    __tablename__ = "gov_people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str] = mapped_column(Text)
    function: Mapped[str] = mapped_column(Text)


class GovCommitteeRecord(_Stamped, Base):
    """The governance committee; one per organization."""

    __tablename__ = "gov_committee"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    cadence_days: Mapped[int] = mapped_column(Integer)
    authority: Mapped[list[str]] = mapped_column(JSON)
    quorum: Mapped[int | None] = mapped_column(Integer, nullable=True)


class GovMemberRecord(_Stamped, Base):
    __tablename__ = "gov_committee_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("gov_committee.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(80))
    function: Mapped[str] = mapped_column(Text)


class GovMeetingRecord(_Stamped, Base):
    """A committee meeting held; append-only, and kept even if the committee is redefined."""

    __tablename__ = "gov_committee_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[list[str]] = mapped_column(JSON)
    decisions: Mapped[list[str]] = mapped_column(JSON)


class GovVendorRecord(_Stamped, Base):
    __tablename__ = "gov_vendors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(Text)


class GovClauseRecord(_Stamped, Base):
    __tablename__ = "gov_vendor_clauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("gov_vendors.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)


class GovDeploymentRecord(_Stamped, Base):
    """An AI deployment; ``key`` matches the ``deployment`` column of interaction data."""

    __tablename__ = "gov_deployments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(Text)
    function: Mapped[str] = mapped_column(String(20))
    channels: Mapped[list[str]] = mapped_column(JSON)
    vendor: Mapped[str | None] = mapped_column(String(80), nullable=True)
    customer_facing: Mapped[bool] = mapped_column(Boolean)
    go_live: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    disclosure: Mapped[dict[str, str]] = mapped_column(JSON)
    decision_rights: Mapped[dict[str, Any]] = mapped_column(JSON)  # a JSON column, as declared
    # The deployment's own scale_gate: values over the organization's (a JSON column)
    scale_gate: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The vulnerable-customer promise, as the governance file declares it (a JSON column)
    vulnerable: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class GovModelVersionRecord(_Stamped, Base):
    __tablename__ = "gov_deployment_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("gov_deployments.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date] = mapped_column(Date)


class GovTransitionRecord(_Stamped, Base):
    """One lifecycle change of a deployment; every change is recorded, none rewritten."""

    __tablename__ = "gov_deployment_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("gov_deployments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # True when `governance apply` recorded it for a status change the file did not list,
    # so a file written before that apply is not refused for "dropping" it.
    automatic: Mapped[bool] = mapped_column(Boolean)


class GovProtocolRecord(_Stamped, Base):
    __tablename__ = "gov_protocols"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    severity: Mapped[str] = mapped_column(String(10), unique=True)
    notify: Mapped[list[str]] = mapped_column(JSON)
    respond_within_hours: Mapped[float] = mapped_column(Float)
    decides: Mapped[str] = mapped_column(String(80))
    emergency_pause: Mapped[bool] = mapped_column(Boolean, default=False)
    tell_customers: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(Text)


class GovAccountabilityRecord(_Stamped, Base):
    """Who monitors, escalates and acts on one metric; ``deployment`` None means all."""

    __tablename__ = "gov_accountability"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(60))
    deployment: Mapped[str | None] = mapped_column(String(80), nullable=True)
    monitors: Mapped[str | None] = mapped_column(String(80), nullable=True)
    escalates: Mapped[str | None] = mapped_column(String(80), nullable=True)
    acts: Mapped[str | None] = mapped_column(String(80), nullable=True)


class GovTemplateRecord(_Stamped, Base):
    """A customer message template; an approval belongs to one version of the text."""

    __tablename__ = "gov_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    incident_type: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    placeholders: Mapped[list[str]] = mapped_column(JSON)
    approved_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class GovRoadmapRecord(_Stamped, Base):
    __tablename__ = "gov_roadmap"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)


class GovRoadmapItemRecord(_Stamped, Base):
    __tablename__ = "gov_roadmap_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    quarter: Mapped[str] = mapped_column(String(7))
    deployment: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str] = mapped_column(Text)


class GovRoadmapReviewRecord(_Stamped, Base):
    """A review of the roadmap; append-only."""

    __tablename__ = "gov_roadmap_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    reviewers: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text)


class GovArticleRecord(_Stamped, Base):
    """A knowledge-base article the AI draws on, with its owner and last review."""

    __tablename__ = "gov_kb_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    last_reviewed: Mapped[date | None] = mapped_column(Date, nullable=True)


class GovTrainingModuleRecord(_Stamped, Base):
    """A training module the governance file requires, for some roles (AI literacy)."""

    __tablename__ = "gov_training_modules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(Text)
    covers: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(JSON)
    renewal_days: Mapped[int | None] = mapped_column(Integer, nullable=True)


class GovCommitteeDecisionRecord(Base):
    """A decision the committee took as a body at a meeting, with who was there and the vote.

    It authorizes one move on one deployment; ``used_at`` is set when the move is made, so
    one vote never authorizes two moves. A ``ratify`` decision ratifies an emergency pause.
    """

    __tablename__ = "gov_committee_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("gov_committee_meetings.id", ondelete="RESTRICT")
    )
    deployment: Mapped[str] = mapped_column(String(80), index=True)
    move: Mapped[str] = mapped_column(String(20))
    present: Mapped[list[str]] = mapped_column(JSON)
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer)
    quorum: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # A scale move the committee makes although the scale gate says no-go, on its reason.
    overrides_gate: Mapped[bool] = mapped_column(Boolean, default=False)


class GovEmergencyPauseRecord(Base):
    """A pause made by a protocol's on-call decider alone; the committee must ratify it."""

    __tablename__ = "gov_emergency_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment: Mapped[str] = mapped_column(String(80), index=True)
    by: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(10))
    paused_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ratified_by: Mapped[int | None] = mapped_column(
        ForeignKey("gov_committee_decisions.id", ondelete="RESTRICT"), nullable=True
    )


class GateEvaluationRecord(Base):
    """One evaluation of the scale gate: the verdict and every criterion, as judged then.

    Append-only, so the committee pack can show how a deployment's readiness moved.
    """

    __tablename__ = "gate_evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment: Mapped[str] = mapped_column(String(80), index=True)
    status: Mapped[str] = mapped_column(String(20))  # the lifecycle status when evaluated
    target: Mapped[str] = mapped_column(String(20))
    verdict: Mapped[str] = mapped_column(String(20))
    as_of: Mapped[date] = mapped_column(Date)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    evaluated_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # The criteria and the policy as judged: JSON columns holding the result as served.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)


class PackRecord(Base):
    """A committee pack as issued: its period and the headline figures the next one compares."""

    __tablename__ = "committee_packs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    as_of: Mapped[date] = mapped_column(Date)
    since: Mapped[date | None] = mapped_column(Date, nullable=True)
    scope: Mapped[list[str]] = mapped_column(JSON)
    # The headline figures as issued (a JSON column: the pack's own summary shape).
    headline: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The whole pack as issued (a JSON column: PackOut), so it reads the same later.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
