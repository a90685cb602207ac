"""The one way in to the contacts: the workspace's store, or the source attached in its place.

A workspace reads one source at a time. While a source is attached (``data attach``) every
reader of contacts (metrics, monitoring, behind, trends, rows, adoption, consent, freshness,
the gate) reads it, in place, through its mapping; the store stays as it is and is read
again once the source is detached. Each reader opens the source with :func:`open_contacts`
and names it from :class:`SourceOut`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
from sqlalchemy import select

from cxsteward.domain.interactions import DAY, DEFAULT_SLICED_FIELDS
from cxsteward.domain.mapping import Mapping, MappingInvalid
from cxsteward.engine.backend import (
    SPARK_SCHEME,
    cached,
    connect,
    fetch_arrow,
    interactions_source,
    quiet_backend,
    read_parquet_files,
    with_canonical_columns,
)
from cxsteward.engine.cell_table import ID_KEY, STORE_KEY, has_keys
from cxsteward.engine.in_place import map_in_place, rejected_summary
from cxsteward.engine.table_source import masked_reason, masked_url
from cxsteward.errors import CxStewardError, NotFound
from cxsteward.registry.tables_data import DataSourceRecord
from cxsteward.services.clock import now
from cxsteward.services.contract import Result
from cxsteward.services.data.credentials import read_secret
from cxsteward.services.data.store import published_files, store_path, unrecorded_loads
from cxsteward.services.workspace import Workspace

STORE_NAME = "store"
Kind = Literal["store", "warehouse", "parquet", "backend"]
# Rejected rows shown per group (field, reason) in a run record and by `data attach`.
SAMPLE_ROWS = 5


class NoContacts(NotFound):
    """Nothing loaded and nothing attached."""


class SourceUnreachable(CxStewardError):
    """The attached source cannot be read now (server down, file gone, table dropped)."""


class SourceOut(Result):
    """Which contacts a command read: the store, a warehouse's table, or an attached source."""

    name: str
    kind: Kind
    location: str
    table: str | None = None


class Snapshot(Result):
    """The contacts as a command saw them: how many, the newest, and what was rejected."""

    source: SourceOut
    rows: int
    newest: datetime | None
    # In place: the source's rows as written, and those its mapping rejected or excluded
    # (rows_read = rows + rejected); the store counts its quarantine per load instead.
    rows_read: int
    rejected: int = 0
    # Groups of rejected rows (field, column, reason) with their count and a few rows; the
    # in-place counterpart of a load's quarantine (a JSON boundary: the run record keeps it).
    rejected_groups: list[dict[str, Any]] = []

    def sentence(self) -> str:
        """One line naming the source and what it held, for a terminal or a page."""
        where = self.source.location + (f" table {self.source.table}" if self.source.table else "")
        kind = "the store" if self.source.kind == "store" else f"{self.source.name} ({where})"
        if self.source.kind == "warehouse":
            kind = f"the warehouse table ({where})"
        newest = f"{self.newest:%Y-%m-%d %H:%M} UTC" if self.newest else "none"
        text = f"Contacts from {kind}: {self.rows:,} rows, newest {newest}"
        if self.source.kind in ("parquet", "backend"):
            text += f"; read in place, {self.rows_read:,} read, {self.rejected:,} rejected"
        return text + "."

    def rejected_lines(self) -> list[str]:
        """Each group of rejected rows as one line: count, field, column, reason, examples."""
        lines = []
        for group in self.rejected_groups:
            column = f" (column {group['column']})" if group.get("column") else ""
            examples = ", ".join(
                f"{e.get('interaction_id') or 'row ' + str(e.get('row'))} {e.get('value')!r}"
                for e in group.get("examples", [])
            )
            lines.append(
                f"{int(group.get('count', 0)):,} rejected: {group.get('field')}{column}: "
                f"{group.get('reason')}" + (f"; e.g. {examples}" if examples else "")
            )
        return lines


