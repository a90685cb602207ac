"""Read models built once and kept until what they read changes in the registry.

Every change to an audited table writes an audit entry with the next sequence number in
the same transaction, so the newest sequence number of the tables a figure reads is a
version of its inputs: equal versions, equal inputs. The version is read from the registry
on every use, never remembered by the process, so with several workers a cache can never
serve a figure built before a change another worker committed. The contact store's
Parquet files change only with a load or a run, and each writes an audited row.

All the versions a page needs come from one statement (``read_versions``): the newest
entry of each audited table, each an indexed look-up, and the count of entries waiting.
Inside ``versions_once`` that one read serves every cache the page asks.

When a figure is missing, one request per process builds it and the others asking for the
same key wait for that build, so a cold start under load does not build it once per request.

A kept figure is also dropped at midnight (figures count back from today) and after
``MAX_AGE`` (figures that say "overdue" move on with the clock, not with a change).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from threading import Event, Lock
from typing import Generic, TypeVar, cast

from sqlalchemy import TextClause, text

from cxsteward.registry.anonymity import ANONYMOUS_TABLES
from cxsteward.registry.audit import is_audited
from cxsteward.registry.tables import Base
from cxsteward.registry.tables_audit import AuditPendingRecord, AuditRecord
from cxsteward.services.clock import now
from cxsteward.services.workspace import Workspace

T = TypeVar("T")
MAX_AGE = timedelta(minutes=5)
# Entries of one cache: a few workspaces (tests) times a few arguments (a cycle, a role).
MAX_ENTRIES = 32
Key = tuple[str, int, date, Hashable]


@dataclass(frozen=True)
class Versions:
    """The newest audit entry of each audited table, and how many anonymous entries of each
    still wait to join the log."""

    newest: dict[str, int]
    pending: dict[str, int]

    def of(self, *, only: Collection[str] = (), ignores: Collection[str] = ()) -> int:
        """The version of the tables ``only`` (default: every table but ``ignores``).

        Anonymous answers and flags join the chain only the day after (docs/audit.md), so the
        entries still waiting count too: each one written moves the version of its table on.
        """
        if only:
            tables = set(only)
        else:
            tables = (self.newest.keys() | self.pending.keys()) - set(ignores)
        seq = max((self.newest.get(t, 0) for t in tables), default=0)
        return seq + (sum(self.pending.get(t, 0) for t in tables) << 32)


@cache
def audited_tables() -> tuple[str, ...]:
    return tuple(sorted(t for t in Base.metadata.tables if is_audited(t)))


@cache
def _versions_statement() -> TextClause:
    """Built once, as plain SQL: SQLAlchemy's per-execution work on ~50 subquery objects
    cost ten times what the database spends answering them."""
    log, pending = AuditRecord.__tablename__, AuditPendingRecord.__tablename__
    newest = [
        f"(SELECT max(seq) FROM {log} WHERE table_name = :t{i})"
        for i, _ in enumerate(audited_tables())
    ]
    # Only a few tables hold anonymous rows, and the waiting entries are one day's at most.
    held = [
        f"(SELECT count(*) FROM {pending} WHERE table_name = :a{i})"
        for i, _ in enumerate(sorted(ANONYMOUS_TABLES))
    ]
    statement = text(f"SELECT {', '.join(held + newest)}")
    return statement.bindparams(
        **{f"t{i}": name for i, name in enumerate(audited_tables())},
        **{f"a{i}": name for i, name in enumerate(sorted(ANONYMOUS_TABLES))},
    )


def read_versions(ws: Workspace) -> Versions:
    """Every table's version in one statement: per table, the top of the audit log's
    (table_name, seq) index, so the cost does not grow with the log."""
    # A plain connection: an ORM session (and its audit hooks) would cost more than the read.
    with ws.reader.connect() as connection:
        row = connection.execute(_versions_statement()).one()
    anonymous = sorted(ANONYMOUS_TABLES)
    held, newest = row[: len(anonymous)], row[len(anonymous) :]
    return Versions(
        {n: s for n, s in zip(audited_tables(), newest, strict=True) if s is not None},
        {n: c for n, c in zip(anonymous, held, strict=True) if c},
    )


_MEMO: ContextVar[tuple[str, Versions] | None] = ContextVar("read_model_versions", default=None)
_REQUEST: ContextVar[dict[str, Versions] | None] = ContextVar("request_versions", default=None)


@contextmanager
def versions_once(ws: Workspace) -> Iterator[Versions]:
    """Read the versions once; every cache asked inside the block uses that read."""
    versions = read_versions(ws)
    token = _MEMO.set((ws.settings.resolved_registry_url, versions))
    try:
        yield versions
    finally:
        _MEMO.reset(token)


@contextmanager
def reading_request() -> Iterator[None]:
    """A request that only reads: the first cache it asks reads the versions, the others
    reuse that read (a page asking three caches made three reads before).

    Only for requests that change nothing (GET, HEAD): after a write, the same request
    would be told the versions from before it.
    """
    token = _REQUEST.set({})
    try:
        yield
    finally:
        _REQUEST.reset(token)


def current_versions(ws: Workspace) -> Versions:
    """The versions read by the enclosing ``versions_once`` for this registry, else those of
    the enclosing ``reading_request`` (read on first use), else a fresh read."""
    url = ws.settings.resolved_registry_url
    memo = _MEMO.get()
    if memo is not None and memo[0] == url:
        return memo[1]
    request = _REQUEST.get()
    if request is None:
        return read_versions(ws)
    if url not in request:
        request[url] = read_versions(ws)
    return request[url]


def registry_version(
    ws: Workspace, *, only: Collection[str] = (), ignores: Collection[str] = ()
) -> int:
    """The newest audit entry of the tables ``only`` (default: every table but ``ignores``)."""
    return current_versions(ws).of(only=only, ignores=ignores)


@dataclass
class _Build(Generic[T]):
    """A build under way: the requests asking for its key wait for ``done``."""

    done: Event = field(default_factory=Event)
    value: T | None = None
    built: bool = False


class ReadModel(Generic[T]):
    """One kind of figure, kept per (workspace, version, day, argument), least recent out.

    ``lagging`` tables move a kept figure on only once it is older than ``lag``: for the
    tables public traffic writes, so a stream of public requests does not rebuild it each
    time. Every other change (outside ``ignores``) rebuilds it at once. While one request
    brings such a figure up to date, the others get the kept one rather than wait.
    """

    def __init__(
        self,
        name: str,
        *,
        only: Collection[str] = (),
        ignores: Collection[str] = (),
        lagging: Collection[str] = (),
        lag: timedelta = timedelta(0),
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.name = name
        self.only = tuple(only)
        self.ignores = tuple(ignores) + tuple(lagging)
        self.lagging = tuple(lagging)
        self.lag = lag
        self.max_entries = max_entries
        # Per key: when it was built, the lagging tables' version then, the figure.
        self._kept: OrderedDict[Key, tuple[datetime, int, T]] = OrderedDict()
        self._building: dict[Key, _Build[T]] = {}
        self._lock = Lock()

    def get(self, ws: Workspace, build: Callable[[], T], argument: Hashable = None) -> T:
        """The kept figure for ``argument``, built by ``build()`` when its inputs changed."""
        moment = now(ws)
        versions = current_versions(ws)
        version = versions.of(only=self.only, ignores=self.ignores)
        lagging = versions.of(only=self.lagging) if self.lagging else 0
        key: Key = (ws.settings.resolved_registry_url, version, moment.date(), argument)
        while True:
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None and self._fresh(kept, moment, lagging):
                    self._kept.move_to_end(key)
                    return kept[2]
                under_way = self._building.get(key)
                if under_way is None:
                    mine: _Build[T] = _Build()
                    self._building[key] = mine
                    break
                if kept is not None and self._lag_only(kept, moment):
                    # Behind public traffic only, and someone is catching up: no need to wait.
                    return kept[2]
            # Another request is building this key: wait for it rather than build again.
            under_way.done.wait()
            if under_way.built:
                return cast(T, under_way.value)
            # That build failed: try again, this request building if nobody else is.
        try:
            value = build()
            with self._lock:
                self._kept[key] = (moment, lagging, value)
                self._kept.move_to_end(key)
                while len(self._kept) > self.max_entries:
                    self._kept.popitem(last=False)
            mine.value, mine.built = value, True
            return value
        finally:
            with self._lock:
                del self._building[key]
            mine.done.set()

    def _fresh(self, kept: tuple[datetime, int, T], moment: datetime, lagging: int) -> bool:
        age = moment - kept[0]
        if not timedelta(0) <= age <= MAX_AGE:
            return False
        return kept[1] == lagging or age <= self.lag

    def _lag_only(self, kept: tuple[datetime, int, T], moment: datetime) -> bool:
        """Whether only the lagging tables moved since ``kept`` was built (same key)."""
        return bool(self.lagging) and timedelta(0) <= moment - kept[0] <= MAX_AGE

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
