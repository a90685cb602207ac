"""The assessment tables: cycles, respondents, their answers and the answer files imported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxsteward.registry.base import Base, UTCDateTime


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
