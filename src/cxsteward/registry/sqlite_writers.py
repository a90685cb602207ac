"""SQLite connections whose writers queue in their process instead of polling for the lock.

SQLite lets one connection write at a time. A connection that finds the database locked
waits in SQLite's busy handler, which sleeps and retries with growing pauses (up to 100 ms
each), so under a stream of small writes (rate-limit counts, review requests) a writer
could wait far longer than the writes ahead of it took: the web load test measured single
statements waiting 400 ms at the 95th percentile.

Here each connection of a process takes a per-database lock before its transaction's first
write and gives it back when the transaction ends, so the writers of one process wait in
line and each wakes the moment the one ahead commits. Writers of other processes (server
workers, the CLI) still meet at SQLite's own lock, which stays what keeps the data safe:
this queue only orders the waiting. A thread that already holds the queue through another
connection does not wait for it (it would wait for itself); and no one waits for it longer
than SQLite's own busy timeout before leaving it to SQLite.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Self, TypeVar, overload

if TYPE_CHECKING:
    from sqlite3 import _Parameters

_CursorT = TypeVar("_CursorT", bound=sqlite3.Cursor)

# Statements that never write. Anything else (INSERT, UPDATE, DELETE, DDL, a WITH that may
# end in a write) takes the queue first, so every connection holding SQLite's write lock
# holds the queue too and no two can wait for each other.
_READS = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "EXPLAIN")


class WriterQueue:
    """The writers of one database in this process: one lock, and who holds it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: int | None = None


_QUEUES: dict[str, WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def queue_for(database: str) -> WriterQueue:
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(database, WriterQueue())


def writes(statement: str) -> bool:
    """Whether ``statement`` may write (only the known reads are taken for reads)."""
    return not statement.lstrip().upper().startswith(_READS)


class QueuedConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that joins its database's queue before its first write."""

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._queue = queue_for(str(database))
        self._patience = float(kwargs.get("timeout", 5.0))
        self._holding = False

    @overload
    def cursor(self, factory: None = None) -> sqlite3.Cursor: ...
    @overload
    def cursor(self, factory: Callable[[sqlite3.Connection], _CursorT]) -> _CursorT: ...
    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or QueuedCursor)

    def join_queue(self) -> None:
        """Wait for this process's writers ahead of this one (once per transaction)."""
        if self._holding:
            return
        me = threading.get_ident()
        if self._queue.owner == me:
            return  # this thread's other connection holds it: SQLite decides between them
        if self._queue.lock.acquire(timeout=self._patience):
            self._queue.owner = me
            self._holding = True

    def leave_queue(self) -> None:
        if self._holding:
            self._holding = False
            self._queue.owner = None
            self._queue.lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave_queue()


class QueuedCursor(sqlite3.Cursor):
    """Joins the connection's queue before a statement that may write."""

    def execute(self, sql: str, parameters: _Parameters = (), /) -> Self:
        self._before(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Iterable[_Parameters], /) -> Self:
        self._before(sql)
        return super().executemany(sql, seq_of_parameters)

    def _before(self, sql: str) -> None:
        connection = self.connection
        if isinstance(connection, QueuedConnection) and writes(sql):
            connection.join_queue()
