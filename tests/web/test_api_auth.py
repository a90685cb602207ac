"""Bearer tokens for /api/v1: 401 without a valid one, 200 with one, 401 again once revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import APIRouter
from web_helpers import BASE_URL, TestClient

from cxsteward.config import Settings
from cxsteward.domain.access import Permission, Role, permissions_of
from cxsteward.services.accounts import api_tokens
from cxsteward.services.accounts.api_tokens import create_token, revoke_token
from cxsteward.services.accounts.users import disable_user
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import create_app
from cxsteward.web.deps import require_api


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer cxs_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "cxs_token-without-scheme"},
    ],
    ids=["none", "unknown", "empty", "basic", "no-scheme"],
)
def test_no_valid_token_is_401(anon_client: TestClient, headers: dict[str, str]) -> None:
    response = anon_client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["status"] == 401


def test_a_valid_token_acts_as_its_user(anon_client: TestClient, web_ws: Workspace) -> None:
    issued = create_token(web_ws, "analyst", "ci", actor="test")
    response = anon_client.get("/api/v1/me", headers=bearer(issued.token))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "analyst" and body["role"] == "analyst"
    assert body["permissions"] == sorted(p.value for p in permissions_of(Role.ANALYST))


def test_a_session_cookie_is_not_enough_for_the_api(client: TestClient) -> None:
    assert client.get("/api/v1/me").status_code == 401


def test_a_revoked_token_is_401(anon_client: TestClient, web_ws: Workspace) -> None:
    issued = create_token(web_ws, "viewer", "script", actor="test")
    assert anon_client.get("/api/v1/me", headers=bearer(issued.token)).status_code == 200
    revoke_token(web_ws, issued.id, actor="test")
    assert anon_client.get("/api/v1/me", headers=bearer(issued.token)).status_code == 401


def test_a_disabled_users_token_is_401(anon_client: TestClient, web_ws: Workspace) -> None:
    issued = create_token(web_ws, "frontline", "script", actor="test")
    disable_user(web_ws, "frontline", actor="test")
    assert anon_client.get("/api/v1/me", headers=bearer(issued.token)).status_code == 401


def test_an_expired_token_is_401(
    anon_client: TestClient, web_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = create_token(web_ws, "viewer", "short", days=1, actor="test")
    assert anon_client.get("/api/v1/me", headers=bearer(issued.token)).status_code == 200
    later = datetime.now(UTC) + timedelta(days=2)
    real = api_tokens.authenticate_token
    monkeypatch.setattr(
        "cxsteward.web.auth.authenticate_token", lambda ws, token: real(ws, token, at=later)
    )
    assert anon_client.get("/api/v1/me", headers=bearer(issued.token)).status_code == 401


def test_the_api_needs_no_csrf_token(anon_client: TestClient, web_ws: Workspace) -> None:
    # Bearer tokens are never sent by a browser on its own, so CSRF cannot use them; a POST
    # to the API gets past the CSRF check and meets the router (405: /me is GET only).
    issued = create_token(web_ws, "viewer", "script", actor="test")
    response = anon_client.post("/api/v1/me", headers=bearer(issued.token))
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405


def test_api_errors_are_json(anon_client: TestClient) -> None:
    response = anon_client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


def test_the_openapi_document_is_public_and_lists_the_api(anon_client: TestClient) -> None:
    document = anon_client.get("/openapi.json").json()
    assert "/api/v1/me" in document["paths"]
    assert not any(path.startswith("/admin") for path in document["paths"])


def test_permission_is_checked_for_tokens(settings: Settings, web_ws: Workspace) -> None:
    app = create_app(settings)
    extra = APIRouter(prefix="/api/v1")

    @extra.get("/users-only", dependencies=[require_api(Permission.USERS_MANAGE)])
    def users_only() -> dict[str, bool]:
        return {"ok": True}

    app.include_router(extra)
    admin = create_token(web_ws, "admin", "a", actor="test").token
    viewer = create_token(web_ws, "viewer", "v", actor="test").token
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/api/v1/users-only", headers=bearer(admin)).status_code == 200
        denied = client.get("/api/v1/users-only", headers=bearer(viewer))
    assert denied.status_code == 403
    assert "users:manage" in denied.json()["error"]["message"]
