"""Data-quality findings of real monitoring runs over loaded files, and who may change the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from cxsteward.config import Settings
from cxsteward.domain.monitoring.findings import Finding
from cxsteward.domain.monitoring.quality_rules import SETTING_NAMES, DataQualityRules
from cxsteward.errors import GovernanceInvalid
from cxsteward.services.data.load import load_data
from cxsteward.services.governance import setup as governance_service
from cxsteward.services.governance.reading import parse_governance
from cxsteward.services.monitoring.quality import data_quality_rules
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.workspace import Workspace, init_workspace

LAST_DAY = date(2026, 6, 30)


def contacts(
    path: Path,
    *,
    first: date,
    days: int,
    per_day: int = 60,
    last_day: int | None = None,
    csat_blank: float = 0.2,
    prefix: str = "c",
    seed: int = 0,
) -> pd.DataFrame:
    """A canonical CSV: AI and human contacts of one deployment, ``per_day`` of each a day."""
    rng = np.random.default_rng(seed)
    rows = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        count = last_day if last_day is not None and offset == days - 1 else per_day
        for handler in ("ai", "human"):
            for k in range(count):
                start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
                rows.append(
                    {
                        "interaction_id": f"{prefix}-{day:%m%d}-{handler}-{k}",
                        "started_at": (start + timedelta(minutes=k)).isoformat(),
                        "handler": handler,
                        "deployment": "chat",
                        # Filled: a blank sliced column is issue 11 item 1, not this file's.
                        "channel": "web",
                        "inquiry_type": "billing",
                        "csat": None if rng.random() < csat_blank else int(rng.integers(1, 6)),
                    }
                )
    frame = pd.DataFrame(rows)
    frame["csat"] = frame["csat"].astype("Int64")
    frame.to_csv(path, index=False)
    return frame


def quality(out_findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in out_findings if f.kind == "data_quality" and f.threshold == rule]


def governance(ws: Workspace, section: str) -> None:
    text = f"organization: Acme\ndata_quality:\n{section}"
    source = parse_governance(text, "governance.yaml")
    governance_service.apply_governance(ws, source.governance, source=source)


@pytest.fixture
def feed(ws: Workspace, tmp_path: Path) -> Workspace:
    contacts(tmp_path / "june.csv", first=LAST_DAY - timedelta(days=29), days=30)
    load_data(ws, tmp_path / "june.csv")
    return ws


def test_a_stale_feed_fires_against_today_and_gates_at_its_severity(feed: Workspace) -> None:
    late = run_monitor(feed, today=date(2026, 7, 20), fail_on="sev2")
    [stale] = quality(late.findings, "stale_feed")
    assert stale.deployment == "chat" and stale.severity == "sev2"
    assert stale.message.startswith(
        "The newest contact of chat is 20 days old (2026-06-30, against today, 2026-07-20)"
    )
    assert late.gate_reasons == [
        "stale_feed in chat is a confirmed data-quality finding at sev2 (--fail-on sev2)"
    ]
    assert not run_monitor(feed, today=date(2026, 7, 20), fail_on="sev1").failed
    fresh = run_monitor(feed, today=date(2026, 7, 3), fail_on="sev4")
    assert quality(fresh.findings, "stale_feed") == [] and not fresh.failed


def test_the_stale_limit_follows_the_setting_then_the_governance_file(
    feed: Workspace, settings: Settings
) -> None:
    patient = init_workspace(settings.model_copy(update={"stale_feed_days": 30}))
    try:
        assert quality(run_monitor(patient, today=date(2026, 7, 20)).findings, "stale_feed") == []
        assert data_quality_rules(patient).source("stale_feed") == (
            "setting CXSTEWARD_STALE_FEED_DAYS"
        )
        governance(patient, "  stale_feed: {days: 3, severity: sev1}\n")
        [stale] = quality(run_monitor(patient, today=date(2026, 7, 5)).findings, "stale_feed")
        assert stale.severity == "sev1" and "limit 3 days" in stale.message
        assert "governance file" in stale.rule
    finally:
        patient.close()


def test_an_empty_window_fails_the_run_with_or_without_fail_on(feed: Workspace) -> None:
    out = run_monitor(feed, date_from=date(2027, 1, 1), today=date(2027, 1, 2))
    [empty] = quality(out.findings, "empty_window")
    assert "(2027-01-01 to the newest contact) holds 0 contacts" in empty.message
    assert out.failed and "window is empty" in out.gate_reasons[0]
    assert not run_monitor(feed, today=date(2026, 7, 1)).failed


def test_a_null_rate_jump_between_loads(feed: Workspace, tmp_path: Path) -> None:
    june = pd.read_csv(tmp_path / "june.csv")
    july = contacts(
        tmp_path / "july.csv", first=date(2026, 7, 1), days=3, csat_blank=0.7, prefix="j", seed=1
    )
    load_data(feed, tmp_path / "july.csv")
    [jump] = quality(run_monitor(feed, today=date(2026, 7, 3)).findings, "null_rate")
    assert jump.metric == "csat" and jump.status == "confirmed"
    blank_before, blank_after = int(june.csat.isna().sum()), int(july.csat.isna().sum())
    low, high = confint_proportions_2indep(
        blank_after, len(july), blank_before, len(june), compare="diff", method="newcomb"
    )
    assert jump.estimate["before"] == pytest.approx(blank_before / len(june), abs=1e-6)
    assert jump.estimate["after"] == pytest.approx(blank_after / len(july), abs=1e-6)
    assert jump.ci == (pytest.approx(low, abs=1e-5), pytest.approx(high, abs=1e-5))
    assert "load 1 (june.csv" in jump.message and "load 2 (july.csv" in jump.message
    governance(feed, "  null_rate: {jump: 0.8}\n")
    assert quality(run_monitor(feed, today=date(2026, 7, 3)).findings, "null_rate") == []


def test_similar_loads_stay_quiet(feed: Workspace, tmp_path: Path) -> None:
    contacts(tmp_path / "july.csv", first=date(2026, 7, 1), days=3, prefix="j", seed=2)
    load_data(feed, tmp_path / "july.csv")
    out = run_monitor(feed, today=date(2026, 7, 3))
    assert [f for f in out.findings if f.kind == "data_quality"] == []


def test_a_duplicate_jump_when_an_export_overlaps_the_last(feed: Workspace, tmp_path: Path) -> None:
    june = pd.read_csv(tmp_path / "june.csv")
    # The next export re-sends the last five days of June with three new days.
    overlap = contacts(tmp_path / "overlap.csv", first=date(2026, 6, 26), days=8, seed=3)
    load_data(feed, tmp_path / "overlap.csv")
    found = {f.threshold: f for f in run_monitor(feed, today=date(2026, 7, 3)).findings}
    duplicates = int(overlap.interaction_id.isin(june.interaction_id).sum())
    assert found["duplicate_rate"].estimate["after"] == pytest.approx(duplicates / len(overlap))
    assert found["duplicate_rate"].estimate["before"] == 0.0
    assert "quarantine_rate" in found  # every duplicate is quarantined too
    assert found["duplicate_rate"].status == "confirmed"


def test_a_volume_drop_on_the_newest_day(ws: Workspace, tmp_path: Path) -> None:
    frame = contacts(
        tmp_path / "drop.csv", first=LAST_DAY - timedelta(days=28), days=29, last_day=15
    )
    load_data(ws, tmp_path / "drop.csv")
    drops = quality(run_monitor(ws, today=LAST_DAY).findings, "volume")
    assert sorted(f.scope["handler"] for f in drops) == ["ai", "human"]
    day = pd.to_datetime(frame.started_at).dt.date
    trailing = frame[(day < LAST_DAY) & (frame.handler == "ai")].groupby(day).size()
    ai = next(f for f in drops if f.scope == {"handler": "ai"})
    assert ai.estimate == {"recent": 15.0, "expected": pytest.approx(trailing.mean())}
    assert "Contacts handled by the AI in chat: 15 on 2026-06-30 against 60 expected" in ai.message


def test_the_governance_section_round_trips(ws: Workspace) -> None:
    governance(ws, "  volume: {alpha: 0.01, severity: sev2}\n  empty_window: {min_contacts: 50}\n")
    exported = governance_service.export_governance(ws)
    assert "data_quality:\n  volume:\n    severity: sev2\n    alpha: 0.01\n" in exported
    again = parse_governance(exported, "exported.yaml").governance
    assert governance_service.plan_governance(ws, again).empty
    stricter = parse_governance(
        "organization: Acme\ndata_quality:\n  volume: {alpha: 0.02}\n", "stricter.yaml"
    ).governance
    [change] = governance_service.plan_governance(ws, stricter).changes
    assert (change.kind, change.action, change.fields[0].field) == (
        "organization",
        "change",
        "data_quality",
    )
    assert change.fields[0].new == {"volume": {"alpha": 0.02}}
    rules = data_quality_rules(ws)
    assert (rules.volume_alpha, rules.empty_window_min_contacts) == (0.01, 50)
    bad = "organization: Acme\ndata_quality:\n  volume: {alpha: 2}\n"
    with pytest.raises(GovernanceInvalid) as caught:
        parse_governance(bad, "governance.yaml")
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "data_quality.volume.alpha", "2")
    assert "less than 0.5" in problem.message


def test_the_settings_defaults_are_the_built_in_rules() -> None:
    # A setting counts as an override only where it differs from the built-in rule.
    built_in, settings = DataQualityRules(), Settings()
    assert {n: getattr(settings, n) for n in SETTING_NAMES} == {
        n: getattr(built_in, n) for n in SETTING_NAMES
    }


def planted_drop(ws: Workspace, folder: Path) -> None:
    contacts(folder / "drop.csv", first=LAST_DAY - timedelta(days=28), days=29, last_day=15)
    load_data(ws, folder / "drop.csv")


def planted_loads(ws: Workspace, folder: Path) -> None:
    contacts(folder / "june.csv", first=LAST_DAY - timedelta(days=29), days=30)
    load_data(ws, folder / "june.csv")
    contacts(folder / "overlap.csv", first=date(2026, 6, 26), days=8, csat_blank=0.7, seed=4)
    load_data(ws, folder / "overlap.csv")


@pytest.mark.parametrize(
    ("plant", "rules", "settings_update", "section"),
    [
        (planted_drop, {"volume"}, {"volume_min_change": 0.9}, "  volume: {min_change: 0.9}\n"),
        (planted_drop, {"volume"}, {"volume_alpha": 1e-12}, "  volume: {alpha: 1.0e-12}\n"),
        (
            planted_loads,
            {"null_rate", "quarantine_rate", "duplicate_rate"},
            {"null_rate_jump": 0.9, "quarantine_rate_jump": 0.9, "duplicate_rate_jump": 0.9},
            "  null_rate: {jump: 0.9}\n  quarantine_rate: {jump: 0.9}\n"
            "  duplicate_rate: {jump: 0.9}\n",
        ),
    ],
    ids=["volume-min-change", "volume-alpha", "load-jumps"],
)
def test_each_limit_yields_to_its_setting_and_to_the_governance_file(
    settings: Settings,
    tmp_path: Path,
    plant: object,
    rules: set[str],
    settings_update: dict[str, float],
    section: str,
) -> None:
    def fired(ws: Workspace) -> set[str]:
        out = run_monitor(ws, today=date(2026, 7, 3))
        return {f.threshold or "" for f in out.findings if f.kind == "data_quality"}

    default = init_workspace(settings)
    try:
        plant(default, tmp_path)  # type: ignore[operator]
        assert fired(default) == rules
    finally:
        default.close()
    changed = init_workspace(settings.model_copy(update=settings_update))
    try:
        assert fired(changed) == set()
    finally:
        changed.close()
    declared = init_workspace(settings)
    try:
        governance(declared, section)
        assert fired(declared) == set()
    finally:
        declared.close()


def test_the_empty_window_floor_yields_to_its_setting_and_the_governance_file(
    feed: Workspace, settings: Settings
) -> None:
    def empty(ws: Workspace) -> list[Finding]:
        return quality(run_monitor(ws, today=date(2026, 7, 1)).findings, "empty_window")

    assert empty(feed) == []
    strict = init_workspace(settings.model_copy(update={"empty_window_min_contacts": 10_000}))
    try:
        [finding] = empty(strict)
        # 30 days of 60 AI and 60 human contacts.
        assert "(every day loaded) holds 3600 contacts: too few to judge" in finding.message
    finally:
        strict.close()
    governance(feed, "  empty_window: {min_contacts: 7201, severity: sev2}\n")
    [declared] = empty(feed)
    assert declared.severity == "sev2" and "at least 7201 contacts" in declared.message


def test_a_metric_recorded_for_one_handler_only_gates_at_its_severity(
    ws: Workspace, tmp_path: Path
) -> None:
    frame = contacts(tmp_path / "all.csv", first=LAST_DAY - timedelta(days=9), days=10)
    frame.loc[frame.handler == "human", "csat"] = pd.NA  # humans' surveys never exported
    frame.to_csv(tmp_path / "ai-csat.csv", index=False)
    load_data(ws, tmp_path / "ai-csat.csv")
    out = run_monitor(ws, today=LAST_DAY, fail_on="sev4")
    found = quality(out.findings, "one_handler")
    surveyed = int(frame[frame.handler == "ai"].csat.notna().sum())
    assert {f.metric for f in found} == {"csat_mean", "csat_satisfied_rate"}
    assert all(f.severity == "sev4" and f.n == {"ai": surveyed, "human": 0} for f in found)
    assert out.failed and not run_monitor(ws, today=LAST_DAY, fail_on="sev3").failed
    governance(ws, "  one_handler: {severity: sev2}\n")
    again = quality(run_monitor(ws, today=LAST_DAY).findings, "one_handler")
    assert {f.severity for f in again} == {"sev2"}
    # Both handlers recorded: quiet.
    clean = tmp_path / "clean"
    quiet = init_workspace(Settings(workspace=clean))
    try:
        load_data(quiet, tmp_path / "all.csv")
        assert quality(run_monitor(quiet, today=LAST_DAY).findings, "one_handler") == []
    finally:
        quiet.close()
