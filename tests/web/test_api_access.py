"""Every /api/v1 route, for every token role: 401 without a token, 403 without the permission.

The expected status is written out per route (``ok``) and per role (``roles``), not derived
from the permission matrix, so a change to either shows up here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from api_fixtures import (  # noqa: F401 (fixtures)
    DEPLOYMENT,
    ApiWorld,
    api_template_fixture,
    api_world_fixture,
    copy_world,
)
from web_helpers import BASE_URL, TestClient

from cxsteward.services.governance.gate import evaluate_gate
from cxsteward.services.pack.build import build_pack
from cxsteward.services.pack.history import issue_pack
from cxsteward.services.people.feedback import triage_feedback
from cxsteward.services.trust.reviews import start_review
from cxsteward.web.app import all_routes, create_app

ALL = ("admin", "committee", "analyst", "frontline", "viewer")
READERS = ("admin", "committee", "analyst", "viewer")
OPERATORS = ("admin", "committee", "analyst")
ROLES = (*ALL, None)


@dataclass(frozen=True)
class Call:
    """One route: how to call it, who may, what success looks like."""

    method: str
    path: str
    roles: tuple[str, ...]
    ok: int = 200
    body: dict[str, Any] | None = None
    prepare: Callable[[ApiWorld], None] | None = field(default=None, compare=False)


def _start_review(world: ApiWorld) -> None:
    with_ws(world, lambda ws: start_review(ws, world.review_id, "tests"))


def _triage(world: ApiWorld) -> None:
    with_ws(world, lambda ws: triage_feedback(ws, world.feedback_id, "sev4", "tests"))


def _evaluate(world: ApiWorld) -> None:
    with_ws(world, lambda ws: evaluate_gate(ws, DEPLOYMENT))


def _issue(world: ApiWorld) -> None:
    with_ws(world, lambda ws: issue_pack(ws, build_pack(ws), "tests"))


def with_ws(world: ApiWorld, action: Callable[[Any], object]) -> None:
    ws = world.open()
    try:
        action(ws)
    finally:
        ws.close()


READS = {
    "cycles": Call("GET", "/api/v1/assessments/cycles", READERS),
    "report": Call("GET", "/api/v1/assessments/cycles/2026-Q4/report", READERS),
    "governance": Call("GET", "/api/v1/registry/governance", READERS),
    "deployments": Call("GET", "/api/v1/registry/deployments", READERS),
    "deployment": Call("GET", f"/api/v1/registry/deployments/{DEPLOYMENT}", READERS),
    "check": Call("GET", "/api/v1/registry/check", READERS),
    "runs": Call("GET", "/api/v1/monitoring/runs", READERS),
    "run": Call("GET", "/api/v1/monitoring/runs/1", READERS),
    "finding": Call("GET", "/api/v1/monitoring/findings/1", READERS),
    "trend": Call(
        "GET", "/api/v1/monitoring/trends?deployment=support-chat&metric=csat_mean", READERS
    ),
    "scorecard": Call("GET", "/api/v1/monitoring/scorecard?deployment=support-chat", READERS),
    "behind": Call("GET", "/api/v1/monitoring/behind", READERS),
    "trust": Call("GET", "/api/v1/monitoring/trust?deployment=support-chat", READERS),
    "model-changes": Call(
        "GET", f"/api/v1/monitoring/model-changes?deployment={DEPLOYMENT}", READERS
    ),
    "freshness": Call("GET", "/api/v1/data/freshness", READERS),
    "adoption": Call("GET", "/api/v1/monitoring/adoption", ALL),
    "adoption-agents": Call("GET", "/api/v1/monitoring/adoption?by=agent", ("admin", "analyst")),
    "adoption-weeks": Call("GET", "/api/v1/monitoring/adoption/weeks", ALL),
    "incidents": Call("GET", "/api/v1/incidents", READERS),
    "incident": Call("GET", "/api/v1/incidents/{incident}", READERS),
    "reviews": Call("GET", "/api/v1/reviews", (*OPERATORS, "frontline")),
    "review": Call("GET", "/api/v1/reviews/{review}", (*OPERATORS, "frontline")),
    "feedback-list": Call("GET", "/api/v1/feedback", READERS),
    "feedback-one": Call("GET", "/api/v1/feedback/{feedback}", READERS),
    "crosswalk": Call("GET", "/api/v1/crosswalk", ALL),
    "gate-history": Call("GET", f"/api/v1/registry/deployments/{DEPLOYMENT}/gate", READERS),
    "packs": Call("GET", "/api/v1/packs", READERS),
    "pack-preview": Call("GET", "/api/v1/packs/preview", READERS),
    "training-modules": Call("GET", "/api/v1/training/modules", READERS),
    "training-coverage": Call("GET", "/api/v1/training/coverage?as_of=2026-12-01", READERS),
    "training-completions": Call("GET", "/api/v1/training/completions", READERS),
    "consent-notices": Call("GET", "/api/v1/consent/notices", READERS),
    "consent-check": Call("GET", "/api/v1/consent/check", READERS),
    # Customer ids are personal data: operators only, as the rows behind a figure.
    "consent-choices": Call("GET", "/api/v1/consent/choices", OPERATORS),
    "public-status": Call(
        "POST", "/api/v1/public/review-requests/status", ALL + ("",), body={"code": "{code}"}
    ),
}
WRITES = {
    "consent-notice": Call(
        "POST",
        "/api/v1/consent/notices",
        OPERATORS,
        201,
        {
            "deployment": DEPLOYMENT,
            "channel": "chat",
            "version": "2027-01",
            "summary": "An AI assistant answers first; ask for a person at any time.",
            "effective_from": "2027-01-01",
        },
    ),
    "consent-choice": Call(
        "POST",
        "/api/v1/consent/choices",
        OPERATORS,
        201,
        {
            "customer_id": "c-api-1",
            "kind": "ai_opt_out",
            "chosen_at": "2026-01-05T10:00:00Z",
            "source": "phone",
        },
    ),
    # The demo records choice 1 (an opt-out still in force).
    "consent-withdraw": Call(
        "POST", "/api/v1/consent/choices/1/withdraw", OPERATORS, 200, {"source": "email"}
    ),
    # Admin and committee hold registry:edit, but these users are not governance people: a
    # lifecycle move is a decision, refused (403) by the decision-rights service.
    "transition": Call(
        "POST",
        f"/api/v1/registry/deployments/{DEPLOYMENT}/transitions",
        (),
        201,
        {"status": "paused", "reason": "Price quotes under review."},
    ),
    "monitor-run": Call("POST", "/api/v1/monitoring/runs", ("admin", "analyst"), 201, {}),
    "acknowledge": Call("POST", "/api/v1/incidents/{incident}/acknowledge", OPERATORS, 200, {}),
    "status": Call(
        "POST", "/api/v1/incidents/{incident}/status", OPERATORS, 200, {"status": "mitigating"}
    ),
    # Admin and committee hold incident:decide, but these users are not governance people:
    # the 403 then comes from the person check (test_api_incidents covers a real decider).
    "decision": Call(
        "POST",
        "/api/v1/incidents/{incident}/decisions",
        (),
        201,
        {"action": "pause", "why": "Wrong prices quoted."},
    ),
    "review-start": Call("POST", "/api/v1/reviews/{review}/start", (*OPERATORS, "frontline")),
    "review-resolve": Call(
        "POST",
        "/api/v1/reviews/{review}/resolve",
        OPERATORS,
        200,
        {"outcome": "changed", "text": "We refunded you."},
        _start_review,
    ),
    "feedback-submit": Call(
        "POST",
        "/api/v1/feedback",
        ("admin", "committee", "analyst", "frontline"),
        201,
        {"deployment": DEPLOYMENT, "category": "tone", "description": "Curt reply."},
    ),
    "feedback-triage": Call(
        "POST", "/api/v1/feedback/{feedback}/triage", OPERATORS, 200, {"severity": "sev3"}
    ),
    "feedback-close": Call(
        "POST",
        "/api/v1/feedback/{feedback}/close",
        OPERATORS,
        200,
        {"status": "acted_on", "text": "Fee table updated."},
        _triage,
    ),
    # A gate evaluation is a verdict any reader may ask for; it is kept for the pack.
    "gate": Call("POST", f"/api/v1/registry/deployments/{DEPLOYMENT}/gate", READERS, 201, {}),
    "gate-evaluation": Call(
        "GET", "/api/v1/registry/gate-evaluations/1", READERS, 200, None, _evaluate
    ),
    "pack-issue": Call("POST", "/api/v1/packs", ("admin", "committee"), 201, {}),
    "training-record": Call(
        "POST",
        "/api/v1/training/completions",
        OPERATORS,
        201,
        {"person": "ravi-patel", "module": "ai-at-the-front-line", "completed_on": "2026-11-30"},
    ),
    "training-import": Call(
        "POST",
        "/api/v1/training/imports",
        OPERATORS,
        201,
        {
            "name": "lms.csv",
            "csv": "who,what,when\nmarco-ricci,ai-at-the-front-line,2026-11-30\n",
            "mapping": {"person": "who", "module": "what", "completed_on": "when"},
        },
    ),
    "pack-one": Call("GET", "/api/v1/packs/1", READERS, 200, None, _issue),
    "public-submit": Call(
        "POST",
        "/api/v1/public/review-requests",
        ALL + ("",),
        201,
        {"deployment": DEPLOYMENT, "description": "Refused refund.", "contact": "a@example.com"},
    ),
}


def _cases(table: dict[str, Call]) -> list[Any]:
    return [
        pytest.param(call, role, id=f"{name}-{role or 'none'}")
        for name, call in table.items()
        for role in ROLES
    ]


def expected(call: Call, role: str | None) -> int:
    """The status a role gets: the route's success, or 401 / 403."""
    if "" in call.roles or role in call.roles:
        return call.ok
    return 401 if role is None else 403


