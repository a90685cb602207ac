"""The form that issues a committee pack: an optional start of the period and deployment."""

from __future__ import annotations

from cxsteward.services.governance.store import current_governance
from cxsteward.services.pack.build import build_pack
from cxsteward.services.pack.history import issue_pack
from cxsteward.services.pack.models import PackOut
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import FormErrors, FormValues, parse_date, text


def issue_from_form(ws: Workspace, values: FormValues, by: str) -> PackOut:
    """Build and issue the pack the form asks for, as ``by``.

    Raises:
        FormInvalid: a date that is not one, or an unknown deployment.
    """
    errors = FormErrors()
    since = parse_date(values, "since", errors, required=False)
    deployment = text(values, "deployment")
    live = [d.key for d in current_governance(ws).deployments if d.status.live]
    if deployment and deployment not in live:
        errors.add(
            "deployment", f"{deployment!r} is not a live deployment; choose one of the list."
        )
    errors.raise_if_any()
    return issue_pack(ws, build_pack(ws, since=since, deployment=deployment or None), by)
