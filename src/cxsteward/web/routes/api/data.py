"""/api/v1/data: the interaction data's state (how old it is)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cxsteward.services.data.freshness import STALE_MAX_DAYS, FreshnessOut, data_freshness
from cxsteward.web.deps import WS, Permission, UserOut, require_api
from cxsteward.web.routes.api.common import signed_router

router = signed_router("/data", "data")
Reader = Annotated[UserOut, require_api(Permission.MONITORING_VIEW)]


@router.get("/freshness", summary="How old the interaction data is", response_model=FreshnessOut)
def get_data_freshness(
    ws: WS,
    user: Reader,
    stale_after_days: Annotated[
        int, Query(ge=0, le=STALE_MAX_DAYS, description="Older than this is stale.")
    ] = 14,
) -> FreshnessOut:
    """The newest contact in the store, overall and per deployment, its age in days against
    the workspace's today, whether that is stale, and the day of the last load."""
    return data_freshness(ws, stale_after_days)
