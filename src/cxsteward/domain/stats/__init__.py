"""Comparison statistics, vectorized over arrays of sufficient statistics (DESIGN section 5)."""

from __future__ import annotations

from cxsteward.domain.stats.base import (
    BoolArray,
    Comparison,
    FloatArray,
    Interval,
    sufficient,
)
from cxsteward.domain.stats.dispersion import effective_counts, overdispersion_factor, widen
from cxsteward.domain.stats.interaction import interaction_difference, interaction_ratio
from cxsteward.domain.stats.means import (
    SampleMoments,
    sample_moments,
    welch_difference,
    welch_ratio_log,
)
from cxsteward.domain.stats.multiplicity import benjamini_hochberg
from cxsteward.domain.stats.proportions import newcombe_difference, risk_ratio, wilson_interval
from cxsteward.domain.stats.sequential import (
    CusumResult,
    bernoulli_cusum,
    confidence_sequence_difference,
    confidence_sequence_rate,
    mixture_rho,
)
from cxsteward.domain.stats.stratified import (
    StratifiedComparison,
    mantel_haenszel_risk_difference,
    mantel_haenszel_risk_ratio,
)

__all__ = [
    "BoolArray",
    "Comparison",
    "CusumResult",
    "FloatArray",
    "Interval",
    "SampleMoments",
    "StratifiedComparison",
    "benjamini_hochberg",
    "bernoulli_cusum",
    "confidence_sequence_difference",
    "confidence_sequence_rate",
    "effective_counts",
    "interaction_difference",
    "interaction_ratio",
    "mantel_haenszel_risk_difference",
    "mantel_haenszel_risk_ratio",
    "mixture_rho",
    "newcombe_difference",
    "overdispersion_factor",
    "risk_ratio",
    "sample_moments",
    "sufficient",
    "welch_difference",
    "welch_ratio_log",
    "widen",
    "wilson_interval",
]
