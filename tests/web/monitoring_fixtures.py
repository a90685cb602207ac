"""Module-scoped worlds for the overview and monitoring tests (imported by the test modules).

Building a workspace with contacts and a monitoring run takes seconds, so each test module
builds one and every test of the module reads it; the tests never change it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from web_helpers import BASE_URL, TestClient, password_of

from cxsteward.config import Settings
from cxsteward.domain.access import Role
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import add_user, get_user
from cxsteward.services.data.load import load_data, store_path
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.workspace import Workspace, init_workspace
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ROLES = [role.value for role in Role]
ClientFor = Callable[[str | None], TestClient]


def add_role_users(ws: Workspace) -> None:
    """One active user per role, named after the role (as tests/web/conftest.py does)."""
    for role in Role:
        add_user(ws, role.value, password_of(role), role.value, f"{role.value.title()} User")


def monitored_workspace(folder: Path, rows: int = 20_000) -> tuple[Workspace, MonitorOut]:
    """Synthetic contacts loaded, the example thresholds declared, a baseline, one run."""
    data = folder / "contacts.parquet"
    synthesize(data, rows, seed=5)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, data)
    add_thresholds_file(ws, EXAMPLES / "thresholds.yaml")
    freeze_baseline(ws, "pre-launch", date(2025, 1, 1), date(2025, 1, 31))
    add_role_users(ws)
    return ws, run_monitor(ws)


def store_files(ws: Workspace) -> list[Path]:
    """The Parquet files of the interaction store."""
    return sorted(store_path(ws).glob("month=*/part-*.parquet"))


def clients(settings: Settings, ws: Workspace) -> Iterator[ClientFor]:
    """A factory of TestClients signed in by role (None: no session), closed at the end."""
    opened: list[TestClient] = []

    def build(role: str | None) -> TestClient:
        client = TestClient(create_app(settings), base_url=BASE_URL)
        client.__enter__()
        opened.append(client)
        if role is not None:
            issued = start_session(ws, get_user(ws, role).id, settings.session_hours)
            client.cookies.set(SESSION_COOKIE, issued.token)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module", name="monitored")
def monitored_fixture(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, MonitorOut]]:
    """A workspace with 20k synthetic contacts, thresholds, a baseline and one monitoring run."""
    ws, out = monitored_workspace(tmp_path_factory.mktemp("monitored"))
    yield ws, out
    ws.close()


@pytest.fixture(scope="module", name="monitored_client")
def monitored_client_fixture(monitored: tuple[Workspace, MonitorOut]) -> Iterator[ClientFor]:
    """Clients by role on the monitored workspace."""
    ws, _ = monitored
    yield from clients(ws.settings, ws)
