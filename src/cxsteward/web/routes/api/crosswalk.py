"""/api/v1/crosswalk: the regulatory crosswalk's coverage, per framework and clause."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cxsteward.services.crosswalk.models import CrosswalkOut
from cxsteward.services.crosswalk.report import crosswalk_report
from cxsteward.web.deps import WS, Permission, UserOut, require_api
from cxsteward.web.routes.api.common import signed_router

router = signed_router("/crosswalk", "crosswalk")
Reader = Annotated[UserOut, require_api(Permission.CROSSWALK_VIEW)]


@router.get("", summary="Crosswalk coverage", response_model=CrosswalkOut)
def get_crosswalk(
    ws: WS,
    user: Reader,
    framework: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Only this framework: eu_ai_act, nist_ai_rmf, iso_42001 or gdpr.",
        ),
    ] = None,
) -> CrosswalkOut:
    """Per framework and clause: the controls that serve it, their status, coverage, gaps.

    An unknown framework is a 400 whose message lists the known ones.
    """
    return crosswalk_report(ws, framework)
