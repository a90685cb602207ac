"""Customer pages without an account: AI disclosure, the human-review form, following a request."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from trust_fixtures import ROLES, SETUP, declare, role_client, token_of
from web_helpers import TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.registry.tables_trust import ReviewRequestRecord
from cxsteward.services.trust.reviews import list_reviews
from cxsteward.services.workspace import Workspace
from cxsteward.web.security import PUBLIC_FORM_MAX_BYTES

VALID = {
    "deployment": "support-chat",
    "reference": "ORD-1182",
    "description": "The assistant refused my refund.",
    "contact": "jo@example.com",
    "consent": "yes",
}
CODE = re.compile(r'data-testid="tracking-code">(RV-[0-9A-Z-]+)<')


@pytest.fixture
def trust_ws(web_ws: Workspace) -> Workspace:
    declare(web_ws)
    return web_ws


def send(client: TestClient, **changes: str) -> Any:
    """Fill the review form as a customer would, with ``changes`` to the valid answers."""
    token = csrf_of(client.get("/review"))
    return client.post("/review", data={"csrf_token": token, **VALID, **changes})


def lookup(client: TestClient, code: str) -> Any:
    return client.post("/review/status", data={"csrf_token": token_of(client), "code": code})


PAGES = ["/ai", "/ai/support-chat", "/ai/billing-voice", "/review", "/review/status"]


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_open_to_everyone(
    trust_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    got = {path: client.get(path, follow_redirects=False).status_code for path in PAGES}
    assert got == dict.fromkeys(PAGES, 200)
    # Internal and unknown deployments have no public page.
    assert client.get("/ai/agent-assist").status_code == 404
    assert client.get("/ai/no-such-thing").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_anyone_may_send_a_request(
    trust_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    response = send(role_client(role, client_for, anon_client))
    assert response.status_code == 200
    assert CODE.search(response.text)
    assert len(list_reviews(trust_ws)) == 1


def test_index_lists_customer_facing_services_only(
    trust_ws: Workspace, anon_client: TestClient
) -> None:
    page = anon_client.get("/ai").text
    assert "Kestrel Mobile" in page
    links = re.findall(r'href="/ai/([a-z-]+)"', page)
    facing = [d["key"] for d in SETUP["deployments"] if d.get("customer_facing", True)]
    assert links == facing == ["support-chat", "billing-voice"]


def test_disclosure_page_shows_each_channels_exact_statement(
    trust_ws: Workspace, anon_client: TestClient
) -> None:
    page = anon_client.get("/ai/support-chat").text
    chat = SETUP["deployments"][0]["disclosure"]["chat"].replace("'", "&#39;")
    assert f'<th scope="row">chat</th>\n            <td><q>{chat}</q>' in page
    # A channel without a statement says so instead of staying silent.
    assert re.search(r'<th scope="row">email</th>\s*<td><span class="badge badge--warn">No', page)
    assert "How to reach a person" in page
    assert 'href="/review?service=support-chat"' in page
    form = anon_client.get("/review?service=support-chat").text
    assert '<option value="support-chat" selected>' in form


def test_pages_before_any_governance(web_ws: Workspace, anon_client: TestClient) -> None:
    assert "We have not published any AI services here yet." in anon_client.get("/ai").text
    assert "There is no service to choose yet." in anon_client.get("/review").text


def test_review_flow_over_http(
    trust_ws: Workspace, settings: Settings, anon_client: TestClient, client: TestClient
) -> None:
    receipt = send(anon_client)
    assert receipt.status_code == 200
    assert "Keep this tracking code." in receipt.text
    code = CODE.search(receipt.text)
    assert code is not None
    raw = code.group(1)
    # Only the sha256 of the code is stored: nowhere in the workspace's files is the code.
    body = raw.replace("-", "")[2:]
    with trust_ws.transaction() as session:
        stored = session.scalars(select(ReviewRequestRecord)).one()
        assert stored.code_hash == hashlib.sha256(f"RV:{body}".encode()).hexdigest()
    for path in Path(settings.workspace).rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert raw.encode() not in content and body.encode() not in content, path

    status = lookup(anon_client, raw.lower())  # codes are not case-sensitive
    assert status.status_code == 200
    assert 'data-testid="review-status">Received' in status.text
    # The public page shows status and dates only: not the text, contact or reference.
    for private in ("jo@example.com", "ORD-1182", "refused my refund"):
        assert private not in status.text

    token = token_of(client)
    assert client.post("/reviews/1/start", data={"csrf_token": token}).status_code == 200
    assert 'data-testid="review-status">In review' in lookup(anon_client, raw).text
    answer = "We checked your order again.\nThe refund has been paid."
    resolved = client.post(
        "/reviews/1/resolve", data={"csrf_token": token, "outcome": "changed", "text": answer}
    )
    assert resolved.status_code == 200
    final = lookup(anon_client, raw).text
    assert 'data-testid="review-status">Resolved' in final
    assert "A person changed the outcome" in final
    assert "<p>We checked your order again.</p><p>The refund has been paid.</p>" in final


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"description": "   "}, "description", "What happened is empty; write a few words."),
        ({"contact": "jo@example"}, "contact", "is not an e-mail address"),
        ({"contact": "call me"}, "contact", "is neither an e-mail address nor a phone number"),
        ({"deployment": "agent-assist"}, "deployment", "We do not know that service"),
        ({"deployment": ""}, "deployment", "Choose the service your question is about"),
        ({"description": "Hi\x1b[31m"}, "description", "control character U+001B at position 3"),
        ({"reference": "A\nB"}, "reference", "control character U+000A"),
        ({"consent": ""}, "consent", "Tick the box"),
    ],
    ids=[
        "empty-text",
        "bad-email",
        "bad-contact",
        "internal-service",
        "no-service",
        "control-char",
        "newline-in-reference",
        "no-consent",
    ],
)
def test_bad_input_is_named_by_field_and_kept(
    trust_ws: Workspace, anon_client: TestClient, changes: dict[str, str], field: str, message: str
) -> None:
    response = send(anon_client, **changes)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert f'href="#{field}"' in response.text  # the summary links to the field
    assert 'aria-invalid="true"' in response.text
    kept = {**VALID, **changes}
    if field != "contact":
        assert f'value="{kept["contact"]}"' in response.text
    if field != "description":
        assert f">{kept['description']}</textarea>" in response.text
    assert list_reviews(trust_ws) == []


def test_hostile_input_is_escaped_when_kept(trust_ws: Workspace, anon_client: TestClient) -> None:
    response = send(anon_client, description="<script>x()</script>", contact='"><b>')
    assert response.status_code == 422
    assert "<script>x()" not in response.text and '"><b>' not in response.text
    assert "&lt;script&gt;x()&lt;/script&gt;</textarea>" in response.text


def test_posts_without_a_valid_csrf_token_are_refused(
    trust_ws: Workspace, anon_client: TestClient
) -> None:
    anon_client.get("/review")  # the form cookie is set; the token is still needed
    assert anon_client.post("/review", data=VALID).status_code == 403
    forged = anon_client.post("/review", data={"csrf_token": "0" * 64, **VALID})
    assert forged.status_code == 403
    assert anon_client.post("/review/status", data={"code": "RV-1"}).status_code == 403
    assert list_reviews(trust_ws) == []


def test_oversized_body_is_refused(trust_ws: Workspace, anon_client: TestClient) -> None:
    response = send(anon_client, description="x" * (PUBLIC_FORM_MAX_BYTES + 1))
    assert response.status_code == 413
    assert list_reviews(trust_ws) == []


def test_status_lookup_messages(trust_ws: Workspace, anon_client: TestClient) -> None:
    empty = lookup(anon_client, " ")
    assert empty.status_code == 422 and "Enter the tracking code" in empty.text
    malformed = lookup(anon_client, "RV-123")
    assert malformed.status_code == 422 and "not in the right form" in malformed.text
    unknown = lookup(anon_client, "RV-0000-0000-0000-0000")
    assert unknown.status_code == 404
    assert "No review request has that tracking code." in unknown.text
    assert 'value="RV-0000-0000-0000-0000"' in unknown.text


def test_public_pages_carry_the_security_headers(
    trust_ws: Workspace, anon_client: TestClient
) -> None:
    response = anon_client.get("/review")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert " style=" not in response.text and "<style" not in response.text
