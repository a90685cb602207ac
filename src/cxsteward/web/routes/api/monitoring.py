"""/api/v1/monitoring: stored monitoring runs and their findings, starting a run, and the
read models the committee pack charts (a metric's weekly trend, the scorecard)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cxsteward.services.monitoring.behind import BEHIND_MAX, BehindOut, behind_humans
from cxsteward.services.monitoring.model_changes import ModelChangesOut, model_changes
from cxsteward.services.monitoring.run import RunCreate, start_run
from cxsteward.services.monitoring.runs import (
    RUNS_MAX,
    FindingOut,
    RunOut,
    RunSummaryOut,
    get_finding,
    get_run,
    list_runs,
)
from cxsteward.services.monitoring.scorecard import ScorecardOut, scorecard
from cxsteward.services.monitoring.trends import MAX_WEEKS, TrendOut, metric_trend
from cxsteward.services.monitoring.trust import TrustChecksOut, trust_checks
from cxsteward.web.deps import WS, Permission, UserOut, require_api
from cxsteward.web.routes.api.common import Id, signed_router

router = signed_router("/monitoring", "monitoring")
Reader = Annotated[UserOut, require_api(Permission.MONITORING_VIEW)]
Manager = Annotated[UserOut, require_api(Permission.MONITORING_MANAGE)]


@router.get("/runs", summary="List monitoring runs", response_model=list[RunSummaryOut])
def list_monitor_runs(
    ws: WS,
    user: Reader,
    limit: Annotated[int, Query(ge=1, le=RUNS_MAX, description="At most this many.")] = 50,
) -> list[RunSummaryOut]:
    """The most recent runs, newest first."""
    return list_runs(ws, limit)


@router.get("/runs/{run_id}", summary="One monitoring run", response_model=RunOut)
def get_monitor_run(ws: WS, user: Reader, run_id: Id) -> RunOut:
    """A run with its findings, threshold evaluations, comparisons and metric table.

    Artifact files the run can no longer read are named in `missing_artifacts`, and their
    lists are empty: the summary and findings, kept in the registry, are always there.
    """
    return get_run(ws, run_id)


@router.get("/findings/{finding_id}", summary="One finding", response_model=FindingOut)
def get_monitor_finding(ws: WS, user: Reader, finding_id: Id) -> FindingOut:
    """One finding of a run, as its run lists it."""
    return get_finding(ws, finding_id)


@router.post(
    "/runs",
    summary="Run the monitor now (synchronous)",
    response_model=RunOut,
    status_code=201,
)
def run_monitor_now(ws: WS, user: Manager, body: RunCreate) -> RunOut:
    """Compute every metric, comparison and threshold over the data, store the run, return it.

    The window is `date_from` and a number of `days`: `{"days": 28}` is the four weeks up to
    today, `{"date_from": "2025-01-01", "days": 90}` ninety days from 1 January, `{}` the
    whole store. The request waits for the whole run, which can take minutes on large data:
    use a long client timeout, or schedule `cxsteward monitor run` instead.
    """
    return get_run(ws, start_run(ws, body).run_id)


@router.get("/behind", summary="Where the AI is furthest behind humans", response_model=BehindOut)
def get_behind_humans(
    ws: WS,
    user: Reader,
    deployment: Annotated[
        str | None, Query(max_length=200, description="Only this deployment.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=BEHIND_MAX, description="At most this many.")] = 3,
) -> BehindOut:
    """From each deployment's latest run, the places where the AI does worse than humans,
    ranked by the gap relative to the human figure, each with its headline in plain words
    and the finding behind it."""
    return behind_humans(ws, deployment, limit)


@router.get(
    "/model-changes",
    summary="What each model-version switch changed",
    response_model=ModelChangesOut,
)
def get_model_changes(
    ws: WS,
    user: Reader,
    deployment: Annotated[str, Query(min_length=1, max_length=200, description="Its key.")],
) -> ModelChangesOut:
    """Each model-version switch of the deployment (from the governance registry): the AI's
    key metrics in the days before against the same number of days after, with intervals
    and q-values, and the latest run's model-change findings."""
    return model_changes(ws, deployment)


Key = Annotated[str, Query(min_length=1, max_length=120, description="A deployment's key.")]


@router.get("/trends", summary="A metric's weekly trend", response_model=TrendOut)
def get_metric_trend(
    ws: WS,
    user: Reader,
    deployment: Key,
    metric: Annotated[str, Query(min_length=1, max_length=60, description="A catalogue metric.")],
    weeks: Annotated[
        int | None, Query(ge=1, le=MAX_WEEKS, description="Only the last N weeks with contacts.")
    ] = None,
) -> TrendOut:
    """The metric per ISO week for the AI and humans of the deployment, each with its 95%
    interval and n; the frozen baselines (the band), the thresholds that watch it (the lines)
    and the model versions the governance registry records (the markers)."""
    return metric_trend(ws, deployment, metric, weeks)


@router.get(
    "/scorecard", summary="AI against humans per metric and segment", response_model=ScorecardOut
)
def get_scorecard(ws: WS, user: Reader, deployment: Key) -> ScorecardOut:
    """The latest run's AI-against-humans comparisons of the deployment: per metric and
    segment the effect with its interval and a verdict (better, level, worse, too_few)."""
    return scorecard(ws, deployment)


@router.get(
    "/trust",
    summary="Disclosure per channel and the vulnerable-customer promise",
    response_model=TrustChecksOut,
)
def get_trust(
    ws: WS,
    user: Reader,
    deployment: Annotated[
        str | None,
        Query(min_length=1, max_length=120, description="One deployment's key; omitted: all."),
    ] = None,
) -> TrustChecksOut:
    """The latest run's customer-trust checks: AI disclosure per channel with its interval
    against the floor, and each part of the path promised to vulnerable customers."""
    return trust_checks(ws, deployment)
