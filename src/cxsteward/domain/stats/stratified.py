"""Mantel-Haenszel risk difference and risk ratio across strata, beside the crude comparison.

Where AI and humans serve different segment mixes, the crude comparison can even reverse
sign (Simpson's paradox); the Mantel-Haenszel estimate compares like with like inside each
segment and pools. Variances are Greenland & Robins (1985), intervals and p-values Wald.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cxsteward.domain.stats.base import (
    Comparison,
    FloatArray,
    as_float,
    check_counts,
    log_wald,
    wald,
)
from cxsteward.domain.stats.proportions import newcombe_difference, risk_ratio


@dataclass(frozen=True, eq=False)
class StratifiedComparison:
    """The Mantel-Haenszel adjusted comparison and the crude one from the pooled counts."""

    adjusted: Comparison
    crude: Comparison


def _strata_cells(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, strata: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The four count arrays broadcast, with strata on the last axis.

    With ``strata`` (one label per element of the last axis), cells sharing a label are
    summed first, so a cell table with several rows per segment can be passed as is.
    """
    arrays = np.broadcast_arrays(as_float(x1), as_float(n1), as_float(x2), as_float(n2))
    a, m1, c, m2 = (as_float(array) for array in arrays)
    if a.ndim == 0:
        a, m1, c, m2 = (array.reshape(1) for array in (a, m1, c, m2))
    check_counts(a, m1, "x1")
    check_counts(c, m2, "x2")
    if strata is None:
        return a, m1, c, m2
    labels = np.asarray(strata).reshape(-1)
    if labels.size != a.shape[-1]:
        raise ValueError(
            f"strata has {labels.size} labels but the counts have {a.shape[-1]} on the last axis"
        )
    _, codes = np.unique(labels, return_inverse=True)
    width = int(codes.max()) + 1 if codes.size else 0
    indicator = np.zeros((labels.size, width), dtype=np.float64)
    indicator[np.arange(labels.size), codes] = 1.0
    return a @ indicator, m1 @ indicator, c @ indicator, m2 @ indicator


def _crude(
    a: FloatArray, m1: FloatArray, c: FloatArray, m2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    return a.sum(axis=-1), m1.sum(axis=-1), c.sum(axis=-1), m2.sum(axis=-1)


def mantel_haenszel_risk_difference(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    strata: ArrayLike | None = None,
    alpha: float = 0.05,
) -> StratifiedComparison:
    """Mantel-Haenszel risk difference with Greenland & Robins (1985) variance; crude beside.

    Strata lie on the last axis (or are labelled by ``strata``); results have the shape of
    the leading axes. A stratum with n = 0 on either side carries no weight; where no
    stratum has both sides the result is NaN. The crude comparison is Newcombe's.
    """
    a, m1, c, m2 = _strata_cells(x1, n1, x2, n2, strata)
    total = m1 + m2
    both = (m1 > 0) & (m2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(both, m1 * m2 / total, 0.0)
        gap = np.where(both, (a * m2 - c * m1) / total, 0.0)
        b, d = m1 - a, m2 - c
        spread = np.where(both, (a * b * m2**2 / m1 + c * d * m1**2 / m2) / total**2, 0.0)
        weights = weight.sum(axis=-1)
        estimate = np.where(weights > 0, gap.sum(axis=-1) / weights, np.nan)
        se = np.sqrt(spread.sum(axis=-1)) / weights
    adjusted = wald(as_float(estimate), as_float(se), alpha)
    return StratifiedComparison(adjusted, newcombe_difference(*_crude(a, m1, c, m2), alpha))


def mantel_haenszel_risk_ratio(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    strata: ArrayLike | None = None,
    alpha: float = 0.05,
) -> StratifiedComparison:
    """Mantel-Haenszel risk ratio with Greenland & Robins (1985) log variance; crude beside.

    Strata as in ``mantel_haenszel_risk_difference``. Where either side has no events in
    any usable stratum the log scale is undefined: estimate 0 (or NaN), interval and
    p-value NaN. The crude comparison is the Katz log risk ratio.
    """
    a, m1, c, m2 = _strata_cells(x1, n1, x2, n2, strata)
    total = m1 + m2
    both = (m1 > 0) & (m2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(both, a * m2 / total, 0.0).sum(axis=-1)
        s = np.where(both, c * m1 / total, 0.0).sum(axis=-1)
        p = np.where(both, (m1 * m2 * (a + c) - a * c * total) / total**2, 0.0).sum(axis=-1)
        estimate = np.where(s > 0, r / s, np.nan)
        log_estimate = np.where((r > 0) & (s > 0), np.log(r / s), np.nan)
        se = np.sqrt(p / (r * s))
    adjusted = log_wald(as_float(log_estimate), as_float(se), alpha)
    adjusted = Comparison(as_float(estimate), adjusted.low, adjusted.high, adjusted.p_value)
    return StratifiedComparison(adjusted, risk_ratio(*_crude(a, m1, c, m2), alpha))
