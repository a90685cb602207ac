"""Registry tables of the interaction data: the load log and the attached sources (C4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Integer, String, Text
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


class DataSourceRecord(Base):
    """An external source of contacts read in place (``data attach``): where, which table,
    through which mapping, and when it was attached and detached.

    ``location`` is a Parquet path or a backend URL with its password and secret-looking
    parameters masked: a URL that carries a secret is kept whole only in the workspace's
    secrets file (``secret`` is then true), never here, so neither this row nor its audit
    entries hold a credential. A detached source keeps its row (``detached_at`` set);
    attaching the same name again reuses it.
    """

    __tablename__ = "data_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    location: Mapped[str] = mapped_column(String(1000))
    table_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    mapping_source: Mapped[str] = mapped_column(String(500))
    mapping_json: Mapped[str] = mapped_column(Text)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attached_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    detached_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (CheckConstraint("kind IN ('parquet', 'backend')", name="source_kind"),)
