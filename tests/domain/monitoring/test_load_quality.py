"""Load-level data-quality rules: null, quarantine and duplicate rates between loads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from cxsteward.domain.monitoring.load_quality import LoadFacts, load_jumps, load_pairs
from cxsteward.domain.monitoring.quality_rules import DataQualityRules


def load(
    load_id: int,
    *,
    rows: int = 10_000,
    csat_null: float = 0.30,
    quarantined: int = 100,
    duplicates: int = 20,
    deployments: tuple[str, ...] = ("chat",),
) -> LoadFacts:
    return LoadFacts(
        load_id=load_id,
        source=f"export-{load_id}.csv",
        loaded_at=datetime(2026, 6, load_id, tzinfo=UTC),
        rows_read=rows,
        rows_accepted=rows - quarantined,
        rows_quarantined=quarantined,
        duplicates=duplicates,
        null_rates={"csat": csat_null, "channel": 0.0},
        deployments=frozenset(deployments),
    )


def test_a_null_rate_jump_fires_with_the_newcombe_interval() -> None:
    before, after = load(1), load(2, csat_null=0.62)
    [finding] = load_jumps([before, after], DataQualityRules())
    assert (finding.threshold, finding.metric, finding.deployment) == ("null_rate", "csat", "chat")
    assert finding.status == "confirmed" and finding.severity == "sev3"
    x1, x0 = round(0.62 * after.rows_accepted), round(0.30 * before.rows_accepted)
    low, high = confint_proportions_2indep(
        x1, after.rows_accepted, x0, before.rows_accepted, compare="diff", method="newcomb"
    )
    assert finding.ci == (pytest.approx(low), pytest.approx(high))
    assert finding.effect["difference"] == pytest.approx(0.32)
    assert finding.message.startswith(
        "In chat, the share of rows without csat rose from 30.0% in load 1 (export-1.csv, "
        "2026-06-01) to 62.0% in load 2 (export-2.csv, 2026-06-02): +32.0 points"
    )
    assert "rule null_rate, limit +10 points" in finding.message


def test_stable_loads_and_falling_rates_stay_quiet() -> None:
    assert load_jumps([load(1), load(2, csat_null=0.33)], DataQualityRules()) == []
    assert load_jumps([load(1, csat_null=0.6), load(2, csat_null=0.1)], DataQualityRules()) == []
    assert load_jumps([load(1)], DataQualityRules()) == []  # nothing to compare with


def test_a_small_load_can_only_be_suspected() -> None:
    findings = load_jumps(
        [load(1, rows=40, quarantined=0), load(2, rows=40, quarantined=0, csat_null=0.5)],
        DataQualityRules(),
    )
    [finding] = findings
    assert finding.status == "suspected" and finding.ci[0] is not None
    assert finding.ci[0] < 0.10 < finding.effect["difference"]


def test_quarantine_and_duplicate_jumps() -> None:
    loads = [load(1), load(2, quarantined=1_500, duplicates=1_200)]
    found = {f.threshold: f for f in load_jumps(loads, DataQualityRules())}
    assert set(found) == {"quarantine_rate", "duplicate_rate"}
    assert found["quarantine_rate"].estimate == {"before": 0.01, "after": 0.15}
    assert found["duplicate_rate"].estimate["after"] == pytest.approx(0.12)
    assert "overlap one already loaded" in found["duplicate_rate"].message
    # A higher limit for duplicates only.
    rules = DataQualityRules(duplicate_rate_jump=0.2)
    assert {f.threshold for f in load_jumps(loads, rules)} == {"quarantine_rate"}


def test_the_null_rate_limit_can_be_raised() -> None:
    loads = [load(1), load(2, csat_null=0.45)]
    assert len(load_jumps(loads, DataQualityRules())) == 1
    assert load_jumps(loads, DataQualityRules(null_rate_jump=0.2)) == []


def test_two_feeds_loaded_in_turn_are_each_compared_with_themselves() -> None:
    loads = [
        load(1, deployments=("chat",), csat_null=0.1),
        load(2, deployments=("voice",), csat_null=0.8),
        load(3, deployments=("chat",), csat_null=0.1),
        load(4, deployments=("voice",), csat_null=0.8),
    ]
    pairs = [(a.load_id, b.load_id, label) for a, b, label in load_pairs(loads)]
    assert pairs == [(1, 3, "chat"), (2, 4, "voice")]
    assert load_jumps(loads, DataQualityRules()) == []
    # Only the newest load of a deployment is judged: a repaired jump is history.
    repaired = [load(1), load(2, csat_null=0.9), load(3)]
    assert load_jumps(repaired, DataQualityRules()) == []


def test_loads_naming_no_deployment_form_one_feed() -> None:
    loads = [load(1, deployments=()), load(2, deployments=(), csat_null=0.9)]
    [finding] = load_jumps(loads, DataQualityRules())
    assert finding.deployment == "(no deployment)" and finding.trace.deployment is None
