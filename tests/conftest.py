"""Shared fixtures: settings on a temporary workspace, an open workspace, the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.config import Settings
from cxsteward.services.workspace import Workspace, init_workspace

POSTGRES_URL = os.environ.get("CXSTEWARD_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own CXSTEWARD_* variables must never leak into a test.
    for key in list(os.environ):
        if key.startswith("CXSTEWARD_") and key not in {"CXSTEWARD_CHROMIUM"}:
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
def runner() -> CliRunner:
    return CliRunner()
