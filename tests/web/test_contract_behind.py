"""The behind / model-changes / freshness read models: the CLI's --json is the API's body."""

from __future__ import annotations

import json

from api_fixtures import (  # noqa: F401 (fixtures)
    ApiWorld,
    api_client_fixture,
    api_template_fixture,
    api_world_fixture,
)
from typer.testing import CliRunner
from web_helpers import TestClient

from cxsteward.cli.app import app

ADMIN = "admin"


def _cli(runner: CliRunner, world: ApiWorld, *args: str) -> bytes:
    result = runner.invoke(app, ["--workspace", str(world.settings.workspace), *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout.encode("utf-8")


def _api(client: TestClient, world: ApiWorld, path: str, user: str | None = ADMIN) -> bytes:
    response = client.get(path, headers=world.headers(user))
    assert response.status_code == 200, response.text
    return response.content


def test_behind_is_the_same_bytes(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld
) -> None:
    printed = _cli(runner, api_world, "monitor", "behind", "--limit", "5", "--json")
    assert printed == _api(api_client, api_world, "/api/v1/monitoring/behind?limit=5")
    body = json.loads(printed)
    assert body["items"] and len(body["items"]) <= 5 and body["total"] >= len(body["items"])
    one = body["items"][0]["deployment"]
    only = _cli(runner, api_world, "monitor", "behind", "--deployment", one, "--json")
    assert only == _api(api_client, api_world, f"/api/v1/monitoring/behind?deployment={one}")
    assert {i["deployment"] for i in json.loads(only)["items"]} == {one}


def test_model_changes_are_the_same_bytes(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld
) -> None:
    printed = _cli(runner, api_world, "monitor", "model-changes", "support-chat", "--json")
    path = "/api/v1/monitoring/model-changes?deployment=support-chat"
    assert printed == _api(api_client, api_world, path)
    body = json.loads(printed)
    assert body["deployment"] == "support-chat" and body["switches"]


def test_freshness_is_the_same_bytes(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld
) -> None:
    printed = _cli(runner, api_world, "data", "freshness", "--stale-after", "30", "--json")
    assert printed == _api(api_client, api_world, "/api/v1/data/freshness?stale_after_days=30")
    body = json.loads(printed)
    assert body["newest_contact"] and body["deployments"]


def test_readers_may_read_them_and_others_may_not(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    paths = (
        "/api/v1/monitoring/behind",
        "/api/v1/monitoring/model-changes?deployment=support-chat",
        "/api/v1/data/freshness",
    )
    for path in paths:
        for user in ("admin", "committee", "analyst", "viewer"):
            assert api_client.get(path, headers=api_world.headers(user)).status_code == 200
        assert api_client.get(path, headers=api_world.headers("frontline")).status_code == 403
        assert api_client.get(path).status_code == 401


def test_bad_queries_are_refused_by_the_schema(api_client: TestClient, api_world: ApiWorld) -> None:
    headers = api_world.headers(ADMIN)
    for path in (
        "/api/v1/monitoring/behind?limit=0",
        "/api/v1/monitoring/behind?limit=51",
        "/api/v1/monitoring/model-changes",
        "/api/v1/data/freshness?stale_after_days=-1",
    ):
        assert api_client.get(path, headers=headers).status_code == 422, path
    missing = api_client.get("/api/v1/monitoring/model-changes?deployment=nope", headers=headers)
    assert missing.status_code == 404 and "nope" in missing.text


def test_the_text_output_reads_in_plain_words(runner: CliRunner, api_world: ApiWorld) -> None:
    text = _cli(runner, api_world, "monitor", "behind").decode()
    assert "the human rate" in text or "humans" in text
    changes = _cli(runner, api_world, "monitor", "model-changes", "support-chat").decode()
    assert "days each side" in changes
    fresh = _cli(runner, api_world, "data", "freshness").decode()
    assert "newest contact" in fresh.lower()
