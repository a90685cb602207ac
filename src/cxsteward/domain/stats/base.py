"""Result types, array conversion and the normal and t distributions the statistics share.

Every statistic takes arrays of sufficient statistics (one element per comparison), broadcasts
them, and returns arrays of the broadcast shape. Where a result cannot be computed (n = 0,
fewer than two observations for a variance, a zero standard error) it is NaN: never an
exception, never a numpy warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.special as _special  # type: ignore[import-untyped, unused-ignore]
from numpy.typing import ArrayLike, NDArray

from cxsteward.errors import Invalid

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Interval:
    """A point estimate with the bounds of its interval, element by element."""

    estimate: FloatArray
    low: FloatArray
    high: FloatArray


@dataclass(frozen=True, eq=False)
class Comparison:
    """An estimated difference or ratio, its interval and a two-sided p-value."""

    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    p_value: FloatArray


def as_float(values: ArrayLike) -> FloatArray:
    """The values as a float64 array (scalars become 0-d arrays)."""
    return np.asarray(values, dtype=np.float64)


def _floats(values: Any) -> FloatArray:
    # scipy's ufuncs are untyped: pin their results to float64 arrays at the boundary.
    return np.asarray(values, dtype=np.float64)


def sufficient(n: ArrayLike, min_n: float) -> BoolArray:
    """True where a group has at least ``min_n`` observations (NaN counts are insufficient)."""
    if not min_n >= 0:
        raise Invalid(f"min_n must be a count of 0 or more, not {min_n!r}")
    counts = as_float(n)
    with np.errstate(invalid="ignore"):
        return np.asarray(counts >= min_n, dtype=np.bool_)


def check_alpha(alpha: float) -> None:
    """Reject a significance level outside (0, 1)."""
    if not 0.0 < alpha < 1.0:
        raise Invalid(f"alpha must lie strictly between 0 and 1, not {alpha!r}")


def check_counts(successes: FloatArray, n: FloatArray, what: str = "successes") -> None:
    """Reject negative counts and more successes than trials (NaN passes through)."""
    with np.errstate(invalid="ignore"):
        bad = (n < 0) | (successes < 0) | (successes > n)
    if np.any(bad):
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        x, trials = np.broadcast_arrays(successes, n)
        raise Invalid(
            f"counts must satisfy 0 <= {what} <= n: {int(np.count_nonzero(bad))} element(s) "
            f"do not, the first at index {first} ({what}={x[first]:g}, n={trials[first]:g})"
        )


def z_quantile(alpha: float) -> float:
    """The two-sided standard normal critical value z_{1 - alpha/2}."""
    check_alpha(alpha)
    return float(_special.ndtri(1.0 - alpha / 2.0))


def normal_two_sided_p(z: FloatArray) -> FloatArray:
    """Two-sided p-value 2 * Phi(-|z|) (NaN stays NaN)."""
    return _floats(2.0 * _special.ndtr(-np.abs(z)))


def normal_inverse_two_sided_p(p_value: FloatArray) -> FloatArray:
    """The |z| whose two-sided normal p-value is ``p_value``."""
    return _floats(-_special.ndtri(p_value / 2.0))


def t_quantile(df: FloatArray, alpha: float) -> FloatArray:
    """Student's t critical value t_{1 - alpha/2, df} (NaN where df is not positive)."""
    check_alpha(alpha)
    return _floats(_special.stdtrit(df, 1.0 - alpha / 2.0))


def t_two_sided_p(t: FloatArray, df: FloatArray) -> FloatArray:
    """Two-sided p-value 2 * T_df(-|t|) (NaN where df is not positive)."""
    return _floats(2.0 * _special.stdtr(df, -np.abs(t)))


def wald(estimate: FloatArray, se: FloatArray, alpha: float) -> Comparison:
    """Wald interval estimate +/- z * se and normal p-value; NaN where se is 0 or NaN."""
    z = z_quantile(alpha)
    usable = np.isfinite(se) & (se > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(usable, estimate - z * se, np.nan)
        high = np.where(usable, estimate + z * se, np.nan)
        p_value = np.where(usable, normal_two_sided_p(estimate / se), np.nan)
    return Comparison(as_float(estimate), as_float(low), as_float(high), as_float(p_value))


def log_wald(log_estimate: FloatArray, se: FloatArray, alpha: float) -> Comparison:
    """A Wald comparison on the log scale, reported back on the ratio scale."""
    on_log = wald(log_estimate, se, alpha)
    with np.errstate(over="ignore"):
        return Comparison(
            as_float(np.exp(log_estimate)),
            as_float(np.exp(on_log.low)),
            as_float(np.exp(on_log.high)),
            on_log.p_value,
        )
