"""data loads: the log of interaction files loaded into the store

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("mapping_source", sa.String(length=500), nullable=False),
        sa.Column("mapping_json", sa.Text(), nullable=False),
        sa.Column(
            "started_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "finished_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("quality_json", sa.Text(), nullable=False),
        sa.Column("files_json", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "rows_read = rows_accepted + rows_quarantined",
            name=op.f("ck_data_loads_rows_add_up"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_loads")),
        sa.UniqueConstraint("sha256", name=op.f("uq_data_loads_sha256")),
    )


def downgrade() -> None:
    op.drop_table("data_loads")
