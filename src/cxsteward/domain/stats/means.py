"""Differences of means from sufficient statistics (n, sum, sum of squares): Welch's t."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cxsteward.domain.stats.base import (
    Comparison,
    FloatArray,
    as_float,
    t_quantile,
    t_two_sided_p,
)
from cxsteward.errors import Invalid


@dataclass(frozen=True, eq=False)
class SampleMoments:
    """Mean and unbiased variance of each group (NaN where n = 0, variance NaN where n < 2)."""

    n: FloatArray
    mean: FloatArray
    variance: FloatArray


def sample_moments(n: ArrayLike, total: ArrayLike, total_sq: ArrayLike) -> SampleMoments:
    """Mean and variance from (n, sum x, sum x^2), with rounding noise cleared to zero variance.

    The centred sum of squares sum x^2 - (sum x)^2 / n loses digits to cancellation. Naive
    float64 summation of n terms is accurate to about n * eps relative (Higham 2002, 4.2), so a
    centred sum below 2 n eps sum x^2 cannot be told from a constant sample and becomes 0;
    tiny negatives, which only rounding can produce, are clipped to 0 the same way.
    """
    count, s, ss = as_float(n), as_float(total), as_float(total_sq)
    with np.errstate(invalid="ignore"):
        if np.any(count < 0):
            raise Invalid("a group size n cannot be negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(count > 0, s / count, np.nan)
        centred = ss - s * mean
        noise = 2.0 * count * np.finfo(np.float64).eps * np.abs(ss)
        centred = np.where(centred <= noise, 0.0, centred)
        variance = np.where(count >= 2, centred / (count - 1.0), np.nan)
    return SampleMoments(count, as_float(mean), as_float(variance))


def welch_difference(
    n1: ArrayLike,
    sum1: ArrayLike,
    sumsq1: ArrayLike,
    n2: ArrayLike,
    sum2: ArrayLike,
    sumsq2: ArrayLike,
    alpha: float = 0.05,
) -> Comparison:
    """Difference of means mean1 - mean2: Welch (1947) t with Satterthwaite (1946) df.

    Needs n >= 2 on both sides for the interval and p-value. Where both variances are 0 the
    t statistic is undefined: the estimate is reported, the interval and p-value are NaN.
    """
    first = sample_moments(n1, sum1, sumsq1)
    second = sample_moments(n2, sum2, sumsq2)
    difference = as_float(first.mean - second.mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        u1 = first.variance / first.n
        u2 = second.variance / second.n
        se2 = u1 + u2
        df = se2**2 / (u1**2 / (first.n - 1.0) + u2**2 / (second.n - 1.0))
        usable = np.isfinite(se2) & (se2 > 0)
        df = as_float(np.where(usable, df, np.nan))
        se = as_float(np.sqrt(np.where(usable, se2, np.nan)))
        half = t_quantile(df, alpha) * se
        p_value = t_two_sided_p(difference / se, df)
    return Comparison(
        difference,
        as_float(difference - half),
        as_float(difference + half),
        as_float(np.where(usable, p_value, np.nan)),
    )


def welch_ratio_log(
    n1: ArrayLike,
    sumlog1: ArrayLike,
    sumsqlog1: ArrayLike,
    n2: ArrayLike,
    sumlog2: ArrayLike,
    sumsqlog2: ArrayLike,
    alpha: float = 0.05,
) -> Comparison:
    """Ratio of geometric means exp(mean log1 - mean log2): Welch (1947) on the log scale.

    The sums are of log values, so every value must be positive; zero handle times need a
    shift upstream (e.g. log(x + 1)), declared with the metric.
    """
    on_log = welch_difference(n1, sumlog1, sumsqlog1, n2, sumlog2, sumsqlog2, alpha)
    with np.errstate(over="ignore"):
        return Comparison(
            as_float(np.exp(on_log.estimate)),
            as_float(np.exp(on_log.low)),
            as_float(np.exp(on_log.high)),
            on_log.p_value,
        )
