"""customer data-use notices and choices (consent)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cxsteward.registry.base import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("deployment", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.UniqueConstraint("deployment", "channel", "version", name="uq_consent_notices_version"),
        sa.UniqueConstraint(
            "deployment", "channel", "effective_from", name="uq_consent_notices_effective"
        ),
    )
    op.create_index("ix_consent_notices_deployment", "consent_notices", ["deployment"])
    op.create_table(
        "consent_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(80), nullable=False),
        sa.UniqueConstraint("sha256", name=op.f("uq_consent_imports_sha256")),
    )
    op.create_table(
        "consent_choices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("chosen_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("deployment", sa.String(80), nullable=True),
        sa.Column("channel", sa.String(40), nullable=True),
        sa.Column("data_use", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_source", sa.String(20), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column(
            "import_id",
            sa.Integer(),
            sa.ForeignKey("consent_imports.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.CheckConstraint(
            "kind IN ('ai_opt_out', 'data_use_objection')", name=op.f("ck_consent_choices_kind")
        ),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR withdrawn_at > chosen_at",
            name=op.f("ck_consent_choices_withdrawn_after"),
        ),
    )
    op.create_index("ix_consent_choices_customer_id", "consent_choices", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_consent_choices_customer_id", table_name="consent_choices")
    op.drop_table("consent_choices")
    op.drop_table("consent_imports")
    op.drop_index("ix_consent_notices_deployment", table_name="consent_notices")
    op.drop_table("consent_notices")
