"""Bernoulli CUSUM and confidence sequences: hand computations and simulated streams."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from cxsteward.domain.stats import (
    bernoulli_cusum,
    confidence_sequence_difference,
    confidence_sequence_rate,
    mixture_rho,
    wilson_interval,
)
from cxsteward.errors import Invalid


def cusum_by_recursion(x: list[int], n: list[int], p0: float, p1: float) -> list[float]:
    up, down = math.log(p1 / p0), math.log((1 - p1) / (1 - p0))
    path, s = [], 0.0
    for successes, trials in zip(x, n, strict=True):
        s = max(0.0, s + successes * up + (trials - successes) * down)
        path.append(s)
    return path


CUSUM_CASES = [
    ([2, 5, 1, 8, 6, 0, 9], [20, 20, 20, 20, 20, 0, 20], 0.1, 0.2, 3.0, 3),
    ([2, 5, 1, 8, 6, 0, 9], [20, 20, 20, 20, 20, 0, 20], 0.1, 0.2, 50.0, None),
    ([9, 9, 2, 1, 0, 0], [20, 20, 20, 20, 20, 20], 0.3, 0.1, 2.0, 2),
    ([], [], 0.1, 0.2, 3.0, None),
]
CUSUM_IDS = ["rise-alarm", "rise-high-threshold", "fall-alarm", "empty"]


@pytest.mark.parametrize(("x", "n", "p0", "p1", "h", "alarm"), CUSUM_CASES, ids=CUSUM_IDS)
def test_cusum_matches_the_recursion(
    x: list[int], n: list[int], p0: float, p1: float, h: float, alarm: int | None
) -> None:
    result = bernoulli_cusum(x, n, p0, p1, h)
    np.testing.assert_allclose(result.statistic, cusum_by_recursion(x, n, p0, p1), atol=1e-12)
    assert result.alarm_index == alarm


def test_cusum_first_day_by_hand() -> None:
    # Day 0: 2 log 2 + 18 log(8/9) = -0.734 -> 0. Day 1: 5 log 2 + 15 log(8/9) = 1.699.
    result = bernoulli_cusum([2, 5], [20, 20], 0.1, 0.2, 5.0)
    assert result.statistic[0] == 0.0
    assert result.statistic[1] == pytest.approx(5 * math.log(2) + 15 * math.log(8 / 9))


def test_cusum_catches_a_simulated_shift_soon_after_it_happens() -> None:
    rng = np.random.default_rng(31)
    shift_day = 60
    rates = np.where(np.arange(90) < shift_day, 0.05, 0.08)
    n = np.full(90, 200)
    x = rng.binomial(n, rates)
    result = bernoulli_cusum(x, n, 0.05, 0.08, threshold_h=5.0)
    assert result.alarm_index is not None
    assert shift_day <= result.alarm_index <= shift_day + 12
    quiet = bernoulli_cusum(x[:shift_day], n[:shift_day], 0.05, 0.08, threshold_h=5.0)
    assert quiet.alarm_index is None


@pytest.mark.parametrize(
    ("p0", "p1", "h", "x", "n"),
    [
        (0.1, 0.1, 3.0, [1], [5]),
        (0.0, 0.2, 3.0, [1], [5]),
        (0.1, 0.2, 0.0, [1], [5]),
        (0.1, 0.2, 3.0, [[1]], [[5]]),
        (0.1, 0.2, 3.0, [6], [5]),
    ],
    ids=["equal-rates", "rate-zero", "threshold-zero", "two-dimensional", "impossible-count"],
)
def test_cusum_rejects_bad_arguments(
    p0: float, p1: float, h: float, x: list[int], n: list[int]
) -> None:
    with pytest.raises(Invalid):
        bernoulli_cusum(x, n, p0, p1, h)


def unit_variance_margin(t: float, rho2: float, alpha: float) -> float:
    # The normal-mixture margin for 1-sub-Gaussian observations, in the (t, rho^2) form of
    # Waudby-Smith & Ramdas; a Bernoulli is sigma = 1/2 sub-Gaussian.
    return math.sqrt(2 * (t * rho2 + 1) / (t**2 * rho2) * math.log(math.sqrt(t * rho2 + 1) / alpha))


@pytest.mark.parametrize(
    ("x", "n", "alpha", "rho"),
    [
        (30, 100, 0.05, 5.0),
        (450, 1000, 0.05, 40.0),
        (1, 10, 0.10, 1.0),
        (4_000, 50_000, 0.01, 900.0),
    ],
    ids=["n100", "n1000", "n10-a10", "n50000-a01"],
)
def test_rate_sequence_radius_matches_the_unit_variance_formula(
    x: int, n: int, alpha: float, rho: float
) -> None:
    # Howard's precision rho on intrinsic time n/4 is rho^2 = 1 / (4 rho) in the unit form.
    radius = 0.5 * unit_variance_margin(n, 1 / (4 * rho), alpha)
    result = confidence_sequence_rate(x, n, alpha, rho=rho)
    assert float(result.estimate) == pytest.approx(x / n)
    assert float(result.low) == pytest.approx(max(0.0, x / n - radius), rel=1e-12)
    assert float(result.high) == pytest.approx(min(1.0, x / n + radius), rel=1e-12)


@pytest.mark.parametrize(
    ("n_opt", "alpha"), [(100, 0.05), (5_000, 0.05), (20_000, 0.01)], ids=["100", "5000", "a01"]
)
def test_mixture_rho_minimises_the_radius_at_n_opt(n_opt: int, alpha: float) -> None:
    def radius(log_rho: float) -> float:
        result = confidence_sequence_rate(0, n_opt, alpha, rho=math.exp(log_rho))
        return float(result.high)

    best = minimize_scalar(radius, bounds=(-10, 15), method="bounded", options={"xatol": 1e-10})
    assert math.log(mixture_rho(n_opt, alpha)) == pytest.approx(best.x, abs=1e-4)


def test_sequences_keep_coverage_under_daily_looks_where_wald_does_not() -> None:
    rng = np.random.default_rng(20240601)
    streams, days, per_day, p = 500, 300, 30, 0.3
    n_cum = np.cumsum(np.full((streams, days), per_day), axis=1)
    x_cum = np.cumsum(rng.binomial(per_day, p, size=(streams, days)), axis=1)
    rho = mixture_rho(per_day * 30)
    sequence = confidence_sequence_rate(x_cum, n_cum, 0.05, rho=rho)
    ever_missed = ((sequence.low > p) | (sequence.high < p)).any(axis=1).mean()
    assert ever_missed <= 0.05 + 0.02
    rate = x_cum / n_cum
    half = 1.959963984540054 * np.sqrt(rate * (1 - rate) / n_cum)
    wald_missed = ((rate - half > p) | (rate + half < p)).any(axis=1).mean()
    assert wald_missed > 0.15
    wilson = wilson_interval(x_cum, n_cum)
    assert ((wilson.low > p) | (wilson.high < p)).any(axis=1).mean() > 0.15
    # Valid, yet not vacuous: after 9,000 contacts the sequence is a few points wide.
    assert float((sequence.high - sequence.low)[:, -1].max()) < 0.06


def test_difference_sequence_is_the_union_bound_and_covers() -> None:
    rng = np.random.default_rng(99)
    streams, days = 500, 300
    n1 = np.cumsum(np.full((streams, days), 20), axis=1)
    n2 = np.cumsum(np.full((streams, days), 25), axis=1)
    x1 = np.cumsum(rng.binomial(20, 0.2, size=(streams, days)), axis=1)
    x2 = np.cumsum(rng.binomial(25, 0.25, size=(streams, days)), axis=1)
    rho = mixture_rho(500)
    difference = confidence_sequence_difference(x1, n1, x2, n2, 0.05, rho=rho)
    first = confidence_sequence_rate(x1, n1, 0.025, rho=rho)
    second = confidence_sequence_rate(x2, n2, 0.025, rho=rho)
    np.testing.assert_allclose(difference.low, first.low - second.high)
    np.testing.assert_allclose(difference.high, first.high - second.low)
    missed = ((difference.low > -0.05) | (difference.high < -0.05)).any(axis=1).mean()
    assert missed <= 0.05 + 0.02


def test_sequence_nan_where_n_is_zero_and_empty() -> None:
    result = confidence_sequence_rate([0, 3], [0, 10], rho=10.0)
    assert np.isnan([result.estimate[0], result.low[0], result.high[0]]).all()
    assert np.isfinite(result.low[1])
    empty = confidence_sequence_difference([], [], [], [], rho=10.0)
    assert empty.low.shape == (0,)


@pytest.mark.parametrize("rho", [0.0, -1.0], ids=["zero", "negative"])
def test_sequence_rejects_non_positive_rho(rho: float) -> None:
    with pytest.raises(Invalid, match="rho"):
        confidence_sequence_rate(3, 10, rho=rho)
