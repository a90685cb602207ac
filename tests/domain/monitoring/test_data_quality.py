"""Run-level data-quality rules on hand-made cells: stale feed, volume, empty window, gate."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from scipy import stats

from cxsteward.domain.metrics import OVERALL, STAT_COLUMNS, CellTable, day_number
from cxsteward.domain.monitoring.data_quality import (
    ONE_HANDLER_RULE,
    RunWindow,
    data_quality_findings,
    gate_reasons,
    stale_feeds,
    volume_changes,
)
from cxsteward.domain.monitoring.data_quality import daily_counts as daily
from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.domain.monitoring.quality_rules import (
    DataQualityPolicy,
    DataQualityRules,
    resolve_rules,
)
from cxsteward.domain.stats.volume import count_tails, judge_volume
from cxsteward.domain.thresholds import Severity

END = date(2026, 6, 30)


def cells(counts: dict[tuple[str, str], list[int]], end: date = END) -> CellTable:
    """Overall cells (plus a segment slice that must be ignored) ending on ``end``."""
    slices, days, handlers, deployments, n = [], [], [], [], []
    last = day_number(end)
    for (deployment, handler), series in counts.items():
        for offset, count in enumerate(series):
            if count == 0:
                continue  # the engine has no cell for a day without contacts
            for name in (OVERALL, "language"):
                slices.append(name)
                days.append(last - len(series) + 1 + offset)
                handlers.append(handler)
                deployments.append(deployment)
                n.append(count)
    size = len(slices)
    stats_ = {c: np.zeros(size) for c in STAT_COLUMNS}
    stats_["n"] = np.asarray(n, dtype=np.float64)
    language = np.array([None if s == OVERALL else "en" for s in slices], dtype=object)
    return CellTable(
        slice=np.array(slices, dtype=object),
        day=np.asarray(days, dtype=np.int64),
        handler=np.array(handlers, dtype=object),
        deployment=np.array(deployments, dtype=object),
        model_version=np.array([None] * size, dtype=object),
        segments={"language": language},
        stats=stats_,
    )


def steady(seed: int, days: int = 29, mean: float = 400) -> list[int]:
    return np.random.default_rng(seed).poisson(mean, days).tolist()


# --- the volume statistic, against scipy -----------------------------------------------------


@pytest.mark.parametrize(
    ("observed", "mean", "factor"),
    [(5, 12.3, 1.0), (0, 12.3, 1.0), (380, 400.0, 1.0), (5, 12.3, 2.5), (0, 40.0, 3.0)],
    ids=["poisson-low", "poisson-zero", "poisson-large", "negbin", "negbin-zero"],
)
def test_count_tails_match_scipy(observed: int, mean: float, factor: float) -> None:
    low, high = count_tails(observed, mean, factor)
    if factor == 1.0:
        law = stats.poisson(mean)
    else:
        # scipy's nbinom(n, p) has mean n(1-p)/p and variance n(1-p)/p^2 = mean / p.
        law = stats.nbinom(mean / (factor - 1), 1 / factor)
        assert law.mean() == pytest.approx(mean) and law.var() == pytest.approx(factor * mean)
    assert low == pytest.approx(law.cdf(observed), rel=1e-9)
    assert high == pytest.approx(law.sf(observed - 1), rel=1e-9)


def test_judge_volume_is_a_negative_binomial_prediction_by_hand() -> None:
    trailing = np.array([380, 420, 300, 510, 400, 450, 390, 410, 300, 470, 405, 395, 420, 350])
    check = judge_volume(trailing, 150, 1, 0.001)
    assert check is not None
    mean, variance = trailing.mean(), trailing.var(ddof=1)
    phi = variance / mean  # > 1 here: weekday swings
    factor = phi * (1 + 1 / len(trailing))
    law = stats.nbinom(mean / (factor - 1), 1 / factor)
    assert check.expected == pytest.approx(mean)
    assert check.dispersion == pytest.approx(phi)
    assert check.p_low == pytest.approx(law.cdf(150), rel=1e-9)
    # The limits are the scipy quantiles at alpha / 2 in each tail.
    assert check.limits(0.001) == (law.ppf(0.0005), law.isf(0.0005))
    assert check.limits(0.05) == (law.ppf(0.025), law.isf(0.025))
    assert check.change == pytest.approx(150 / mean - 1)


def test_judge_volume_needs_a_week_of_trailing_days() -> None:
    assert judge_volume([400] * 6, 10, 1, 0.001) is None
    assert judge_volume([0] * 10, 10, 1, 0.001) is None
    assert judge_volume([400] * 7, 10, 1, 0.001) is not None


# --- volume drop and spike -----------------------------------------------------------------


def test_a_volume_drop_fires_for_that_deployment_and_handler_only() -> None:
    ai = steady(1)
    ai[-1] = 120  # the AI's contacts collapse on the last day
    table = cells({("chat", "ai"): ai, ("chat", "human"): steady(2, mean=250)})
    found = volume_changes(daily(table), DataQualityRules())
    assert [(f.deployment, f.scope, f.threshold) for f in found] == [
        ("chat", {"handler": "ai"}, "volume")
    ]
    finding = found[0]
    trailing = np.asarray(ai[:-1], dtype=float)
    assert finding.estimate["expected"] == pytest.approx(trailing.mean())
    assert finding.n == {"recent": 120, "trailing": int(trailing.sum())}
    assert finding.status == "confirmed" and finding.severity == "sev3"
    assert "Contacts handled by the AI in chat: 120 on 2026-06-30" in finding.message
    assert "a drop" in finding.message and "rule volume" in finding.message


def test_a_spike_fires_and_steady_volume_stays_quiet() -> None:
    spiky = steady(3)
    spiky[-1] = 900
    table = cells({("chat", "ai"): spiky, ("voice", "human"): steady(4)})
    found = volume_changes(daily(table), DataQualityRules())
    assert [(f.deployment, "a spike" in f.message) for f in found] == [("chat", True)]
    # Many steady series, none planted: none fires at the default false-alarm rate.
    quiet = cells({(f"d{i}", "ai"): steady(100 + i) for i in range(40)})
    assert volume_changes(daily(quiet), DataQualityRules()) == []


def test_a_day_without_contacts_counts_as_zero_once_the_feed_started() -> None:
    # A feed that stopped two days ago: the engine has no cells for those days at all.
    stopped = [*steady(5, days=27), 0, 0]
    other = steady(6)
    table = cells({("chat", "ai"): stopped, ("voice", "ai"): other})
    found = volume_changes(daily(table), DataQualityRules())
    assert [(f.deployment, f.n["recent"]) for f in found] == [("chat", 0)]
    # A deployment that began ten days ago is judged on its ten days, not on zeros before.
    young = [0] * 19 + steady(7, days=10)
    assert volume_changes(daily(cells({("new", "ai"): young})), DataQualityRules()) == []


def test_volume_limits_can_be_changed() -> None:
    ai = steady(8)
    ai[-1] = 250  # -37%: beyond the default 30% and far beyond chance
    table = daily(cells({("chat", "ai"): ai}))
    assert len(volume_changes(table, DataQualityRules())) == 1
    assert volume_changes(table, DataQualityRules(volume_min_change=0.5)) == []
    # Judging the last three days dilutes one bad day below the 30% floor.
    assert volume_changes(table, DataQualityRules(volume_recent_days=3)) == []


# --- stale feed ----------------------------------------------------------------------------


def test_a_stale_feed_fires_past_the_limit_and_not_at_it() -> None:
    series = daily(cells({("chat", "ai"): steady(9), ("voice", "ai"): steady(10)}))
    today = date(2026, 7, 8)  # eight days after the newest contact
    found = stale_feeds(series, RunWindow(today=today), DataQualityRules())
    assert [f.deployment for f in found] == ["chat", "voice"]
    assert found[0].message.startswith(
        "The newest contact of chat is 8 days old (2026-06-30, against today, 2026-07-08); "
        "the feed looks stale: rule stale_feed, limit 7 days."
    )
    assert found[0].severity == "sev2" and found[0].estimate == {"age_days": 8.0}
    assert stale_feeds(series, RunWindow(today=date(2026, 7, 7)), DataQualityRules()) == []
    assert stale_feeds(series, RunWindow(today=today), DataQualityRules(stale_feed_days=8)) == []


def test_an_age_of_years_is_written_with_thousands_separators() -> None:
    series = daily(cells({("chat", "ai"): steady(9)}))
    today = date(2026, 6, 30) + timedelta(days=3932)  # a 2016 export loaded in 2026-27
    [finding] = stale_feeds(series, RunWindow(today=today), DataQualityRules())
    assert "is 3,932 days old (2026-06-30," in finding.message


def test_a_window_ending_in_the_past_is_judged_at_its_end() -> None:
    series = daily(cells({("chat", "ai"): steady(11)}))
    window = RunWindow(today=date(2026, 12, 7), date_to=date(2026, 7, 2))
    assert stale_feeds(series, window, DataQualityRules()) == []
    late = RunWindow(today=date(2026, 12, 7), date_to=date(2026, 7, 20))
    [finding] = stale_feeds(series, late, DataQualityRules())
    assert "20 days old" in finding.message and "the end of the window" in finding.message


# --- empty window, one handler, the gate ---------------------------------------------------


def test_an_empty_window_is_a_finding_that_fails_any_gate() -> None:
    empty = cells({})
    window = RunWindow(today=END, date_from=date(2027, 1, 1))
    [finding] = data_quality_findings(empty, [], DataQualityRules(), window, [])
    assert finding.threshold == "empty_window" and finding.severity == "sev1"
    assert finding.windows == {"from": "2027-01-01"} and finding.n == {"contacts": 0}
    assert "holds 0 contacts" in finding.message and "failed gate" in finding.message
    assert gate_reasons([finding], None) and gate_reasons([finding], "sev4")
    full = cells({("chat", "ai"): steady(12)})
    assert data_quality_findings(full, [], DataQualityRules(), RunWindow(today=END), []) == []
    # Raising the floor turns a thin window into an empty one.
    rules = DataQualityRules(empty_window_min_contacts=20_000)
    [thin] = data_quality_findings(full, [], rules, RunWindow(today=END), [])
    assert thin.threshold == "empty_window" and "at least 20000 contacts" in thin.message
    assert "too few to judge" in thin.message


def one_handler_finding() -> Finding:
    return Finding(
        kind="data_quality",
        metric="csat_mean",
        scope={},
        deployment="chat",
        windows={},
        estimate={"ai": 4.1, "human": None},
        n={"ai": 300, "human": 0},
        ci=(None, None),
        p_value=None,
        q_value=None,
        effect={},
        rule=ONE_HANDLER_RULE,
        message="csat_mean is recorded for 300 ai contacts in chat but for none ...",
        trace=Trace(deployment="chat", handlers=["human"]),
    )


def test_the_one_handler_finding_gets_its_severity_and_gates() -> None:
    series = cells({("chat", "ai"): steady(13)})
    window = RunWindow(today=END)
    [rated] = data_quality_findings(series, [], DataQualityRules(), window, [one_handler_finding()])
    assert (rated.severity, rated.status, rated.threshold) == ("sev4", "confirmed", "one_handler")
    assert gate_reasons([rated], "sev4") and not gate_reasons([rated], "sev3")
    assert not gate_reasons([rated], None)
    raised = resolve_rules(
        {}, DataQualityPolicy.model_validate({"one_handler": {"severity": "sev2"}})
    )
    [again] = data_quality_findings(series, [], raised, window, [one_handler_finding()])
    assert again.severity == "sev2" and "governance file" in again.rule


def test_only_confirmed_findings_at_the_floor_fail_the_gate() -> None:
    base = one_handler_finding()
    suspected = base.model_copy(update={"severity": "sev1", "status": "suspected"})
    confirmed = base.model_copy(
        update={"severity": "sev2", "status": "confirmed", "threshold": "one_handler"}
    )
    assert gate_reasons([suspected], "sev4") == []
    assert gate_reasons([confirmed], "sev1") == []
    [reason] = gate_reasons([confirmed], "sev2")
    assert (
        reason == "one_handler in chat is a confirmed data-quality finding at sev2 (--fail-on sev2)"
    )


# --- where the limits come from ------------------------------------------------------------


def test_settings_change_the_defaults_and_the_governance_file_wins() -> None:
    assert resolve_rules({"stale_feed_days": 7}).origin == {}  # the default is no override
    from_setting = resolve_rules({"stale_feed_days": 30, "null_rate_jump": 0.2})
    assert from_setting.stale_feed_days == 30 and from_setting.null_rate_jump == 0.2
    assert from_setting.source("stale_feed") == "setting CXSTEWARD_STALE_FEED_DAYS"
    policy = DataQualityPolicy.model_validate(
        {"stale_feed": {"days": 3, "severity": "sev1"}, "volume": {"alpha": 0.01}}
    )
    both = resolve_rules({"stale_feed_days": 30, "null_rate_jump": 0.2}, policy)
    assert both.stale_feed_days == 3 and both.stale_feed_severity is Severity.SEV1
    assert both.null_rate_jump == 0.2 and both.volume_alpha == 0.01
    assert both.source("stale_feed") == "governance file"
    assert both.source("duplicate_rate") == "built-in default"


def test_the_policy_refuses_unknown_rules_and_bad_values() -> None:
    with pytest.raises(ValueError, match="stale_fed"):
        DataQualityPolicy.model_validate({"stale_fed": {"days": 3}})
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        DataQualityPolicy.model_validate({"stale_feed": {"days": 0}})
    with pytest.raises(ValueError, match="sev9"):
        DataQualityPolicy.model_validate({"volume": {"severity": "sev9"}})


def test_findings_are_traceable_to_days() -> None:
    ai = steady(14)
    ai[-1] = 50
    [finding] = volume_changes(daily(cells({("chat", "ai"): ai})), DataQualityRules())
    assert finding.trace.day_from == finding.trace.day_to == "2026-06-30"
    assert finding.trace.handlers == ["ai"] and finding.trace.deployment == "chat"
    assert finding.windows["trailing"] == "2026-06-02..2026-06-29"
    assert isinstance(datetime.fromisoformat(finding.windows["recent"]), datetime)
