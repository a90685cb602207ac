"""Over-dispersion from day totals: simulated days, statsmodels' Pearson scale, widening."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

from cxsteward.domain.stats import (
    Comparison,
    Interval,
    effective_counts,
    interaction_difference,
    overdispersion_factor,
    risk_ratio,
    widen,
    wilson_interval,
)
from cxsteward.errors import Invalid

Z = 1.959963984540054


def beta_binomial_days(
    rng: np.random.Generator, days: int, n: int, mean: float, icc: float
) -> tuple[np.ndarray, np.ndarray]:
    # Beta(a, b) with a + b = 1/icc - 1 gives Var = n p (1 - p) (1 + (n - 1) icc).
    concentration = 1.0 / icc - 1.0
    rates = rng.beta(mean * concentration, (1 - mean) * concentration, size=days)
    sizes = np.full(days, n)
    return rng.binomial(sizes, rates).astype(float), sizes.astype(float)


def test_beta_binomial_days_are_clearly_overdispersed() -> None:
    rng = np.random.default_rng(2024)
    x, n = beta_binomial_days(rng, days=90, n=200, mean=0.2, icc=0.02)
    phi = float(overdispersion_factor(x, n))
    expected = 1 + (200 - 1) * 0.02  # 4.98
    assert 3.0 < phi < 7.5
    assert phi == pytest.approx(expected, rel=0.35)


def test_binomial_days_give_phi_near_one() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(50, 400, size=(40, 60)).astype(float)  # 40 seeds-worth of 60 days
    x = rng.binomial(n.astype(int), 0.15).astype(float)
    phi = overdispersion_factor(x, n)
    assert phi.shape == (40,)
    assert (phi >= 1.0).all()
    assert float(phi.mean()) < 1.2


@pytest.mark.parametrize("seed", [1, 2, 3], ids=["seed-1", "seed-2", "seed-3"])
def test_phi_is_statsmodels_pearson_scale(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, n = beta_binomial_days(rng, days=30, n=120, mean=0.3, icc=0.05)
    # Rates with var_weights n: the Pearson residual is (x - n p) / sqrt(n p (1 - p)).
    model = sm.GLM(x / n, np.ones((30, 1)), family=sm.families.Binomial(), var_weights=n)
    fit = model.fit(scale="X2")
    assert fit.scale > 1
    assert float(overdispersion_factor(x, n)) == pytest.approx(fit.scale, rel=1e-9)


def test_phi_hand_computation_skips_empty_days() -> None:
    x, n = [5, 12, 0, 20], [50, 60, 0, 80]
    p = 37 / 190
    chi2 = sum((xi - ni * p) ** 2 / (ni * p * (1 - p)) for xi, ni in zip(x, n, strict=True) if ni)
    assert float(overdispersion_factor(x, n)) == pytest.approx(max(1.0, chi2 / 2), rel=1e-12)


@pytest.mark.parametrize(
    ("x", "n", "expected"),
    [
        ([0, 0, 0], [0, 0, 0], math.nan),
        ([], [], math.nan),
        ([4, 0], [10, 0], 1.0),
        ([0, 0, 0], [10, 20, 30], 1.0),
        ([10, 20, 30], [10, 20, 30], 1.0),
        ([10, 10, 10], [100, 100, 100], 1.0),
    ],
    ids=["no-data", "no-days", "one-day", "rate-zero", "rate-one", "underdispersed-floor"],
)
def test_phi_edge_cases(x: list[int], n: list[int], expected: float) -> None:
    phi = float(overdispersion_factor(x, n))
    assert (math.isnan(phi) and math.isnan(expected)) or phi == expected


def test_widen_risk_ratio_on_log_scale_matches_inflated_katz() -> None:
    x1, n1, x2, n2, phi = 30, 100, 15, 100, 2.5
    log_rr = math.log(2.0)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2) * math.sqrt(phi)
    widened = widen(risk_ratio(x1, n1, x2, n2), phi, scale="log")
    assert isinstance(widened, Comparison)
    assert float(widened.estimate) == pytest.approx(2.0)
    assert float(widened.low) == pytest.approx(math.exp(log_rr - Z * se), rel=1e-9)
    assert float(widened.high) == pytest.approx(math.exp(log_rr + Z * se), rel=1e-9)
    p_value = math.erfc(log_rr / se / math.sqrt(2))
    assert float(widened.p_value) == pytest.approx(p_value, rel=1e-9)


def test_widen_linear_matches_wald_with_inflated_variance() -> None:
    cells = (30, 100, 20, 110, 40, 300, 45, 310)
    p = [x / n for x, n in zip(cells[::2], cells[1::2], strict=True)]
    estimate = (p[0] - p[1]) - (p[2] - p[3])
    variance = sum(r * (1 - r) / n for r, n in zip(p, cells[1::2], strict=True))
    se = math.sqrt(variance * 3.0)
    widened = widen(interaction_difference(*cells), [3.0])
    assert widened.low[0] == pytest.approx(estimate - Z * se, rel=1e-9)
    assert widened.high[0] == pytest.approx(estimate + Z * se, rel=1e-9)
    assert widened.p_value[0] == pytest.approx(math.erfc(abs(estimate) / se / math.sqrt(2)))


def test_widen_interval_with_phi_one_changes_nothing() -> None:
    interval = Interval(np.array([0.5]), np.array([0.4]), np.array([0.7]))
    widened = widen(interval, 1.0)
    assert isinstance(widened, Interval)
    np.testing.assert_allclose(widened.low, [0.4])
    np.testing.assert_allclose(widened.high, [0.7])


def test_wilson_on_effective_counts_matches_statsmodels() -> None:
    x, n, phi = 45, 300, 2.0
    low, high = proportion_confint(x / phi, n / phi, method="wilson")
    result = wilson_interval(*effective_counts(x, n, phi))
    assert float(result.estimate) == pytest.approx(x / n)
    assert float(result.low) == pytest.approx(low, abs=1e-12)
    assert float(result.high) == pytest.approx(high, abs=1e-12)
    assert float(result.low) < float(wilson_interval(x, n).low)


def test_nan_phi_gives_nan_bounds_without_warnings() -> None:
    widened = widen(risk_ratio([30, 30], [100, 100], [15, 15], [100, 100]), [math.nan, 2.0])
    assert np.isnan([widened.low[0], widened.p_value[0]]).all()
    assert np.isfinite(widened.low[1])


def test_phi_below_one_is_rejected() -> None:
    with pytest.raises(Invalid, match="phi"):
        effective_counts(3, 10, 0.5)
