"""Consent has one contract: the CLI's --json is the API's body, byte for byte; the API's
schema refuses what the services would refuse; and the check exits 2 on a breach."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_fixtures import (  # noqa: F401 (fixtures)
    DEPLOYMENT,
    ApiWorld,
    api_client_fixture,
    api_template_fixture,
    api_world_fixture,
)
from typer.testing import CliRunner
from web_helpers import TestClient

from cxsteward.cli.app import app

ADMIN = "admin"


def cli(runner: CliRunner, world: ApiWorld, *args: str) -> tuple[int, bytes]:
    result = runner.invoke(app, ["--workspace", str(world.settings.workspace), *args, "--json"])
    return result.exit_code, result.stdout_bytes


def api(client: TestClient, world: ApiWorld, path: str, role: str = ADMIN) -> Any:
    return client.get(path, headers=world.headers(role))


def test_the_check_prints_the_api_body_and_exits_2_on_the_demo_breaches(
    runner: CliRunner, api_world: ApiWorld, api_client: TestClient
) -> None:
    code, printed = cli(runner, api_world, "consent", "check")
    response = api(api_client, api_world, "/api/v1/consent/check", "viewer")
    assert response.status_code == 200
    assert printed == response.content
    assert code == 2
    body = json.loads(printed)
    # The demo's two opted-out customers served by the support chat's AI afterwards.
    assert {b["deployment"] for b in body["breaches"]} == {"support-chat"}
    assert sum(b["customers"] for b in body["breaches"]) == 2
    assert all(r["source"] and r["source_row"] for b in body["breaches"] for r in b["rows"])
    # Customer ids are personal data: the check names contacts, never customers.
    assert "customer_id" not in printed.decode()


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("consent", "notices"), "/api/v1/consent/notices"),
        (("consent", "choices"), "/api/v1/consent/choices"),
    ],
    ids=["notices", "choices"],
)
def test_the_lists_print_the_api_bodies(
    runner: CliRunner, api_world: ApiWorld, api_client: TestClient, args: tuple[str, ...], path: str
) -> None:
    code, printed = cli(runner, api_world, *args)
    assert code == 0
    assert printed == api(api_client, api_world, path).content
    assert len(json.loads(printed)) >= 4


def test_a_choice_posted_is_the_one_listed(api_world: ApiWorld, api_client: TestClient) -> None:
    body = {
        "customer_id": "c-api-9",
        "kind": "ai_opt_out",
        "chosen_at": "2026-01-05T10:00:00+01:00",
        "source": "phone",
        "deployment": DEPLOYMENT,
        "channel": "chat",
    }
    made = api_client.post("/api/v1/consent/choices", json=body, headers=api_world.headers(ADMIN))
    assert made.status_code == 201, made.text
    assert made.json()["chosen_at"] == "2026-01-05T09:00:00Z"
    listed = api(api_client, api_world, "/api/v1/consent/choices?customer_id=c-api-9").json()
    assert listed == [made.json()]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"customer_id": "=cmd"}, 422),
        ({"customer_id": ""}, 422),
        ({"kind": "opt_in"}, 422),
        ({"source": "fax"}, 422),
        ({"chosen_at": "2026-01-05T10:00:00"}, 422),
        ({"chosen_at": "2199-01-05T10:00:00Z"}, 409),
        ({"deployment": "Support Chat"}, 422),
        ({"deployment": "ghost"}, 404),
        ({"channel": "fax"}, 404),
        ({"extra": 1}, 422),
    ],
    ids=[
        "formula",
        "blank",
        "kind",
        "source",
        "naive",
        "future",
        "key",
        "unknown",
        "channel",
        "extra",
    ],
)
def test_a_bad_choice_is_refused(
    api_world: ApiWorld, api_client: TestClient, change: dict[str, object], status: int
) -> None:
    body = {
        "customer_id": "c-api-1",
        "kind": "ai_opt_out",
        "chosen_at": "2026-01-05T10:00:00Z",
        "source": "phone",
        "deployment": DEPLOYMENT,
        **change,
    }
    response = api_client.post(
        "/api/v1/consent/choices", json=body, headers=api_world.headers(ADMIN)
    )
    assert response.status_code == status, response.text
