"""Anonymous records carry nothing that places them in time or in order.

An anonymous respondent, their answers and an anonymous frontline flag get a random id from
an upper range and times cut to the day (midnight UTC). Named rows of the same tables get
sequential ids from a lower range, computed over that range only: letting SQLite pick
``max(id) + 1`` would hand a named row the id just after an anonymous one, and so tell that
the anonymous row came immediately before it (PostgreSQL's sequences do not have that
flaw). The audit side (no actor, day-granular time, batched per day) is in
``registry/audit.py``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.base import instance_state

from cxsteward.registry.tables import AnswerRecord, RespondentRecord
from cxsteward.registry.tables_trust import FeedbackRecord

# Ids below NAMED_LIMIT are sequential (named rows); from it up to ID_MAX they are random
# (anonymous rows). Both fit a 32-bit INTEGER, PostgreSQL's too.
NAMED_LIMIT = 2**30
ID_MAX = 2**31 - 1
# The tables that hold anonymous rows, and the time columns cut to the day in them.
DAY_COLUMNS: dict[str, tuple[str, ...]] = {
    "assessment_respondents": ("created_at",),
    "assessment_answers": ("answered_at",),
    "frontline_feedback": ("submitted_at",),
}
ANONYMOUS_TABLES = frozenset(DAY_COLUMNS)
_ASSIGNED = "cxsteward.anonymity.assigned"
_RECORDS: tuple[type[Any], ...] = (RespondentRecord, AnswerRecord, FeedbackRecord)


def is_anonymous_row(target: Any) -> bool:
    """Whether an ORM object is an anonymous record (or an answer of an anonymous respondent)."""
    if isinstance(target, RespondentRecord | FeedbackRecord):
        return bool(target.anonymous)
    if isinstance(target, AnswerRecord):
        respondent = target.respondent
        return respondent is not None and bool(respondent.anonymous)
    return False


def to_day(value: datetime) -> datetime:
    """Midnight UTC of the value's day: the finest time an anonymous record keeps."""
    return datetime.combine(value.astimezone(UTC).date(), time(), tzinfo=UTC)


def install_anonymity() -> None:
    """Register the id and time rules on the anonymous-capable tables; safe to call twice."""
    for record in _RECORDS:
        if not event.contains(record, "before_insert", _before_insert):
            event.listen(record, "before_insert", _before_insert)
        if not event.contains(record, "before_update", _before_update):
            event.listen(record, "before_update", _before_update)


def _before_insert(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    anonymous = is_anonymous_row(target)
    if target.id is None and anonymous:
        target.id = _random_id(connection, target)
    elif target.id is None and connection.dialect.name == "sqlite":
        # SQLite numbers a row max(id) + 1, which would follow an anonymous id; PostgreSQL's
        # sequence never sees the explicit anonymous ids, so it is left to number named rows.
        target.id = _next_id(connection, target)
    if anonymous:
        _cut_times(target)


def _before_update(_mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    if is_anonymous_row(target):
        _cut_times(target)


def _cut_times(target: Any) -> None:
    for column in DAY_COLUMNS[target.__tablename__]:
        value = getattr(target, column)
        if value is not None and value != to_day(value):
            setattr(target, column, to_day(value))


@dataclass
class _Assigned:
    """The ids one session handed out, per table: the last named one, every random one."""

    last: dict[str, int] = field(default_factory=dict)
    random: dict[str, set[int]] = field(default_factory=dict)


def _assigned(target: Any) -> _Assigned:
    session = instance_state(target).session
    if session is None:
        return _Assigned()
    assigned = session.info.get(_ASSIGNED)
    if not isinstance(assigned, _Assigned):
        assigned = session.info[_ASSIGNED] = _Assigned()
    return assigned


def _next_id(connection: Connection, target: Any) -> int:
    # The rows of one flush get their ids before any is inserted, so the last id handed out
    # in this session counts as well as the database's maximum.
    table = type(target).__table__
    assigned = _assigned(target)
    stored = connection.scalar(select(func.max(table.c.id)).where(table.c.id < NAMED_LIMIT))
    next_id: int = max(stored or 0, assigned.last.get(table.name, 0)) + 1
    if next_id >= NAMED_LIMIT:
        raise RuntimeError(f"{table.name}: the range of named ids is used up")
    assigned.last[table.name] = next_id
    return next_id


def _random_id(connection: Connection, target: Any) -> int:
    table = type(target).__table__
    taken = _assigned(target).random.setdefault(table.name, set())
    while True:
        candidate = NAMED_LIMIT + secrets.randbelow(ID_MAX - NAMED_LIMIT)
        if candidate in taken:
            continue
        exists = connection.scalar(select(table.c.id).where(table.c.id == candidate))
        if exists is None:
            taken.add(candidate)
            return candidate
