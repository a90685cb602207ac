"""Registry forms: edits reach the registry through plan and apply; bad input comes back."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from registry_fixtures import apply_example
from web_helpers import TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.domain.governance.spec import Lifecycle, Template
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import add_user
from cxsteward.services.governance.setup import (
    current_governance,
    export_governance,
    record_meeting,
)
from cxsteward.services.workspace import Workspace
from cxsteward.web.auth import SESSION_COOKIE

Clients = Callable[[str], TestClient]


@pytest.fixture
def committee(client_for: Clients, web_ws: Workspace) -> TestClient:
    apply_example(web_ws)
    return client_for("committee")


def _post(client: TestClient, page: str, action: str, data: dict[str, object]) -> object:
    token = csrf_of(client.get(page))
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


def _edit_form(client: TestClient, key: str) -> dict[str, object]:
    """The deployment form's current values, as a browser would send them back."""
    html = client.get(f"/registry/deployments/{key}/edit").text
    data: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<input type="(?:text|date|hidden)" [^>]*?name="([^"]+)" value="([^"]*)"', html
    ):
        data.setdefault(name, []).append(value)
    for name, value in re.findall(
        r'type="checkbox" id="[^"]+" name="([^"]+)" value="([^"]+)"[^>]* checked', html
    ):
        data.setdefault(name, []).append(value)
    for name, text in re.findall(
        r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', html
    ):
        data[name] = [text]
    for name, value in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>'
        r'(?:(?!</select>).)*?<option value="([^"]*)" selected',
        html,
        re.S,
    ):
        data[name] = [value]
    data.pop("csrf_token", None)
    return dict(data)


def test_editing_a_deployment_changes_the_registry(
    committee: TestClient, web_ws: Workspace
) -> None:
    form = _edit_form(committee, "billing-voice")
    form.update(
        name="Billing voice agent v2",
        channels="voice, chat",
        go_live="2024-11-05",
        disclosure_text_0="An automated assistant answers; say 'person' for our team.",
    )
    response = _post(
        committee,
        "/registry/deployments/billing-voice/edit",
        "/registry/deployments/billing-voice/edit",
        form,
    )
    assert response.status_code == 303, response.text[:2000]
    dep = current_governance(web_ws).deployment("billing-voice")
    assert dep is not None
    assert dep.name == "Billing voice agent v2"
    assert dep.channels == ["voice", "chat"]
    assert dep.go_live == date(2024, 11, 5)
    # Who holds a right is a committee decision (tests/web/test_decision_rights_matrix.py).
    assert dep.decision_rights.modify == []
    assert dep.decision_rights.pause == ["dev-raman", "marco-ricci"]
    assert dep.disclosure == {"voice": "An automated assistant answers; say 'person' for our team."}
    assert dep.vendor == "parlance-voice" and dep.status == Lifecycle.SCALING
    assert len(dep.history) == 2  # the history is kept as it was


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"rights_pause": ["dev-raman", "nobody-here"]}, "rights_pause", "not in people"),
        ({"name": ""}, "name", "cannot be empty"),
        ({"go_live": "31/12/2024"}, "go_live", "is not a date"),
        ({"function": "astrology"}, "function", "Choose one of"),
        ({"vendor": "acme"}, "vendor", "unknown vendor"),
    ],
    ids=["unknown-person", "empty-name", "bad-date", "bad-function", "unknown-vendor"],
)
def test_a_bad_value_comes_back_on_its_field(
    committee: TestClient, web_ws: Workspace, change: dict[str, object], field: str, message: str
) -> None:
    before = export_governance(web_ws)
    form = {**_edit_form(committee, "billing-voice"), **change}
    response = _post(
        committee,
        "/registry/deployments/billing-voice/edit",
        "/registry/deployments/billing-voice/edit",
        form,
    )
    assert response.status_code == 422
    html = response.text  # type: ignore[attr-defined]
    error = re.search(rf'<p class="field-error" id="e-{field}">(.*?)</p>', html, re.S)
    assert error and message in error.group(1), html[:3000]
    assert 'aria-describedby="' in html and 'role="alert"' in html
    assert export_governance(web_ws) == before
    if field == "name":
        assert 'value="Billing voice agent"' not in html  # the user's (empty) input is kept
    if field == "go_live":
        assert 'value="31/12/2024"' in html


