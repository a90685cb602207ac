"""One contract for governance and assessment cycles: ``--json`` prints the bytes the API sends.

The chain check carries the moment it ran, so the CLI and the app read one fixed clock: the
CLI's workspace is opened with it (the one place the CLI makes a workspace), the app is
created with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from api_fixtures import (  # noqa: F401 (fixtures)
    DECIDER,
    DEPLOYMENT,
    ApiWorld,
    api_template_fixture,
    api_world_fixture,
)
from typer.testing import CliRunner
from web_helpers import BASE_URL, TestClient

from cxsteward.cli import common
from cxsteward.cli.app import app
from cxsteward.config import Settings
from cxsteward.services.assessment.cycles import list_cycles
from cxsteward.services.clock import FixedClock
from cxsteward.services.governance.check import check_governance
from cxsteward.services.workspace import Workspace, open_workspace
from cxsteward.web.app import create_app

CLOCK = FixedClock(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))


@pytest.fixture(name="client")
def client_fixture(api_world: ApiWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    def opened(settings: Settings) -> Workspace:
        return open_workspace(settings, clock=CLOCK)

    monkeypatch.setattr(common, "open_workspace", opened)
    app_ = create_app(api_world.settings, clock=CLOCK)
    with TestClient(app_, base_url=BASE_URL) as client:
        yield client


def _cli(world: ApiWorld, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--workspace", str(world.settings.workspace), *args])
    assert result.exit_code == code, result.stderr
    return result.stdout


def _api(client: TestClient, world: ApiWorld, path: str) -> bytes:
    response = client.get(path, headers=world.headers("viewer"))
    assert response.status_code == 200, response.text
    return response.content


def test_check_json_is_the_api_check_byte_for_byte(client: TestClient, api_world: ApiWorld) -> None:
    sent = _api(client, api_world, "/api/v1/registry/check")
    body = json.loads(sent)
    # The demo's chain has blocking gaps, so the command exits 2 after printing.
    printed = _cli(api_world, "governance", "check", "--json", code=2 if body["blocking"] else 0)
    assert printed.encode("utf-8") == sent
    # The same object as the service's, at the fixed moment.
    ws = open_workspace(api_world.settings, clock=CLOCK)
    try:
        report = check_governance(ws)
    finally:
        ws.close()
    assert body["checked_at"] == "2026-12-01T09:30:00Z" and body["today"] == "2026-12-01"
    assert [(g["rule"], g["object"]) for g in body["gaps"]] == [
        (g.rule, g.object) for g in report.gaps
    ]
    blocking = sum(g.blocking for g in report.gaps)
    assert body["counts"] == {"blocking": blocking, "warnings": len(report.gaps) - blocking}


def test_cycles_json_is_the_api_list_byte_for_byte(client: TestClient, api_world: ApiWorld) -> None:
    printed = _cli(api_world, "assess", "cycles", "--json")
    sent = _api(client, api_world, "/api/v1/assessments/cycles")
    assert printed.encode("utf-8") == sent
    ws = open_workspace(api_world.settings)
    try:
        stored = list_cycles(ws)
    finally:
        ws.close()
    listed = json.loads(sent)
    assert [(c["name"], c["status"], c["respondents"], c["answers"]) for c in listed] == [
        (c.name, c.status, c.respondents, c.answers) for c in stored
    ]
    assert len(listed) == 2 and all(c["answers"] > 0 for c in listed)


def test_a_move_prints_what_the_api_returns_for_the_same_move(
    client: TestClient, api_world: ApiWorld
) -> None:
    # The same move made twice, once per adapter: pause it by the CLI, resume it by the API,
    # then compare the CLI's printed move with the API's answer to the mirror move.
    printed = json.loads(
        _cli(
            api_world,
            "governance",
            "deployment-status",
            DEPLOYMENT,
            "paused",
            "--by",
            DECIDER,
            "--reason",
            "complaints",
            "--json",
        )
    )
    response = client.post(
        f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
        headers=api_world.headers(DECIDER),
        json={"status": printed["previous"], "reason": "complaints"},
    )
    assert response.status_code == 201, response.text
    sent = response.json()
    assert list(printed) == list(sent)
    assert (printed["status"], sent["previous"]) == ("paused", "paused")
    assert (printed["by"], sent["by"]) == (DECIDER, DECIDER)
    assert printed["on"] == sent["on"] == date(2026, 12, 1).isoformat()
    assert printed["authority"] == f"pause right on {DEPLOYMENT}"


def test_report_json_is_the_api_report_byte_for_byte(
    client: TestClient, api_world: ApiWorld
) -> None:
    ws = open_workspace(api_world.settings)
    try:
        cycle = list_cycles(ws)[-1].name
    finally:
        ws.close()
    printed = _cli(api_world, "assess", "report", cycle, "--json")
    sent = _api(client, api_world, f"/api/v1/assessments/cycles/{cycle}/report")
    assert printed.encode("utf-8") == sent
    body = json.loads(sent)
    assert body["cycle"] == cycle and body["dimensions"]
