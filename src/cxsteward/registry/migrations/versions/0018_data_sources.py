"""data sources: external contacts read in place (``data attach``)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("location", sa.String(length=1000), nullable=False),
        sa.Column("table_name", sa.String(length=300), nullable=True),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("mapping_source", sa.String(length=500), nullable=False),
        sa.Column("mapping_json", sa.Text(), nullable=False),
        sa.Column(
            "attached_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("attached_by", sa.String(length=200), nullable=True),
        sa.Column(
            "detached_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "kind IN ('parquet', 'backend')", name=op.f("ck_data_sources_source_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_data_sources_name")),
    )


def downgrade() -> None:
    op.drop_table("data_sources")
