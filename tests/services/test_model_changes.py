"""What each model-version switch changed: figures against pandas, statsmodels and scipy."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from behind_world import findings_shown, metric_column, world_fixture  # noqa: F401 (fixture)
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from cxsteward.domain.metrics import metric
from cxsteward.domain.monitoring.comparisons import is_worse
from cxsteward.errors import DeploymentNotFound
from cxsteward.services.monitoring.model_changes import _key_metrics, model_changes
from cxsteward.services.monitoring.runs import latest_run, run_findings
from cxsteward.services.workspace import Workspace

World = tuple[Workspace, pd.DataFrame]


def _ai(rows: pd.DataFrame, deployment: str, first: date, last: date) -> pd.DataFrame:
    day = rows.started_at.dt.tz_convert("UTC").dt.date
    return rows[
        (rows.deployment == deployment) & (rows.handler == "ai") & (day >= first) & (day <= last)
    ]


def test_the_escalation_change_of_v2_is_found_with_newcombe_intervals(world: World) -> None:
    ws, rows = world
    out = model_changes(ws, "support-chat")
    assert [(s.previous, s.version, s.effective_from) for s in out.switches] == [
        ("lumen-assist v1", "v2", date(2025, 2, 15))
    ]
    switch = out.switches[0]
    assert switch.days == 28
    assert (switch.before_from, switch.before_to) == (date(2025, 1, 18), date(2025, 2, 14))
    assert (switch.after_from, switch.after_to) == (date(2025, 2, 15), date(2025, 3, 14))
    before = _ai(rows, "support-chat", date(2025, 1, 18), date(2025, 2, 14))
    after = _ai(rows, "support-chat", date(2025, 2, 15), date(2025, 3, 14))
    # The example governance's key metrics, all rates.
    assert [m.metric for m in switch.metrics] == [
        "first_contact_resolution",
        "csat_satisfied_rate",
        "complaint_rate",
        "escalation_rate",
    ]
    for m in switch.metrics:
        b, a = metric_column(before, m.metric), metric_column(after, m.metric)
        assert (m.n_before, m.n_after) == (b.size, a.size)
        assert m.before == pytest.approx(b.mean()) and m.after == pytest.approx(a.mean())
        assert m.difference == pytest.approx(a.mean() - b.mean())
        low, high = confint_proportions_2indep(a.sum(), a.size, b.sum(), b.size, method="newcomb")
        assert m.ci == (pytest.approx(low), pytest.approx(high))
        assert m.worse == is_worse(metric(m.metric), a.mean() - b.mean())
    escalation = switch.metrics[-1]
    assert escalation.significant and escalation.worse and escalation.ci[0] > 0
    # Benjamini-Hochberg by hand over the four p-values.
    p = np.asarray([m.p_value for m in switch.metrics])
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    assert [m.q_value for m in switch.metrics] == pytest.approx(list(q[np.argsort(order)]))
    assert [m.significant for m in switch.metrics] == [
        bool(v <= 0.05) for v in q[np.argsort(order)]
    ]


def test_the_runs_findings_are_attached_to_their_switch(world: World) -> None:
    ws, _ = world
    out = model_changes(ws, "support-chat")
    run = latest_run(ws)
    assert run is not None and out.run_id == run.id
    everything = run_findings(ws, run.id)
    expected = [
        f for f in everything if f.kind == "model_change" and f.deployment == "support-chat"
    ]
    assert expected, findings_shown(everything)
    assert all(f.model_versions == ["v1", "v2"] for f in expected)
    assert out.switches[0].findings == expected
    assert out.unannounced == []


def test_windows_are_bounded_by_the_data(world: World) -> None:
    ws, rows = world
    out = model_changes(ws, "billing-voice")
    switch = out.switches[0]
    # The data ends on 2025-03-31: twelve days after the switch, so twelve before it too.
    assert switch.days == 12
    assert (switch.before_from, switch.after_to) == (date(2025, 3, 8), date(2025, 3, 31))
    after = _ai(rows, "billing-voice", date(2025, 3, 20), date(2025, 3, 31))
    before = _ai(rows, "billing-voice", date(2025, 3, 8), date(2025, 3, 19))
    complaints = next(m for m in switch.metrics if m.metric == "complaint_rate")
    assert (complaints.n_before, complaints.n_after) == (
        before.complaint.count(),
        after.complaint.count(),
    )
    assert switch.findings == []  # the data never labelled a v2 for billing-voice


def test_every_ai_metric_without_key_metrics_and_welch_for_means(world: World) -> None:
    ws, rows = world
    specs = _key_metrics([])
    assert {s.name for s in specs} >= {"average_handle_time", "csat_mean", "disclosure_rate"}
    assert "contacts" not in {s.name for s in specs}
    # The Welch interval the switch reports for CSAT, by scipy on the same contacts.
    from cxsteward.services.monitoring import model_changes as module

    first = date(2025, 2, 15)
    cells = module._cells(ws, first)
    assert cells is not None
    mask = (
        (cells.slice == "overall") & (cells.deployment == "support-chat") & (cells.handler == "ai")
    )
    totals = module._two_sides(cells, mask, (first - date(1970, 1, 1)).days, 28)
    csat = module._change(totals, metric("csat_mean"))
    b = metric_column(
        _ai(rows, "support-chat", first - timedelta(days=28), first - timedelta(days=1)),
        "csat_mean",
    )
    a = metric_column(_ai(rows, "support-chat", first, first + timedelta(days=27)), "csat_mean")
    welch = stats.ttest_ind(a, b, equal_var=False)
    ci = welch.confidence_interval(0.95)
    assert csat.difference == pytest.approx(a.mean() - b.mean())
    assert csat.ci == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert csat.p_value == pytest.approx(welch.pvalue)


def test_an_unknown_deployment_is_named(world: World) -> None:
    ws, _ = world
    with pytest.raises(DeploymentNotFound, match="support-chat"):
        model_changes(ws, "nope")
