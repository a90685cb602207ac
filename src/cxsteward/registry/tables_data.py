"""Registry tables of the interaction store: the load log (C4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxsteward.registry.base import Base, UTCDateTime


class DataLoadRecord(Base):
    """One file loaded into the store: where it came from, how, and what it gave.

    A record exists only for a load whose files are in the store: it is committed after
    they are moved into place, and readers of the store read only the files records list,
    so its commit is the one step that publishes a load.
    """

    __tablename__ = "data_loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_format: Mapped[str] = mapped_column(String(10))
    bytes: Mapped[int] = mapped_column(BigInteger)
    mapping_source: Mapped[str] = mapped_column(String(500))
    mapping_json: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)
    # Null rates, ranges, segment values (new ones marked), quarantine reasons, notes.
    quality_json: Mapped[str] = mapped_column(Text)
    # Store files of this load, relative to the workspace: its partitions and quarantine.
    files_json: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("rows_read = rows_accepted + rows_quarantined", name="rows_add_up"),
    )


class DataLoadIdRecord(Base):
    """A load id, taken (and committed) before the load writes anything.

    Ids are never reused, even by a load killed before its record was committed: the
    files such a load left behind can never be mistaken for those of a later load.
    """

    __tablename__ = "data_load_ids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reserved_at: Mapped[datetime] = mapped_column(UTCDateTime())
