"""review requests explanations and frontline feedback

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frontline_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("deployment", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("reporter", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column(
            "submitted_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "triaged_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("triaged_by", sa.String(length=80), nullable=True),
        sa.Column("severity", sa.String(length=10), nullable=True),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column("triage_note", sa.Text(), nullable=True),
        sa.Column("acted_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acted_by", sa.String(length=80), nullable=True),
        sa.Column("change_made", sa.Text(), nullable=True),
        sa.Column(
            "declined_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("declined_by", sa.String(length=80), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'acted_on') = (change_made IS NOT NULL AND acted_at IS NOT NULL)",
            name=op.f("ck_frontline_feedback_acted_on_says_what_changed"),
        ),
        sa.CheckConstraint(
            "category IN ('wrong_answer', 'missed_escalation', 'tone', 'bias', "
            "'disclosure_missing', 'other')",
            name=op.f("ck_frontline_feedback_category"),
        ),
        sa.CheckConstraint(
            "severity IS NULL OR severity IN ('sev1', 'sev2', 'sev3', 'sev4')",
            name=op.f("ck_frontline_feedback_severity"),
        ),
        sa.CheckConstraint(
            "status = 'new' OR (severity IS NOT NULL AND triaged_at IS NOT NULL)",
            name=op.f("ck_frontline_feedback_triaged_has_severity"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'triaged', 'acted_on', 'declined')",
            name=op.f("ck_frontline_feedback_status"),
        ),
        sa.CheckConstraint(
            "(anonymous AND reporter IS NULL) OR (NOT anonymous AND reporter IS NOT NULL)",
            name=op.f("ck_frontline_feedback_anonymous_has_no_reporter"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_frontline_feedback_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frontline_feedback")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_frontline_feedback_code_hash")),
    )
    with op.batch_alter_table("frontline_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_frontline_feedback_deployment"), ["deployment"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_frontline_feedback_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_frontline_feedback_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_frontline_feedback_submitted_at"), ["submitted_at"], unique=False
        )

    op.create_table(
        "review_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("deployment", sa.String(length=120), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("contact_kind", sa.String(length=10), nullable=False),
        sa.Column("consent", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column(
            "received_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("due_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "started_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("started_by", sa.String(length=80), nullable=True),
        sa.Column(
            "resolved_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("resolved_by", sa.String(length=80), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("outcome_text", sa.Text(), nullable=True),
        sa.Column(
            "withdrawn_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("withdrawn_by", sa.String(length=80), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'resolved') = (outcome IS NOT NULL AND outcome_text IS NOT NULL "
            "AND resolved_at IS NOT NULL)",
            name=op.f("ck_review_requests_resolved_has_outcome"),
        ),
        sa.CheckConstraint(
            "contact_kind IN ('email', 'phone')", name=op.f("ck_review_requests_contact_kind")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('upheld', 'changed', 'explained')",
            name=op.f("ck_review_requests_outcome"),
        ),
        sa.CheckConstraint(
            "status IN ('received', 'in_review', 'resolved', 'withdrawn')",
            name=op.f("ck_review_requests_status"),
        ),
        sa.CheckConstraint(
            "due_at >= received_at", name=op.f("ck_review_requests_due_after_receipt")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_review_requests_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_requests")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_review_requests_code_hash")),
    )
    with op.batch_alter_table("review_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_requests_deployment"), ["deployment"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_requests_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_review_requests_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_requests_status"), ["status"], unique=False)

    op.create_table(
        "explanations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment", sa.String(length=120), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("written_by", sa.String(length=80), nullable=False),
        sa.Column(
            "written_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("review_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_request_id"],
            ["review_requests.id"],
            name=op.f("fk_explanations_review_request_id_review_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_explanations")),
    )
    with op.batch_alter_table("explanations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_explanations_deployment"), ["deployment"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_explanations_review_request_id"), ["review_request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("explanations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_explanations_review_request_id"))
        batch_op.drop_index(batch_op.f("ix_explanations_deployment"))

    op.drop_table("explanations")
    with op.batch_alter_table("review_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_requests_status"))
        batch_op.drop_index(batch_op.f("ix_review_requests_incident_id"))
        batch_op.drop_index(batch_op.f("ix_review_requests_due_at"))
        batch_op.drop_index(batch_op.f("ix_review_requests_deployment"))

    op.drop_table("review_requests")
    with op.batch_alter_table("frontline_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frontline_feedback_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_frontline_feedback_status"))
        batch_op.drop_index(batch_op.f("ix_frontline_feedback_incident_id"))
        batch_op.drop_index(batch_op.f("ix_frontline_feedback_deployment"))

    op.drop_table("frontline_feedback")
