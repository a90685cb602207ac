"""Adoption: ``metrics adoption --json`` prints the very bytes the API sends, and the demo's
data (the synthetic contacts) shows team t5's overrides."""

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
from cxsteward.services.assessment.evidence import evidence_for
from cxsteward.services.incidents.lifecycle import list_incidents


def _cli(world: ApiWorld, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["--workspace", str(world.settings.workspace), "metrics", "adoption", *args]
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_adoption_json_is_the_api_body_byte_for_byte(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    for cli_args, params, role in (
        ((), {}, "viewer"),
        (("--by", "agent"), {"by": "agent"}, "analyst"),
        (("--weekly",), {}, "frontline"),
    ):
        path = "/api/v1/monitoring/adoption" + ("/weeks" if "--weekly" in cli_args else "")
        response = api_client.get(path, headers=api_world.headers(role), params=params)
        assert response.status_code == 200, response.text
        printed = _cli(api_world, *cli_args, "--json")
        assert printed.encode("utf-8") == response.content
        assert json.loads(printed), "the demo has human contacts with an assistant"


def test_demo_team_t5_is_the_one_that_stands_out(api_world: ApiWorld) -> None:
    teams = json.loads(_cli(api_world, "--json"))
    flagged = {(t["team"], t["flag"]) for t in teams if t["flag"] != "within"}
    assert ("t5", "above") in flagged
    assert all(t["basis"] == "ai_assisted" for t in teams)


def test_agents_are_refused_to_roles_without_adoption_agents(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    for role in ("committee", "frontline", "viewer"):
        response = api_client.get(
            "/api/v1/monitoring/adoption",
            headers=api_world.headers(role),
            params={"by": "agent"},
        )
        assert response.status_code == 403
        assert "adoption:agents" in response.json()["error"]["message"]


def test_the_demo_takes_up_t5_and_ppl10_reads_it(api_world: ApiWorld) -> None:
    ws = api_world.open()
    try:
        incidents = [
            i
            for i in list_incidents(ws)
            if i.metric in ("override_rate", "assist_rate") and i.deployment == "billing-voice"
        ]
        report = evidence_for(ws)
    finally:
        ws.close()
    assert [i.title.split(":")[0] for i in incidents] == ["Team t5"]
    ppl10 = next(q for q in report.questions if q.question_id == "PPL-10")
    texts = [item.text for item in ppl10.items]
    assert any(t.startswith("billing-voice: monitoring run") for t in texts), texts
    assert not any("no incident on override_rate" in t for t in texts), texts
