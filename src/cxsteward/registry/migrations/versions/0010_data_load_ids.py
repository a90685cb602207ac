"""data load ids: numbers taken by loads before they write, never reused

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_load_ids",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "reserved_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_load_ids")),
    )


def downgrade() -> None:
    op.drop_table("data_load_ids")
