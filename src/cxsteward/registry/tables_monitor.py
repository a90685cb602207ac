"""Registry tables for baselines, thresholds, monitoring runs and their findings (C5, C6)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxsteward.registry.base import Base, UTCDateTime


class BaselineRecord(Base):
    """A dated snapshot of every metric per segment; never changed after it is frozen."""

    __tablename__ = "baselines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    handler: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text, default="")
    # sha256 of the values as frozen, so any later edit of the rows can be detected.
    checksum: Mapped[str] = mapped_column(String(64))

    values: Mapped[list[BaselineValueRecord]] = relationship(
        back_populates="baseline", cascade="all, delete-orphan", order_by="BaselineValueRecord.id"
    )


class BaselineValueRecord(Base):
    __tablename__ = "baseline_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    baseline_id: Mapped[int] = mapped_column(ForeignKey("baselines.id", ondelete="CASCADE"))
    deployment: Mapped[str] = mapped_column(String(120))
    slice: Mapped[str] = mapped_column(String(200))
    segment: Mapped[dict[str, str]] = mapped_column(JSON)
    metric: Mapped[str] = mapped_column(String(60))
    n: Mapped[float] = mapped_column(Float)
    successes: Mapped[float | None] = mapped_column(Float, nullable=True)
    total: Mapped[float | None] = mapped_column(Float, nullable=True)
    total_sq: Mapped[float | None] = mapped_column(Float, nullable=True)
    estimate: Mapped[float | None] = mapped_column(Float, nullable=True)

    baseline: Mapped[BaselineRecord] = relationship(back_populates="values")


class ThresholdRecord(Base):
    """A threshold rule; ``created_at`` is what proves it was declared in advance."""

    __tablename__ = "thresholds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Not unique: a changed rule retires the old version and adds a new one, so the
    # history of what was declared when is kept. One active version per rule id.
    rule_id: Mapped[str] = mapped_column(String(80), index=True)
    definition: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class MonitorRunRecord(Base):
    __tablename__ = "monitor_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    parameters: Mapped[dict[str, object]] = mapped_column(JSON)
    # Folder (relative to the workspace) holding the cell table and metric table of the run.
    artifacts: Mapped[str] = mapped_column(String(300))
    n_findings: Mapped[int] = mapped_column(Integer)

    findings: Mapped[list[FindingRecord]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="FindingRecord.id"
    )


class FindingRecord(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("monitor_runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    metric: Mapped[str] = mapped_column(String(60))
    deployment: Mapped[str] = mapped_column(String(120))
    # Stable key of rule and scope: a recurrence has the same key (incidents dedupe on it).
    key: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str | None] = mapped_column(String(10), nullable=True)
    status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    q_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    body: Mapped[dict[str, object]] = mapped_column(JSON)

    run: Mapped[MonitorRunRecord] = relationship(back_populates="findings")

    __table_args__ = (UniqueConstraint("run_id", "key", name="uq_findings_run_key"),)
