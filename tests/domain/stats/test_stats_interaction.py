"""AI-specific segment gaps against a hand computation and a saturated binomial GLM."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import DomainWarning

from cxsteward.domain.stats import interaction_difference, interaction_ratio

Z = 1.959963984540054
Cells = tuple[int, int, int, int, int, int, int, int]  # ai seg, human seg, ai rest, human rest

CASES: list[Cells] = [
    (30, 100, 20, 110, 40, 300, 45, 310),
    (12, 80, 30, 90, 200, 1000, 210, 1020),
    (55, 60, 50, 60, 700, 900, 690, 880),
    (5, 400, 4, 380, 60, 5000, 58, 5100),
]
CASE_IDS = ["ai-worse-in-segment", "ai-better-in-segment", "high-rates", "rare-events"]


def expanded_glm(cells: Cells, link: sm.families.links.Link) -> tuple[float, float]:
    """Fit y ~ ai + segment + ai:segment on one row per contact; return the interaction."""
    outcomes: list[float] = []
    design: list[list[float]] = []
    groups = [(1, 1), (0, 1), (1, 0), (0, 0)]
    for (ai, segment), x, n in zip(groups, cells[::2], cells[1::2], strict=True):
        outcomes += [1.0] * x + [0.0] * (n - x)
        design += [[1.0, ai, segment, ai * segment]] * n
    with warnings.catch_warnings():
        # statsmodels notes that log and identity links can leave (0, 1); the saturated
        # model's fitted rates are the observed ones, inside (0, 1).
        warnings.simplefilter("ignore", DomainWarning)
        family = sm.families.Binomial(link=link)
        fit = sm.GLM(np.array(outcomes), np.array(design), family=family).fit(tol=1e-13)
    return float(fit.params[3]), float(fit.bse[3])


@pytest.mark.parametrize("cells", CASES, ids=CASE_IDS)
def test_difference_matches_hand_computation(cells: Cells) -> None:
    p = [x / n for x, n in zip(cells[::2], cells[1::2], strict=True)]
    estimate = (p[0] - p[1]) - (p[2] - p[3])
    se = math.sqrt(sum(r * (1 - r) / n for r, n in zip(p, cells[1::2], strict=True)))
    result = interaction_difference(*cells)
    assert float(result.estimate) == pytest.approx(estimate, rel=1e-12)
    assert float(result.low) == pytest.approx(estimate - Z * se, rel=1e-9)
    assert float(result.high) == pytest.approx(estimate + Z * se, rel=1e-9)
    p_value = math.erfc(abs(estimate / se) / math.sqrt(2))
    assert float(result.p_value) == pytest.approx(p_value, rel=1e-9)


@pytest.mark.parametrize("cells", CASES, ids=CASE_IDS)
def test_difference_matches_identity_link_glm(cells: Cells) -> None:
    coefficient, se = expanded_glm(cells, sm.families.links.Identity())
    result = interaction_difference(*cells)
    assert float(result.estimate) == pytest.approx(coefficient, abs=1e-7)
    assert float(result.high - result.low) / (2 * Z) == pytest.approx(se, rel=1e-6)


@pytest.mark.parametrize("cells", CASES, ids=CASE_IDS)
def test_ratio_matches_log_link_glm(cells: Cells) -> None:
    coefficient, se = expanded_glm(cells, sm.families.links.Log())
    result = interaction_ratio(*cells)
    assert math.log(float(result.estimate)) == pytest.approx(coefficient, abs=1e-6)
    log_half_width = (math.log(float(result.high)) - math.log(float(result.low))) / 2
    assert log_half_width / Z == pytest.approx(se, rel=1e-6)
    p_value = math.erfc(abs(coefficient / se) / math.sqrt(2))
    assert float(result.p_value) == pytest.approx(p_value, rel=1e-5)


def test_ratio_with_a_zero_count_adds_half_to_every_cell() -> None:
    cells = (0, 50, 4, 60, 30, 400, 28, 410)
    x = [x + 0.5 for x in cells[::2]]
    n = [n + 1.0 for n in cells[1::2]]
    log_rrr = math.log(x[0] / n[0] / (x[1] / n[1])) - math.log(x[2] / n[2] / (x[3] / n[3]))
    se = math.sqrt(sum(1 / a - 1 / m for a, m in zip(x, n, strict=True)))
    result = interaction_ratio(*cells)
    assert math.log(float(result.estimate)) == pytest.approx(log_rrr, rel=1e-12)
    assert float(result.low) == pytest.approx(math.exp(log_rrr - Z * se), rel=1e-9)


def test_vectorized_over_segments_with_nan_where_a_group_is_empty() -> None:
    result = interaction_difference([30, 3], [100, 10], [20, 0], [110, 0], 40, 300, 45, 310)
    assert result.estimate.shape == (2,)
    assert np.isfinite(result.p_value[0])
    assert np.isnan([result.estimate[1], result.low[1], result.p_value[1]]).all()
    ratio = interaction_ratio([30, 3], [100, 10], [20, 0], [110, 0], 40, 300, 45, 310)
    assert np.isnan([ratio.estimate[1], ratio.high[1]]).all()


def test_difference_with_all_rates_degenerate_has_no_interval() -> None:
    result = interaction_difference(10, 10, 0, 10, 0, 20, 0, 20)
    assert float(result.estimate) == 1.0
    assert np.isnan([result.low, result.high, result.p_value]).all()


def test_empty_arrays() -> None:
    empty: list[int] = []
    for function in (interaction_difference, interaction_ratio):
        assert function(*[empty] * 8).estimate.shape == (0,)