@dataclass(frozen=True)
class Contacts:
    """The contacts on an engine, with what readers need to name and key their rows."""

    table: ir.Table
    source: SourceOut
    row_key: tuple[str, ...]
    # Per segment column, the store's loads that never recorded it (empty in place).
    unrecorded: dict[str, tuple[int, ...]]
    rejected: ir.Table | None = None
    # The attached source's rows as written, before its mapping (None for the store).
    raw: ir.Table | None = None

    @property
    def from_store(self) -> bool:
        return self.source.kind == "store"


@dataclass(frozen=True)
class Attached:
    """An attached source as the registry has it, with the full location to read from."""

    name: str
    kind: Literal["parquet", "backend"]
    location: str  # masked: what every message and record shows
    table: str | None
    mapping: Mapping

    def out(self) -> SourceOut:
        return SourceOut(name=self.name, kind=self.kind, location=self.location, table=self.table)

    @property
    def label(self) -> str:
        where = f"{self.location} table {self.table}" if self.table else self.location
        return f"attached source {self.name!r} ({where})"


@dataclass
class _Reading:
    """The contacts shared by every reader inside one :func:`reading` block."""

    ws: Workspace
    contacts: Contacts
    snapshot: list[Snapshot] = field(default_factory=list)  # taken once, when first asked


_READING: ContextVar[_Reading | None] = ContextVar("cxsteward_reading", default=None)


@contextmanager
def reading(ws: Workspace) -> Iterator[Contacts]:
    """One reading of the contacts for a command that asks many questions (a monitor run).

    Inside the block, :func:`open_contacts` hands every reader the same contacts. An
    attached source is mapped once and held by its engine (a temporary table on DuckDB or
    a warehouse, a persisted DataFrame on Spark; nothing comes to the store), instead of
    each query planning and computing the mapping again; it is released at the end.

    Raises:
        As :func:`open_contacts`.
    """
    current = _READING.get()
    if current is not None and current.ws is ws:
        yield current.contacts
        return
    with ExitStack() as stack:
        contacts = stack.enter_context(open_contacts(ws))
        if not contacts.from_store and contacts.rejected is not None:
            contacts = replace(
                contacts,
                table=stack.enter_context(cached(contacts.table)),
                rejected=stack.enter_context(cached(contacts.rejected)),
            )
        token = _READING.set(_Reading(ws, contacts))
        try:
            yield contacts
        finally:
            _READING.reset(token)


@contextmanager
def reading_if_any(ws: Workspace) -> Iterator[None]:
    """:func:`reading` for a build with many readers (the gate, the evidence, a page's
    headline), which carry on without one when there are no contacts to share.

    When nothing is loaded or attached, or the attached source cannot be read, the block
    runs without a shared reading, and each reader meets that the way it always has (an
    empty figure, or the message that says what to do).
    """
    stack = ExitStack()
    try:
        stack.enter_context(reading(ws))
    except (NoContacts, SourceUnreachable, MappingInvalid):
        stack.close()
    with stack:
        yield


def attached_source(ws: Workspace) -> Attached | None:
    """The source attached in place of the store, if any."""
    with ws.transaction() as session:
        record = session.scalars(
            select(DataSourceRecord).where(DataSourceRecord.detached_at.is_(None))
        ).first()
        if record is None:
            return None
        mapping = Mapping.model_validate(json.loads(record.mapping_json))
        mapping._origin = record.mapping_source
        kind: Literal["parquet", "backend"] = "parquet" if record.kind == "parquet" else "backend"
        return Attached(record.name, kind, record.location, record.table_name, mapping)


def store_source(ws: Workspace) -> SourceOut:
    """How the workspace's own store (or the warehouse table of its data URL) is named."""
    url = ws.settings.data_url
    if url and not url.startswith(SPARK_SCHEME) and not published_files(ws):
        return SourceOut(
            name=STORE_NAME, kind="warehouse", location=masked_url(url), table="interactions"
        )
    return SourceOut(name=STORE_NAME, kind="store", location=str(store_path(ws)))


