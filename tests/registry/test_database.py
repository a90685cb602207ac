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
