"""The per-address rate limit on public forms, with a limit small enough to reach in a test."""

from __future__ import annotations

from pathlib import Path

import pytest
from trust_fixtures import declare
from web_helpers import TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.services.trust.reviews import list_reviews
from cxsteward.services.workspace import Workspace

# Each test counts requests to a limit within one window.
pytestmark = pytest.mark.usefixtures("one_rate_window")

LIMIT = 3


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(workspace=tmp_path / "ws", public_posts_per_minute=LIMIT)


def test_public_posts_past_the_limit_get_429(web_ws: Workspace, anon_client: TestClient) -> None:
    declare(web_ws)
    token = csrf_of(anon_client.get("/review"))
    data = {
        "csrf_token": token,
        "deployment": "support-chat",
        "description": "Refund refused.",
        "contact": "+44 20 7946 0958",
        "consent": "yes",
    }
    answers = [anon_client.post("/review", data=data).status_code for _ in range(LIMIT)]
    assert answers == [200] * LIMIT
    refused = anon_client.post("/review", data=data)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Too many requests" in refused.text
    # The status lookup has its own count (test_rate_limits.py), so it still answers.
    lookup = anon_client.post("/review/status", data={"csrf_token": token, "code": "RV-1"})
    assert lookup.status_code == 422
    assert len(list_reviews(web_ws)) == LIMIT
