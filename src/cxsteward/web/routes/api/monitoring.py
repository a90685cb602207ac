"""/api/v1/monitoring: stored monitoring runs, and starting one (synchronously)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cxsteward.errors import Invalid
from cxsteward.services.monitoring.history import RUNS_MAX, RunDetail, get_run, list_runs
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.web.deps import WS, Permission, UserOut, require_api
from cxsteward.web.routes.api.common import Id, signed_router
from cxsteward.web.schemas import RunCreate, RunOut, RunSummaryOut

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
    return [RunSummaryOut.model_validate(run) for run in list_runs(ws, limit)]


@router.get("/runs/{run_id}", summary="One monitoring run", response_model=RunOut)
def get_monitor_run(ws: WS, user: Reader, run_id: Id) -> RunOut:
    """A run with its findings, threshold evaluations, comparisons and metric table."""
    return run_out(get_run(ws, run_id))


@router.post(
    "/runs",
    summary="Run the monitor now (synchronous)",
    response_model=RunOut,
    status_code=201,
)
def run_monitor_now(ws: WS, user: Manager, body: RunCreate) -> RunOut:
    """Compute every metric, comparison and threshold over the data, store the run, return it.

    The request waits for the whole run, which can take minutes on large data: use a long
    client timeout, or schedule `cxsteward monitor run` instead.
    """
    if body.date_from and body.date_to and body.date_from > body.date_to:
        raise Invalid(f"date_from ({body.date_from}) is after date_to ({body.date_to}); swap them.")
    out = run_monitor(
        ws,
        date_from=body.date_from,
        date_to=body.date_to,
        window=body.window,
        alpha=body.alpha,
        fdr=body.fdr,
    )
    return run_out(get_run(ws, out.run_id))


def run_out(detail: RunDetail) -> RunOut:
    """The API shape of a stored run."""
    return RunOut.model_validate(detail)
