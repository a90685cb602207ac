"""Records every change to an audited table in the hash-chained audit log, automatically.

Mapper events see each row the unit of work inserts, updates or deletes (cascades and
orphans included) while its attribute history is still there, and queue an entry on the
session. The queue is written just before the transaction commits, in the same
transaction, so a rolled-back change leaves no entry and a committed one always has one.
Writing late keeps the chain's lock short: on PostgreSQL a transaction-level advisory lock
serialises writers only for the moment of their commit, not for their whole unit of work.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, event, insert, select, text, update
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.base import instance_state

from cxsteward.registry.anonymity import (
    ANONYMOUS_TABLES,
    install_anonymity,
    is_anonymous_row,
    to_day,
)
from cxsteward.registry.tables import Base
from cxsteward.registry.tables_audit import AuditHeadRecord, AuditPendingRecord, AuditRecord

GENESIS = "0" * 64
# Tables whose changes are not recorded, and why. Everything else is audited, including
# tables added later: an exclusion list cannot forget a new table, an inclusion list can.
NOT_AUDITED: dict[str, str] = {
    "audit_log": "the audit log itself",
    "audit_head": "the audit log's head, checked by `audit verify`",
    "audit_pending": "anonymous changes waiting for their day to end; then they join the log",
    "baseline_values": "computed values of a baseline; the baseline row (audited) has their "
    "checksum",
    "findings": "computed output of a monitoring run; the run row (audited) has their count",
    "web_sessions": "sign-in sessions change at every request; users and tokens are audited",
    "rate_limits": "counters of the public forms' rate limit",
    "data_load_ids": "numbers taken by loads before they write; the load row (audited) is "
    "the record",
}
# Columns whose changes are not recorded, and why.
NOT_AUDITED_COLUMNS: dict[tuple[str, str], str] = {
    ("users", "last_login_at"): "a sign-in time in the log would sit next to anonymous "
    "activity; the column keeps only the day",
}
# The actor of every anonymous change: nobody.
ANONYMOUS_ACTOR = "anonymous"
# Columns whose values are personal or secret: the log keeps their sha256 only, which
# still proves whether a value changed without copying it into an append-only record.
REDACTED: frozenset[tuple[str, str]] = frozenset(
    {
        ("review_requests", "contact"),
        ("consent_choices", "customer_id"),
        ("users", "password_hash"),
    }
)
# A value longer than this is recorded as its sha256 and length: enough to prove what it
# was, without copying a whole question bank into the log at every change.
MAX_VALUE_CHARS = 2000
# Columns and their values as an entry's JSON ``changes`` holds them (a JSON boundary):
# a value each for an insert or a delete, an ``[old, new]`` pair each for an update.
Logged = dict[str, Any]
NOT_LOADED = "(not loaded)"
# "CXAU": distinct from the data store's lock key, so the two never wait on each other.
LOCK_KEY = 0x43584155

_AUDITED = "cxsteward.audit"
_PENDING = "cxsteward.audit.pending"
_COMMITTING = "cxsteward.audit.committing"
_ANONYMOUS = "cxsteward.audit.anonymous"


class UnauditedWrite(RuntimeError):
    """A bulk statement tried to change an audited table behind the audit log's back."""


@dataclass(frozen=True)
class _Pending:
    transaction: SessionTransaction | None  # None: an entry held over from an earlier day
    actor: str
    action: str
    table: str
    key: str
    changes: Logged
    anonymous: bool = False


def mark_anonymous(session: Session) -> None:
    """Record this session's changes as nobody's, with the day only, outside the chain's order.

    Only anonymous records (``registry/anonymity.py``) may change in such a session; a change
    to any other table fails, so nothing named can share the anonymous unit of work.
    """
    session.info[_ANONYMOUS] = True
    session.info["actor"] = ANONYMOUS_ACTOR


def is_audited(table: str) -> bool:
    """Whether changes to ``table`` are recorded."""
    return table not in NOT_AUDITED


