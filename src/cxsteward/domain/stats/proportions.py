"""Rates, differences of rates and risk ratios from counts (successes out of n)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cxsteward.domain.stats.base import (
    Comparison,
    FloatArray,
    Interval,
    as_float,
    check_counts,
    log_wald,
    normal_two_sided_p,
    z_quantile,
)


def wilson_interval(successes: ArrayLike, n: ArrayLike, alpha: float = 0.05) -> Interval:
    """Wilson (1927) score interval for a rate; NaN where n = 0."""
    x, trials = as_float(successes), as_float(n)
    check_counts(x, trials)
    z = z_quantile(alpha)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        has_data = trials > 0
        rate = np.where(has_data, x / trials, np.nan)
        denominator = trials + z2
        centre = (x + z2 / 2.0) / denominator
        half = z * np.sqrt(np.maximum(x * (trials - x) / trials, 0.0) + z2 / 4.0) / denominator
        # At x = 0 and x = n the bound is exactly 0 or 1; rounding must not move it.
        low = np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(x == trials, 1.0, np.clip(centre + half, 0.0, 1.0))
    return Interval(
        as_float(rate),
        as_float(np.where(has_data, low, np.nan)),
        as_float(np.where(has_data, high, np.nan)),
    )


def pooled_z_p_value(x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray) -> FloatArray:
    """Two-sided p-value of the pooled two-proportion z-test; 1 where both rates are 0 or 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
        z = (x1 / n1 - x2 / n2) / se
        p_value = normal_two_sided_p(z)
        # A pooled rate of 0 or 1 means both samples agree exactly: no evidence of a gap.
        degenerate = (n1 > 0) & (n2 > 0) & ((pooled == 0) | (pooled == 1))
        usable = (n1 > 0) & (n2 > 0)
        return as_float(np.where(degenerate, 1.0, np.where(usable, p_value, np.nan)))


def newcombe_difference(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, alpha: float = 0.05
) -> Comparison:
    """Difference p1 - p2: Newcombe (1998) method 10 hybrid score interval, pooled z-test p."""
    a1, t1, a2, t2 = as_float(x1), as_float(n1), as_float(x2), as_float(n2)
    first = wilson_interval(a1, t1, alpha)
    second = wilson_interval(a2, t2, alpha)
    p1, p2 = first.estimate, second.estimate
    difference = p1 - p2
    low = difference - np.sqrt((p1 - first.low) ** 2 + (second.high - p2) ** 2)
    high = difference + np.sqrt((first.high - p1) ** 2 + (p2 - second.low) ** 2)
    return Comparison(
        as_float(difference),
        as_float(np.clip(low, -1.0, 1.0)),
        as_float(np.clip(high, -1.0, 1.0)),
        pooled_z_p_value(a1, t1, a2, t2),
    )


def zero_corrected(
    counts: list[tuple[FloatArray, FloatArray]],
) -> list[tuple[FloatArray, FloatArray]]:
    """Add 0.5 to every cell (successes + 0.5, n + 1) of each comparison with a zero count."""
    any_zero = np.zeros(np.broadcast_shapes(*(x.shape for x, _ in counts)), dtype=np.bool_)
    for x, _ in counts:
        any_zero = any_zero | (x == 0)
    shift = np.where(any_zero, 0.5, 0.0)
    return [(as_float(x + shift), as_float(n + 2.0 * shift)) for x, n in counts]


def log_risk_ratio(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Log risk ratio and its Katz et al. (1978) standard error sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rr = np.log(x1 / n1) - np.log(x2 / n2)
        se = np.sqrt(1.0 / x1 - 1.0 / n1 + 1.0 / x2 - 1.0 / n2)
    return as_float(log_rr), as_float(se)


def risk_ratio(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, alpha: float = 0.05
) -> Comparison:
    """Risk ratio p1 / p2: Katz et al. (1978) log interval and log-RR Wald p-value.

    Where x1 or x2 is 0, 0.5 is added to all four cells (x1 + 0.5, n1 + 1, x2 + 0.5, n2 + 1)
    and the estimate, interval and p-value all come from the corrected table (Haldane-Anscombe).
    """
    a1, t1, a2, t2 = as_float(x1), as_float(n1), as_float(x2), as_float(n2)
    check_counts(a1, t1, "x1")
    check_counts(a2, t2, "x2")
    (c1, m1), (c2, m2) = zero_corrected([(a1, t1), (a2, t2)])
    log_rr, se = log_risk_ratio(c1, m1, c2, m2)
    usable = (t1 > 0) & (t2 > 0)
    return log_wald(as_float(np.where(usable, log_rr, np.nan)), se, alpha)
