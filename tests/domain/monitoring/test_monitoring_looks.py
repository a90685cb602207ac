"""Daily looks after a model switch: the always-valid sequence, checked by hand, finds a real
change, stays quiet on none, and keeps false alarms at alpha where repeated fixed tests do not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportions_ztest

from cxsteward.domain.metrics import STAT_COLUMNS, CellTable, Window, flag_n, flag_true, roll_up
from cxsteward.domain.monitoring.analyse import analyse
from cxsteward.domain.monitoring.comparisons import model_changes
from cxsteward.domain.monitoring.groups import Dispersion, Groups
from cxsteward.domain.monitoring.looks import TUNED_DAYS, Looks, watch_switches

DAY0 = 20_000
BEFORE_DAYS = 20


def cells(before: list[int], after: list[int], n: int = 400) -> CellTable:
    """Escalations of the AI per day: ``before`` on v1, then ``after`` on v2 (n contacts a day)."""
    rows = []
    for day, (x, version) in enumerate([(x, "v1") for x in before] + [(x, "v2") for x in after]):
        row = dict.fromkeys(STAT_COLUMNS, 0.0)
        row["n"], row[flag_n("escalated")], row[flag_true("escalated")] = n, n, x
        rows.append((DAY0 + day, version, row))
    return CellTable(
        slice=np.asarray(["overall"] * len(rows), dtype=object),
        day=np.asarray([r[0] for r in rows], dtype=np.int64),
        handler=np.asarray(["ai"] * len(rows), dtype=object),
        deployment=np.asarray(["chat"] * len(rows), dtype=object),
        model_version=np.asarray([r[1] for r in rows], dtype=object),
        segments={},
        stats={c: np.asarray([r[2][c] for r in rows], dtype=np.float64) for c in STAT_COLUMNS},
    )


def first_seen(before: list[int]) -> dict[tuple[str, str], int]:
    return {("chat", "v1"): DAY0, ("chat", "v2"): DAY0 + len(before)}


def looks_of(table: CellTable, seen: dict[tuple[str, str], int], alpha: float = 0.05) -> Looks:
    tested = model_changes(
        Groups(roll_up(table, Window.ALL, by_model_version=True)), {"chat": ["v1", "v2"]}, alpha
    )
    escalation = [t for t in tested if t.spec.name == "escalation_rate"]
    verdicts = watch_switches(escalation, Dispersion(roll_up(table, Window.DAY)), seen, alpha)
    return verdicts[0]


def radius(n: float, alpha: float, rho: float) -> float:
    """Howard et al. (2021) normal-mixture radius for a [0, 1] mean, written out by hand."""
    v = n / 4
    return math.sqrt((v + rho) * math.log((v + rho) / (rho * alpha**2))) / n


def test_sequence_at_the_last_look_matches_the_hand_formula() -> None:
    before, after = [40] * BEFORE_DAYS, [60] * 10  # constant days: no over-dispersion
    verdict = looks_of(cells(before, after), first_seen(before))
    n_before, n_after = 400 * BEFORE_DAYS, 400 * 10
    alpha = 0.05
    r = 2 * math.log(1 / alpha)
    for _ in range(200):
        r = 2 * math.log(1 / alpha) + math.log(1 + r)
    rho = (n_before / BEFORE_DAYS * TUNED_DAYS) / 4 / r
    width = radius(n_after, alpha / 2, rho) + radius(n_before, alpha / 2, rho)
    difference = 60 / 400 - 40 / 400
    assert verdict.looks == 10
    assert verdict.low == pytest.approx(difference - width)
    assert verdict.high == pytest.approx(difference + width)
    assert verdict.excludes_no_change


def test_first_detection_is_the_first_day_the_sequence_clears_zero() -> None:
    before, after = [40] * BEFORE_DAYS, [60] * 10
    verdict = looks_of(cells(before, after), first_seen(before))
    n_before, alpha = 400 * BEFORE_DAYS, 0.05
    r = 2 * math.log(1 / alpha)
    for _ in range(200):
        r = 2 * math.log(1 / alpha) + math.log(1 + r)
    rho = (n_before / BEFORE_DAYS * TUNED_DAYS) / 4 / r
    first = next(
        k
        for k in range(1, 11)
        if 0.05 - radius(400 * k, alpha / 2, rho) - radius(n_before, alpha / 2, rho) > 0
    )
    expected = np.datetime64("1970-01-01") + np.timedelta64(DAY0 + BEFORE_DAYS + first - 1, "D")
    assert verdict.first_detected == str(expected)


def test_no_change_stays_quiet_in_the_findings() -> None:
    rng = np.random.default_rng(11)
    before = rng.binomial(400, 0.10, BEFORE_DAYS).tolist()
    after = rng.binomial(400, 0.10, 15).tolist()
    table = cells(before, after)
    analysis = analyse(
        roll_up(table, Window.ALL),
        roll_up(table, Window.DAY),
        roll_up(table, Window.ALL, by_model_version=True),
        first_seen(before),
        [],
        lambda rule, scope: None,
    )
    assert [f for f in analysis.findings if f.kind == "model_change"] == []


def test_a_real_change_is_a_finding_with_its_detection_day() -> None:
    rng = np.random.default_rng(5)
    before = rng.binomial(400, 0.10, BEFORE_DAYS).tolist()
    after = rng.binomial(400, 0.16, 15).tolist()
    table = cells(before, after)
    analysis = analyse(
        roll_up(table, Window.ALL),
        roll_up(table, Window.DAY),
        roll_up(table, Window.ALL, by_model_version=True),
        first_seen(before),
        [],
        lambda rule, scope: None,
    )
    found = [f for f in analysis.findings if f.kind == "model_change" and f.model_versions]
    escalation = next(f for f in found if f.metric == "escalation_rate")
    assert "detected" in escalation.windows
    assert escalation.windows["detected"] >= str(
        np.datetime64("1970-01-01") + np.timedelta64(DAY0 + BEFORE_DAYS, "D")
    )
    assert "confidence sequence" in escalation.rule


def test_daily_looks_keep_false_alarms_at_alpha_where_repeated_fixed_tests_do_not() -> None:
    """Over 300 null switches, each looked at daily for 30 days."""
    rng = np.random.default_rng(2026)
    runs, days, alpha = 300, 30, 0.05
    sequence_alarms = fixed_alarms = 0
    for _ in range(runs):
        before = rng.binomial(200, 0.10, BEFORE_DAYS).tolist()
        after = rng.binomial(200, 0.10, days).tolist()
        table = cells(before, after, n=200)
        verdict = looks_of(table, first_seen(before), alpha)
        sequence_alarms += verdict.first_detected is not None
        # What a naive daily monitor does: a fresh two-sided z-test on all data so far, each day.
        x_before, n_before = sum(before), 200 * BEFORE_DAYS
        cumulative = np.cumsum(after)
        for k in range(1, days + 1):
            _, p = proportions_ztest([cumulative[k - 1], x_before], [200 * k, n_before])
            if p < alpha and cumulative[k - 1] / (200 * k) > x_before / n_before:
                fixed_alarms += 1
                break
    # One-sided alarms (only "worse" counts): the sequence stays at or below alpha ...
    assert sequence_alarms / runs <= alpha
    # ... while peeking with a fixed test, even one-sided, goes well beyond alpha / 2.
    assert fixed_alarms / runs > 1.5 * alpha / 2
