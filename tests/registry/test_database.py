"""SQLite registries run with foreign keys and write-ahead logging on every connection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from cxsteward.registry.database import create_registry_engine


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = create_registry_engine(f"sqlite:///{tmp_path / 'r.sqlite'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        engine.dispose()


def test_the_pool_keeps_a_connection_for_each_thread_of_a_worker(tmp_path: Path) -> None:
    for threads in (4, 16):
        engine = create_registry_engine(f"sqlite:///{tmp_path / 'r.sqlite'}", threads)
        try:
            held = [engine.connect() for _ in range(threads)]
            assert engine.pool.checkedout() == threads  # type: ignore[attr-defined]
            assert engine.pool.size() == threads  # type: ignore[attr-defined]
            for connection in held:
                connection.close()
            # None was thrown away on its return: the next requests find them open.
            assert engine.pool.checkedin() == threads  # type: ignore[attr-defined]
        finally:
            engine.dispose()
