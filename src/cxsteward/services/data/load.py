"""Loading interaction data into the workspace store: atomic, idempotent, logged.

The store's layout, and the writing and moving of its files, are in ``data/store.py``. A
load takes an id that is never reused (committed on its own first), then, holding the
registry's write lock, sweeps what dead loads left, writes its files to a staging folder,
moves them into the store and commits its record, which lists them. Readers see only the
files committed records list, so that commit is the one step that makes a load visible: a
load that fails or is killed at any step before it leaves nothing a reader sees, and the
next load sweeps its files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from cxsteward.domain.mapping import Mapping, identity_mapping, mapping_json, parse_mapping
from cxsteward.engine.ingest import Context, Ingested, drop_stored, ingest
from cxsteward.engine.readers import ReadOptions, read_table
from cxsteward.engine.table_source import is_url, masked_url, read_backend_table, table_checksum
from cxsteward.errors import Conflict, Invalid, NotFound
from cxsteward.registry.tables_data import DataLoadIdRecord, DataLoadRecord
from cxsteward.services.checkpoints import checkpoint
from cxsteward.services.clock import now, now_of
from cxsteward.services.contract import Result
from cxsteward.services.data.quality import QualitySummary, quality_summary, segment_values
from cxsteward.services.data.store import (
    drop_staging,
    interactions_dataset,
    publish_staged,
    published_files,
    quarantine_file,
    quarantine_path,
    store_path,
    sweep_unpublished,
    take_back,
    write_staged,
)
from cxsteward.services.workspace import Workspace

__all__ = [
    "LoadNotFound",
    "LoadOut",
    "QuarantinePage",
    "QuarantineRow",
    "get_load",
    "interactions_dataset",
    "list_loads",
    "list_quarantine",
    "load_data",
    "quarantine_path",
    "store_path",
]

Progress = Callable[[str, int, int], None]
# Any constant works: it only serializes loads on PostgreSQL, where inserts do not.
_LOCK_KEY = 0x43585354


class LoadNotFound(NotFound):
    """No load with that id."""


class LoadOut(Result):
    """One load as the log records it (``data loads --json``)."""

    load_id: int
    source: str
    sha256: str
    file_format: str
    mapping: str
    already_loaded: bool = False
    started_at: datetime
    finished_at: datetime
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    quality: dict[str, Any]  # the quality summary as the load's JSON column holds it
    files: list[str]


class QuarantineRow(Result):
    source_row: int
    field: str
    column: str | None
    value: str | None
    reason: str


class QuarantinePage(Result):
    load_id: int
    total: int
    offset: int
    limit: int
    rows: list[QuarantineRow]


class _Overtaken(Exception):
    """A load with a higher id committed first: take a new id, so ids follow commits."""


def load_data(
    ws: Workspace,
    path: Path | str,
    mapping_path: Path | None = None,
    *,
    table: str | None = None,
    progress: Progress | None = None,
    started_at: datetime | None = None,
) -> LoadOut:
    """Load one export through a mapping: every row is accepted or quarantined with a reason.

    ``path`` is a file, or with ``table`` an Ibis backend URL (``postgres://...``,
    ``duckdb:///file.duckdb``, ``sqlite:///file.db``) whose table is read. Without a mapping
    the source must already use the canonical column names. Loading a file (or a table
    whose rows are unchanged) that was loaded before (same SHA-256) adds nothing and says so.

    Raises:
        Invalid: the source, the mapping, or the pair cannot be loaded; nothing was written.
    """
    started = started_at or now(ws)
    tell = progress or (lambda _step, _done, _total: None)
    tell("checking the file", 0, 1)
    mapping = None if mapping_path is None else read_mapping(mapping_path)
    columns = None if mapping is None else mapping.columns()
    if table is not None or (isinstance(path, str) and is_url(path)):
        if table is None:
            raise Invalid(f"{masked_url(str(path))}: name the table to read (--table)")
        if not is_url(str(path)):
            raise Invalid(
                f"{path}: --table reads a backend URL (such as postgres://...), not a file"
            )
        tell("reading the table", 0, 1)
        raw = read_backend_table(str(path), table, columns)
        digest, size = table_checksum(raw.table)
        previous = _load_by_sha(ws, digest)
        if previous is not None:
            return _out(previous, already_loaded=True)
    else:
        digest, size = _checksum(Path(path))
        previous = _load_by_sha(ws, digest)
        if previous is not None:
            return _out(previous, already_loaded=True)
        tell("reading the file", 0, 1)
        options = None
        if mapping is not None:
            options = ReadOptions(
                format=mapping.source.format,
                sheet=mapping.source.sheet,
                delimiter=mapping.source.delimiter,
                encoding=mapping.source.encoding,
            )
        raw = read_table(Path(path), options, columns=columns)
    if mapping is None:
        mapping = identity_mapping(list(raw.columns), raw.source)
    result = ingest(raw, mapping, Context(load_id=0, now=started), tell)
    source = _Source(raw.source, digest, size, raw.format, mapping, started)
    while True:
        load_id = _reserve_id(ws, raw.source)
        checkpoint("load:reserved")
        try:
            record, new = _store(ws, load_id, source, result, tell)
        except _Overtaken:
            continue
        if not new:
            return _out(record, already_loaded=True)
        checkpoint("load:committed")
        tell("done", 1, 1)
        return _out(record)


@dataclass(frozen=True)
class _Source:
    """What the record of a load says about its source."""

    name: str
    digest: str
    size: int
    file_format: str
    mapping: Mapping
    started: datetime


def _store(
    ws: Workspace, load_id: int, source: _Source, result: Ingested, tell: Progress
) -> tuple[DataLoadRecord, bool]:
    """Write load ``load_id`` and commit its record; or, when the same file was loaded
    meanwhile by another process, that load's record (and False).

    Raises:
        _Overtaken: a load with a higher id committed while this one waited for the lock.
    """
    moved: list[Path] = []
    created: list[Path] = []
    try:
        with ws.transaction() as session:
            record = _begin(session, load_id, source)
            if _overtaken(session, load_id):
                raise _Overtaken
            sweep_unpublished(ws, session)
            checkpoint("load:swept")
            tell("checking ids against the store", 0, 1)
            result = drop_stored(result, _known_keys(published_files(ws, session)))
            result = _with_load_id(result, load_id)
            earlier = segment_values(
                QualitySummary.from_column(q)
                for q in session.scalars(select(DataLoadRecord.quality_json))
            )
            quality = quality_summary(result, source.mapping.segments, earlier)
            tell("writing the store", 0, 1)
            files = write_staged(ws, load_id, result)
            checkpoint("load:written")
            moved = publish_staged(ws, load_id, files, created)
            checkpoint("load:moved")
            _finish(record, result, quality, files)
            checkpoint("load:finished")
        return record, True
    except IntegrityError:
        take_back(moved, created)
        winner = _load_by_sha(ws, source.digest)
        if winner is None:
            raise
        return winner, False
    except OperationalError as exc:
        take_back(moved, created)
        if "locked" not in str(exc.orig):
            raise
        raise Conflict(
            f"{source.name}: the registry is busy with another load; nothing was written. "
            "Try again."
        ) from exc
    except BaseException:
        take_back(moved, created)
        raise
    finally:
        drop_staging(ws, load_id)


def list_loads(ws: Workspace) -> list[LoadOut]:
    """Every load in the log, oldest first."""
    with ws.transaction() as session:
        records = session.scalars(select(DataLoadRecord).order_by(DataLoadRecord.id)).all()
        return [_out(r) for r in records]


def get_load(ws: Workspace, load_id: int) -> LoadOut:
    """One load of the log.

    Raises:
        LoadNotFound: no load has that id.
    """
    with ws.transaction() as session:
        return _out(_record(session, load_id))


def list_quarantine(
    ws: Workspace, load_id: int, limit: int = 50, offset: int = 0
) -> QuarantinePage:
    """The quarantined rows of a load with their row, column, value and reason.

    Raises:
        LoadNotFound: no load has that id.
    """
    with ws.transaction() as session:
        _record(session, load_id)
    file = quarantine_file(ws, load_id)
    if not file.exists():
        return QuarantinePage(load_id=load_id, total=0, offset=offset, limit=limit, rows=[])
    table = pq.read_table(file)
    page = table.slice(max(offset, 0), max(limit, 0)).to_pylist()
    return QuarantinePage(
        load_id=load_id,
        total=table.num_rows,
        offset=offset,
        limit=limit,
        rows=[QuarantineRow(**row) for row in page],
    )


# --- steps ---------------------------------------------------------------------------------


def _checksum(path: Path) -> tuple[str, int]:
    if not path.is_file():
        if path.is_dir():
            raise Invalid(f"{path}: is a folder, not a file; name the export file itself")
        raise Invalid(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size


def read_mapping(mapping_path: Path) -> Mapping:
    """The mapping YAML at ``mapping_path``, parsed and checked."""
    try:
        text_ = mapping_path.read_text("utf-8")
    except FileNotFoundError:
        raise Invalid(f"{mapping_path}: mapping file not found") from None
    except IsADirectoryError:
        raise Invalid(
            f"{mapping_path}: is a folder, not a file; name the mapping YAML file itself"
        ) from None
    except UnicodeDecodeError:
        raise Invalid(f"{mapping_path}: the mapping is not UTF-8 text") from None
    return parse_mapping(text_, str(mapping_path))


def _reserve_id(ws: Workspace, name: str) -> int:
    """Take the next load id and commit it at once, so no later load can take it again."""
    for _attempt in range(20):
        try:
            with ws.transaction() as session:
                taken = session.scalar(select(func.max(DataLoadIdRecord.id))) or 0
                loaded = session.scalar(select(func.max(DataLoadRecord.id))) or 0
                session.add(DataLoadIdRecord(id=max(taken, loaded) + 1, reserved_at=now(session)))
                session.flush()
                return max(taken, loaded) + 1
        except IntegrityError:  # another load took the same number at the same moment
            continue
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
    raise Conflict(
        f"{name}: the registry is busy with other loads; nothing was written. Try again."
    )


def _overtaken(session: Session, load_id: int) -> bool:
    later = session.scalar(select(func.max(DataLoadRecord.id)).where(DataLoadRecord.id != load_id))
    return later is not None and later > load_id


def _begin(session: Session, load_id: int, source: _Source) -> DataLoadRecord:
    """Insert the (not yet committed) record: this takes the registry's write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    record = DataLoadRecord(
        id=load_id,
        source=source.name[-500:],
        sha256=source.digest,
        file_format=source.file_format,
        bytes=source.size,
        mapping_source=source.mapping.origin[-500:],
        mapping_json=json.dumps(mapping_json(source.mapping), sort_keys=True),
        started_at=source.started,
        finished_at=source.started,
        rows_read=0,
        rows_accepted=0,
        rows_quarantined=0,
        quality_json="{}",
        files_json="[]",
    )
    session.add(record)
    session.flush()
    return record


