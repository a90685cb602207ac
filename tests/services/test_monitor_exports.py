"""Monitoring on real exports (issue 11): blank segments, changing layouts, localized signals.

The store is built the way a user builds it: a CSV and a Parquet export written with pandas,
loaded through their mappings. The planted truth is computed from the generated frames with
pandas and statsmodels, never read back from the product.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exports_world import World, load_months
from statsmodels.stats.contingency_tables import Table2x2

from cxsteward.config import Settings
from cxsteward.domain.monitoring.findings import Finding
from cxsteward.services.monitoring.baselines import baseline_detail, freeze_baseline
from cxsteward.services.monitoring.rows import RowFilter, rows_page
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
from cxsteward.services.monitoring.runs import run_findings
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.workspace import Workspace, init_workspace

PLANTED = [{}, {"language": "es"}, {"inquiry_type": "billing"}]


@pytest.fixture(scope="module")
def acceptance(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, pd.DataFrame, MonitorOut]]:
    folder = tmp_path_factory.mktemp("exports")
    ws = init_workspace(Settings(workspace=folder / "ws"))
    truth = load_months(ws, World(), folder)
    yield ws, truth, run_monitor(ws)
    ws.close()


def one(findings: list[Finding], kind: str, metric: str, scope: dict[str, str]) -> Finding:
    found = [f for f in findings if f.kind == kind and f.metric == metric and f.scope == scope]
    assert len(found) == 1, [(f.kind, f.metric, f.scope) for f in findings]
    return found[0]


def test_the_run_completes_with_unique_keys(
    acceptance: tuple[Workspace, pd.DataFrame, MonitorOut],
) -> None:
    _, _, out = acceptance
    keys = [f.key for f in out.findings]
    assert len(keys) == len(set(keys)) and keys
    # Both layouts' segments were sliced, and blanks are a level of their own; a layout
    # without a column (February has no region, January no tier) is in none of its levels.
    levels = {(k, v) for c in out.comparisons for k, v in c.scope.items()}
    assert {("language", "(missing)"), ("region", "(missing)")} <= levels
    assert {("tier", "basic"), ("tier", "premium")} <= levels
    assert ("tier", "(missing)") not in levels


def test_the_language_confined_model_change_is_a_finding(
    acceptance: tuple[Workspace, pd.DataFrame, MonitorOut],
) -> None:
    _, truth, out = acceptance
    ai = truth[(truth["handler"] == "ai") & truth["csat"].notna()]
    satisfied = (ai["csat"] >= 4).groupby([ai["language"].fillna("(missing)"), ai["month"]]).mean()
    es_change = satisfied["es", 1] - satisfied["es", 0]
    rest = ai[ai["language"] != "es"]
    rest_rate = (rest["csat"] >= 4).groupby(rest["month"]).mean()
    finding = one(out.findings, "model_change", "csat_satisfied_rate", {"language": "es"})
    assert finding.model_versions == ["v1", "v2"]
    assert finding.estimate["before"] == pytest.approx(satisfied["es", 0])
    assert finding.estimate["after"] == pytest.approx(satisfied["es", 1])
    assert finding.effect["change"] == pytest.approx(es_change)
    assert finding.effect["change"] == pytest.approx(-0.14, abs=0.03)
    assert finding.effect["difference"] == pytest.approx(es_change - (rest_rate[1] - rest_rate[0]))
    assert finding.message.startswith(
        f"es: the AI's csat satisfied rate went from {satisfied['es', 0]:.1%} on v1 to "
        f"{satisfied['es', 1]:.1%} on v2 ({es_change * 100:+.1f} points); elsewhere it held level"
    )
    overall = one(out.findings, "model_change", "csat_satisfied_rate", {})
    assert "Driven by es" in overall.message
    # The switch diluted over every language: the overall change is small.
    assert abs(overall.effect["difference"] or 0) < 0.06


def test_the_billing_gap_carries_both_rates_and_their_ratio(
    acceptance: tuple[Workspace, pd.DataFrame, MonitorOut],
) -> None:
    _, truth, out = acceptance
    billing = truth[truth["inquiry_type"] == "billing"]
    counts = billing.groupby("handler")["complaint"].agg(["sum", "count"])
    x_ai, n_ai = counts.loc["ai"]
    x_h, n_h = counts.loc["human"]
    table = Table2x2(np.array([[x_ai, n_ai - x_ai], [x_h, n_h - x_h]]), shift_zeros=False)
    low, high = table.riskratio_confint()
    finding = one(out.findings, "ai_segment_gap", "complaint_rate", {"inquiry_type": "billing"})
    assert finding.estimate["ai"] == pytest.approx(x_ai / n_ai)
    assert finding.estimate["human"] == pytest.approx(x_h / n_h)
    assert finding.effect["ratio"] == pytest.approx(table.riskratio)
    assert finding.effect["ratio"] == pytest.approx(3.0, abs=0.45)
    assert (finding.effect["ratio_low"], finding.effect["ratio_high"]) == (
        pytest.approx(low),
        pytest.approx(high),
    )
    points = (x_ai / n_ai - x_h / n_h) * 100
    assert finding.message == (
        f"Where inquiry type is billing the AI draws complaints {points:.1f} points more often "
        f"than humans ({x_ai / n_ai:.1%} vs {x_h / n_h:.1%}; {table.riskratio:.1f}x, 95% CI "
        f"{low:.1f}x to {high:.1f}x); elsewhere AI and humans are level (support-chat)."
    )


def test_no_finding_where_nothing_was_planted(
    acceptance: tuple[Workspace, pd.DataFrame, MonitorOut],
) -> None:
    _, _, out = acceptance
    stray = [(f.kind, f.metric, f.scope) for f in out.findings if f.scope not in PLANTED]
    assert stray == []


def test_findings_are_ordered_by_impact(
    acceptance: tuple[Workspace, pd.DataFrame, MonitorOut],
) -> None:
    ws, _, out = acceptance
    impacts = [f.impact for f in out.findings if f.impact is not None]
    assert impacts == sorted(impacts, reverse=True) and len(impacts) >= 3
    # Impact is contacts x effect: the billing gap's AI contacts x its excess complaint rate.
    gap = one(out.findings, "ai_segment_gap", "complaint_rate", {"inquiry_type": "billing"})
    assert gap.impact == pytest.approx(gap.n["ai"] * abs(gap.effect["difference"] or 0))
    # The run's page lists them in the same order.
    assert [f.key for f in run_findings(ws, out.run_id)] == [f.key for f in out.findings]


def test_missing_drills_down_to_the_blank_rows(
    acceptance: tuple[Workspace, pd.DataFrame, MonitorOut],
) -> None:
    ws, truth, out = acceptance
    for column in ("language", "region"):
        # January's blank regions only: February never recorded one.
        blank = truth[column].isna() & ((truth["month"] == 0) | (column == "language"))
        page = rows_page(ws, RowFilter(segment=((column, "(missing)"),)))
        assert page.total == int(blank.sum()) > 0
        assert all(not row[column] for row in page.rows)
        n = next(
            m.n
            for m in out.metrics
            if m.segment == {column: "(missing)"}
            and m.metric == "contacts"
            and m.handler == "ai"
            and m.window == "2025-W02"
        )
        ai_week = truth[blank & (truth["handler"] == "ai")]
        week = ai_week["started_at"].dt.isocalendar().week
        assert n == int((week == 2).sum())
    es = rows_page(ws, RowFilter(segment=(("language", "es"),)))
    assert es.total == int((truth["language"] == "es").sum())


MISSING_RULES = """thresholds:
  - id: blank-language-complaints
    metric: complaint_rate
    direction: above
    points: 1
    segment: {language: "(missing)"}
    severity: sev3
  - id: blank-language-vs-january
    metric: complaint_rate
    compare_to: baseline
    baseline: january
    direction: above
    points: 1
    segment: {language: "(missing)"}
    severity: sev3
