"""Funnel limits with over-dispersion, checked against a hand computation in numpy/scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from cxsteward.domain.stats.funnel import Flag, judge, reference, winsorised_phi
from cxsteward.domain.stats.proportions import wilson_interval

X = np.array([40.0, 55, 38, 61, 150, 47])
N = np.array([400.0, 480, 390, 450, 500, 420])


def _by_hand(x: np.ndarray, n: np.ndarray, i: int, level: float) -> tuple[float, float, float]:
    """Unit i against the other units: DerSimonian-Laird on the binomial scale, written out."""
    ox, on = np.delete(x, i), np.delete(n, i)
    theta = ox.sum() / on.sum()
    var = theta * (1 - theta) / on
    q = np.sum((ox / on - theta) ** 2 / var)
    w = 1 / var
    rho = max(0.0, (q - (len(on) - 1)) / (theta * (1 - theta) * (w.sum() - (w**2).sum() / w.sum())))
    sd = np.sqrt(theta * (1 - theta) / n[i] + rho * theta * (1 - theta))
    z = (x[i] / n[i] - theta) / sd
    crit = stats.norm.ppf(1 - (1 - level) / 2)
    return z, max(0.0, theta - crit * sd), min(1.0, theta + crit * sd)


@pytest.mark.parametrize("level", [0.95, 0.998], ids=["95", "99.8"])
def test_each_unit_is_judged_against_the_others_as_computed_by_hand(level: float) -> None:
    crit = stats.norm.ppf(1 - (1 - level) / 2)
    for i, j in enumerate(judge(X, N, level=level)):
        z, low, high = _by_hand(X, N, i, level)
        assert j.z == pytest.approx(z, rel=1e-12)
        assert (j.low, j.high) == pytest.approx((low, high), rel=1e-12)
        expected = Flag.WITHIN if abs(z) <= crit else Flag.ABOVE if z > 0 else Flag.BELOW
        assert j.flag is expected
    # The fifth unit (30%) stands out from the others (9-14%) at both levels.
    assert judge(X, N, level=level)[4].flag is Flag.ABOVE


def test_phi_is_pearson_dispersion_and_winsorising_follows_spiegelhalter() -> None:
    ref = reference(X, N)
    theta = X.sum() / N.sum()
    pearson = np.sum((X / N - theta) ** 2 / (theta * (1 - theta) / N))
    assert ref.phi == pytest.approx(pearson / (len(N) - 1))
    z = (X / N - theta) / np.sqrt(theta * (1 - theta) / N)
    p10, p90 = np.percentile(z, [10, 90])
    assert winsorised_phi(z) == pytest.approx(np.mean(np.clip(z, p10, p90) ** 2))


def test_groups_have_their_own_target_and_share_rho() -> None:
    x = np.array([10.0, 12, 11, 30, 33, 29, 60])
    n = np.full(7, 100.0)
    groups = np.array(["a", "a", "a", "b", "b", "b", "b"])
    judged = judge(x, n, groups)
    # The last unit of b: its target is b's pooled rate without it, not the overall rate.
    assert judged[6].reference is not None
    assert judged[6].reference.target == pytest.approx(92 / 300)
    assert judged[0].reference is not None
    assert judged[0].reference.target == pytest.approx(23 / 200)


def test_units_too_small_for_the_normal_approximation_are_not_judged() -> None:
    # 0 of 3 against peers at 90%: z is about -5, but 3 x 0.1 = 0.3 expected failures.
    judged = judge([0.0, 90, 180, 270], [3.0, 100, 200, 300])
    assert judged[0].reference is None and judged[0].flag is Flag.WITHIN
    assert judged[1].reference is not None


def test_too_few_peers_are_not_judged() -> None:
    judged = judge([5.0, 50.0], [100.0, 100.0])
    assert all(j.reference is None and j.flag is Flag.WITHIN for j in judged)
    assert judge([0.0, 2, 3, 4], [0.0, 10, 10, 10])[0].reference is None


def test_wilson_intervals_match_statsmodels() -> None:
    found = wilson_interval(X, N)
    low, high = proportion_confint(X, N, alpha=0.05, method="wilson")
    assert found.low == pytest.approx(low, rel=1e-12)
    assert found.high == pytest.approx(high, rel=1e-12)
