"""The form that starts an empty registry: the organization's name."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import Invalid
from cxsteward.services.governance.registry_edits import start_registry
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import FormValues, refused, text


def start(ws: Workspace, values: FormValues, actor: str) -> Governance:
    """Start the registry for the organization the form names."""
    try:
        return start_registry(ws, text(values, "organization"), actor)
    except Invalid as exc:
        raise refused(exc, {"organization": "organization"}) from None
