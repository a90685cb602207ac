"""Behind a reverse proxy: the client's address from trusted proxies only; HSTS when told TLS.

A TestClient's ``client`` is the TCP peer; X-Forwarded-For is what a proxy adds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from trust_fixtures import declare
from web_helpers import BASE_URL, LiveServer, TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import create_app
from cxsteward.web.forwarded import TrustedProxies

# Each test counts requests to a limit within one window.
pytestmark = pytest.mark.usefixtures("one_rate_window")

PROXY = "10.0.0.5"
OUTSIDER = "192.0.2.77"
LIMIT = 2
REVIEW = {
    "deployment": "support-chat",
    "description": "Refund refused.",
    "contact": "a@example.com",
    "consent": "yes",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        workspace=tmp_path / "ws",
        public_posts_per_minute=LIMIT,
        forwarded_allow_ips=f"{PROXY},127.0.0.1",
    )


@pytest.fixture
def via(settings: Settings, web_ws: Workspace) -> Iterator[dict[str, TestClient]]:
    declare(web_ws)
    clients = {
        peer: TestClient(create_app(settings), base_url=BASE_URL, client=(peer, 40000))
        for peer in (PROXY, OUTSIDER)
    }
    for client in clients.values():
        client.__enter__()
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def post_review(client: TestClient, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_of(client.get("/review", headers=headers))
    data = {**REVIEW, "csrf_token": token}
    return client.post("/review", data=data, headers=headers).status_code


def test_a_trusted_proxy_counts_each_forwarded_client_apart(via: dict[str, TestClient]) -> None:
    proxy = via[PROXY]
    assert [post_review(proxy, "203.0.113.1") for _ in range(3)] == [200, 200, 429]
    # Another customer behind the same proxy has a count of its own.
    assert post_review(proxy, "203.0.113.2") == 200
    # The client is the rightmost address that is not a trusted proxy.
    assert post_review(proxy, "203.0.113.1, 127.0.0.1") == 429
    assert post_review(proxy, "198.51.100.5, 203.0.113.2") == 200


def test_an_untrusted_peer_cannot_choose_its_address(via: dict[str, TestClient]) -> None:
    outsider = via[OUTSIDER]
    # Each post claims another address; all count against the peer itself.
    statuses = [post_review(outsider, f"203.0.113.{n}") for n in (50, 51, 52)]
    assert statuses == [200, 200, 429]


def test_a_malformed_forwarded_address_is_not_believed(via: dict[str, TestClient]) -> None:
    proxy = via[PROXY]
    assert [post_review(proxy, "<script>") for _ in range(2)] == [200, 200]
    # Garbage falls back to the peer, the proxy itself: one bucket for all garbage.
    assert post_review(proxy, "not-an-address") == 429
    assert post_review(proxy, "203.0.113.9") == 200


@pytest.mark.parametrize(
    ("setting", "peer", "header", "expected"),
    [
        ("", "10.0.0.5", "203.0.113.1", "10.0.0.5"),
        ("10.0.0.0/8", "10.0.0.5", "203.0.113.1", "203.0.113.1"),
        ("10.0.0.0/8", "10.0.0.5", "203.0.113.1, 10.1.1.1", "203.0.113.1"),
        ("10.0.0.0/8", "10.0.0.5", "10.2.2.2, 10.1.1.1", "10.2.2.2"),
        ("10.0.0.0/8", "172.16.0.1", "203.0.113.1", "172.16.0.1"),
        ("*", "172.16.0.1", "203.0.113.1", "203.0.113.1"),
        ("::1", "::1", "2001:db8::7", "2001:db8::7"),
        ("10.0.0.0/8", "testclient", "203.0.113.1", "testclient"),
        ("10.0.0.0/8", "10.0.0.5", "", "10.0.0.5"),
    ],
)
def test_client_of(setting: str, peer: str, header: str, expected: str) -> None:
    assert TrustedProxies.parse(setting).client_of(peer, header) == expected


def test_a_bad_proxy_setting_is_refused_with_the_value(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="'10.0.0.300' is not an IP address or network"):
        Settings(workspace=tmp_path, forwarded_allow_ips="127.0.0.1, 10.0.0.300")


def test_the_access_log_shows_the_forwarded_client(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    response = httpx.get(f"{live_server.url}/healthz", headers={"X-Forwarded-For": "203.0.113.8"})
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any(line.startswith("203.0.113.8:0 ") for line in lines), lines


# --- HSTS ------------------------------------------------------------------------------


def test_hsts_is_sent_when_the_app_is_told_it_is_served_over_tls(
    settings: Settings, web_ws: Workspace
) -> None:
    told = settings.model_copy(update={"tls": True})
    with TestClient(create_app(told), base_url="http://testserver") as client:
        for path in ("/login", "/no-such-page", "/static/css/app.css", "/api/v1/me"):
            header = client.get(path).headers.get("strict-transport-security")
            assert header == "max-age=31536000", path


def test_no_hsts_without_the_tls_setting(settings: Settings, web_ws: Workspace) -> None:
    assert settings.tls is False
    with TestClient(create_app(settings), base_url=BASE_URL) as client:
        for path in ("/login", "/no-such-page", "/api/v1/me"):
            assert "strict-transport-security" not in client.get(path).headers, path
