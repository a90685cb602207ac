"""anonymous audit entries waiting for their day to end

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_pending",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=6), nullable=False),
        sa.Column("table_name", sa.String(length=80), nullable=False),
        sa.Column("object_key", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "action IN ('insert', 'update', 'delete')", name=op.f("ck_audit_pending_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_pending")),
    )
    with op.batch_alter_table("audit_pending", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_pending_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_pending", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_pending_day"))
    op.drop_table("audit_pending")
