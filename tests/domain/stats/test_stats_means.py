"""Welch differences of means from (n, sum, sum of squares) against scipy and statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats as scipy_stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from cxsteward.domain.stats import sample_moments, welch_difference, welch_ratio_log

Sample = NDArray[np.float64]


def sufficient_stats(values: Sample) -> tuple[float, float, float]:
    return float(values.size), float(values.sum()), float((values**2).sum())


def compare_means(first: Sample, second: Sample) -> CompareMeans:
    return CompareMeans(DescrStatsW(first), DescrStatsW(second))


SAMPLES = [
    (1, 30, 45, 300.0, 80.0, 320.0, 120.0, 0.05),
    (2, 12, 200, 5.0, 1.0, 5.0, 3.0, 0.05),
    (3, 500, 480, 1000.0, 10.0, 1003.0, 10.0, 0.05),
    (4, 5, 7, 0.0, 1.0, 2.0, 1.0, 0.10),
    (5, 2, 2, 10.0, 2.0, 0.0, 5.0, 0.01),
    (6, 80, 3, 50.0, 5.0, 60.0, 40.0, 0.05),
]
SAMPLE_IDS = ["handle-time", "unbalanced", "large-offset", "small-a10", "n2-a01", "tiny-side"]


def draw(
    seed: int, n1: int, n2: int, m1: float, s1: float, m2: float, s2: float
) -> tuple[Sample, Sample]:
    rng = np.random.default_rng(seed)
    return rng.normal(m1, s1, n1), rng.normal(m2, s2, n2)


@pytest.mark.parametrize(
    ("seed", "n1", "n2", "m1", "s1", "m2", "s2", "alpha"), SAMPLES, ids=SAMPLE_IDS
)
def test_welch_matches_scipy_and_statsmodels(
    seed: int, n1: int, n2: int, m1: float, s1: float, m2: float, s2: float, alpha: float
) -> None:
    first, second = draw(seed, n1, n2, m1, s1, m2, s2)
    result = welch_difference(*sufficient_stats(first), *sufficient_stats(second), alpha)
    scipy_result = scipy_stats.ttest_ind(first, second, equal_var=False)
    low, high = compare_means(first, second).tconfint_diff(alpha=alpha, usevar="unequal")
    assert float(result.estimate) == pytest.approx(first.mean() - second.mean(), rel=1e-9)
    assert float(result.p_value) == pytest.approx(scipy_result.pvalue, rel=1e-7)
    assert float(result.low) == pytest.approx(low, rel=1e-8)
    assert float(result.high) == pytest.approx(high, rel=1e-8)


def test_welch_is_vectorized_over_comparisons() -> None:
    pairs = [draw(seed, 20 + seed, 25, 10.0, 3.0, 11.0, 2.0) for seed in range(6)]
    columns = np.array([sufficient_stats(a) + sufficient_stats(b) for a, b in pairs]).T
    result = welch_difference(*columns)
    expected = [scipy_stats.ttest_ind(a, b, equal_var=False).pvalue for a, b in pairs]
    np.testing.assert_allclose(result.p_value, expected, rtol=1e-7)


@pytest.mark.parametrize(
    ("seed", "n1", "n2", "m1", "s1", "m2", "s2", "alpha"), SAMPLES[:4], ids=SAMPLE_IDS[:4]
)
def test_welch_ratio_log_is_welch_on_logs(
    seed: int, n1: int, n2: int, m1: float, s1: float, m2: float, s2: float, alpha: float
) -> None:
    first, second = draw(seed, n1, n2, 0.0, 1.0, 0.2, 0.7)
    logs1, logs2 = first + math.log(240.0), second + math.log(240.0)
    handle1, handle2 = np.exp(logs1), np.exp(logs2)
    result = welch_ratio_log(*sufficient_stats(np.log(handle1)), *sufficient_stats(np.log(handle2)))
    scipy_result = scipy_stats.ttest_ind(np.log(handle1), np.log(handle2), equal_var=False)
    low, high = compare_means(logs1, logs2).tconfint_diff(usevar="unequal")
    geometric_ratio = scipy_stats.gmean(handle1) / scipy_stats.gmean(handle2)
    assert float(result.estimate) == pytest.approx(geometric_ratio, rel=1e-9)
    assert float(result.low) == pytest.approx(math.exp(low), rel=1e-8)
    assert float(result.high) == pytest.approx(math.exp(high), rel=1e-8)
    assert float(result.p_value) == pytest.approx(scipy_result.pvalue, rel=1e-7)


@pytest.mark.parametrize(
    ("value", "n"),
    [(97.17, 7), (1234.1, 7), (0.1, 10), (287.3, 1000)],
    ids=["positive-noise", "negative-noise", "tenths", "thousand"],
)
def test_constant_sample_has_zero_variance_despite_cancellation(value: float, n: int) -> None:
    # Decimal values are not exact in binary: sum x^2 - (sum x)^2 / n leaves rounding noise.
    values = np.full(n, value)
    count, s, ss = sufficient_stats(values)
    assert ss - s * s / count != 0.0
    moments = sample_moments(count, s, ss)
    assert float(moments.variance) == 0.0


def test_one_constant_side_still_gives_welch() -> None:
    other = draw(7, 20, 1, 5.0, 2.0, 0.0, 1.0)[0]
    constant = np.full(15, 4.0)
    result = welch_difference(*sufficient_stats(other), *sufficient_stats(constant))
    low, high = compare_means(other, constant).tconfint_diff(usevar="unequal")
    assert float(result.low) == pytest.approx(low, rel=1e-8)
    assert float(result.high) == pytest.approx(high, rel=1e-8)


def test_both_sides_constant_gives_estimate_but_nan_interval() -> None:
    result = welch_difference(10, 50.0, 250.0, 12, 72.0, 432.0)
    assert float(result.estimate) == pytest.approx(-1.0)
    assert np.isnan([result.low, result.high, result.p_value]).all()


@pytest.mark.parametrize(
    ("n1", "sum1", "sumsq1", "estimate_is_nan"),
    [(0, 0.0, 0.0, True), (1, 3.0, 9.0, False)],
    ids=["n-zero", "n-one"],
)
def test_too_small_a_group_gives_nan_without_warnings(
    n1: int, sum1: float, sumsq1: float, estimate_is_nan: bool
) -> None:
    result = welch_difference([n1, 5], [sum1, 10.0], [sumsq1, 30.0], 5, 15.0, 55.0)
    assert bool(np.isnan(result.estimate[0])) is estimate_is_nan
    assert np.isnan([result.low[0], result.high[0], result.p_value[0]]).all()
    assert np.isfinite([result.low[1], result.high[1], result.p_value[1]]).all()


def test_empty_arrays() -> None:
    result = welch_ratio_log([], [], [], [], [], [])
    assert result.estimate.shape == result.p_value.shape == (0,)


def test_sample_moments_match_numpy() -> None:
    values = draw(3, 40, 1, 300.0, 90.0, 0.0, 1.0)[0]
    moments = sample_moments(*sufficient_stats(values))
    assert float(moments.mean) == pytest.approx(values.mean(), rel=1e-12)
    assert float(moments.variance) == pytest.approx(values.var(ddof=1), rel=1e-9)
