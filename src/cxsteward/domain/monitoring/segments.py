"""Is something particular to one segment? Each segment against everywhere else.

Two questions, one interaction contrast each, vectorized over every segment of a metric:

- ``ai_segment_gap``: is the AI-human gap in the segment different from the gap elsewhere?
  A segment where everyone does worse is not an AI problem; one where only the AI does is.
- ``segment_model_change``: did a model-version switch move the AI in the segment
  differently from elsewhere? A change confined to one language shows here at full size,
  where the overall before/after comparison dilutes it across every contact.

"Elsewhere" is the other levels of the same column in the deployment (their sums, which are
additive), so a "(missing)" level is compared like any other, and contacts of loads that
never recorded the column (a layout without it) are in no level and never "elsewhere".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cxsteward.domain.metrics import MetricSpec, MetricValues
from cxsteward.domain.monitoring.comparisons import COMPARED_METRICS, Inside, Tested, is_worse
from cxsteward.domain.monitoring.counts import Compared, Counts, Kind, compare
from cxsteward.domain.monitoring.groups import Groups, Scope, counts_at, kind_of, subtract
from cxsteward.domain.stats import FloatArray, interaction_difference
from cxsteward.domain.stats.base import normal_two_sided_p, z_quantile


@dataclass(frozen=True)
class _Contrast:
    """(a - b in segment) - (a - b elsewhere) for k segments at once, with its parts."""

    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    p_value: FloatArray
    gaps: tuple[FloatArray, FloatArray]  # a - b in segment, elsewhere (log scale for times)
    here: Compared
    elsewhere: Compared
    sides: tuple[Counts, Counts, Counts, Counts]


def segment_gaps(groups: Groups, alpha: float) -> list[Tested]:
    """The AI-human gap in a segment against the same gap everywhere else (an interaction)."""
    found: list[Tested] = []
    levels = _levels(groups)
    for spec in COMPARED_METRICS:
        if "human" not in spec.handlers:
            continue
        items = []
        for scope in groups.each_scope():
            if len(scope.segment) != 1:
                continue
            rows = _four(
                groups.row(scope.key, "ai"),
                groups.row(scope.key, "human"),
                levels.get((scope.slice, scope.deployment, "ai", None)),
                levels.get((scope.slice, scope.deployment, "human", None)),
            )
            if rows is not None:
                items.append((scope, rows))
        if items:
            contrast = _contrast(spec, groups, [rows for _, rows in items], alpha)
            found += _tested(
                "ai_segment_gap", spec, [s for s, _ in items], contrast, ("ai", "human"), groups
            )
    return found


def segment_model_changes(
    by_version: Groups, chains: dict[str, list[str]], alpha: float
) -> list[Tested]:
    """The AI's change at each model-version switch in a segment against the change elsewhere."""
    found: list[Tested] = []
    levels = _levels(by_version)
    for spec in COMPARED_METRICS:
        if "ai" not in spec.handlers:
            continue
        items = []
        for scope in by_version.each_scope():
            if len(scope.segment) != 1:
                continue
            versions = chains.get(scope.deployment, [])
            for before, after in zip(versions, versions[1:], strict=False):
                rows = _four(
                    by_version.row(scope.key, "ai", after),
                    by_version.row(scope.key, "ai", before),
                    levels.get((scope.slice, scope.deployment, "ai", after)),
                    levels.get((scope.slice, scope.deployment, "ai", before)),
                )
                if rows is not None:
                    items.append((scope, rows, [before, after]))
        if items:
            contrast = _contrast(spec, by_version, [rows for _, rows, _ in items], alpha)
            tested = _tested(
                "segment_model_change",
                spec,
                [s for s, _, _ in items],
                contrast,
                ("after", "before"),
                by_version,
            )
            for t, (_, _, versions) in zip(tested, items, strict=True):
                t.versions = versions
            found += tested
    return found


# Side a and b in the segment (one row each), and in every level of its column (rows).
_Rows = tuple[int, int, list[int], list[int]]
_LevelKey = tuple[str, str, str, str | None]  # slice, deployment, handler, model version


def _levels(groups: Groups) -> dict[_LevelKey, list[int]]:
    """The rows of every level of each one-column slice, per deployment, handler, version."""
    out: dict[_LevelKey, list[int]] = {}
    for (key, handler, version), row in groups.rows.items():
        slice_name, segment, deployment = key
        if len(segment) == 1:
            out.setdefault((slice_name, deployment, handler, version), []).append(row)
    return out


def _four(a: int | None, b: int | None, c: list[int] | None, d: list[int] | None) -> _Rows | None:
    if a is None or b is None or c is None or d is None:
        return None
    return a, b, c, d


def _summed(values: MetricValues, rows: Sequence[list[int]]) -> Counts:
    """Counts of each group of rows, summed (the statistics are additive)."""
    index = np.asarray([r for group in rows for r in group], dtype=np.int64)
    starts = np.cumsum([0, *(len(group) for group in rows[:-1])], dtype=np.int64)
    parts = counts_at(values, index.tolist())

    def add(column: FloatArray | None) -> FloatArray | None:
        return None if column is None else np.add.reduceat(column, starts)

    return Counts(
        n=np.add.reduceat(parts.n, starts),
        successes=add(parts.successes),
        total=add(parts.total),
        total_sq=add(parts.total_sq),
        log_total=add(parts.log_total),
        log_total_sq=add(parts.log_total_sq),
    )


