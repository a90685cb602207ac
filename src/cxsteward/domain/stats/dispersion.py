"""Over-dispersion: contacts on one day are not independent, so day-level totals vary more
than a binomial allows. Estimate the excess from day totals and widen intervals by it."""

from __future__ import annotations

from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike

from cxsteward.domain.stats.base import (
    Comparison,
    FloatArray,
    Interval,
    as_float,
    check_counts,
    normal_inverse_two_sided_p,
    normal_two_sided_p,
)
from cxsteward.errors import Invalid

Scale = Literal["linear", "log"]


def overdispersion_factor(daily_successes: ArrayLike, daily_n: ArrayLike) -> FloatArray:
    """Dispersion phi = Pearson X^2 / (days - 1) around the pooled rate, floored at 1.

    The quasi-binomial moment estimator (McCullagh & Nelder 1989, 4.5) over day totals, days
    on the last axis; days with n = 0 are left out. NaN where there is no data at all; 1 (no
    evidence of excess) where only one day has data or the pooled rate is 0 or 1.
    """
    x, n = np.atleast_1d(as_float(daily_successes), as_float(daily_n))
    check_counts(x, n, "daily_successes")
    x, n = np.broadcast_arrays(x, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        total_n = n.sum(axis=-1)
        pooled = x.sum(axis=-1) / total_n
        rate = pooled[..., np.newaxis]
        contributions = np.where(n > 0, (x - n * rate) ** 2 / (n * rate * (1.0 - rate)), 0.0)
        days = np.count_nonzero(n > 0, axis=-1)
        phi = contributions.sum(axis=-1) / (days - 1.0)
        no_evidence = (days < 2) | (pooled == 0) | (pooled == 1)
        phi = np.where(no_evidence, 1.0, np.maximum(phi, 1.0))
    return as_float(np.where(total_n > 0, phi, np.nan))


def effective_counts(
    successes: ArrayLike, n: ArrayLike, phi: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Counts deflated by phi, (x / phi, n / phi), for score intervals (Wilson, Newcombe).

    A Wilson interval on the effective counts has the rate's variance p(1 - p) phi / n, the
    quasi-binomial variance: ``wilson_interval(*effective_counts(x, n, phi))``.
    """
    dispersion = _checked_phi(phi)
    return as_float(as_float(successes) / dispersion), as_float(as_float(n) / dispersion)


@overload
def widen(result: Interval, phi: ArrayLike, scale: Scale = "linear") -> Interval: ...
@overload
def widen(result: Comparison, phi: ArrayLike, scale: Scale = "linear") -> Comparison: ...
def widen(
    result: Interval | Comparison, phi: ArrayLike, scale: Scale = "linear"
) -> Interval | Comparison:
    """Inflate a Wald-type interval's standard error by sqrt(phi) (quasi-likelihood scaling).

    Each half-width is multiplied by sqrt(phi) about the estimate, on the log scale for
    ratios (``scale="log"``); a Comparison's p-value is recomputed from z / sqrt(phi). For
    Wilson and Newcombe intervals use ``effective_counts`` instead.
    """
    root = np.sqrt(_checked_phi(phi))
    estimate, low, high = result.estimate, result.low, result.high
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if scale == "log":
            centre = np.log(estimate)
            low = np.exp(centre - (centre - np.log(low)) * root)
            high = np.exp(centre + (np.log(high) - centre) * root)
        else:
            low = estimate - (estimate - low) * root
            high = estimate + (high - estimate) * root
    estimate = as_float(np.broadcast_to(estimate, np.shape(low)).copy())
    if isinstance(result, Comparison):
        z = normal_inverse_two_sided_p(result.p_value) / root
        return Comparison(estimate, as_float(low), as_float(high), normal_two_sided_p(z))
    return Interval(estimate, as_float(low), as_float(high))


def _checked_phi(phi: ArrayLike) -> FloatArray:
    dispersion = as_float(phi)
    with np.errstate(invalid="ignore"):
        if np.any(dispersion < 1):
            raise Invalid("a dispersion factor phi must be at least 1 (1 means binomial)")
    return dispersion