def _send(client: TestClient, world: ApiWorld, call: Call, role: str | None) -> Any:
    path = call.path.format(
        incident=world.incident_id,
        review=world.review_id,
        feedback=world.feedback_id,
        code=world.review_code,
    )
    body = call.body
    if body is not None:
        # The tracking code travels in the body, never in the path.
        body = {k: v.format(code=world.review_code) if k == "code" else v for k, v in body.items()}
    return client.request(call.method, path, headers=world.headers(role), json=body)


@pytest.fixture(scope="module")
def shared_world(api_template: ApiWorld, tmp_path_factory: pytest.TempPathFactory) -> ApiWorld:
    return copy_world(api_template, tmp_path_factory.mktemp("api-access") / "ws")


@pytest.fixture(scope="module")
def shared_client(shared_world: ApiWorld) -> Iterator[TestClient]:
    with TestClient(create_app(shared_world.settings), base_url=BASE_URL) as client:
        yield client


@pytest.mark.parametrize(("call", "role"), _cases(READS))
def test_read_access(
    shared_client: TestClient, shared_world: ApiWorld, call: Call, role: str | None
) -> None:
    response = _send(shared_client, shared_world, call, role)
    assert response.status_code == expected(call, role), response.text
    assert response.headers["content-type"].startswith("application/json")
    _check_refusal(response, role)


