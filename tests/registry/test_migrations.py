"""The Alembic migrations build exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from cxsteward.config import Settings
from cxsteward.registry import tables
from cxsteward.registry.database import (
    create_registry_engine,
    current_revision,
    head_revision,
    migrate,
)
from cxsteward.registry.tables import Base


def test_migrations_match_the_tables(settings_any: Settings) -> None:
    settings_any.workspace.mkdir(parents=True)
    engine = create_registry_engine(settings_any.resolved_registry_url)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        assert current_revision(engine) == head_revision(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {
            "alembic_version"
        }
    finally:
        engine.dispose()


def test_migrate_twice_is_a_no_op(settings: Settings) -> None:
    settings.workspace.mkdir(parents=True)
    engine = create_registry_engine(settings.resolved_registry_url)
    try:
        migrate(engine)
        before = current_revision(engine)
        migrate(engine)
        assert current_revision(engine) == before
    finally:
        engine.dispose()


def test_every_table_module_is_gathered_in_tables_py() -> None:
    # A table module left out of registry/tables.py would be missing from Base.metadata,
    # so Alembic would never create its tables.
    folder = Path(tables.__file__).parent
    on_disk = {path.stem for path in folder.glob("tables_*.py")}
    gathered = {module.__name__.rpartition(".")[2] for module in tables.TABLE_MODULES}
    assert on_disk == gathered
    assert {table.name for table in Base.metadata.tables.values()} >= {
        "assessment_cycles",
        "audit_log",
    }
