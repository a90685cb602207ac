"""SQLite connections whose writers wait in line instead of polling for the lock.

SQLite lets one connection write at a time. A connection that finds the database locked
waits in SQLite's busy handler, which sleeps and retries with growing pauses (up to 100 ms
each). Under a stream of small writes (rate-limit counts, review requests) a writer could
wait far longer than the writes ahead of it took: the web load test measured single
statements waiting 400 ms at the 95th percentile. Between processes it is also unfair:
while one sleeps, the other worker's writers can take the lock again and again.

Here a connection joins its database's queue before its transaction's first write and
leaves it when the transaction ends (commit, rollback or close), in two stages: a lock
shared by the threads of the process, then a lock on the file ``<database>-writers``
shared by every process (``flock``; the kernel wakes the next one the moment it is
free). Each writer therefore starts the moment the one ahead commits. SQLite's own lock
stays what keeps the data safe; the queue only orders the waiting, and falls back to it:

- a thread that already holds the queue through another connection does not wait for it
  (it would wait for itself) and meets SQLite's lock instead, as it always did;
- no thread waits for the in-process stage longer than the connection's busy timeout;
- the file stage is held only by a writer in its transaction, which ends by itself (at
  the latest when SQLite's busy timeout refuses a write of another program);
- when the lock file cannot be made (a read-only folder), only the first stage applies.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar, overload

if TYPE_CHECKING:
    from sqlite3 import _Parameters

_CursorT = TypeVar("_CursorT", bound=sqlite3.Cursor)

# Statements that never write. Anything else (INSERT, UPDATE, DELETE, DDL, a WITH that may
# end in a write) takes the queue first, so every connection holding SQLite's write lock
# holds the queue too and no two can wait for each other.
_READS = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "EXPLAIN")


class WriterQueue:
    """The writers of one database: who holds the queue in this process, and the file
    lock that orders the processes."""

    def __init__(self, database: str) -> None:
        self.lock = threading.Lock()
        self.owner: int | None = None
        in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
        self.path = None if in_memory else Path(f"{database}-writers")
        self._file: int | None = None
        self._pid = 0

    def acquire(self, patience: float) -> bool:
        """Wait for this database's writers ahead; False after ``patience`` seconds in the
        process's stage (the writer then meets SQLite's own lock)."""
        if not self.lock.acquire(timeout=patience):
            return False
        self.owner = threading.get_ident()
        handle = self._handle()
        try:
            if handle is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)  # the GIL is released while it waits
        except OSError:
            self.owner = None
            self.lock.release()
            return False
        return True

    def release(self) -> None:
        try:
            if self._file is not None and self._pid == os.getpid():
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self.owner = None
            self.lock.release()

    def _handle(self) -> int | None:
        """This process's descriptor of the lock file (a forked child opens its own: a
        shared one would not keep parent and child apart)."""
        if self.path is None:
            return None
        if self._file is None or self._pid != os.getpid():
            try:
                self._file = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                self.path = None  # cannot make it: the process's stage only
                return None
            self._pid = os.getpid()
        return self._file


_QUEUES: dict[str, WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def queue_for(database: str) -> WriterQueue:
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(database, WriterQueue(database))


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
        """Wait for the writers ahead of this one (once per transaction)."""
        if self._holding:
            return
        if self._queue.owner == threading.get_ident():
            return  # this thread's other connection holds it: SQLite decides between them
        self._holding = self._queue.acquire(self._patience)

    def leave_queue(self) -> None:
        if self._holding:
            self._holding = False
            self._queue.release()

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
