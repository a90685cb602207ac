"""Repeated looks: a Bernoulli CUSUM for unannounced changes and confidence sequences that
stay valid however often a monitor looks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cxsteward.domain.stats.base import (
    FloatArray,
    Interval,
    as_float,
    check_alpha,
    check_counts,
)
from cxsteward.errors import Invalid

# Hoeffding's lemma: a variable in [0, 1] is sub-Gaussian with variance proxy 1/4.
BERNOULLI_VARIANCE_PROXY = 0.25


@dataclass(frozen=True, eq=False)
class CusumResult:
    """The CUSUM path S_1..S_T and the index of the first day with S_t >= h (None if none)."""

    statistic: FloatArray
    alarm_index: int | None


def bernoulli_cusum(
    daily_successes: ArrayLike, daily_n: ArrayLike, p0: float, p1: float, threshold_h: float
) -> CusumResult:
    """Log-likelihood-ratio Bernoulli CUSUM on daily counts (Page 1954; Reynolds & Stoumbos 1999).

    S_t = max(0, S_{t-1} + x_t log(p1/p0) + (n_t - x_t) log((1-p1)/(1-p0))), S_0 = 0, computed
    as W_t - min(0, W_1..W_t) for the cumulative log-likelihood ratio W. The path is not reset
    after an alarm. A day with n = 0 adds nothing.
    """
    if not (0.0 < p0 < 1.0 and 0.0 < p1 < 1.0) or p0 == p1:
        raise Invalid(f"the CUSUM needs two different rates in (0, 1), got p0={p0}, p1={p1}")
    if not threshold_h > 0:
        raise Invalid(f"the CUSUM threshold h must be positive, not {threshold_h!r}")
    x, n = as_float(daily_successes), as_float(daily_n)
    if x.ndim != 1 or x.shape != n.shape:
        raise Invalid("the CUSUM takes two one-dimensional daily series of the same length")
    check_counts(x, n, "daily_successes")
    step = x * math.log(p1 / p0) + (n - x) * math.log((1.0 - p1) / (1.0 - p0))
    walk = np.cumsum(step)
    statistic = as_float(walk - np.minimum(np.minimum.accumulate(walk), 0.0))
    alarms = np.flatnonzero(statistic >= threshold_h)
    return CusumResult(statistic, int(alarms[0]) if alarms.size else None)


def mixture_rho(n_opt: float, alpha: float = 0.05) -> float:
    """Mixture precision rho making the Bernoulli sequence tightest at n_opt observations.

    Minimising the boundary of ``confidence_sequence_rate`` at intrinsic time v = n_opt / 4
    gives rho = v / r with r = 2 log(1/alpha) + log(1 + r) (Howard et al. 2021), solved here
    by fixed-point iteration.
    """
    check_alpha(alpha)
    if not n_opt > 0:
        raise Invalid(f"n_opt must be a positive number of observations, not {n_opt!r}")
    r = 2.0 * math.log(1.0 / alpha)
    for _ in range(50):
        r = 2.0 * math.log(1.0 / alpha) + math.log1p(r)
    return BERNOULLI_VARIANCE_PROXY * n_opt / r


def normal_mixture_radius(n: FloatArray, alpha: float, rho: float) -> FloatArray:
    """Radius of the two-sided normal-mixture confidence sequence for a mean of n in [0, 1].

    With S_n the centred sum and v = n / 4 its sub-Gaussian variance, mixing exp(lambda S_n -
    lambda^2 v / 2) over lambda ~ N(0, 1/rho) gives the supermartingale
    M_n = sqrt(rho / (v + rho)) exp(S_n^2 / (2 (v + rho))), and Ville's inequality bounds the
    chance that M_n ever reaches 1/alpha by alpha. So, for all n at once,
    |mean - p| < sqrt((v + rho) log((v + rho) / (rho alpha^2))) / n  (Howard et al. 2021).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        v = BERNOULLI_VARIANCE_PROXY * n
        radius = np.sqrt((v + rho) * np.log((v + rho) / (rho * alpha**2))) / n
    return as_float(np.where(n > 0, radius, np.nan))


def confidence_sequence_rate(
    successes_cum: ArrayLike, n_cum: ArrayLike, alpha: float = 0.05, *, rho: float
) -> Interval:
    """Always-valid confidence sequence for a rate: normal mixture (Howard et al. 2021).

    Pass cumulative counts at each look; P(the true rate ever leaves the sequence) <= alpha
    however many looks are taken. Choose rho before looking, e.g. ``mixture_rho(n_expected)``.
    Bounds are clipped to [0, 1]; NaN where n = 0.
    """
    check_alpha(alpha)
    if not rho > 0:
        raise Invalid(f"rho must be positive, not {rho!r}")
    x, n = as_float(successes_cum), as_float(n_cum)
    check_counts(x, n, "successes_cum")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, x / n, np.nan)
    radius = normal_mixture_radius(n, alpha, rho)
    return Interval(
        as_float(rate),
        as_float(np.clip(rate - radius, 0.0, 1.0)),
        as_float(np.clip(rate + radius, 0.0, 1.0)),
    )


def confidence_sequence_difference(
    x1_cum: ArrayLike,
    n1_cum: ArrayLike,
    x2_cum: ArrayLike,
    n2_cum: ArrayLike,
    alpha: float = 0.05,
    *,
    rho: float,
) -> Interval:
    """Always-valid confidence sequence for p1 - p2: two rate sequences at alpha/2 each.

    By the union bound both rate sequences hold at every look with probability >= 1 - alpha,
    and then p1 - p2 lies in [low1 - high2, high1 - low2]. NaN where either n is 0.
    """
    check_alpha(alpha)
    first = confidence_sequence_rate(x1_cum, n1_cum, alpha / 2.0, rho=rho)
    second = confidence_sequence_rate(x2_cum, n2_cum, alpha / 2.0, rho=rho)
    return Interval(
        as_float(first.estimate - second.estimate),
        as_float(first.low - second.high),
        as_float(first.high - second.low),
    )
