"""One contract for monitoring runs: the CLI's --json, the API and the run's page agree.

On the demo world (a real workspace with a stored run), `cxsteward monitor list/show/finding
--json` print exactly the bytes the API sends for the same objects; a run that lost artifact
files is the same partial run everywhere, naming the files and what to do.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator

import pytest
from api_fixtures import (  # noqa: F401 (fixtures)
    ApiWorld,
    api_client_fixture,
    api_template_fixture,
    api_world_fixture,
)
from typer.testing import CliRunner
from web_helpers import TestClient

from cxsteward.cli.app import app
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import get_user
from cxsteward.services.monitoring.runs import get_run, list_runs
from cxsteward.services.workspace import Workspace
from cxsteward.web.auth import SESSION_COOKIE

ADMIN = "admin"


@pytest.fixture(name="ws")
def ws_fixture(api_world: ApiWorld) -> Iterator[Workspace]:
    ws = api_world.open()
    yield ws
    ws.close()


def _cli(runner: CliRunner, world: ApiWorld, *args: str) -> bytes:
    result = runner.invoke(app, ["--workspace", str(world.settings.workspace), *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout.encode("utf-8")


def _api(client: TestClient, world: ApiWorld, path: str) -> bytes:
    response = client.get(path, headers=world.headers(ADMIN))
    assert response.status_code == 200, response.text
    return response.content


def test_run_list_run_and_finding_are_the_same_bytes(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld, ws: Workspace
) -> None:
    listed = _cli(runner, api_world, "monitor", "list", "--json")
    assert listed == _api(api_client, api_world, "/api/v1/monitoring/runs")
    runs = list_runs(ws)
    # The demo ran the monitor as its data grew: newest first, today's run on top.
    assert [r["id"] for r in json.loads(listed)] == [r.id for r in runs]
    assert [r.id for r in runs] == list(range(len(runs), 0, -1)) and len(runs) > 1
    latest = runs[0].id
    shown = _cli(runner, api_world, "monitor", "show", str(latest), "--json")
    assert shown == _api(api_client, api_world, f"/api/v1/monitoring/runs/{latest}")
    body = json.loads(shown)
    assert body["findings"] and body["evaluations"] and body["comparisons"] and body["metrics"]
    assert len(body["findings"]) == runs[0].n_findings
    for item in body["findings"][:3]:
        one = _cli(runner, api_world, "monitor", "finding", str(item["id"]), "--json")
        assert one == _api(api_client, api_world, f"/api/v1/monitoring/findings/{item['id']}")
        # The finding alone is the finding as its run lists it.
        assert json.loads(one) == item


def test_the_run_is_what_the_run_recorded(
    api_client: TestClient, api_world: ApiWorld, ws: Workspace
) -> None:
    latest = list_runs(ws)[0].id
    body = json.loads(_api(api_client, api_world, f"/api/v1/monitoring/runs/{latest}"))
    folder = api_world.settings.workspace / body["run"]["artifacts"]
    for name in ("evaluations", "comparisons", "metrics"):
        assert body[name] == json.loads((folder / f"{name}.json").read_text("utf-8")), name
    written = json.loads((folder / "findings.json").read_text("utf-8"))
    assert [f["key"] for f in body["findings"]] == [f["key"] for f in written]
    assert all(f["run_id"] == latest for f in body["findings"])
    # Every effect is named, never guessed from which key is present.
    for e in body["evaluations"]:
        assert e["effect_name"] in {"difference", "ratio", "value"} and "difference" not in e
        assert e["unit"] in {"rate", "mean", "count"} and e["metric"]
    kinds: dict[str, int] = {}
    for f in body["findings"]:
        kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    assert body["run"]["findings_by_kind"] == dict(sorted(kinds.items()))
    assert get_run(ws, latest).missing_artifacts == body["missing_artifacts"] == []


@pytest.mark.parametrize("damage", ["delete", "garble"])
def test_a_lost_artifact_is_the_same_partial_run_everywhere(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld, ws: Workspace, damage: str
) -> None:
    run = list_runs(ws)[0]
    lost = api_world.settings.workspace / run.artifacts / "comparisons.json"
    if damage == "delete":
        lost.unlink()
    else:
        lost.write_text('[{"kind": "ai_vs_human_gap"', "utf-8")
    shown = _cli(runner, api_world, "monitor", "show", str(run.id), "--json")
    assert shown == _api(api_client, api_world, f"/api/v1/monitoring/runs/{run.id}")
    body = json.loads(shown)
    # What the registry holds is all there; the lost file is named and its list is empty.
    assert body["missing_artifacts"] == ["comparisons.json"]
    assert body["comparisons"] == [] and body["evaluations"] and body["metrics"]
    assert len(body["findings"]) == run.n_findings
    # The page shows the same run and says which file is lost and what to do.
    page = html.unescape(_page(api_client, ws, f"/monitoring/runs/{run.id}"))
    assert page.count("has lost comparisons.json from") == 2  # the run, and its comparisons
    assert "run `cxsteward monitor run` again" in page
    for f in body["findings"]:
        assert f["message"] in page
    human = runner.invoke(
        app, ["--workspace", str(api_world.settings.workspace), "monitor", "show", str(run.id)]
    )
    assert human.exit_code == 0 and "has lost comparisons.json" in human.stderr


def test_an_unknown_run_or_finding_is_404_everywhere(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld
) -> None:
    for path, args in (
        ("/api/v1/monitoring/runs/99", ["monitor", "show", "99", "--json"]),
        ("/api/v1/monitoring/findings/99999", ["monitor", "finding", "99999", "--json"]),
    ):
        response = api_client.get(path, headers=api_world.headers(ADMIN))
        assert response.status_code == 404
        message = response.json()["error"]["message"]
        result = runner.invoke(app, ["--workspace", str(api_world.settings.workspace), *args])
        assert result.exit_code != 0 and result.stdout == ""
        assert message.split(";")[0].split(".")[0] in result.stderr


def _page(client: TestClient, ws: Workspace, path: str) -> str:
    issued = start_session(ws, get_user(ws, ADMIN).id, ws.settings.session_hours)
    client.cookies.set(SESSION_COOKIE, issued.token)
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return page.text


def test_runs_stored_before_effects_were_named_read_the_same(
    api_client: TestClient, api_world: ApiWorld, ws: Workspace
) -> None:
    run = list_runs(ws)[0]
    path = api_world.settings.workspace / run.artifacts / "evaluations.json"
    current = json.loads(path.read_text("utf-8"))
    assert current
    # The shape earlier versions wrote: the effect under its kind, no metric nor unit.
    legacy = []
    for e in current:
        old = {k: v for k, v in e.items() if k not in {"effect_name", "effect", "metric", "unit"}}
        legacy.append(old | {e["effect_name"]: e["effect"]})
    path.write_text(json.dumps(legacy), "utf-8")
    body = json.loads(_api(api_client, api_world, f"/api/v1/monitoring/runs/{run.id}"))
    assert body["evaluations"] == current and body["missing_artifacts"] == []


def test_trend_and_scorecard_are_the_same_bytes(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld
) -> None:
    trend = _cli(runner, api_world, "monitor", "trend", "support-chat", "escalation_rate", "--json")
    path = "/api/v1/monitoring/trends?deployment=support-chat&metric=escalation_rate"
    assert trend == _api(api_client, api_world, path)
    body = json.loads(trend)
    assert body["points"] and body["weeks"] and body["model_switches"]
    weeks = _cli(
        runner, api_world, "monitor", "trend", "support-chat", "csat_mean", "--weeks", "4", "--json"
    )
    path = "/api/v1/monitoring/trends?deployment=support-chat&metric=csat_mean&weeks=4"
    assert weeks == _api(api_client, api_world, path)
    assert len(json.loads(weeks)["weeks"]) == 4
    card = _cli(runner, api_world, "monitor", "scorecard", "support-chat", "--json")
    assert card == _api(
        api_client, api_world, "/api/v1/monitoring/scorecard?deployment=support-chat"
    )
    assert {c["verdict"] for c in json.loads(card)["cells"]} <= {
        "better",
        "level",
        "worse",
        "too_few",
    }


def test_trend_and_scorecard_refuse_unknowns_alike(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld
) -> None:
    for path, args, status in (
        (
            "/api/v1/monitoring/trends?deployment=nowhere&metric=escalation_rate",
            ["monitor", "trend", "nowhere", "escalation_rate", "--json"],
            404,
        ),
        (
            "/api/v1/monitoring/trends?deployment=support-chat&metric=happiness",
            ["monitor", "trend", "support-chat", "happiness", "--json"],
            404,
        ),
        (
            "/api/v1/monitoring/scorecard?deployment=nowhere",
            ["monitor", "scorecard", "nowhere", "--json"],
            404,
        ),
    ):
        response = api_client.get(path, headers=api_world.headers(ADMIN))
        assert response.status_code == status, path
        message = response.json()["error"]["message"]
        result = runner.invoke(app, ["--workspace", str(api_world.settings.workspace), *args])
        assert result.exit_code == 1 and result.stdout == ""
        assert message.split(";")[0].split(".")[0] in result.stderr
    bad = api_client.get(
        "/api/v1/monitoring/trends?deployment=support-chat&metric=csat_mean&weeks=0",
        headers=api_world.headers(ADMIN),
    )
    assert bad.status_code == 422
    assert api_client.get("/api/v1/monitoring/scorecard?deployment=support-chat").status_code == 401


def test_trust_checks_are_the_same_bytes(
    runner: CliRunner, api_client: TestClient, api_world: ApiWorld
) -> None:
    every = _cli(runner, api_world, "monitor", "trust", "--json")
    assert every == _api(api_client, api_world, "/api/v1/monitoring/trust")
    mine = _cli(runner, api_world, "monitor", "trust", "support-chat", "--json")
    assert mine == _api(api_client, api_world, "/api/v1/monitoring/trust?deployment=support-chat")
    body = json.loads(mine)
    assert body["disclosure"] and {d["deployment"] for d in body["disclosure"]} == {"support-chat"}
    args = ["--workspace", str(api_world.settings.workspace), "monitor", "trust", "nowhere"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "No monitoring run measured" in result.stderr
