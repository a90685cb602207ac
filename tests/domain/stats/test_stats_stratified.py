"""Mantel-Haenszel risk difference and ratio against statsmodels and the Greenland-Robins
formulas written out with plain loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable

from cxsteward.domain.stats import (
    mantel_haenszel_risk_difference,
    mantel_haenszel_risk_ratio,
    newcombe_difference,
    risk_ratio,
)

Z = 1.959963984540054
Strata = list[tuple[int, int, int, int]]  # (x1, n1, x2, n2) per stratum

STRATA_CASES: list[Strata] = [
    [(81, 87, 234, 270), (192, 263, 55, 80)],
    [(10, 50, 5, 50), (20, 80, 12, 90), (3, 30, 1, 25)],
    [(4, 12, 2, 15), (0, 9, 1, 11), (7, 7, 3, 8), (15, 40, 9, 38)],
    [(120, 400, 100, 410)],
]
STRATA_IDS = ["kidney-stones", "three-segments", "sparse-with-zeros", "one-stratum"]


def columns(strata: Strata) -> tuple[list[int], list[int], list[int], list[int]]:
    x1, n1, x2, n2 = (list(values) for values in zip(*strata, strict=True))
    return x1, n1, x2, n2


def greenland_robins_difference(strata: Strata) -> tuple[float, float]:
    weights = gaps = spread = 0.0
    for a, n1, c, n2 in strata:
        total = n1 + n2
        b, d = n1 - a, n2 - c
        weights += n1 * n2 / total
        gaps += (a * n2 - c * n1) / total
        spread += (a * b * n2**3 + c * d * n1**3) / (n1 * n2 * total**2)
    return gaps / weights, math.sqrt(spread) / weights


def greenland_robins_ratio(strata: Strata) -> tuple[float, float]:
    r = s = p = 0.0
    for a, n1, c, n2 in strata:
        total = n1 + n2
        r += a * n2 / total
        s += c * n1 / total
        p += (n1 * n2 * (a + c) - a * c * total) / total**2
    return r / s, math.sqrt(p / (r * s))


def two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.mark.parametrize("strata", STRATA_CASES, ids=STRATA_IDS)
def test_risk_difference_matches_greenland_robins(strata: Strata) -> None:
    estimate, se = greenland_robins_difference(strata)
    result = mantel_haenszel_risk_difference(*columns(strata))
    assert float(result.adjusted.estimate) == pytest.approx(estimate, rel=1e-12)
    assert float(result.adjusted.low) == pytest.approx(estimate - Z * se, rel=1e-9)
    assert float(result.adjusted.high) == pytest.approx(estimate + Z * se, rel=1e-9)
    assert float(result.adjusted.p_value) == pytest.approx(two_sided_p(estimate / se), rel=1e-9)


@pytest.mark.parametrize("strata", STRATA_CASES, ids=STRATA_IDS)
def test_risk_ratio_matches_statsmodels_and_greenland_robins(strata: Strata) -> None:
    tables = [np.array([[a, n1 - a], [c, n2 - c]]) for a, n1, c, n2 in strata]
    pooled = StratifiedTable(tables).riskratio_pooled
    estimate, se = greenland_robins_ratio(strata)
    result = mantel_haenszel_risk_ratio(*columns(strata))
    assert float(result.adjusted.estimate) == pytest.approx(pooled, rel=1e-12)
    assert float(result.adjusted.estimate) == pytest.approx(estimate, rel=1e-12)
    assert float(result.adjusted.low) == pytest.approx(estimate * math.exp(-Z * se), rel=1e-9)
    assert float(result.adjusted.high) == pytest.approx(estimate * math.exp(Z * se), rel=1e-9)
    p = two_sided_p(math.log(estimate) / se)
    assert float(result.adjusted.p_value) == pytest.approx(p, rel=1e-9)


@pytest.mark.parametrize("strata", STRATA_CASES, ids=STRATA_IDS)
def test_crude_comparison_pools_the_counts(strata: Strata) -> None:
    x1, n1, x2, n2 = (sum(values) for values in columns(strata))
    difference = mantel_haenszel_risk_difference(*columns(strata)).crude
    ratio = mantel_haenszel_risk_ratio(*columns(strata)).crude
    assert float(difference.low) == pytest.approx(float(newcombe_difference(x1, n1, x2, n2).low))
    assert float(ratio.high) == pytest.approx(float(risk_ratio(x1, n1, x2, n2).high))


def test_simpsons_paradox_crude_and_adjusted_differences_have_opposite_signs() -> None:
    # Charig et al. (1986) kidney stones: treatment A wins in both strata, loses overall,
    # because A was given mostly to the hard (large stone) cases.
    strata = STRATA_CASES[0]
    result = mantel_haenszel_risk_difference(*columns(strata))
    assert float(result.crude.estimate) == pytest.approx(273 / 350 - 289 / 350)
    assert float(result.crude.estimate) < 0 < float(result.adjusted.estimate)
    for a, n1, c, n2 in strata:
        assert a / n1 > c / n2
    ratio = mantel_haenszel_risk_ratio(*columns(strata))
    assert float(ratio.crude.estimate) < 1 < float(ratio.adjusted.estimate)


def test_strata_labels_sum_cell_rows_first() -> None:
    # Two days per segment in the cell table give the same result as the segment totals.
    x1, n1, x2, n2 = [50, 31, 120, 72], [60, 127, 150, 113], [100, 134, 30, 25], [130, 140, 45, 35]
    labels = ["small", "small", "large", "large"]
    by_label = mantel_haenszel_risk_ratio(x1, n1, x2, n2, strata=labels)
    totals = mantel_haenszel_risk_ratio([81, 192], [187, 263], [234, 55], [270, 80])
    assert float(by_label.adjusted.estimate) == pytest.approx(float(totals.adjusted.estimate))
    assert float(by_label.adjusted.low) == pytest.approx(float(totals.adjusted.low))


def test_two_dimensional_input_gives_one_result_per_row() -> None:
    x1 = np.array([[10, 20, 3], [81, 192, 0]])
    n1 = np.array([[50, 80, 30], [87, 263, 0]])
    x2 = np.array([[5, 12, 1], [234, 55, 0]])
    n2 = np.array([[50, 90, 25], [270, 80, 0]])
    result = mantel_haenszel_risk_difference(x1, n1, x2, n2)
    assert result.adjusted.estimate.shape == result.crude.estimate.shape == (2,)
    for row, strata in enumerate((STRATA_CASES[1], STRATA_CASES[0])):
        estimate, _ = greenland_robins_difference(strata)
        assert result.adjusted.estimate[row] == pytest.approx(estimate, rel=1e-12)


def test_stratum_empty_on_one_side_carries_no_weight() -> None:
    strata = STRATA_CASES[1]
    x1, n1, x2, n2 = columns(strata)
    padded = mantel_haenszel_risk_ratio(x1 + [4], n1 + [9], x2 + [0], n2 + [0])
    plain = mantel_haenszel_risk_ratio(x1, n1, x2, n2)
    assert float(padded.adjusted.estimate) == pytest.approx(float(plain.adjusted.estimate))
    assert float(padded.adjusted.high) == pytest.approx(float(plain.adjusted.high))


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [([3, 4], [10, 10], [0, 0], [0, 0]), ([], [], [], []), ([0, 0], [0, 0], [0, 0], [0, 0])],
    ids=["no-comparator", "empty", "all-zero"],
)
def test_no_usable_stratum_gives_nan_without_warnings(
    x1: list[int], n1: list[int], x2: list[int], n2: list[int]
) -> None:
    for function in (mantel_haenszel_risk_difference, mantel_haenszel_risk_ratio):
        adjusted = function(x1, n1, x2, n2).adjusted
        assert np.isnan([adjusted.estimate, adjusted.low, adjusted.high, adjusted.p_value]).all()


def test_risk_ratio_without_events_on_one_side_reports_no_log_interval() -> None:
    no_events_first = mantel_haenszel_risk_ratio([0, 0], [20, 30], [3, 5], [25, 30]).adjusted
    assert float(no_events_first.estimate) == 0.0
    assert np.isnan([no_events_first.low, no_events_first.high, no_events_first.p_value]).all()
    no_events_second = mantel_haenszel_risk_ratio([3, 5], [25, 30], [0, 0], [20, 30]).adjusted
    assert np.isnan(no_events_second.estimate)


def test_risk_difference_with_all_strata_degenerate_has_no_interval() -> None:
    result = mantel_haenszel_risk_difference([10, 0], [10, 5], [0, 0], [8, 6]).adjusted
    assert float(result.estimate) > 0
    assert np.isnan([result.low, result.high, result.p_value]).all()
