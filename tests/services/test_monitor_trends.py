"""A metric's weekly trend and the AI-against-humans scorecard, checked against pandas,
statsmodels and scipy over the same synthetic contacts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from cxsteward.config import Settings
from cxsteward.domain.governance.spec import Deployment, Function, Governance, ModelVersion
from cxsteward.domain.metrics import metric
from cxsteward.errors import Invalid, NotFound
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.scorecard import cell_verdict, effect_label, scorecard
from cxsteward.services.monitoring.thresholds import add_thresholds_file
from cxsteward.services.monitoring.trends import (
    DEFAULT_KEY_METRICS,
    key_metrics,
    metric_trend,
    metric_trends,
)
from cxsteward.services.workspace import Workspace, init_workspace

THRESHOLDS = """thresholds:
  - id: escalation-ceiling
    metric: escalation_rate
    compare_to: absolute
    direction: above
    value: 0.25
    severity: sev3
  - id: escalation-vs-baseline
    metric: escalation_rate
    compare_to: baseline
    baseline: pre-launch
    direction: above
    points: 4
    deployment: support-chat
    severity: sev2
  - id: escalation-billing-voice
    metric: escalation_rate
    compare_to: absolute
    direction: above
    value: 0.3
    deployment: billing-voice
  - id: csat-gap
    metric: csat_satisfied_rate
    direction: below
    points: 5
