"""Web fixtures: a workspace with one user per role, TestClients signed in by role, a live server.

Clients talk to https://testserver because the cookies are Secure: a cookie jar does not
send a Secure cookie over plain http (Chromium makes an exception for 127.0.0.1, which the
browser tests rely on).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from web_helpers import BASE_URL, LiveServer, TestClient, password_of, serve_app

from cxsteward.config import Settings
from cxsteward.domain.access import Role
from cxsteward.services.accounts.rate_limits import WINDOW_SECONDS
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import add_user, get_user
from cxsteward.services.workspace import Workspace, init_workspace, open_workspace
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE


@pytest.fixture(scope="session")
def _users_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one user per role, built once: argon2 hashing is slow on purpose."""
    folder = tmp_path_factory.mktemp("web-template") / "ws"
    workspace = init_workspace(Settings(workspace=folder))
    for role in Role:
        add_user(workspace, role.value, password_of(role), role.value, f"{role.value.title()} User")
    workspace.close()
    return folder


@pytest.fixture
def web_ws(settings: Settings, _users_template: Path) -> Iterator[Workspace]:
    """A workspace of this test's own with one active user per role, named after the role."""
    shutil.copytree(_users_template, settings.workspace)
    workspace = open_workspace(settings)
    yield workspace
    workspace.close()


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(settings: Settings, web_ws: Workspace) -> Iterator[ClientFactory]:
    """Build TestClients (each on its own app, lifespan running) until the test ends."""
    opened: list[TestClient] = []

    def build(**kwargs: object) -> TestClient:
        client = TestClient(create_app(settings), base_url=BASE_URL, **kwargs)  # type: ignore[arg-type]
        client.__enter__()
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def anon_client(make_client: ClientFactory) -> TestClient:
    """A client with no session."""
    return make_client()


@pytest.fixture
def client_for(
    make_client: ClientFactory, settings: Settings, web_ws: Workspace
) -> Callable[[str], TestClient]:
    """``client_for("analyst")``: a client signed in as the fixture user of that role."""

    def signed_in(role: str) -> TestClient:
        client = make_client()
        user = get_user(web_ws, role)
        issued = start_session(web_ws, user.id, settings.session_hours)
        client.cookies.set(SESSION_COOKIE, issued.token)
        return client

    return signed_in


@pytest.fixture
def client(client_for: Callable[[str], TestClient]) -> TestClient:
    """A client signed in as an admin."""
    return client_for("admin")


@pytest.fixture
def live_server(settings: Settings, web_ws: Workspace) -> Iterator[LiveServer]:
    """The app served by uvicorn on a free loopback port, in a thread, for browser tests."""
    with serve_app(create_app(settings), "live server") as url:
        yield LiveServer(url, settings, web_ws)


@pytest.fixture
def one_rate_window() -> None:
    """Rate limits count requests in fixed windows of a minute: a test that counts its way
    to a 429 starts early in a window, so its requests never fall into two (it takes a few
    seconds; the wait is at most 20)."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < 20:
        time.sleep(left + 0.05)
