"""The comparisons of one monitoring run, before multiplicity correction."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxsteward.domain.metrics import CATALOGUE, Direction, MetricKind, MetricSpec
from cxsteward.domain.monitoring.counts import Compared, Counts, Kind, compare
from cxsteward.domain.monitoring.groups import (
    Dispersion,
    Groups,
    Scope,
    counts_at,
    kind_of,
    subtract,
)
from cxsteward.domain.stats import (
    FloatArray,
    interaction_difference,
    mantel_haenszel_risk_difference,
)
from cxsteward.domain.stats.base import normal_two_sided_p, z_quantile

COMPARED_METRICS = tuple(m for m in CATALOGUE if m.kind is not MetricKind.COUNT)


@dataclass
class Tested:
    """One comparison: its figures, its p-value, and whether it points to the AI doing worse."""

    kind: str
    spec: MetricSpec
    scope: Scope
    labels: tuple[str, str]  # e.g. ("ai", "human") or ("before", "after")
    estimate: tuple[float, float]
    n: tuple[float, float]
    difference: float
    low: float
    high: float
    p_value: float
    ratio: float | None = None
    sufficient: bool = True
    worse: bool = False
    versions: list[str] = field(default_factory=list)
    windows: dict[str, str] = field(default_factory=dict)
    q_value: float | None = None
    # Mantel-Haenszel difference adjusted for each segment column's mix: (estimate, low, high)
    adjusted: dict[str, tuple[float, float, float]] = field(default_factory=dict)


def ai_vs_human(groups: Groups, dispersion: Dispersion | None, alpha: float) -> list[Tested]:
    """AI against humans for every metric, scope and deployment (insufficient ones included)."""
    found: list[Tested] = []
    for spec in COMPARED_METRICS:
        if "human" not in spec.handlers:
            continue
        values = groups.values(spec)
        pairs = [
            (scope, a, h)
            for scope in groups.each_scope()
            if (a := groups.row(scope.key, "ai")) is not None
            and (h := groups.row(scope.key, "human")) is not None
        ]
        if not pairs:
            continue
        ai_rows, human_rows = [p[1] for p in pairs], [p[2] for p in pairs]
        phis = _phis(dispersion, spec, pairs)
        compared = compare(
            kind_of(spec),
            counts_at(values, ai_rows, phis[0]),
            counts_at(values, human_rows, phis[1]),
            alpha,
        )
        for i, (scope, a, h) in enumerate(pairs):
            enough = bool(values.sufficient[a] and values.sufficient[h])
            tested = _tested(
                "ai_vs_human_gap",
                spec,
                scope,
                ("ai", "human"),
                compared,
                i,
                enough,
                (values.n[a], values.n[h]),
                groups.window(),
            )
            if not scope.segment and kind_of(spec) is Kind.RATE:
                tested.adjusted = _mix_adjusted(groups, spec, scope.deployment, alpha)
            found.append(tested)
    return found


def _mix_adjusted(
    groups: Groups, spec: MetricSpec, deployment: str, alpha: float
) -> dict[str, tuple[float, float, float]]:
    """The AI-human difference adjusted for the mix of each one-column slice (Simpson guard)."""
    values = groups.values(spec)
    strata: dict[str, list[tuple[int, int]]] = {}
    for scope in groups.each_scope():
        if scope.deployment != deployment or len(scope.segment) != 1:
            continue
        a, h = groups.row(scope.key, "ai"), groups.row(scope.key, "human")
        if a is not None and h is not None:
            strata.setdefault(next(iter(scope.segment)), []).append((a, h))
    adjusted: dict[str, tuple[float, float, float]] = {}
    for column, rows in strata.items():
        if len(rows) < 2 or values.successes is None:
            continue
        ai, human = [r[0] for r in rows], [r[1] for r in rows]
        result = mantel_haenszel_risk_difference(
            values.successes[ai],
            values.n[ai],
            values.successes[human],
            values.n[human],
            alpha=alpha,
        ).adjusted
        adjusted[column] = (float(result.estimate), float(result.low), float(result.high))
    return adjusted


def segment_gaps(groups: Groups, alpha: float) -> list[Tested]:
    """The AI-human gap in a segment against the same gap everywhere else (an interaction)."""
    found: list[Tested] = []
    z = z_quantile(alpha)
    for spec in COMPARED_METRICS:
        if "human" not in spec.handlers:
            continue
        values = groups.values(spec)
        for scope in groups.each_scope():
            if len(scope.segment) != 1:
                continue
            overall = Scope("overall", {}, scope.deployment).key
            rows = [
                groups.row(scope.key, "ai"),
                groups.row(scope.key, "human"),
                groups.row(overall, "ai"),
                groups.row(overall, "human"),
            ]
            if any(r is None for r in rows):
                continue
            ai_seg, h_seg, ai_all, h_all = (counts_at(values, [r]) for r in rows if r is not None)
            ai_rest, h_rest = subtract(ai_all, ai_seg), subtract(h_all, h_seg)
            sides: tuple[Counts, ...] = (ai_seg, h_seg, ai_rest, h_rest)
            enough = all(float(c.n[0]) >= spec.min_n for c in sides)
            if kind_of(spec) is Kind.RATE:
                a = _rate_args(sides)
                result = interaction_difference(
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], alpha
                )
                estimate, low, high, p = (
                    float(result.estimate[0]),
                    float(result.low[0]),
                    float(result.high[0]),
                    float(result.p_value[0]),
                )
            else:
                if kind_of(spec) is Kind.LOG_MEAN:
                    # Durations are compared as ratios: the interaction is taken on the log
                    # scale, where a segment that slows everyone alike shows no gap.
                    sides = tuple(_logs(c) for c in sides)
                estimate, low, high, p = _mean_interaction(sides, z)
            means = [_mean(c) for c in sides]
            gap_here = means[0] - means[1]
            found.append(
                Tested(
                    kind="ai_segment_gap",
                    spec=spec,
                    scope=scope,
                    labels=("gap in segment", "gap elsewhere"),
                    estimate=(gap_here, means[2] - means[3]),
                    n=(float(ai_seg.n[0] + h_seg.n[0]), float(ai_rest.n[0] + h_rest.n[0])),
                    difference=estimate,
                    low=low,
                    high=high,
                    p_value=p,
                    sufficient=enough and math.isfinite(p),
                    worse=_is_worse(spec, estimate),
                    windows=groups.window(),
                )
            )
    return found


def model_changes(by_version: Groups, chains: dict[str, list[str]], alpha: float) -> list[Tested]:
    """AI before against after each model-version switch, per metric and scope.

    ``chains`` gives each deployment's model versions in the order they went live.
    """
    found: list[Tested] = []
    for spec in COMPARED_METRICS:
        if "ai" not in spec.handlers:
            continue
        values = by_version.values(spec)
        for scope in by_version.each_scope():
            versions = chains.get(scope.deployment, [])
            for before, after in zip(versions, versions[1:], strict=False):
                rows = (
                    by_version.row(scope.key, "ai", before),
                    by_version.row(scope.key, "ai", after),
                )
                if rows[0] is None or rows[1] is None:
                    continue
                compared = compare(
                    kind_of(spec),
                    counts_at(values, [rows[1]]),
                    counts_at(values, [rows[0]]),
                    alpha,
                )
                enough = bool(values.sufficient[rows[0]] and values.sufficient[rows[1]])
                tested = _tested(
                    "model_change",
                    spec,
                    scope,
                    ("after", "before"),
                    compared,
                    0,
                    enough,
                    (values.n[rows[1]], values.n[rows[0]]),
                    by_version.window(),
                )
                tested.versions = [before, after]
                found.append(tested)
    return found


def _tested(
    kind: str,
    spec: MetricSpec,
    scope: Scope,
    labels: tuple[str, str],
    compared: Compared,
    i: int,
    enough: bool,
    n: tuple[float, float],
    windows: dict[str, str],
) -> Tested:
    difference = float(compared.difference.estimate[i])
    p = float(compared.difference.p_value[i])
    return Tested(
        kind=kind,
        spec=spec,
        scope=scope,
        labels=labels,
        estimate=(float(compared.a[i]), float(compared.b[i])),
        n=(float(n[0]), float(n[1])),
        difference=difference,
        low=float(compared.difference.low[i]),
        high=float(compared.difference.high[i]),
        p_value=p,
        ratio=None if compared.ratio is None else float(compared.ratio.estimate[i]),
        sufficient=enough and math.isfinite(p),
        worse=_is_worse(spec, difference),
        windows=windows,
    )


def _is_worse(spec: MetricSpec, difference: float) -> bool:
    if spec.direction is Direction.HIGHER_IS_BETTER:
        return difference < 0
    if spec.direction is Direction.HIGHER_IS_WORSE:
        return difference > 0
    return False


def _phis(
    dispersion: Dispersion | None, spec: MetricSpec, pairs: list[tuple[Scope, int, int]]
) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    if dispersion is None or kind_of(spec) is not Kind.RATE:
        return None, None
    ai = np.asarray([dispersion.phi(spec, s.key, "ai") for s, _, _ in pairs], dtype=np.float64)
    human = np.asarray([dispersion.phi(spec, s.key, "human") for s, _, _ in pairs], np.float64)
    return ai, human


def _logs(counts: Counts) -> Counts:
    return Counts(n=counts.n, total=counts.log_total, total_sq=counts.log_total_sq)


def _mean(counts: Counts) -> float:
    n = float(counts.n[0])
    if n == 0:
        return math.nan
    top = counts.successes if counts.successes is not None else counts.total
    return float(top[0]) / n if top is not None else math.nan


def _rate_args(sides: tuple[Counts, ...]) -> list[FloatArray]:
    args: list[FloatArray] = []
    for side in sides:
        if side.successes is None:
            raise ValueError("a rate comparison needs success counts")
        args += [side.successes, side.n]
    return args


def _mean_interaction(sides: tuple[Counts, ...], z: float) -> tuple[float, float, float, float]:
    """(AI - human in segment) - (AI - human elsewhere) for means, with a normal interval."""
    means, variances = [], []
    for side in sides:
        if side.total is None or side.total_sq is None:
            raise ValueError("a mean comparison needs sums and sums of squares")
        n, total, total_sq = float(side.n[0]), float(side.total[0]), float(side.total_sq[0])
        if n < 2:
            return math.nan, math.nan, math.nan, math.nan
        mean = total / n
        variance = max(total_sq - n * mean * mean, 0.0) / (n - 1)
        means.append(mean)
        variances.append(variance / n)
    estimate = (means[0] - means[1]) - (means[2] - means[3])
    se = math.sqrt(sum(variances))
    if se == 0:
        return estimate, math.nan, math.nan, math.nan
    p = float(normal_two_sided_p(np.asarray([estimate / se]))[0])
    return estimate, estimate - z * se, estimate + z * se, p
