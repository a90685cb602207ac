"""Wilson, Newcombe and risk-ratio intervals against statsmodels and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)
from statsmodels.stats.proportion import test_proportions_2indep as score_test_2indep

from cxsteward.domain.stats import newcombe_difference, risk_ratio, wilson_interval
from cxsteward.errors import Invalid

RATES = [
    (0, 10, 0.05),
    (1, 10, 0.05),
    (3, 10, 0.05),
    (10, 10, 0.05),
    (0, 1, 0.05),
    (1, 1, 0.05),
    (45, 120, 0.05),
    (45, 120, 0.10),
    (45, 120, 0.01),
    (997, 1000, 0.05),
    (12_345, 98_765, 0.05),
]
RATE_IDS = [f"{x}of{n}-a{a}" for x, n, a in RATES]


@pytest.mark.parametrize(("x", "n", "alpha"), RATES, ids=RATE_IDS)
def test_wilson_matches_statsmodels(x: int, n: int, alpha: float) -> None:
    low, high = proportion_confint(x, n, alpha=alpha, method="wilson")
    result = wilson_interval(x, n, alpha)
    assert float(result.estimate) == pytest.approx(x / n, rel=1e-12)
    assert float(result.low) == pytest.approx(low, abs=1e-12)
    assert float(result.high) == pytest.approx(high, abs=1e-12)


def test_wilson_is_vectorized_and_matches_statsmodels_elementwise() -> None:
    x = np.array([rate[0] for rate in RATES])
    n = np.array([rate[1] for rate in RATES])
    low, high = proportion_confint(x, n, alpha=0.05, method="wilson")
    result = wilson_interval(x, n)
    np.testing.assert_allclose(result.low, low, atol=1e-12)
    np.testing.assert_allclose(result.high, high, atol=1e-12)


def test_wilson_bounds_are_exact_at_zero_and_all() -> None:
    result = wilson_interval([0, 7], [7, 7])
    assert result.low[0] == 0.0
    assert result.high[1] == 1.0


def test_wilson_n_zero_is_nan_without_warnings() -> None:
    result = wilson_interval([0, 2], [0, 4])
    assert np.isnan([result.estimate[0], result.low[0], result.high[0]]).all()
    assert not np.isnan(result.low[1])


def test_wilson_empty_arrays() -> None:
    result = wilson_interval(np.array([]), np.array([]))
    assert result.estimate.shape == result.low.shape == result.high.shape == (0,)


@pytest.mark.parametrize(
    ("x", "n"),
    [(-1, 10), (11, 10), (1, -1)],
    ids=["negative-successes", "more-successes-than-n", "negative-n"],
)
def test_wilson_rejects_impossible_counts(x: int, n: int) -> None:
    with pytest.raises(Invalid, match="successes"):
        wilson_interval(x, n)


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5], ids=["0", "1", "negative", "above-1"])
def test_rejects_alpha_outside_unit_interval(alpha: float) -> None:
    with pytest.raises(Invalid, match="alpha"):
        wilson_interval(1, 10, alpha)


PAIRS = [
    (15, 40, 7, 35, 0.05),
    (0, 20, 5, 25, 0.05),
    (20, 20, 3, 30, 0.05),
    (1, 1000, 9, 1000, 0.05),
    (530, 1200, 480, 1150, 0.10),
    (3, 9, 3, 9, 0.05),
    (250, 251, 2, 300, 0.01),
]
PAIR_IDS = ["typical", "zero-first", "all-first", "rare", "large-a10", "equal", "extreme-a01"]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "alpha"), PAIRS, ids=PAIR_IDS)
def test_newcombe_interval_matches_statsmodels(
    x1: int, n1: int, x2: int, n2: int, alpha: float
) -> None:
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", alpha=alpha)
    result = newcombe_difference(x1, n1, x2, n2, alpha)
    assert float(result.estimate) == pytest.approx(x1 / n1 - x2 / n2, abs=1e-15)
    assert float(result.low) == pytest.approx(low, abs=1e-12)
    assert float(result.high) == pytest.approx(high, abs=1e-12)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "alpha"), PAIRS, ids=PAIR_IDS)
def test_newcombe_p_value_is_the_pooled_z_test(
    x1: int, n1: int, x2: int, n2: int, alpha: float
) -> None:
    # The pooled z-test equals statsmodels' score test at diff 0 without the n/(n-1) factor.
    _, p_ztest = proportions_ztest([x1, x2], [n1, n2])
    with np.errstate(divide="ignore"):  # statsmodels computes an odds ratio of p1 = 1 on the side
        p_score = score_test_2indep(x1, n1, x2, n2, method="score", correction=False).pvalue
    result = newcombe_difference(x1, n1, x2, n2, alpha)
    assert float(result.p_value) == pytest.approx(p_ztest, rel=1e-10)
    assert float(result.p_value) == pytest.approx(p_score, rel=1e-10)


@pytest.mark.parametrize(("x1", "x2"), [(0, 0), (10, 12)], ids=["both-zero", "both-all"])
def test_newcombe_p_value_is_one_when_both_samples_agree_exactly(x1: int, x2: int) -> None:
    result = newcombe_difference(x1, 10, x2, 12)
    assert float(result.estimate) == 0.0
    assert float(result.p_value) == 1.0
    low, high = confint_proportions_2indep(x1, 10, x2, 12, method="newcomb")
    assert float(result.low) == pytest.approx(low, abs=1e-12)
    assert float(result.high) == pytest.approx(high, abs=1e-12)


def test_newcombe_nan_where_a_side_is_empty() -> None:
    result = newcombe_difference([0, 3, 4], [0, 10, 10], [2, 0, 5], [5, 0, 10])
    for values in (result.estimate, result.low, result.high, result.p_value):
        assert np.isnan(values[:2]).all()
        assert np.isfinite(values[2])


def test_newcombe_broadcasts_a_baseline_against_many_segments() -> None:
    result = newcombe_difference([3, 5, 9], [30, 40, 50], 40, 200)
    assert result.estimate.shape == (3,)
    low, _ = confint_proportions_2indep(5, 40, 40, 200, method="newcomb")
    assert result.low[1] == pytest.approx(low, abs=1e-12)


RATIOS = [
    (30, 100, 15, 100, 0.05),
    (12, 250, 40, 260, 0.05),
    (7, 20, 3, 45, 0.10),
    (100, 100, 50, 100, 0.05),
    (1, 500, 3, 480, 0.01),
]
RATIO_IDS = ["double", "protective", "small-a10", "all-first", "rare-a01"]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "alpha"), RATIOS, ids=RATIO_IDS)
def test_risk_ratio_matches_statsmodels(x1: int, n1: int, x2: int, n2: int, alpha: float) -> None:
    # Our 0.5 correction is for zero successes only; statsmodels' would also fire at x = n.
    table = Table2x2(np.array([[x1, n1 - x1], [x2, n2 - x2]]), shift_zeros=False)
    low, high = table.riskratio_confint(alpha=alpha)
    result = risk_ratio(x1, n1, x2, n2, alpha)
    assert float(result.estimate) == pytest.approx(table.riskratio, rel=1e-12)
    assert float(result.low) == pytest.approx(low, rel=1e-10)
    assert float(result.high) == pytest.approx(high, rel=1e-10)
    assert float(result.p_value) == pytest.approx(table.riskratio_pvalue(), rel=1e-9)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [(0, 40, 6, 50), (5, 40, 0, 50), (0, 40, 0, 50)],
    ids=["zero-first", "zero-second", "zero-both"],
)
def test_risk_ratio_with_a_zero_adds_half_to_every_cell(x1: int, n1: int, x2: int, n2: int) -> None:
    a, b, c, d = x1 + 0.5, n1 - x1 + 0.5, x2 + 0.5, n2 - x2 + 0.5
    rr = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    z = 1.959963984540054
    p = math.erfc(abs(math.log(rr)) / se / math.sqrt(2))
    result = risk_ratio(x1, n1, x2, n2)
    assert float(result.estimate) == pytest.approx(rr, rel=1e-12)
    assert float(result.low) == pytest.approx(rr * math.exp(-z * se), rel=1e-9)
    assert float(result.high) == pytest.approx(rr * math.exp(z * se), rel=1e-9)
    assert float(result.p_value) == pytest.approx(p, rel=1e-9)


def test_risk_ratio_correction_applies_only_to_the_comparison_with_a_zero() -> None:
    result = risk_ratio([0, 30], [40, 100], [6, 15], [50, 100])
    assert result.estimate[1] == pytest.approx(2.0, rel=1e-12)


def test_risk_ratio_nan_where_n_is_zero_and_empty_input() -> None:
    result = risk_ratio([0, 1], [0, 10], [1, 1], [10, 10])
    assert np.isnan([result.estimate[0], result.low[0], result.high[0], result.p_value[0]]).all()
    assert result.estimate[1] == pytest.approx(1.0)
    empty = risk_ratio([], [], [], [])
    assert empty.p_value.shape == (0,)