def install_audit(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Make every session of ``factory`` record its changes; returns the factory."""
    if factory.kw.get("info", {}).get(_AUDITED):
        return factory
    factory.configure(info={**factory.kw.get("info", {}), _AUDITED: True})
    install_anonymity()
    session_events: tuple[tuple[str, Callable[..., None]], ...] = (
        ("before_commit", _before_commit),
        ("after_flush", _after_flush),
        ("after_soft_rollback", _after_soft_rollback),
        ("after_transaction_end", _after_transaction_end),
        ("do_orm_execute", _refuse_bulk_writes),
    )
    # Not guarded by event.contains: SQLAlchemy's registry is keyed by id(), and a new
    # factory's session class can reuse the id of a collected one, so contains() could say
    # yes for a factory that has no listeners (seen: 2 workspaces in 150 wrote no audit).
    for name, listener in session_events:
        event.listen(factory, name, listener)
    for name, listener in (
        ("after_insert", _on_insert),
        ("after_update", _on_update),
        ("after_delete", _on_delete),
    ):
        if not event.contains(Base, name, listener):
            event.listen(Base, name, listener, propagate=True)
    return factory


def render(value: Any) -> Any:
    """A JSON-safe rendering of a column value (dates, decimals, enums, non-finite floats)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return render(value.value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "bytes": len(value)}
    if isinstance(value, dict):
        return {str(k): render(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [render(v) for v in value]
    return str(value)


def canonical(value: Any) -> str:
    """The one JSON text of a value that the hash is computed over."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    table: str,
    key: str,
    changes: Any,
    prev_hash: str,
) -> str:
    """sha256 of an entry's fields and the previous entry's hash."""
    payload = [seq, at_text(at), actor, action, table, key, changes, prev_hash]
    return hashlib.sha256(canonical(payload).encode("utf-8")).hexdigest()


def at_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def shown_value(value: Any, table: str, column: str) -> Any:
    """A column value as the log records it: rendered, redacted or digested when long."""
    return _shown(value, table, column)


def _shown(value: Any, table: str = "", column: str = "") -> Any:
    if (table, column) in REDACTED and value is not None:
        digest = hashlib.sha256(str(value).encode("utf-8")).hexdigest()
        return {"redacted": True, "sha256": digest}
    rendered = render(value)
    as_text = rendered if isinstance(rendered, str) else canonical(rendered)
    if len(as_text) <= MAX_VALUE_CHARS:
        return rendered
    return {"sha256": hashlib.sha256(as_text.encode("utf-8")).hexdigest(), "chars": len(as_text)}


def _queue(mapper: Mapper[Any], target: Any, action: str, changes: Logged) -> None:
    session = instance_state(target).session
    if session is None or not session.info.get(_AUDITED):
        return
    table = mapper.local_table.name  # type: ignore[attr-defined]
    key_values = [render(v) for v in mapper.primary_key_from_instance(target)]
    key = str(key_values[0]) if len(key_values) == 1 else canonical(key_values)
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:  # a flush always runs inside a transaction
        raise RuntimeError("audit: change flushed outside a transaction")
    anonymous_session = bool(session.info.get(_ANONYMOUS))
    if anonymous_session and table not in ANONYMOUS_TABLES:
        raise RuntimeError(
            f"audit: an anonymous unit of work changed {table}; only anonymous records may "
            "change in it, so that nothing named is written beside them"
        )
    # An anonymous record inserted by a named session (an imported answers file) is still
    # nobody's: its entry waits for the day's batch like any other anonymous change.
    anonymous = anonymous_session or (action == "insert" and is_anonymous_row(target))
    actor = ANONYMOUS_ACTOR if anonymous else str(session.info.get("actor") or "unknown")
    session.info.setdefault(_PENDING, []).append(
        _Pending(transaction, actor, action, table, key, changes, anonymous)
    )


def _values(mapper: Mapper[Any], target: Any, inserted: bool) -> Logged:
    loaded = instance_state(target).dict
    table = mapper.local_table.name  # type: ignore[attr-defined]
    values: Logged = {}
    for prop in mapper.column_attrs:
        if (table, prop.key) in NOT_AUDITED_COLUMNS:
            continue
        if prop.key in loaded:
            values[prop.key] = _shown(loaded[prop.key], table, prop.key)
        elif inserted and prop.columns[0].server_default is None:
            values[prop.key] = None  # never set, no database default: the row holds NULL
        else:
            # Not read from the database, and loading it in the middle of a flush is unsafe.
            values[prop.key] = NOT_LOADED
    return values


def _on_insert(mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    if is_audited(mapper.local_table.name):  # type: ignore[attr-defined]
        _queue(mapper, target, "insert", _values(mapper, target, inserted=True))


def _on_delete(mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    if is_audited(mapper.local_table.name):  # type: ignore[attr-defined]
        _queue(mapper, target, "delete", _values(mapper, target, inserted=False))


def _on_update(mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    if not is_audited(mapper.local_table.name):  # type: ignore[attr-defined]
        return
    state = instance_state(target)
    changes: Logged = {}
    table = mapper.local_table.name  # type: ignore[attr-defined]
    for prop in mapper.column_attrs:
        if (table, prop.key) in NOT_AUDITED_COLUMNS:
            continue
        history = state.attrs[prop.key].history
        if not history.added and not history.deleted:
            continue
        shown_new = _shown(history.added[0], table, prop.key) if history.added else None
        # Nothing deleted while something was added: the old value was never loaded.
        old = history.deleted[0] if history.deleted else None
        shown_old = _shown(old, table, prop.key) if history.deleted else NOT_LOADED
        if shown_old != shown_new:
            changes[prop.key] = [shown_old, shown_new]
    # The unit of work calls this for every dirty object, also those with no net change.
    if changes:
        _queue(mapper, target, "update", changes)


def _before_commit(session: Session) -> None:
    session.info[_COMMITTING] = True
    # Flush here, not in commit's own flush after this hook, so every change is queued
    # before the queue is written.
    session.flush()
    _write(session)


def _after_flush(session: Session, _context: object) -> None:
    # A flush after this commit's queue was written (another hook dirtied the session)
    # must not leave its changes unrecorded.
    if session.info.get(_COMMITTING):
        _write(session)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    pending: list[_Pending] = session.info.get(_PENDING, [])
    pending[:] = [p for p in pending if not _within(p.transaction, previous)]


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A flush runs in a subtransaction of its own; only a real (root or savepoint) end counts.
    if transaction.parent is not None and not transaction.nested:
        return
    session.info.pop(_COMMITTING, None)
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _write(session: Session) -> None:
    pending: list[_Pending] = session.info.get(_PENDING, [])
    if not pending:
        return
    connection = session.connection()
    # The workspace's clock when the session carries one (services.clock), so an entry's time
    # is the time every record of the same change reads; the machine's time otherwise.
    clock = session.info.get("clock")
    now = clock.now() if clock is not None else datetime.now(UTC)
    anonymous = [p for p in pending if p.anonymous]
    named = [p for p in pending if not p.anonymous]
    pending.clear()
    if anonymous:
        _hold(connection, anonymous, now)
    if not named:
        return
    if connection.dialect.name == "postgresql":
        # Two writers must not both extend the same tail; this lock ends with the transaction.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    seq, prev, has_head = _tail(connection)
    entries = [*_ended_days(connection, now), *((now, p) for p in named)]
    rows = []
    for at, item in entries:
        seq += 1
        digest = entry_hash(
            seq, at, item.actor, item.action, item.table, item.key, item.changes, prev
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": item.actor[:200],
                "action": item.action,
                "table_name": item.table,
                "object_key": item.key[:200],
                "changes": canonical(item.changes),
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    connection.execute(insert(AuditRecord), rows)
    head = {"seq": seq, "hash": prev, "updated_at": now}
    if has_head:
        connection.execute(update(AuditHeadRecord).where(AuditHeadRecord.id == 1).values(head))
    else:
        connection.execute(insert(AuditHeadRecord).values(id=1, **head))


def _hold(connection: Connection, items: list[_Pending], now: datetime) -> None:
    """Keep anonymous entries aside, with a random id and the day, until the day is over."""
    day = now.date()
    connection.execute(
        insert(AuditPendingRecord),
        [
            {
                "id": secrets.token_hex(16),
                "day": day,
                "action": item.action,
                "table_name": item.table,
                "object_key": item.key[:200],
                "changes": canonical(item.changes),
            }
            for item in items
        ],
    )


def _ended_days(connection: Connection, now: datetime) -> list[tuple[datetime, _Pending]]:
    """Anonymous entries of days before today, to be chained now: by day, then random id."""
    held = connection.execute(
        select(AuditPendingRecord)
        .where(AuditPendingRecord.day < now.date())
        .order_by(AuditPendingRecord.day, AuditPendingRecord.id)
    ).all()
    if not held:
        return []
    connection.execute(delete(AuditPendingRecord).where(AuditPendingRecord.day < now.date()))
    return [
        (
            to_day(datetime.combine(row.day, time(), tzinfo=UTC)),
            _Pending(
                None,
                ANONYMOUS_ACTOR,
                row.action,
                row.table_name,
                row.object_key,
                json.loads(row.changes),
                True,
            ),
        )
        for row in held
    ]


def _tail(connection: Connection) -> tuple[int, str, bool]:
    """The seq and hash to chain from: the head's, which a deleted tail cannot change."""
    head = connection.execute(select(AuditHeadRecord.seq, AuditHeadRecord.hash)).first()
    if head is not None:
        return head.seq, head.hash, True
    last = connection.execute(
        select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.hash, False) if last is not None else (0, GENESIS, False)


def _refuse_bulk_writes(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table is not None and is_audited(table) and table in Base.metadata.tables:
        raise UnauditedWrite(
            f"A bulk INSERT/UPDATE/DELETE on {table} would bypass the audit log. Change "
            "the rows as objects through the session (session.add, attribute changes, "
            "session.delete) so that each change is recorded."
        )
