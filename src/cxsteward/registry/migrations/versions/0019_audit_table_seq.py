"""the audit log's table index carries seq, so a table's newest entry is one index probe

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_table_name_seq", "audit_log", ["table_name", "seq"])
    op.drop_index("ix_audit_log_table_name", table_name="audit_log")


def downgrade() -> None:
    op.create_index("ix_audit_log_table_name", "audit_log", ["table_name"])
    op.drop_index("ix_audit_log_table_name_seq", table_name="audit_log")
