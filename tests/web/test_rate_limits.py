"""Separate rate-limit buckets: customers flooding public forms never lock staff out.

Sign-in counts per address and per account, public forms per address, the status lookup
(web page and API together) per address. Limits are set small so that a test reaches them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from trust_fixtures import declare
from web_helpers import BASE_URL, TestClient, csrf_of, password_of

from cxsteward.config import Settings
from cxsteward.services.trust.reviews import submit_review_request
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import create_app

# Each test counts requests to a limit within one window.
pytestmark = pytest.mark.usefixtures("one_rate_window")

LIMIT = 3
REVIEW = {
    "deployment": "support-chat",
    "description": "Refund refused.",
    "contact": "+44 20 7946 0958",
    "consent": "yes",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        workspace=tmp_path / "ws",
        public_posts_per_minute=LIMIT,
        sign_ins_per_minute=LIMIT,
        sign_ins_per_account_per_minute=LIMIT,
        status_lookups_per_minute=LIMIT,
    )


def client_at(settings: Settings, address: str) -> TestClient:
    return TestClient(create_app(settings), base_url=BASE_URL, client=(address, 40000))


def sign_in(client: TestClient, username: str, password: str) -> int:
    token = csrf_of(client.get("/login"))
    data = {"csrf_token": token, "username": username, "password": password}
    return client.post("/login", data=data, follow_redirects=False).status_code


def flood_review_form(client: TestClient) -> list[int]:
    token = csrf_of(client.get("/review"))
    data = {**REVIEW, "csrf_token": token}
    return [client.post("/review", data=data).status_code for _ in range(LIMIT + 2)]


def lookup(client: TestClient, code: str) -> int:
    token = csrf_of(client.get("/review/status"))
    return client.post("/review/status", data={"csrf_token": token, "code": code}).status_code


def test_flooding_the_public_form_never_blocks_staff_sign_in(
    settings: Settings, web_ws: Workspace
) -> None:
    declare(web_ws)
    with client_at(settings, "203.0.113.10") as client:
        assert flood_review_form(client) == [200] * LIMIT + [429, 429]
        assert sign_in(client, "admin", password_of("admin")) == 303
        # Signed in, the same address goes on working; public forms stay refused.
        assert client.get("/reviews").status_code == 200


def test_flooding_the_public_form_leaves_the_status_lookup_open(
    settings: Settings, web_ws: Workspace
) -> None:
    declare(web_ws)
    receipt = submit_review_request(web_ws, "support-chat", "Refused.", "a@example.com")
    with client_at(settings, "203.0.113.11") as client:
        assert flood_review_form(client)[-1] == 429
        assert lookup(client, receipt.tracking_code) == 200


def test_the_status_lookup_has_its_own_bucket_shared_with_the_api(
    settings: Settings, web_ws: Workspace
) -> None:
    declare(web_ws)
    receipt = submit_review_request(web_ws, "support-chat", "Refused.", "a@example.com")
    with client_at(settings, "203.0.113.12") as client:
        assert [lookup(client, "RV-AAAA-BBBB-CCCC-DDDD") for _ in range(LIMIT - 1)] == [404] * (
            LIMIT - 1
        )
        api = client.post(
            "/api/v1/public/review-requests/status", json={"code": receipt.tracking_code}
        )
        assert api.status_code == 200
        # Web and API lookups together reached the limit: even the right code waits now.
        assert lookup(client, receipt.tracking_code) == 429
        refused = client.post(
            "/api/v1/public/review-requests/status",
            headers={"X-Tracking-Code": receipt.tracking_code},
        )
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        # The form and sign-in are not affected.
        token = csrf_of(client.get("/review"))
        assert client.post("/review", data={**REVIEW, "csrf_token": token}).status_code == 200
        assert sign_in(client, "analyst", password_of("analyst")) == 303
    with client_at(settings, "203.0.113.13") as other:
        assert lookup(other, receipt.tracking_code) == 200


def test_sign_in_per_address(settings: Settings, web_ws: Workspace) -> None:
    with client_at(settings, "203.0.113.20") as client:
        # Different accounts, one address: the address's count stops the guessing.
        tries = [sign_in(client, name, "wrong-password-123") for name in ("a", "b", "c", "d")]
        assert tries == [400, 400, 400, 429]
        assert sign_in(client, "admin", password_of("admin")) == 429
    with client_at(settings, "203.0.113.21") as elsewhere:
        assert sign_in(elsewhere, "admin", password_of("admin")) == 303


def test_sign_in_per_account_across_addresses(settings: Settings, web_ws: Workspace) -> None:
    statuses = []
    for n in range(LIMIT + 1):
        with client_at(settings, f"198.51.100.{n + 1}") as client:
            statuses.append(sign_in(client, "Viewer", "wrong-password-123"))
    assert statuses == [400] * LIMIT + [429]
    with client_at(settings, "198.51.100.99") as client:
        # The account is resting, whatever the spelling of its name ...
        token = csrf_of(client.get("/login"))
        data = {"csrf_token": token, "username": " viewer ", "password": password_of("viewer")}
        refused = client.post("/login", data=data)
        assert refused.status_code == 429
        assert "for this account" in refused.text
        # ... while other accounts sign in from the same address.
        assert sign_in(client, "analyst", password_of("analyst")) == 303


def test_under_the_limits_nothing_is_refused(web_ws: Workspace) -> None:
    """The default limits let a normal morning through: several staff, a few customers."""
    settings = Settings(workspace=web_ws.settings.workspace)
    declare(web_ws)
    with client_at(settings, "203.0.113.30") as client:
        for role in ("admin", "committee", "analyst", "frontline", "viewer"):
            assert sign_in(client, role, password_of(role)) == 303
        assert flood_review_form(client) == [200] * (LIMIT + 2)
