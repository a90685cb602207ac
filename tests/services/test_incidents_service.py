"""Incidents from monitoring runs: dedupe, routing, deadlines, lifecycle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from test_incidents_helpers import apply, breach, store_run

from cxsteward.errors import Conflict, GovernanceNotFound, Invalid, NotFound
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.services.incidents.lifecycle import (
    get_incident,
    list_incidents,
    open_incident,
    set_incident_status,
)
from cxsteward.services.incidents.models import NOTE_MAX, TITLE_MAX
from cxsteward.services.incidents.sync import sync_incidents
from cxsteward.services.workspace import Workspace


def kinds(ws: Workspace, incident_id: int) -> list[str]:
    return [e.kind for e in get_incident(ws, incident_id).events]


def test_a_breach_opens_an_incident_routed_by_protocol_and_accountability(ws: Workspace) -> None:
    apply(ws)
    run = store_run(ws, [breach()])
    out = sync_incidents(ws, run)
    assert len(out.opened) == 1 and out.updated == []
    incident = get_incident(ws, out.opened[0])
    assert incident.source == "finding" and incident.status == "open"
    assert incident.key == breach().key and incident.last_run_id == run
    assert incident.severity == "sev2" and incident.metric == "complaint_rate"
    assert incident.incident_type == "complaint_rate"
    assert incident.scope == {"inquiry_type": "billing"}
    # The support-chat row of the accountability map beats the row for every deployment.
    assert incident.owner == "eve"
    # The sev2 protocol's list, then who monitors and who escalates, without repeats.
    assert incident.notify == ["omar", "ana", "chen"]
    assert incident.respond_by == incident.opened_at + timedelta(hours=4)
    assert not incident.tell_customers and incident.occurrences == 1
    assert "billing-complaints breached in support-chat" in incident.title
    assert incident.events[0].kind == "opened"
    assert incident.events[0].detail["run_id"] == run


def test_the_general_accountability_row_applies_elsewhere(ws: Workspace) -> None:
    apply(ws)
    run = store_run(ws, [breach(deployment="billing-voice", severity="sev1")])
    incident = get_incident(ws, sync_incidents(ws, run).opened[0])
    assert incident.owner == "carla"
    assert incident.notify == ["carla", "omar", "lena", "ana"]
    assert incident.tell_customers
    assert incident.respond_by == incident.opened_at + timedelta(hours=1)


def test_the_same_key_across_runs_updates_one_incident(ws_any: Workspace) -> None:
    ws = ws_any
    apply(ws)
    first = sync_incidents(ws, store_run(ws, [breach()]))
    second_run = store_run(ws, [breach(status="suspected")])
    second = sync_incidents(ws, second_run)
    assert second.opened == [] and second.updated == first.opened
    incident = get_incident(ws, first.opened[0])
    assert incident.occurrences == 2 and incident.last_run_id == second_run
    assert kinds(ws, incident.id).count("recurred") == 1
    with ws.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IncidentRecord)) == 1
    # Syncing the same run again changes nothing.
    again = sync_incidents(ws, second_run)
    assert again.opened == [] and again.updated == []
    assert get_incident(ws, incident.id).occurrences == 2


def test_a_closed_incident_key_opens_a_new_incident(ws: Workspace) -> None:
    apply(ws)
    first_run = store_run(ws, [breach()])
    first = sync_incidents(ws, first_run).opened[0]
    for status in ("acknowledged", "resolved", "closed"):
        set_incident_status(ws, first, status, by="eve")
    # Syncing the old run again does not bring its closed incident back as a new one.
    assert sync_incidents(ws, first_run).opened == []
    second = sync_incidents(ws, store_run(ws, [breach()]))
    assert second.opened and second.opened[0] != first
    assert get_incident(ws, first).occurrences == 1
    assert get_incident(ws, second.opened[0]).key == get_incident(ws, first).key


def test_a_recurrence_reopens_a_resolved_incident(ws: Workspace) -> None:
    apply(ws)
    first = sync_incidents(ws, store_run(ws, [breach()])).opened[0]
    set_incident_status(ws, first, "acknowledged", by="eve")
    set_incident_status(ws, first, "resolved", by="eve")
    sync_incidents(ws, store_run(ws, [breach()]))
    incident = get_incident(ws, first)
    assert incident.status == "open" and incident.resolved_at is None
    assert incident.acknowledged_at is None and incident.respond_by is not None
    assert incident.events[-1].detail == {
        "from": "resolved",
        "to": "open",
        "note": "the breach came back",
    }


def test_a_more_severe_recurrence_raises_the_severity(ws: Workspace) -> None:
    apply(ws)
    first = sync_incidents(ws, store_run(ws, [breach(severity="sev3")]))
    assert get_incident(ws, first.opened[0]).respond_by is not None
    out = sync_incidents(ws, store_run(ws, [breach(severity="sev1")]))
    assert [p.reason for p in out.pending] == ["severity_raised"]
    incident = get_incident(ws, first.opened[0])
    assert incident.severity == "sev1" and incident.tell_customers
    assert incident.notify == ["ana", "chen", "carla", "omar", "lena"]
    assert incident.respond_by is not None
    assert incident.respond_by <= incident.opened_at + timedelta(hours=1, minutes=1)
    recurred = next(e for e in incident.events if e.kind == "recurred")
    assert recurred.detail["severity"] == {"from": "sev3", "to": "sev1"}
    # A milder recurrence leaves the severity as it is.
    quiet = sync_incidents(ws, store_run(ws, [breach(severity="sev4")]))
    assert quiet.pending == [] and get_incident(ws, incident.id).severity == "sev1"


def test_other_finding_kinds_stay_findings(ws: Workspace) -> None:
    apply(ws)
    run = store_run(
        ws,
        [
            breach(kind="ai_segment_gap"),
            breach(kind="model_change", metric="escalation_rate"),
            breach(kind="ai_vs_human_gap", metric="csat_mean"),
        ],
    )
    out = sync_incidents(ws, run)
    assert out.opened == [] and out.updated == []
    assert out.not_incidents == {"ai_segment_gap": 1, "ai_vs_human_gap": 1, "model_change": 1}
    assert list_incidents(ws) == []


def test_no_protocol_still_opens_the_incident_with_a_note(ws: Workspace) -> None:
    apply(ws)
    run = store_run(ws, [breach(severity="sev4", metric="csat_mean", threshold="csat-floor")])
    incident = get_incident(ws, sync_incidents(ws, run).opened[0])
    assert incident.respond_by is None and incident.notify == [] and incident.owner is None
    notes = [e.detail["note"] for e in incident.events if e.kind == "note"]
    assert any("No escalation protocol covers sev4" in n for n in notes)
    assert any("Nobody acts on csat_mean" in n for n in notes)


def test_without_governance_incidents_still_open(ws: Workspace) -> None:
    incident_id = sync_incidents(ws, store_run(ws, [breach()])).opened[0]
    incident = get_incident(ws, incident_id)
    assert incident.owner is None and incident.respond_by is None
    assert any("No governance is applied" in str(e.detail) for e in incident.events)


def test_an_unknown_run_is_refused(ws: Workspace) -> None:
    with pytest.raises(NotFound, match="No monitoring run 99"):
        sync_incidents(ws, 99)


def test_inside_a_given_transaction_nothing_survives_a_rollback(ws: Workspace) -> None:
    apply(ws)
    run = store_run(ws, [breach()])
    with pytest.raises(RuntimeError, match="caller failed"):
        with ws.transaction() as session:
            out = sync_incidents(ws, run, session=session)
            assert len(out.opened) == 1
            raise RuntimeError("caller failed")
    assert list_incidents(ws) == []
    with ws.transaction() as session:
        out = sync_incidents(ws, run, session=session)
    incident = get_incident(ws, out.opened[0])
    # The notification pass ran once the caller committed (no channel set: it says so).
    assert any("no channel is configured" in str(e.detail) for e in incident.events)


def test_overdue_when_nobody_responds_in_time(ws: Workspace) -> None:
    apply(ws)
    late_id = sync_incidents(ws, store_run(ws, [breach()])).opened[0]
    incident = get_incident(ws, late_id)
    assert incident.respond_by is not None
    before = incident.respond_by - timedelta(minutes=1)
    after = incident.respond_by + timedelta(minutes=1)
    assert not get_incident(ws, late_id, at=before).overdue
    assert get_incident(ws, late_id, at=after).overdue
    assert [i.id for i in list_incidents(ws, at=after) if i.overdue] == [late_id]
    set_incident_status(ws, late_id, "acknowledged", by="eve")
    acked = get_incident(ws, late_id, at=after)
    assert not acked.overdue and not acked.responded_late


def test_every_allowed_status_move_sets_its_time(ws_any: Workspace) -> None:
    ws = ws_any
    apply(ws)
    made = open_incident(ws, "Bot promised refunds", "support-chat", "sev2", by="finn")
    assert made.source == "manual" and made.incident_type == "general"
    # No metric, so no accountability row: the sev2 protocol's decider owns it.
    assert made.owner == "carla" and made.notify == ["omar"]
    acked = set_incident_status(ws, made.id, "acknowledged", by="omar", note="on it")
    assert acked.acknowledged_at is not None and acked.status == "acknowledged"
    mitigating = set_incident_status(ws, made.id, "mitigating", by="omar")
    assert mitigating.acknowledged_at == acked.acknowledged_at
    resolved = set_incident_status(ws, made.id, "resolved", by="omar")
    assert resolved.resolved_at is not None
    reopened = set_incident_status(ws, made.id, "open", by="carla", note="still happening")
    assert reopened.resolved_at is None and reopened.acknowledged_at is None
    set_incident_status(ws, made.id, "mitigating", by="omar")
    set_incident_status(ws, made.id, "resolved", by="omar")
    closed = set_incident_status(ws, made.id, "closed", by="carla")
    assert closed.closed_at is not None and closed.status == "closed"
    statuses = [e.detail for e in closed.events if e.kind == "status"]
    assert statuses[0] == {"from": "open", "to": "acknowledged", "note": "on it"}
    assert [s["to"] for s in statuses] == [
        "acknowledged",
        "mitigating",
        "resolved",
        "open",
        "mitigating",
        "resolved",
        "closed",
    ]


def test_open_to_mitigating_counts_as_the_response(ws: Workspace) -> None:
    apply(ws)
    made = open_incident(ws, "Wrong tariff quoted", "billing-voice", "sev3", by="finn")
    moved = set_incident_status(ws, made.id, "mitigating", by="omar")
    assert moved.acknowledged_at is not None


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "resolved"),
        ([], "closed"),
        (["acknowledged"], "open"),
        (["mitigating"], "acknowledged"),
        (["acknowledged", "resolved", "closed"], "open"),
    ],
    ids=["open-resolved", "open-closed", "ack-open", "mitigating-ack", "closed-open"],
)
def test_refused_moves_leave_the_incident_unchanged(
    ws: Workspace, path: list[str], refused: str
) -> None:
    apply(ws)
    made = open_incident(ws, "Wrong tariff quoted", "support-chat", "sev3", by="finn")
    for step in path:
        set_incident_status(ws, made.id, step, by="omar")
    before = get_incident(ws, made.id)
    with pytest.raises(Conflict, match=f"Incident {made.id}"):
        set_incident_status(ws, made.id, refused, by="omar")
    assert get_incident(ws, made.id) == before


def test_manual_incident_input_is_checked(ws: Workspace) -> None:
    with pytest.raises(GovernanceNotFound):
        open_incident(ws, "x", "support-chat", "sev2", by="finn")
    apply(ws)
    with pytest.raises(NotFound, match="known: support-chat, billing-voice"):
        open_incident(ws, "x", "web-bot", "sev2", by="finn")
    with pytest.raises(Invalid, match="Unknown severity 'high'"):
        open_incident(ws, "x", "support-chat", "high", by="finn")
    with pytest.raises(Invalid, match="needs a title"):
        open_incident(ws, "  ", "support-chat", "sev2", by="finn")
    with pytest.raises(Invalid, match="Unknown incident source"):
        open_incident(ws, "x", "support-chat", "sev2", by="finn", source="twitter")
    with pytest.raises(Invalid, match="Unknown incident status 'done'"):
        list_incidents(ws, status="done")
    with pytest.raises(NotFound, match="No incident 42"):
        get_incident(ws, 42)


def test_manual_incident_with_a_metric_is_routed_and_typed(ws: Workspace) -> None:
    apply(ws)
    made = open_incident(
        ws,
        "Frontline: bot mocks complaints",
        "support-chat",
        "sev1",
        by="finn",
        metric="complaint_rate",
        source="frontline",
    )
    assert made.source == "frontline" and made.incident_type == "complaint_rate"
    assert made.owner == "eve" and made.notify == ["carla", "omar", "lena", "ana", "chen"]
    assert made.tell_customers and made.key is None


def test_list_filters(ws: Workspace) -> None:
    apply(ws)
    a = open_incident(ws, "A", "support-chat", "sev3", by="finn")
    b = open_incident(ws, "B", "billing-voice", "sev3", by="finn")
    set_incident_status(ws, b.id, "acknowledged", by="omar")
    assert [i.id for i in list_incidents(ws)] == [b.id, a.id]
    assert [i.id for i in list_incidents(ws, status="open")] == [a.id]
    assert [i.id for i in list_incidents(ws, deployment="billing-voice")] == [b.id]


def test_the_limits_of_the_commands_hold_for_every_door(ws: Workspace) -> None:
    apply(ws)
    with pytest.raises(Invalid) as long_title:
        open_incident(ws, "t" * (TITLE_MAX + 1), "support-chat", "sev3", by="finn")
    assert [p.column for p in long_title.value.problems] == ["title"]
    made = open_incident(ws, "t" * TITLE_MAX, "support-chat", "sev3", by="finn")
    assert made.title == "t" * TITLE_MAX
    with pytest.raises(Invalid) as long_note:
        set_incident_status(ws, made.id, "acknowledged", "finn", note="n" * (NOTE_MAX + 1))
    assert [p.column for p in long_note.value.problems] == ["note"]
    assert get_incident(ws, made.id).status == "open"
    moved = set_incident_status(ws, made.id, "acknowledged", "finn", note="n" * NOTE_MAX)
    assert moved.events[-1].detail["note"] == "n" * NOTE_MAX
