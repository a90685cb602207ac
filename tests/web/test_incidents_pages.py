"""Incident pages over HTTP: access by role, acknowledge, decide (with rights), draft, send."""

from __future__ import annotations

import html
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from web_helpers import TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import add_user
from cxsteward.services.governance.decisions import list_decisions
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.incidents.communications import list_communications
from cxsteward.services.incidents.lifecycle import get_incident, open_incident
from cxsteward.services.workspace import Workspace
from cxsteward.web.auth import SESSION_COOKIE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from test_incidents_helpers import apply  # noqa: E402

ROLES = ["admin", "committee", "analyst", "frontline", "viewer", "anonymous"]


@pytest.fixture
def incident_id(web_ws: Workspace) -> int:
    apply(web_ws)
    return open_incident(
        web_ws,
        "Complaints tripled",
        "support-chat",
        "sev2",
        by="ana",
        incident_type="complaint_rate",
    ).id


def _client(role: str, client_for: Callable[[str], TestClient], anon: TestClient) -> TestClient:
    return anon if role == "anonymous" else client_for(role)


def _expect(allowed: set[str], role: str, ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    return ok if role in allowed else 403


READERS = {"admin", "committee", "analyst", "viewer"}
NOT_A_PERSON = (
    "Your account committee is not a person in the governance registry; ask an admin to add "
    "person committee or to create your account under your person key."
)
Person = Callable[[str, str], TestClient]


@pytest.fixture
def person(make_client: Callable[..., TestClient], settings: Settings, web_ws: Workspace) -> Person:
    """``person("omar", "committee")``: a client signed in as a new user with that username."""

    def signed_in(username: str, role: str) -> TestClient:
        user = add_user(web_ws, username, f"pw-{username}-0123456789", role)
        client = make_client()
        issued = start_session(web_ws, user.id, settings.session_hours)
        client.cookies.set(SESSION_COOKIE, issued.token)
        return client

    return signed_in


@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize("path", ["/incidents", "/incidents/{id}"], ids=["list", "detail"])
def test_pages_by_role(
    role: str,
    path: str,
    incident_id: int,
    client_for: Callable[[str], TestClient],
    anon_client: TestClient,
) -> None:
    client = _client(role, client_for, anon_client)
    response = client.get(path.format(id=incident_id), follow_redirects=False)
    assert response.status_code == _expect(READERS, role)


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 303), ("committee", 303), ("analyst", 303), ("frontline", 403), ("viewer", 403)],
    ids=str,
)
def test_acknowledge_by_role(
    role: str,
    status: int,
    incident_id: int,
    web_ws: Workspace,
    client_for: Callable[[str], TestClient],
) -> None:
    client = client_for(role)
    token = csrf_of(client.get("/"))
    response = client.post(
        f"/incidents/{incident_id}/acknowledge", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == status
    incident = get_incident(web_ws, incident_id)
    assert (incident.status == "acknowledged") == (status == 303)


def test_list_filters_and_shows_the_incident(
    incident_id: int, web_ws: Workspace, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("viewer")
    assert "Complaints tripled" in client.get("/incidents?severity=sev2").text
    assert "Complaints tripled" not in client.get("/incidents?severity=sev1").text
    assert "Complaints tripled" not in client.get("/incidents?status=closed").text
    bad = client.get("/incidents?severity=sev9")
    assert bad.status_code == 400 and "Unknown severity" in bad.text


def test_a_pause_decision_is_taken_as_the_signed_in_person(
    incident_id: int, web_ws: Workspace, person: Person
) -> None:
    omar = person("omar", "committee")
    page = omar.get(f"/incidents/{incident_id}")
    assert "You act as <strong>Omar Ops (omar)</strong>" in page.text
    assert 'name="acting_as"' not in page.text and 'id="decision-action"' in page.text
    form = {"csrf_token": csrf_of(page), "action": "pause", "why": "Complaints tripled"}
    # A field naming someone else is ignored: the decision is omar's.
    done = omar.post(
        f"/incidents/{incident_id}/decisions",
        data={**form, "acting_as": "ana", "by": "ana"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    dep = current_governance(web_ws).deployment("support-chat")
    assert dep is not None and dep.status.value == "paused"
    decided = list_decisions(web_ws, incident_id=incident_id)
    assert [(d.action, d.by) for d in decided] == [("pause", "omar")]
    shown = omar.get(done.headers["location"])
    assert (
        "The decision is recorded." in shown.text
        and 'data-testid="deployment-status">paused' in shown.text
    )
    missing = omar.post(
        f"/incidents/{incident_id}/decisions", data={"csrf_token": form["csrf_token"]}
    )
    assert missing.status_code == 400 and "Choose the decision." in missing.text


def test_a_person_without_the_right_is_refused_even_naming_someone_else(
    incident_id: int, web_ws: Workspace, person: Person
) -> None:
    ana = person("ana", "committee")
    page = ana.get(f"/incidents/{incident_id}")
    assert "You act as <strong>Ana Analyst (ana)</strong>" in page.text
    before = current_governance(web_ws)
    form = {"csrf_token": csrf_of(page), "action": "pause", "why": "Complaints tripled"}
    refused = ana.post(
        f"/incidents/{incident_id}/decisions", data={**form, "by": "omar", "acting_as": "omar"}
    )
    assert refused.status_code == 403
    text = html.unescape(refused.text)
    assert "ana may not pause support-chat" in text
    assert "Who may decide: omar (the pause right on support-chat)" in text
    assert list_decisions(web_ws) == []
    assert current_governance(web_ws) == before


def test_a_user_who_is_not_a_person_is_not_offered_the_forms_and_is_refused(
    incident_id: int, web_ws: Workspace, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("committee")
    page = client.get(f"/incidents/{incident_id}?template=complaint-apology")
    assert page.status_code == 200 and NOT_A_PERSON in page.text
    assert 'data-testid="acting-as"' not in page.text
    for absent in ('action="/incidents/{id}/decisions"', 'action="/incidents/{id}/communications"'):
        assert absent.format(id=incident_id) not in page.text
    token = csrf_of(page)  # the status form is still offered: acknowledging needs no person
    decision = {"csrf_token": token, "action": "pause", "why": "x", "acting_as": "omar"}
    refused = client.post(f"/incidents/{incident_id}/decisions", data=decision)
    assert refused.status_code == 403 and NOT_A_PERSON in refused.text
    draft = {
        "csrf_token": token,
        "template": "complaint-apology",
        "acting_as": "lena",
        "value-customer": "Jo",
        "value-date": "1 Oct",
        "value-remedy": "refunded you",
    }
    refused = client.post(f"/incidents/{incident_id}/communications", data=draft)
    assert refused.status_code == 403 and NOT_A_PERSON in refused.text
    assert list_decisions(web_ws) == [] and list_communications(web_ws, incident_id) == []
    dep = current_governance(web_ws).deployment("support-chat")
    assert dep is not None and dep.status.value == "production"


def test_analysts_may_not_decide(incident_id: int, client_for: Callable[[str], TestClient]) -> None:
    client = client_for("analyst")
    token = csrf_of(client.get("/"))
    data = {"csrf_token": token, "action": "pause", "why": "x"}
    assert client.post(f"/incidents/{incident_id}/decisions", data=data).status_code == 403


def test_drafting_fills_placeholders_and_names_missing_ones(
    incident_id: int, web_ws: Workspace, person: Person, client_for: Callable[[str], TestClient]
) -> None:
    client = person("lena", "committee")
    page = client.get(f"/incidents/{incident_id}?template=complaint-apology")
    assert 'id="draft-value-customer"' in page.text and 'name="acting_as"' not in page.text
    # acting_as names another person: ignored, the draft and the send are lena's.
    base = {"csrf_token": csrf_of(page), "template": "complaint-apology", "acting_as": "omar"}
    partial = client.post(
        f"/incidents/{incident_id}/communications", data={**base, "value-customer": "Jo"}
    )
    assert partial.status_code == 400
    assert (
        'id="draft-value-date-error"' in partial.text
        and 'id="draft-value-remedy-error"' in partial.text
    )
    assert 'id="draft-value-customer-error"' not in partial.text
    assert list_communications(web_ws, incident_id) == []
    values = {"value-customer": "Jo <b>", "value-date": "1 Oct", "value-remedy": "refunded you"}
    ok = client.post(
        f"/incidents/{incident_id}/communications", data={**base, **values}, follow_redirects=False
    )
    assert ok.status_code == 303
    (draft,) = list_communications(web_ws, incident_id)
    assert draft.text.startswith("Dear Jo <b>, on 1 Oct") and draft.sent_at is None
    assert draft.drafted_by == "lena"
    assert "Dear Jo &lt;b&gt;, on 1 Oct" in client.get(f"/incidents/{incident_id}").text
    outsider = client_for("committee")
    refused = outsider.post(
        f"/incidents/{incident_id}/communications/{draft.id}/send",
        data={"csrf_token": csrf_of(outsider.get("/")), "acting_as": "lena", "channel": "email"},
    )
    assert refused.status_code == 403 and NOT_A_PERSON in refused.text
    assert list_communications(web_ws, incident_id)[0].sent_at is None
    sent = client.post(
        f"/incidents/{incident_id}/communications/{draft.id}/send",
        data={"csrf_token": base["csrf_token"], "acting_as": "omar", "channel": "email"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert list_communications(web_ws, incident_id)[0].sent_by == "lena"


def test_posts_without_csrf_are_refused(
    incident_id: int, web_ws: Workspace, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("admin")
    assert client.post(f"/incidents/{incident_id}/acknowledge").status_code == 403
    assert get_incident(web_ws, incident_id).status == "open"


def test_refusals_carry_the_status_of_the_one_error_mapper(
    incident_id: int, web_ws: Workspace, person: Person
) -> None:
    omar = person("omar", "committee")
    token = csrf_of(omar.get(f"/incidents/{incident_id}"))
    missing = incident_id + 1000
    # A missing incident is not found, whichever form was posted (it used to be a 409).
    for path, data in (
        (f"/incidents/{missing}/acknowledge", {}),
        (f"/incidents/{missing}/status", {"status": "resolved"}),
        (f"/incidents/{missing}/decisions", {"action": "pause", "why": "x"}),
    ):
        gone = omar.post(path, data={"csrf_token": token, **data})
        assert gone.status_code == 404, path
        assert f"No incident {missing}" in gone.text
    # A move the lifecycle refuses clashes with the state: 409, shown beside the form.
    refused = omar.post(
        f"/incidents/{incident_id}/status", data={"csrf_token": token, "status": "closed"}
    )
    assert refused.status_code == 409
    assert "cannot move from open to closed" in html.unescape(refused.text)
    assert 'id="status-note"' in refused.text or "Complaints tripled" in refused.text
    # An unknown status is a bad request, named as such.
    unknown = omar.post(
        f"/incidents/{incident_id}/status", data={"csrf_token": token, "status": "done"}
    )
    assert unknown.status_code == 400 and "Unknown incident status" in html.unescape(unknown.text)
    # Sending a draft that is not this incident's names what is not there.
    stray = omar.post(
        f"/incidents/{incident_id}/communications/77/send",
        data={"csrf_token": token, "channel": "email"},
    )
    assert stray.status_code == 404 and "Communication 77 is not a draft" in stray.text
    assert get_incident(web_ws, incident_id).status == "open"
