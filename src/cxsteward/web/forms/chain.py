"""The escalation chain's forms: a severity's protocol, an accountability row."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Accountability, Protocol
from cxsteward.errors import Invalid
from cxsteward.services.governance import chain_edits
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import (
    FormErrors,
    FormValues,
    build,
    checked,
    many,
    optional,
    parse_number,
    refused,
    text,
)

PROTOCOL_FIELDS = {
    n: n for n in ("severity", "notify", "respond_within_hours", "decides", "description")
} | {"tell_customers": "tell_customers"}
ACCOUNTABILITY_FIELDS = {n: n for n in ("metric", "deployment", "monitors", "escalates", "acts")}


def save_protocol(ws: Workspace, values: FormValues, actor: str) -> Protocol:
    """Add or replace the escalation protocol of one severity from the protocol form."""
    errors = FormErrors()
    hours = parse_number(values, "respond_within_hours", errors)
    data: dict[str, object] = {
        "severity": text(values, "severity"),
        "notify": many(values, "notify"),
        "decides": text(values, "decides"),
        "tell_customers": checked(values, "tell_customers"),
        "emergency_pause": checked(values, "emergency_pause"),
        "description": text(values, "description"),
    }
    if hours is not None:
        data["respond_within_hours"] = hours
    protocol = build(Protocol, data, errors, PROTOCOL_FIELDS)
    if "decides" not in errors.fields and not data["decides"]:
        errors.add("decides", "Choose who decides at this severity.")
    errors.raise_if_any()
    assert protocol is not None
    try:
        return chain_edits.save_protocol(ws, protocol, actor)
    except Invalid as exc:
        raise refused(exc, PROTOCOL_FIELDS) from None


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
    try:
        return chain_edits.save_accountability(ws, row, actor, index)
    except Invalid as exc:
        raise refused(exc, {**ACCOUNTABILITY_FIELDS, "": "metric"}) from None
