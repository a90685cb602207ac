"""The communication template forms: wording, and legal approval of a version."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Template
from cxsteward.errors import Conflict, Invalid, NotPermitted, PersonNotFound
from cxsteward.services.governance import template_edits
from cxsteward.services.governance.actions import approve_template
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import FormErrors, FormValues, build, refused, text

FIELDS = {n: n for n in ("key", "incident_type", "text", "placeholders", "version", "approved_by")}
APPROVAL_FIELDS = {"by": "by"}


def save_template(
    ws: Workspace, values: FormValues, actor: str, key: str | None = None
) -> Template:
    """Add a template or change its wording; changed wording gets a new version to approve."""
    errors = FormErrors()
    wording = text(values, "text")
    data = {
        "key": key or text(values, "key"),
        "incident_type": text(values, "incident_type"),
        "text": wording,
        "placeholders": template_edits.placeholders_of(wording),
    }
    template = build(Template, data, errors, FIELDS)
    errors.raise_if_any()
    assert template is not None
    try:
        return template_edits.save_template(ws, template, actor, key)
    except Invalid as exc:
        raise refused(exc, FIELDS) from None


def approve(ws: Workspace, key: str, values: FormValues) -> Template:
    """Record legal approval of a template's current version by the person the form names."""
    errors = FormErrors()
    by = text(values, "by")
    if not by:
        errors.add("by", "Choose the person who approves.")
    errors.raise_if_any()
    try:
        return approve_template(ws, key, by)
    except PersonNotFound as exc:
        raise refused(exc, APPROVAL_FIELDS, on="by", title="Unknown person.") from None
    except (Conflict, NotPermitted) as exc:
        raise refused(exc, APPROVAL_FIELDS) from None
