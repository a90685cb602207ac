"""Reviews and feedback have one contract: the CLI's --json is the API's body, byte for byte,
and the API's schema refuses every body the services would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from cxsteward.domain.trust import CONSENT_MAX, TEXT_MAX
from cxsteward.services.people.feedback import act_on_feedback, list_feedback, triage_feedback
from cxsteward.services.trust.reviews import list_reviews, resolve_review, start_review
from cxsteward.web.security import PUBLIC_FORM_MAX_BYTES

ADMIN = "admin"
PUBLIC = "/api/v1/public/review-requests"
REQUEST = {
    "deployment": DEPLOYMENT,
    "description": "The bot refused my refund.",
    "contact": "kim@example.com",
}


@pytest.fixture(name="finished")
def finished_fixture(api_world: ApiWorld) -> Iterator[ApiWorld]:
    """The world with every review request resolved and a flag acted on.

    A finished request has no running SLA clock (no hours left, never overdue), so what
    the CLI prints does not depend on the moment it runs.
    """
    ws = api_world.open()
    try:
        for review in list_reviews(ws):
            if review.status == "received":
                start_review(ws, review.id, "omar")
            resolve_review(ws, review.id, "explained", "The refund policy applies.", "omar")
        triage_feedback(ws, api_world.feedback_id, "sev3", "omar", note="Old fee table.")
        act_on_feedback(ws, api_world.feedback_id, "The fee table was updated.", "omar")
    finally:
        ws.close()
    yield api_world


def cli_json(runner: CliRunner, world: ApiWorld, *args: str) -> bytes:
    folder = str(world.settings.workspace)
    result = runner.invoke(app, ["--workspace", folder, *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def api_body(client: TestClient, world: ApiWorld, path: str) -> bytes:
    response = client.get(path, headers=world.headers(ADMIN))
    assert response.status_code == 200, response.text
    return response.content


def test_review_show_and_list_print_the_api_bodies(
    runner: CliRunner, finished: ApiWorld, api_client: TestClient
) -> None:
    review = finished.review_id
    shown = cli_json(runner, finished, "review", "show", str(review))
    assert shown == api_body(api_client, finished, f"/api/v1/reviews/{review}")
    assert b'"contact": "kim@example.com"' in shown
    listed = cli_json(runner, finished, "review", "list", "--all")
    assert listed == api_body(api_client, finished, "/api/v1/reviews?include_finished=true")
    assert listed.count(b'"status": "resolved"') >= 1


def test_feedback_show_and_list_print_the_api_bodies(
    runner: CliRunner, finished: ApiWorld, api_client: TestClient
) -> None:
    flag = finished.feedback_id
    shown = cli_json(runner, finished, "feedback", "show", str(flag))
    assert shown == api_body(api_client, finished, f"/api/v1/feedback/{flag}")
    assert b'"change_made": "The fee table was updated."' in shown
    listed = cli_json(runner, finished, "feedback", "list")
    assert listed == api_body(api_client, finished, "/api/v1/feedback")
    ws = finished.open()
    try:
        expected = len(list_feedback(ws))
    finally:
        ws.close()
    assert listed.count(b'"deployment": ') == expected


def post(client: TestClient, world: ApiWorld, path: str, body: Any) -> Any:
    return client.post(path, json=body, headers=world.headers(ADMIN))


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Refund refused\u0082"},
        {"description": "   "},
        {"contact": "0"},
        {"contact": "kim@"},
        {"reference": "ORD\n1"},
        {"consent": "x" * (CONSENT_MAX + 1)},
        {"deployment": "Support Chat"},
    ],
    ids=["control", "blank", "contact-0", "contact-half", "reference-line", "consent", "key"],
)
def test_a_review_request_the_service_would_refuse_is_refused_by_the_schema(
    api_world: ApiWorld, api_client: TestClient, change: dict[str, str]
) -> None:
    response = api_client.post(PUBLIC, json={**REQUEST, **change})
    assert response.status_code == 422, response.text
    field = next(iter(change))
    assert field in response.text


def test_a_review_request_in_the_schema_is_taken_and_an_unknown_service_is_404(
    api_world: ApiWorld, api_client: TestClient
) -> None:
    body = {**REQUEST, "contact": "+44 (20) 7946-0958", "reference": "ORD 7", "consent": "yes"}
    taken = api_client.post(PUBLIC, json=body)
    assert taken.status_code == 201, taken.text
    assert set(taken.json()) == {"tracking_code", "status", "received_at", "due_at"}
    code = taken.json()["tracking_code"]
    status = api_client.post(f"{PUBLIC}/status", json={"code": code.lower().replace("-", " ")})
    assert status.status_code == 200 and status.json()["status"] == "received"
    unknown = api_client.post(PUBLIC, json={**REQUEST, "deployment": "no-such-service"})
    assert unknown.status_code == 404, unknown.text


def test_a_malformed_tracking_code_is_refused_by_the_schema(
    api_world: ApiWorld, api_client: TestClient
) -> None:
    assert api_client.post(f"{PUBLIC}/status", json={"code": "0"}).status_code == 422
    header = api_client.post(f"{PUBLIC}/status", headers={"X-Tracking-Code": "0"})
    assert header.status_code == 422
    well_formed = api_client.post(f"{PUBLIC}/status", json={"code": "RV-0000-0000-0000-0000"})
    assert well_formed.status_code == 404


def test_staff_texts_over_their_limits_are_refused_by_the_schema(
    api_world: ApiWorld, api_client: TestClient
) -> None:
    flag, review = api_world.feedback_id, api_world.review_id
    long_text = "x" * (TEXT_MAX + 1)
    refused = [
        post(
            api_client,
            api_world,
            f"/api/v1/reviews/{review}/resolve",
            {"outcome": "upheld", "text": long_text},
        ),
        post(
            api_client,
            api_world,
            f"/api/v1/feedback/{flag}/triage",
            {"severity": "sev3", "note": "n" * 2001},
        ),
        post(
            api_client,
            api_world,
            f"/api/v1/feedback/{flag}/close",
            {"status": "acted_on", "text": long_text},
        ),
        post(
            api_client,
            api_world,
            f"/api/v1/feedback/{flag}/close",
            {"status": "declined", "text": "d" * 2001},
        ),
        post(
            api_client,
            api_world,
            "/api/v1/feedback",
            {"deployment": DEPLOYMENT, "category": "tone", "description": "x\u0082"},
        ),
    ]
    assert [r.status_code for r in refused] == [422] * len(refused)
    # Within the limits, the same texts reach the service: a new flag cannot be closed yet.
    closing = post(
        api_client,
        api_world,
        f"/api/v1/feedback/{flag}/close",
        {"status": "declined", "text": "d" * 2000},
    )
    assert closing.status_code == 409, closing.text


def test_the_public_body_fits_under_the_body_cap(api_client: TestClient) -> None:
    """A too-long field must be a 422 from the schema, not a 413 from the body cap."""
    schema = api_client.get("/openapi.json").json()["components"]["schemas"]
    fields = schema["ReviewRequestCreate"]["properties"]
    lengths = {name: _max_length(spec) for name, spec in fields.items()}
    assert all(length is not None for length in lengths.values()), lengths
    # Each field at its limit plus one character, every character written the longest way
    # JSON allows (a \\uXXXX surrogate pair: 12 bytes), its quoted name, quotes, separators.
    largest = sum(12 * (length + 1) + len(name) + 6 for name, length in lengths.items()) + 2
    assert largest < PUBLIC_FORM_MAX_BYTES


def _max_length(spec: dict[str, Any]) -> int | None:
    if "maxLength" in spec:
        return int(spec["maxLength"])
    for option in spec.get("anyOf", []):
        if "maxLength" in option:
            return int(option["maxLength"])
    return None
