"""the vulnerable-customer promise of a deployment, in a column of its own

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gov_deployments") as batch:
        batch.add_column(sa.Column("vulnerable", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gov_deployments") as batch:
        batch.drop_column("vulnerable")
