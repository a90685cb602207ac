"""Funnel plots for rates of many units (teams, agents) that allow for over-dispersion.

Spiegelhalter (2005), "Handling over-dispersion of performance indicators", Qual Saf Health
Care 14:347-351. Each unit's z-score against the target is z = (p - θ) / sqrt(θ(1 - θ)/n);
z-scores beyond the 10th and 90th percentiles are pulled in to them (winsorised) and
φ = mean(z²) is the multiplicative over-dispersion factor. The additive random-effects
variance is then τ² = max(0, (Iφ - (I - 1)) / (Σw - Σw²/Σw)) with w = 1/s², s² = θ(1 - θ)/n
(DerSimonian-Laird on the winsorised scores), and a unit of size n is within its funnel when
|p - θ| <= z_level * sqrt(θ(1 - θ)/n + τ²).

Each unit is judged against the funnel of the *other* units (θ, φ and τ² without it: the
cross-validatory comparison of Ohlssen, Sharples & Spiegelhalter 2007, JRSS A 170:865-890),
so a single unit far off cannot widen its own limits: with five teams, one at 30% among
four at 10-14% inflates a funnel that includes it until nothing stands out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike

from cxsteward.domain.stats.base import FloatArray, as_float, check_counts, z_quantile

WINSOR = 0.10  # Spiegelhalter's 10% at each end
MIN_UNITS = 3  # a unit is judged against at least two others
# The normal approximation needs n θ and n (1 - θ) of at least 5: a unit with 3 contacts at
# 0% against peers at 90% is no evidence of anything, though its z-score is -5.
MIN_EXPECTED = 5.0


class Flag(StrEnum):
    ABOVE = "above"
    BELOW = "below"
    WITHIN = "within"


@dataclass(frozen=True)
class Reference:
    """A funnel: the target θ (of the judged unit's group), the Pearson dispersion φ, the
    relative between-unit variance ρ (τ² = ρ θ(1 - θ)) and how many units it rests on."""

    target: float
    phi: float
    rho: float
    units: int
    targets: dict[object, float]

    @property
    def tau2(self) -> float:
        return self.rho * self.target * (1.0 - self.target)

    def variance(self, n: ArrayLike) -> FloatArray:
        """The variance of a unit's rate at size ``n``: binomial plus τ²."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return as_float(self.target * (1.0 - self.target) / as_float(n) + self.tau2)

    def limits(self, n: ArrayLike, level: float) -> tuple[FloatArray, FloatArray]:
        """The funnel's lower and upper limits at sizes ``n`` (two-sided ``level``)."""
        z = z_quantile(1.0 - level)
        with np.errstate(invalid="ignore"):
            half = z * np.sqrt(self.variance(n))
        low = np.clip(self.target - half, 0.0, 1.0)
        high = np.clip(self.target + half, 0.0, 1.0)
        return as_float(low), as_float(high)


@dataclass(frozen=True)
class Judgement:
    """One unit against the funnel of the others: its z-score, limits and flag."""

    reference: Reference | None  # None: too few other units, or their rate is 0 or 1
    z: float | None
    low: float | None
    high: float | None
    flag: Flag


def winsorised_phi(z: ArrayLike, fraction: float = WINSOR) -> float:
    """Spiegelhalter's φ: the mean squared z-score after pulling the outer ``fraction`` in
    at each end (reported beside the limits; the limits use ``reference``'s ρ instead)."""
    scores = as_float(z)
    low, high = np.percentile(scores, [100 * fraction, 100 * (1 - fraction)])
    return float(np.mean(np.clip(scores, low, high) ** 2))


def reference(successes: ArrayLike, n: ArrayLike, groups: ArrayLike | None = None) -> Reference:
    """The over-dispersed funnel of these units, each group around its own pooled rate.

    τ²_g = ρ θ_g(1 - θ_g) (an additive random effect, proportional to the binomial variance
    as in a beta-binomial), ρ from the DerSimonian-Laird moment equation summed over groups:
    ρ = max(0, (ΣQ_g - Σ(k_g - 1)) / Σ θ_g(1 - θ_g)(Σw - Σw²/Σw)_g), Q_g = Σ w (p - θ_g)²,
    w = n / (θ_g(1 - θ_g)). Units with n = 0, and groups whose rate is 0 or 1, are left out.
    """
    x, size = as_float(successes), as_float(n)
    check_counts(x, size)
    labels = np.zeros(size.size, dtype=np.int64) if groups is None else np.asarray(groups)
    q_total = df = denominator = 0.0
    units = 0
    targets: dict[object, float] = {}
    for label in np.unique(labels[size > 0]):
        members = (labels == label) & (size > 0)
        gx, gn = x[members], size[members]
        theta = float(gx.sum() / gn.sum())
        targets[label] = theta
        if gn.size < 2 or theta in (0.0, 1.0):
            continue
        w = gn / (theta * (1.0 - theta))
        q_total += float((w * (gx / gn - theta) ** 2).sum())
        df += gn.size - 1
        denominator += theta * (1.0 - theta) * float(w.sum() - (w**2).sum() / w.sum())
        units += gn.size
    rho = max(0.0, (q_total - df) / denominator) if denominator > 0 else 0.0
    phi = max(1.0, q_total / df) if df > 0 else 1.0
    first = targets[labels[size > 0][0]] if targets else float("nan")
    return Reference(target=first, phi=phi, rho=rho, units=units, targets=targets)


def judge(
    successes: ArrayLike, n: ArrayLike, groups: ArrayLike | None = None, level: float = 0.998
) -> list[Judgement]:
    """Each unit against the funnel of the others (its own group's rate, ρ from all the other
    units), at two-sided ``level`` (e.g. 0.998). Units with too few peers, or too few
    contacts for the normal approximation (n θ or n (1 - θ) below 5), are not judged."""
    x, size = as_float(successes), as_float(n)
    check_counts(x, size)
    labels = np.zeros(size.size, dtype=np.int64) if groups is None else np.asarray(groups)
    z_level = z_quantile(1.0 - level)
    out = []
    for i in range(size.size):
        others = np.arange(size.size) != i
        peers = others & (labels == labels[i]) & (size > 0)
        if size[i] <= 0 or np.count_nonzero(peers) < MIN_UNITS - 1:
            out.append(Judgement(None, None, None, None, Flag.WITHIN))
            continue
        ref = reference(x[others], size[others], labels[others])
        target = ref.targets.get(labels[i], float("nan"))
        small = min(size[i] * target, size[i] * (1.0 - target)) < MIN_EXPECTED
        if ref.units < MIN_UNITS or target in (0.0, 1.0) or small:
            out.append(Judgement(None, None, None, None, Flag.WITHIN))
            continue
        own = Reference(target, ref.phi, ref.rho, ref.units, ref.targets)
        rate = x[i] / size[i]
        z = float((rate - target) / np.sqrt(own.variance(size[i])))
        low, high = own.limits(size[i], level)
        flag = Flag.WITHIN if abs(z) <= z_level else Flag.ABOVE if z > 0 else Flag.BELOW
        out.append(Judgement(own, z, float(low), float(high), flag))
    return out
