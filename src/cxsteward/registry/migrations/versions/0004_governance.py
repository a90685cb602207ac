"""governance registry

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gov_accountability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("deployment", sa.String(length=80), nullable=True),
        sa.Column("monitors", sa.String(length=80), nullable=True),
        sa.Column("escalates", sa.String(length=80), nullable=True),
        sa.Column("acts", sa.String(length=80), nullable=True),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_accountability")),
    )
    op.create_table(
        "gov_committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("authority", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_committee")),
    )
    op.create_table(
        "gov_committee_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_committee_meetings")),
    )
    op.create_table(
        "gov_deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("function", sa.String(length=20), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("vendor", sa.String(length=80), nullable=True),
        sa.Column("customer_facing", sa.Boolean(), nullable=False),
        sa.Column("go_live", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("disclosure", sa.JSON(), nullable=False),
        sa.Column("decision_rights", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_deployments")),
        sa.UniqueConstraint("key", name=op.f("uq_gov_deployments_key")),
    )
    op.create_table(
        "gov_kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_kb_articles")),
        sa.UniqueConstraint("key", name=op.f("uq_gov_kb_articles_key")),
    )
    op.create_table(
        "gov_organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_metrics", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_organization")),
    )
    op.create_table(
        "gov_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("function", sa.Text(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_people")),
        sa.UniqueConstraint("key", name=op.f("uq_gov_people_key")),
    )
    op.create_table(
        "gov_protocols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("notify", sa.JSON(), nullable=False),
        sa.Column("respond_within_hours", sa.Float(), nullable=False),
        sa.Column("decides", sa.String(length=80), nullable=False),
        sa.Column("tell_customers", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_protocols")),
        sa.UniqueConstraint("severity", name=op.f("uq_gov_protocols_severity")),
    )
    op.create_table(
        "gov_roadmap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_roadmap")),
    )
    op.create_table(
        "gov_roadmap_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("deployment", sa.String(length=80), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_roadmap_items")),
    )
    op.create_table(
        "gov_roadmap_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_roadmap_reviews")),
    )
    op.create_table(
        "gov_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("incident_type", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("placeholders", sa.JSON(), nullable=False),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column(
            "approved_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_templates")),
        sa.UniqueConstraint("key", name=op.f("uq_gov_templates_key")),
    )
    op.create_table(
        "gov_vendors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_vendors")),
        sa.UniqueConstraint("key", name=op.f("uq_gov_vendors_key")),
    )
    op.create_table(
        "gov_committee_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=80), nullable=False),
        sa.Column("function", sa.Text(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["gov_committee.id"],
            name=op.f("fk_gov_committee_members_committee_id_gov_committee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_committee_members")),
    )
    op.create_table(
        "gov_deployment_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["gov_deployments.id"],
            name=op.f("fk_gov_deployment_models_deployment_id_gov_deployments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_deployment_models")),
    )
    op.create_table(
        "gov_deployment_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "recorded_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["gov_deployments.id"],
            name=op.f("fk_gov_deployment_transitions_deployment_id_gov_deployments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_deployment_transitions")),
    )
    op.create_table(
        "gov_vendor_clauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["gov_vendors.id"],
            name=op.f("fk_gov_vendor_clauses_vendor_id_gov_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_vendor_clauses")),
    )


def downgrade() -> None:
    op.drop_table("gov_vendor_clauses")
    op.drop_table("gov_deployment_transitions")
    op.drop_table("gov_deployment_models")
    op.drop_table("gov_committee_members")
    op.drop_table("gov_vendors")
    op.drop_table("gov_templates")
    op.drop_table("gov_roadmap_reviews")
    op.drop_table("gov_roadmap_items")
    op.drop_table("gov_roadmap")
    op.drop_table("gov_protocols")
    op.drop_table("gov_people")
    op.drop_table("gov_organization")
    op.drop_table("gov_kb_articles")
    op.drop_table("gov_deployments")
    op.drop_table("gov_committee_meetings")
    op.drop_table("gov_committee")
    op.drop_table("gov_accountability")
