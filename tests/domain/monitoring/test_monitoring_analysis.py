"""The monitoring analysis on a hand-made cell table, checked against statsmodels."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from cxsteward.domain.metrics import (
    STAT_COLUMNS,
    CellTable,
    Window,
    flag_n,
    flag_true,
    roll_up,
)
from cxsteward.domain.monitoring.analyse import Analysis, analyse
from cxsteward.domain.thresholds import Threshold

DAYS = range(20_000, 20_010)  # ten days
# Per day and language: (contacts, complaints, csat surveyed, csat satisfied, escalated)
PER_DAY = {
    ("human", "en"): (100, 5, 30, 24, 10),
    ("human", "es"): (50, 3, 15, 12, 5),
    ("ai", "en"): (120, 6, 36, 29, 12),
    ("ai", "es"): (60, 9, 18, 9, 6),
}
SWITCH_DAY = 20_005  # the AI moves from v1 to v2; escalations of the AI in English rise


def rows() -> Iterator[tuple[str, str | None, int, str, str | None, dict[str, float]]]:
    for day in DAYS:
        for (handler, language), (n, complaints, csat_n, satisfied, escalated) in PER_DAY.items():
            version = None if handler == "human" else ("v1" if day < SWITCH_DAY else "v2")
            if handler == "ai" and language == "en" and day >= SWITCH_DAY:
                escalated = 30
            stats = dict.fromkeys(STAT_COLUMNS, 0.0)
            stats["n"] = n
            stats[flag_n("complaint")], stats[flag_true("complaint")] = n, complaints
            stats[flag_n("escalated")], stats[flag_true("escalated")] = n, escalated
            stats["csat_n"], stats["csat_satisfied"] = csat_n, satisfied
            stats["csat_sum"], stats["csat_sumsq"] = satisfied * 4.5 + (csat_n - satisfied) * 2, 0
            if handler == "human":  # resolution is only recorded for human contacts
                stats[flag_n("resolved_first_contact")] = n
                stats[flag_true("resolved_first_contact")] = int(n * 0.7)
            for slice_name, value in (("overall", None), ("language", language)):
                yield slice_name, value, day, handler, version, stats


def cells() -> CellTable:
    table = list(rows())
    merged: dict[tuple[object, ...], dict[str, float]] = {}
    for slice_name, value, day, handler, version, stats in table:
        key = (slice_name, value, day, handler, version)
        bucket = merged.setdefault(key, dict.fromkeys(STAT_COLUMNS, 0.0))
        for column, amount in stats.items():
            bucket[column] += amount
    keys = list(merged)
    return CellTable(
        slice=np.asarray([k[0] for k in keys], dtype=object),
        day=np.asarray([k[2] for k in keys], dtype=np.int64),
        handler=np.asarray([k[3] for k in keys], dtype=object),
        deployment=np.asarray(["chat"] * len(keys), dtype=object),
        model_version=np.asarray([k[4] for k in keys], dtype=object),
        segments={"language": np.asarray([k[1] for k in keys], dtype=object)},
        stats={c: np.asarray([merged[k][c] for k in keys], dtype=np.float64) for c in STAT_COLUMNS},
    )


def run(rules: list[Threshold] | None = None) -> Analysis:
    table = cells()
    first_seen = {("chat", "v1"): DAYS[0], ("chat", "v2"): SWITCH_DAY}
    return analyse(
        roll_up(table, Window.ALL),
        roll_up(table, Window.DAY),
        roll_up(table, Window.ALL, by_model_version=True),
        first_seen,
        rules or [],
        lambda rule, scope: None,
    )


def totals(handler: str, language: str, column: int) -> int:
    return PER_DAY[(handler, language)][column] * len(DAYS)


def test_ai_vs_human_matches_statsmodels() -> None:
    analysis = run()
    tested = next(
        t
        for t in analysis.comparisons
        if t.kind == "ai_vs_human_gap"
        and t.spec.name == "complaint_rate"
        and t.scope.segment == {"language": "es"}
    )
    x_ai, n_ai = totals("ai", "es", 1), totals("ai", "es", 0)
    x_h, n_h = totals("human", "es", 1), totals("human", "es", 0)
    low, high = confint_proportions_2indep(x_ai, n_ai, x_h, n_h, method="newcomb", compare="diff")
    assert tested.difference == pytest.approx(x_ai / n_ai - x_h / n_h)
    assert (tested.low, tested.high) == (pytest.approx(low), pytest.approx(high))
    _, p = proportions_ztest([x_ai, x_h], [n_ai, n_h])
    assert tested.p_value == pytest.approx(p)
    assert tested.n == (n_ai, n_h) and tested.worse


def test_q_values_are_bh_across_the_whole_run() -> None:
    analysis = run()
    usable = [t for t in analysis.comparisons if t.sufficient]
    expected = multipletests([t.p_value for t in usable], method="fdr_bh")[1]
    assert [t.q_value for t in usable] == pytest.approx(list(expected))
    assert {t.kind for t in usable} == {
        "ai_vs_human_gap",
        "ai_segment_gap",
        "model_change",
        "segment_model_change",
    }


def test_segment_gap_is_an_interaction() -> None:
    analysis = run()
    gap = next(
        t
        for t in analysis.comparisons
        if t.kind == "ai_segment_gap"
        and t.spec.name == "csat_satisfied_rate"
        and t.scope.segment == {"language": "es"}
    )
    p = {k: totals(*k, 3) / totals(*k, 2) for k in PER_DAY}
    n = {k: totals(*k, 2) for k in PER_DAY}
    expected = (p["ai", "es"] - p["human", "es"]) - (p["ai", "en"] - p["human", "en"])
    se = math.sqrt(sum(p[k] * (1 - p[k]) / n[k] for k in PER_DAY))
    assert gap.difference == pytest.approx(expected)
    assert gap.high - gap.low == pytest.approx(2 * 1.959963984540054 * se)
    assert gap.worse
    finding = next(
        f
        for f in analysis.findings
        if f.kind == "ai_segment_gap" and f.metric == "csat_satisfied_rate"
    )
    assert finding.scope == {"language": "es"} and finding.q_value is not None
    assert finding.q_value <= 0.05


def test_model_change_before_and_after() -> None:
    analysis = run()
    change = next(
        t
        for t in analysis.comparisons
        if t.kind == "model_change"
        and t.spec.name == "escalation_rate"
        and t.scope.segment == {"language": "en"}
    )
    before = 12 * 5 / (120 * 5)
    after = 30 * 5 / (120 * 5)
    assert change.versions == ["v1", "v2"]
    assert change.estimate == (pytest.approx(after), pytest.approx(before))
    low, high = confint_proportions_2indep(150, 600, 60, 600, method="newcomb", compare="diff")
    assert (change.low, change.high) == (pytest.approx(low), pytest.approx(high))
    assert any(
        f.kind == "model_change" and f.metric == "escalation_rate" for f in analysis.findings
    )


def rule(**changes: object) -> Threshold:
    base: dict[str, object] = {
        "id": "complaints-es",
        "metric": "complaint_rate",
        "direction": "above",
        "ratio": 1.5,
        "segment": {"language": "es"},
        "min_n": 100,
        "severity": "sev2",
        "action": "escalate",
    }
    return Threshold.model_validate(base | changes)


def complaint_ratio_interval() -> tuple[float, float]:
    x_ai, n_ai = totals("ai", "es", 1), totals("ai", "es", 0)
    x_h, n_h = totals("human", "es", 1), totals("human", "es", 0)
    table = Table2x2(np.array([[x_ai, n_ai - x_ai], [x_h, n_h - x_h]]), shift_zeros=False)
    low, high = table.riskratio_confint()
    return float(low), float(high)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "confirmed"),  # ratio 2.5, interval wholly above 1.5
        ({"ratio": 2.4}, "suspected"),  # the point is above 2.4, the interval is not
        ({"ratio": 3.0}, "ok"),
        ({"min_n": 10_000}, "insufficient"),
        ({"direction": "below", "ratio": 1.0, "segment": {"language": "en"}}, "ok"),
    ],
    ids=["confirmed", "suspected", "ok", "insufficient", "other-segment"],
)
def test_threshold_verdicts(changes: dict[str, object], expected: str) -> None:
    analysis = run([rule(**changes)])
    (evaluation,) = analysis.evaluations
    assert evaluation.status == expected
    low, high = complaint_ratio_interval()
    if "segment" not in changes:
        assert evaluation.effect == pytest.approx(2.5)
        assert (evaluation.low, evaluation.high) == (pytest.approx(low), pytest.approx(high))
    assert low > 1.5 and low < 2.4 < 2.5  # the cases above rest on these facts
    breaches = [f for f in analysis.findings if f.kind == "threshold_breach"]
    if expected in {"confirmed", "suspected"}:
        (finding,) = breaches
        assert finding.status == expected and finding.severity == "sev2"
        assert finding.threshold == "complaints-es" and finding.action == "escalate"
        assert finding.n == {"ai": 600, "human": 500}
    else:
        assert breaches == []


def test_points_threshold_against_humans() -> None:
    satisfied = rule(
        id="csat-es",
        metric="csat_satisfied_rate",
        direction="below",
        ratio=None,
        points=5,
        min_n=50,
    )
    (evaluation,) = run([satisfied]).evaluations
    ai = totals("ai", "es", 3) / totals("ai", "es", 2)
    human = totals("human", "es", 3) / totals("human", "es", 2)
    assert evaluation.effect == pytest.approx(ai - human)  # 50% against 80%: -30 points
    assert evaluation.limit == pytest.approx(-0.05)
    assert evaluation.status == "confirmed"


def test_absolute_threshold_uses_the_ai_alone() -> None:
    absolute = rule(id="complaints-abs", compare_to="absolute", ratio=None, value=0.10, segment={})
    (evaluation,) = run([absolute]).evaluations
    x = totals("ai", "en", 1) + totals("ai", "es", 1)
    n = totals("ai", "en", 0) + totals("ai", "es", 0)
    assert evaluation.effect == pytest.approx(x / n)  # 8.3%: below 10%
    assert evaluation.status == "ok"


def test_metric_recorded_for_one_handler_only_is_a_data_quality_finding() -> None:
    quality = [f for f in run().findings if f.kind == "data_quality"]
    assert [(f.metric, f.n) for f in quality] == [
        ("first_contact_resolution", {"human": 1500, "ai": 0})
    ]


def test_constant_days_are_not_over_dispersed() -> None:
    analysis = run()
    tested = next(
        t
        for t in analysis.comparisons
        if t.kind == "ai_vs_human_gap" and t.spec.name == "complaint_rate" and not t.scope.segment
    )
    x_ai = totals("ai", "en", 1) + totals("ai", "es", 1)
    n_ai = totals("ai", "en", 0) + totals("ai", "es", 0)
    x_h = totals("human", "en", 1) + totals("human", "es", 1)
    n_h = totals("human", "en", 0) + totals("human", "es", 0)
    low, _ = confint_proportions_2indep(x_ai, n_ai, x_h, n_h, method="newcomb", compare="diff")
    assert tested.low == pytest.approx(low)  # phi = 1: no widening


def test_over_dispersed_days_widen_the_interval() -> None:
    # Complaints swing from day to day far more than binomial noise allows.
    daily_ai = [(100, 2), (100, 15), (100, 3), (100, 12), (100, 1), (100, 14)]
    daily_h = [(100, 5), (100, 6), (100, 4), (100, 5), (100, 6), (100, 4)]
    keys, stats = [], []
    for day, ((n_a, x_a), (n_h, x_h)) in enumerate(zip(daily_ai, daily_h, strict=True)):
        for handler, n, x in (("ai", n_a, x_a), ("human", n_h, x_h)):
            row = dict.fromkeys(STAT_COLUMNS, 0.0)
            row["n"], row[flag_n("complaint")], row[flag_true("complaint")] = n, n, x
            keys.append((20_000 + day, handler))
            stats.append(row)
    table = CellTable(
        slice=np.asarray(["overall"] * len(keys), dtype=object),
        day=np.asarray([k[0] for k in keys], dtype=np.int64),
        handler=np.asarray([k[1] for k in keys], dtype=object),
        deployment=np.asarray(["chat"] * len(keys), dtype=object),
        model_version=np.asarray([None] * len(keys), dtype=object),
        segments={},
        stats={c: np.asarray([r[c] for r in stats], dtype=np.float64) for c in STAT_COLUMNS},
    )
    analysis = analyse(
        roll_up(table, Window.ALL), roll_up(table, Window.DAY), None, {}, [], lambda r, s: None
    )
    tested = next(
        t
        for t in analysis.comparisons
        if t.kind == "ai_vs_human_gap" and t.spec.name == "complaint_rate"
    )

    def phi(days: list[tuple[int, int]]) -> float:
        n = np.asarray([d[0] for d in days], dtype=float)
        x = np.asarray([d[1] for d in days], dtype=float)
        p = x.sum() / n.sum()
        chi2 = (((x - n * p) ** 2) / (n * p * (1 - p))).sum()
        return max(1.0, chi2 / (len(days) - 1))

    phi_ai, phi_h = phi(daily_ai), phi(daily_h)
    assert phi_ai > 4 and phi_h == 1.0
    low, high = confint_proportions_2indep(
        47 / phi_ai, 600 / phi_ai, 30 / phi_h, 600 / phi_h, method="newcomb", compare="diff"
    )
    assert (tested.low, tested.high) == (pytest.approx(low), pytest.approx(high))
    assert tested.difference == pytest.approx(47 / 600 - 30 / 600)
    narrow_low, _ = confint_proportions_2indep(47, 600, 30, 600, method="newcomb")
    assert tested.low < narrow_low
