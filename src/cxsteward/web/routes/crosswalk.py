"""The crosswalk page: per framework and clause, coverage by evidenced controls, what is missing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from cxsteward.domain.bank import CROSSWALK_FRAMEWORKS
from cxsteward.services.crosswalk.report import crosswalk_report, load_crosswalk
from cxsteward.web.deps import WS, Permission, UserOut, render, require

router = APIRouter(include_in_schema=False)


@router.get("/crosswalk")
def crosswalk_page(
    request: Request,
    ws: WS,
    user: Annotated[UserOut, require(Permission.CROSSWALK_VIEW)],
    framework: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """Which clauses of the EU AI Act, NIST AI RMF, ISO/IEC 42001 and GDPR the records evidence."""
    report = crosswalk_report(ws, framework or None)
    frameworks = load_crosswalk().frameworks
    choices = [(key, frameworks[key].title) for key in CROSSWALK_FRAMEWORKS]
    context = {"title": "Crosswalk", "r": report, "choices": choices, "chosen": framework}
    return render(request, "crosswalk.html", context)