"""
SWITCHES = [
    ModelVersion(model="helper", version="v2", effective_from=date(2025, 2, 15)),
    ModelVersion(model="helper", version="v1", effective_from=date(2025, 1, 1)),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, pd.DataFrame]]:
    folder = tmp_path_factory.mktemp("trends")
    data = folder / "contacts.parquet"
    synthesize(data, 20_000, seed=5)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, data)
    (folder / "t.yaml").write_text(THRESHOLDS, "utf-8")
    add_thresholds_file(ws, folder / "t.yaml")
    freeze_baseline(ws, "pre-launch", date(2025, 1, 1), date(2025, 1, 31))
    apply_governance(
        ws,
        Governance(
            organization="Test Org",
            deployments=[
                Deployment(
                    key="support-chat", name="Chat", function=Function.SUPPORT, models=SWITCHES
                ),
                Deployment(key="billing-voice", name="Voice", function=Function.SUPPORT),
            ],
        ),
    )
    run_monitor(ws)
    rows = pd.read_parquet(data)
    days = rows.started_at.dt.tz_convert("UTC").dt.date
    rows["week"] = [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in days]
    rows["day"] = days
    yield ws, rows
    ws.close()


def test_rate_per_week_with_wilson_intervals(world: tuple[Workspace, pd.DataFrame]) -> None:
    ws, rows = world
    trend = metric_trend(ws, "support-chat", "escalation_rate")
    part = rows[rows.deployment == "support-chat"]
    expected = part.groupby(["handler", "week"]).escalated.agg(["sum", "count"])
    assert trend.weeks == sorted(part.week.unique())
    assert [p.handler for p in trend.points] == ["ai"] * len(trend.weeks) + ["human"] * len(
        trend.weeks
    )
    for p in trend.points:
        successes, n = expected.loc[(p.handler, p.week)]
        low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
        assert p.n == n
        assert p.value == pytest.approx(successes / n)
        assert p.ci == pytest.approx((low, high))
        assert p.sufficient == (n >= metric("escalation_rate").min_n)
        assert (
            p.start.isoformat()
            == date.fromisocalendar(int(p.week[:4]), int(p.week[6:]), 1).isoformat()
        )


def test_mean_per_week_with_t_intervals_and_last_weeks(
    world: tuple[Workspace, pd.DataFrame],
) -> None:
    ws, rows = world
    trend = metric_trend(ws, "billing-voice", "average_handle_time", weeks=3)
    part = rows[rows.deployment == "billing-voice"]
    assert trend.weeks == sorted(part.week.unique())[-3:]
    assert len(trend.points) == 6
    for p in trend.points:
        times = part[(part.handler == p.handler) & (part.week == p.week)].handle_time_s.dropna()
        low, high = stats.t.interval(0.95, len(times) - 1, times.mean(), stats.sem(times))
        assert p.n == len(times)
        assert p.value == pytest.approx(times.mean())
        assert p.ci == pytest.approx((low, high))


def test_baseline_band_thresholds_and_model_switches(
    world: tuple[Workspace, pd.DataFrame],
) -> None:
    ws, rows = world
    trend = metric_trend(ws, "support-chat", "escalation_rate")
    frozen = rows[
        (rows.deployment == "support-chat")
        & (rows.handler == "human")
        & (rows.day >= date(2025, 1, 1))
        & (rows.day <= date(2025, 1, 31))
    ].escalated
    (band,) = trend.baselines
    assert (band.name, band.handler, band.n) == ("pre-launch", "human", frozen.count())
    assert band.value == pytest.approx(frozen.mean())
    assert band.ci == pytest.approx(
        proportion_confint(frozen.sum(), frozen.count(), method="wilson")
    )
    levels = {t.id: t.level for t in trend.thresholds}
    # The billing-voice rule and the csat rule do not watch this metric of this deployment.
    assert levels == pytest.approx(
        {"escalation-ceiling": 0.25, "escalation-vs-baseline": frozen.mean() + 0.04}
    )
    assert [(s.on, s.model, s.version) for s in trend.model_switches] == [
        (date(2025, 1, 1), "helper", "v1"),
        (date(2025, 2, 15), "helper", "v2"),
    ]
    other = metric_trend(ws, "billing-voice", "escalation_rate")
    assert other.model_switches == []
    assert {t.id for t in other.thresholds} == {"escalation-ceiling", "escalation-billing-voice"}
    # A rule that moves with humans has no fixed level to draw.
    csat = metric_trend(ws, "support-chat", "csat_satisfied_rate")
    assert [(t.id, t.level) for t in csat.thresholds] == [("csat-gap", None)]


def test_ai_only_metric_has_no_human_line(world: tuple[Workspace, pd.DataFrame]) -> None:
    ws, _ = world
    trend = metric_trend(ws, "support-chat", "disclosure_rate")
    assert {p.handler for p in trend.points} == {"ai"}


def test_trend_refuses_unknowns(world: tuple[Workspace, pd.DataFrame]) -> None:
    ws, _ = world
    with pytest.raises(NotFound, match="support-chat"):
        metric_trend(ws, "nowhere", "escalation_rate")
    with pytest.raises(NotFound, match="catalogue"):
        metric_trend(ws, "support-chat", "happiness")
    with pytest.raises(Invalid, match="weeks"):
        metric_trend(ws, "support-chat", "escalation_rate", weeks=0)


def test_scorecard_matches_the_contacts(world: tuple[Workspace, pd.DataFrame]) -> None:
    ws, rows = world
    card = scorecard(ws, "support-chat")
    assert card.run_id == 1 and card.segments[0] == "overall"
    assert card.metrics[0] == "first_contact_resolution"
    cells = {(c.metric, c.segment): c for c in card.cells}
    part = rows[rows.deployment == "support-chat"]
    for segment, scope in (
        ("overall", part),
        ("inquiry_type=billing", part[part.inquiry_type == "billing"]),
    ):
        for name, column in (
            ("complaint_rate", "complaint"),
            ("first_contact_resolution", "resolved_first_contact"),
        ):
            cell = cells[(name, segment)]
            ai = scope[scope.handler == "ai"][column].dropna()
            human = scope[scope.handler == "human"][column].dropna()
            assert cell.n == (len(ai), len(human))
            assert cell.ai == pytest.approx(ai.mean()) and cell.human == pytest.approx(human.mean())
            assert cell.effect == pytest.approx(ai.mean() - human.mean())
            low, high = confint_proportions_2indep(
                ai.sum(), len(ai), human.sum(), len(human), method="newcomb"
            )
            # The run widens for over-dispersion: never narrower than independent contacts.
            assert cell.ci[0] <= low + 1e-9 and cell.ci[1] >= high - 1e-9
            direction = metric(name).direction.value
            if cell.ci[0] > 0:
                expected = "better" if direction == "higher_is_better" else "worse"
            elif cell.ci[1] < 0:
                expected = "worse" if direction == "higher_is_better" else "better"
            else:
                expected = "level"
            assert cell.verdict == expected
    # The planted effects: the AI resolves more (better); billing complaints run higher.
    assert cells[("first_contact_resolution", "overall")].verdict == "better"
    assert cells[("complaint_rate", "inquiry_type=billing")].verdict == "worse"
    # AI-only metrics have no human side: no row.
    assert not {"override_rate", "disclosure_rate"} & set(card.metrics)


def test_scorecard_without_a_run_is_not_found(world: tuple[Workspace, pd.DataFrame]) -> None:
    ws, _ = world
    with pytest.raises(NotFound, match="monitor run"):
        scorecard(ws, "nowhere")


@pytest.mark.parametrize(
    ("name", "effect", "ci", "tested", "verdict"),
    [
        ("csat_satisfied_rate", 0.03, (0.01, 0.05), True, "better"),
        ("csat_satisfied_rate", -0.03, (-0.05, -0.01), True, "worse"),
        ("complaint_rate", 0.03, (0.01, 0.05), True, "worse"),
        ("complaint_rate", -0.03, (-0.05, -0.01), True, "better"),
        ("complaint_rate", 0.01, (-0.01, 0.03), True, "level"),
        ("contacts", 5.0, (1.0, 9.0), True, "level"),
        ("complaint_rate", 0.03, (0.01, 0.05), False, "too_few"),
        ("complaint_rate", None, (None, None), True, "too_few"),
    ],
    ids=["good-up", "good-down", "bad-up", "bad-down", "holds-zero", "neutral", "untested", "none"],
)
def test_verdict_reads_the_interval_and_the_direction(
    name: str,
    effect: float | None,
    ci: tuple[float | None, float | None],
    tested: bool,
    verdict: str,
) -> None:
    assert cell_verdict(metric(name), effect, ci, tested) == verdict


def test_effect_labels() -> None:
    assert (
        effect_label(metric("complaint_rate"), 0.031, (0.012, 0.05), (1, 1))
        == "+3.1 pts [1.2, 5.0]"
    )
    assert (
        effect_label(metric("average_handle_time"), -12.04, (-20.0, -4.1), (1, 1))
        == "-12 s [-20, -4]"
    )
    assert effect_label(metric("csat_mean"), 0.0004, (-0.1, 0.1), (1, 1)) == "±0.00 [-0.10, 0.10]"


def test_key_metrics_come_from_governance_else_the_usual_four(
    world: tuple[Workspace, pd.DataFrame],
) -> None:
    ws, _ = world
    assert key_metrics(ws) == list(DEFAULT_KEY_METRICS)
    both = metric_trends(ws, "support-chat", ["complaint_rate", "csat_mean"], weeks=2)
    assert both == [
        metric_trend(ws, "support-chat", "complaint_rate", 2),
        metric_trend(ws, "support-chat", "csat_mean", 2),
    ]


def test_key_metrics_keep_only_compared_catalogue_metrics(settings: Settings) -> None:
    ws = init_workspace(settings)
    try:
        apply_governance(
            ws,
            Governance(
                organization="Org",
                key_metrics=["complaint_rate", "override_rate", "escalation_rate"],
            ),
        )
        # override_rate is the AI's alone: no line of humans to set it against.
        assert key_metrics(ws) == ["complaint_rate", "escalation_rate"]
    finally:
        ws.close()
