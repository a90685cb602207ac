"""/api/v1/monitoring/adoption: staff adoption of the AI assistant per team or agent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cxsteward.domain.access import allows
from cxsteward.services.monitoring.adoption import (
    AdoptionFigure,
    AdoptionQuery,
    AdoptionWeek,
    adoption_figures,
    adoption_weeks,
)
from cxsteward.web.deps import WS, Permission, UserOut, require_api
from cxsteward.web.routes.api.common import signed_router

router = signed_router("/monitoring", "monitoring")
Reader = Annotated[UserOut, require_api(Permission.ADOPTION_VIEW)]


@router.get(
    "/adoption",
    summary="Assist usage and override rates per team or agent",
    response_model=list[AdoptionFigure],
)
def get_adoption(
    ws: WS, user: Reader, query: Annotated[AdoptionQuery, Query()]
) -> list[AdoptionFigure]:
    """For human contacts of deployments with an AI assistant: the share with a suggestion
    (assist_rate) and the share of those the agent overrode (override_rate), with 95% Wilson
    intervals, each judged against the over-dispersed funnel of its peers (`flag`: above,
    below or within). `by=agent` needs the adoption:agents permission (admin, analyst)."""
    return adoption_figures(ws, query, agents_allowed=allows(user.role, Permission.ADOPTION_AGENTS))


@router.get(
    "/adoption/weeks",
    summary="Each team's assist and override rates per ISO week",
    response_model=list[AdoptionWeek],
)
def get_adoption_weeks(
    ws: WS, user: Reader, query: Annotated[AdoptionQuery, Query()]
) -> list[AdoptionWeek]:
    """The trend per team: one row per team and ISO week, with 95% Wilson intervals (`by`
    and `level` do not apply)."""
    return adoption_weeks(ws, query)
