"""What a monitoring run records besides its findings: evaluations, comparisons, metric rows.

Each is built once from the domain's types when the run runs, written to the run's
artifacts folder as JSON, read back into the same types, and returned as is by the API,
the CLI's ``--json`` and the pages. One shape from the analysis to the wire.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from cxsteward.domain.metrics import metric
from cxsteward.domain.monitoring.comparisons import Tested
from cxsteward.domain.monitoring.localized import finite_or_none as finite
from cxsteward.domain.monitoring.thresholds_eval import Evaluation
from cxsteward.domain.monitoring.verdict import Status
from cxsteward.services.contract import Result

EffectName = Literal["difference", "ratio", "value"]
# Threshold statuses in the order a reader cares about them.
STATUSES = ("confirmed", "suspected", "ok", "insufficient")
Interval = tuple[float | None, float | None]


class EstimatePair(Result):
    ai: float | None = Field(description="The AI's estimate of the metric.")
    comparator: float | None = Field(
        description="The comparator's estimate (humans, baseline or previous model); null "
        "for an absolute limit or when there was no comparator."
    )


class CountPair(Result):
    ai: int = Field(description="AI contacts the estimate counts.")
    comparator: int | None = Field(description="Comparator contacts; null for an absolute limit.")


class EvaluationOut(Result):
    """One threshold judged in one scope; insufficient ones included."""

    threshold: str = Field(description="The threshold's id.")
    metric: str | None = Field(description="The metric the threshold watches.")
    unit: str = Field(description='How the metric reads: "rate", "mean" or "count".')
    rule: str = Field(description="The threshold in words.")
    declared_at: datetime | None = Field(description="When this version of it was declared.")
    deployment: str
    scope: dict[str, str] = Field(description="Segment column to value; empty for overall.")
    status: Status
    effect_name: EffectName = Field(description="What `effect`, `ci` and `limit` measure.")
    effect: float | None
    ci: Interval
    limit: float | None
    estimate: EstimatePair
    n: CountPair
    model_versions: list[str] = Field(description="Model versions compared, if any.")

    @model_validator(mode="before")
    @classmethod
    def _effect_by_name(cls, data: Any) -> Any:
        # File boundary: runs stored before the effect had a name of its own wrote it under
        # its kind ("difference": 0.04, or "ratio", or "value"), with no metric nor unit.
        if isinstance(data, dict) and "effect_name" not in data:
            name = next((k for k in ("difference", "ratio", "value") if k in data), "difference")
            known = data.get("metric")
            unit = "rate" if known is None else metric(known).kind.value
            data = {"effect_name": name, "effect": data.get(name), "unit": unit} | data
        return data


class AdjustedOut(Result):
    difference: float | None
    ci: Interval


class ComparisonOut(Result):
    """One comparison of a run: AI against humans, a segment gap or a model change."""

    kind: str = Field(
        description="ai_vs_human_gap, ai_segment_gap, model_change or segment_model_change."
    )
    metric: str
    deployment: str
    scope: dict[str, str] = Field(description="Segment column to value; empty for overall.")
    sides: tuple[str, str] = Field(description='The two sides, e.g. ["ai", "human"].')
    estimate: Interval = Field(description="The metric on each side.")
    n: tuple[int, int] = Field(description="Contacts on each side.")
    difference: float | None
    ci: Interval
    ratio: float | None
    p_value: float | None
    q_value: float | None = Field(description="Adjusted for the run's false discovery rate.")
    status: Literal["tested", "insufficient data"]
    model_versions: list[str]
    adjusted: dict[str, AdjustedOut] = Field(
        default_factory=dict,
        description="The difference adjusted for each segment column's mix (Mantel-Haenszel).",
    )


class MetricRowOut(Result):
    """One metric in one window, slice value, deployment and handler."""

    window: str = Field(description="A day, an ISO week, a month or a from..to range.")
    slice: str = Field(description='The segment columns, or "overall".')
    segment: dict[str, str]
    deployment: str
    handler: str
    metric: str
    n: int
    value: float | None
    sufficient: bool = Field(description="Whether n is enough to read the value.")


@dataclass(frozen=True)
class DeploymentStatus:
    """How the thresholds of one deployment stood in a run."""

    deployment: str
    confirmed: int
    suspected: int
    ok: int
    insufficient: int

    @property
    def worst(self) -> str:
        """The most serious status present (``ok`` when every rule was judged and held)."""
        for status in STATUSES:
            if getattr(self, status):
                return status
        return "ok"


def evaluation_out(e: Evaluation) -> EvaluationOut:
    """The record of one evaluation."""
    return EvaluationOut(
        threshold=e.rule.id,
        metric=e.rule.metric,
        unit=metric(e.rule.metric).kind.value,
        rule=e.rule.describe(),
        declared_at=e.rule.created_at,
        deployment=e.scope.deployment,
        scope=e.scope.segment,
        status=e.status,
        effect_name=e.effect_name,
        effect=finite(e.effect),
        ci=(finite(e.low), finite(e.high)),
        limit=finite(e.limit),
        estimate=EstimatePair(ai=finite(e.estimate[0]), comparator=finite(e.estimate[1])),
        n=CountPair(ai=int(e.n[0]), comparator=None if e.n[1] is None else int(e.n[1])),
        model_versions=e.versions,
    )


def comparison_out(t: Tested) -> ComparisonOut:
    """The record of one comparison."""
    return ComparisonOut(
        kind=t.kind,
        metric=t.spec.name,
        deployment=t.scope.deployment,
        scope=t.scope.segment,
        sides=t.labels,
        estimate=(finite(t.estimate[0]), finite(t.estimate[1])),
        n=(int(t.n[0]), int(t.n[1])),
        difference=finite(t.difference),
        ci=(finite(t.low), finite(t.high)),
        ratio=finite(t.ratio),
        p_value=finite(t.p_value),
        q_value=finite(t.q_value),
        status="tested" if t.sufficient else "insufficient data",
        model_versions=t.versions,
        adjusted={
            column: AdjustedOut(difference=finite(v[0]), ci=(finite(v[1]), finite(v[2])))
            for column, v in t.adjusted.items()
        },
    )


def threshold_status(evaluations: list[EvaluationOut]) -> list[DeploymentStatus]:
    """Confirmed, suspected, ok and insufficient counts per deployment, by name."""
    counts: dict[str, Counter[str]] = {}
    for e in evaluations:
        counts.setdefault(e.deployment, Counter())[e.status] += 1
    return [
        DeploymentStatus(deployment, *(tally[s] for s in STATUSES))
        for deployment, tally in sorted(counts.items())
    ]