def test_a_refused_lifecycle_move_is_explained(committee: TestClient, web_ws: Workspace) -> None:
    page = "/registry/deployments/sales-assistant"
    response = _post(
        committee, page, page + "/status", {"status": "production", "reason": "Skip ahead"}
    )
    assert response.status_code == 422
    html = response.text  # type: ignore[attr-defined]
    assert "cannot move to production" in html and "allowed: scaling, paused, retired" in html
    assert 'value="production" selected' in html or "Skip ahead" in html
    dep = current_governance(web_ws).deployment("sales-assistant")
    assert dep is not None and dep.status == Lifecycle.PILOT and len(dep.history) == 1


def test_an_allowed_lifecycle_move_is_recorded(
    committee: TestClient,
    make_client: Callable[..., TestClient],
    settings: Settings,
    web_ws: Workspace,
) -> None:
    page = "/registry/deployments/billing-voice"
    # Seen: the account "committee" is no registry person, yet paused with the decider nobody.
    # Now it is refused on the page, with who may decide, and a decider named in the form
    # changes nothing.
    form = {"status": "paused", "reason": "Complaints doubled", "by": "dev-raman"}
    refused = _post(committee, page, page + "/status", form)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    text = " ".join(html.unescape(refused.text).split())  # type: ignore[attr-defined]
    assert "Your account committee is linked to no person of the governance registry" in text
    assert "Who may decide: dev-raman, marco-ricci (the pause right on billing-voice)" in text
    dep = current_governance(web_ws).deployment("billing-voice")
    assert dep is not None and dep.status == Lifecycle.SCALING
    # A person's account is recorded as the decider, whatever the form says.
    dev = _signed_in_as("dev-raman", make_client, settings, web_ws)
    assert "Recorded as decided by you (Dev Raman)" in dev.get(page).text
    form = {"status": "paused", "reason": "Complaints doubled", "by": "maya-okafor"}
    assert _post(dev, page, page + "/status", form).status_code == 303  # type: ignore[attr-defined]
    form = {"status": "scaling", "reason": "Fixed", "by": "maya-okafor"}
    assert _post(dev, page, page + "/status", form).status_code == 303  # type: ignore[attr-defined]
    dep = current_governance(web_ws).deployment("billing-voice")
    assert dep is not None and (dep.status, dep.history[-1].by) == (Lifecycle.SCALING, "dev-raman")
    assert dep.history[-2].by == "dev-raman"
    assert "Complaints doubled" in committee.get(page).text


def test_creating_a_deployment_and_a_model_version(
    committee: TestClient, web_ws: Workspace
) -> None:
    new = "/registry/deployments/new"
    form = {
        "key": "returns-bot",
        "name": "Returns bot",
        "function": "support",
        "channels": "chat",
        "vendor": "lumen-ai",
        "customer_facing": "yes",
        "status": "pilot",
        "rights_pause": "dev-raman",
    }
    assert _post(committee, new, new, form).status_code == 303  # type: ignore[attr-defined]
    page = "/registry/deployments/returns-bot"
    model = {"model": "lumen-assist", "version": "v3", "effective_from": "2025-04-01"}
    assert _post(committee, page, page + "/models", model).status_code == 303  # type: ignore[attr-defined]
    dep = current_governance(web_ws).deployment("returns-bot")
    assert dep is not None and dep.decision_rights.pause == ["dev-raman"]
    assert [(m.model, m.version, m.effective_from) for m in dep.models] == [
        ("lumen-assist", "v3", date(2025, 4, 1))
    ]
    assert [t.status for t in dep.history] == [Lifecycle.PILOT]
    # The first model declares the deployment; a second one on a live deployment changes it,
    # which needs the modify right (returns-bot names no holder: the committee decides).
    model = {"model": "lumen-assist", "version": "v4", "effective_from": "2025-05-01"}
    refused = _post(committee, page, page + "/models", model)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "Customer AI Council with quorum 4 of 6" in html.unescape(refused.text)  # type: ignore[attr-defined]
    again = _post(committee, new, new, form)
    assert again.status_code == 422 and "already a deployment" in again.text  # type: ignore[attr-defined]


