"""Signing in and out: the real form, one message for every failure, expiry, logout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from web_helpers import TestClient, csrf_of, password_of

from cxsteward.registry.tables_web import WebSessionRecord
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import SIGN_IN_FAILED, disable_user, get_user
from cxsteward.services.workspace import Workspace
from cxsteward.web.auth import SESSION_COOKIE


def sign_in(client: TestClient, username: str, password: str, next_path: str = "/") -> object:
    page = client.get(f"/login?next={next_path}")
    form = {"username": username, "password": password, "next": next_path}
    return client.post("/login", data={**form, "csrf_token": csrf_of(page)}, follow_redirects=False)


def session_rows(ws: Workspace) -> int:
    with ws.engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(WebSessionRecord)).scalar_one()
        )


def test_sign_in_opens_a_session_and_goes_to_next(
    anon_client: TestClient, web_ws: Workspace
) -> None:
    response = sign_in(anon_client, "analyst", password_of("analyst"), "/admin/users")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/users"
    assert session_rows(web_ws) == 1
    home = anon_client.get("/")
    assert home.status_code == 200
    assert "Analyst User" in home.text
    assert get_user(web_ws, "analyst").last_login_at is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("analyst", "not-the-password-at-all"),
        ("nobody-by-that-name", "not-the-password-at-all"),
        ("", ""),
        ("ANALYST ", "wrong-password-1234"),
    ],
    ids=["wrong-password", "unknown-user", "empty", "wrong-password-other-case"],
)
def test_failed_sign_in_says_the_same_thing_whoever_it_was(
    anon_client: TestClient, web_ws: Workspace, username: str, password: str
) -> None:
    response = sign_in(anon_client, username, password)
    assert response.status_code == 400
    assert SIGN_IN_FAILED in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert session_rows(web_ws) == 0


def test_username_is_case_insensitive(anon_client: TestClient) -> None:
    assert sign_in(anon_client, " Analyst", password_of("analyst")).status_code == 303


def test_a_disabled_user_cannot_sign_in_and_is_signed_out(
    anon_client: TestClient, client_for: Callable[[str], TestClient], web_ws: Workspace
) -> None:
    signed_in = client_for("viewer")
    assert signed_in.get("/", follow_redirects=False).status_code == 200
    disable_user(web_ws, "viewer", actor="test")
    assert signed_in.get("/", follow_redirects=False).status_code == 302
    response = sign_in(anon_client, "viewer", password_of("viewer"))
    assert response.status_code == 400
    assert SIGN_IN_FAILED in response.text


def test_an_expired_session_sends_the_visitor_to_sign_in(
    make_client: Callable[..., TestClient], web_ws: Workspace
) -> None:
    user = get_user(web_ws, "admin")
    past = datetime.now(UTC) - timedelta(hours=13)
    expired = start_session(web_ws, user.id, hours=12, at=past)
    fresh = start_session(web_ws, user.id, hours=12)
    old_client, new_client = make_client(), make_client()
    old_client.cookies.set(SESSION_COOKIE, expired.token)
    new_client.cookies.set(SESSION_COOKIE, fresh.token)
    assert old_client.get("/", follow_redirects=False).status_code == 302
    assert new_client.get("/", follow_redirects=False).status_code == 200


def test_sign_out_deletes_the_session_row(
    anon_client: TestClient, web_ws: Workspace, make_client: Callable[..., TestClient]
) -> None:
    sign_in(anon_client, "committee", password_of("committee"))
    token = anon_client.cookies.get(SESSION_COOKIE)
    assert token and session_rows(web_ws) == 1
    page = anon_client.get("/")
    response = anon_client.post(
        "/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?signed_out=true"
    assert session_rows(web_ws) == 0
    # The old cookie, replayed from elsewhere, opens nothing any more.
    replay = make_client()
    replay.cookies.set(SESSION_COOKIE, token)
    assert replay.get("/", follow_redirects=False).status_code == 302
    assert "You have signed out." in anon_client.get("/login?signed_out=true").text


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_sign_in_never_redirects_off_site(anon_client: TestClient, target: str) -> None:
    response = sign_in(anon_client, "viewer", password_of("viewer"), target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_signed_in_visitor_skips_the_form(client: TestClient) -> None:
    response = client.get("/login?next=/admin/users", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/admin/users"


def test_htmx_requests_without_a_session_get_a_redirect_header(anon_client: TestClient) -> None:
    response = anon_client.get("/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login?next=/"


def test_signing_in_again_ends_the_previous_session(
    anon_client: TestClient, web_ws: Workspace
) -> None:
    sign_in(anon_client, "viewer", password_of("viewer"))
    assert session_rows(web_ws) == 1
    token = csrf_of(anon_client.get("/"))
    form = {"username": "analyst", "password": password_of("analyst"), "next": "/"}
    response = anon_client.post(
        "/login", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert session_rows(web_ws) == 1
    assert "Analyst User" in anon_client.get("/").text
