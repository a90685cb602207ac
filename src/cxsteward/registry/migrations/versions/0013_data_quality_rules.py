"""the governance file's data-quality rules

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gov_organization") as batch:
        batch.add_column(sa.Column("data_quality", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gov_organization") as batch:
        batch.drop_column("data_quality")
