"""Staff review queue and explanation records: access by role, SLA clock, actions, escaping."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from trust_fixtures import ROLES, declare, expected, role_client, token_of
from web_helpers import TestClient

from cxsteward.services.trust.explanations import list_explanations, record_explanation
from cxsteward.services.trust.reviews import (
    get_review,
    list_reviews,
    start_review,
    submit_review_request,
)
from cxsteward.services.workspace import Workspace
from cxsteward.web.routes.trust_views import duration_words

HOSTILE = '<script>alert("x")</script>'
QUEUE = {"admin", "committee", "analyst", "frontline"}
RESOLVE = {"admin", "committee", "analyst"}


@pytest.fixture
def trust_ws(web_ws: Workspace) -> Workspace:
    """Governance, one review request with hostile text, one explanation linked to it."""
    declare(web_ws)
    submit_review_request(
        web_ws,
        deployment="support-chat",
        description=f"Refund refused {HOSTILE}",
        contact="jo@example.com",
        reference=f"ORD-{HOSTILE}",
    )
    record_explanation(
        web_ws,
        "support-chat",
        f"The order was old {HOSTILE}",
        ["order age"],
        by="omar",
        review_id=1,
    )
    return web_ws


GETS = [
    ("/reviews", expected(QUEUE)),
    ("/reviews?show=all&deployment=support-chat&overdue=true", expected(QUEUE)),
    ("/reviews/1", expected(QUEUE)),
    ("/reviews/explanations", expected(QUEUE)),
    ("/reviews/explanations/1", expected(QUEUE)),
    ("/reviews/explanations/new", expected(RESOLVE)),
    ("/reviews/explanations/new?review=1", expected(RESOLVE)),
]


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(
    trust_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    got = {path: client.get(path, follow_redirects=False).status_code for path, _ in GETS}
    assert got == {path: statuses[role] for path, statuses in GETS}


POSTS = [
    ("/reviews/1/start", {}),
    ("/reviews/1/withdraw", {"reason": "The customer called to cancel."}),
    (
        "/reviews/explanations",
        {"deployment": "support-chat", "text": "Because of the order date.", "factors": "age"},
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_actions_by_role(
    trust_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    token = token_of(client)
    got = {}
    for path, data in POSTS:
        response = client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        got[path] = (response.status_code, response.headers.get("location", "")[:7])
    if role in RESOLVE:
        assert got == {
            "/reviews/1/start": (303, "/review"),
            "/reviews/1/withdraw": (303, "/review"),
            "/reviews/explanations": (303, "/review"),
        }
        assert get_review(trust_ws, 1).status == "withdrawn"
        assert len(list_explanations(trust_ws)) == 2
        return
    status = (303, "/login?") if role == "anonymous" else (403, "")
    if role == "frontline":
        # Frontline takes requests (review:claim, as in the API) but resolves nothing.
        assert got == {**{path: status for path, _ in POSTS}, "/reviews/1/start": (303, "/review")}
        assert get_review(trust_ws, 1).status == "in_review"
        assert get_review(trust_ws, 1).started_by == "frontline"
        assert len(list_explanations(trust_ws)) == 1
        return
    assert got == {path: status for path, _ in POSTS}
    assert get_review(trust_ws, 1).status == "received"
    assert len(list_explanations(trust_ws)) == 1


@pytest.mark.parametrize(("path", "data"), POSTS, ids=[p[0] for p in POSTS])
def test_actions_without_csrf_are_refused(
    trust_ws: Workspace, client: TestClient, path: str, data: dict[str, str]
) -> None:
    assert client.post(path, data=data).status_code == 403
    assert get_review(trust_ws, 1).status == "received"
    assert len(list_explanations(trust_ws)) == 1


def test_hostile_input_is_escaped_on_staff_pages(trust_ws: Workspace, client: TestClient) -> None:
    for path in ("/reviews", "/reviews/1", "/reviews/explanations", "/reviews/explanations/1"):
        page = client.get(path).text
        assert "<script>alert" not in page, path
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in client.get("/reviews/1").text


def test_queue_orders_by_due_and_shows_the_sla_clock(
    trust_ws: Workspace, client: TestClient
) -> None:
    now = datetime.now(UTC)
    # Received 80 hours ago with a 72-hour SLA: overdue by about 8 hours.
    submit_review_request(
        trust_ws, "billing-voice", "Charged twice", "+44 20 7946 0958", at=now - timedelta(hours=80)
    )
    page = client.get("/reviews").text
    ids = [int(i) for i in re.findall(r'href="/reviews/(\d+)"', page)]
    assert ids == [r.id for r in list_reviews(trust_ws)] == [2, 1]
    overdue = get_review(trust_ws, 2)
    assert overdue.overdue and overdue.hours_left is not None
    assert re.search(r"overdue by (7 hours 59 minutes|8 hours)</span>", page)
    assert duration_words(overdue.hours_left) in ("7 hours 59 minutes", "8 hours")
    assert '<span class="badge badge--bad">Overdue</span>' in page
    assert '<span class="badge badge--ok">On time</span>' in page
    assert 'data-testid="overdue-count">1 overdue' in page
    only = client.get("/reviews?overdue=true").text
    assert re.findall(r'href="/reviews/(\d+)"', only) == ["2"]


def test_queue_filters_by_service_and_status(trust_ws: Workspace, client: TestClient) -> None:
    submit_review_request(trust_ws, "billing-voice", "Charged twice", "+4420794609")
    by_service = client.get("/reviews?deployment=billing-voice").text
    assert re.findall(r'href="/reviews/(\d+)"', by_service) == ["2"]
    start_review(trust_ws, 2, by="omar")
    in_review = client.get("/reviews?show=in_review").text
    assert re.findall(r'href="/reviews/(\d+)"', in_review) == ["2"]
    assert client.get("/reviews?show=nonsense").status_code == 400


def test_htmx_filter_gets_only_the_table(trust_ws: Workspace, client: TestClient) -> None:
    response = client.get("/reviews", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<table>" in response.text and "<html" not in response.text


def test_start_then_resolve_records_the_outcome(trust_ws: Workspace, client: TestClient) -> None:
    token = token_of(client)
    assert client.post("/reviews/1/start", data={"csrf_token": token}).status_code == 200
    assert get_review(trust_ws, 1).status == "in_review"
    bad = client.post("/reviews/1/resolve", data={"csrf_token": token, "text": "  "})
    assert bad.status_code == 422
    assert "Choose the outcome" in bad.text and "Outcome text for the customer is empty" in bad.text
    text = "We looked again and refunded the fee."
    done = client.post(
        "/reviews/1/resolve", data={"csrf_token": token, "outcome": "changed", "text": text}
    )
    assert done.status_code == 200
    review = get_review(trust_ws, 1)
    assert (review.status, review.outcome, review.outcome_text) == ("resolved", "changed", text)
    assert review.resolved_by == "admin"
    assert "Resolved on time" in done.text and text in done.text
    # A finished request cannot move again: the service's refusal becomes 409.
    again = client.post("/reviews/1/start", data={"csrf_token": token})
    assert again.status_code == 409


def test_withdraw_needs_a_reason(trust_ws: Workspace, client: TestClient) -> None:
    response = client.post("/reviews/1/withdraw", data={"csrf_token": token_of(client)})
    assert response.status_code == 422
    assert "Reason is empty" in response.text
    assert get_review(trust_ws, 1).status == "received"


def test_unknown_request_is_404(trust_ws: Workspace, client: TestClient) -> None:
    assert client.get("/reviews/99").status_code == 404
    assert client.get("/reviews/explanations/99").status_code == 404


def test_write_an_explanation_linked_to_a_request(trust_ws: Workspace, client: TestClient) -> None:
    form = client.get("/reviews/explanations/new?review=1").text
    assert 'name="review" type="text" inputmode="numeric" value="1"' in form
    response = client.post(
        "/reviews/explanations",
        data={
            "csrf_token": token_of(client),
            "deployment": "support-chat",
            "review": "1",
            "text": "The assistant followed the 30-day refund rule.",
            "factors": "order age\r\nrefund policy\r\n",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    new = list_explanations(trust_ws, review_id=1)[0]
    assert response.headers["location"] == f"/reviews/explanations/{new.id}"
    assert new.factors == ["order age", "refund policy"]
    assert new.written_by == "admin"
    assert new.reference == f"ORD-{HOSTILE}"  # taken from the request
    page = client.get(f"/reviews/explanations/{new.id}").text
    assert (
        "The assistant followed the 30-day refund rule." in page
        and "<li>refund policy</li>" in page
    )
    assert f'href="/reviews/explanations/{new.id}"' in client.get("/reviews/1").text


def test_explanation_form_keeps_input_and_names_fields(
    trust_ws: Workspace, client: TestClient
) -> None:
    response = client.post(
        "/reviews/explanations",
        data={
            "csrf_token": token_of(client),
            "deployment": "nope",
            "text": "",
            "factors": "ok\nbad\x07factor",
            "reference": "R-1",
            "review": "x",
        },
    )
    assert response.status_code == 422
    for message in (
        "Choose the service the explanation is about.",
        "Explanation is empty",
        "Factor 2 contains the control character U+0007",
        "The review request number must be a whole number.",
    ):
        assert message in response.text
    assert 'value="R-1"' in response.text
    assert len(list_explanations(trust_ws)) == 1


def test_explanation_of_another_services_request_is_refused(
    trust_ws: Workspace, client: TestClient
) -> None:
    response = client.post(
        "/reviews/explanations",
        data={
            "csrf_token": token_of(client),
            "deployment": "billing-voice",
            "review": "1",
            "text": "Explained.",
            "factors": "",
        },
    )
    assert response.status_code == 422
    assert "Review request 1 is about support-chat, not billing-voice" in response.text


def test_explanation_for_a_missing_request_names_the_field(
    trust_ws: Workspace, client: TestClient
) -> None:
    response = client.post(
        "/reviews/explanations",
        data={
            "csrf_token": token_of(client),
            "deployment": "support-chat",
            "review": "42",
            "text": "Explained.",
        },
    )
    assert response.status_code == 422
    assert 'href="#review">No review request 42 to link the explanation to' in response.text
    assert len(list_explanations(trust_ws)) == 1
