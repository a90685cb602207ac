"""/api/v1/assessments: assessment cycles and a cycle's full report."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from cxsteward.domain.results import AssessmentReport
from cxsteward.services.assessment import cycles as assessment
from cxsteward.services.assessment import reporting
from cxsteward.services.assessment.cycles import CycleOut
from cxsteward.web.deps import WS, Permission, UserOut, require_api
from cxsteward.web.routes.api.common import signed_router

router = signed_router("/assessments", "assessments")
Reader = Annotated[UserOut, require_api(Permission.ASSESSMENT_VIEW_REPORT)]


@router.get("/cycles", summary="List assessment cycles", response_model=list[CycleOut])
def list_cycles(ws: WS, user: Reader) -> list[CycleOut]:
    """Every assessment cycle, open and closed, with its respondent and answer counts."""
    return assessment.list_cycles(ws)


@router.get(
    "/cycles/{cycle}/report",
    summary="A cycle's assessment report",
    response_model=AssessmentReport,
)
def assessment_report(
    ws: WS,
    user: Reader,
    cycle: Annotated[str, Path(min_length=1, max_length=200, description="The cycle's name.")],
) -> AssessmentReport:
    """The whole report: scores, maturity, gaps, priorities, trend, claimed against evidenced."""
    return reporting.assessment_report(ws, cycle)