def _known_keys(
    files: Sequence[Path],
) -> Callable[[pa.ChunkedArray, pa.ChunkedArray], np.ndarray]:
    """A lookup of (deployment, interaction_id) in ``files`` (the published store): the load
    holding each, or 0."""

    def known(deployment: pa.ChunkedArray, ids: pa.ChunkedArray) -> np.ndarray:
        out = np.zeros(len(ids), dtype=np.int64)
        if not files:
            return out
        keys = pa.table({"d": deployment, "i": ids, "pos": np.arange(len(ids))})
        con = duckdb.connect()
        try:
            con.register("new_keys", keys)
            found = con.sql(
                "SELECT k.pos, s.load_id FROM new_keys k JOIN read_parquet(?, "
                "hive_partitioning = false, union_by_name = true) s "
                "ON s.deployment = k.d AND s.interaction_id = k.i",
                params=[[str(f) for f in files]],
            ).to_arrow_table()
            assert found is not None  # a SELECT always has a result
        finally:
            con.close()
        out[found.column("pos").to_numpy()] = found.column("load_id").to_numpy()
        return out

    return known


def _with_load_id(result: Ingested, load_id: int) -> Ingested:
    table = result.table
    index = table.schema.get_field_index("load_id")
    column = pa.array(np.full(table.num_rows, load_id, dtype=np.int64))
    result.table = table.set_column(index, "load_id", column)
    return result


