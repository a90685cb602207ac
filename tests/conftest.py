"""Shared fixtures: settings on a temporary workspace, an open workspace, the CLI runner.

Fixtures named ``*_any`` run once on SQLite and once on PostgreSQL. PostgreSQL needs
CXSTEWARD_TEST_POSTGRES_URL (``./dev test`` starts a local server and sets it); without
it those runs are skipped with a reason, and under CI a missing server is a failure.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from typer.testing import CliRunner

from cxsteward.config import Settings
from cxsteward.services.workspace import Workspace, init_workspace
from postgres_database import fresh_database

CHROMIUM = os.environ.get("CXSTEWARD_CHROMIUM", "/usr/bin/chromium")
# Debian's Chromium, as root, on a machine whose only network is the package registries.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give every test its own node id, and refuse a run in which two tests share one.

    pytest-xdist's ``--dist loadfile`` (what ``./dev test`` uses) schedules by node id and
    silently runs only the first of several tests with the same id. pytest 9.2 builds an
    item's id from its ``originalname``, which schemathesis sets to the bare function name,
    so its per-operation tests ("test_x[GET /path]") all got the id "test_x".
    """
    for item in items:
        if not item.nodeid.endswith(f"::{item.name}") and "[" in item.name:
            base, _, params = item.name.partition("[")
            item._id = item.parent.id.child(base).with_params(params.removesuffix("]"))
    shared = sorted(nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1)
    if shared:
        raise pytest.UsageError(f"tests share a node id (give them distinct ids): {shared}")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own CXSTEWARD_* variables must never leak into a test.
    for key in list(os.environ):
        if key.startswith("CXSTEWARD_"):
            monkeypatch.delenv(key)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(workspace=tmp_path / "ws")


@pytest.fixture
def ws(settings: Settings) -> Iterator[Workspace]:
    workspace = init_workspace(settings)
    yield workspace
    workspace.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def settings_any(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(workspace=tmp_path / "ws")
    url = request.getfixturevalue("postgres_url")
    return Settings(workspace=tmp_path / "ws", registry_url=url)


@pytest.fixture
def ws_any(settings_any: Settings) -> Iterator[Workspace]:
    workspace = init_workspace(settings_any)
    yield workspace
    workspace.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """A headless Chromium; fails (never skips) when the executable is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
            "or point CXSTEWARD_CHROMIUM at a Chromium executable.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
