"""Evaluate threshold rules against the comparator each one names."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from cxsteward.domain.metrics import metric
from cxsteward.domain.monitoring.counts import Compared, Counts, Kind, compare, interval
from cxsteward.domain.monitoring.groups import Groups, Scope, counts_at, kind_of
from cxsteward.domain.monitoring.verdict import Status, judge
from cxsteward.domain.thresholds import Comparator, Threshold

BaselineLookup = Callable[[Threshold, Scope], Counts | None]


@dataclass(frozen=True)
class Evaluation:
    """One rule in one scope: every evaluation is reported, insufficient ones included."""

    rule: Threshold
    scope: Scope
    status: Status
    effect_name: str
    effect: float
    low: float
    high: float
    p_value: float
    limit: float
    estimate: tuple[float, float | None]
    n: tuple[float, float | None]
    versions: list[str]


def evaluate_rules(
    rules: list[Threshold],
    groups: Groups,
    by_version: Groups | None,
    versions: dict[str, list[str]],
    baseline: BaselineLookup,
    alpha: float,
) -> list[Evaluation]:
    """Each rule in each scope it covers."""
    out: list[Evaluation] = []
    for rule in rules:
        spec = metric(rule.metric)
        kind = kind_of(spec)
        for scope in groups.each_scope():
            if scope.segment != rule.segment:
                continue
            if rule.deployment is not None and scope.deployment != rule.deployment:
                continue
            ai_row = groups.row(scope.key, "ai")
            if ai_row is None:
                continue
            values = groups.values(spec)
            ai = counts_at(values, [ai_row])
            other: Counts | None = None
            used: list[str] = []
            if rule.compare_to is Comparator.HUMAN:
                row = groups.row(scope.key, "human")
                other = counts_at(values, [row]) if row is not None else None
            elif rule.compare_to is Comparator.BASELINE:
                other = baseline(rule, scope)
            elif rule.compare_to is Comparator.PREVIOUS_MODEL and by_version is not None:
                chain = versions.get(scope.deployment, [])
                if len(chain) >= 2:
                    used = chain[-2:]
                    rows = [by_version.row(scope.key, "ai", v) for v in used]
                    if rows[0] is not None and rows[1] is not None:
                        version_values = by_version.values(spec)
                        ai = counts_at(version_values, [rows[1]])
                        other = counts_at(version_values, [rows[0]])
            compared: Compared | None = None
            if rule.compare_to is Comparator.ABSOLUTE:
                verdicts = judge(rule, kind, ai.n, None, alone=interval(kind, ai, alpha))
                other_estimate: float | None = None
                other_n: float | None = None
            elif other is None or float(other.n[0]) == 0:
                out.append(_missing(rule, scope, ai, kind, used))
                continue
            else:
                compared = compare(kind, ai, other, alpha)
                verdicts = judge(rule, kind, ai.n, other.n, compared=compared)
                other_estimate = float(compared.b[0])
                other_n = float(other.n[0])
            out.append(
                Evaluation(
                    rule=rule,
                    scope=scope,
                    status=verdicts.status[0],
                    effect_name=verdicts.effect_name,
                    effect=float(verdicts.effect[0]),
                    low=float(verdicts.low[0]),
                    high=float(verdicts.high[0]),
                    p_value=float(verdicts.p_value[0]),
                    limit=verdicts.limit,
                    estimate=(float(ai.estimate(kind)[0]), other_estimate),
                    n=(float(ai.n[0]), other_n),
                    versions=used,
                )
            )
    return out


def _missing(rule: Threshold, scope: Scope, ai: Counts, kind: Kind, used: list[str]) -> Evaluation:
    # No comparator at all (no humans here, no such baseline, no earlier model): say so.
    estimate = float(ai.estimate(kind)[0])
    return Evaluation(
        rule=rule,
        scope=scope,
        status="insufficient",
        effect_name="difference",
        effect=math.nan,
        low=math.nan,
        high=math.nan,
        p_value=math.nan,
        limit=math.nan,
        estimate=(estimate, None),
        n=(float(ai.n[0]), 0.0),
        versions=used,
    )
