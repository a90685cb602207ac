"""Daily contact volume against its trailing days: an over-dispersed Poisson prediction.

Day totals vary more than a Poisson count allows (weekdays, campaigns, outages), so the
trailing days give both the expected level and the excess: the dispersion phi is their
variance over their mean, floored at 1 (the quasi-Poisson moment estimate). The recent total
over ``k`` days is then judged against a negative binomial with mean ``k * mean`` and variance
``phi * k * mean * (1 + k / days)``: the last factor carries the error of a mean estimated
from ``days`` days, as a prediction interval does. With phi = 1 and many trailing days this
is the Poisson test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.special as _special  # type: ignore[import-untyped, unused-ignore]
from numpy.typing import ArrayLike, NDArray

from cxsteward.errors import Invalid

FloatArray = NDArray[np.float64]
# Fewer trailing days than this give no usable level or dispersion: no verdict.
MIN_TRAILING_DAYS = 7


@dataclass(frozen=True)
class VolumeCheck:
    """The recent total against what the trailing days predict."""

    observed: int
    expected: float
    dispersion: float
    p_low: float  # P(X <= observed): small when volume dropped
    p_high: float  # P(X >= observed): small when volume spiked
    factor: float  # Var(X) = factor * expected

    @property
    def change(self) -> float:
        """Relative change of the observed total against the expected one."""
        return self.observed / self.expected - 1.0

    def limits(self, alpha: float) -> tuple[int, int]:
        """The smallest and largest totals outside both tails at ``alpha / 2`` each.

        Only asked for a total that fired: the search costs more than the test itself.
        """
        return _limits(self.expected, self.factor, alpha / 2)


def predictive_variance_factor(trailing: ArrayLike, recent_days: int) -> tuple[float, float]:
    """(mean per day, variance factor D) from trailing day totals; Var(total) = D * mean total."""
    counts = np.asarray(trailing, dtype=np.float64)
    days = len(counts)
    mean = float(counts.mean())
    phi = max(1.0, float(counts.var(ddof=1)) / mean) if mean > 0 else 1.0
    return mean, phi * (1.0 + recent_days / days)


def count_tails(observed: int, mean: float, factor: float) -> tuple[float, float]:
    """P(X <= observed) and P(X >= observed) for X with the given mean and variance factor.

    ``factor`` > 1 gives a negative binomial (size mean / (factor - 1), success 1 / factor);
    ``factor`` = 1 gives a Poisson.
    """
    low, high = _tails(np.asarray([observed], dtype=np.float64), mean, factor)
    return float(low[0]), float(high[0])


def _tails(values: FloatArray, mean: float, factor: float) -> tuple[FloatArray, FloatArray]:
    above = np.maximum(values - 1.0, 0.0)
    if factor <= 1.0:
        low = _special.pdtr(values, mean)
        high = _special.pdtrc(above, mean)
    else:
        size, success = mean / (factor - 1.0), 1.0 / factor
        low = _special.betainc(size, values + 1.0, success)
        high = _special.betainc(np.maximum(values, 1.0), size, 1.0 - success)
    # P(X >= 0) is 1 whatever the law.
    high = np.where(values <= 0, 1.0, high)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def judge_volume(
    trailing: ArrayLike, recent_total: int, recent_days: int, alpha: float
) -> VolumeCheck | None:
    """Judge ``recent_total`` over ``recent_days`` days against the trailing day totals.

    None when there are fewer than MIN_TRAILING_DAYS trailing days or none of them had a
    contact (no level to compare with). Each tail is tested at ``alpha / 2``.
    """
    if not 0 < alpha < 1:
        raise Invalid(f"alpha must lie between 0 and 1, not {alpha!r}")
    counts = np.asarray(trailing, dtype=np.float64)
    if len(counts) < MIN_TRAILING_DAYS or counts.sum() <= 0:
        return None
    mean, factor = predictive_variance_factor(counts, recent_days)
    expected = mean * recent_days
    p_low, p_high = count_tails(recent_total, expected, factor)
    return VolumeCheck(
        observed=recent_total,
        expected=expected,
        dispersion=factor / (1.0 + recent_days / len(counts)),
        p_low=p_low,
        p_high=p_high,
        factor=factor,
    )


def _limits(expected: float, factor: float, tail: float) -> tuple[int, int]:
    """The totals at the edge of each tail: the quantiles a reader can compare with."""
    spread = math.sqrt(factor * expected)
    # Eight standard deviations hold both tails at any alpha a monitor would use.
    first = max(0, math.floor(expected - 8 * spread - 10))
    last = math.ceil(expected + 8 * spread + 10)
    values = np.arange(first, last + 1, dtype=np.float64)
    lows, highs = _tails(values, expected, factor)
    below = values[lows < tail]
    above = values[highs < tail]
    lower = int(below.max()) + 1 if below.size else first
    upper = int(above.min()) - 1 if above.size else last
    return lower, upper
