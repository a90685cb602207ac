"""Training has one contract: the CLI's --json is the API's body, byte for byte, and the API
refuses what the services would, with the same located problems."""

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


def cli_json(runner: CliRunner, world: ApiWorld, *args: str) -> bytes:
    folder = str(world.settings.workspace)
    result = runner.invoke(app, ["--workspace", folder, "training", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def api_body(client: TestClient, world: ApiWorld, path: str) -> bytes:
    response = client.get(path, headers=world.headers(ADMIN))
    assert response.status_code == 200, response.text
    return response.content


def test_coverage_and_modules_print_the_api_bodies(
    runner: CliRunner, api_world: ApiWorld, api_client: TestClient
) -> None:
    shown = cli_json(runner, api_world, "coverage", "--as-of", "2026-12-01")
    assert shown == api_body(api_client, api_world, "/api/v1/training/coverage?as_of=2026-12-01")
    # The demo's learning-system imports are there: someone is overdue.
    assert b'"standing": "overdue"' in shown
    modules = cli_json(runner, api_world, "modules")
    assert modules == api_body(api_client, api_world, "/api/v1/training/modules")


def test_a_recorded_completion_is_the_same_object_on_both_sides(
    runner: CliRunner, api_world: ApiWorld, api_client: TestClient
) -> None:
    body = {"person": "ravi-patel", "module": "ai-at-the-front-line", "completed_on": "2026-12-01"}
    created = api_client.post(
        "/api/v1/training/completions", json=body, headers=api_world.headers(ADMIN)
    )
    assert created.status_code == 201, created.text
    assert created.json()["recorded_by"] == ADMIN and created.json()["source"] == "recorded by hand"
    listed = api_body(api_client, api_world, "/api/v1/training/completions?person=ravi-patel")
    assert created.json() in json.loads(listed)
    again = api_client.post(
        "/api/v1/training/completions", json=body, headers=api_world.headers(ADMIN)
    )
    assert again.status_code == 409 and "already has" in again.json()["error"]["message"]


def test_an_import_refused_by_the_api_lists_located_problems(
    api_world: ApiWorld, api_client: TestClient
) -> None:
    body = {
        "name": "lms.csv",
        "csv": "who,what,when\nghost,ai-at-the-front-line,2026-11-30\n",
        "mapping": {"person": "who", "module": "what", "completed_on": "when"},
    }
    response = api_client.post(
        "/api/v1/training/imports", json=body, headers=api_world.headers(ADMIN)
    )
    assert response.status_code == 400, response.text
    [problem] = response.json()["error"]["problems"]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == (
        "lms.csv",
        2,
        "who",
        "ghost",
    )
    bad = api_client.post(
        "/api/v1/training/completions",
        json={"person": "Not A Key", "module": "x", "completed_on": "2026-13-01"},
        headers=api_world.headers(ADMIN),
    )
    assert bad.status_code == 422