def _finish(
    record: DataLoadRecord, result: Ingested, quality: QualitySummary, files: list[str]
) -> None:
    record.rows_read = result.rows_read
    record.rows_accepted = result.table.num_rows
    record.rows_quarantined = result.rows_quarantined
    record.quality_json = quality.to_column()
    record.files_json = json.dumps(files)
    record.finished_at = now_of(record)


def _load_by_sha(ws: Workspace, digest: str) -> DataLoadRecord | None:
    with ws.transaction() as session:
        return session.scalar(select(DataLoadRecord).where(DataLoadRecord.sha256 == digest))


def _record(session: Session, load_id: int) -> DataLoadRecord:
    record = session.get(DataLoadRecord, load_id)
    if record is None:
        raise LoadNotFound(f"No load {load_id}; `cxsteward data loads` lists them.")
    return record


def _out(record: DataLoadRecord, already_loaded: bool = False) -> LoadOut:
    return LoadOut(
        load_id=record.id,
        source=record.source,
        sha256=record.sha256,
        file_format=record.file_format,
        mapping=record.mapping_source,
        already_loaded=already_loaded,
        started_at=record.started_at,
        finished_at=record.finished_at,
        rows_read=record.rows_read,
        rows_accepted=record.rows_accepted,
        rows_quarantined=record.rows_quarantined,
        quality=json.loads(record.quality_json),
        files=json.loads(record.files_json),
    )
