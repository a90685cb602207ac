"""Customer communications: approved templates, the right incident type, every value, sent once."""

from __future__ import annotations

import pytest
from test_incidents_helpers import apply, breach, store_run

from cxsteward.errors import Conflict, Invalid, NotFound, NotPermitted
from cxsteward.services.incidents.communications import (
    draft_communication,
    list_communications,
    send_communication,
)
from cxsteward.services.incidents.lifecycle import (
    get_incident,
    open_incident,
    set_incident_status,
)
from cxsteward.services.incidents.sync import sync_incidents
from cxsteward.services.workspace import Workspace

VALUES = {"customer": "Ms Novak", "date": "3 October", "remedy": "refunded the fee"}


def complaint_incident(ws: Workspace) -> int:
    apply(ws)
    return sync_incidents(ws, store_run(ws, [breach()])).opened[0]


def test_draft_fills_an_approved_template_and_send_records_it_once(ws_any: Workspace) -> None:
    ws = ws_any
    incident_id = complaint_incident(ws)
    draft = draft_communication(ws, incident_id, "complaint-apology", VALUES, by="lena")
    assert draft.text == (
        "Dear Ms Novak, on 3 October our assistant handled your request badly. "
        "We have refunded the fee."
    )
    assert (draft.template_key, draft.template_version) == ("complaint-apology", 2)
    assert draft.sent_at is None and draft.values == VALUES
    sent = send_communication(ws, draft.id, by="omar", channel="email")
    assert sent.sent_by == "omar" and sent.sent_at is not None and sent.channel == "email"
    with pytest.raises(Conflict, match=f"Communication {draft.id} was already sent by omar"):
        send_communication(ws, draft.id, by="omar")
    events = [e for e in get_incident(ws, incident_id).events if "communication" in e.kind]
    assert [e.kind for e in events] == ["communication_drafted", "communication_sent"]
    assert events[0].detail == {
        "communication_id": draft.id,
        "template": "complaint-apology",
        "version": 2,
    }
    assert [c.sent_by for c in list_communications(ws, incident_id)] == ["omar"]


def test_an_unapproved_template_is_refused(ws: Workspace) -> None:
    incident_id = complaint_incident(ws)
    with pytest.raises(NotPermitted, match="complaint-draft .version 1. has no legal approval"):
        draft_communication(ws, incident_id, "complaint-draft", {"customer": "x"}, by="lena")
    assert list_communications(ws, incident_id) == []


def test_a_template_for_another_incident_type_is_refused(ws: Workspace) -> None:
    incident_id = complaint_incident(ws)
    with pytest.raises(Invalid) as caught:
        draft_communication(ws, incident_id, "csat-notice", {"customer": "x"}, by="lena")
    message = str(caught.value)
    assert "for 'csat_satisfied_rate' incidents" in message
    assert "of type 'complaint_rate'" in message
    assert "use complaint-apology, complaint-draft" in message


def test_a_manual_incident_typed_by_hand_can_use_the_template(ws: Workspace) -> None:
    apply(ws)
    made = open_incident(
        ws, "Rude replies", "support-chat", "sev2", by="finn", incident_type="csat_satisfied_rate"
    )
    out = draft_communication(ws, made.id, "csat-notice", {"customer": "Mr Ito"}, by="lena")
    assert out.text == "Dear Mr Ito, we are improving our assistant."


def test_missing_and_unknown_values_are_named(ws: Workspace) -> None:
    incident_id = complaint_incident(ws)
    with pytest.raises(Invalid) as caught:
        draft_communication(
            ws, incident_id, "complaint-apology", {"customer": "x", "colour": "red"}, by="lena"
        )
    message = str(caught.value)
    assert "complaint-apology v2" in message
    assert "column 'date': has no value" in message
    assert "column 'remedy': has no value" in message
    assert "column 'colour': is not a placeholder" in message
    assert list_communications(ws, incident_id) == []


def test_control_characters_in_values_are_escaped(ws: Workspace) -> None:
    incident_id = complaint_incident(ws)
    values = {**VALUES, "customer": "Ms\x1b[2J Novak\n"}
    draft = draft_communication(ws, incident_id, "complaint-apology", values, by="lena")
    assert draft.text.startswith("Dear Ms\\x1b[2J Novak , on")


def test_other_refusals(ws: Workspace) -> None:
    incident_id = complaint_incident(ws)
    with pytest.raises(NotFound, match="No template 'nope'"):
        draft_communication(ws, incident_id, "nope", {}, by="lena")
    with pytest.raises(NotFound, match="'mallory' is not in the governance"):
        draft_communication(ws, incident_id, "complaint-apology", VALUES, by="mallory")
    with pytest.raises(NotFound, match="No incident 77"):
        draft_communication(ws, 77, "complaint-apology", VALUES, by="lena")
    with pytest.raises(NotFound, match="No communication 5"):
        send_communication(ws, 5, by="omar")
    draft = draft_communication(ws, incident_id, "complaint-apology", VALUES, by="lena")
    with pytest.raises(Invalid, match="Name the channel"):
        send_communication(ws, draft.id, by="omar", channel=" ")
    for status in ("acknowledged", "resolved", "closed"):
        set_incident_status(ws, incident_id, status, by="eve")
    with pytest.raises(Conflict, match="is closed"):
        draft_communication(ws, incident_id, "complaint-apology", VALUES, by="lena")
