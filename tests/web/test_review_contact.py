"""Frontline staff see a customer's contact details only on review requests they took.

Operators (review:contact) see them on every request; the page and the API agree.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from trust_fixtures import declare
from web_helpers import TestClient, csrf_of

from cxsteward.services.accounts.api_tokens import create_token
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import add_user
from cxsteward.services.trust.reviews import start_review, submit_review_request
from cxsteward.services.workspace import Workspace
from cxsteward.web.auth import SESSION_COOKIE

CONTACT = "kim.customer@example.com"


@pytest.fixture
def review_id(web_ws: Workspace) -> int:
    declare(web_ws)
    return submit_review_request(web_ws, "support-chat", "Refund refused.", CONTACT).id


def api_contact(client: TestClient, ws: Workspace, username: str, review_id: int) -> object:
    token = create_token(ws, username, "contact-test").token
    headers = {"Authorization": f"Bearer {token}"}
    one = client.get(f"/api/v1/reviews/{review_id}", headers=headers)
    assert one.status_code == 200, one.text
    listed = client.get("/api/v1/reviews", headers=headers).json()
    (row,) = [r for r in listed if r["id"] == review_id]
    assert row["contact"] == one.json()["contact"]
    return one.json()["contact"]


def test_frontline_sees_the_contact_only_after_taking_the_request(
    client_for: Callable[[str], TestClient],
    anon_client: TestClient,
    web_ws: Workspace,
    review_id: int,
) -> None:
    frontline = client_for("frontline")
    page = frontline.get(f"/reviews/{review_id}")
    assert page.status_code == 200
    assert CONTACT not in page.text and 'data-testid="contact-withheld"' in page.text
    assert api_contact(anon_client, web_ws, "frontline", review_id) is None
    token = csrf_of(page)
    taken = frontline.post(f"/reviews/{review_id}/start", data={"csrf_token": token})
    assert taken.status_code == 200 and CONTACT in taken.text
    assert api_contact(anon_client, web_ws, "frontline", review_id) == CONTACT


def test_another_frontline_colleague_does_not_see_it(
    make_client: Callable[..., TestClient],
    anon_client: TestClient,
    web_ws: Workspace,
    review_id: int,
) -> None:
    start_review(web_ws, review_id, "frontline")
    colleague = add_user(web_ws, "frontline-2", "pw-frontline-2-0123456789", "frontline", "Sam")
    client = make_client()
    client.cookies.set(SESSION_COOKIE, start_session(web_ws, colleague.id, 1).token)
    page = client.get(f"/reviews/{review_id}")
    assert page.status_code == 200 and CONTACT not in page.text
    assert api_contact(anon_client, web_ws, "frontline-2", review_id) is None
    assert api_contact(anon_client, web_ws, "frontline", review_id) == CONTACT


@pytest.mark.parametrize("role", ["admin", "committee", "analyst"])
def test_operators_see_every_contact(
    client_for: Callable[[str], TestClient],
    anon_client: TestClient,
    web_ws: Workspace,
    review_id: int,
    role: str,
) -> None:
    page = client_for(role).get(f"/reviews/{review_id}")
    assert CONTACT in page.text and "contact-withheld" not in page.text
    assert api_contact(anon_client, web_ws, role, review_id) == CONTACT
