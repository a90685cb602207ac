"""``cxsteward serve``'s workers build the busiest pages' figures before the first visitor.

Cold, the overview's first request built every figure (seconds with real data), and under
load everyone queued behind it. The app of ``serve`` (``warm=True``) builds them in the
background at start-up, then takes what start-up made out of the cyclic garbage
collector's full passes. Each worker also runs only ``web_threads`` requests at once.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest
from anyio import to_thread
from test_query_counts import KEPT, counting, declare_world
from web_helpers import BASE_URL, TestClient

from cxsteward.config import Settings
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import get_user
from cxsteward.services.workspace import Workspace
from cxsteward.web import app as web_app
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE


@pytest.fixture(autouse=True)
def cold() -> Iterator[None]:
    """Every kept figure dropped before and after; the collector as it was after."""
    for model in KEPT:
        model.clear()
    yield
    for model in KEPT:
        model.clear()
    gc.unfreeze()


def started(settings: Settings, ws: Workspace, warm: bool) -> TestClient:
    client = TestClient(create_app(settings, warm=warm), base_url=BASE_URL)
    client.__enter__()
    issued = start_session(ws, get_user(ws, "committee").id, settings.session_hours)
    client.cookies.set(SESSION_COOKIE, issued.token)
    return client


def overview_statements(client: TestClient) -> list[int]:
    """Statements of two overview requests in a row."""
    ws: Workspace = client.app.state.ws  # type: ignore[attr-defined]
    counts = []
    for _ in range(2):
        with counting(ws) as statements:
            assert client.get("/").status_code == 200
        counts.append(len(statements))
    return counts


def test_a_warm_start_has_the_overview_built_before_the_first_request(
    settings: Settings, web_ws: Workspace
) -> None:
    declare_world(web_ws, 2)
    client = started(settings, web_ws, warm=True)
    try:
        client.app.state.warming.join(60)  # type: ignore[attr-defined]
        assert not client.app.state.warming.is_alive()  # type: ignore[attr-defined]
        first, second = overview_statements(client)
        assert first == second  # the first request found every figure kept
        assert gc.get_freeze_count() > 0
    finally:
        client.__exit__(None, None, None)


def test_without_a_warm_start_the_first_request_builds_the_figures(
    settings: Settings, web_ws: Workspace
) -> None:
    declare_world(web_ws, 2)
    client = started(settings, web_ws, warm=False)
    try:
        assert not client.app.state.warming.is_alive()  # type: ignore[attr-defined]
        first, second = overview_statements(client)
        assert first > second + 20  # the gate, readiness and the rest read the registry
    finally:
        client.__exit__(None, None, None)


def test_a_failed_warm_start_is_logged_and_the_pages_still_work(
    settings: Settings,
    web_ws: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("the contact store is unreadable")

    monkeypatch.setattr(web_app, "gather_overview", broken)
    with caplog.at_level(logging.ERROR, logger="cxsteward.web.app"):
        client = started(settings, web_ws, warm=True)
        try:
            client.app.state.warming.join(60)  # type: ignore[attr-defined]
            assert client.get("/").status_code == 200
        finally:
            client.__exit__(None, None, None)
    failed = [r for r in caplog.records if "start-up failed" in r.getMessage()]
    assert len(failed) == 1 and "the contact store is unreadable" in (failed[0].exc_text or "")


def test_a_worker_runs_as_many_requests_at_once_as_its_setting_says(
    settings: Settings, web_ws: Workspace
) -> None:
    async def pool_size() -> float:
        return to_thread.current_default_thread_limiter().total_tokens

    for threads in (3, 24):
        app = create_app(settings.model_copy(update={"web_threads": threads}))
        with TestClient(app, base_url=BASE_URL) as client:
            assert client.portal.call(pool_size) == threads  # type: ignore[union-attr]
