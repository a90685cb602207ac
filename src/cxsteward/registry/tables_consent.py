"""Registry tables of customer data-use notices and choices (consent).

A notice version is append-only history: a new version supersedes the previous one from its
effective day, nothing is edited. A choice is withdrawn by stamping ``withdrawn_at``, never
deleted, so the registry shows what a customer chose and when. Customer ids are personal
data: the audit log keeps only their sha256 (registry/audit.py ``REDACTED``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxsteward.registry.base import Base, UTCDateTime


class ConsentNoticeRecord(Base):
    """What customers of one deployment and channel are told, from ``effective_from`` on."""

    __tablename__ = "consent_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment: Mapped[str] = mapped_column(String(80), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    effective_from: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(80))

    __table_args__ = (
        UniqueConstraint("deployment", "channel", "version", name="uq_consent_notices_version"),
        # Two versions starting the same day would leave "which one is in force" open.
        UniqueConstraint(
            "deployment", "channel", "effective_from", name="uq_consent_notices_effective"
        ),
    )


class ConsentImportRecord(Base):
    """A choices file imported; the same file (by sha256) is refused a second time."""

    __tablename__ = "consent_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(80))


class ConsentChoiceRecord(Base):
    """A customer's opt-out of AI handling or objection to a data use, and its withdrawal."""

    __tablename__ = "consent_choices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Personal data: the canonical customer_id of the interaction store.
    customer_id: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(20))
    # Scope: NULL means every deployment (every channel).
    deployment: Mapped[str | None] = mapped_column(String(80), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(40), nullable=True)
    data_use: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_source: Mapped[str | None] = mapped_column(String(20), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(80))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent_imports.id", ondelete="SET NULL"), nullable=True
    )

    __table_args__ = (
        CheckConstraint("kind IN ('ai_opt_out', 'data_use_objection')", name="kind"),
        CheckConstraint("withdrawn_at IS NULL OR withdrawn_at > chosen_at", name="withdrawn_after"),
    )
