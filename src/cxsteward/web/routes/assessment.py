"""Assessment pages for leaders: cycles with their progress, the report, invitation links."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from cxsteward.domain.scale import RoleGroup
from cxsteward.errors import CxStewardError, Invalid
from cxsteward.reports.assessment_charts import dimension_chart, role_group_chart
from cxsteward.reports.figures import (
    any_withheld,
    group_dimension_scores,
    group_figures,
    not_scorable_dimensions,
    role_groups_in,
)
from cxsteward.services.assessment import cycles as assessment
from cxsteward.services.assessment import invitations
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.web.deps import WS, Id, Permission, UserOut, actor, render, require
from cxsteward.web.errors import FORM_REFUSED, form_status

router = APIRouter(include_in_schema=False)
VIEW = Annotated[UserOut, require(Permission.ASSESSMENT_VIEW_REPORT)]
MANAGE = Annotated[UserOut, require(Permission.ASSESSMENT_MANAGE)]


def _cycles_page(
    request: Request, ws: WS, error: str | None = None, name: str = "", status_code: int = 200
) -> Response:
    cycles = list(reversed(assessment.list_cycles(ws)))
    links = {
        c.name: Counter(i.status for i in invitations.list_invitations(ws, c.name)) for c in cycles
    }
    context = {
        "title": "Assessment",
        "cycles": cycles,
        "links": links,
        "error": error,
        "name": name,
    }
    return render(request, "assessment/cycles.html", context, status_code=status_code)


@router.get("/assessment")
def list_cycles(request: Request, ws: WS, user: VIEW) -> Response:
    """Every cycle, newest first, with respondents, answers and invitation progress."""
    return _cycles_page(request, ws)


@router.post("/assessment")
def open_cycle(
    request: Request, ws: WS, user: MANAGE, name: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """Open a new cycle with the current question bank."""
    try:
        assessment.open_cycle(ws, name.strip())
    except CxStewardError as exc:
        return _cycles_page(request, ws, exc.message, name, status_code=form_status(exc))
    return RedirectResponse(f"/assessment/{name.strip()}/invitations", status_code=303)


@router.post("/assessment/{cycle}/close")
def close_cycle(request: Request, ws: WS, user: MANAGE, cycle: str) -> Response:
    """Close a cycle: its answers are final and its links stop working."""
    assessment.close_cycle(ws, cycle)
    return RedirectResponse(f"/assessment/{cycle}", status_code=303)


@router.get("/assessment/{cycle}")
def show_report(request: Request, ws: WS, user: VIEW, cycle: str) -> Response:
    """The cycle's report: score, stage, claimed against evidenced, charts, gaps, questions."""
    report = assessment_report(ws, cycle)
    scores = group_dimension_scores(report)
    shown = {s.role_group for s in scores if s.score is not None}
    groups = role_groups_in(report)
    context: dict[str, object] = {
        "title": f"Assessment {report.cycle}",
        "r": report,
        "groups": groups,
        "group_labels": {g.value: g.label for g in RoleGroup},
        "unshown_groups": [g for g in groups if g not in shown],
        "not_scorable": not_scorable_dimensions(report),
        "dimension_chart": dimension_chart(report.dimensions),
        "role_group_chart": role_group_chart(report.dimensions, scores),
        "question_groups": [(q, group_figures(q)) for q in report.questions],
        "withheld": any_withheld(report),
    }
    return render(request, "assessment/report.html", context)


def _invitations_page(
    request: Request,
    ws: WS,
    cycle: str,
    *,
    issued: list[invitations.IssuedInvitation] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    cycles = {c.name: c for c in assessment.list_cycles(ws)}
    if cycle not in cycles:
        assessment.require_open_cycle(ws, cycle)  # raises the NotFound naming known cycles
    base = str(request.base_url).rstrip("/")
    context = {
        "title": f"Invitations · {cycle}",
        "cycle": cycles[cycle],
        "items": invitations.list_invitations(ws, cycle),
        "issued": [(i, f"{base}/invite/{i.token}") for i in issued or []],
        "role_groups": list(RoleGroup),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "assessment/invitations.html", context, status_code=status_code)


@router.get("/assessment/{cycle}/invitations")
def list_invitations(request: Request, ws: WS, user: MANAGE, cycle: str) -> Response:
    """The cycle's personal links with their status, and the form that creates more."""
    return _invitations_page(request, ws, cycle)


@router.post("/assessment/{cycle}/invitations")
def create_invitations(
    request: Request,
    ws: WS,
    user: MANAGE,
    cycle: str,
    role_group: Annotated[str, Form(max_length=60)] = "",
    names: Annotated[str, Form(max_length=20000)] = "",
    count: Annotated[str, Form(max_length=10)] = "",
    expires_in_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Create the links and show each one once; only its hash is kept."""
    values = {"role_group": role_group, "names": names, "count": count, "expires": expires_in_days}
    errors: dict[str, str] = {}
    number = _whole(count, "count", "Number of unnamed links", errors) or 0
    days = _whole(expires_in_days, "expires", "Expires after (days)", errors)
    if not role_group:
        errors["role_group"] = "Choose the role group these people answer for."
    if errors:
        return _invitations_page(
            request, ws, cycle, errors=errors, values=values, status_code=FORM_REFUSED
        )
    try:
        issued = invitations.create_invitations(
            ws, cycle, role_group, actor(user), names.splitlines(), number, days
        )
    except Invalid as exc:
        for problem in exc.problems or []:
            errors[problem.column or "names"] = problem.message
        errors = errors or {"names": exc.summary}
        return _invitations_page(
            request, ws, cycle, errors=errors, values=values, status_code=FORM_REFUSED
        )
    return _invitations_page(request, ws, cycle, issued=issued, status_code=201)


@router.post("/assessment/{cycle}/invitations/{invitation_id}/revoke")
def revoke_invitation(
    request: Request, ws: WS, user: MANAGE, cycle: str, invitation_id: Id
) -> Response:
    """Withdraw one link; answers already saved through it stay in the cycle."""
    invitations.revoke_invitation(ws, invitation_id, actor(user))
    return RedirectResponse(f"/assessment/{cycle}/invitations", status_code=303)


def _whole(text: str, key: str, label: str, errors: dict[str, str]) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        errors[key] = f"{label}: {text.strip()!r} is not a whole number."
        return None
