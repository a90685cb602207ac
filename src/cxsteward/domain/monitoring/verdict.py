"""Judging a threshold: confirmed when the interval lies wholly beyond it, suspected when
only the point estimate does (DESIGN section 5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from cxsteward.domain.monitoring.counts import Compared, Kind
from cxsteward.domain.stats import FloatArray, Interval
from cxsteward.domain.thresholds import Comparator, Direction, Threshold

Status = Literal["confirmed", "suspected", "ok", "insufficient"]


@dataclass(frozen=True)
class Verdicts:
    """One verdict per scope evaluated, as arrays; ``effect`` is what the rule limits."""

    effect_name: str  # difference, ratio or value
    effect: FloatArray
    low: FloatArray
    high: FloatArray
    p_value: FloatArray
    limit: float
    status: list[Status]


def judge(
    rule: Threshold,
    kind: Kind,
    n_ai: FloatArray,
    n_other: FloatArray | None,
    compared: Compared | None = None,
    alone: Interval | None = None,
) -> Verdicts:
    """Apply one rule to every scope at once.

    Args:
        compared: AI against the comparator (humans, baseline, previous model).
        alone: the AI's own interval, for ``compare_to: absolute``.
    """
    if rule.compare_to is Comparator.ABSOLUTE:
        if alone is None or rule.value is None:
            raise ValueError("an absolute threshold needs the AI's own interval")
        name, limit = "value", rule.value
        effect, low, high = alone.estimate, alone.low, alone.high
        p_value = np.full_like(effect, np.nan)
    elif rule.ratio is not None:
        if compared is None or compared.ratio is None:
            raise ValueError(f"{rule.metric} has no ratio comparison")
        name, limit = "ratio", rule.ratio
        effect, low, high = compared.ratio.estimate, compared.ratio.low, compared.ratio.high
        p_value = compared.ratio.p_value
    else:
        if compared is None or rule.points is None:
            raise ValueError("a points threshold needs a comparison")
        # Points are percentage points for rates and the metric's own unit for means.
        size = rule.points / 100 if kind is Kind.RATE else rule.points
        name = "difference"
        limit = -size if rule.direction is Direction.BELOW else size
        effect = compared.difference.estimate
        low, high = compared.difference.low, compared.difference.high
        p_value = compared.difference.p_value
    enough = n_ai >= rule.min_n
    if n_other is not None and rule.compare_to is not Comparator.ABSOLUTE:
        enough = enough & (n_other >= rule.min_n)
    status: list[Status] = []
    for i in range(len(effect)):
        status.append(_status(rule.direction, bool(enough[i]), effect[i], low[i], high[i], limit))
    return Verdicts(name, effect, low, high, p_value, float(limit), status)


def _status(
    direction: Direction, enough: bool, effect: float, low: float, high: float, limit: float
) -> Status:
    if not enough or np.isnan(effect):
        return "insufficient"
    if direction is Direction.BELOW:
        if high < limit:
            return "confirmed"
        return "suspected" if effect < limit else "ok"
    if low > limit:
        return "confirmed"
    return "suspected" if effect > limit else "ok"