@contextmanager
def open_contacts(ws: Workspace) -> Iterator[Contacts]:
    """The contacts every reader reads: the attached source's, mapped in place, or the store's.

    Raises:
        NoContacts: nothing is attached and nothing has been loaded.
        SourceUnreachable: the attached source cannot be read (the message says why and
            how to go back to the store).
        MappingInvalid: the attached source no longer has a column its mapping reads.
    """
    current = _READING.get()
    if current is not None and current.ws is ws:
        yield current.contacts
        return
    attached = attached_source(ws)
    if attached is None:
        with _store_contacts(ws) as contacts:
            yield contacts
        return
    full = read_secret(ws, attached.name) if attached.kind == "backend" else None
    with open_raw(ws, attached, full or attached.location) as (raw, label):
        yield in_place(raw, attached, label, now(ws))


def in_place(raw: ir.Table, source: Attached, label: str, moment: datetime) -> Contacts:
    """The source's rows mapped in place: canonical rows that pass every check, and the
    rejected ones with their reasons (both still expressions on the source's engine).

    ``moment`` is the instant after which a contact's time is in the future (as at load).

    Raises:
        MappingInvalid: a column the mapping reads is missing, or a rule cannot run in place.
    """
    mapped = map_in_place(raw, source.mapping, source=label, now=moment)
    return Contacts(
        table=with_day(with_canonical_columns(mapped.table)),
        source=source.out(),
        row_key=ID_KEY,
        unrecorded={},
        rejected=mapped.rejected,
        raw=raw,
    )


@contextmanager
def contacts_if_any(ws: Workspace) -> Iterator[Contacts | None]:
    """:func:`open_contacts`, or None while nothing is loaded or attached."""
    stack = ExitStack()
    try:
        contacts = stack.enter_context(open_contacts(ws))
    except NoContacts:
        yield None
        return
    with stack:
        yield contacts


@contextmanager
def open_raw(ws: Workspace, source: Attached, location: str) -> Iterator[tuple[ir.Table, str]]:
    """The source's table as written (before its mapping), and its label for messages.

    ``location`` is the full one (a URL with its password), used only to connect.

    Raises:
        SourceUnreachable: no such file or folder, no Parquet in it, no connection, no table.
    """
    label = source.label
    back = f"; nothing was recorded. Detach it with `cxsteward data detach {source.name}`."
    if source.kind == "parquet":
        files = parquet_files(Path(location))
        if not files:
            raise SourceUnreachable(f"{label}: no Parquet file there{back}")
        con = connect(ws.settings)
        try:
            try:
                raw = read_parquet_files(con, files)
            except Exception as exc:  # noqa: BLE001 - each engine raises its own
                reason = _first_line(exc)
                raise SourceUnreachable(f"{label}: cannot be read ({reason}){back}") from None
            yield raw, label
        finally:
            _release(con)
        return
    try:
        with quiet_backend():
            con = ibis.connect(location)
    except Exception as exc:  # noqa: BLE001 - each driver raises its own
        reason = _first_line(exc, location)
        raise SourceUnreachable(f"{label}: cannot connect ({reason}){back}") from None
    try:
        try:
            with quiet_backend():
                raw = con.table(source.table or "")
        except Exception as exc:  # noqa: BLE001 - TableNotFound or the driver's own error
            reason = _first_line(exc, location)
            missing = f"{label}: no table {source.table!r} ({reason}){back}"
            raise SourceUnreachable(missing) from None
        yield raw, label
    finally:
        con.disconnect()


