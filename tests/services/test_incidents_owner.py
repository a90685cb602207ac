"""Incidents opened by hand, by review requests and by frontline flags get an owner and a
deadline from their severity's protocol; a hand-opened repeat updates the open incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from test_reviews import SETUP, declare, submit

from cxsteward.domain.governance.spec import Governance
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.incidents.lifecycle import get_incident, open_incident, set_incident_status
from cxsteward.services.people.feedback import submit_feedback
from cxsteward.services.workspace import Workspace

# From test_reviews.SETUP: sev2 answers within 4 hours, sev3 within 24; omar decides both.
HOURS = {"sev2": 4, "sev3": 24}


def count(ws: Workspace) -> int:
    with ws.transaction() as session:
        return session.scalar(select(func.count()).select_from(IncidentRecord)) or 0


@pytest.mark.parametrize("severity", ["sev2", "sev3"])
def test_a_hand_opened_incident_is_owned_and_due_by_its_protocol(
    ws: Workspace, severity: str
) -> None:
    declare(ws)
    made = open_incident(ws, "Refund loop", "support-chat", severity, by="eve")
    assert made.owner == "omar"
    assert made.respond_by == made.opened_at + timedelta(hours=HOURS[severity])


def test_without_a_protocol_for_the_severity_nobody_is_named(ws: Workspace) -> None:
    declare(ws)
    made = open_incident(ws, "Typo in a greeting", "support-chat", "sev4", by="eve")
    assert (made.owner, made.respond_by) == (None, None)


def test_review_requests_and_bias_flags_open_owned_incidents(ws: Workspace) -> None:
    declare(ws)
    # Review requests gather in an incident of this severity (default sev4, no protocol here).
    ws.settings = ws.settings.model_copy(update={"review_incident_severity": "sev3"})
    receipt = submit(ws, at=None)
    text = "Worse answers for older callers."
    flag = submit_feedback(ws, "billing-voice", "bias", text, by="finn")
    assert flag.incident_id is not None
    with ws.transaction() as session:
        review = session.scalars(
            select(IncidentRecord).where(IncidentRecord.incident_type == "review_request")
        ).one()
    for incident in (get_incident(ws, review.id), get_incident(ws, flag.incident_id)):
        assert incident.owner == "omar", incident.source
        hours = HOURS[incident.severity]
        assert incident.respond_by == incident.opened_at + timedelta(hours=hours)
    assert receipt is not None


def test_a_hand_opened_repeat_updates_the_open_incident(ws: Workspace) -> None:
    declare(ws)
    first = open_incident(ws, "Refund loop", "support-chat", "sev3", by="eve")
    again = open_incident(
        ws, "Refund loop again", "support-chat", "sev2", by="finn", description="Worse today."
    )
    assert again.id == first.id and count(ws) == 1
    assert again.occurrences == 2 and again.severity == "sev2"
    # The sooner of the two deadlines: the sev2 protocol's 4 hours from the repeat.
    assert again.respond_by is not None and first.respond_by is not None
    assert again.respond_by < first.respond_by
    events = get_incident(ws, first.id).events
    recurred = [e for e in events if e.kind == "recurred"]
    assert len(recurred) == 1
    assert recurred[0].detail["by"] == "finn"
    assert recurred[0].detail["severity"] == {"from": "sev3", "to": "sev2"}


def test_a_repeat_of_lower_severity_keeps_the_severity(ws: Workspace) -> None:
    declare(ws)
    first = open_incident(ws, "Refund loop", "support-chat", "sev2", by="eve")
    again = open_incident(ws, "Refund loop", "support-chat", "sev3", by="eve")
    assert (again.id, again.severity, again.respond_by) == (first.id, "sev2", first.respond_by)


@pytest.mark.parametrize(
    ("deployment", "kind"),
    [("billing-voice", None), ("support-chat", "tone")],
    ids=["other-deployment", "other-kind"],
)
def test_a_different_deployment_or_kind_opens_a_second_incident(
    ws: Workspace, deployment: str, kind: str | None
) -> None:
    declare(ws)
    first = open_incident(ws, "Refund loop", "support-chat", "sev3", by="eve")
    second = open_incident(ws, "Other", deployment, "sev3", by="eve", incident_type=kind)
    assert second.id != first.id and count(ws) == 2


def test_a_resolved_incident_is_not_reused(ws: Workspace) -> None:
    declare(ws)
    first = open_incident(ws, "Refund loop", "support-chat", "sev3", by="eve")
    set_incident_status(ws, first.id, "acknowledged", by="omar")
    set_incident_status(ws, first.id, "resolved", by="omar")
    second = open_incident(ws, "Refund loop", "support-chat", "sev3", by="eve")
    assert second.id != first.id and second.occurrences == 1


def test_a_repeat_raised_to_a_protocol_that_tells_customers_marks_the_incident(
    ws: Workspace,
) -> None:
    """The hand-made and the monitoring repeat are routed alike: a sev2 protocol that tells
    customers marks the incident a sev3 one opened without that duty."""
    protocols = [{**p, "tell_customers": p["severity"] == "sev2"} for p in SETUP["protocols"]]
    apply_governance(ws, Governance.model_validate({**SETUP, "protocols": protocols}), actor="omar")
    first = open_incident(ws, "Refund loop", "support-chat", "sev3", by="eve")
    assert not get_incident(ws, first.id).tell_customers
    again = open_incident(ws, "Refund loop again", "support-chat", "sev2", by="finn")
    assert again.id == first.id and get_incident(ws, first.id).tell_customers
