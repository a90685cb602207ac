"""Form-level edits of the governance registry, part two: protocols, accountability,
vendors and clauses, templates and their approval, meetings, roadmap reviews.

Same contract as :mod:`governance_edit`: one function per form action, the change goes
through plan and apply (or the operational action), problems come back on their fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from cxsteward.domain.governance.spec import (
    Accountability,
    Clause,
    Governance,
    Meeting,
    Protocol,
    RoadmapReview,
    Template,
    Vendor,
)
from cxsteward.errors import (
    Conflict,
    GovernanceNotFound,
    NotFound,
    NotPermitted,
    PersonNotFound,
    TemplateNotFound,
)
from cxsteward.services.governance.edit_base import (
    FormErrors,
    FormInvalid,
    FormValues,
    apply_edit,
    build,
    checked,
    lines,
    many,
    optional,
    parse_date,
    parse_number,
    replace_at,
    text,
)
from cxsteward.services.governance.setup import (
    apply_governance,
    approve_template,
    record_meeting,
    record_roadmap_review,
)
from cxsteward.services.governance.store import load_governance
from cxsteward.services.workspace import Workspace

PROTOCOL_FIELDS = {
    n: n for n in ("severity", "notify", "respond_within_hours", "decides", "description")
} | {"tell_customers": "tell_customers"}
ACCOUNTABILITY_FIELDS = {n: n for n in ("metric", "deployment", "monitors", "escalates", "acts")}
VENDOR_FIELDS = {"key": "key", "name": "name", "clauses": "kind"}
CLAUSE_FIELDS = {"kind": "kind", "status": "status", "evidence": "evidence"}
TEMPLATE_FIELDS = {
    n: n for n in ("key", "incident_type", "text", "placeholders", "version", "approved_by")
}
T = TypeVar("T")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def start_registry(ws: Workspace, values: FormValues, actor: str) -> Governance:
    """Start an empty registry for an organization, when nothing was applied yet.

    Raises:
        FormInvalid: no name given.
        Conflict: a governance is already applied.
    """
    name = text(values, "organization")
    if not name:
        raise FormInvalid("Name missing.", {"organization": "Enter the organization's name."})
    with ws.transaction() as session:
        try:
            load_governance(session)
        except GovernanceNotFound:
            pass
        else:
            raise Conflict("This workspace already has a governance registry.")
    gov = Governance(organization=name)
    apply_governance(ws, gov, actor=actor)
    return gov


def save_protocol(ws: Workspace, values: FormValues, actor: str) -> Protocol:
    """Add or replace the escalation protocol of one severity."""
    errors = FormErrors()
    hours = parse_number(values, "respond_within_hours", errors)
    data: dict[str, Any] = {
        "severity": text(values, "severity"),
        "notify": many(values, "notify"),
        "decides": text(values, "decides"),
        "tell_customers": checked(values, "tell_customers"),
        "emergency_pause": checked(values, "emergency_pause"),
        "description": text(values, "description"),
    }
    if hours is not None:
        data["respond_within_hours"] = hours
    elif "respond_within_hours" not in errors.fields:
        errors.add("respond_within_hours", "Enter a number of hours.")
    protocol = build(Protocol, data, errors, PROTOCOL_FIELDS)
    if "decides" not in errors.fields and not data["decides"]:
        errors.add("decides", "Choose who decides at this severity.")
    errors.raise_if_any()
    assert protocol is not None

    def change(gov: Governance) -> tuple[Governance, str]:
        severities = [p.severity for p in gov.protocols]
        index = severities.index(protocol.severity) if protocol.severity in severities else None
        protocols, at = replace_at(gov.protocols, index, protocol)
        return gov.model_copy(update={"protocols": protocols}), f"protocols[{at}]"

    apply_edit(ws, change, actor, PROTOCOL_FIELDS)
    return protocol


def save_accountability(
    ws: Workspace, values: FormValues, actor: str, index: int | None = None
) -> Accountability:
    """Add an accountability row (``index`` None) or change the row at ``index``."""
    errors = FormErrors()
    data = {
        "metric": text(values, "metric"),
        "deployment": optional(values, "deployment"),
        "monitors": optional(values, "monitors"),
        "escalates": optional(values, "escalates"),
        "acts": optional(values, "acts"),
    }
    if not data["metric"]:
        errors.add("metric", "Choose the metric this row is accountable for.")
    row = build(Accountability, data, errors, ACCOUNTABILITY_FIELDS)
    errors.raise_if_any()
    assert row is not None

    def change(gov: Governance) -> tuple[Governance, str]:
        if index is not None and not 0 <= index < len(gov.accountability):
            raise NotFound(f"No accountability row number {index + 1}.")
        rows, at = replace_at(gov.accountability, index, row)
        return gov.model_copy(update={"accountability": rows}), f"accountability[{at}]"

    fields = {**ACCOUNTABILITY_FIELDS, "": "metric"}
    apply_edit(ws, change, actor, fields)
    return row


def save_vendor(ws: Workspace, values: FormValues, actor: str, key: str | None = None) -> Vendor:
    """Add a vendor (``key`` None) or rename one; clauses are kept."""
    errors = FormErrors()
    name = text(values, "name")
    vendor = build(Vendor, {"key": key or text(values, "key"), "name": name}, errors, VENDOR_FIELDS)
    errors.raise_if_any()
    assert vendor is not None

    def change(gov: Governance) -> tuple[Governance, str]:
        keys = [v.key for v in gov.vendors]
        if key is None and vendor.key in keys:
            raise FormInvalid("The key is taken.", {"key": f"{vendor.key!r} is already a vendor."})
        if key is not None and key not in keys:
            raise NotFound(f"No vendor {key!r} in the registry.")
        index = keys.index(key) if key is not None else None
        kept = gov.vendors[index].clauses if index is not None else []
        new = vendor.model_copy(update={"clauses": kept})
        vendors, at = replace_at(gov.vendors, index, new)
        return gov.model_copy(update={"vendors": vendors}), f"vendors[{at}]"

    apply_edit(ws, change, actor, VENDOR_FIELDS)
    return vendor


def save_clause(ws: Workspace, vendor_key: str, values: FormValues, actor: str) -> Clause:
    """Add or replace one contract clause of a vendor (one clause per kind)."""
    errors = FormErrors()
    data = {
        "kind": text(values, "kind"),
        "status": text(values, "status"),
        "evidence": optional(values, "evidence"),
    }
    clause = build(Clause, data, errors, CLAUSE_FIELDS)
    errors.raise_if_any()
    assert clause is not None

    def change(gov: Governance) -> tuple[Governance, str]:
        keys = [v.key for v in gov.vendors]
        if vendor_key not in keys:
            raise NotFound(f"No vendor {vendor_key!r} in the registry.")
        v_index = keys.index(vendor_key)
        vendor = gov.vendors[v_index]
        kinds = [c.kind for c in vendor.clauses]
        index = kinds.index(clause.kind) if clause.kind in kinds else None
        clauses, at = replace_at(vendor.clauses, index, clause)
        vendors, _ = replace_at(
            gov.vendors, v_index, vendor.model_copy(update={"clauses": clauses})
        )
        return gov.model_copy(update={"vendors": vendors}), f"vendors[{v_index}].clauses[{at}]"

    apply_edit(ws, change, actor, CLAUSE_FIELDS)
    return clause


def placeholders_of(message: str) -> list[str]:
    """The ``{placeholders}`` a template text uses, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER.findall(message)))


