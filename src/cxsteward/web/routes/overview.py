"""The home page: where the AI is behind humans, readiness, incidents, thresholds, review SLA
and feedback at a glance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from cxsteward.services.overview import Section, gather_overview
from cxsteward.web.deps import WS, Permission, UserOut, render, require

router = APIRouter(include_in_schema=False)

# A section appears only to those who may open the page it links to.
SECTION_PERMISSION = {
    Section.GATE: Permission.REGISTRY_VIEW,
    Section.BEHIND: Permission.MONITORING_VIEW,
    Section.READINESS: Permission.ASSESSMENT_VIEW_REPORT,
    Section.INCIDENTS: Permission.INCIDENT_VIEW,
    Section.MONITORING: Permission.MONITORING_VIEW,
    Section.REVIEWS: Permission.REVIEW_QUEUE,
    Section.FEEDBACK: Permission.FEEDBACK_VIEW,
}


@router.get("/")
def overview(
    request: Request, ws: WS, user: Annotated[UserOut, require(Permission.OVERVIEW_VIEW)]
) -> HTMLResponse:
    """Where everyone lands after signing in: the figures their role may see."""
    sections = {s for s, permission in SECTION_PERMISSION.items() if user.can(permission)}
    figures = gather_overview(ws, sections)
    return render(
        request,
        "overview.html",
        {"title": "Overview", "o": figures, "sections": sorted(s.value for s in sections)},
    )
