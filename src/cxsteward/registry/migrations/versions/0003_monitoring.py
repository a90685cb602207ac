"""baselines, thresholds, monitoring runs and findings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "baselines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("handler", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baselines")),
        sa.UniqueConstraint("name", name=op.f("uq_baselines_name")),
    )
    op.create_table(
        "monitor_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "started_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "finished_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("artifacts", sa.String(length=300), nullable=False),
        sa.Column("n_findings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_runs")),
    )
    op.create_table(
        "thresholds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "retired_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thresholds")),
    )
    with op.batch_alter_table("thresholds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thresholds_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "baseline_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("baseline_id", sa.Integer(), nullable=False),
        sa.Column("deployment", sa.String(length=120), nullable=False),
        sa.Column("slice", sa.String(length=200), nullable=False),
        sa.Column("segment", sa.JSON(), nullable=False),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("n", sa.Float(), nullable=False),
        sa.Column("successes", sa.Float(), nullable=True),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("total_sq", sa.Float(), nullable=True),
        sa.Column("estimate", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["baseline_id"],
            ["baselines.id"],
            name=op.f("fk_baseline_values_baseline_id_baselines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_values")),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("deployment", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=True),
        sa.Column("q_value", sa.Float(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["monitor_runs.id"],
            name=op.f("fk_findings_run_id_monitor_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("run_id", "key", name="uq_findings_run_key"),
    )


def downgrade() -> None:
    op.drop_table("findings")
    op.drop_table("baseline_values")
    with op.batch_alter_table("thresholds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thresholds_rule_id"))

    op.drop_table("thresholds")
    op.drop_table("monitor_runs")
    op.drop_table("baselines")
