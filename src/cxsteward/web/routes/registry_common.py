"""What the Registry pages share: form state, the stored governance, messages after a save."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse

from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import GovernanceNotFound
from cxsteward.services.governance.check import CheckOut, GapOut, check_governance
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.read_models import ReadModel
from cxsteward.services.workspace import Workspace
from cxsteward.web.deps import render
from cxsteward.web.forms.fields import FormInvalid

# Fixed notices shown after a successful POST (the query names one; no user text is echoed).
DONE = {
    "saved": "Saved. The registry was updated in one step.",
    "status": "Status changed and recorded in the lifecycle history.",
    "model": "Model version recorded.",
    "committee": "Committee decision recorded.",
    "meeting": "Meeting recorded.",
    "review": "Roadmap review recorded.",
    "approved": "Approval recorded for this version of the template.",
    "started": "The registry was started. Add people first, then deployments.",
    "new-version": "The wording changed, so this is a new version: it needs legal approval.",
}


@dataclass
class FormState:
    """A form's values (as lists, like a browser sends them) and its messages per field."""

    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, values: Mapping[str, object]) -> FormState:
        """A form filled from stored values (strings or lists)."""
        return cls({k: _as_list(v) for k, v in values.items()})

    def failed(self, exc: FormInvalid) -> FormState:
        """This form again, with the messages of ``exc``."""
        return FormState(self.values, dict(exc.fields), list(exc.general))

    def value(self, name: str) -> str:
        found = self.values.get(name) or [""]
        return found[-1]

    def picked(self, name: str) -> list[str]:
        return [p.strip() for v in self.values.get(name, []) for p in v.split(",") if p.strip()]

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.general)

    def mapping(self) -> dict[str, Sequence[str]]:
        """The values as the edit services read them."""
        return dict(self.values)


async def read_form(request: Request) -> FormState:
    """The posted form, every field kept as a list (checkbox groups send several values)."""
    data = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in data.multi_items():
        if isinstance(value, str) and key != "csrf_token":
            values.setdefault(key, []).append(value)
    return FormState(values)


def governance_or_none(ws: Workspace) -> Governance | None:
    """The stored governance, or None when nothing was applied yet."""
    try:
        return current_governance(ws)
    except GovernanceNotFound:
        return None


# The chain check reads the whole registry (tens of statements): the registry's pages show
# it kept until anything in the registry changes (the API's check is always fresh).
_CHECK: ReadModel[CheckOut] = ReadModel("governance check")


def governance_check(ws: Workspace) -> CheckOut:
    """Every gap in the governance chain as of today, kept until the registry changes."""
    return _CHECK.get(ws, lambda: check_governance(ws))


def require_governance(ws: Workspace) -> Governance:
    """The stored governance; a 404 page says how to start one when there is none."""
    try:
        return current_governance(ws)
    except GovernanceNotFound as exc:
        raise GovernanceNotFound(
            "The governance registry is empty. Start it from the Registry page, or run "
            "`cxsteward governance apply governance.yaml`."
        ) from exc


def done_message(request: Request) -> str:
    """The fixed notice named by ``?done=``, or ''."""
    return DONE.get(request.query_params.get("done", ""), "")


def back(path: str, done: str) -> RedirectResponse:
    """After a successful POST: see the result (303), with a notice."""
    return RedirectResponse(f"{path}?done={done}", status_code=303)


def people_options(gov: Governance) -> list[tuple[str, str]]:
    """(key, label) for every person, as select and checkbox options."""
    return [(p.key, f"{p.name} ({p.key})") for p in gov.people]


def gaps_by_object(report: CheckOut) -> dict[str, list[GapOut]]:
    """Check gaps grouped by the object they name (``deployment:x``, ``protocol:sev1``...)."""
    grouped: dict[str, list[GapOut]] = {}
    for gap in report.gaps:
        grouped.setdefault(gap.object, []).append(gap)
    return grouped


def page(request: Request, template: str, context: Mapping[str, object]) -> HTMLResponse:
    """Render a Registry page with its notice.

    The one place a registry page's status is chosen: a form shown again with its problems
    is 422 (nothing was saved), so a script posting the form sees the refusal.
    """
    refused = any(isinstance(v, FormState) and v.invalid for v in context.values())
    status = 422 if refused else 200
    return render(request, template, {"done": done_message(request), **context}, status)


def _as_list(value: object) -> list[str]:
    if value is None:
        return [""]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]