def save_template(
    ws: Workspace, values: FormValues, actor: str, key: str | None = None
) -> Template:
    """Add a template or change its wording; changed wording gets a new version to approve.

    The placeholders are read from the text. A changed text or incident type raises the
    version by one and clears the approval, because legal approved the old words only.
    """
    errors = FormErrors()
    wording = text(values, "text")
    data: dict[str, Any] = {
        "key": key or text(values, "key"),
        "incident_type": text(values, "incident_type"),
        "text": wording,
        "placeholders": placeholders_of(wording),
    }
    template = build(Template, data, errors, TEMPLATE_FIELDS)
    errors.raise_if_any()
    assert template is not None
    saved: list[Template] = []

    def change(gov: Governance) -> tuple[Governance, str]:
        keys = [t.key for t in gov.templates]
        if key is None and template.key in keys:
            raise FormInvalid(
                "The key is taken.", {"key": f"{template.key!r} is already a template."}
            )
        if key is not None and key not in keys:
            raise TemplateNotFound(f"No communication template {key!r}.")
        index = keys.index(key) if key is not None else None
        new = template
        if index is not None:
            before = gov.templates[index]
            same = (before.incident_type, before.text, before.placeholders) == (
                template.incident_type,
                template.text,
                template.placeholders,
            )
            new = before if same else template.model_copy(update={"version": before.version + 1})
        saved.append(new)
        templates, at = replace_at(gov.templates, index, new)
        return gov.model_copy(update={"templates": templates}), f"templates[{at}]"

    apply_edit(ws, change, actor, TEMPLATE_FIELDS)
    return saved[0]


def approve(ws: Workspace, key: str, values: FormValues) -> Template:
    """Record legal approval of a template's current version by the person the form names."""
    by = text(values, "by")
    if not by:
        raise FormInvalid("Approver missing.", {"by": "Choose the person who approves."})
    try:
        return approve_template(ws, key, by)
    except PersonNotFound as exc:
        raise FormInvalid("Unknown person.", {"by": exc.message}) from None
    except Conflict as exc:
        raise FormInvalid("Already approved.", {}, [exc.message]) from None
    except NotPermitted as exc:
        raise FormInvalid("Not a legal approver.", {}, [exc.message]) from None


def add_meeting(ws: Workspace, values: FormValues) -> Meeting:
    """Record a committee meeting from the form (held_on, attendees, decisions per line)."""
    errors = FormErrors()
    held_on = parse_date(values, "held_on", errors, required=True)
    attendees = many(values, "attendees")
    if not attendees:
        errors.add("attendees", "Tick at least one person who attended.")
    errors.raise_if_any()
    return _person_action(
        lambda: record_meeting(ws, _day(held_on), attendees, lines(values, "decisions")),
        "attendees",
    )


def add_roadmap_review(ws: Workspace, values: FormValues) -> RoadmapReview:
    """Record a review of the AI roadmap from the form (held_on, reviewers, notes)."""
    errors = FormErrors()
    held_on = parse_date(values, "held_on", errors, required=True)
    reviewers = many(values, "reviewers")
    if not reviewers:
        errors.add("reviewers", "Tick at least one person who reviewed the roadmap.")
    errors.raise_if_any()
    notes = text(values, "notes")
    return _person_action(
        lambda: record_roadmap_review(ws, _day(held_on), reviewers, notes), "reviewers"
    )


def _day(value: date | None) -> date:
    assert value is not None  # parse_date added a message when there was none
    return value


def _person_action(action: Callable[[], T], field: str) -> T:
    try:
        result = action()
    except PersonNotFound as exc:
        raise FormInvalid("Unknown person.", {field: exc.message}) from None
    except Conflict as exc:
        raise FormInvalid("Refused.", {}, [exc.message]) from None
    return result


__all__ = [
    "FormInvalid",
    "add_meeting",
    "add_roadmap_review",
    "approve",
    "placeholders_of",
    "save_accountability",
    "save_clause",
    "save_protocol",
    "save_template",
    "save_vendor",
    "start_registry",
]