def _signed_in_as(
    username: str, make_client: Callable[..., TestClient], settings: Settings, ws: Workspace
) -> TestClient:
    """A client signed in as a new committee user named ``username``."""
    user = add_user(ws, username, f"pw-{username}-0123456789", "committee")
    client = make_client()
    client.cookies.set(SESSION_COOKIE, start_session(ws, user.id, settings.session_hours).token)
    return client


def _template_of(ws: Workspace, key: str) -> Template:
    return next(t for t in current_governance(ws).templates if t.key == key)


def test_template_approval_records_the_signed_in_person(
    client_for: Clients,
    committee: TestClient,
    make_client: Callable[..., TestClient],
    settings: Settings,
    web_ws: Workspace,
) -> None:
    page, action = "/registry/templates", "/registry/templates/billing-correction/approve"
    analyst = client_for("analyst")
    refused = analyst.post(
        action, data={"by": "lena-fischer", "csrf_token": csrf_of(analyst.get(page))}
    )
    assert refused.status_code == 403
    lena = _signed_in_as("lena-fischer", make_client, settings, web_ws)
    shown = lena.get(page).text
    assert "You act as <strong>Lena Fischer (lena-fischer)</strong>" in shown
    assert 'name="by"' not in shown and "Approve (legal) as Lena Fischer" in shown
    # A ``by`` naming someone else is ignored: the approval is the signed-in person's.
    assert _post(lena, page, action, {"by": "dev-raman"}).status_code == 303  # type: ignore[attr-defined]
    template = _template_of(web_ws, "billing-correction")
    assert template.approved_by == "lena-fischer" and template.approved_at is not None
    twice = _post(lena, "/registry/people", action, {})
    assert twice.status_code == 422 and "already approved" in twice.text  # type: ignore[attr-defined]


def test_a_user_who_is_not_a_person_cannot_approve(
    committee: TestClient, web_ws: Workspace
) -> None:
    page, action = "/registry/templates", "/registry/templates/billing-correction/approve"
    shown = committee.get(page).text
    message = (
        "Your account committee is not a person in the governance registry; ask an admin to "
        "add person committee or to create your account under your person key."
    )
    assert message in shown and "/registry/templates/billing-correction/approve" not in shown
    before = export_governance(web_ws)
    refused = _post(committee, page, action, {"by": "lena-fischer"})
    assert refused.status_code == 403 and message in refused.text  # type: ignore[attr-defined]
    assert export_governance(web_ws) == before
    assert _template_of(web_ws, "billing-correction").approved_by is None


def test_changed_wording_is_a_new_unapproved_version(
    committee: TestClient, web_ws: Workspace
) -> None:
    page = "/registry/templates/service-paused/edit"
    text = "Our assistant on {channel} is paused until {date}. Our team answers meanwhile."
    response = _post(committee, page, page, {"incident_type": "deployment_paused", "text": text})
    assert response.status_code == 303  # type: ignore[attr-defined]
    template = next(t for t in current_governance(web_ws).templates if t.key == "service-paused")
    assert (template.version, template.approved_by, template.approved_at) == (2, None, None)
    assert template.placeholders == ["channel", "date"]


def test_the_grid_marks_the_collapsed_chain(committee: TestClient) -> None:
    html = committee.get("/registry/accountability").text
    cell = re.search(r'data-testid="cell-escalation_rate-billing-voice">(.*?)</td>', html, re.S)
    assert cell and "Collapsed chain" in cell.group(1) and "Blocking" in cell.group(1)
    other = re.search(r'data-testid="cell-escalation_rate-support-chat">(.*?)</td>', html, re.S)
    assert other and "Ines Duarte" in other.group(1)
    assert "Collapsed chain" not in other.group(1) and "Blocking" not in other.group(1)


