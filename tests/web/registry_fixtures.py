"""Fixtures of the Registry page tests: the example governance applied to the web workspace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from web_helpers import BASE_URL, TestClient, csrf_of, password_of

from cxsteward.config import Settings
from cxsteward.domain.access import Role
from cxsteward.domain.governance.spec import Governance
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import add_user, get_user
from cxsteward.services.governance.setup import apply_governance, read_governance_file
from cxsteward.services.workspace import Workspace, init_workspace
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"
ROLES = ("admin", "committee", "analyst", "frontline", "viewer", "anonymous")


def apply_example(ws: Workspace) -> Governance:
    """Apply examples/governance.yaml to ``ws`` and return it."""
    gov = read_governance_file(EXAMPLE)
    apply_governance(ws, gov, actor="fixture")
    return gov


@dataclass
class Site:
    """One app on one workspace holding the example governance, with a client per role."""

    ws: Workspace
    clients: dict[str, TestClient]


@contextmanager
def open_site(folder: Path) -> Iterator[Site]:
    """Build a :class:`Site` in ``folder``; the clients close when the block ends."""
    settings = Settings(workspace=folder / "ws")
    workspace = init_workspace(settings)
    for role in Role:
        add_user(workspace, role.value, password_of(role), role.value, f"{role.value.title()} User")
    apply_example(workspace)
    clients: dict[str, TestClient] = {}
    try:
        for name in ROLES:
            client = TestClient(create_app(settings), base_url=BASE_URL)
            client.__enter__()
            clients[name] = client
            if name != "anonymous":
                user = get_user(workspace, name)
                issued = start_session(workspace, user.id, settings.session_hours)
                client.cookies.set(SESSION_COOKIE, issued.token)
        yield Site(workspace, clients)
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)
        workspace.close()


def token_for(client: TestClient) -> str:
    """A valid CSRF token for ``client`` (its session's, or the anonymous form token)."""
    page = client.get("/login" if SESSION_COOKIE not in client.cookies else "/")
    return csrf_of(page)