"""


def test_missing_is_a_level_in_baselines_thresholds_and_pairs(
    acceptance: tuple[Workspace, pd.DataFrame, MonitorOut], tmp_path: Path
) -> None:
    # Runs last in this module: it adds rules and a baseline to the shared workspace.
    ws, truth, _ = acceptance
    freeze_baseline(ws, "january", date(2025, 1, 1), date(2025, 1, 31))
    values = baseline_detail(ws, "january", metric="complaint_rate").values
    blank = truth["language"].isna()
    january_humans = truth[(truth["month"] == 0) & (truth["handler"] == "human")]
    frozen = {tuple(sorted(v.segment.items())): v for v in values}
    blank_humans = january_humans[january_humans["language"].isna()]
    assert frozen[(("language", "(missing)"),)].n == len(blank_humans)
    assert frozen[(("language", "(missing)"),)].estimate == pytest.approx(
        blank_humans["complaint"].mean()
    )
    # Baselines frozen by segment: (missing) has its own value, the overall keeps its own.
    assert frozen[()].n == len(january_humans)
    rules = tmp_path / "rules.yaml"
    rules.write_text(MISSING_RULES, "utf-8")
    add_thresholds_file(ws, rules)
    out = run_monitor(ws, pairs=[("language", "region")])
    judged = {e.threshold: e for e in out.evaluations}
    ai_blank = truth[blank & (truth["handler"] == "ai")]
    for rule in ("blank-language-complaints", "blank-language-vs-january"):
        assert judged[rule].scope == {"language": "(missing)"}
        assert judged[rule].n.ai == len(ai_blank)
        assert judged[rule].estimate.ai == pytest.approx(ai_blank["complaint"].mean())
    assert judged["blank-language-vs-january"].estimate.comparator == pytest.approx(
        january_humans.loc[january_humans["language"].isna(), "complaint"].mean()
    )
    # A pair keeps both blanks as levels; February (no region) is in none of its cells.
    both = truth[blank & truth["region"].isna() & (truth["month"] == 0)]
    pair = [
        m
        for m in out.metrics
        if m.slice == "language×region"
        and m.segment == {"language": "(missing)", "region": "(missing)"}
        and m.metric == "contacts"
    ]
    assert sum(m.n for m in pair) == len(both) > 0
    keys = [f.key for f in out.findings]
    assert len(keys) == len(set(keys))
