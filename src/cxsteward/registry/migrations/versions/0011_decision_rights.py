"""decision rights: committee quorum and decisions, emergency pauses, legal approvers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # Rows applied before this revision get the file's defaults: no extra approvers, no
    # delegated emergency pause, and a majority quorum (NULL).
    with op.batch_alter_table("gov_organization", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("legal_approvers", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("gov_committee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quorum", sa.Integer(), nullable=True))
    with op.batch_alter_table("gov_protocols", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("emergency_pause", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "gov_committee_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("deployment", sa.String(length=80), nullable=False),
        sa.Column("move", sa.String(length=20), nullable=False),
        sa.Column("present", sa.JSON(), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        _when("recorded_at", False),
        _when("used_at", True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["gov_committee_meetings.id"],
            name=op.f("fk_gov_committee_decisions_meeting_id_gov_committee_meetings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_committee_decisions")),
    )
    with op.batch_alter_table("gov_committee_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_committee_decisions_deployment"), ["deployment"], unique=False
        )
    op.create_table(
        "gov_emergency_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment", sa.String(length=80), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("paused_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _when("recorded_at", False),
        sa.Column("ratified_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ratified_by"],
            ["gov_committee_decisions.id"],
            name=op.f("fk_gov_emergency_pauses_ratified_by_gov_committee_decisions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gov_emergency_pauses")),
    )
    with op.batch_alter_table("gov_emergency_pauses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gov_emergency_pauses_deployment"), ["deployment"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gov_emergency_pauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_emergency_pauses_deployment"))
    op.drop_table("gov_emergency_pauses")
    with op.batch_alter_table("gov_committee_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gov_committee_decisions_deployment"))
    op.drop_table("gov_committee_decisions")
    with op.batch_alter_table("gov_protocols", schema=None) as batch_op:
        batch_op.drop_column("emergency_pause")
    with op.batch_alter_table("gov_committee", schema=None) as batch_op:
        batch_op.drop_column("quorum")
    with op.batch_alter_table("gov_organization", schema=None) as batch_op:
        batch_op.drop_column("legal_approvers")
