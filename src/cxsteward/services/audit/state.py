"""The registry as the audit log says it should be, and every row that differs from it (C7).

Replaying the log gives, for each audited row, the values its last recorded change left.
A row whose stored values differ, a row the log never saw inserted, and a row the log says
exists but is gone were all changed outside cxsteward (plain SQL on the database).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Mapper, Session

from cxsteward.registry.anonymity import ANONYMOUS_TABLES, NAMED_LIMIT
from cxsteward.registry.audit import (
    NOT_AUDITED,
    NOT_AUDITED_COLUMNS,
    NOT_LOADED,
    Logged,
    canonical,
    render,
    shown_value,
)
from cxsteward.registry.tables import Base
from cxsteward.registry.tables_audit import AuditPendingRecord, AuditRecord
from cxsteward.services.contract import Result

# Entries read per round trip, so a long log never sits in memory at once.
BATCH = 1000
# Longest value shown in a message; the JSON result keeps the value in full.
SHOWN_CHARS = 80


DriftKind = Literal["changed", "inserted", "deleted"]


class AuditDrift(Result):
    """One row (or one column of it) that differs from what the audit log recorded."""

    table: str
    key: str
    column: str | None  # None: the whole row (inserted or deleted outside cxsteward)
    kind: DriftKind
    # Values as the audit log's JSON holds them: a column's value, or a whole row's.
    stored: Any
    audited: Any
    message: str


@dataclass
class _Row:
    """A row as the log leaves it; ``moves`` holds the changes of an anonymous row."""

    values: Logged = field(default_factory=dict)
    inserted: bool = False
    deleted: bool = False
    inserted_at: datetime | None = None
    moves: dict[str, list[tuple[Any, Any]]] = field(default_factory=dict)


def audited_tables() -> list[str]:
    """Every table whose changes the log records, in dependency order."""
    return [t.name for t in Base.metadata.sorted_tables if t.name not in NOT_AUDITED]


@dataclass(frozen=True)
class AuditedRow:
    """A live row as the audit log recorded it: its values and when its insert was chained."""

    values: Logged
    inserted_at: datetime | None  # None while its anonymous insert waits for the day's end

    def time(self, column: str) -> datetime | None:
        """A time column's audited value."""
        value = self.values.get(column)
        return datetime.fromisoformat(value) if isinstance(value, str) else None


def audited_rows(session: Session, table: str) -> dict[str, AuditedRow]:
    """Every live row of ``table`` as the audit log says it is, by row key."""
    return {
        key: AuditedRow(_final(row), row.inserted_at)
        for (_, key), row in _replay(session, [table]).items()
        if row.inserted and not row.deleted
    }


def reconcile(session: Session, tables: Collection[str] | None = None) -> list[AuditDrift]:
    """Every difference between the stored rows and the state the audit log replays to."""
    names = list(tables) if tables is not None else audited_tables()
    expected = _replay(session, names)
    mappers = _mappers()
    drifts: list[AuditDrift] = []
    for table in names:
        mapper = mappers.get(table)
        if mapper is None:
            continue
        seen: set[str] = set()
        for key, values in _stored(session, mapper):
            seen.add(key)
            row = expected.get((table, key))
            if row is None or row.deleted or not row.inserted:
                drifts.append(_whole(table, key, "inserted", values, None))
                continue
            drifts.extend(_columns(table, key, values, _final(row)))
        for (name, key), row in expected.items():
            if name == table and row.inserted and not row.deleted and key not in seen:
                drifts.append(_whole(table, key, "deleted", None, _final(row)))
    return drifts


def _replay(session: Session, tables: list[str]) -> dict[tuple[str, str], _Row]:
    rows: dict[tuple[str, str], _Row] = {}
    for table, key, action, changes, at in _entries(session, tables):
        row = rows.setdefault((table, key), _Row())
        if _anonymous_key(table, key):
            # Anonymous entries carry no order within their day; their changes are resolved
            # by following each column from value to value instead (see _final).
            if action == "insert":
                row.values, row.inserted, row.inserted_at = dict(changes), True, at
            elif action == "update":
                for column, (old, new) in changes.items():
                    row.moves.setdefault(column, []).append((old, new))
            else:
                row.deleted = True
            continue
        if action == "insert":
            rows[(table, key)] = _Row(dict(changes), inserted=True, inserted_at=at)
        elif action == "update":
            for column, (_old, new) in changes.items():
                row.values[column] = new
        else:
            row.deleted = True
    return rows


