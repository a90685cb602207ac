"""A fresh PostgreSQL database on the test server, made for one test (or module) and dropped
afterwards: shared by the ``postgres_url`` fixture and the tests that need their own scope."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from cxsteward.config import Settings

POSTGRES_URL = os.environ.get("CXSTEWARD_TEST_POSTGRES_URL")


def require_postgres() -> str:
    """The server's URL; skips the test without one, and fails it in CI."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: CXSTEWARD_TEST_POSTGRES_URL is not set")
        pytest.skip("CXSTEWARD_TEST_POSTGRES_URL is not set")
    return POSTGRES_URL


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database (password shown), dropped when the block ends."""
    admin_url = make_url(Settings(registry_url=require_postgres()).resolved_registry_url)
    name = f"cxs_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


def drop_database(admin: Engine, name: str) -> None:
    # An autovacuum worker can still be connected to a fresh database; FORCE ends it when
    # the role may signal it, and otherwise the plain drop succeeds once the worker is done.
    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.5)
