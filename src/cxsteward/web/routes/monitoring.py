"""Monitoring pages: runs, one run (findings, thresholds, comparisons), metrics, baselines, rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import HTMLResponse

from cxsteward.domain.metrics import METRIC_NAMES
from cxsteward.services.monitoring.baselines import baseline_detail, list_baselines
from cxsteward.services.monitoring.charts import metric_title, scorecard_figure, trend_figure
from cxsteward.services.monitoring.results import threshold_status
from cxsteward.services.monitoring.rows import parse_filter, rows_page
from cxsteward.services.monitoring.runs import (
    COMPARISONS,
    EVALUATIONS,
    METRICS,
    RUNS_MAX,
    artifact_path,
    artifacts_problem,
    finding_rows,
    list_runs,
    run_evaluations,
    run_findings,
    run_summary,
)
from cxsteward.services.monitoring.scorecard import latest_scorecard
from cxsteward.services.monitoring.tables import (
    OVERALL,
    ComparisonQuery,
    run_comparisons,
    run_metric_table,
)
from cxsteward.services.monitoring.trends import key_metrics, metric_trends
from cxsteward.services.monitoring.trust import latest_trust
from cxsteward.web.deps import WS, Id, Permission, UserOut, is_htmx, render, require

router = APIRouter(include_in_schema=False)

Viewer = Annotated[UserOut, require(Permission.MONITORING_VIEW)]
# Filters arrive from <select>s whose first option is "all" (an empty value).
Choice = Annotated[str | None, Query(max_length=200)]
DEFAULT_METRIC = "csat_satisfied_rate"


def _partial(request: Request, target: str) -> bool:
    """Whether htmx asked to refresh only the element ``target`` of the page."""
    return is_htmx(request) and request.headers.get("hx-target") == target


@router.get("/monitoring")
def list_monitoring_runs(request: Request, ws: WS, user: Viewer) -> HTMLResponse:
    """The monitoring runs, newest first."""
    runs = list_runs(ws, RUNS_MAX)
    return render(
        request,
        "monitoring/runs.html",
        {"title": "Monitoring", "runs": runs, "baselines": len(list_baselines(ws))},
    )


@router.get("/monitoring/runs/{run_id}")
def show_run(
    request: Request,
    ws: WS,
    user: Viewer,
    run_id: Id,
    metric: Choice = None,
    deployment: Choice = None,
    segment: Choice = None,
    kind: Choice = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """One run: its findings, its threshold evaluations and its comparisons (filtered)."""
    query = ComparisonQuery(metric or None, deployment or None, segment or None, kind or None, page)
    comparisons = run_comparisons(ws, run_id, query)
    if _partial(request, "comparisons"):
        return render(
            request, "monitoring/_comparisons.html", {"cmp": comparisons, "run_id": run_id}
        )
    run = run_summary(ws, run_id)
    evaluations = run_evaluations(ws, run)
    findings = run_findings(ws, run_id)
    # The files the API would list as missing; the metric table's is only looked for here.
    lost = {
        EVALUATIONS: evaluations is None,
        COMPARISONS: comparisons.problem is not None,
        METRICS: not artifact_path(ws, run, METRICS).is_file(),
    }
    context = {
        "title": f"Monitoring run {run_id}",
        "run": run,
        "findings": findings,
        "rows": {f.id: finding_rows(f, run.through_load) for f in findings},
        "evaluations": evaluations,
        "statuses": threshold_status(evaluations or []),
        "problem": artifacts_problem(ws, run, [name for name, gone in lost.items() if gone]),
        "cmp": comparisons,
        "run_id": run_id,
    }
    return render(request, "monitoring/run.html", context)


@router.get("/monitoring/runs/{run_id}/metrics")
def show_run_metrics(
    request: Request,
    ws: WS,
    user: Viewer,
    run_id: Id,
    metric: Choice = None,
    slice: Choice = None,  # noqa: A002 - the word the page and the artifacts use
    deployment: Choice = None,
) -> HTMLResponse:
    """A run's metric table: one metric per window, deployment, segment and handler."""
    table = run_metric_table(
        ws, run_id, metric or DEFAULT_METRIC, slice or OVERALL, deployment or None
    )
    context = {"table": table, "run_id": run_id}
    if _partial(request, "metric-table"):
        return render(request, "monitoring/_metric_table.html", context)
    context |= {"title": f"Metrics of run {run_id}", "run": run_summary(ws, run_id)}
    return render(request, "monitoring/metrics.html", context)


@router.get("/monitoring/deployments/{key}")
def show_deployment_monitoring(
    request: Request,
    ws: WS,
    user: Viewer,
    key: Annotated[str, Path(min_length=1, max_length=120)],
) -> HTMLResponse:
    """One deployment: the latest run's scorecard as a heatmap, and a weekly trend chart per
    key metric (AI and humans with intervals, baseline band, threshold lines, model switches)."""
    trends = metric_trends(ws, key, key_metrics(ws))
    card = latest_scorecard(ws, key)
    context = {
        "title": f"Monitoring {key}",
        "key": key,
        "trends": trends,
        "titles": {t.metric: metric_title(t.metric) for t in trends},
        "charts": [trend_figure(t) for t in trends],
        "card": card,
        "card_chart": scorecard_figure(card) if card else None,
        "trust": latest_trust(ws, key),
    }
    return render(request, "monitoring/deployment.html", context)


@router.get("/monitoring/baselines")
def list_monitoring_baselines(request: Request, ws: WS, user: Viewer) -> HTMLResponse:
    """The frozen baselines."""
    return render(
        request,
        "monitoring/baselines.html",
        {"title": "Baselines", "baselines": list_baselines(ws)},
    )


@router.get("/monitoring/baselines/{name}")
def show_baseline(
    request: Request,
    ws: WS,
    user: Viewer,
    name: str,
    metric: Choice = None,
    deployment: Choice = None,
) -> HTMLResponse:
    """One baseline's values, optionally of one metric or deployment."""
    detail = baseline_detail(ws, name, metric or None, deployment or None)
    context = {"detail": detail, "metric": metric or "", "deployment": deployment or ""}
    if _partial(request, "baseline-values"):
        return render(request, "monitoring/_baseline_values.html", context)
    context["title"] = f"Baseline {name}"
    return render(request, "monitoring/baseline.html", context)


@router.get("/monitoring/rows")
def show_rows(
    request: Request, ws: WS, user: Annotated[UserOut, require(Permission.MONITORING_ROWS)]
) -> HTMLResponse:
    """The contacts behind a figure, 50 a page, with how many there are in all."""
    found, page = parse_filter(request.query_params.multi_items())
    result = rows_page(ws, found, page)
    context = {"title": "Rows behind a figure", "result": result, "metrics": METRIC_NAMES}
    return render(request, "monitoring/rows.html", context)
