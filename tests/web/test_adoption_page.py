"""The adoption page for every role: team figures for all staff, agents only for the roles
holding adoption:agents, and no agent id on any page that lists findings."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from monitoring_fixtures import ROLES, monitored_workspace
from web_helpers import BASE_URL, TestClient

from cxsteward.domain.access import Role, allows
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import get_user
from cxsteward.services.monitoring.run import MonitorOut
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE
from cxsteward.web.deps import Permission

AGENT_ID = re.compile(r"\bt\d-a\d\d\b")


@pytest.fixture(scope="module", name="world")
def world_fixture(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, MonitorOut]]:
    ws, run = monitored_workspace(tmp_path_factory.mktemp("adoption-page"))
    yield ws, run
    ws.close()


def _client(ws: Workspace, role: str | None) -> TestClient:
    client = TestClient(create_app(ws.settings), base_url=BASE_URL)
    if role is not None:
        issued = start_session(ws, get_user(ws, role).id, ws.settings.session_hours)
        client.cookies.set(SESSION_COOKIE, issued.token)
    return client


@pytest.mark.parametrize("role", [*ROLES, None], ids=[*ROLES, "anonymous"])
def test_the_team_page_for_every_role(
    world: tuple[Workspace, MonitorOut], role: str | None
) -> None:
    ws, _ = world
    with _client(ws, role) as client:
        response = client.get("/adoption", follow_redirects=False)
    if role is None:
        assert response.status_code == 302
        assert response.headers["location"] == "/login?next=/adoption"
        return
    assert response.status_code == 200
    page = response.text
    assert "Team t5" in page and "above its limits" in page
    assert page.count('data-chart="funnel-team-') == 2
    assert page.count('data-chart="adoption-trend-') == 5
    assert "<desc id=" in page and "<summary" in page  # charts carry a description and table
    assert not AGENT_ID.search(page), "a team page names no agent"
    per_agent = 'href="/adoption?by=agent"' in page
    assert per_agent == allows(Role(role), Permission.ADOPTION_AGENTS)


@pytest.mark.parametrize("role", [*ROLES, None], ids=[*ROLES, "anonymous"])
def test_the_agent_page_only_for_adoption_agents(
    world: tuple[Workspace, MonitorOut], role: str | None
) -> None:
    ws, _ = world
    with _client(ws, role) as client:
        response = client.get("/adoption?by=agent", follow_redirects=False)
    if role is None:
        assert response.status_code == 302
        return
    if not allows(Role(role), Permission.ADOPTION_AGENTS):
        assert response.status_code == 403
        assert "adoption:agents" in response.text
        return
    assert response.status_code == 200
    assert len(set(AGENT_ID.findall(response.text))) == 50
    assert 'data-chart="funnel-agent-override-rate"' in response.text


@pytest.mark.parametrize("role", ROLES)
def test_pages_listing_findings_name_no_agent(
    world: tuple[Workspace, MonitorOut], role: str
) -> None:
    ws, run = world
    assert any(f.kind == "adoption" for f in run.findings)
    with _client(ws, role) as client:
        for path in (f"/monitoring/runs/{run.run_id}", "/monitoring", "/"):
            response = client.get(path)
            if response.status_code == 403:
                continue
            assert response.status_code == 200
            assert not AGENT_ID.search(response.text), path