def _entries(
    session: Session, tables: list[str]
) -> Iterator[tuple[str, str, str, Logged, datetime | None]]:
    chain = (
        select(
            AuditRecord.table_name,
            AuditRecord.object_key,
            AuditRecord.action,
            AuditRecord.changes,
            AuditRecord.at,
        )
        .where(AuditRecord.table_name.in_(tables))
        .order_by(AuditRecord.seq)
    )
    for table, key, action, changes, at in session.execute(
        chain.execution_options(yield_per=BATCH)
    ):
        yield table, key, action, _json(changes), at
    held = select(
        AuditPendingRecord.table_name,
        AuditPendingRecord.object_key,
        AuditPendingRecord.action,
        AuditPendingRecord.changes,
    ).where(AuditPendingRecord.table_name.in_(tables))
    for table, key, action, changes in session.execute(held):
        yield table, key, action, _json(changes), None


def _json(text: str) -> Logged:
    try:
        value = json.loads(text)
    except ValueError:
        return {}  # an edited entry: `audit verify` reports it on the chain
    return value if isinstance(value, dict) else {}


def _anonymous_key(table: str, key: str) -> bool:
    return table in ANONYMOUS_TABLES and key.isdigit() and int(key) >= NAMED_LIMIT


def _final(row: _Row) -> Logged:
    """The values after every change; for an anonymous row, each column's last value.

    The changes of one column form a path old -> new -> newer: its end is the value with one
    more arrival than departure (or the start, when the path comes back to it).
    """
    values = dict(row.values)
    for column, moves in row.moves.items():
        balance: Counter[str] = Counter()
        by_text: dict[str, object] = {}
        for old, new in moves:
            balance[canonical(new)] += 1
            balance[canonical(old)] -= 1
            by_text[canonical(new)] = new
        ends = [text for text, n in balance.items() if n > 0]
        if ends:
            values[column] = by_text[ends[0]]
    return values


def _mappers() -> dict[str, Mapper[Any]]:
    return {m.local_table.name: m for m in Base.registry.mappers}  # type: ignore[attr-defined]


def _stored(session: Session, mapper: Mapper[Any]) -> Iterator[tuple[str, Logged]]:
    table = mapper.local_table
    name = table.name  # type: ignore[attr-defined]
    props = [
        (prop.key, prop.columns[0])
        for prop in mapper.column_attrs
        if (name, prop.key) not in NOT_AUDITED_COLUMNS
    ]
    query = select(*(column for _, column in props)).order_by(*mapper.primary_key)
    for row in session.execute(query.execution_options(yield_per=BATCH)).mappings():
        by_column = {prop_key: row[column] for prop_key, column in props}
        key_values = [render(row[column]) for column in mapper.primary_key]
        key = str(key_values[0]) if len(key_values) == 1 else canonical(key_values)
        yield key, {k: shown_value(v, name, k) for k, v in by_column.items()}


def _columns(table: str, key: str, stored: Logged, audited: Logged) -> list[AuditDrift]:
    drifts = []
    for column, value in stored.items():
        if column not in audited or audited[column] == NOT_LOADED:
            continue  # the log never saw this value, so it can neither confirm nor deny it
        if canonical(value) != canonical(audited[column]):
            drifts.append(
                AuditDrift(
                    table=table,
                    key=key,
                    column=column,
                    kind="changed",
                    stored=value,
                    audited=audited[column],
                    message=f"{table} row {key}, column {column}: stored {_short(value)}, "
                    f"audited {_short(audited[column])}",
                )
            )
    return drifts


def _whole(
    table: str,
    key: str,
    kind: DriftKind,
    stored: Logged | None,
    audited: Logged | None,
) -> AuditDrift:
    message = (
        f"{table} row {key}: in the registry, but no audit entry records its insert"
        if kind == "inserted"
        else f"{table} row {key}: the audit log says it exists, but it is gone from the registry"
    )
    return AuditDrift(
        table=table,
        key=key,
        column=None,
        kind=kind,
        stored=stored,
        audited=audited,
        message=message,
    )


def _short(value: Any) -> str:
    text = canonical(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."
