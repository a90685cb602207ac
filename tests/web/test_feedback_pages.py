"""Frontline feedback pages: access by role, anonymous flags, following a code, triage, acted on."""

from __future__ import annotations

import re
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from trust_fixtures import ROLES, declare, expected, role_client, token_of
from web_helpers import TestClient

from cxsteward.registry.tables_audit import AuditPendingRecord
from cxsteward.registry.tables_trust import FeedbackRecord
from cxsteward.services.people.feedback import (
    ANONYMOUS,
    act_on_feedback,
    get_feedback,
    list_feedback,
    submit_feedback,
    triage_feedback,
)
from cxsteward.services.workspace import Workspace

HOSTILE = "<img src=x onerror=alert(1)>"
SUBMIT = {"admin", "committee", "analyst", "frontline"}
VIEW = {"admin", "committee", "analyst", "viewer"}
TRIAGE = {"admin", "committee", "analyst"}
FOLLOW_CODE = re.compile(r'data-testid="follow-up-code">(FB-[0-9A-Z-]+)<')


@pytest.fixture
def fb_ws(web_ws: Workspace) -> Workspace:
    """Governance and two flags: #1 named (by frontline), #2 anonymous with hostile text."""
    declare(web_ws)
    submit_feedback(web_ws, "support-chat", "tone", "Joked about a bereavement", by="frontline")
    submit_feedback(web_ws, "billing-voice", "wrong_answer", f"Wrong fee {HOSTILE}", anonymous=True)
    return web_ws


def anon(ws: Workspace) -> int:
    """The fixture's anonymous flag: its id is random (ids of anonymous rows show no order)."""
    return next(f.id for f in list_feedback(ws) if f.deployment == "billing-voice")


def by_text(ws: Workspace, description: str) -> int:
    return next(f.id for f in list_feedback(ws) if f.description == description)


