"""Invitation links over HTTP: create, open, answer, leave, resume, submit; refusals."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from web_helpers import TestClient, csrf_of

from cxsteward.registry.tables import RespondentRecord
from cxsteward.registry.tables_invitations import InvitationRecord
from cxsteward.services.accounts.sessions import token_hash
from cxsteward.services.assessment.cycles import close_cycle, open_cycle
from cxsteward.services.assessment.invitations import (
    create_invitations,
    respondent_code,
    revoke_invitation,
)
from cxsteward.services.workspace import Workspace

LINK = re.compile(r"https://testserver/invite/([A-Za-z0-9_-]+)")


def _issue(client: TestClient, cycle: str, **form: str) -> list[str]:
    page = client.get(f"/assessment/{cycle}/invitations")
    assert page.status_code == 200
    data = {"csrf_token": csrf_of(page), **form}
    response = client.post(f"/assessment/{cycle}/invitations", data=data)
    assert response.status_code == 201, response.text
    return LINK.findall(response.text)


def test_the_whole_flow_saves_resumes_and_submits(
    web_ws: Workspace, client_for: Callable[[str], TestClient], anon_client: TestClient
) -> None:
    open_cycle(web_ws, "2026-Q4")
    tokens = _issue(client_for("analyst"), "2026-Q4", role_group="frontline", names="Jo Bloggs")
    assert len(tokens) == 1
    token = tokens[0]
    with web_ws.transaction() as session:
        row = session.scalars(select(InvitationRecord)).one()
        # Only the hash is stored; the token itself appears nowhere in the row.
        assert row.token_hash == token_hash(token) and token not in repr(row.__dict__)
        assert row.label == "Jo Bloggs"

    start = anon_client.get(f"/invite/{token}")
    assert start.status_code == 200 and "How do you want to answer?" in start.text
    chosen = anon_client.post(
        f"/invite/{token}/start",
        data={"csrf_token": csrf_of(start), "identity": "anonymous", "name": "Jo Bloggs"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    page = anon_client.get(f"/invite/{token}")
    assert "You are answering anonymously" in page.text and "0 of 36" in page.text
    saved = anon_client.post(
        f"/invite/{token}/answers",
        data={
            "csrf_token": csrf_of(page),
            "q-STR-01": "3",
            "c-STR-01": "Roadmap exists <b>only</b> in slides",
            "q-GOV-01": "dont_know",
            "action": "save",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303

    # Leave and come back later, in a new browser, with the same link.
    other = TestClient(anon_client.app, base_url="https://testserver")
    resumed = other.get(f"/invite/{token}")
    assert "2 of 36 questions answered" in resumed.text, re.sub(r"\s+", " ", resumed.text)[-3000:]
    assert re.search(r'id="q-STR-01-3" name="q-STR-01" value="3" checked', resumed.text)
    assert re.search(r'id="q-GOV-01-dk" name="q-GOV-01" value="dont_know" checked', resumed.text)
    assert "Roadmap exists &lt;b&gt;only&lt;/b&gt; in slides" in resumed.text

    submitted = other.post(
        f"/invite/{token}/answers",
        data={"csrf_token": csrf_of(resumed), "q-STR-02": "1", "action": "submit"},
        follow_redirects=False,
    )
    assert submitted.status_code == 303
    assert "your answers are in" in other.get(f"/invite/{token}").text
    with web_ws.transaction() as session:
        respondent = session.scalars(select(RespondentRecord)).one()
        assert respondent.anonymous and respondent.name is None
        assert respondent.code == respondent_code(token)
        assert {(a.question_id, a.value, a.dont_know) for a in respondent.answers} == {
            ("STR-01", 3, False),
            ("GOV-01", None, True),
            ("STR-02", 1, False),
        }
        assert session.scalars(select(InvitationRecord)).one().submitted_at is not None
    # After submitting, nothing changes any more.
    late = other.post(
        f"/invite/{token}/answers",
        data={"csrf_token": csrf_of(resumed), "q-STR-02": "4", "action": "save"},
        follow_redirects=False,
    )
    assert late.status_code == 303
    with web_ws.transaction() as session:
        values = {
            a.question_id: a.value for a in session.scalars(select(RespondentRecord)).one().answers
        }
    assert values["STR-02"] == 1


def test_a_named_respondent_keeps_their_name(web_ws: Workspace, anon_client: TestClient) -> None:
    open_cycle(web_ws, "c1")
    token = create_invitations(web_ws, "c1", "executive", "lead", count=1)[0].token
    page = anon_client.get(f"/invite/{token}")
    missing = anon_client.post(
        f"/invite/{token}/start", data={"csrf_token": csrf_of(page), "identity": "named"}
    )
    # A form shown again with its messages: 422, as every form (web/errors.py FORM_REFUSED).
    assert missing.status_code == 422 and "Give your name" in missing.text
    assert 'aria-describedby="name-error"' in missing.text
    anon_client.post(
        f"/invite/{token}/start",
        data={"csrf_token": csrf_of(page), "identity": "named", "name": "Ada Exec"},
    )
    assert "You are answering as Ada Exec" in anon_client.get(f"/invite/{token}").text
    with web_ws.transaction() as session:
        respondent = session.scalars(select(RespondentRecord)).one()
        assert (respondent.anonymous, respondent.name) == (False, "Ada Exec")


def test_bad_answers_are_refused_per_question(web_ws: Workspace, anon_client: TestClient) -> None:
    open_cycle(web_ws, "c1")
    token = create_invitations(web_ws, "c1", "data", "lead", count=1)[0].token
    page = anon_client.get(f"/invite/{token}")
    anon_client.post(
        f"/invite/{token}/start", data={"csrf_token": csrf_of(page), "identity": "anonymous"}
    )
    bad = anon_client.post(
        f"/invite/{token}/answers",
        data={
            "csrf_token": csrf_of(page),
            "q-STR-01": "7",
            "c-STR-02": "no answer",
            "q-STR-03": "2",
        },
    )
    assert bad.status_code == 422
    assert "STR-01: &#39;7&#39; is not one of the answers offered" in bad.text
    assert "STR-02: Choose an answer" in bad.text
    with web_ws.transaction() as session:
        assert session.scalars(select(RespondentRecord)).one().answers == []


@pytest.mark.parametrize("state", ["revoked", "closed", "expired", "unknown"], ids=str)
def test_an_unusable_link_says_why(web_ws: Workspace, anon_client: TestClient, state: str) -> None:
    open_cycle(web_ws, "c1")
    issued = create_invitations(web_ws, "c1", "data", "lead", count=1)[0]
    token = issued.token
    if state == "revoked":
        revoke_invitation(web_ws, issued.id, "lead")
    elif state == "closed":
        close_cycle(web_ws, "c1")
    elif state == "expired":
        with web_ws.transaction() as session:
            row = session.scalars(select(InvitationRecord)).one()
            row.expires_at = row.created_at
    else:
        token = "not-a-real-token"
    page = anon_client.get(f"/invite/{token}")
    expected = {
        "revoked": "withdrawn",
        "closed": "has closed",
        "expired": "expired",
        "unknown": "not known",
    }
    assert page.status_code == (404 if state == "unknown" else 410)
    assert expected[state] in page.text and f'data-reason="{state}"' in page.text


def test_public_posts_need_the_csrf_token(web_ws: Workspace, anon_client: TestClient) -> None:
    open_cycle(web_ws, "c1")
    token = create_invitations(web_ws, "c1", "data", "lead", count=1)[0].token
    refused = anon_client.post(f"/invite/{token}/start", data={"identity": "anonymous"})
    assert refused.status_code == 403
    with web_ws.transaction() as session:
        assert session.scalars(select(RespondentRecord)).all() == []