def parquet_files(path: Path) -> list[Path]:
    """The Parquet files of a path: the file itself, or every ``*.parquet`` under a folder."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*.parquet") if p.is_file())
    return []


def take_snapshot(contacts: Contacts, sample: int = SAMPLE_ROWS) -> Snapshot:
    """Row count and newest contact now, and (in place) the rejected rows by reason."""
    table = contacts.table
    counted = fetch_arrow(table.aggregate(rows=table.count(), newest=table.started_at.max()))
    newest = counted.column("newest")[0].as_py()
    if newest is not None and newest.tzinfo is None:
        newest = newest.replace(tzinfo=UTC)
    rows = int(counted.column("rows")[0].as_py() or 0)
    rows_read, groups = rows, []
    if contacts.raw is not None and contacts.rejected is not None:
        raw = contacts.raw
        rows_read = int(fetch_arrow(raw.aggregate(n=raw.count())).column("n")[0].as_py() or 0)
        groups = [_plain(group) for group in rejected_summary(contacts.rejected, sample=sample)]
    return Snapshot(
        source=contacts.source,
        rows=rows,
        newest=newest,
        rows_read=rows_read,
        rejected=rows_read - rows,
        rejected_groups=groups,
    )


def contacts_snapshot(ws: Workspace) -> Snapshot:
    """The snapshot of the contacts every reader sees now (see :func:`take_snapshot`);
    inside :func:`reading`, taken once."""
    current = _READING.get()
    if current is not None and current.ws is ws:
        if not current.snapshot:
            current.snapshot.append(take_snapshot(current.contacts))
        return current.snapshot[0]
    with open_contacts(ws) as contacts:
        return take_snapshot(contacts)


def segment_names(mapping: Mapping) -> list[str]:
    """The segment columns of an attached source: its mapping's segments, and the canonical
    fields sliced by default (mapped or not, as in the store, which holds every field)."""
    return sorted({*mapping.segments, *DEFAULT_SLICED_FIELDS})


def with_day(table: ir.Table) -> ir.Table:
    """``table`` with the store's integer ``day`` (days since 1970-01-01, UTC) if it lacks it."""
    if DAY in table.columns:
        return table
    seconds = table.started_at.epoch_seconds()
    return table.mutate(**{DAY: (seconds // 86_400).cast("int32")})


@contextmanager
def _store_contacts(ws: Workspace) -> Iterator[Contacts]:
    url = ws.settings.data_url
    files = published_files(ws)
    if (not url or url.startswith(SPARK_SCHEME)) and not files:
        raise NoContacts(
            f"No interaction data in {ws.settings.workspace} yet; run `cxsteward data load` "
            "or `cxsteward data attach`."
        )
    con = connect(ws.settings)
    try:
        try:
            table, from_store = interactions_source(con, files)
        except NotFound as exc:
            raise NoContacts(str(exc)) from None
        if from_store:
            source = SourceOut(name=STORE_NAME, kind="store", location=str(store_path(ws)))
        else:
            source = SourceOut(
                name=STORE_NAME,
                kind="warehouse",
                location=masked_url(url or ""),
                table="interactions",
            )
        yield Contacts(
            table=table,
            source=source,
            # The store names each row by (load, source row); a warehouse by its id only.
            row_key=STORE_KEY if from_store and has_keys(table, STORE_KEY) else ID_KEY,
            unrecorded=unrecorded_loads(files) if from_store else {},
        )
    finally:
        _release(con)


def _release(con: ibis.BaseBackend) -> None:
    # A Spark session outlives the call (it takes seconds to start); DuckDB does not.
    if con.name != "pyspark":
        con.disconnect()


def _first_line(exc: Exception, url: str = "") -> str:
    """A driver's first line, with the URL's secrets masked."""
    return masked_reason(exc, url)


def _plain(group: Any) -> dict[str, Any]:
    """A rejected group as plain JSON (whatever the engine's record type)."""
    if isinstance(group, dict):
        data = dict(group)
    elif hasattr(group, "model_dump"):
        data = group.model_dump(mode="json")
    else:
        data = asdict(group)
    plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return plain
