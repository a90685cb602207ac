"""The API's assessment, registry and monitoring answers match the services and the files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_fixtures import (  # noqa: F401 (fixtures)
    DECIDER,
    DEPLOYMENT,
    ApiWorld,
    api_client_fixture,
    api_template_fixture,
    api_world_fixture,
)
from web_helpers import TestClient

from cxsteward.domain.governance.spec import Lifecycle
from cxsteward.errors import Invalid
from cxsteward.services.assessment.cycles import list_cycles
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.contract import jsonable
from cxsteward.services.governance.check import check_governance
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.monitoring.runs import list_runs

ADMIN = "admin"


def _get(client: TestClient, world: ApiWorld, path: str, who: str = ADMIN) -> Any:
    response = client.get(path, headers=world.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_cycles_match_the_registry(api_client: TestClient, api_world: ApiWorld) -> None:
    ws = api_world.open()
    try:
        cycles = list_cycles(ws)
    finally:
        ws.close()
    body = _get(api_client, api_world, "/api/v1/assessments/cycles")
    assert [(c["name"], c["status"], c["respondents"], c["answers"]) for c in body] == [
        (c.name, c.status, c.respondents, c.answers) for c in cycles
    ]
    assert {c["name"] for c in body} == {"2026-Q3", "2026-Q4"}


def test_report_is_the_services_report(api_client: TestClient, api_world: ApiWorld) -> None:
    body = _get(api_client, api_world, "/api/v1/assessments/cycles/2026-Q4/report")
    ws = api_world.open()
    try:
        report = assessment_report(ws, "2026-Q4").model_dump(mode="json")
    finally:
        ws.close()
    for key in ("cycle", "overall_score", "dimensions", "stage", "priorities", "trend"):
        assert body[key] == report[key], key


def test_unknown_cycle_is_404_with_a_message(api_client: TestClient, api_world: ApiWorld) -> None:
    response = api_client.get(
        "/api/v1/assessments/cycles/1999-Q1/report", headers=api_world.headers(ADMIN)
    )
    assert response.status_code == 404
    assert "1999-Q1" in response.json()["error"]["message"]


def test_governance_and_deployments_are_the_stored_spec(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    ws = api_world.open()
    try:
        governance = current_governance(ws).model_dump(mode="json")
    finally:
        ws.close()
    assert _get(api_client, api_world, "/api/v1/registry/governance") == governance
    listed = _get(api_client, api_world, "/api/v1/registry/deployments")
    assert listed == governance["deployments"]
    one = _get(api_client, api_world, f"/api/v1/registry/deployments/{DEPLOYMENT}")
    assert one == next(d for d in governance["deployments"] if d["key"] == DEPLOYMENT)


def test_unknown_deployment_lists_the_known_ones(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    response = api_client.get("/api/v1/registry/deployments/nope", headers=api_world.headers(ADMIN))
    assert response.status_code == 404
    assert DEPLOYMENT in response.json()["error"]["message"]


def test_transition_changes_the_registry_in_the_users_name(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    response = api_client.post(
        f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
        headers=api_world.headers(DECIDER),
        json={"status": "paused", "reason": "Wrong prices quoted."},
    )
    assert response.status_code == 201, response.text
    assert response.json()["previous"] == "production"
    assert response.json()["by"] == DECIDER
    ws = api_world.open()
    try:
        deployment = current_governance(ws).deployment(DEPLOYMENT)
    finally:
        ws.close()
    assert deployment is not None
    assert deployment.status is Lifecycle.PAUSED
    assert deployment.history[-1].reason == "Wrong prices quoted."
    assert deployment.history[-1].by == DECIDER


def test_refused_transition_is_409_naming_the_allowed_moves(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    response = api_client.post(
        f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
        headers=api_world.headers(ADMIN),
        json={"status": "pilot", "reason": "Back to the start."},
    )
    assert response.status_code == 409
    assert "allowed: paused, retired" in response.json()["error"]["message"]


def test_transition_body_errors_name_the_field(api_client: TestClient, api_world: ApiWorld) -> None:
    response = api_client.post(
        f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
        headers=api_world.headers(ADMIN),
        json={"status": "sleeping"},
    )
    assert response.status_code == 422
    columns = {p["column"] for p in response.json()["error"]["problems"]}
    assert columns == {"status", "reason"}
    # A blank reason is refused by the schema, before any service runs.
    response = api_client.post(
        f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
        headers=api_world.headers(DECIDER),
        json={"status": "paused", "reason": " \t "},
    )
    assert response.status_code == 422
    assert [p["column"] for p in response.json()["error"]["problems"]] == ["reason"]
    response = api_client.post(
        f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
        headers=api_world.headers(DECIDER),
        json={"status": "paused", "reason": "bad\u0000byte"},
    )
    assert response.status_code == 422


def test_a_move_on_a_far_day_is_recorded_as_asked(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    # Days outside 1900-2199 break the schema's pattern: refused before anything is written.
    for day in ("0001-01-01", "9999-12-31", "0"):
        response = api_client.post(
            f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
            headers=api_world.headers(DECIDER),
            json={"status": "paused", "reason": "far", "on": day},
        )
        assert response.status_code == 422, response.text
    for status, day in (("paused", "1900-01-01"), ("production", "2199-12-31")):
        response = api_client.post(
            f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
            headers=api_world.headers(DECIDER),
            json={"status": status, "reason": "  far  ", "on": day},
        )
        assert response.status_code == 201, response.text
        assert (response.json()["on"], response.json()["reason"]) == (day, "far")


def test_check_is_the_services_check(api_client: TestClient, api_world: ApiWorld) -> None:
    body = _get(api_client, api_world, "/api/v1/registry/check")
    ws = api_world.open()
    try:
        report = jsonable(check_governance(ws))
    finally:
        ws.close()
    assert body["gaps"] == report["gaps"]
    assert body["counts"] == report["counts"]
    assert body["blocking"] is report["blocking"]


def test_run_shows_what_the_run_stored(api_client: TestClient, api_world: ApiWorld) -> None:
    runs = _get(api_client, api_world, "/api/v1/monitoring/runs")
    assert [r["id"] for r in runs] == _run_ids(api_world)
    body = _get(api_client, api_world, f"/api/v1/monitoring/runs/{runs[0]['id']}")
    folder = api_world.settings.workspace / runs[0]["artifacts"]
    for name in ("evaluations", "comparisons", "metrics"):
        assert body[name] == json.loads((folder / f"{name}.json").read_text()), name
    written = json.loads((folder / "findings.json").read_text())
    assert [f["key"] for f in body["findings"]] == [f["key"] for f in written]
    assert len(body["findings"]) == runs[0]["n_findings"]
    assert body["missing_artifacts"] == []


def test_run_with_lost_artifacts_says_so(api_client: TestClient, api_world: ApiWorld) -> None:
    runs = _get(api_client, api_world, "/api/v1/monitoring/runs")
    (api_world.settings.workspace / runs[0]["artifacts"] / "comparisons.json").unlink()
    body = _get(api_client, api_world, f"/api/v1/monitoring/runs/{runs[0]['id']}")
    assert body["missing_artifacts"] == ["comparisons.json"]
    assert body["comparisons"] == []
    assert body["evaluations"]


def test_unknown_run_is_404(api_client: TestClient, api_world: ApiWorld) -> None:
    response = api_client.get("/api/v1/monitoring/runs/99", headers=api_world.headers(ADMIN))
    assert response.status_code == 404
    assert "No monitoring run 99" in response.json()["error"]["message"]


def test_starting_a_run_stores_a_new_one(api_client: TestClient, api_world: ApiWorld) -> None:
    response = api_client.post(
        "/api/v1/monitoring/runs",
        headers=api_world.headers("analyst"),
        json={"window": "month", "date_from": "2026-09-01", "days": 91},
    )
    after = _run_ids(api_world)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["run"]["id"] == after[0] == max(after[1:]) + 1
    # 30 + 31 + 30 days: September to November, both ends included.
    assert (body["run"]["date_from"], body["run"]["date_to"]) == ("2026-09-01", "2026-11-30")
    assert body["run"]["parameters"]["window"] == "month"
    assert body["metrics"]
    assert {m["window"][:7] for m in body["metrics"]} <= {"2026-09", "2026-10", "2026-11"}
    assert [r["id"] for r in _get(api_client, api_world, "/api/v1/monitoring/runs")] == after


def test_a_window_cannot_end_before_it_starts(api_client: TestClient, api_world: ApiWorld) -> None:
    # The window is a first day and a count of days: an inverted one cannot be written, and
    # the schema refuses the old `date_to` (422, as for any field the schema does not hold).
    for body, column in (
        ({"date_from": "2025-03-01", "date_to": "2025-01-01"}, "date_to"),
        ({"date_from": "2025-03-01", "days": 0}, "days"),
        ({"days": 36_601}, "days"),
        ({"fdr": 1}, "fdr"),
        ({"alpha": 0}, "alpha"),
    ):
        response = api_client.post(
            "/api/v1/monitoring/runs", headers=api_world.headers(ADMIN), json=body
        )
        assert response.status_code == 422, body
        assert [p["column"] for p in response.json()["error"]["problems"]] == [column]
    runs = _get(api_client, api_world, "/api/v1/monitoring/runs")
    assert [r["id"] for r in runs] == _run_ids(api_world)
    schema = api_client.get("/openapi.json").json()["components"]["schemas"]["RunCreate"]
    assert schema["properties"]["days"]["anyOf"][0] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 36_600,
    }
    assert schema["additionalProperties"] is False


def test_run_list_limit(api_client: TestClient, api_world: ApiWorld) -> None:
    headers = api_world.headers(ADMIN)
    assert api_client.get("/api/v1/monitoring/runs?limit=0", headers=headers).status_code == 422
    assert len(api_client.get("/api/v1/monitoring/runs?limit=1", headers=headers).json()) == 1
    ws = api_world.open()
    try:
        with pytest.raises(Invalid, match="between 1 and 500"):
            list_runs(ws, limit=501)
    finally:
        ws.close()


def _run_ids(world: ApiWorld) -> list[int]:
    """The registry's monitoring runs, newest first, read without the API."""
    ws = world.open()
    try:
        return [r.id for r in list_runs(ws)]
    finally:
        ws.close()
