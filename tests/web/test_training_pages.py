"""The /training page: access by role, coverage shown, recording by hand, importing a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from trust_fixtures import ROLES, expected, role_client, token_of
from web_helpers import TestClient

from cxsteward.services.governance.setup import apply_governance, read_governance_file
from cxsteward.services.training.completions import list_completions, record_completion
from cxsteward.services.training.models import CompletionCreate
from cxsteward.services.workspace import Workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "governance.yaml"
VIEW = {"admin", "committee", "analyst", "viewer"}
MANAGE = {"admin", "committee", "analyst"}
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def tr_ws(web_ws: Workspace) -> Workspace:
    apply_governance(web_ws, read_governance_file(EXAMPLE))
    body = CompletionCreate.model_validate(
        {"person": "julie-moreau", "module": "ai-at-the-front-line", "completed_on": "2024-02-01"}
    )
    record_completion(web_ws, body, by="tests")
    return web_ws


@pytest.mark.parametrize("role", ROLES)
def test_the_page_by_role(
    tr_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    response = client.get("/training?as_of=2024-06-01", follow_redirects=False)
    assert response.status_code == expected(VIEW)[role]
    if role not in VIEW:
        return
    page = response.text
    assert 'data-module="ai-at-the-front-line"' in page
    # Julie is current on 2024-06-01; four others of her module never took it.
    row = page.split('data-module="ai-at-the-front-line"', 1)[1].split("</tr>", 1)[0]
    cells = [c.split("<", 1)[0] for c in row.split('<td class="num">')[1:]]
    assert cells == ["5", "1", "0", "4"]
    assert ('action="/training/completions"' in page) == (role in MANAGE)
    assert ('action="/training/imports"' in page) == (role in MANAGE)
    assert 'href="/training"' in page  # the header links the page


def test_an_overdue_renewal_is_listed(tr_ws: Workspace, client: TestClient) -> None:
    page = client.get("/training?as_of=2025-03-01").text
    overdue = page.split('data-testid="overdue"', 1)[1].split("</ul>", 1)[0]
    assert "Julie Moreau (frontline)" in overdue and "current until 2025-01-31" in overdue


def record(client: TestClient, **fields: str) -> Any:
    data = {"csrf_token": token_of(client), **fields}
    return client.post("/training/completions", data=data, follow_redirects=False)


def upload(client: TestClient, text: str, name: str = "lms.csv") -> Any:
    fields = {
        "csrf_token": token_of(client),
        "person_column": "Who",
        "module_column": "Course",
        "day_column": "Done",
    }
    files = {"file": (name, text.encode("utf-8"), "text/csv")}
    return client.post("/training/imports", data=fields, files=files, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_the_forms_by_role(
    tr_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    one = {"person": "ravi-patel", "module": "ai-at-the-front-line", "completed_on": "2024-05-01"}
    got = [
        record(client, **one).status_code,
        upload(
            client, "Who,Course,Done\nkwame-asante,ai-at-the-front-line,2024-05-02\n"
        ).status_code,
    ]
    denied = 303 if role == "anonymous" else 403
    assert got == ([303, 303] if role in MANAGE else [denied, denied])
    people = sorted(c.person for c in list_completions(tr_ws))
    assert people == (
        ["julie-moreau", "kwame-asante", "ravi-patel"] if role in MANAGE else ["julie-moreau"]
    )


def test_a_refused_import_shows_each_located_problem(tr_ws: Workspace, client: TestClient) -> None:
    text = f"Who,Course,Done\n{HOSTILE},ai-at-the-front-line,2024-05-02\nravi-patel,x,03/04/2024\n"
    response = upload(client, text)
    assert response.status_code == 422
    problems = response.text.split('data-testid="import-problems"', 1)[1].split("</div>", 1)[0]
    assert "Row 2, column “Who”" in problems and "names nobody" in problems
    assert "&lt;script&gt;" in problems and HOSTILE not in response.text
    assert "Row 3, column “Course”, value “x”" in problems
    assert "Row 3, column “Done”, value “03/04/2024”: is ambiguous" in problems
    assert [c.person for c in list_completions(tr_ws)] == ["julie-moreau"]
    empty = upload(client, "")
    assert empty.status_code == 422 and "Choose the export to import." in empty.text


def test_a_refused_record_says_why(tr_ws: Workspace, client: TestClient) -> None:
    response = record(client, person="", module="ai-at-the-front-line", completed_on="2024-13-01")
    assert response.status_code == 422
    assert 'aria-invalid="true" aria-describedby="person-error"' in response.text
    assert 'id="completed_on-error"' in response.text
    twice = {
        "person": "julie-moreau",
        "module": "ai-at-the-front-line",
        "completed_on": "2024-02-01",
    }
    response = record(client, **twice)
    assert response.status_code == 409 and "already has ai-at-the-front-line" in response.text


def test_posts_without_csrf_are_refused(tr_ws: Workspace, client: TestClient) -> None:
    one = {"person": "ravi-patel", "module": "ai-at-the-front-line", "completed_on": "2024-05-01"}
    assert client.post("/training/completions", data=one).status_code == 403
    assert len(list_completions(tr_ws)) == 1
