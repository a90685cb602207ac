"""Where the AI is furthest behind humans, in plain words, from the latest monitoring runs.

The overview's headline, the committee pack's summary, ``cxsteward monitor behind`` and
GET /api/v1/monitoring/behind all read :func:`behind_humans`.

A run's gap findings (``ai_vs_human_gap``, ``ai_segment_gap``) carry no status of their own:
the run made them findings because the AI does worse at the run's false discovery rate.
Here each one is **confirmed** when the interval of the AI-human difference in its scope
lies wholly on the worse side of zero, and **suspected** when that interval still reaches
zero (or was lost with the run's artifacts). A segment gap says the AI's gap is larger in
the segment than elsewhere, which can hold where the AI is still ahead of humans: only
places where the AI's figure itself is worse than the humans' count as behind.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cxsteward.domain.metrics import Direction, MetricKind, metric, metric_label
from cxsteward.domain.monitoring.localized import finite_or_none
from cxsteward.errors import Invalid
from cxsteward.services.contract import Result
from cxsteward.services.monitoring.results import ComparisonOut
from cxsteward.services.monitoring.runs import (
    COMPARISONS,
    FindingOut,
    RunSummaryOut,
    list_runs,
    read_stored,
    run_findings,
)
from cxsteward.services.workspace import Workspace

BEHIND_MAX = 50
GAP_KINDS = ("ai_vs_human_gap", "ai_segment_gap")
# How far back to look for a run that covered a deployment the newest runs did not.
RUNS_LOOKED_AT = 20
Status = Literal["confirmed", "suspected"]
Interval = tuple[float | None, float | None]


class BehindItem(Result):
    """One place where the AI does worse than humans, with the figures behind it."""

    deployment: str
    metric: str = Field(description="The catalogue metric's name.")
    label: str = Field(description="The metric in plain words.")
    kind: str = Field(description='"rate" (a share) or "mean".')
    segment: dict[str, str] = Field(description="Segment column to value; empty for all.")
    segment_text: str = Field(description='"column=value", or "all".')
    ai: float = Field(description="The AI's figure (a share for rates).")
    human: float = Field(description="The humans' figure in the same scope and window.")
    ratio: float | None = Field(description="AI over human; null when the human figure is 0.")
    difference: float = Field(description="AI minus human.")
    ci: Interval = Field(description="Interval of the difference (the run's alpha).")
    relative_gap: float | None = Field(
        description="How far behind, as a share of the human figure (the rank's key); null "
        "when the human figure is 0 (ranked first)."
    )
    status: Status
    n_ai: int
    n_human: int
    run_id: int
    finding_id: int
    finding_kind: str
    headline: str = Field(description="The place in plain words, with its figure and status.")


class BehindOut(Result):
    """The places where the AI is furthest behind humans, worst first."""

    deployment: str | None = Field(description="The deployment asked for; null for all.")
    limit: int
    runs: dict[str, int] = Field(description="Each deployment's latest run that covered it.")
    total: int = Field(description="Places behind in all, before the limit.")
    items: list[BehindItem]


def behind_humans(ws: Workspace, deployment: str | None = None, limit: int = 3) -> BehindOut:
    """The ``limit`` places where the AI is furthest behind humans, from each deployment's
    latest run.

    Ranks are made by the gap relative to the human figure: (AI - human) / human for a
    metric where higher is worse, (human - AI) / human where higher is better, so a 2.8x
    complaint rate (1.8) outranks 9 points below a 74% resolution rate (0.12). Ties go to
    the place with more AI contacts. Metrics of neutral direction never count.

    Raises:
        Invalid: ``limit`` is outside 1..50.
    """
    if not 1 <= limit <= BEHIND_MAX:
        raise Invalid(f"limit must be between 1 and {BEHIND_MAX} (given {limit}).")
    runs, read = _latest_per_deployment(ws, deployment)
    items: list[BehindItem] = []
    for run, covered in _distinct_runs(runs):
        items += places_in_run(ws, run, covered, read.get(run.id))
    items.sort(key=_rank)
    return BehindOut(
        deployment=deployment,
        limit=limit,
        runs={d: r.id for d, r in sorted(runs.items())},
        total=len(items),
        items=items[:limit],
    )


def places_in_run(
    ws: Workspace,
    run: RunSummaryOut,
    covered: set[str],
    comparisons: list[ComparisonOut] | None,
) -> list[BehindItem]:
    """Every place in ``run`` where the AI does worse than humans, for the ``covered``
    deployments; ``comparisons`` is the run's stored comparisons (None when lost), whose
    plain AI-against-humans interval decides whether a segment's gap is confirmed."""
    plain = {
        (c.deployment, c.metric, tuple(sorted(c.scope.items()))): c
        for c in comparisons or []
        if c.kind == "ai_vs_human_gap"
    }
    chosen: dict[tuple[str, str, tuple[tuple[str, str], ...]], FindingOut] = {}
    for f in run_findings(ws, run.id):
        key = (f.deployment, f.metric, tuple(sorted(f.scope.items())))
        # The direct comparison is preferred to the interaction for the same place.
        if f.kind in GAP_KINDS and f.deployment in covered and chosen.get(key) is None:
            chosen[key] = f
        elif f.kind == "ai_vs_human_gap" and key in chosen:
            chosen[key] = f
    return [item for key, f in chosen.items() if (item := _item(f, plain.get(key))) is not None]


