"""Incidents, decisions, review requests and feedback through the API change the registry."""

from __future__ import annotations

from typing import Any

import pytest
from api_fixtures import (  # noqa: F401 (fixtures)
    DECIDER,
    DEPLOYMENT,
    NO_RIGHTS,
    ApiWorld,
    api_client_fixture,
    api_template_fixture,
    api_world_fixture,
)
from web_helpers import BASE_URL, TestClient

from cxsteward.config import Settings
from cxsteward.domain.incidents import DecisionAction
from cxsteward.services.accounts.api_tokens import list_tokens, revoke_token
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import get_user
from cxsteward.services.governance.decisions import list_decisions
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.incidents.lifecycle import get_incident, list_incidents
from cxsteward.services.incidents.models import NOT_BLANK, NOTE_MAX, WHY_MAX
from cxsteward.services.people.feedback import get_feedback, list_feedback
from cxsteward.services.trust.reviews import get_review, list_reviews, review_status
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE

ADMIN = "admin"


def _call(
    client: TestClient, world: ApiWorld, method: str, path: str, who: str | None, **kw: Any
) -> Any:
    return client.request(method, path, headers=world.headers(who), **kw)


def test_incident_list_and_filters_match_the_service(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    ws = api_world.open()
    try:
        everything = [i.id for i in list_incidents(ws)]
        open_ones = [i.id for i in list_incidents(ws, status="open", deployment=DEPLOYMENT)]
    finally:
        ws.close()
    body = _call(api_client, api_world, "GET", "/api/v1/incidents", "viewer").json()
    assert [i["id"] for i in body] == everything
    filtered = _call(
        api_client,
        api_world,
        "GET",
        "/api/v1/incidents",
        "viewer",
        params={"status": "open", "deployment": DEPLOYMENT},
    ).json()
    assert [i["id"] for i in filtered] == open_ones
    assert api_world.incident_id in open_ones
    bad = _call(api_client, api_world, "GET", "/api/v1/incidents", "viewer", params={"status": "x"})
    assert bad.status_code == 422


def test_acknowledge_records_the_user_on_the_timeline(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    path = f"/api/v1/incidents/{api_world.incident_id}/acknowledge"
    response = _call(api_client, api_world, "POST", path, "analyst", json={"note": "On it."})
    assert response.status_code == 200, response.text
    body = response.json()
    ws = api_world.open()
    try:
        stored = get_incident(ws, api_world.incident_id)
    finally:
        ws.close()
    assert stored.status == body["status"] == "acknowledged"
    assert stored.events[-1].actor == body["events"][-1]["actor"] == "analyst"
    assert body["events"][-1]["detail"] == {"from": "open", "to": "acknowledged", "note": "On it."}
    again = _call(api_client, api_world, "POST", path, "analyst")
    assert again.status_code == 409
    assert "cannot move from acknowledged to acknowledged" in again.json()["error"]["message"]


def test_status_move_refused_by_the_lifecycle_is_409(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    path = f"/api/v1/incidents/{api_world.incident_id}/status"
    closed = _call(api_client, api_world, "POST", path, ADMIN, json={"status": "closed"})
    assert closed.status_code == 409
    assert "can move to" in closed.json()["error"]["message"]
    mitigating = _call(api_client, api_world, "POST", path, ADMIN, json={"status": "mitigating"})
    assert mitigating.status_code == 200
    # Working on an incident is a response: it counts as acknowledged.
    assert mitigating.json()["acknowledged_at"] is not None
    resolved = _call(api_client, api_world, "POST", path, ADMIN, json={"status": "resolved"})
    assert resolved.status_code == 200
    assert resolved.json()["resolved_at"] is not None


def test_pause_decision_by_a_person_with_the_right(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    path = f"/api/v1/incidents/{api_world.incident_id}/decisions"
    body = {"action": "pause", "why": "The bot quotes wrong prices."}
    response = _call(api_client, api_world, "POST", path, DECIDER, json=body)
    assert response.status_code == 201, response.text
    decided = response.json()
    assert (decided["by"], decided["status_before"], decided["status_after"]) == (
        DECIDER,
        "production",
        "paused",
    )
    ws = api_world.open()
    try:
        stored = list_decisions(ws, incident_id=api_world.incident_id)
        deployment = current_governance(ws).deployment(DEPLOYMENT)
    finally:
        ws.close()
    assert [d.id for d in stored] == [decided["id"]]
    assert deployment is not None and deployment.status.value == "paused"
    detail = _call(
        api_client, api_world, "GET", f"/api/v1/incidents/{api_world.incident_id}", ADMIN
    )
    assert [d["id"] for d in detail.json()["decisions"]] == [decided["id"]]
    assert detail.json()["events"][-1]["kind"] == "decision"


def test_decision_without_the_right_is_403_naming_who_has_it(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    path = f"/api/v1/incidents/{api_world.incident_id}/decisions"
    body = {"action": "pause", "why": "Wrong prices."}
    response = _call(api_client, api_world, "POST", path, NO_RIGHTS, json=body)
    assert response.status_code == 403
    assert DECIDER in response.json()["error"]["message"]
    not_a_person = _call(api_client, api_world, "POST", path, "committee", json=body)
    assert not_a_person.status_code == 403
    assert "'committee' is not a person" in not_a_person.json()["error"]["message"]
    ws = api_world.open()
    try:
        assert list_decisions(ws, incident_id=api_world.incident_id) == []
    finally:
        ws.close()


def test_every_limit_the_server_enforces_is_in_the_published_schema(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    schemas = api_client.get("/openapi.json").json()["components"]["schemas"]
    why = schemas["DecisionCreate"]["properties"]["why"]
    assert (why["maxLength"], why["pattern"]) == (WHY_MAX, NOT_BLANK)
    assert schemas["IncidentUpdate"]["properties"]["note"]["maxLength"] == NOTE_MAX
    assert schemas["AcknowledgeCreate"]["properties"]["note"]["maxLength"] == NOTE_MAX
    actions = schemas["DecisionAction"]["enum"]
    assert sorted(actions) == sorted(a.value for a in DecisionAction)
    assert schemas["EventOut"]["properties"]["detail"]["type"] == "object"
    # A blank reason or an overlong note is refused by the schema (422), never later as 400.
    path = f"/api/v1/incidents/{api_world.incident_id}"
    blank = {"action": "pause", "why": "   "}
    refused = _call(api_client, api_world, "POST", f"{path}/decisions", DECIDER, json=blank)
    assert refused.status_code == 422
    long_note = {"status": "acknowledged", "note": "n" * (NOTE_MAX + 1)}
    refused = _call(api_client, api_world, "POST", f"{path}/status", ADMIN, json=long_note)
    assert refused.status_code == 422
    fits = {"status": "acknowledged", "note": "n" * NOTE_MAX}
    assert (
        _call(api_client, api_world, "POST", f"{path}/status", ADMIN, json=fits).status_code == 200
    )
    gone = _call(api_client, api_world, "GET", "/api/v1/incidents/99999", "viewer")
    assert gone.status_code == 404 and "No incident 99999" in gone.json()["error"]["message"]


def test_review_queue_start_and_resolve(api_client: TestClient, api_world: ApiWorld) -> None:
    queue = _call(api_client, api_world, "GET", "/api/v1/reviews", "frontline").json()
    # The queue holds every unfinished request: the demo's overdue one on billing-voice too.
    ws = api_world.open()
    try:
        waiting = [r.id for r in list_reviews(ws)]
    finally:
        ws.close()
    assert [r["id"] for r in queue] == waiting and api_world.review_id in waiting
    (mine,) = (r for r in queue if r["id"] == api_world.review_id)
    assert mine["hours_left"] > 0
    base = f"/api/v1/reviews/{api_world.review_id}"
    early = _call(
        api_client,
        api_world,
        "POST",
        f"{base}/resolve",
        ADMIN,
        json={"outcome": "changed", "text": "Refunded."},
    )
    assert early.status_code == 409
    started = _call(api_client, api_world, "POST", f"{base}/start", "frontline")
    assert started.json()["started_by"] == "frontline"
    resolved = _call(
        api_client,
        api_world,
        "POST",
        f"{base}/resolve",
        "analyst",
        json={"outcome": "changed", "text": "We refunded you."},
    )
    assert resolved.status_code == 200, resolved.text
    ws = api_world.open()
    try:
        stored = get_review(ws, api_world.review_id)
        public = review_status(ws, api_world.review_code)
    finally:
        ws.close()
    assert (stored.status, stored.resolved_by, stored.outcome) == ("resolved", "analyst", "changed")
    shown = _call(
        api_client,
        api_world,
        "POST",
        "/api/v1/public/review-requests/status",
        None,
        json={"code": api_world.review_code},
    )
    assert shown.json()["outcome_text"] == public.outcome_text == "We refunded you."
    assert "contact" not in shown.json()
    left = _call(api_client, api_world, "GET", "/api/v1/reviews", ADMIN).json()
    assert [r["id"] for r in left] == [i for i in waiting if i != api_world.review_id]


def test_public_review_request_returns_a_working_code(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    body = {
        "deployment": DEPLOYMENT,
        "description": "Loan refused by the bot.",
        "contact": "+44 20 7946 0000",
        "reference": "APP-7",
    }
    response = _call(
        api_client, api_world, "POST", "/api/v1/public/review-requests", None, json=body
    )
    assert response.status_code == 201, response.text
    code = response.json()["tracking_code"]
    status = api_client.post(
        "/api/v1/public/review-requests/status", headers={"X-Tracking-Code": code}
    )
    assert status.json()["status"] == "received"
    ws = api_world.open()
    try:
        assert (
            review_status(ws, code).due_at.isoformat().replace("+00:00", "Z")
            == status.json()["due_at"]
        )
    finally:
        ws.close()


def test_public_review_request_errors(api_client: TestClient, api_world: ApiWorld) -> None:
    body = {"deployment": DEPLOYMENT, "description": "Refused.", "contact": "not a contact"}
    bad = _call(api_client, api_world, "POST", "/api/v1/public/review-requests", None, json=body)
    # The schema declares the forms of a contact: a 422 in the service's own words.
    assert bad.status_code == 422
    assert "e-mail" in bad.json()["error"]["problems"][0]["message"].lower()
    unknown = _call(
        api_client,
        api_world,
        "POST",
        "/api/v1/public/review-requests/status",
        None,
        json={"code": "RV-AAAA-BBBB-CCCC-DDDD"},
    )
    assert unknown.status_code == 404
    assert "tracking code" in unknown.json()["error"]["message"]
    # No code names no request: a 404, since the schema cannot require one of two places.
    missing = api_client.post("/api/v1/public/review-requests/status")
    assert missing.status_code == 404
    assert "X-Tracking-Code" in missing.json()["error"]["message"]


def test_the_tracking_code_is_never_taken_from_the_address(
    api_client: TestClient, api_world: ApiWorld
) -> None:
    code = api_world.review_code
    in_path = api_client.get(f"/api/v1/public/review-requests/{code}")
    assert in_path.status_code in (404, 405)
    assert "received" not in in_path.text
    in_query = api_client.post(f"/api/v1/public/review-requests/status?code={code}")
    # The query string is ignored: the lookup had no code, so it names no request.
    assert in_query.status_code == 404
    assert "received" not in in_query.text
    document = api_client.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/public/review-requests/status"]["post"]
    places = {parameter["in"] for parameter in operation.get("parameters", [])}
    assert places <= {"header"}, places
    assert not any("{code}" in path for path in document["paths"])


@pytest.mark.usefixtures("one_rate_window")
def test_public_posts_are_rate_limited(api_world: ApiWorld) -> None:
    settings = Settings(workspace=api_world.settings.workspace, public_posts_per_minute=2)
    body = {"deployment": DEPLOYMENT, "description": "Refused.", "contact": "a@example.com"}
    with TestClient(create_app(settings), base_url=BASE_URL) as client:
        statuses = [
            client.post("/api/v1/public/review-requests", json=body).status_code for _ in range(3)
        ]
        last = client.post("/api/v1/public/review-requests", json=body)
    assert statuses == [201, 201, 429]
    assert int(last.headers["retry-after"]) >= 1
    assert "Too many requests" in last.json()["error"]["message"]


def test_feedback_submit_triage_close(api_client: TestClient, api_world: ApiWorld) -> None:
    sent = _call(
        api_client,
        api_world,
        "POST",
        "/api/v1/feedback",
        "frontline",
        json={
            "deployment": DEPLOYMENT,
            "category": "tone",
            "description": "Curt reply.",
            "anonymous": True,
        },
    )
    assert sent.status_code == 201, sent.text
    flag_id = sent.json()["id"]
    assert sent.json()["follow_up_code"]
    shown = _call(api_client, api_world, "GET", f"/api/v1/feedback/{flag_id}", "viewer").json()
    assert (shown["anonymous"], shown["reporter"]) == (True, None)
    close = f"/api/v1/feedback/{flag_id}/close"
    early = _call(
        api_client,
        api_world,
        "POST",
        close,
        ADMIN,
        json={"status": "acted_on", "text": "Retrained."},
    )
    assert early.status_code == 409
    triaged = _call(
        api_client,
        api_world,
        "POST",
        f"/api/v1/feedback/{flag_id}/triage",
        "analyst",
        json={"severity": "sev3", "owner": DECIDER, "note": "Tone guide."},
    )
    assert triaged.json()["owner"] == DECIDER
    done = _call(
        api_client,
        api_world,
        "POST",
        close,
        "analyst",
        json={"status": "declined", "text": "Within policy."},
    )
    assert done.status_code == 200
    ws = api_world.open()
    try:
        stored = get_feedback(ws, flag_id)
        news = [f.id for f in list_feedback(ws, status="new")]
    finally:
        ws.close()
    assert (stored.status, stored.declined_by, stored.decline_reason) == (
        "declined",
        "analyst",
        "Within policy.",
    )
    listed = _call(
        api_client, api_world, "GET", "/api/v1/feedback", ADMIN, params={"status": "new"}
    ).json()
    # The demo's untriaged billing-voice flag is new too.
    assert [f["id"] for f in listed] == news and api_world.feedback_id in news


def test_feedback_owner_must_be_a_person(api_client: TestClient, api_world: ApiWorld) -> None:
    path = f"/api/v1/feedback/{api_world.feedback_id}/triage"
    response = _call(
        api_client, api_world, "POST", path, ADMIN, json={"severity": "sev3", "owner": "nobody"}
    )
    assert response.status_code == 404
    assert "nobody" in response.json()["error"]["message"]


def test_revoked_or_malformed_tokens_get_401(api_client: TestClient, api_world: ApiWorld) -> None:
    ws = api_world.open()
    try:
        revoke_token(ws, next(t.id for t in list_tokens(ws, "viewer")))
    finally:
        ws.close()
    for headers in (
        api_world.headers("viewer"),
        {"Authorization": "Bearer cxs_not-a-token"},
        {"Authorization": f"Basic {api_world.tokens[ADMIN]}"},
    ):
        response = api_client.get("/api/v1/incidents", headers=headers)
        assert response.status_code == 401, headers
    assert _call(api_client, api_world, "GET", "/api/v1/incidents", ADMIN).status_code == 200


def test_session_cookie_does_not_open_the_api(api_client: TestClient, api_world: ApiWorld) -> None:
    # The API reads bearer tokens only: a browser's cookie must not reach it (no CSRF there).
    ws = api_world.open()
    try:
        issued = start_session(ws, get_user(ws, ADMIN).id, 8)
    finally:
        ws.close()
    api_client.cookies.set(SESSION_COOKIE, issued.token, domain="testserver")
    assert api_client.get("/api/v1/incidents").status_code == 401
