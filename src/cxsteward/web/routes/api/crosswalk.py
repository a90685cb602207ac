"""/api/v1/crosswalk: the regulatory crosswalk's coverage, per framework and clause."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cxsteward.domain.crosswalk import FrameworkKey
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
        FrameworkKey | None, Query(description="Only this framework (default: all four).")
    ] = None,
) -> CrosswalkOut:
    """Per framework and clause: the controls that serve it, their status, coverage, gaps.

    An unknown framework is a 422 whose problem lists the known ones.
    """
    return crosswalk_report(ws, framework.value if framework else None)
