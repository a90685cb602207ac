"""Processes that open an empty registry at the same time take turns migrating it.

Server workers start together, and each one migrates the registry it opens; they used to
race, and all but one failed on a table another had just created.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from cxsteward.registry.database import create_registry_engine, current_revision, head_revision
from cxsteward.registry.tables import Base

PROCESSES = 4
MIGRATE = (
    "import sys; from cxsteward.registry.database import create_registry_engine, migrate; "
    "engine = create_registry_engine(sys.argv[1]); migrate(engine); engine.dispose()"
)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_registry(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_processes_migrating_one_empty_registry_at_once_all_succeed(empty_registry: str) -> None:
    started = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, empty_registry],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    outcomes = [process.communicate(timeout=300) for process in started]
    codes = [process.returncode for process in started]
    assert codes == [0] * PROCESSES, [out for out, _ in outcomes]
    engine = create_registry_engine(empty_registry)
    try:
        assert current_revision(engine) == head_revision(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