GETS = [
    ("/feedback", expected(SUBMIT | VIEW)),
    ("/feedback/follow", expected(SUBMIT)),
    ("/feedback/triage", expected(VIEW)),
    ("/feedback/triage?status=new&deployment=support-chat&category=tone", expected(VIEW)),
    ("/feedback/1", expected(VIEW)),
]


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(
    fb_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    got = {path: client.get(path, follow_redirects=False).status_code for path, _ in GETS}
    assert got == {path: statuses[role] for path, statuses in GETS}
    if role == "viewer":
        page = client.get("/feedback").text
        assert 'href="/feedback/triage"' in page and 'action="/feedback"' not in page


POSTS = [
    ("/feedback", {"deployment": "support-chat", "category": "other", "description": "Loop"}),
    ("/feedback/1/triage", {"severity": "sev3", "owner": "eve"}),
    ("/feedback/1/act", {"change": "Bereavement intents now go to a person."}),
    ("/feedback/{anon}/triage", {"severity": "sev4"}),
    ("/feedback/{anon}/decline", {"reason": "The fee was right."}),
]


@pytest.mark.parametrize("role", ROLES)
def test_actions_by_role(
    fb_ws: Workspace, client_for: Any, anon_client: TestClient, role: str
) -> None:
    client = role_client(role, client_for, anon_client)
    token = token_of(client)
    got = {}
    hidden = anon(fb_ws)
    for path, data in POSTS:
        response = client.post(
            path.format(anon=hidden), data={"csrf_token": token, **data}, follow_redirects=False
        )
        got[path] = response.status_code
    statuses = {
        path: (200 if path == "/feedback" else 303)
        if role in (SUBMIT if path == "/feedback" else TRIAGE)
        else (303 if role == "anonymous" else 403)
        for path, _ in POSTS
    }
    assert got == statuses
    flags = {f.id: f.status for f in list_feedback(fb_ws)}
    if role in TRIAGE:
        assert flags == {1: "acted_on", hidden: "declined", 2: "new"}
    elif role in SUBMIT:
        assert flags == {1: "new", hidden: "new", 2: "new"}
    else:
        assert flags == {1: "new", hidden: "new"}


@pytest.mark.parametrize(("path", "data"), POSTS, ids=[p[0] for p in POSTS])
def test_posts_without_csrf_are_refused(
    fb_ws: Workspace, client: TestClient, path: str, data: dict[str, str]
) -> None:
    assert client.post(path.format(anon=anon(fb_ws)), data=data).status_code == 403
    assert [f.status for f in list_feedback(fb_ws)] == ["new", "new"]


def test_anonymous_feedback_stores_no_person(fb_ws: Workspace, client_for: Any) -> None:
    client = client_for("frontline")
    text = "The bot told a customer their contract had ended; it had not."
    response = client.post(
        "/feedback",
        data={
            "csrf_token": token_of(client),
            "deployment": "support-chat",
            "category": "wrong_answer",
            "description": text,
            "anonymous": "yes",
        },
    )
    assert response.status_code == 200
    assert "It was stored without your name." in response.text
    code = FOLLOW_CODE.search(response.text)
    assert code is not None
    with fb_ws.transaction() as session:
        record = session.scalars(
            select(FeedbackRecord).where(FeedbackRecord.description == text)
        ).one()
        assert (record.anonymous, record.reporter, record.description) == (True, None, text)
        assert record.code_hash != code.group(1)
        # Its audit entry waits for the day's anonymous batch: nobody's, the day only.
        row = session.scalars(
            select(AuditPendingRecord).where(AuditPendingRecord.object_key == str(record.id))
        ).one()
        assert row.table_name == FeedbackRecord.__tablename__ and ANONYMOUS == "anonymous"
        assert "frontline" not in row.changes.lower()
    # Not in "my reports": nothing links it to the account.
    mine = client.get("/feedback").text
    assert f"#{record.id}" not in mine and "#1" in mine
    followed = client.post(
        "/feedback/follow", data={"csrf_token": token_of(client), "code": code.group(1)}
    )
    assert followed.status_code == 200
    assert 'data-testid="feedback-status">New' in followed.text


def test_named_feedback_and_my_reports(fb_ws: Workspace, client_for: Any) -> None:
    client = client_for("analyst")
    response = client.post(
        "/feedback",
        data={
            "csrf_token": token_of(client),
            "deployment": "billing-voice",
            "category": "missed_escalation",
            "description": "Kept a distressed caller in a loop.",
        },
    )
    assert response.status_code == 200 and "appears under" in response.text
    assert get_feedback(fb_ws, 2).reporter == "analyst"
    mine = client.get("/feedback").text
    assert re.findall(r'<th scope="row">#(\d+)</th>', mine) == ["2"]


def test_feedback_form_names_bad_fields_and_keeps_input(fb_ws: Workspace, client_for: Any) -> None:
    client = client_for("frontline")
    response = client.post(
        "/feedback",
        data={
            "csrf_token": token_of(client),
            "deployment": "nope",
            "category": "rude",
            "description": "bad\x00text",
            "anonymous": "yes",
        },
    )
    assert response.status_code == 422
    for message in (
        "Choose the AI service that failed",
        "Choose what kind of failure it was.",
        "control character U+0000",
    ):
        assert message in response.text
    assert 'id="anonymous" name="anonymous" type="checkbox" value="yes" checked' in response.text
    assert len(list_feedback(fb_ws)) == 2


def test_triage_then_act_and_the_figures(fb_ws: Workspace, client: TestClient) -> None:
    token = token_of(client)
    bad = client.post("/feedback/1/triage", data={"csrf_token": token, "owner": "zed"})
    assert bad.status_code == 422
    assert "Choose a severity" in bad.text and "Choose the owner from the list" in bad.text
    ok = client.post(
        "/feedback/1/triage",
        data={"csrf_token": token, "severity": "sev3", "owner": "eve", "note": "Check intents"},
    )
    assert ok.status_code == 200
    flag = get_feedback(fb_ws, 1)
    assert (flag.status, flag.severity, flag.owner, flag.triaged_by) == (
        "triaged",
        "sev3",
        "eve",
        "admin",
    )
    empty = client.post("/feedback/1/act", data={"csrf_token": token, "change": " "})
    assert empty.status_code == 422 and "What changed is empty" in empty.text
    change = "Bereavement intents now go straight to a person."
    acted = client.post("/feedback/1/act", data={"csrf_token": token, "change": change})
    assert acted.status_code == 200 and change in acted.text
    assert get_feedback(fb_ws, 1).change_made == change

    # The anonymous flag triaged and acted on with times set by hand, so the figures are known.
    hidden = anon(fb_ws)
    sent = get_feedback(fb_ws, hidden).submitted_at
    triage_feedback(fb_ws, hidden, "sev4", by="omar", at=sent + timedelta(days=1))
    act_on_feedback(fb_ws, hidden, "Fee table corrected.", by="omar", at=sent + timedelta(days=4))
    submit_feedback(fb_ws, "support-chat", "other", "Not triaged yet", by="eve")
    submit_feedback(fb_ws, "support-chat", "other", "Declined one", by="eve")
    triage_feedback(fb_ws, 3, "sev4", by="omar")
    client.post("/feedback/3/decline", data={"csrf_token": token, "reason": "Works as designed."})
    flags = list_feedback(fb_ws)
    past_triage = [f for f in flags if f.status != "new"]
    acted_on = [f for f in flags if f.status == "acted_on"]
    rate = len(acted_on) / len(past_triage)
    median = statistics.median(
        (f.acted_at - f.submitted_at).total_seconds() / 86400 for f in acted_on if f.acted_at
    )
    page = " ".join(client.get("/feedback/triage").text.split())
    assert len(past_triage) == 3 and f"{rate * 100:.0f}%" == "67%"
    assert f"Acted on: {rate * 100:.0f}% (2 of 3 triaged)" in page
    assert f"Median days to action: {median:.1f}" in page
    assert 'data-testid="submitted">4 flags sent' in page


def test_follow_shows_what_changed(fb_ws: Workspace, client_for: Any) -> None:
    client = client_for("frontline")
    receipt = client.post(
        "/feedback",
        data={
            "csrf_token": token_of(client),
            "deployment": "support-chat",
            "category": "disclosure_missing",
            "description": "Never said it was a bot.",
            "anonymous": "yes",
        },
    )
    code = FOLLOW_CODE.search(receipt.text)
    assert code is not None
    now = datetime.now(UTC)
    sent = by_text(fb_ws, "Never said it was a bot.")
    triage_feedback(fb_ws, sent, "sev3", by="omar", at=now)
    act_on_feedback(fb_ws, sent, "The greeting now says it is AI.", by="omar", at=now)
    page = client.post(
        "/feedback/follow", data={"csrf_token": token_of(client), "code": code.group(1)}
    ).text
    assert 'data-testid="change-made">The greeting now says it is AI.' in page
    assert "omar" not in page  # the sender sees progress, not names
    unknown = client.post(
        "/feedback/follow",
        data={"csrf_token": token_of(client), "code": "FB-0000-0000-0000-0000"},
    )
    assert unknown.status_code == 404 and "No feedback has that follow-up code." in unknown.text


def test_hostile_text_is_escaped(fb_ws: Workspace, client: TestClient) -> None:
    for path in ("/feedback/triage", f"/feedback/{anon(fb_ws)}"):
        assert HOSTILE not in client.get(path).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in client.get(f"/feedback/{anon(fb_ws)}").text


def test_htmx_filter_and_unknown_flag(fb_ws: Workspace, client: TestClient) -> None:
    partial = client.get("/feedback/triage?category=tone", headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert re.findall(r'href="/feedback/(\d+)"', partial.text) == ["1"]
    assert client.get("/feedback/99").status_code == 404
    assert client.get("/feedback/triage?status=bogus").status_code == 400
