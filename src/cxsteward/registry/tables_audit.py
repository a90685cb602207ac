"""Registry tables of the audit log (C7): the hash-chained entries and the chain's head."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxsteward.registry.base import Base, UTCDateTime


class AuditRecord(Base):
    """One change to an audited table; rows are only ever appended, never changed.

    ``hash`` is sha256 over the entry's fields and ``prev_hash``, the previous entry's hash,
    so editing, inserting or removing an entry breaks the chain from that point on.
    """

    __tablename__ = "audit_log"

    # Assigned by the recorder (previous seq + 1), never by the database, so a gap is a
    # deleted entry rather than an aborted insert.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(6))
    table_name: Mapped[str] = mapped_column(String(80))
    object_key: Mapped[str] = mapped_column(String(200))
    # Canonical JSON text of the change, exactly as it was hashed.
    changes: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("action IN ('insert', 'update', 'delete')", name="action"),
        # A table's newest entry is the top of its run in this index: the web's read models
        # ask it for every table on each request (services/read_models.py).
        Index("ix_audit_log_table_name_seq", "table_name", "seq"),
    )


class AuditHeadRecord(Base):
    """The newest entry's seq and hash, kept in one row beside the log.

    Without it, deleting the last entries would leave a shorter chain that still verifies.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class AuditPendingRecord(Base):
    """A change written anonymously, waiting for its day to end before it joins the chain.

    No actor, a random id and only the day: the entries of one day are appended to the
    chain together, in random order, by the first audited commit of a later day, so their
    place in the chain tells nothing finer than the day (see docs/audit.md).
    """

    __tablename__ = "audit_pending"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    action: Mapped[str] = mapped_column(String(6))
    table_name: Mapped[str] = mapped_column(String(80))
    object_key: Mapped[str] = mapped_column(String(200))
    changes: Mapped[str] = mapped_column(Text)

    __table_args__ = (CheckConstraint("action IN ('insert', 'update', 'delete')", name="action"),)
