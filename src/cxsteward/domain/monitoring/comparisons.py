"""The comparisons of one monitoring run, before multiplicity correction."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cxsteward.domain.metrics import CATALOGUE, Direction, MetricKind, MetricSpec
from cxsteward.domain.monitoring.counts import Compared, Kind, compare
from cxsteward.domain.monitoring.groups import Dispersion, Groups, Scope, counts_at, kind_of
from cxsteward.domain.stats import mantel_haenszel_risk_difference

# A metric with no worse side (the human-path shares, judged against a promise instead) can
# never be a finding: tested, it would only move the run's false discovery rate for others.
COMPARED_METRICS = tuple(
    m for m in CATALOGUE if m.kind is not MetricKind.COUNT and m.direction is not Direction.NEUTRAL
)


@dataclass(frozen=True)
class Inside:
    """The parts of an interaction: both sides in the segment and elsewhere.

    ``labels`` name the sides (``ai``/``human``, or ``after``/``before``); ``ratio`` is side
    a over side b in the segment with its interval (None for plain means), likewise
    ``ratio_elsewhere``; ``level_elsewhere`` is True when, elsewhere, the interval of the
    difference between the sides holds 0.
    """

    labels: tuple[str, str]
    here: tuple[float, float]
    n_here: tuple[float, float]
    elsewhere: tuple[float, float]
    n_elsewhere: tuple[float, float]
    ratio: tuple[float, float, float] | None
    ratio_elsewhere: tuple[float, float, float] | None
    level_elsewhere: bool


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
    # For the interactions (segment gaps, segment model changes): what they are made of.
    inside: Inside | None = None


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
        worse=is_worse(spec, difference),
        windows=windows,
    )


def is_worse(spec: MetricSpec, difference: float) -> bool:
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
