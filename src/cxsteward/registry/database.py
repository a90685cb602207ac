"""Engine, sessions and automatic migration of the registry."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from cxsteward.registry.sqlite_writers import QueuedConnection

MIGRATIONS = Path(__file__).parent / "migrations"
# The key of PostgreSQL's advisory lock that one migrating process holds at a time.
MIGRATION_LOCK = 0x63787374


def create_registry_engine(url: str, threads: int = 8) -> Engine:
    """An engine for the registry; SQLite gets foreign keys and a busy timeout.

    ``threads``: how many threads of the process use it at once (a web worker's
    ``web_threads``); the pool keeps a connection for each, so none waits for one.
    """
    if url.startswith("sqlite"):
        # Writers of one process queue for the database (sqlite_writers); 30 s of patience.
        in_memory = make_url(url).database in (None, "", ":memory:")
        pool = {} if in_memory else {"pool_size": threads, "max_overflow": threads}
        engine = create_engine(
            url, connect_args={"timeout": 30, "factory": QueuedConnection}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A few more than the threads, for the start-up build and the odd background task:
    # four workers of 8 threads stay well under PostgreSQL's default of 100 connections.
    return create_engine(url, pool_pre_ping=True, pool_size=threads, max_overflow=4)


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging lets readers and one writer work at once: web requests that read
    # for seconds no longer make a short write (a rate-limit count) wait until it times out.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the registry to the newest schema; a no-op when it is current."""
    if current_revision(engine) == head_revision(engine):
        return
    # Server workers start together and each opens the registry: one migrates, the others
    # wait for it and then find the schema current (racing, they failed on a table the
    # first had just created, and uvicorn stopped every worker).
    with _migration_lock(engine):
        if current_revision(engine) != head_revision(engine):
            command.upgrade(alembic_config(engine), "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Hold a lock that only one process at a time gets, for as long as the block runs."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    # A file of its own beside the database: closing a descriptor of the database file
    # itself would drop the locks SQLite holds on it in this process.
    with open(f"{database}-lock", "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits on success, rolls everything back on any error."""
    with factory() as session, session.begin():
        yield session
