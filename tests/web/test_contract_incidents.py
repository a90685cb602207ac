"""One contract for incidents and decisions: ``--json`` prints the very bytes the API sends."""

from __future__ import annotations

import json

from api_fixtures import (  # noqa: F401 (fixtures)
    DECIDER,
    DEPLOYMENT,
    ApiWorld,
    api_client_fixture,
    api_template_fixture,
    api_world_fixture,
)
from typer.testing import CliRunner
from web_helpers import TestClient

from cxsteward.cli.app import app
from cxsteward.services.contract import render_json


def _cli(world: ApiWorld, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["--workspace", str(world.settings.workspace), "incident", *args]
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _api(client: TestClient, world: ApiWorld, path: str, **params: str) -> bytes:
    response = client.get(path, headers=world.headers("viewer"), params=params)
    assert response.status_code == 200, response.text
    return response.content


def test_incident_show_json_is_the_api_detail_byte_for_byte(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    incident_id = str(api_world.incident_id)
    printed = _cli(api_world, "show", incident_id, "--json")
    sent = _api(api_client, api_world, f"/api/v1/incidents/{incident_id}")
    assert printed.encode("utf-8") == sent
    body = json.loads(sent)
    # The same object: the seeded incident, its opening on the timeline, no decision yet.
    assert body["id"] == api_world.incident_id
    assert body["title"] == "Chat assistant quotes old prices"
    assert [e["kind"] for e in body["events"]][0] == "opened"
    assert body["decisions"] == []


def test_incident_list_json_is_the_api_list_byte_for_byte(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    printed = _cli(api_world, "list", "--json")
    sent = _api(api_client, api_world, "/api/v1/incidents")
    assert printed.encode("utf-8") == sent
    listed = json.loads(sent)
    assert len(listed) > 1 and api_world.incident_id in [i["id"] for i in listed]
    # The list is a summary: the timeline is read one incident at a time.
    assert all("events" not in item for item in listed)

    printed = _cli(api_world, "list", "--status", "open", "--deployment", DEPLOYMENT, "--json")
    sent = _api(api_client, api_world, "/api/v1/incidents", status="open", deployment=DEPLOYMENT)
    assert printed.encode("utf-8") == sent
    assert {(i["status"], i["deployment"]) for i in json.loads(sent)} == {("open", DEPLOYMENT)}


def test_ack_and_decide_print_what_the_api_then_serves(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    incident_id = str(api_world.incident_id)
    acked = _cli(api_world, "ack", incident_id, "--by", DECIDER, "--note", "on it", "--json")
    detail = _api(api_client, api_world, f"/api/v1/incidents/{incident_id}")
    assert acked.encode("utf-8") == detail
    assert json.loads(detail)["status"] == "acknowledged"

    decided = _cli(
        api_world,
        "decide",
        "pause",
        "--deployment",
        DEPLOYMENT,
        "--by",
        DECIDER,
        "--why",
        "quotes are wrong",
        "--incident",
        incident_id,
        "--json",
    )
    stored = json.loads(_api(api_client, api_world, f"/api/v1/incidents/{incident_id}"))
    # The decision the API lists on the incident, written alone, is what the CLI printed.
    assert decided.encode("utf-8") == render_json(stored["decisions"][-1])
    assert stored["decisions"][-1]["action"] == "pause"
    assert stored["decisions"][-1]["by"] == DECIDER


def test_a_decision_the_api_records_is_the_one_it_then_lists(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    path = f"/api/v1/incidents/{api_world.incident_id}"
    made = api_client.post(
        f"{path}/decisions",
        headers=api_world.headers(DECIDER),
        json={"action": "pause", "why": "quotes are wrong"},
    )
    assert made.status_code == 201, made.text
    stored = json.loads(_api(api_client, api_world, path))
    assert made.content == render_json(stored["decisions"][-1])
    printed = json.loads(_cli(api_world, "show", str(api_world.incident_id), "--json"))
    assert printed["decisions"] == stored["decisions"]