def _rank(item: BehindItem) -> tuple[bool, float, int, str, str]:
    gap = item.relative_gap
    return (gap is not None, -(gap or 0.0), -item.n_ai, item.deployment, item.metric)


Read = dict[int, list[ComparisonOut] | None]


def _latest_per_deployment(
    ws: Workspace, deployment: str | None
) -> tuple[dict[str, RunSummaryOut], Read]:
    """Each deployment's newest run that had contacts of it, and the comparisons read."""
    found: dict[str, RunSummaryOut] = {}
    read: Read = {}
    for run in list_runs(ws, RUNS_LOOKED_AT):
        read[run.id] = comparisons = read_stored(ws, run, COMPARISONS, ComparisonOut)
        if comparisons is None:  # lost artifacts: the findings still name their deployments
            covered = {f.deployment for f in run_findings(ws, run.id)}
        else:
            covered = {c.deployment for c in comparisons}
        for name in covered:
            if deployment is None or name == deployment:
                found.setdefault(name, run)
        # A run over the whole store saw every deployment older runs could have seen.
        if run.date_from is None and run.date_to is None:
            break
    return found, read


def _distinct_runs(runs: dict[str, RunSummaryOut]) -> list[tuple[RunSummaryOut, set[str]]]:
    by_id: dict[int, tuple[RunSummaryOut, set[str]]] = {}
    for name, run in runs.items():
        by_id.setdefault(run.id, (run, set()))[1].add(name)
    return [by_id[i] for i in sorted(by_id)]


def _item(f: FindingOut, plain: ComparisonOut | None) -> BehindItem | None:
    spec = metric(f.metric)
    ai, human = f.estimate.get("ai"), f.estimate.get("human")
    if ai is None or human is None or spec.direction is Direction.NEUTRAL:
        return None
    worse_if_higher = spec.direction is Direction.HIGHER_IS_WORSE
    difference = ai - human
    if difference == 0 or (difference > 0) != worse_if_higher:
        return None
    ci: Interval = (None, None)
    if f.kind == "ai_vs_human_gap":
        ci = f.ci
    elif plain is not None:
        ci = plain.ci
    edge = ci[0] if worse_if_higher else ci[1]
    beyond = edge is not None and (edge > 0 if worse_if_higher else edge < 0)
    status: Status = "confirmed" if beyond else "suspected"
    relative = None if human == 0 else (difference if worse_if_higher else -difference) / human
    ratio = None if human == 0 else ai / human
    item = BehindItem(
        deployment=f.deployment,
        metric=f.metric,
        label=metric_label(f.metric),
        kind=spec.kind.value,
        segment=dict(sorted(f.scope.items())),
        segment_text=", ".join(f"{k}={v}" for k, v in sorted(f.scope.items())) or "all",
        ai=ai,
        human=human,
        ratio=finite_or_none(ratio),
        difference=difference,
        ci=ci,
        relative_gap=finite_or_none(relative),
        status=status,
        n_ai=f.n.get("ai", 0),
        n_human=f.n.get("human", 0),
        run_id=f.run_id,
        finding_id=f.id,
        finding_kind=f.kind,
        headline="",
    )
    return item.model_copy(update={"headline": headline(item)})


def headline(item: BehindItem) -> str:
    """The place in plain words: "Complaints in the billing segment on voice: 2.8x the human
    rate, confirmed". A rate of bad events reads as a multiple of the human rate; a rate of
    good outcomes in points below it ("Resolution: 9 points below humans")."""
    spec = metric(item.metric)
    worse_if_higher = spec.direction is Direction.HIGHER_IS_WORSE
    gap = abs(item.difference)
    if spec.kind is MetricKind.RATE:
        if worse_if_higher and item.ratio is not None:
            figure = f"{item.ratio:.1f}x the human rate"
        else:
            side = "above" if worse_if_higher else "below"
            figure = f"{_points(gap * 100)} points {side} humans"
    elif spec.unit == "seconds" and item.ratio is not None:
        figure = f"{item.ratio:.1f}x the human time"
    else:
        side = "above" if worse_if_higher else "below"
        figure = f"{gap:.2f} {side} humans ({spec.unit})"
    return f"{item.label}{_where(item.segment)} on {item.deployment}: {figure}, {item.status}"


def _points(value: float) -> str:
    return f"{value:.0f}" if value >= 9.5 else f"{value:.1f}"


def _where(segment: dict[str, str]) -> str:
    if not segment:
        return ""
    if len(segment) == 1:
        column, value = next(iter(segment.items()))
        # A word names its segment ("billing"); a code or yes/no needs its column to be read.
        if value.isalpha() and len(value) > 3 and value.lower() not in {"true", "false"}:
            return f" in the {value} segment"
        return f" where {column.replace('_', ' ')} is {value}"
    return " where " + " and ".join(f"{k.replace('_', ' ')} is {v}" for k, v in segment.items())
