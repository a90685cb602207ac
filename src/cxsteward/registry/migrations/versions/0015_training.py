"""AI-literacy training: modules declared in the governance file, completions and imports

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cxsteward.registry.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gov_training_modules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("covers", sa.Text(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("renewal_days", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("key", name=op.f("uq_gov_training_modules_key")),
    )
    op.create_table(
        "training_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("already_recorded", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(120), nullable=True),
    )
    op.create_table(
        "training_completions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person", sa.String(80), nullable=False),
        sa.Column("module", sa.String(80), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["training_imports.id"],
            name=op.f("fk_training_completions_import_id_training_imports"),
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint(
            "person",
            "module",
            "completed_on",
            name=op.f("uq_training_completions_person"),
        ),
    )
    op.create_index("ix_training_completions_person", "training_completions", ["person"])
    op.create_index("ix_training_completions_module", "training_completions", ["module"])


def downgrade() -> None:
    op.drop_index("ix_training_completions_module", table_name="training_completions")
    op.drop_index("ix_training_completions_person", table_name="training_completions")
    op.drop_table("training_completions")
    op.drop_table("training_imports")
    op.drop_table("gov_training_modules")
