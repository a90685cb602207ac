"""assessment cycles, respondents, answers

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cxsteward.registry.tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column(
            "opened_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("closed_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("bank_id", sa.String(length=80), nullable=False),
        sa.Column("bank_version", sa.String(length=80), nullable=False),
        sa.Column("bank_json", sa.Text(), nullable=False),
        sa.Column("maturity_json", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_assessment_cycles_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_cycles")),
        sa.UniqueConstraint("name", name=op.f("uq_assessment_cycles_name")),
    )
    op.create_table(
        "assessment_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column(
            "imported_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["assessment_cycles.id"],
            name=op.f("fk_assessment_imports_cycle_id_assessment_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_imports")),
        sa.UniqueConstraint("cycle_id", "sha256", name="uq_assessment_imports_cycle_sha256"),
    )
    op.create_table(
        "assessment_respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("role_group", sa.String(length=32), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "NOT anonymous OR name IS NULL",
            name=op.f("ck_assessment_respondents_anonymous_has_no_name"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["assessment_cycles.id"],
            name=op.f("fk_assessment_respondents_cycle_id_assessment_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_respondents")),
        sa.UniqueConstraint("cycle_id", "code", name="uq_assessment_respondents_cycle_code"),
    )
    op.create_table(
        "assessment_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("dont_know", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "answered_at", cxsteward.registry.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "(dont_know AND value IS NULL) OR (NOT dont_know AND value BETWEEN 0 AND 4)",
            name=op.f("ck_assessment_answers_value_or_dont_know"),
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["assessment_respondents.id"],
            name=op.f("fk_assessment_answers_respondent_id_assessment_respondents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_answers")),
        sa.UniqueConstraint(
            "respondent_id", "question_id", name="uq_assessment_answers_respondent_question"
        ),
    )


def downgrade() -> None:
    op.drop_table("assessment_answers")
    op.drop_table("assessment_respondents")
    op.drop_table("assessment_imports")
    op.drop_table("assessment_cycles")
