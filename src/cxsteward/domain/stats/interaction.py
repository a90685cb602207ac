"""AI-specific segment gaps: is the AI-human gap in a segment different from the gap elsewhere?

One interaction contrast, not two separate tests: a segment where both AI and humans do
worse is not an AI problem; a segment where only the AI does worse is.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cxsteward.domain.stats.base import (
    BoolArray,
    Comparison,
    FloatArray,
    as_float,
    check_counts,
    log_wald,
    wald,
)
from cxsteward.domain.stats.proportions import log_risk_ratio, zero_corrected


def _four_groups(
    counts: tuple[ArrayLike, ...],
) -> list[tuple[FloatArray, FloatArray]]:
    names = ("ai in segment", "human in segment", "ai elsewhere", "human elsewhere")
    groups = []
    for name, (x, n) in zip(names, zip(counts[::2], counts[1::2], strict=True), strict=True):
        successes, trials = as_float(x), as_float(n)
        check_counts(successes, trials, f"successes ({name})")
        groups.append((successes, trials))
    return groups


def _usable(groups: list[tuple[FloatArray, FloatArray]]) -> BoolArray:
    usable = np.ones(np.broadcast_shapes(*(n.shape for _, n in groups)), dtype=np.bool_)
    for _, n in groups:
        usable = usable & (n > 0)
    return usable


def interaction_difference(
    x_ai_seg: ArrayLike,
    n_ai_seg: ArrayLike,
    x_h_seg: ArrayLike,
    n_h_seg: ArrayLike,
    x_ai_rest: ArrayLike,
    n_ai_rest: ArrayLike,
    x_h_rest: ArrayLike,
    n_h_rest: ArrayLike,
    alpha: float = 0.05,
) -> Comparison:
    """(p_ai,seg - p_h,seg) - (p_ai,rest - p_h,rest): Wald, variance sum of p(1 - p) / n.

    The difference-in-differences of four independent binomial rates (Altman & Bland 2003
    for the contrast). NaN where any n is 0; interval and p-value NaN where all four rates
    are 0 or 1 (a zero Wald variance claims a certainty the data cannot give).
    """
    groups = _four_groups(
        (x_ai_seg, n_ai_seg, x_h_seg, n_h_seg, x_ai_rest, n_ai_rest, x_h_rest, n_h_rest)
    )
    usable = _usable(groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = [x / n for x, n in groups]
        variance = sum(
            (p * (1.0 - p) / n for p, (_, n) in zip(rates, groups, strict=True)),
            start=np.zeros(usable.shape),
        )
        estimate = (rates[0] - rates[1]) - (rates[2] - rates[3])
    return wald(
        as_float(np.where(usable, estimate, np.nan)),
        as_float(np.where(usable, np.sqrt(variance), np.nan)),
        alpha,
    )


def interaction_ratio(
    x_ai_seg: ArrayLike,
    n_ai_seg: ArrayLike,
    x_h_seg: ArrayLike,
    n_h_seg: ArrayLike,
    x_ai_rest: ArrayLike,
    n_ai_rest: ArrayLike,
    x_h_rest: ArrayLike,
    n_h_rest: ArrayLike,
    alpha: float = 0.05,
) -> Comparison:
    """Ratio of risk ratios RR_seg / RR_rest: Wald on the log scale, Katz variances summed.

    Equals the interaction term of a saturated log-binomial model. Where any of the four
    success counts is 0, 0.5 is added to every cell of that comparison (x + 0.5, n + 1).
    NaN where any n is 0.
    """
    groups = _four_groups(
        (x_ai_seg, n_ai_seg, x_h_seg, n_h_seg, x_ai_rest, n_ai_rest, x_h_rest, n_h_rest)
    )
    usable = _usable(groups)
    (a1, m1), (a2, m2), (a3, m3), (a4, m4) = zero_corrected(groups)
    log_seg, se_seg = log_risk_ratio(a1, m1, a2, m2)
    log_rest, se_rest = log_risk_ratio(a3, m3, a4, m4)
    with np.errstate(invalid="ignore"):
        log_estimate = np.where(usable, log_seg - log_rest, np.nan)
        se = np.sqrt(se_seg**2 + se_rest**2)
    return log_wald(as_float(log_estimate), as_float(se), alpha)
