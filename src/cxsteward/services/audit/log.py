"""The audit log (C7): read its entries, verify that none was edited, inserted or deleted, and
that the registry's rows are the ones the log recorded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select

from cxsteward.errors import Invalid
from cxsteward.registry.audit import GENESIS, NOT_AUDITED, entry_hash
from cxsteward.registry.tables import Base
from cxsteward.registry.tables_audit import AuditHeadRecord, AuditPendingRecord, AuditRecord
from cxsteward.services.audit.state import AuditDrift, reconcile
from cxsteward.services.contract import Result
from cxsteward.services.workspace import Workspace

# Entries read per round trip while verifying, so a long log never sits in memory at once.
BATCH = 1000


class AuditEntryOut(Result):
    """One entry of the log, as ``audit log --json`` prints it."""

    seq: int
    at: datetime
    actor: str
    action: str
    table: str
    key: str
    changes: Any  # the entry's JSON changes column as stored: any JSON value
    prev_hash: str
    hash: str


class AuditProblem(Result):
    """The first broken link: which entry, what kind of tampering it points to, and why."""

    seq: int
    kind: Literal["edited", "inserted", "deleted", "head"]
    message: str


class AuditVerification(Result):
    """The chain's first broken link (if any), and every row that differs from the log."""

    intact: bool
    entries: int
    checked: int
    head_seq: int | None
    head_hash: str | None
    problem: AuditProblem | None
    # Rows changed, inserted or deleted outside cxsteward: stored against audited values.
    drift: list[AuditDrift]
    # Anonymous entries waiting for their day to end before they join the chain.
    held: int


def list_audit(ws: Workspace, table: str | None = None, limit: int = 50) -> list[AuditEntryOut]:
    """The newest ``limit`` entries, oldest first, optionally of one table only."""
    if limit < 1:
        raise Invalid(f"--limit {limit}: give a number of entries of 1 or more.")
    if table is not None:
        _check_table(table)
    with ws.transaction() as session:
        query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
        if table is not None:
            query = query.where(AuditRecord.table_name == table)
        records = list(session.scalars(query))
    return [_entry(r) for r in reversed(records)]


def verify_audit(ws: Workspace) -> AuditVerification:
    """Walk the chain to the head (stopping at the first broken link), then reconcile every
    audited table with the state the log replays to."""
    # The head and the count ride along in the same statement as the entries, so all three
    # come from one snapshot even while other processes append.
    head_seq = select(AuditHeadRecord.seq).where(AuditHeadRecord.id == 1).scalar_subquery()
    head_hash = select(AuditHeadRecord.hash).where(AuditHeadRecord.id == 1).scalar_subquery()
    total = select(func.count()).select_from(AuditRecord).scalar_subquery()
    expected, prev, checked = 1, GENESIS, 0
    problem: AuditProblem | None = None
    with ws.transaction() as session:
        query = select(AuditRecord, head_seq, head_hash, total).order_by(AuditRecord.seq)
        rows = session.execute(query.execution_options(yield_per=BATCH))
        tail: tuple[int | None, str | None, int] | None = None
        for record, seq, digest, count in rows:
            tail = (seq, digest, count)
            problem = _check(record, expected, prev)
            if problem is not None:
                break
            checked += 1
            expected, prev = record.seq + 1, record.hash
        rows.close()
        if tail is None:
            seq, digest, count = session.execute(select(head_seq, head_hash, total)).one()
            tail = (seq, digest, count)
        drift = reconcile(session)
        held = session.scalar(select(func.count()).select_from(AuditPendingRecord)) or 0
    head = _Head(tail[0], tail[1]) if tail[0] is not None and tail[1] is not None else None
    if problem is None:
        problem = _check_head(head, expected - 1, prev)
    return AuditVerification(
        intact=problem is None and not drift,
        entries=tail[2],
        checked=checked,
        head_seq=head.seq if head else None,
        head_hash=head.hash if head else None,
        problem=problem,
        drift=drift,
        held=held,
    )


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str


def _check(record: AuditRecord, expected: int, prev: str) -> AuditProblem | None:
    if record.seq < expected:  # only a seq below 1 can sort before the expected one
        return _problem(
            record.seq, "inserted", f"entry {record.seq} has a seq below 1: it was inserted."
        )
    if record.seq != expected:
        missing = (
            f"entry {expected} is missing"
            if record.seq == expected + 1
            else f"entries {expected} to {record.seq - 1} are missing"
        )
        where = "starts at" if expected == 1 else f"jumps from {expected - 1} to"
        return _problem(expected, "deleted", f"{missing}: the log {where} {record.seq}.")
    try:
        changes = json.loads(record.changes)
    except ValueError:
        return _problem(
            record.seq,
            "edited",
            f"entry {record.seq}'s changes are no longer valid JSON: they were edited.",
        )
    actual = entry_hash(
        record.seq,
        record.at,
        record.actor,
        record.action,
        record.table_name,
        record.object_key,
        changes,
        record.prev_hash,
    )
    if actual != record.hash:
        return _problem(
            record.seq,
            "edited",
            f"entry {record.seq} ({record.action} on {record.table_name} {record.object_key}) "
            "does not match its hash: its content was changed after it was written.",
        )
    if record.prev_hash != prev:
        before = "the start of the chain" if expected == 1 else f"entry {expected - 1}'s hash"
        return _problem(
            record.seq,
            "inserted",
            f"entry {record.seq} does not link to {before}: it was inserted, or the entry "
            "before it was changed and re-hashed.",
        )
    return None


def _check_head(head: _Head | None, last_seq: int, last_hash: str) -> AuditProblem | None:
    if head is None:
        if last_seq == 0:
            return None
        return _problem(
            last_seq, "head", "the head record is missing: it was deleted outside cxsteward."
        )
    if head.seq > last_seq:
        first = last_seq + 1
        which = f"entry {first} is" if head.seq == first else f"entries {first} to {head.seq} are"
        return _problem(
            first, "deleted", f"{which} missing from the end: the head records {head.seq}."
        )
    if head.seq < last_seq:
        return _problem(
            head.seq + 1,
            "inserted",
            f"entries after {head.seq} were appended outside cxsteward: the head records "
            f"{head.seq} but the log ends at {last_seq}.",
        )
    if head.hash != last_hash:
        return _problem(
            last_seq,
            "edited",
            f"entry {last_seq}'s hash differs from the one the head recorded: the last entry "
            "was replaced.",
        )
    return None


def _check_table(table: str) -> None:
    if table in NOT_AUDITED:
        raise Invalid(f"--table {table}: not audited ({NOT_AUDITED[table]}).")
    if table not in Base.metadata.tables:
        audited = sorted(t for t in Base.metadata.tables if t not in NOT_AUDITED)
        raise Invalid(f"--table {table}: no such table. Audited tables: {', '.join(audited)}.")


def _entry(record: AuditRecord) -> AuditEntryOut:
    try:
        changes: Any = json.loads(record.changes)
    except ValueError:
        changes = record.changes  # shown as stored; `audit verify` reports it
    return AuditEntryOut(
        seq=record.seq,
        at=record.at,
        actor=record.actor,
        action=record.action,
        table=record.table_name,
        key=record.object_key,
        changes=changes,
        prev_hash=record.prev_hash,
        hash=record.hash,
    )


def _problem(
    seq: int, kind: Literal["edited", "inserted", "deleted", "head"], message: str
) -> AuditProblem:
    return AuditProblem(seq=seq, kind=kind, message=message)