def test_hostile_text_is_escaped(committee: TestClient, web_ws: Workspace) -> None:
    form = {"key": "mallory", "name": "<script>alert(1)</script>", "title": "<b>x</b>"}
    assert _post(committee, "/registry/people/new", "/registry/people/new", form).status_code == 303  # type: ignore[attr-defined]
    html = committee.get("/registry/people").text
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_recording_a_meeting(committee: TestClient, web_ws: Workspace) -> None:
    page = "/registry/committee"
    form = {
        "held_on": "2025-03-11",
        "attendees": ["maya-okafor", "lena-fischer"],
        "decisions": "Pause nothing\nReview Q2",
    }
    assert _post(committee, page, page + "/meetings", form).status_code == 303  # type: ignore[attr-defined]
    committee_ = current_governance(web_ws).committee
    assert committee_ is not None
    last = committee_.meetings[-1]
    assert (last.held_on, last.attendees, last.decisions) == (
        date(2025, 3, 11),
        ["maya-okafor", "lena-fischer"],
        ["Pause nothing", "Review Q2"],
    )


def test_a_person_who_is_not_legal_cannot_approve_and_is_told_who_may(
    committee: TestClient,
    make_client: Callable[..., TestClient],
    settings: Settings,
    web_ws: Workspace,
) -> None:
    page, action = "/registry/templates", "/registry/templates/billing-correction/approve"
    dev = _signed_in_as("dev-raman", make_client, settings, web_ws)
    refused = _post(dev, page, action, {})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    text = " ".join(html.unescape(refused.text).split())  # type: ignore[attr-defined]
    assert "dev-raman may not approve template 'billing-correction'" in text
    assert "Who may approve: lena-fischer, oluwaseun-bello." in text
    assert _template_of(web_ws, "billing-correction").approved_by is None


def test_committee_decision_form_and_an_overdue_ratification_on_the_deployment_page(
    committee: TestClient,
    make_client: Callable[..., TestClient],
    settings: Settings,
    web_ws: Workspace,
) -> None:
    council = ["maya-okafor", "dev-raman", "lena-fischer", "hana-sato"]
    record_meeting(web_ws, date(2025, 3, 4), council, [])
    page = "/registry/deployments/billing-voice"
    action = page + "/committee-decisions"
    form = {
        "move": "production",
        "meeting": "2025-03-04",
        "present": council,
        "votes_for": "4",
        "reason": "Targets met",
    }
    # An account linked to no person records no decision, and is told why on the page.
    refused = _post(committee, page, action, form)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "name one with --by (a web account acts as the person" in html.unescape(
        refused.text  # type: ignore[attr-defined]
    )
    maya = _signed_in_as("maya-okafor", make_client, settings, web_ws)
    short = _post(maya, page, action, {**form, "present": council[:3], "votes_for": "3"})
    assert short.status_code == 422  # type: ignore[attr-defined]
    assert "Quorum not met: 3 of 6 members present" in short.text  # type: ignore[attr-defined]
    # The bare example has no data, so the scale gate says no-go: only an override passes.
    stopped = _post(maya, page, action, form)
    assert stopped.status_code == 422  # type: ignore[attr-defined]
    assert "The scale gate says no-go" in html.unescape(stopped.text)  # type: ignore[attr-defined]
    form = {**form, "override_gate": "yes"}
    assert _post(maya, page, action, form).status_code == 303  # type: ignore[attr-defined]
    dep = current_governance(web_ws).deployment("billing-voice")
    assert dep is not None and dep.status == Lifecycle.PRODUCTION
    # maya-okafor's own pause is an emergency pause (sev1); a meeting since makes it overdue.
    form = {"status": "paused", "reason": "Customers misled"}
    assert _post(maya, page, page + "/status", form).status_code == 303  # type: ignore[attr-defined]
    shown = maya.get(page).text
    assert 'data-testid="emergency-pause"' in shown and "ratification-overdue" not in shown
    record_meeting(web_ws, date.today() + timedelta(days=1), council, [])
    shown = html.unescape(maya.get(page).text)
    assert 'data-testid="ratification-overdue"' in shown
    assert "4 of 6 (quorum 4)" in shown and "Targets met" in shown
