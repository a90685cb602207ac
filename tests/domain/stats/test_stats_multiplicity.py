"""Benjamini-Hochberg q-values against statsmodels' multipletests."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from cxsteward.domain.stats import benjamini_hochberg
from cxsteward.errors import Invalid

FAMILIES = [
    [0.01],
    [0.01, 0.04, 0.03, 0.5],
    [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
    [0.02, 0.02, 0.02, 0.9],
    [1.0, 1.0, 0.0],
    list(np.random.default_rng(11).uniform(size=200) ** 3),
]
FAMILY_IDS = ["single", "four", "textbook-ten", "ties", "bounds", "random-200"]


@pytest.mark.parametrize("p_values", FAMILIES, ids=FAMILY_IDS)
def test_matches_statsmodels_fdr_bh(p_values: list[float]) -> None:
    _, expected, _, _ = multipletests(p_values, method="fdr_bh")
    np.testing.assert_allclose(benjamini_hochberg(p_values), expected, rtol=1e-12)


def test_nan_p_values_stay_nan_and_are_not_counted() -> None:
    p_values = np.array([0.01, np.nan, 0.04, 0.03, np.nan, 0.5])
    present = ~np.isnan(p_values)
    _, expected, _, _ = multipletests(p_values[present], method="fdr_bh")
    q = benjamini_hochberg(p_values)
    assert np.isnan(q[~present]).all()
    np.testing.assert_allclose(q[present], expected, rtol=1e-12)


def test_keeps_shape_and_treats_all_elements_as_one_family() -> None:
    p_values = np.array([[0.01, 0.04], [0.03, 0.5]])
    _, expected, _, _ = multipletests(p_values.ravel(), method="fdr_bh")
    q = benjamini_hochberg(p_values)
    assert q.shape == (2, 2)
    np.testing.assert_allclose(q.ravel(), expected, rtol=1e-12)


@pytest.mark.parametrize("p_values", [[], [np.nan, np.nan]], ids=["empty", "all-nan"])
def test_nothing_to_adjust(p_values: list[float]) -> None:
    q = benjamini_hochberg(p_values)
    assert q.shape == (len(p_values),)
    assert np.isnan(q).all()


def test_rejects_values_that_are_not_p_values() -> None:
    with pytest.raises(Invalid, match="p-values"):
        benjamini_hochberg([0.2, 1.2])
