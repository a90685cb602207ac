"""The staff-adoption page: assist usage and overrides per team (per agent for those who
may see individual staff), a funnel plot of each rate and a weekly trend per team."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cxsteward.errors import NotFound
from cxsteward.services.monitoring.adoption import (
    AdoptionFigure,
    AdoptionQuery,
    AdoptionWeek,
    adoption_figures,
    adoption_weeks,
)
from cxsteward.services.monitoring.adoption_charts import funnel_figure, team_trend_figure
from cxsteward.services.read_models import ReadModel
from cxsteward.web.deps import WS, Permission, UserOut, render, require

router = APIRouter(include_in_schema=False)

Reader = Annotated[UserOut, require(Permission.ADOPTION_VIEW)]
# The figures and their charts take a second or more to build (the charts most of it):
# kept until the registry changes (a load, a run, a training record), per query.
Figures = dict[str, object]
_FIGURES: ReadModel[Figures] = ReadModel("adoption page")


@router.get("/adoption")
def show_adoption(
    request: Request,
    ws: WS,
    user: Reader,
    by: Annotated[Literal["team", "agent"], Query()] = "team",
    deployment: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Per team (or agent): the rates with their intervals and flags, the funnel plots, and
    each team's weekly trend."""
    query = AdoptionQuery(by=by, deployment=deployment or None)
    agents_allowed = user.can(Permission.ADOPTION_AGENTS)
    figures = _FIGURES.get(
        ws,
        lambda: _figures(ws, query, agents_allowed),
        (query.by, query.deployment, agents_allowed),
    )
    context = {
        "title": "Staff adoption of the AI assistant",
        "by": by,
        "deployment": query.deployment,
        "agents_allowed": agents_allowed,
        **figures,
    }
    return render(request, "adoption/index.html", context)


def _figures(ws: WS, query: AdoptionQuery, agents_allowed: bool) -> Figures:
    figures: list[AdoptionFigure] = []
    weeks: list[AdoptionWeek] = []
    try:
        figures = adoption_figures(ws, query, agents_allowed=agents_allowed)
        weeks = adoption_weeks(ws, AdoptionQuery(deployment=query.deployment))
    except NotFound:  # nothing loaded yet: the page says so
        pass
    teams = list(dict.fromkeys((w.deployment, w.team) for w in weeks))
    return {
        "figures": figures,
        "flagged": [f for f in figures if f.flag != "within" or f.assist_flag != "within"],
        "funnels": [funnel_figure(figures, m) for m in ("override_rate", "assist_rate")]
        if figures
        else [],
        "trends": [(d, t, team_trend_figure(weeks, t, d)) for d, t in teams],
    }
