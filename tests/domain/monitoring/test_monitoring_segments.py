"""Signals confined to one segment: the interaction tests checked against statsmodels GLMs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from cxsteward.domain.metrics import STAT_COLUMNS, CellTable, Window, flag_n, flag_true, roll_up
from cxsteward.domain.monitoring import comparisons
from cxsteward.domain.monitoring.analyse import Analysis, analyse

DAYS = range(20_000, 20_010)
SWITCH = 20_005
# (handler, language) -> (contacts a day, escalations a day before, after the switch)
CONFINED = {
    ("ai", "en"): (200, 20, 20),
    ("ai", "es"): (100, 10, 30),  # the new model escalates three times as often in Spanish
    ("ai", "(missing)"): (60, 6, 6),
    ("human", "en"): (150, 15, 15),
    ("human", "es"): (80, 8, 8),
    ("human", "(missing)"): (40, 4, 4),
}
# The same switch moving every language alike: nothing particular to a segment.
UNIFORM = {
    k: (n, before, before * 2) if k[0] == "ai" else (n, before, after)
    for k, (n, before, after) in CONFINED.items()
}


def cells(plan: dict[tuple[str, str], tuple[int, int, int]]) -> CellTable:
    merged: dict[tuple[object, ...], dict[str, float]] = {}
    for day in DAYS:
        for (handler, language), (n, before, after) in plan.items():
            version = None if handler == "human" else ("v1" if day < SWITCH else "v2")
            escalated = after if day >= SWITCH else before
            for slice_name, value in (("overall", None), ("language", language)):
                bucket = merged.setdefault(
                    (slice_name, value, day, handler, version), dict.fromkeys(STAT_COLUMNS, 0.0)
                )
                bucket["n"] += n
                bucket[flag_n("escalated")] += n
                bucket[flag_true("escalated")] += escalated
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


def run(plan: dict[tuple[str, str], tuple[int, int, int]]) -> Analysis:
    table = cells(plan)
    return analyse(
        roll_up(table, Window.ALL),
        None,
        roll_up(table, Window.ALL, by_model_version=True),
        {("chat", "v1"): DAYS[0], ("chat", "v2"): SWITCH},
        [],
        lambda rule, scope: None,
    )


def pick(analysis: Analysis, kind: str, language: str) -> comparisons.Tested:
    return next(
        t
        for t in analysis.comparisons
        if t.kind == kind
        and t.spec.name == "escalation_rate"
        and t.scope.segment == {"language": language}
    )


def grouped(plan: dict[tuple[str, str], tuple[int, int, int]], handler: str) -> pd.DataFrame:
    """Per language and period: escalations and contacts, the whole period's sums."""
    days = len(DAYS) / 2
    rows = []
    for (h, language), (n, before, after) in plan.items():
        if h == handler:
            rows.append({"language": language, "after": 0, "x": before * days, "n": n * days})
            rows.append({"language": language, "after": 1, "x": after * days, "n": n * days})
    return pd.DataFrame(rows)


def linear_probability(frame: pd.DataFrame, formula: str) -> Any:
    """OLS on one row per contact with HC0 (White) errors: in a saturated design its
    interaction is the difference in differences, with the variance sum p(1 - p) / n."""
    rows = frame.loc[frame.index.repeat(frame["n"].astype(int))].copy()
    rank = rows.groupby(level=0).cumcount()
    rows["y"] = (rank < rows["x"].to_numpy()).astype(float)
    return smf.ols(formula, rows.reset_index(drop=True)).fit(cov_type="HC0")


def test_a_confined_model_change_matches_a_glm_interaction() -> None:
    analysis = run(CONFINED)
    change = pick(analysis, "segment_model_change", "es")
    frame = grouped(CONFINED, "ai").assign(es=lambda f: (f["language"] == "es").astype(int))
    # "Elsewhere" pools en and (missing): collapse them into one group as the test does.
    frame = frame.groupby(["es", "after"], as_index=False)[["x", "n"]].sum()
    fit = linear_probability(frame, "y ~ es * after")
    low, high = fit.conf_int().loc["es:after"]
    assert change.difference == pytest.approx(fit.params["es:after"])
    assert (change.low, change.high) == (pytest.approx(low), pytest.approx(high))
    assert change.p_value == pytest.approx(fit.pvalues["es:after"])
    assert change.difference == pytest.approx(0.2) and change.worse
    finding = next(
        f for f in analysis.findings if f.kind == "model_change" and f.scope == {"language": "es"}
    )
    assert finding.model_versions == ["v1", "v2"]
    assert finding.estimate["before"] == pytest.approx(0.1)
    assert finding.estimate["after"] == pytest.approx(0.3)
    assert finding.message == (
        "es: the AI's escalation rate went from 10.0% on v1 to 30.0% on v2 (+20.0 points); "
        "elsewhere it held level (chat)."
    )
    overall = next(f for f in analysis.findings if f.kind == "model_change" and not f.scope)
    assert "Driven by es (+20.0 points there against +0.0 points elsewhere)" in overall.message


def test_a_uniform_model_change_names_no_segment() -> None:
    analysis = run(UNIFORM)
    for language in ("en", "es", "(missing)"):
        change = pick(analysis, "segment_model_change", language)
        assert change.difference == pytest.approx(0.0, abs=1e-12)
    changes = [f for f in analysis.findings if f.kind == "model_change"]
    assert [f.scope for f in changes] == [{}]
    assert "Driven by" not in changes[0].message


def test_the_missing_level_is_compared_like_any_other() -> None:
    analysis = run(CONFINED)
    gap = pick(analysis, "ai_segment_gap", "(missing)")
    p = {k: v[1] / v[0] for k, v in CONFINED.items()}  # before the switch
    ai = (6 * 5 + 6 * 5) / (60 * 10)
    human = p["human", "(missing)"]
    # Elsewhere: en and es pooled, before and after.
    ai_rest = (20 * 10 + 10 * 5 + 30 * 5) / (300 * 10)
    human_rest = (15 * 10 + 8 * 10) / (230 * 10)
    assert gap.difference == pytest.approx((ai - human) - (ai_rest - human_rest))
    assert gap.inside is not None and gap.inside.here == (pytest.approx(ai), pytest.approx(human))
    variance = sum(
        q * (1 - q) / n for q, n in ((ai, 600), (human, 400), (ai_rest, 3000), (human_rest, 2300))
    )
    assert gap.high - gap.low == pytest.approx(2 * 1.959963984540054 * math.sqrt(variance))


def test_findings_come_largest_impact_first() -> None:
    analysis = run(CONFINED)
    impacts = [f.impact for f in analysis.findings]
    assert all(i is not None for i in impacts)
    assert impacts == sorted(impacts, reverse=True)
    overall = next(f for f in analysis.findings if f.kind == "model_change" and not f.scope)
    # AI contacts after the switch x the change in escalation rate, by hand.
    after, before = (20 + 30 + 6) * 5 / (360 * 5), (20 + 10 + 6) * 5 / (360 * 5)
    assert overall.impact == pytest.approx(360 * 5 * (after - before))
