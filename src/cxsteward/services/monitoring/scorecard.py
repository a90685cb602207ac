"""The AI against humans per metric and segment, from a deployment's latest monitoring run.

Read from the run's stored comparisons (``comparisons.json``), never recomputed: the card
shows what the run tested, with the run's intervals (Newcombe for rates, Welch for means,
widened for day-to-day over-dispersion). A cell's verdict reads only its interval and the
metric's declared direction: ``better`` or ``worse`` when the interval excludes zero on that
side, ``level`` when it holds zero (or the metric has no good direction), ``too_few`` when
the run had too few contacts on a side to test it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from cxsteward.domain import metrics as m
from cxsteward.domain.metrics import Direction
from cxsteward.domain.monitoring.wording import comparison_sentence
from cxsteward.errors import NotFound
from cxsteward.services.contract import Result
from cxsteward.services.monitoring.results import ComparisonOut
from cxsteward.services.monitoring.runs import (
    COMPARISONS,
    RUNS_MAX,
    RunSummaryOut,
    list_runs,
    read_stored,
)
from cxsteward.services.workspace import Workspace

Verdict = Literal["better", "level", "worse", "too_few"]
OVERALL = "overall"
AI_VS_HUMAN = "ai_vs_human_gap"
Bounds = tuple[float | None, float | None]


class ScorecardCellOut(Result):
    """One metric in one segment: the AI against humans."""

    metric: str
    segment: str = Field(description='"overall", or "column=value" (e.g. "inquiry_type=billing").')
    ai: float | None = Field(description="The AI's value of the metric.")
    human: float | None = Field(description="The humans' value.")
    n: tuple[int, int] = Field(description="Contacts: AI, humans.")
    effect: float | None = Field(
        description="AI minus humans, in the metric's unit (a share for a rate: 0.031 is 3.1 "
        "points)."
    )
    ci: Bounds = Field(description="The run's 95% interval of the effect.")
    q_value: float | None = Field(description="Adjusted for the run's false discovery rate.")
    verdict: Verdict = Field(description="better, level, worse (for customers) or too_few.")
    label: str = Field(description='The cell in words, e.g. "+3.1 pts [1.2, 5.0]".')
    sentence: str = Field(
        default="",
        description='What differs in plain words, e.g. "For vulnerable customers the AI '
        'escalates 12 points less often than humans (6.0% vs 18.0%)."',
    )


class ScorecardOut(Result):
    """Metrics (rows) by segments (columns) for one deployment, from one monitoring run."""

    deployment: str
    run_id: int = Field(description="The run the card reads.")
    run_finished_at: datetime
    date_from: date | None = Field(description="First day of contacts; null: the store's first.")
    date_to: date | None = Field(description="Last day of contacts; null: the store's last.")
    metrics: list[str] = Field(description="Rows, in catalogue order.")
    segments: list[str] = Field(description='Columns: "overall" first, then by name.')
    cells: list[ScorecardCellOut] = Field(description="Row by row, in the rows' order.")


def scorecard(ws: Workspace, deployment: str) -> ScorecardOut:
    """The latest run's AI-against-humans comparisons of ``deployment`` as a scorecard.

    Raises:
        NotFound: no stored run compared the AI with humans in that deployment.
    """
    found = latest_scorecard(ws, deployment)
    if found is not None:
        return found
    raise NotFound(
        f"No monitoring run compared the AI with humans in deployment {deployment!r}. "
        "Run the monitor first: cxsteward monitor run."
    )


def latest_scorecard(ws: Workspace, deployment: str) -> ScorecardOut | None:
    """:func:`scorecard`, or None when no stored run compared the AI with humans there."""
    for run in list_runs(ws, RUNS_MAX):
        stored = read_stored(ws, run, COMPARISONS, ComparisonOut) or []
        mine = [c for c in stored if c.kind == AI_VS_HUMAN and c.deployment == deployment]
        if mine:
            return _card(deployment, run, mine)
    return None


def _card(deployment: str, run: RunSummaryOut, stored: list[ComparisonOut]) -> ScorecardOut:
    order = {name: i for i, name in enumerate(m.METRIC_NAMES)}
    cells = sorted(
        (_cell(c) for c in stored),
        key=lambda c: (order.get(c.metric, len(order)), c.segment != OVERALL, c.segment),
    )
    segments = sorted({c.segment for c in cells}, key=lambda s: (s != OVERALL, s))
    return ScorecardOut(
        deployment=deployment,
        run_id=run.id,
        run_finished_at=run.finished_at,
        date_from=run.date_from,
        date_to=run.date_to,
        metrics=list(dict.fromkeys(c.metric for c in cells)),
        segments=segments,
        cells=cells,
    )


def _cell(c: ComparisonOut) -> ScorecardCellOut:
    spec = m.metric(c.metric)
    verdict = cell_verdict(spec, c.difference, c.ci, c.status == "tested")
    return ScorecardCellOut(
        metric=c.metric,
        segment=segment_text(c.scope),
        ai=c.estimate[0],
        human=c.estimate[1],
        n=c.n,
        effect=c.difference,
        ci=c.ci,
        q_value=c.q_value,
        verdict=verdict,
        label=effect_label(spec, c.difference, c.ci, c.n)
        if verdict != "too_few"
        else (f"too few: n = {c.n[0]} / {c.n[1]}"),
        sentence=""
        if c.estimate[0] is None or c.estimate[1] is None
        else comparison_sentence(c.metric, c.scope, c.estimate[0], c.estimate[1]),
    )


def cell_verdict(spec: m.MetricSpec, effect: float | None, ci: Bounds, tested: bool) -> Verdict:
    """better / worse when the interval excludes zero on that side of the metric's direction."""
    low, high = ci
    if not tested or effect is None or low is None or high is None:
        return "too_few"
    if spec.direction is Direction.NEUTRAL or low <= 0 <= high:
        return "level"
    higher = low > 0
    good = higher if spec.direction is Direction.HIGHER_IS_BETTER else not higher
    return "better" if good else "worse"


def effect_label(spec: m.MetricSpec, effect: float | None, ci: Bounds, n: tuple[int, int]) -> str:
    """'+3.1 pts [1.2, 5.0]' for a rate, '+12 s [4, 20]' for a duration."""
    if effect is None or ci[0] is None or ci[1] is None:
        return f"n = {n[0]} / {n[1]}"
    # Points read with one decimal, seconds whole, a mean score (1-5) with two.
    scale, unit, digits = 1.0, "", 2
    if spec.kind is m.MetricKind.RATE:
        scale, unit, digits = 100.0, " pts", 1
    elif spec.unit == "seconds":
        unit, digits = " s", 0
    low, high = ci[0] * scale, ci[1] * scale
    return f"{_signed(effect * scale, digits)}{unit} [{low:.{digits}f}, {high:.{digits}f}]"


def segment_text(scope: dict[str, str]) -> str:
    """'overall' for all contacts, else 'column=value' pairs joined by ', '."""
    if not scope:
        return OVERALL
    return ", ".join(f"{k}={v}" for k, v in sorted(scope.items()))


def _signed(value: float, digits: int) -> str:
    text = f"{value:+.{digits}f}"
    return "±" + text[1:] if float(text) == 0 else text
