"""Sufficient statistics of one side of a comparison, and the comparison itself, vectorized."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from cxsteward.domain.stats import (
    Comparison,
    FloatArray,
    Interval,
    effective_counts,
    newcombe_difference,
    risk_ratio,
    sample_moments,
    welch_difference,
    welch_ratio_log,
    wilson_interval,
)
from cxsteward.domain.stats.base import t_quantile


class Kind(StrEnum):
    RATE = "rate"  # successes / n
    MEAN = "mean"  # total / n, compared with Welch
    LOG_MEAN = "log_mean"  # a duration: means compared as ratios of geometric means


@dataclass(frozen=True)
class Counts:
    """One side of many comparisons at once: arrays of equal length.

    Rates use ``successes``; means use ``total`` and ``total_sq``; durations also carry
    ``log_total`` and ``log_total_sq`` (sums of log values) for the ratio of geometric means.
    ``phi`` is the over-dispersion factor that widens the interval (1 = independent contacts).
    """

    n: FloatArray
    successes: FloatArray | None = None
    total: FloatArray | None = None
    total_sq: FloatArray | None = None
    log_total: FloatArray | None = None
    log_total_sq: FloatArray | None = None
    phi: FloatArray | None = None

    def estimate(self, kind: Kind) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind is Kind.RATE:
                return np.where(self.n > 0, _need(self.successes) / self.n, np.nan)
            return np.where(self.n > 0, _need(self.total) / self.n, np.nan)

    def effective(self) -> tuple[FloatArray, FloatArray]:
        """(successes, n) shrunk by phi, for the Wilson-based intervals."""
        successes = _need(self.successes)
        if self.phi is None:
            return successes, self.n
        return effective_counts(successes, self.n, self.phi)


@dataclass(frozen=True)
class Compared:
    """A comparison of side a against side b, with both estimates."""

    a: FloatArray
    b: FloatArray
    difference: Comparison
    ratio: Comparison | None


def compare(kind: Kind, a: Counts, b: Counts, alpha: float = 0.05) -> Compared:
    """Difference (Newcombe or Welch) and, for rates and durations, the ratio a / b."""
    if kind is Kind.RATE:
        xa, na = a.effective()
        xb, nb = b.effective()
        return Compared(
            a=a.estimate(kind),
            b=b.estimate(kind),
            difference=_keep_estimate(newcombe_difference(xa, na, xb, nb, alpha), a, b, kind),
            ratio=_keep_ratio(risk_ratio(xa, na, xb, nb, alpha), a, b, kind),
        )
    difference = welch_difference(
        a.n, _need(a.total), _need(a.total_sq), b.n, _need(b.total), _need(b.total_sq), alpha
    )
    ratio = None
    logs = (a.log_total, a.log_total_sq, b.log_total, b.log_total_sq)
    # A frozen baseline keeps plain sums only: then the difference is all there is.
    if kind is Kind.LOG_MEAN and all(v is not None for v in logs):
        ratio = welch_ratio_log(
            a.n,
            _need(a.log_total),
            _need(a.log_total_sq),
            b.n,
            _need(b.log_total),
            _need(b.log_total_sq),
            alpha,
        )
    return Compared(a=a.estimate(kind), b=b.estimate(kind), difference=difference, ratio=ratio)


def interval(kind: Kind, a: Counts, alpha: float = 0.05) -> Interval:
    """The interval of one side alone: Wilson for rates, t for means."""
    if kind is Kind.RATE:
        x, n = a.effective()
        result = wilson_interval(x, n, alpha)
        return Interval(estimate=a.estimate(kind), low=result.low, high=result.high)
    moments = sample_moments(a.n, _need(a.total), _need(a.total_sq))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(moments.variance / a.n)
        half = t_quantile(np.maximum(a.n - 1, 1), alpha) * se
    return Interval(estimate=moments.mean, low=moments.mean - half, high=moments.mean + half)


def _keep_estimate(result: Comparison, a: Counts, b: Counts, kind: Kind) -> Comparison:
    # Over-dispersion widens the interval, never moves the point estimate.
    return Comparison(
        estimate=a.estimate(kind) - b.estimate(kind),
        low=result.low,
        high=result.high,
        p_value=result.p_value,
    )


def _keep_ratio(result: Comparison, a: Counts, b: Counts, kind: Kind) -> Comparison:
    if a.phi is None and b.phi is None:
        return result
    with np.errstate(divide="ignore", invalid="ignore"):
        point = a.estimate(kind) / b.estimate(kind)
    return Comparison(estimate=point, low=result.low, high=result.high, p_value=result.p_value)


def _need(values: FloatArray | None) -> FloatArray:
    if values is None:
        raise ValueError("this comparison needs a statistic the counts do not carry")
    return values