def _contrast(spec: MetricSpec, groups: Groups, rows: Sequence[_Rows], alpha: float) -> _Contrast:
    values = groups.values(spec)
    a_here = counts_at(values, [r[0] for r in rows])
    b_here = counts_at(values, [r[1] for r in rows])
    a_all = _summed(values, [r[2] for r in rows])
    b_all = _summed(values, [r[3] for r in rows])
    sides = (a_here, b_here, subtract(a_all, a_here), subtract(b_all, b_here))
    kind = kind_of(spec)
    if kind is Kind.RATE:
        x, n = [_successes(side) for side in sides], [side.n for side in sides]
        result = interaction_difference(x[0], n[0], x[1], n[1], x[2], n[2], x[3], n[3], alpha)
        estimate, low, high, p = result.estimate, result.low, result.high, result.p_value
        means = [side.estimate(kind) for side in sides]
    else:
        # Durations are compared as ratios: the interaction is taken on the log scale, where
        # a segment that slows everyone alike shows no gap.
        logged = tuple(_logs(c) for c in sides) if kind is Kind.LOG_MEAN else sides
        estimate, low, high, p = _mean_interaction(logged, z_quantile(alpha))
        means = [side.estimate(Kind.MEAN) for side in logged]
    return _Contrast(
        estimate=estimate,
        low=low,
        high=high,
        p_value=p,
        gaps=(means[0] - means[1], means[2] - means[3]),
        here=compare(kind, sides[0], sides[1], alpha),
        elsewhere=compare(kind, sides[2], sides[3], alpha),
        sides=sides,
    )


def _tested(
    kind: str,
    spec: MetricSpec,
    scopes: list[Scope],
    c: _Contrast,
    labels: tuple[str, str],
    groups: Groups,
) -> list[Tested]:
    found = []
    window = groups.window()
    for i, scope in enumerate(scopes):
        n = [float(side.n[i]) for side in c.sides]
        estimate, p = float(c.estimate[i]), float(c.p_value[i])
        low, high = float(c.elsewhere.difference.low[i]), float(c.elsewhere.difference.high[i])
        inside = Inside(
            labels=labels,
            here=(float(c.here.a[i]), float(c.here.b[i])),
            n_here=(n[0], n[1]),
            elsewhere=(float(c.elsewhere.a[i]), float(c.elsewhere.b[i])),
            n_elsewhere=(n[2], n[3]),
            ratio=_ratio(c.here, i),
            ratio_elsewhere=_ratio(c.elsewhere, i),
            level_elsewhere=bool(low <= 0.0 <= high),
        )
        found.append(
            Tested(
                kind=kind,
                spec=spec,
                scope=scope,
                labels=("gap in segment", "gap elsewhere")
                if kind == "ai_segment_gap"
                else ("change in segment", "change elsewhere"),
                estimate=(float(c.gaps[0][i]), float(c.gaps[1][i])),
                n=(n[0] + n[1], n[2] + n[3]),
                difference=estimate,
                low=float(c.low[i]),
                high=float(c.high[i]),
                p_value=p,
                sufficient=all(x >= spec.min_n for x in n) and math.isfinite(p),
                worse=is_worse(spec, estimate),
                windows=window,
                inside=inside,
            )
        )
    return found


def _ratio(compared: Compared, i: int) -> tuple[float, float, float] | None:
    if compared.ratio is None:
        return None
    r = compared.ratio
    return float(r.estimate[i]), float(r.low[i]), float(r.high[i])


def _successes(counts: Counts) -> FloatArray:
    if counts.successes is None:
        raise ValueError("a rate comparison needs success counts")
    return counts.successes


def _logs(counts: Counts) -> Counts:
    return Counts(n=counts.n, total=counts.log_total, total_sq=counts.log_total_sq)


def _mean_interaction(
    sides: tuple[Counts, ...], z: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(a - b in segment) - (a - b elsewhere) for means, with a normal (Wald) interval."""
    means, variances = [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        for side in sides:
            if side.total is None or side.total_sq is None:
                raise ValueError("a mean comparison needs sums and sums of squares")
            n = side.n
            mean = side.total / n
            variance = np.maximum(side.total_sq - n * mean * mean, 0.0) / (n - 1)
            means.append(np.where(n >= 2, mean, np.nan))
            variances.append(np.where(n >= 2, variance / n, np.nan))
        estimate = (means[0] - means[1]) - (means[2] - means[3])
        se = np.sqrt(sum(variances, start=np.zeros_like(estimate)))
        usable = np.isfinite(se) & (se > 0)
        p = np.where(usable, normal_two_sided_p(np.where(usable, estimate / se, 0.0)), np.nan)
        low = np.where(usable, estimate - z * se, np.nan)
        high = np.where(usable, estimate + z * se, np.nan)
    return estimate, low, high, p