@pytest.mark.parametrize(("call", "role"), _cases(WRITES))
def test_write_access(api_world: ApiWorld, call: Call, role: str | None) -> None:
    if call.prepare is not None:
        call.prepare(api_world)
    with TestClient(create_app(api_world.settings), base_url=BASE_URL) as client:
        response = _send(client, api_world, call, role)
    status = expected(call, role)
    assert response.status_code == status, response.text
    _check_refusal(response, role)


def _check_refusal(response: Any, role: str | None) -> None:
    if response.status_code == 401:
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in response.json()["error"]["message"]
    if response.status_code == 403:
        message = response.json()["error"]["message"]
        # Either the role lacks the permission, or (decisions) the user is no governance person.
        assert (
            "permission" in message
            or "not a person of the governance registry" in message
            or "linked to no person of the governance registry" in message
        )


def test_every_api_route_is_in_the_tables(shared_client: TestClient) -> None:
    # Routes of this package (routes/api), as the OpenAPI document lists them.
    package = "cxsteward.web.routes.api"
    ours = {
        route.path
        for route in all_routes(shared_client.app)
        if route.endpoint is not None and route.endpoint.__module__.startswith(package)
    }
    document = shared_client.get("/openapi.json").json()
    declared = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        if path in ours
        for method in operations
    }
    assert len(ours) == len({path for _, path in declared})
    tabled = {(call.method, _template(call.path)) for call in (*READS.values(), *WRITES.values())}
    assert declared == tabled


def _template(path: str) -> str:
    names = {
        "/api/v1/incidents/{incident}": "/api/v1/incidents/{incident_id}",
        "/api/v1/reviews/{review}": "/api/v1/reviews/{review_id}",
        "/api/v1/feedback/{feedback}": "/api/v1/feedback/{feedback_id}",
    }
    for short, full in names.items():
        path = path.replace(short, full)
    path = path.split("?", 1)[0]  # a query string is no part of the route
    path = path.replace("/runs/1", "/runs/{run_id}")
    path = path.replace("/findings/1", "/findings/{finding_id}")
    path = path.replace("/gate-evaluations/1", "/gate-evaluations/{evaluation_id}")
    path = path.replace("/packs/1", "/packs/{pack_id}")
    path = path.replace("/choices/1/", "/choices/{choice_id}/")
    path = path.replace("/cycles/2026-Q4/", "/cycles/{cycle}/")
    return path.replace(f"/deployments/{DEPLOYMENT}", "/deployments/{key}")
