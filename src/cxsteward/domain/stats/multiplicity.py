"""Multiplicity: Benjamini-Hochberg q-values across the comparisons of one run."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cxsteward.domain.stats.base import FloatArray, as_float
from cxsteward.errors import Invalid


def benjamini_hochberg(p_values: ArrayLike) -> FloatArray:
    """Benjamini & Hochberg (1995) step-up q-values; NaN p-values stay NaN and are not counted.

    All elements form one family, whatever the array's shape; the q-values come back in the
    same shape. q_(i) = min over j >= i of min(1, m p_(j) / j), with m the number of
    non-NaN p-values.
    """
    p = as_float(p_values)
    flat = p.reshape(-1)
    present = ~np.isnan(flat)
    valid = flat[present]
    if np.any((valid < 0) | (valid > 1)):
        raise Invalid("p-values must lie between 0 and 1")
    m = valid.size
    q_flat = np.full(flat.shape, np.nan, dtype=np.float64)
    if m:
        order = np.argsort(valid, kind="stable")
        ranked = valid[order] * m / np.arange(1, m + 1, dtype=np.float64)
        stepped = np.minimum.accumulate(ranked[::-1])[::-1]
        q_valid = np.empty(m, dtype=np.float64)
        q_valid[order] = np.minimum(stepped, 1.0)
        q_flat[present] = q_valid
    return q_flat.reshape(p.shape)
