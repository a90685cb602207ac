"""Read models built once and kept until what they read changes in the registry.

Every change to an audited table writes an audit entry with the next sequence number in
the same transaction, so the newest sequence number of the tables a figure reads is a
version of its inputs: equal versions, equal inputs. The version is read from the registry
on every use, never remembered by the process, so with several workers a cache can never
serve a figure built before a change another worker committed. The contact store's
Parquet files change only with a load or a run, and each writes an audited row.

A kept figure is also dropped at midnight (figures count back from today) and after
``MAX_AGE`` (figures that say "overdue" move on with the clock, not with a change).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from datetime import date, datetime, timedelta
from threading import Lock
from typing import Generic, TypeVar

from sqlalchemy import func, select

from cxsteward.registry.tables_audit import AuditPendingRecord, AuditRecord
from cxsteward.services.clock import now
from cxsteward.services.workspace import Workspace

T = TypeVar("T")
MAX_AGE = timedelta(minutes=5)
# Entries of one cache: a few workspaces (tests) times a few arguments (a cycle, a role).
MAX_ENTRIES = 32
Key = tuple[str, int, date, Hashable]


def registry_version(
    ws: Workspace, *, only: Collection[str] = (), ignores: Collection[str] = ()
) -> int:
    """The newest audit entry of the tables ``only`` (default: every table but ``ignores``).

    Anonymous answers join the chain only the day after (docs/audit.md), so the entries
    still waiting count too: each one written moves the version on.
    """
    query = select(func.max(AuditRecord.seq))
    if only:
        query = query.where(AuditRecord.table_name.in_(sorted(only)))
    elif ignores:
        query = query.where(AuditRecord.table_name.not_in(sorted(ignores)))
    held = select(func.count()).select_from(AuditPendingRecord)
    with ws.transaction() as session:
        return (session.scalar(query) or 0) + ((session.scalar(held) or 0) << 32)


class ReadModel(Generic[T]):
    """One kind of figure, kept per (workspace, version, day, argument), least recent out."""

    def __init__(
        self,
        name: str,
        *,
        only: Collection[str] = (),
        ignores: Collection[str] = (),
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.name = name
        self.only = tuple(only)
        self.ignores = tuple(ignores)
        self.max_entries = max_entries
        self._kept: OrderedDict[Key, tuple[datetime, T]] = OrderedDict()
        self._lock = Lock()

    def get(self, ws: Workspace, build: Callable[[], T], argument: Hashable = None) -> T:
        """The kept figure for ``argument``, built by ``build()`` when its inputs changed."""
        moment = now(ws)
        version = registry_version(ws, only=self.only, ignores=self.ignores)
        key: Key = (ws.settings.resolved_registry_url, version, moment.date(), argument)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and timedelta(0) <= moment - kept[0] <= MAX_AGE:
                self._kept.move_to_end(key)
                return kept[1]
        # Built outside the lock: two threads may both build, never one wait on the other.
        value = build()
        with self._lock:
            self._kept[key] = (moment, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.max_entries:
                self._kept.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
