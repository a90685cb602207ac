"""Registry tables for AI-literacy training: completions and the imports that brought them.

Modules are part of the governance file (``gov_training_modules``); a completion names its
person and module by key, as the rest of the registry does, and is checked against the
stored governance before it is written. One person completes one module at most once a
day, so importing the same learning-system export twice adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxsteward.registry.base import Base, UTCDateTime


class TrainingImportRecord(Base):
    """One learning-system export brought in: which file, what it added, who and when."""

    __tablename__ = "training_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    already_recorded: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class TrainingCompletionRecord(Base):
    """One person's completion of one module on one day."""

    __tablename__ = "training_completions"
    __table_args__ = (UniqueConstraint("person", "module", "completed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person: Mapped[str] = mapped_column(String(80), index=True)
    module: Mapped[str] = mapped_column(String(80), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Where the record comes from: the learning system's name, or "recorded by hand".
    source: Mapped[str] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_imports.id", ondelete="RESTRICT"), nullable=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
