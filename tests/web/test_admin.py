"""The Users and API tokens pages: add, change role, disable, enable; create and revoke."""

from __future__ import annotations

import re

from web_helpers import TestClient, csrf_of

from cxsteward.services.accounts.api_tokens import authenticate_token, list_tokens
from cxsteward.services.accounts.users import authenticate, get_user, list_users
from cxsteward.services.workspace import Workspace


def post(client: TestClient, path: str, data: dict[str, str]) -> object:
    token = csrf_of(client.get("/admin/users"))
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


NEW_USER = {
    "username": "Lena",
    "display_name": "Lena Fischer",
    "role": "committee",
    "password": "a-long-password",
    "password_again": "a-long-password",
}


def test_users_page_lists_everyone(client: TestClient) -> None:
    page = client.get("/admin/users")
    assert page.status_code == 200
    for name in ("Admin User", "Committee User", "Viewer User"):
        assert name in page.text
    assert "<caption>5 users</caption>" in page.text


def test_add_a_user(client: TestClient, web_ws: Workspace) -> None:
    response = post(client, "/admin/users", NEW_USER)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/admin/users?notice=added"  # type: ignore[attr-defined]
    lena = get_user(web_ws, "lena")
    assert (lena.display_name, lena.role.value, lena.active) == ("Lena Fischer", "committee", True)
    assert "The user was added" in client.get("/admin/users?notice=added").text


def test_adding_a_user_twice_shows_the_conflict_on_the_form(client: TestClient) -> None:
    post(client, "/admin/users", NEW_USER)
    response = post(client, "/admin/users", NEW_USER)
    # A Conflict: 409 as everywhere (web/errors.py form_status); 422 is for wrong fields.
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "already exists" in response.text  # type: ignore[attr-defined]
    assert 'value="Lena Fischer"' in response.text  # type: ignore[attr-defined]


def test_different_passwords_are_refused(client: TestClient, web_ws: Workspace) -> None:
    response = post(client, "/admin/users", {**NEW_USER, "password_again": "something-else"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "the two passwords differ" in response.text  # type: ignore[attr-defined]
    assert "lena" not in {u.username for u in list_users(web_ws)}


def test_a_short_password_is_refused(client: TestClient) -> None:
    short = {**NEW_USER, "password": "short", "password_again": "short"}
    response = post(client, "/admin/users", short)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "at least 10 characters" in response.text  # type: ignore[attr-defined]


def test_change_role_disable_and_enable(client: TestClient, web_ws: Workspace) -> None:
    assert post(client, "/admin/users/viewer/role", {"role": "analyst"}).status_code == 303  # type: ignore[attr-defined]
    assert get_user(web_ws, "viewer").role.value == "analyst"
    post(client, "/admin/users/viewer/disable", {})
    assert not get_user(web_ws, "viewer").active
    assert "disabled" in client.get("/admin/users").text
    post(client, "/admin/users/viewer/enable", {})
    assert get_user(web_ws, "viewer").active


def test_the_last_admin_cannot_be_disabled(client: TestClient, web_ws: Workspace) -> None:
    response = post(client, "/admin/users/admin/disable", {})
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "last active admin" in response.text  # type: ignore[attr-defined]
    assert get_user(web_ws, "admin").active


def test_an_unknown_user_is_404(client: TestClient) -> None:
    response = post(client, "/admin/users/ghost/disable", {})
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert "No user named" in response.text  # type: ignore[attr-defined]


def test_create_show_once_and_revoke_a_token(client: TestClient, web_ws: Workspace) -> None:
    page = client.get("/admin/tokens")
    assert "No tokens yet." in page.text
    response = client.post(
        "/admin/tokens",
        data={"username": "analyst", "name": "nightly", "days": "30", "csrf_token": csrf_of(page)},
    )
    assert response.status_code == 201
    shown = re.search(r'<code class="secret" id="new-token">([^<]+)</code>', response.text)
    assert shown
    assert authenticate_token(web_ws, shown.group(1)) is not None
    (token,) = list_tokens(web_ws)
    assert token.expires_at is not None and token.status == "active"
    # The list never shows the token again, only its first characters.
    listing = client.get("/admin/tokens").text
    assert shown.group(1) not in listing and token.prefix in listing
    revoked = client.post(
        f"/admin/tokens/{token.id}/revoke",
        data={"csrf_token": csrf_of(client.get("/admin/tokens"))},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert authenticate_token(web_ws, shown.group(1)) is None
    assert "revoked" in client.get("/admin/tokens?notice=revoked").text


def test_a_token_with_bad_days_is_refused_on_the_form(client: TestClient) -> None:
    page = client.get("/admin/tokens")
    response = client.post(
        "/admin/tokens",
        data={"username": "analyst", "name": "x", "days": "soon", "csrf_token": csrf_of(page)},
    )
    assert response.status_code == 422
    assert "days must be a whole number" in response.text


def test_notices_come_only_from_the_fixed_list(client: TestClient) -> None:
    page = client.get("/admin/users?notice=<b>pwned</b>")
    assert "pwned" not in page.text


def test_set_a_new_password(client: TestClient, web_ws: Workspace) -> None:
    response = post(client, "/admin/users/viewer/password", {"password": "brand-new-password"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert authenticate(web_ws, "viewer", "brand-new-password").username == "viewer"
    refused = post(client, "/admin/users/viewer/password", {"password": "short"})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "at least 10 characters" in refused.text  # type: ignore[attr-defined]
