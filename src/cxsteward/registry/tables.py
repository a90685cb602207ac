"""Registry tables. ORM classes end in ``Record`` so domain names stay free of SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the registry; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CycleRecord(Base):
    __tablename__ = "assessment_cycles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    bank_id: Mapped[str] = mapped_column(String(80))
    bank_version: Mapped[str] = mapped_column(String(80))
    # The bank and maturity model as they were when the cycle opened, so a later edit of
    # the bank never changes an old cycle's results.
    bank_json: Mapped[str] = mapped_column(Text)
    maturity_json: Mapped[str] = mapped_column(Text)

    respondents: Mapped[list[RespondentRecord]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="RespondentRecord.id"
    )

    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)


class RespondentRecord(Base):
    __tablename__ = "assessment_respondents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("assessment_cycles.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(24))
    role_group: Mapped[str] = mapped_column(String(32))
    anonymous: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    cycle: Mapped[CycleRecord] = relationship(back_populates="respondents")
    answers: Mapped[list[AnswerRecord]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan", order_by="AnswerRecord.id"
    )

    __table_args__ = (
        UniqueConstraint("cycle_id", "code", name="uq_assessment_respondents_cycle_code"),
        # Anonymity is structural: an anonymous respondent has no name column value at all.
        CheckConstraint("NOT anonymous OR name IS NULL", name="anonymous_has_no_name"),
    )


class AnswerRecord(Base):
    __tablename__ = "assessment_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_respondents.id", ondelete="CASCADE")
    )
    question_id: Mapped[str] = mapped_column(String(16))
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dont_know: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())

    respondent: Mapped[RespondentRecord] = relationship(back_populates="answers")

    __table_args__ = (
        UniqueConstraint(
            "respondent_id", "question_id", name="uq_assessment_answers_respondent_question"
        ),
        CheckConstraint(
            "(dont_know AND value IS NULL) OR (NOT dont_know AND value BETWEEN 0 AND 4)",
            name="value_or_dont_know",
        ),
    )


class AnswerImportRecord(Base):
    __tablename__ = "assessment_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("assessment_cycles.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500))
    rows: Mapped[int] = mapped_column(Integer)
    respondents: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("cycle_id", "sha256", name="uq_assessment_imports_cycle_sha256"),
    )


# The other table modules build on Base above; importing them here puts every table in
# Base.metadata, which Alembic and the migration test compare against.
import cxsteward.registry.tables_audit  # noqa: E402, F401
import cxsteward.registry.tables_data  # noqa: E402, F401
import cxsteward.registry.tables_governance  # noqa: E402, F401
import cxsteward.registry.tables_incidents  # noqa: E402, F401
import cxsteward.registry.tables_invitations  # noqa: E402, F401
import cxsteward.registry.tables_monitor  # noqa: E402, F401
import cxsteward.registry.tables_trust  # noqa: E402, F401
import cxsteward.registry.tables_web  # noqa: E402, F401
