"""The consent page: who sees what (customer ids only to consent:manage), the choice form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from trust_fixtures import ROLES, declare, expected, role_client, token_of
from web_helpers import TestClient

from cxsteward.services.consent.choices import add_choice, list_choices
from cxsteward.services.consent.models import ChoiceCreate, NoticeCreate
from cxsteward.services.consent.notices import add_notice, list_notices
from cxsteward.services.data.load import load_data
from cxsteward.services.workspace import Workspace

VIEW = {"admin", "committee", "analyst", "viewer"}
MANAGE = {"admin", "committee", "analyst"}
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def consent_ws(web_ws: Workspace, tmp_path: Path) -> Workspace:
    """Governance, a chat notice, contacts, and an opt-out the AI did not honour (i2)."""
    declare(web_ws)
    moments = [datetime(2026, 3, d, 10, tzinfo=UTC) for d in (1, 3, 4)]
    table = pa.table(
        {
            "interaction_id": ["i1", "i2", "i3"],
            "started_at": pa.array(moments, pa.timestamp("us", tz="UTC")),
            "handler": ["ai", "ai", "human"],
            "deployment": ["support-chat"] * 3,
            "channel": ["chat"] * 3,
            "customer_id": ["cust-0042"] * 3,
        }
    )
    pq.write_table(table, tmp_path / "contacts.parquet")
    load_data(web_ws, tmp_path / "contacts.parquet")
    add_notice(
        web_ws,
        NoticeCreate(
            deployment="support-chat",
            channel="chat",
            version="2026-01",
            summary=f"An AI answers first {HOSTILE}",
            url="https://example.com/privacy",
            effective_from=date(2026, 1, 1),
        ),
        by="omar",
    )
    add_choice(
        web_ws,
        ChoiceCreate(
            customer_id="cust-0042",
            kind="ai_opt_out",
            chosen_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            source="phone",
        ),
        by="omar",
    )
    return web_ws


@pytest.mark.parametrize("role", ROLES)
def test_the_page_by_role(
    consent_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    response = client.get("/consent", follow_redirects=False)
    assert response.status_code == expected(VIEW)[role]
    if role == "anonymous":
        assert response.headers["location"] == "/login?next=/consent"
    if role not in VIEW:
        return
    page = response.text
    # Everyone who may view: the notice in force, the breach with its row and source.
    assert "2026-01" in page and "no notice in force" in page  # email and voice have none
    assert '<th scope="row">i2</th>' in page and "contacts.parquet" in page
    assert "i1</th>" not in page  # before the choice
    assert HOSTILE not in page and "&lt;script&gt;" in page
    # Customer ids are personal data: shown (with the form) to consent:manage only.
    assert ("cust-0042" in page) == (role in MANAGE)
    assert ('action="/consent/choices"' in page) == (role in MANAGE)
    nav = 'href="/consent"' in client.get("/").text
    assert nav


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_choice_by_role(
    consent_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    data = {
        "csrf_token": token_of(client),
        "customer_id": "cust-0777",
        "kind": "ai_opt_out",
        "chosen_at": "2026-03-05T10:15:00+01:00",
        "source": "phone",
        "deployment": "support-chat",
        "channel": "chat",
        "data_use": "",
    }
    response = client.post("/consent/choices", data=data, follow_redirects=False)
    # A page's POST sends the anonymous visitor to sign in (303), as every form does.
    assert response.status_code == {**expected(MANAGE), "anonymous": 303}[role]
    recorded = [c for c in list_choices(consent_ws) if c.customer_id == "cust-0777"]
    if role in MANAGE:
        assert "Choice #" in response.text and len(recorded) == 1
        assert recorded[0].chosen_at == datetime(2026, 3, 5, 9, 15, tzinfo=UTC)
        assert recorded[0].recorded_by == role
    else:
        assert recorded == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"customer_id": ""}, "customer_id", ""),
        ({"kind": ""}, "kind", "Choose what the customer chose."),
        ({"chosen_at": "yesterday"}, "chosen_at", "with its timezone"),
        ({"chosen_at": "2026-03-05T10:15:00"}, "chosen_at", "with its timezone"),
        ({"channel": "fax"}, "form", "has no channel"),
    ],
    ids=["blank-id", "no-kind", "bad-time", "naive-time", "unknown-channel"],
)
def test_a_refused_choice_shows_the_form_again_with_the_reason(
    consent_ws: Workspace, client_for: Any, change: dict[str, str], field: str, words: str
) -> None:
    client = client_for("analyst")
    data = {
        "csrf_token": token_of(client),
        "customer_id": "cust-0888",
        "kind": "ai_opt_out",
        "chosen_at": "2026-03-05T10:15:00Z",
        "source": "email",
        "deployment": "support-chat",
        "channel": "",
        **change,
    }
    response = client.post("/consent/choices", data=data)
    assert response.status_code in (400, 404, 422)
    assert 'role="alert"' in response.text and words in response.text
    if field != "form":
        assert f'id="{field}-error"' in response.text
    assert [c for c in list_choices(consent_ws) if c.customer_id == "cust-0888"] == []


def test_a_post_without_csrf_is_refused(consent_ws: Workspace, client: TestClient) -> None:
    data = {"customer_id": "x", "kind": "ai_opt_out", "chosen_at": "2026-03-05T10:15:00Z"}
    assert client.post("/consent/choices", data=data).status_code == 403
    assert len(list_choices(consent_ws)) == 1


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_notice_by_role(
    consent_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    data = {
        "csrf_token": token_of(client),
        "notice_deployment": "support-chat",
        "notice_channel": "email",
        "version": "2026-04",
        "summary": "Replies may be drafted by AI.",
        "url": "",
        "effective_from": "2026-04-01",
    }
    response = client.post("/consent/notices", data=data, follow_redirects=False)
    assert response.status_code == {**expected(MANAGE), "anonymous": 303}[role]
    versions = [(n.channel, n.version) for n in list_notices(consent_ws)]
    if role in MANAGE:
        assert "Notice 2026-04 of support-chat on email recorded" in response.text
        assert versions == [("chat", "2026-01"), ("email", "2026-04")]
    else:
        assert versions == [("chat", "2026-01")]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"effective_from": "April"}, "effective_from", "YYYY-MM-DD"),
        ({"version": ""}, "version", ""),
        ({"url": "javascript:alert(1)"}, "url", "http"),
        ({"notice_channel": "fax"}, "notice", "has no channel"),
        ({"version": "2026-01", "notice_channel": "chat"}, "notice", "already has a notice"),
    ],
    ids=["bad-day", "no-version", "bad-link", "unknown-channel", "label-taken"],
)
def test_a_refused_notice_shows_its_form_again_with_the_reason(
    consent_ws: Workspace, client_for: Any, change: dict[str, str], field: str, words: str
) -> None:
    client = client_for("committee")
    data = {
        "csrf_token": token_of(client),
        "notice_deployment": "support-chat",
        "notice_channel": "email",
        "version": "2026-05",
        "summary": "Replies may be drafted by AI.",
        "url": "",
        "effective_from": "2026-05-01",
        **change,
    }
    response = client.post("/consent/notices", data=data)
    assert response.status_code in (400, 404, 409, 422)
    assert 'role="alert"' in response.text and words in response.text
    if field != "notice":
        assert f'id="{field}-error"' in response.text
    assert len(list_notices(consent_ws)) == 1
