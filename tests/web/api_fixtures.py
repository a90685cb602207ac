"""API test fixtures: a demo workspace built once, copied per test; tokens for every role.

The template is the demo company (the example governance, two assessment cycles, a small
monitored dataset) plus one user and one API token per role, a committee member who is a
governance person with decision rights, a manual incident, a review request and a flag.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from web_helpers import BASE_URL, TestClient, password_of

from cxsteward.config import Settings
from cxsteward.domain.access import Role
from cxsteward.services.accounts.api_tokens import create_token
from cxsteward.services.accounts.users import add_user, list_users
from cxsteward.services.clock import FixedClock
from cxsteward.services.demo.company import run_demo
from cxsteward.services.incidents.lifecycle import open_incident
from cxsteward.services.people.feedback import submit_feedback
from cxsteward.services.trust.reviews import submit_review_request
from cxsteward.services.workspace import Workspace, open_workspace
from cxsteward.web.app import create_app

# The demo's now, fixed so that its cycle names (2026-Q3, 2026-Q4) and dates do not move
# with the machine's date.
DEMO_NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
DEMO_ROWS = 3000
# A governance person (see examples/governance.yaml) who may pause support-chat.
DECIDER = "dev-raman"
# A governance person, not on the committee, with no decision right on support-chat.
NO_RIGHTS = "oluwaseun-bello"
DEPLOYMENT = "support-chat"


@dataclass(frozen=True)
class ApiWorld:
    """A ready workspace: its settings, a token per username, the seeded ids."""

    settings: Settings
    tokens: dict[str, str]
    incident_id: int
    review_id: int
    review_code: str
    feedback_id: int

    def headers(self, username: str | None) -> dict[str, str]:
        """The Authorization header of ``username``'s token (none for None)."""
        if username is None:
            return {}
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def open(self) -> Workspace:
        """The workspace, opened (close it after use)."""
        return open_workspace(self.settings)


def build_world(folder: Path) -> ApiWorld:
    """Build the demo workspace in ``folder`` and seed users, tokens and trust records."""
    settings = Settings(workspace=folder / "ws")
    run_demo(settings, rows=DEMO_ROWS, clock=FixedClock(DEMO_NOW))
    ws = open_workspace(settings)
    try:
        users = {role.value: role.value for role in Role}
        users[DECIDER] = Role.COMMITTEE.value
        users[NO_RIGHTS] = Role.COMMITTEE.value
        # The demo may already have made some of these users (it signs in as people).
        existing = {user.username: user.role.value for user in list_users(ws)}
        tokens = {}
        for username, role in users.items():
            if username not in existing:
                add_user(ws, username, password_of(role), role, username.title())
            assert existing.get(username, role) == role, f"{username} is not {role}"
            tokens[username] = create_token(ws, username, "tests").token
        incident = open_incident(
            ws, "Chat assistant quotes old prices", DEPLOYMENT, "sev2", "admin"
        )
        receipt = submit_review_request(
            ws, DEPLOYMENT, "The bot refused my refund.", "kim@example.com", reference="ORD-1"
        )
        flag = submit_feedback(
            ws, DEPLOYMENT, "wrong_answer", "Quoted last year's fee.", by="frontline"
        )
    finally:
        ws.close()
    return ApiWorld(
        settings=settings,
        tokens=tokens,
        incident_id=incident.id,
        review_id=receipt.id,
        review_code=receipt.tracking_code,
        feedback_id=flag.id,
    )


# Built once per process: several test modules import these fixtures, and a session-scoped
# fixture imported into two modules would still be built once per module.
_BUILT: list[ApiWorld] = []


def copy_world(world: ApiWorld, target: Path) -> ApiWorld:
    """The same world in a new folder, to change without touching the original."""
    shutil.copytree(world.settings.workspace, target)
    return replace(world, settings=Settings(workspace=target))


@pytest.fixture(scope="session", name="api_template")
def api_template_fixture(tmp_path_factory: pytest.TempPathFactory) -> ApiWorld:
    """The demo world, built once per test run (it takes several seconds)."""
    if not _BUILT:
        _BUILT.append(build_world(tmp_path_factory.mktemp("api-template")))
    return _BUILT[0]


@pytest.fixture(name="api_world")
def api_world_fixture(api_template: ApiWorld, tmp_path: Path) -> ApiWorld:
    """A private copy of the demo world: tests may change it freely."""
    return copy_world(api_template, tmp_path / "api-ws")


@pytest.fixture(name="api_client")
def api_client_fixture(api_world: ApiWorld) -> Iterator[TestClient]:
    """A client of the app on the copied world, lifespan running."""
    with TestClient(create_app(api_world.settings), base_url=BASE_URL) as client:
        yield client
