"""The vendor forms: a vendor's key and name, one contract clause."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Clause, Vendor
from cxsteward.errors import Invalid
from cxsteward.services.governance import vendor_edits
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import FormErrors, FormValues, build, optional, refused, text

VENDOR_FIELDS = {"key": "key", "name": "name", "clauses": "kind"}
CLAUSE_FIELDS = {"kind": "kind", "status": "status", "evidence": "evidence"}


def save_vendor(ws: Workspace, values: FormValues, actor: str, key: str | None = None) -> Vendor:
    """Add a vendor (``key`` None) or rename one from the form; clauses are kept."""
    errors = FormErrors()
    data = {"key": key or text(values, "key"), "name": text(values, "name")}
    vendor = build(Vendor, data, errors, VENDOR_FIELDS)
    errors.raise_if_any()
    assert vendor is not None
    try:
        return vendor_edits.save_vendor(ws, vendor, actor, key)
    except Invalid as exc:
        raise refused(exc, VENDOR_FIELDS) from None


def save_clause(ws: Workspace, vendor_key: str, values: FormValues, actor: str) -> Clause:
    """Add or replace one contract clause of a vendor from the clause form."""
    errors = FormErrors()
    data = {
        "kind": text(values, "kind"),
        "status": text(values, "status"),
        "evidence": optional(values, "evidence"),
    }
    clause = build(Clause, data, errors, CLAUSE_FIELDS)
    errors.raise_if_any()
    assert clause is not None
    try:
        return vendor_edits.save_clause(ws, vendor_key, clause, actor)
    except Invalid as exc:
        raise refused(exc, CLAUSE_FIELDS) from None
