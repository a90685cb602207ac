"""Customer communications about an incident: only from legally approved templates, sent once."""

from __future__ import annotations

from sqlalchemy import select

from cxsteward.domain.governance.spec import Governance, Template
from cxsteward.domain.incidents import EventKind, IncidentStatus, fill
from cxsteward.errors import Conflict, Invalid, NotFound, NotPermitted
from cxsteward.registry.tables_incidents import CommunicationRecord
from cxsteward.services.clock import now
from cxsteward.services.governance.setup import load_governance
from cxsteward.services.incidents.lifecycle import add_event, load_incident
from cxsteward.services.incidents.models import CommunicationOut
from cxsteward.services.workspace import Workspace


def draft_communication(
    ws: Workspace, incident_id: int, template_key: str, values: dict[str, str], by: str
) -> CommunicationOut:
    """Fill an approved template for the incident's type; nothing is sent yet.

    Raises:
        NotPermitted: the template has no legal approval.
        Invalid: wrong incident type, or a placeholder missing, empty or unknown.
    """
    with ws.transaction(actor=by) as session:
        gov = load_governance(session)
        _person(gov, by)
        template = _template(gov, template_key)
        if template.approved_by is None or template.approved_at is None:
            raise NotPermitted(
                f"Template {template.key} (version {template.version}) has no legal approval "
                "(approved_by and approved_at); customers may only receive approved wording. "
                f"Have legal approve it first (`cxsteward governance approve-template "
                f"{template.key} --by PERSON`)."
            )
        incident = load_incident(session, incident_id)
        if incident.status == IncidentStatus.CLOSED:
            raise Conflict(f"Incident {incident_id} is closed; draft nothing more for it.")
        if template.incident_type != incident.incident_type:
            usable = [t.key for t in gov.templates if t.incident_type == incident.incident_type]
            raise Invalid(
                f"Template {template.key} is for {template.incident_type!r} incidents, but "
                f"incident {incident_id} is of type {incident.incident_type!r}; use "
                f"{', '.join(usable) if usable else 'a template written for that type'}."
            )
        text = fill(
            template.text, template.placeholders, values, f"{template.key} v{template.version}"
        )
        at = now(session)
        record = CommunicationRecord(
            incident_id=incident_id,
            template_key=template.key,
            template_version=template.version,
            text=text,
            values=dict(values),
            drafted_by=by,
            drafted_at=at,
        )
        session.add(record)
        session.flush()
        detail: dict[str, object] = {
            "communication_id": record.id,
            "template": template.key,
            "version": template.version,
        }
        add_event(session, incident_id, by, EventKind.COMMUNICATION_DRAFTED, detail, at)
        return _out(record)


def send_communication(
    ws: Workspace, communication_id: int, by: str, channel: str = "email"
) -> CommunicationOut:
    """Record that a drafted message went out to customers; a draft is sent once only."""
    if not channel.strip():
        raise Invalid("Name the channel the message goes out on, e.g. email or status-page.")
    with ws.transaction(actor=by) as session:
        _person(load_governance(session), by)
        record = session.get(CommunicationRecord, communication_id)
        if record is None:
            raise NotFound(
                f"No communication {communication_id}; `cxsteward incident show ID` lists an "
                "incident's drafts."
            )
        if record.sent_at is not None:
            raise Conflict(
                f"Communication {communication_id} was already sent by {record.sent_by} on "
                f"{record.sent_at:%Y-%m-%d %H:%M} UTC via {record.channel}; draft a new one to "
                "send a follow-up."
            )
        at = now(session)
        record.sent_by = by
        record.sent_at = at
        record.channel = channel.strip()
        detail: dict[str, object] = {"communication_id": record.id, "channel": record.channel}
        add_event(session, record.incident_id, by, EventKind.COMMUNICATION_SENT, detail, at)
        return _out(record)


def list_communications(ws: Workspace, incident_id: int) -> list[CommunicationOut]:
    """An incident's drafts and sent messages, oldest first."""
    with ws.transaction() as session:
        load_incident(session, incident_id)
        rows = session.scalars(
            select(CommunicationRecord)
            .where(CommunicationRecord.incident_id == incident_id)
            .order_by(CommunicationRecord.id)
        )
        return [_out(r) for r in rows]


def _template(gov: Governance, key: str) -> Template:
    template = next((t for t in gov.templates if t.key == key), None)
    if template is None:
        known = ", ".join(t.key for t in gov.templates) or "none declared yet"
        raise NotFound(f"No template {key!r} in the governance registry (known: {known}).")
    return template


def _person(gov: Governance, key: str) -> None:
    if gov.person(key) is None:
        raise NotFound(
            f"{key!r} is not in the governance registry's people; name a declared person."
        )


def _out(record: CommunicationRecord) -> CommunicationOut:
    return CommunicationOut.model_validate(record)
