"""Assessment pages: access by role, the report's figures, invitation management."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from web_helpers import TestClient, csrf_of

from cxsteward.domain.scale import RoleGroup
from cxsteward.services.assessment.cycles import add_respondent, answer_question, open_cycle
from cxsteward.services.assessment.invitations import create_invitations, list_invitations
from cxsteward.services.workspace import Workspace

ROLES = ["admin", "committee", "analyst", "frontline", "viewer", "anonymous"]
VIEW = {"admin", "committee", "analyst", "viewer"}
MANAGE = {"admin", "committee", "analyst"}


@pytest.fixture
def cycle(web_ws: Workspace) -> str:
    open_cycle(web_ws, "2026-Q4")
    return "2026-Q4"


@pytest.fixture
def answered(web_ws: Workspace, cycle: str) -> str:
    """Three executives answer 4 and three frontline staff answer 1, on every question."""
    for group, value in ((RoleGroup.EXECUTIVE, 4), (RoleGroup.FRONTLINE, 1)):
        for _ in range(3):
            r = add_respondent(web_ws, "2026-Q4", group, anonymous=True)
            for qid in web_ws.bank.ids():
                answer_question(web_ws, "2026-Q4", r.code, qid, value)
    return "2026-Q4"


def _status(role: str, allowed: set[str]) -> int:
    return 302 if role == "anonymous" else 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/assessment", VIEW), ("/assessment/{c}", VIEW), ("/assessment/{c}/invitations", MANAGE)],
    ids=["cycles", "report", "invitations"],
)
def test_pages_by_role(
    role: str,
    path: str,
    allowed: set[str],
    cycle: str,
    client_for: Callable[[str], TestClient],
    anon_client: TestClient,
) -> None:
    client = anon_client if role == "anonymous" else client_for(role)
    response = client.get(path.format(c=cycle), follow_redirects=False)
    assert response.status_code == _status(role, allowed)


def test_the_report_shows_the_services_figures(
    answered: str, client_for: Callable[[str], TestClient]
) -> None:
    page = client_for("viewer").get(f"/assessment/{answered}")
    # Everyone answered 4 or 1 on every question: each mean is 2.5 -> 62.5 of 100.
    assert "62.5 <small>of 100</small>" in page.text
    assert 'data-chart="dimension-scores"' in page.text and 'data-chart="role-groups"' in page.text
    assert "Perception gaps" in page.text and "Executive: 4.00 (n=3)" in page.text
    assert "style=" not in page.text and "<style" not in page.text


@pytest.mark.parametrize(
    ("role", "status"), [("analyst", 201), ("viewer", 403), ("frontline", 403)], ids=str
)
def test_creating_links_by_role(
    role: str, status: int, cycle: str, web_ws: Workspace, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for(role)
    token = csrf_of(client.get("/"))
    response = client.post(
        f"/assessment/{cycle}/invitations",
        data={"csrf_token": token, "role_group": "data", "count": "2"},
    )
    assert response.status_code == status
    assert len(list_invitations(web_ws, cycle)) == (2 if status == 201 else 0)


def test_link_form_errors_name_the_field(
    cycle: str, web_ws: Workspace, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("committee")
    token = csrf_of(client.get("/"))
    bad = client.post(
        f"/assessment/{cycle}/invitations",
        data={"csrf_token": token, "role_group": "data", "count": "two", "expires_in_days": "999"},
    )
    assert bad.status_code == 422 and "is not a whole number" in bad.text
    assert 'id="inv-count-error"' in bad.text
    none = client.post(
        f"/assessment/{cycle}/invitations", data={"csrf_token": token, "role_group": "data"}
    )
    assert none.status_code == 422 and 'id="inv-names-error"' in none.text
    assert list_invitations(web_ws, cycle) == []
    assert (
        client.post(f"/assessment/{cycle}/invitations", data={"role_group": "data"}).status_code
        == 403
    )


def test_revoke_stops_the_link(
    cycle: str, web_ws: Workspace, client_for: Callable[[str], TestClient], anon_client: TestClient
) -> None:
    issued = create_invitations(web_ws, cycle, "data", "lead", ["Jo"])[0]
    client = client_for("analyst")
    page = client.get(f"/assessment/{cycle}/invitations")
    assert "Jo" in page.text and "not opened" in page.text
    done = client.post(
        f"/assessment/{cycle}/invitations/{issued.id}/revoke",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert list_invitations(web_ws, cycle)[0].status == "revoked"
    assert anon_client.get(f"/invite/{issued.token}").status_code == 410


def test_the_report_page_withholds_a_group_of_two_and_shows_a_group_of_three(
    web_ws: Workspace, cycle: str, client_for: Callable[[str], TestClient]
) -> None:
    def add(group: RoleGroup, value: int) -> None:
        r = add_respondent(web_ws, cycle, group, anonymous=True)
        answer_question(web_ws, cycle, r.code, "STR-01", value)

    for value in (4, 4, 3):
        add(RoleGroup.EXECUTIVE, value)
    for value in (1, 2):
        add(RoleGroup.FRONTLINE, value)
    viewer = client_for("viewer")

    def str01_cells() -> list[str]:
        page = viewer.get(f"/assessment/{cycle}").text
        row = page.split('<tr data-question="STR-01">', 1)[1].split("</tr>", 1)[0]
        return re.findall(r'<td class="num">([^<]*)</td>', row)[-2:]

    page = viewer.get(f"/assessment/{cycle}").text
    assert str01_cells() == ["3.67 (n=3)", "withheld"]
    assert "Withheld: fewer than 3 respondents of the group" in html.unescape(page)
    add(RoleGroup.FRONTLINE, 3)
    assert str01_cells() == ["3.67 (n=3)", "2.00 (n=3)"]
