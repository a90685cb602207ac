"""Attaching an external source of contacts, read in place instead of the store (C4, C12).

``data attach`` checks everything before it writes anything: the source opens, the table
and every column the mapping reads are there, and the mapping can run as engine
expressions (``check_in_place``). It then computes the snapshot (rows, newest contact, the
rows the mapping rejects, by reason) and only then records the source. One source is
attached at a time; while it is, every reader of contacts reads it (``source.py``) and the
store waits untouched until ``data detach``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxsteward.domain.mapping import Mapping, mapping_json
from cxsteward.engine.table_source import is_url, masked_url
from cxsteward.errors import Conflict, Invalid, NotFound
from cxsteward.registry.tables_data import DataLoadRecord, DataSourceRecord
from cxsteward.services.checkpoints import checkpoint
from cxsteward.services.clock import now
from cxsteward.services.contract import Result
from cxsteward.services.data.credentials import drop_secret, has_secret, write_secret
from cxsteward.services.data.load import read_mapping
from cxsteward.services.data.source import (
    Attached,
    Snapshot,
    SourceOut,
    attached_source,
    in_place,
    open_raw,
    parquet_files,
    store_source,
    take_snapshot,
)
from cxsteward.services.workspace import Workspace

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


class SourceNotFound(NotFound):
    """No attached source has that name."""


class AttachedSourceOut(Result):
    """One attached (or formerly attached) source as the registry records it."""

    name: str
    kind: Literal["parquet", "backend"]
    location: str
    table: str | None
    mapping: str
    attached_at: datetime
    attached_by: str | None
    detached_at: datetime | None
    active: bool


class AttachOut(Result):
    """What ``data attach`` recorded, and the snapshot it checked."""

    source: AttachedSourceOut
    snapshot: Snapshot


class SourcesOut(Result):
    """What the workspace reads now, the store beside it, and every source ever attached."""

    reading: SourceOut
    store: SourceOut
    store_loads: int
    sources: list[AttachedSourceOut]


def attach_source(
    ws: Workspace,
    location: str,
    mapping_path: Path,
    *,
    table: str | None = None,
    name: str | None = None,
) -> AttachOut:
    """Check ``location`` (a Parquet file or folder, or a backend URL with ``table``) through
    the mapping, then record it as the source every reader of contacts reads in place.

    Raises:
        Invalid: the path, URL, table, columns or mapping cannot be read in place; nothing
            was recorded.
        Conflict: another source is attached (detach it first).
    """
    mapping = read_mapping(mapping_path)
    source = _describe(location, table, name, mapping, mapping_path)
    current = attached_source(ws)
    if current is not None:
        raise Conflict(
            f"The source {current.name!r} is attached; detach it first "
            f"(`cxsteward data detach {current.name}`). Nothing was recorded."
        )
    full = location if source.kind == "backend" else source.location
    with open_raw(ws, source, full) as (raw, label):
        snapshot = take_snapshot(in_place(raw, source, label, now(ws)))
    if snapshot.rows == 0:
        raise Invalid(
            f"{label}: no row passes the mapping's checks ({snapshot.rows_read:,} rows read); "
            "nothing was recorded. See the reasons with `cxsteward data load` of a sample, "
            "or fix the mapping."
        )
    checkpoint("attach:checked")
    secret = source.kind == "backend" and has_secret(location)
    try:
        with ws.transaction() as session:
            record = _record(session, source, mapping, mapping_path, secret, now(ws))
            record.attached_by = session.info.get("actor")
            session.flush()
            checkpoint("attach:recorded")
            if secret:
                write_secret(ws, source.name, location)
                checkpoint("attach:secret")
            out = _out(record)
    except BaseException:
        if secret:
            drop_secret(ws, source.name)
        raise
    checkpoint("attach:committed")
    return AttachOut(source=out, snapshot=snapshot)


def detach_source(ws: Workspace, name: str) -> AttachedSourceOut:
    """Stop reading the attached source ``name``: readers read the store again.

    The record stays (with its detach time) and the kept URL, if any, is deleted.

    Raises:
        SourceNotFound: no source of that name is attached.
    """
    with ws.transaction() as session:
        record = session.scalars(
            select(DataSourceRecord).where(
                DataSourceRecord.name == name, DataSourceRecord.detached_at.is_(None)
            )
        ).first()
        if record is None:
            attached = session.scalars(
                select(DataSourceRecord.name).where(DataSourceRecord.detached_at.is_(None))
            ).all()
            hint = f"; attached now: {', '.join(attached)}" if attached else "; none is attached"
            raise SourceNotFound(f"No attached source named {name!r}{hint}.")
        record.detached_at = now(ws)
        out = _out(record)
    drop_secret(ws, name)
    return out


def list_sources(ws: Workspace) -> SourcesOut:
    """The source readers read now, the store, and every attached source, newest first."""
    with ws.transaction() as session:
        records = session.scalars(
            select(DataSourceRecord).order_by(DataSourceRecord.attached_at.desc())
        ).all()
        sources = [_out(r) for r in records]
        loads = session.scalar(select(func.count(DataLoadRecord.id))) or 0
    store = store_source(ws)
    active = next((s for s in sources if s.active), None)
    reading = store
    if active is not None:
        reading = SourceOut(
            name=active.name, kind=active.kind, location=active.location, table=active.table
        )
    return SourcesOut(reading=reading, store=store, store_loads=loads, sources=sources)


def _describe(
    location: str, table: str | None, name: str | None, mapping: Mapping, mapping_path: Path
) -> Attached:
    """The source as it will be recorded (masked), after checking the arguments agree."""
    if is_url(location):
        if not table or not table.strip():
            raise Invalid(f"{masked_url(location)}: name the table to read (--table)")
        chosen = name or table.rsplit(".", 1)[-1]
        return Attached(_name(chosen), "backend", masked_url(location), table, mapping)
    path = Path(location).expanduser().resolve()
    if table is not None:
        raise Invalid(f"{location}: --table goes with a backend URL (postgres://...), not a path")
    if not path.exists():
        raise Invalid(f"{location}: no such file or folder; nothing was recorded")
    files = parquet_files(path)
    if not files:
        raise Invalid(f"{location}: no Parquet file there; attach reads Parquet files in place")
    stray = [f for f in ([path] if path.is_file() else []) if f.suffix.lower() != ".parquet"]
    if stray:
        raise Invalid(
            f"{location}: not a Parquet file; load other formats with `cxsteward data load`"
        )
    return Attached(_name(name or path.stem), "parquet", str(path), None, mapping)


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise Invalid(
            f"{name!r} cannot name a source: use letters, digits, '.', '_' and '-' "
            "(up to 80, starting with a letter or digit); choose one with --name"
        )
    return name


def _record(
    session: Session,
    source: Attached,
    mapping: Mapping,
    mapping_path: Path,
    secret: bool,
    at: datetime,
) -> DataSourceRecord:
    """The source's row: a new one, or the row of a detached source of the same name."""
    record = session.scalars(
        select(DataSourceRecord).where(DataSourceRecord.name == source.name)
    ).first()
    if record is None:
        record = DataSourceRecord(name=source.name)
        session.add(record)
    record.kind = source.kind
    record.location = source.location
    record.table_name = source.table
    record.secret = secret
    record.mapping_source = str(mapping_path)[:500]
    record.mapping_json = json.dumps(mapping_json(mapping), sort_keys=True)
    record.attached_at = at
    record.detached_at = None
    return record


def _out(record: DataSourceRecord) -> AttachedSourceOut:
    return AttachedSourceOut(
        name=record.name,
        kind="parquet" if record.kind == "parquet" else "backend",
        location=record.location,
        table=record.table_name,
        mapping=record.mapping_source,
        attached_at=record.attached_at,
        attached_by=record.attached_by,
        detached_at=record.detached_at,
        active=record.detached_at is None,
    )
