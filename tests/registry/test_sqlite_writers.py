"""The writers of one process wait in line for a SQLite registry (registry/sqlite_writers.py).

What matters: a writer waits for the one ahead in the queue (not in SQLite's sleeping busy
handler), the queue is given back however the transaction ends, reads never join it, and
nothing can wait for itself.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from cxsteward.registry.database import create_registry_engine
from cxsteward.registry.sqlite_writers import QueuedConnection, WriterQueue, queue_for, writes


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = create_registry_engine(f"sqlite:///{tmp_path / 'r.sqlite'}")
    with made.begin() as connection:
        connection.execute(text("CREATE TABLE t (who TEXT)"))
    yield made
    made.dispose()


def queue(tmp_path: Path) -> WriterQueue:
    return queue_for(str(tmp_path / "r.sqlite"))


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT 1", False),
        ("  select * from t", False),
        ("PRAGMA foreign_keys=ON", False),
        ("SAVEPOINT sa_1", False),
        ("RELEASE SAVEPOINT sa_1", False),
        ("ROLLBACK TO SAVEPOINT sa_1", False),
        ("INSERT INTO t VALUES (1)", True),
        ("\n update t set who = 'x'", True),
        ("DELETE FROM t", True),
        ("CREATE TABLE u (x)", True),
        ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", True),
    ],
)
def test_only_known_reads_stay_out_of_the_queue(statement: str, expected: bool) -> None:
    assert writes(statement) is expected


def test_the_registry_engine_uses_queued_connections(engine: Engine) -> None:
    with engine.connect() as connection:
        assert isinstance(connection.connection.dbapi_connection, QueuedConnection)


def test_a_writer_waits_in_the_queue_until_the_one_ahead_commits(
    engine: Engine, tmp_path: Path
) -> None:
    line = queue(tmp_path)
    first_wrote, second_started, second_done = threading.Event(), threading.Event(), []
    release = threading.Event()

    def first() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES ('first')"))
            first_wrote.set()
            release.wait(10)

    def second() -> None:
        first_wrote.wait(10)
        second_started.set()
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES ('second')"))
        second_done.append(True)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    second_started.wait(10)
    threads[1].join(0.5)
    # The second writer is still waiting, and the queue is held by the first.
    assert threads[1].is_alive() and not second_done
    assert line.lock.locked() and line.owner == threads[0].ident
    release.set()
    for thread in threads:
        thread.join(10)
    assert second_done == [True]
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT who FROM t ORDER BY rowid")).scalars().all()
    assert rows == ["first", "second"]
    assert not line.lock.locked()


def test_the_queue_is_given_back_on_rollback_and_on_close(engine: Engine, tmp_path: Path) -> None:
    line = queue(tmp_path)
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES ('undone')"))
        assert line.lock.locked()
        raise RuntimeError("the transaction fails")
    assert not line.lock.locked()

    raw = engine.raw_connection()
    raw.cursor().execute("INSERT INTO t VALUES ('never committed')")
    assert line.lock.locked()
    raw.invalidate()  # closes the connection under way
    assert not line.lock.locked()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_reads_never_wait_for_the_queue(engine: Engine, tmp_path: Path) -> None:
    line = queue(tmp_path)
    with engine.begin() as writing:
        writing.execute(text("INSERT INTO t VALUES ('pending')"))
        assert line.lock.locked()
        # Same thread, another connection: a read goes straight on (WAL), and sees the
        # committed state only.
        with engine.connect() as reading:
            assert reading.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_a_thread_never_waits_for_its_own_place_in_the_queue(tmp_path: Path) -> None:
    """A second connection of the thread holding the queue goes to SQLite, which refuses it
    after its busy timeout, as it would without the queue, instead of hanging for ever."""
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    impatient = create_engine(url, connect_args={"timeout": 0.2, "factory": QueuedConnection})
    with impatient.begin() as connection:
        connection.execute(text("CREATE TABLE t (who TEXT)"))
    try:
        with impatient.begin() as first:
            first.execute(text("INSERT INTO t VALUES ('first')"))
            with pytest.raises(OperationalError, match="locked"), impatient.begin() as second:
                second.execute(text("INSERT INTO t VALUES ('second')"))
        with impatient.connect() as connection:
            rows = connection.execute(text("SELECT who FROM t")).scalars().all()
        assert rows == ["first"]
    finally:
        impatient.dispose()


HOLD = """
import sys
from sqlalchemy import text
from cxsteward.registry.database import create_registry_engine
engine = create_registry_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(text("INSERT INTO t VALUES ('other process')"))
    print("holding", flush=True)
    sys.stdin.readline()
engine.dispose()
"""


def test_writers_of_other_processes_wait_in_the_same_line(tmp_path: Path) -> None:
    """A writer waits for another process's open write for as long as it lasts, in the
    queue's file lock, not in SQLite's busy handler (whose timeout here is 0.3 s)."""
    database = tmp_path / "r.sqlite"
    url = f"sqlite:///{database}"
    impatient = create_engine(url, connect_args={"timeout": 0.3, "factory": QueuedConnection})
    with impatient.begin() as connection:
        connection.execute(text("CREATE TABLE t (who TEXT)"))
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as other:
        try:
            waits_behind(other, impatient, database)
        finally:
            other.kill()
            impatient.dispose()
    with create_registry_engine(url).connect() as connection:
        rows = connection.execute(text("SELECT who FROM t ORDER BY rowid")).scalars().all()
    assert rows == ["other process", "this process"]
    assert (tmp_path / "r.sqlite-writers").exists()


def waits_behind(other: subprocess.Popen[str], engine: Engine, database: Path) -> None:
    assert other.stdout is not None and other.stdin is not None
    assert other.stdout.readline().strip() == "holding"
    done: list[str] = []

    def write() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES ('this process')"))
        done.append("written")

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(1.5)  # five busy timeouts: SQLite alone would have refused by now
    assert writer.is_alive() and not done
    assert queue_for(str(database)).owner == writer.ident  # waiting on the file lock
    other.stdin.write("\n")
    other.stdin.flush()
    writer.join(10)
    assert done == ["written"]
    assert other.wait(10) == 0
