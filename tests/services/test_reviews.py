"""Customer review requests: hashed codes, public status, SLA, lifecycle, incidents, bad input."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import (
    DeploymentNotFound,
    GovernanceNotFound,
    Invalid,
    ReviewNotFound,
    TransitionNotAllowed,
)
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.registry.tables_trust import ReviewRequestRecord
from cxsteward.services.contract import jsonable
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.incidents import lifecycle as incidents_service
from cxsteward.services.incidents.lifecycle import get_incident, set_incident_status
from cxsteward.services.trust import reviews as reviews_service
from cxsteward.services.trust.reviews import (
    CUSTOMER,
    get_review,
    list_reviews,
    resolve_review,
    review_status,
    review_summary,
    start_review,
    submit_review_request,
    withdraw_review,
    withdraw_review_by_code,
)
from cxsteward.services.workspace import Workspace, init_workspace

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
SETUP: dict[str, Any] = {
    "organization": "Acme Telecom",
    "people": [
        {"key": "omar", "name": "Omar Ops", "email": "omar@acme.test"},
        {"key": "eve", "name": "Eve Engineer", "email": "eve@acme.test"},
    ],
    "deployments": [
        {"key": "support-chat", "name": "Support chat", "function": "support"},
        {"key": "billing-voice", "name": "Billing voice bot", "function": "support"},
    ],
    "protocols": [
        {"severity": "sev2", "notify": ["omar"], "respond_within_hours": 4, "decides": "omar"},
        {"severity": "sev3", "notify": ["eve"], "respond_within_hours": 24, "decides": "omar"},
    ],
}


def declare(ws: Workspace) -> None:
    """The governance these tests share: two deployments, two people, two protocols."""
    apply_governance(ws, Governance.model_validate(SETUP), actor="omar")


def submit(ws: Workspace, at: datetime | None = T0, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "deployment": "support-chat",
        "description": "The assistant refused my refund and would not pass me to a person.",
        "contact": "jo@example.com",
        "reference": "ORD-1182",
    }
    return submit_review_request(ws, **{**fields, **changes}, at=at)


def test_a_request_gets_a_code_that_is_stored_only_as_its_hash(ws: Workspace) -> None:
    declare(ws)
    receipt = submit(ws, consent="I agree to be contacted about this request.")
    body = receipt.tracking_code.replace("-", "")[2:]
    with ws.transaction() as session:
        record = session.get(ReviewRequestRecord, receipt.id)
        assert record is not None
        assert record.code_hash == hashlib.sha256(f"RV:{body}".encode()).hexdigest()
        assert record.contact == "jo@example.com" and record.contact_kind == "email"
    ws.close()
    raw = (ws.settings.workspace / "registry.sqlite").read_bytes()
    assert receipt.tracking_code.encode() not in raw and body.encode() not in raw
    assert b"jo@example.com" in raw  # the file is readable: the check above means something


def test_the_public_status_shows_only_status_dates_and_outcome(ws_any: Workspace) -> None:
    declare(ws_any)
    receipt = submit(ws_any)
    shown = review_status(ws_any, receipt.tracking_code.lower().replace("-", " "))
    document = jsonable(shown)
    assert set(document) == {
        "status",
        "received_at",
        "due_at",
        "started_at",
        "resolved_at",
        "withdrawn_at",
        "outcome",
        "outcome_text",
        # The explanation of how AI shaped the outcome, once resolved (none here).
        "explanation",
        "factors",
    }
    assert (document["explanation"], document["factors"]) == (None, [])
    assert document["status"] == "received" and document["received_at"] == T0.isoformat().replace(
        "+00:00", "Z"
    )
    assert "jo@example.com" not in str(document) and "ORD-1182" not in str(document)
    start_review(ws_any, receipt.id, "omar", at=T0 + timedelta(hours=1))
    resolve_review(
        ws_any, receipt.id, "changed", "We refunded the fee.", "omar", at=T0 + timedelta(hours=5)
    )
    shown = review_status(ws_any, receipt.tracking_code)
    assert (shown.status, shown.outcome, shown.outcome_text) == (
        "resolved",
        "changed",
        "We refunded the fee.",
    )
    assert shown.resolved_at == T0 + timedelta(hours=5)


def test_an_unknown_or_malformed_code_is_refused(ws: Workspace) -> None:
    declare(ws)
    submit(ws)
    with pytest.raises(ReviewNotFound, match="No review request has that tracking code"):
        review_status(ws, "RV-0000-0000-0000-0000")
    with pytest.raises(Invalid, match="not in the right form"):
        review_status(ws, "12345")


def test_due_time_and_overdue_follow_the_sla_setting(ws_any: Workspace) -> None:
    declare(ws_any)
    receipt = submit(ws_any)
    due = datetime(2026, 10, 4, 9, 0, tzinfo=UTC)  # 72 hours after 1 October 09:00
    assert receipt.due_at == due
    assert not get_review(ws_any, receipt.id, at=due).overdue
    late = get_review(ws_any, receipt.id, at=due + timedelta(hours=2))
    assert late.overdue and late.hours_left == pytest.approx(-2.0)
    assert get_review(ws_any, receipt.id, at=T0 + timedelta(hours=10)).hours_left == 62.0
    assert [r.id for r in list_reviews(ws_any, overdue_only=True, at=due)] == []
    overdue = list_reviews(ws_any, overdue_only=True, at=due + timedelta(seconds=1))
    assert [r.id for r in overdue] == [receipt.id]


def test_a_shorter_sla_setting_moves_the_due_time(ws: Workspace) -> None:
    declare(ws)
    ws.close()
    fast = init_workspace(ws.settings.model_copy(update={"review_sla_hours": 24}))
    try:
        assert submit(fast).due_at == T0 + timedelta(hours=24)
    finally:
        fast.close()


def test_the_queue_is_ordered_by_due_time_and_hides_finished_requests(ws: Workspace) -> None:
    declare(ws)
    later = submit(ws, at=T0 + timedelta(hours=5))
    sooner = submit(ws, at=T0)
    done = submit(ws, at=T0 - timedelta(hours=1))
    withdraw_review(ws, done.id, "omar", "The customer called to cancel.", at=T0)
    assert [r.id for r in list_reviews(ws)] == [sooner.id, later.id]
    assert [r.id for r in list_reviews(ws, include_finished=True)] == [done.id, sooner.id, later.id]
    assert [r.id for r in list_reviews(ws, status="withdrawn")] == [done.id]
    assert list_reviews(ws, deployment="billing-voice") == []


def test_resolution_records_who_what_and_how_long(ws_any: Workspace) -> None:
    declare(ws_any)
    receipt = submit(ws_any)
    started = start_review(ws_any, receipt.id, "omar", at=T0 + timedelta(hours=2))
    assert (started.status, started.started_by) == ("in_review", "omar")
    out = resolve_review(
        ws_any,
        receipt.id,
        "explained",
        "The refund window had closed; we have explained why.",
        "eve",
        at=T0 + timedelta(hours=80),
    )
    assert (out.status, out.outcome, out.resolved_by) == ("resolved", "explained", "eve")
    assert out.hours_to_resolution == 80.0
    assert out.resolved_late and not out.overdue and out.hours_left is None


def test_every_refused_move_is_refused_by_the_service(ws: Workspace) -> None:
    declare(ws)
    receipt = submit(ws)
    with pytest.raises(TransitionNotAllowed, match="from received it can move to in_review"):
        resolve_review(ws, receipt.id, "upheld", "It stands.", "omar", at=T0)
    start_review(ws, receipt.id, "omar", at=T0)
    with pytest.raises(TransitionNotAllowed, match="from in_review"):
        start_review(ws, receipt.id, "omar", at=T0)
    resolve_review(ws, receipt.id, "upheld", "It stands.", "omar", at=T0)
    with pytest.raises(TransitionNotAllowed, match="resolved and cannot change"):
        withdraw_review(ws, receipt.id, "omar", "late", at=T0)
    with pytest.raises(TransitionNotAllowed, match="resolved and cannot change"):
        withdraw_review_by_code(ws, receipt.tracking_code)


def test_a_customer_withdraws_with_the_code(ws: Workspace) -> None:
    declare(ws)
    receipt = submit(ws)
    shown = withdraw_review_by_code(ws, receipt.tracking_code, "Sorted out by phone.")
    assert shown.status == "withdrawn"
    staff = get_review(ws, receipt.id)
    assert (staff.withdrawn_by, staff.withdrawn_reason) == (CUSTOMER, "Sorted out by phone.")


def test_bad_outcomes_and_times_are_refused(ws: Workspace) -> None:
    declare(ws)
    receipt = submit(ws)
    start_review(ws, receipt.id, "omar", at=T0 + timedelta(hours=1))
    with pytest.raises(Invalid, match="Unknown outcome 'refunded'; use one of upheld"):
        resolve_review(ws, receipt.id, "refunded", "Done.", "omar")
    with pytest.raises(Invalid, match="Outcome text for the customer is empty"):
        resolve_review(ws, receipt.id, "changed", "  ", "omar")
    with pytest.raises(Invalid, match="would come before"):
        resolve_review(ws, receipt.id, "changed", "Done.", "omar", at=T0)
    with pytest.raises(Invalid, match="Who acts \\(--by\\) is empty"):
        resolve_review(ws, receipt.id, "changed", "Done.", " ")
    with pytest.raises(ReviewNotFound, match="No review request 99"):
        start_review(ws, 99, "omar")
    assert get_review(ws, receipt.id).status == "in_review"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"deployment": "web-bot"}, DeploymentNotFound, "known: support-chat, billing-voice"),
        ({"description": " "}, Invalid, "What happened is empty"),
        ({"description": "x" * 4001}, Invalid, "4001 characters long; the limit is 4000"),
        ({"description": "ok\x07bell"}, Invalid, "control character U\\+0007 at position 3"),
        ({"contact": "jo@example"}, Invalid, "not an e-mail address"),
        ({"contact": ""}, Invalid, "How to reach you is empty"),
        ({"reference": "ORD\n1182"}, Invalid, "Reference contains the control character"),
    ],
    ids=["unknown-deployment", "empty", "too-long", "control", "bad-email", "no-contact", "ref"],
)
def test_bad_input_is_refused_and_nothing_is_written(
    ws_any: Workspace, changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    declare(ws_any)
    with pytest.raises(error, match=message):
        submit(ws_any, **changes)
    with ws_any.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ReviewRequestRecord)) == 0
        assert session.scalar(select(func.count()).select_from(IncidentRecord)) == 0


def test_without_governance_the_request_says_what_to_do(ws: Workspace) -> None:
    with pytest.raises(GovernanceNotFound):
        submit(ws)


def test_requests_gather_in_one_incident_per_deployment_until_it_is_resolved(
    ws_any: Workspace,
) -> None:
    declare(ws_any)
    first, second = submit(ws_any), submit(ws_any)
    other = submit(ws_any, deployment="billing-voice")
    assert first.incident_id == second.incident_id != other.incident_id
    incident = get_incident(ws_any, first.incident_id)
    assert (incident.source, incident.severity, incident.incident_type) == (
        "review_request",
        "sev4",
        "review_request",
    )
    assert incident.occurrences == 2 and incident.deployment == "support-chat"
    listed = {i.id: i.occurrences for i in incidents_service.list_incidents(ws_any)}
    assert listed == {first.incident_id: 2, other.incident_id: 1}
    # Requests are counted, not written to the incident's row: requests sent at once
    # must not wait for each other on it. Its only change is its creation.
    with ws_any.transaction() as session:
        changes = session.scalars(
            select(AuditRecord.action).where(
                AuditRecord.table_name == "incidents",
                AuditRecord.object_key == str(first.incident_id),
            )
        ).all()
    assert changes == ["insert"]
    notes = [e.detail.get("review") for e in incident.events if e.kind == "note"]
    assert [n for n in notes if n is not None] == [first.id, second.id]
    # Still gathering while acknowledged; a resolved incident gathers no more.
    set_incident_status(ws_any, first.incident_id, "acknowledged", "omar")
    assert submit(ws_any).incident_id == first.incident_id
    set_incident_status(ws_any, first.incident_id, "resolved", "omar")
    fresh = submit(ws_any)
    assert fresh.incident_id not in (first.incident_id, other.incident_id)
    assert get_incident(ws_any, fresh.incident_id).occurrences == 1


def test_the_incident_severity_setting_routes_by_its_protocol(ws: Workspace) -> None:
    declare(ws)
    ws.close()
    strict = init_workspace(ws.settings.model_copy(update={"review_incident_severity": "sev3"}))
    try:
        incident = get_incident(strict, submit(strict).incident_id)
        assert incident.severity == "sev3" and incident.notify == ["eve"]
        assert incident.respond_by == incident.opened_at + timedelta(hours=24)
    finally:
        strict.close()


def test_the_audit_log_names_the_customer_role_not_the_customer(ws: Workspace) -> None:
    declare(ws)
    receipt = submit(ws)
    start_review(ws, receipt.id, "omar")
    with ws.transaction() as session:
        rows = session.scalars(
            select(AuditRecord).where(AuditRecord.table_name == "review_requests")
        ).all()
        assert [(r.action, r.actor) for r in rows] == [("insert", CUSTOMER), ("update", "omar")]
        assert all(receipt.tracking_code not in r.changes for r in rows)
        stored = session.execute(text("SELECT code_hash FROM review_requests")).scalar_one()
        assert stored in rows[0].changes
        # The customer's contact details are personal data: the log keeps only a digest.
        assert all("jo@example.com" not in r.changes for r in rows)
        digest = hashlib.sha256(b"jo@example.com").hexdigest()
        assert json.loads(rows[0].changes)["contact"] == {"redacted": True, "sha256": digest}


def test_the_summary_counts_the_queue_and_resolutions_within_the_sla(ws: Workspace) -> None:
    declare(ws)
    quick, slow, waiting, _untouched = (submit(ws) for _ in range(4))
    for receipt, hours in ((quick, 10), (slow, 100)):
        start_review(ws, receipt.id, "omar", at=T0 + timedelta(hours=1))
        resolve_review(
            ws, receipt.id, "upheld", "It stands.", "omar", at=T0 + timedelta(hours=hours)
        )
    start_review(ws, waiting.id, "omar", at=T0 + timedelta(hours=1))
    summary = review_summary(ws, at=T0 + timedelta(hours=73))
    assert (summary.open, summary.overdue, summary.resolved) == (2, 2, 2)
    assert summary.resolved_within_sla == 1 and summary.within_sla_rate == 0.5
    assert summary.median_hours_to_resolution == pytest.approx((10 + 100) / 2)
    later = review_summary(ws, since=T0 + timedelta(hours=50), at=T0 + timedelta(hours=1))
    assert (later.resolved, later.overdue) == (1, 0)


def test_a_failed_request_leaves_no_incident_behind(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    declare(ws)
    sent: list[object] = []
    monkeypatch.setattr(incidents_service, "deliver", lambda *args: sent.append(args))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(reviews_service, "add_event", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        submit(ws)
    with ws.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IncidentRecord)) == 0
        assert session.scalar(select(func.count()).select_from(ReviewRequestRecord)) == 0
    assert sent == []  # nobody was told about an incident that was never stored
    monkeypatch.undo()
    monkeypatch.setattr(incidents_service, "deliver", lambda *args: sent.append(args))
    receipt = submit(ws)
    assert receipt.incident_id is not None and len(sent) == 1
