"""the scale gate (criteria, stored evaluations, overrides) and the issued committee packs

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cxsteward.registry.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gov_organization") as batch:
        batch.add_column(sa.Column("scale_gate", sa.JSON(), nullable=True))
    with op.batch_alter_table("gov_deployments") as batch:
        batch.add_column(sa.Column("scale_gate", sa.JSON(), nullable=True))
    with op.batch_alter_table("gov_committee_decisions") as batch:
        batch.add_column(
            sa.Column("overrides_gate", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "gate_evaluations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("deployment", sa.String(80), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("evaluated_at", UTCDateTime(), nullable=False),
        sa.Column("evaluated_by", sa.String(120), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
    )
    op.create_index("ix_gate_evaluations_deployment", "gate_evaluations", ["deployment"])
    op.create_table(
        "committee_packs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.String(120), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("headline", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("committee_packs")
    op.drop_index("ix_gate_evaluations_deployment", table_name="gate_evaluations")
    op.drop_table("gate_evaluations")
    with op.batch_alter_table("gov_committee_decisions") as batch:
        batch.drop_column("overrides_gate")
    with op.batch_alter_table("gov_deployments") as batch:
        batch.drop_column("scale_gate")
    with op.batch_alter_table("gov_organization") as batch:
        batch.drop_column("scale_gate")
