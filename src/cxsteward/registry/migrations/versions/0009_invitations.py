"""assessment invitations

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "assessment_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role_group", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        _when("created_at", False),
        _when("expires_at", True),
        _when("revoked_at", True),
        _when("started_at", True),
        _when("submitted_at", True),
        sa.CheckConstraint(
            "submitted_at IS NULL OR started_at IS NOT NULL",
            name=op.f("ck_assessment_invitations_submitted_was_started"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["assessment_cycles.id"],
            name=op.f("fk_assessment_invitations_cycle_id_assessment_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_assessment_invitations_token_hash")),
    )
    with op.batch_alter_table("assessment_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_invitations_cycle_id"), ["cycle_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_invitations_cycle_id"))
    op.drop_table("assessment_invitations")
