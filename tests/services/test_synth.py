"""The synthetic-data generator: planted effects at their documented sizes, quiet nulls.

Rates are recomputed with pandas and compared with statsmodels intervals and tests at a
strict alpha (a fixed seed makes each check deterministic; alpha says how surprising a
failure would be for a correct generator).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from scipy import stats
from statsmodels.stats import proportion as smp
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from cxsteward.domain.interactions import FIELD_NAMES
from cxsteward.domain.synth_spec import (
    DEFAULT_EFFECTS,
    NULL_SEGMENTS,
    SEGMENT_NAMES,
    BillingComplaints,
    DayDispersion,
    FcrGap,
    InquiryMix,
    segment,
)
from cxsteward.errors import Invalid
from cxsteward.services.data.synth import BLOCK_ROWS, SynthFormat, synthesize

ROWS = 200_000
ALPHA = 0.001  # per check
METRICS = ("resolved_first_contact", "complaint", "satisfied", "escalated")
# The null-segment checks share one family-wise alpha of 0.1% (Bonferroni): per data set and
# metric, one homogeneity test per segment column and one interaction test per level. Over
# 12 seeds of null data their p-values were uniform (3.6% below 0.05, none below 0.001).
NULL_CHECKS = 2 * len(METRICS) * sum(1 + len(segment(c).levels) for c in NULL_SEGMENTS)
NULL_ALPHA = 0.001 / NULL_CHECKS


def load(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    df = pd.read_parquet(path)
    df["satisfied"] = np.where(df["csat"].notna(), df["csat"] >= 4, np.nan)
    df["day"] = (df["started_at"] - pd.Timestamp("2025-01-01", tz="UTC")).dt.days
    df["repeat"] = followed_within_7_days(df)
    manifest = json.loads(Path(f"{path}.manifest.json").read_text("utf-8"))
    return df, manifest


def followed_within_7_days(df: pd.DataFrame) -> pd.Series:
    ordered = df.sort_values(["customer_id", "started_at"])
    following = ordered.groupby("customer_id")["started_at"].shift(-1)
    gap = following - ordered["started_at"]
    return (gap <= pd.Timedelta(days=7)).reindex(df.index)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, dict[str, Any]]:
    path = tmp_path_factory.mktemp("synth") / "planted.parquet"
    synthesize(path, ROWS, seed=11)
    return load(path)


@pytest.fixture(scope="module")
def null(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, dict[str, Any]]:
    path = tmp_path_factory.mktemp("synth") / "null.parquet"
    synthesize(path, ROWS, seed=12, null=True)
    return load(path)


def counts(df: pd.DataFrame, metric: str) -> dict[str, tuple[int, int]]:
    """(successes, n) per handler over the rows where the metric is defined."""
    table = df.dropna(subset=[metric]).groupby("handler")[metric].agg(["sum", "count"])
    return {h: (int(r["sum"]), int(r["count"])) for h, r in table.iterrows()}


def rate_interval(df: pd.DataFrame, metric: str, handler: str) -> tuple[float, float]:
    x, n = counts(df, metric)[handler]
    low, high = proportion_confint(x, n, alpha=ALPHA, method="wilson")
    return float(low), float(high)


def gap_interval(df: pd.DataFrame, metric: str, compare: str = "diff") -> tuple[float, float]:
    """AI versus human: a Newcombe interval for the difference, or a ratio interval."""
    c = counts(df, metric)
    method = "newcomb" if compare == "diff" else "log"
    low, high = confint_proportions_2indep(
        *c["ai"], *c["human"], compare=compare, method=method, alpha=ALPHA
    )
    return float(low), float(high)


def inside(value: float, interval: tuple[float, float]) -> bool:
    return interval[0] <= value <= interval[1]


def effect(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in manifest["effects"] if e["name"] == name)
    return found


def interaction_p(df: pd.DataFrame, metric: str, column: str, level: str) -> float:
    """Two-sided p of (AI - human gap in the level) - (gap elsewhere), a z-test by hand."""
    d = df.dropna(subset=[metric])
    parts = []
    for in_level in (True, False):
        part = d[(d[column] == level) == in_level]
        rates = part.groupby("handler")[metric].agg(["mean", "count"])
        var = (rates["mean"] * (1 - rates["mean"]) / rates["count"]).sum()
        parts.append((rates.loc["ai", "mean"] - rates.loc["human", "mean"], var))
    z = (parts[0][0] - parts[1][0]) / np.sqrt(parts[0][1] + parts[1][1])
    return float(2 * stats.norm.sf(abs(z)))


def equal_odds_p(df: pd.DataFrame, metric: str, column: str) -> float:
    """Breslow-Day homogeneity of the AI/human odds ratio across a column's levels."""
    d = df.dropna(subset=[metric])
    tables = []
    for _, part in d.groupby(column):
        t = pd.crosstab(part["handler"], part[metric].astype(bool))
        tables.append(t.reindex(index=["ai", "human"], columns=[True, False]).to_numpy())
    return float(StratifiedTable(tables).test_equal_odds().pvalue)


# --- shape -----------------------------------------------------------------------------


def test_columns_are_the_canonical_fields_plus_six_segments(planted: Any) -> None:
    df, manifest = planted
    written = [c for c in df.columns if c not in ("satisfied", "day", "repeat")]
    assert written == [*FIELD_NAMES, *SEGMENT_NAMES]
    assert manifest["columns"] == written
    assert len(SEGMENT_NAMES) == 6 and set(NULL_SEGMENTS) < set(SEGMENT_NAMES)


@pytest.mark.parametrize("fixture", ["planted", "null"])
def test_ids_unique_timestamps_utc_and_in_range(fixture: str, request: Any) -> None:
    df, manifest = request.getfixturevalue(fixture)
    assert len(df) == ROWS and df["interaction_id"].is_unique
    assert str(df["started_at"].dt.tz) == "UTC"
    assert df["started_at"].min() >= pd.Timestamp(manifest["start"])
    assert df["started_at"].max() < pd.Timestamp(manifest["end"])
    assert pd.Timestamp(manifest["end"]) - pd.Timestamp(manifest["start"]) == pd.Timedelta(days=90)


def test_values_are_realistic(planted: Any) -> None:
    df, _ = planted
    ai = df["handler"] == "ai"
    assert abs(ai.mean() - 0.6) < 0.01
    assert set(df["deployment"]) == {"support-chat", "billing-voice"}
    assert set(df["channel"]) == {"chat", "voice", "email"}
    assert set(df["inquiry_type"]) == {"billing", "technical", "account", "orders"}
    assert df.loc[~ai, "agent_id"].nunique() == 50
    assert set(df.loc[ai, "agent_id"]) == {"bot-support-chat", "bot-billing-voice"}
    assert df.loc[~ai, ["model_version", "ai_disclosed"]].isna().all().all()
    assert df.loc[ai, ["model_version", "ai_disclosed"]].notna().all().all()
    assert abs(df["csat"].notna().mean() - 0.3) < 0.01
    assert set(df["csat"].dropna().astype(int)) == {1, 2, 3, 4, 5}
    assert (df["handle_time_s"] > 0).all()
    assert abs((df["vulnerable"] == "yes").mean() - 0.05) < 0.005
    assert {c: df[c].nunique() for c in SEGMENT_NAMES} == {
        "region": 5,
        "language": 4,
        "age_band": 5,
        "tier": 3,
        "vulnerable": 2,
        "tenure_band": 4,
    }
    weekday = df["started_at"].dt.day_of_week.value_counts(normalize=True)
    assert weekday[0] > 1.8 * weekday[6]  # Mondays are busy, Sundays quiet
    hour = df["started_at"].dt.hour.value_counts(normalize=True)
    assert hour[10] > 5 * hour[3]
    assert df["repeat"].mean() > 0.1 and df["customer_id"].nunique() < ROWS


# --- the manifest ------------------------------------------------------------------------


def test_manifest_lists_every_effect_with_its_truth(planted: Any) -> None:
    _, manifest = planted
    assert manifest["rows"] == ROWS and manifest["seed"] == 11 and manifest["null"] is False
    assert [e["name"] for e in manifest["effects"]] == [e.name for e in DEFAULT_EFFECTS]
    assert [e["number"] for e in manifest["effects"]] == list(range(1, 14))
    for entry in manifest["effects"]:
        assert entry["statement"] and entry["metric"] and "expected" in entry
    assert effect(manifest, "fcr_gap")["expected"] == {
        "ai": 0.82,
        "human": 0.74,
        "difference": 0.08,
    }
    mix = effect(manifest, "inquiry_mix")["expected"]
    # Hand computation: MH weights n_ai n_h / n per type, one constant per-type difference.
    assert mix["adjusted_difference"] == pytest.approx(0.128)
    assert effect(manifest, "billing_complaints")["expected"]["in_scope"]["ratio"] == 3.0
    assert manifest["model_switch"] == {
        "deployment": "support-chat",
        "from": "v1",
        "to": "v2",
        "day": 45,
        "at": "2025-02-15T00:00:00Z",
        "share_after": pytest.approx(0.5, abs=0.05),
    }
    assert manifest["null_segments"] == ["region", "age_band", "tier", "tenure_band"]
    assert len(manifest["day_multipliers"]["unresolved"]["ai"]) == 90


def test_null_manifest_has_no_effects(null: Any) -> None:
    _, manifest = null
    assert manifest["null"] is True and manifest["effects"] == []
    assert manifest["day_multipliers"] is None
    rates = manifest["rates"]
    assert rates["ai"] == rates["human"]


# --- planted effects ----------------------------------------------------------------------


def test_1_fcr_82_against_74(planted: Any) -> None:
    df, _ = planted
    assert inside(0.82, rate_interval(df, "resolved_first_contact", "ai"))
    assert inside(0.74, rate_interval(df, "resolved_first_contact", "human"))


def test_2_billing_complaints_three_times_elsewhere_equal(planted: Any) -> None:
    df, _ = planted
    assert inside(3.0, gap_interval(df[df["inquiry_type"] == "billing"], "complaint", "ratio"))
    for kind in ("technical", "account", "orders"):
        part = df[df["inquiry_type"] == kind]
        assert inside(1.0, gap_interval(part, "complaint", "ratio")), kind
    assert equal_odds_p(df, "complaint", "inquiry_type") < 1e-6


def test_3_spanish_csat_gap_is_an_interaction(planted: Any) -> None:
    df, manifest = planted
    expected = effect(manifest, "language_csat_gap")["expected"]
    assert expected["in_scope"]["difference"] == pytest.approx(-0.12)
    assert inside(-0.12, gap_interval(df[df["language"] == "es"], "satisfied"))
    for language in ("en", "fr", "de"):
        assert inside(0.0, gap_interval(df[df["language"] == language], "satisfied")), language
    assert interaction_p(df, "satisfied", "language", "es") < 1e-6


def test_4_escalation_rises_six_points_after_v2(planted: Any) -> None:
    df, manifest = planted
    switch = pd.Timestamp(manifest["model_switch"]["at"])
    after = df["started_at"] >= switch
    ai = df["handler"] == "ai"
    chat = df["deployment"] == "support-chat"
    assert set(df.loc[ai & chat & ~after, "model_version"]) == {"v1"}
    assert set(df.loc[ai & chat & after, "model_version"]) == {"v2"}
    assert set(df.loc[ai & ~chat, "model_version"]) == {"v1"}

    def before_after(rows: pd.Series) -> tuple[float, float]:
        b = df.loc[rows & ~after, "escalated"]
        a = df.loc[rows & after, "escalated"]
        low, high = confint_proportions_2indep(
            a.sum(), len(a), b.sum(), len(b), method="newcomb", alpha=ALPHA
        )
        return float(low), float(high)

    assert inside(0.06, before_after(ai & chat))
    assert inside(0.0, before_after(~ai & chat))
    assert inside(0.0, before_after(ai & ~chat))


def test_5_mix_makes_crude_and_adjusted_fcr_differ(planted: Any) -> None:
    df, manifest = planted
    expected = effect(manifest, "inquiry_mix")["expected"]
    share = pd.crosstab(df["handler"], df["inquiry_type"], normalize="index")
    assert abs(share.loc["ai", "technical"] - 0.35) < 0.01
    assert abs(share.loc["human", "technical"] - 0.15) < 0.01
    technical = df[df["inquiry_type"] == "technical"]["resolved_first_contact"].mean()
    assert technical < df["resolved_first_contact"].mean() - 0.1  # hard for everyone
    g = df.groupby(["inquiry_type", "handler"])["resolved_first_contact"].agg(["mean", "count"])
    rates, n = g["mean"].unstack(), g["count"].unstack()
    weights = n["ai"] * n["human"] / (n["ai"] + n["human"])
    adjusted = float((weights * (rates["ai"] - rates["human"])).sum() / weights.sum())
    crude = df.groupby("handler")["resolved_first_contact"].mean()
    assert abs(adjusted - expected["adjusted_difference"]) < 0.01
    assert abs(crude["ai"] - crude["human"] - 0.08) < 0.01
    assert adjusted - (crude["ai"] - crude["human"]) > 0.03


def pearson_dispersion(df: pd.DataFrame, metric: str) -> float:
    days = df.groupby("day")[metric].agg(["sum", "count"])
    p = days["sum"].sum() / days["count"].sum()
    chi2 = ((days["sum"] - days["count"] * p) ** 2 / (days["count"] * p * (1 - p))).sum()
    return float(chi2 / (len(days) - 1))


def test_6_days_are_over_dispersed(planted: Any, null: Any) -> None:
    df, manifest = planted
    human = df[df["handler"] == "human"]
    assert pearson_dispersion(human, "resolved_first_contact") > 2
    assert pearson_dispersion(df[df["handler"] == "ai"], "resolved_first_contact") > 2
    daily = 1 - human.groupby("day")["resolved_first_contact"].mean()
    multipliers = np.asarray(manifest["day_multipliers"]["unresolved"]["human"])
    assert np.corrcoef(daily.to_numpy(), multipliers[daily.index])[0, 1] > 0.6
    quiet = null[0][null[0]["handler"] == "human"]
    assert pearson_dispersion(quiet, "resolved_first_contact") < 1.6


def test_7_ai_escalates_vulnerable_customers_less(planted: Any) -> None:
    df, manifest = planted
    expected = effect(manifest, "vulnerable_escalation")["expected"]
    vulnerable = df[df["vulnerable"] == "yes"]
    assert inside(expected["in_scope"]["difference"], gap_interval(vulnerable, "escalated"))
    assert gap_interval(vulnerable, "escalated")[1] < 0
    others = df[df["vulnerable"] == "no"]
    assert inside(expected["elsewhere"]["difference"], gap_interval(others, "escalated"))
    assert interaction_p(df, "escalated", "vulnerable", "yes") < 1e-6


def test_background_differences(planted: Any) -> None:
    df, manifest = planted
    ai = df[df["handler"] == "ai"]
    expected = effect(manifest, "escalation_gap")["expected"]
    assert inside(expected["ai"], rate_interval(df, "escalated", "ai"))
    means = df.groupby("handler")["handle_time_s"].mean()
    truth = effect(manifest, "handle_time_gap")["expected"]["mean_s"]
    assert means["ai"] == pytest.approx(truth["ai"], rel=0.03)
    assert means["human"] == pytest.approx(truth["human"], rel=0.03)
    disclosed = ai.groupby("channel")["ai_disclosed"].mean()
    assert abs(disclosed["email"] - 0.90) < 0.01 and abs(disclosed["chat"] - 0.985) < 0.005
    override = ai.groupby("deployment")["human_override"].mean()
    assert abs(override["support-chat"] - 0.08) < 0.01
    assert abs(override["billing-voice"] - 0.05) < 0.01
    humans = df[df["handler"] == "human"].assign(team=lambda d: d["agent_id"].str[:2])
    by_team = humans.groupby("team")["human_override"].mean()
    assert by_team["t5"] > 2 * by_team.drop("t5").max()
    team1 = humans[humans["team"] == "t1"]
    assert stats.chi2_contingency(pd.crosstab(team1["agent_id"], team1["human_override"]))[1] < 1e-6


def test_unresolved_ai_contacts_are_repeated_more(planted: Any) -> None:
    df, _ = planted
    unresolved = df[~df["resolved_first_contact"]]
    c = counts(unresolved, "repeat")
    result = smp.test_proportions_2indep(*c["ai"], *c["human"], alternative="larger")
    assert result.pvalue < 1e-6
    assert c["ai"][0] / c["ai"][1] > 0.25


# --- nulls --------------------------------------------------------------------------------


@pytest.mark.parametrize("column", NULL_SEGMENTS)
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("fixture", ["planted", "null"])
def test_null_segments_show_no_interaction(
    fixture: str, metric: str, column: str, request: Any
) -> None:
    df, _ = request.getfixturevalue(fixture)
    assert equal_odds_p(df, metric, column) > NULL_ALPHA
    for level in segment(column).levels:
        assert interaction_p(df, metric, column, level) > NULL_ALPHA, level


@pytest.mark.parametrize("metric", [*METRICS, "repeat"])
def test_null_data_has_no_ai_human_difference(null: Any, metric: str) -> None:
    df, _ = null
    c = counts(df, metric)
    assert smp.test_proportions_2indep(*c["ai"], *c["human"]).pvalue > ALPHA


def test_null_data_is_the_same_everywhere(null: Any) -> None:
    df, _ = null
    ai = df["handler"] == "ai"
    logs = np.log(df["handle_time_s"])
    assert stats.ttest_ind(logs[ai], logs[~ai], equal_var=False).pvalue > ALPHA
    assert stats.chi2_contingency(pd.crosstab(df["handler"], df["inquiry_type"]))[1] > ALPHA
    disclosure = pd.crosstab(df.loc[ai, "channel"], df.loc[ai, "ai_disclosed"].astype(bool))
    assert stats.chi2_contingency(disclosure)[1] > ALPHA
    humans = df[~ai]
    overrides = pd.crosstab(humans["agent_id"], humans["human_override"])
    assert stats.chi2_contingency(overrides)[1] > ALPHA
    for column, metric in (("language", "satisfied"), ("vulnerable", "escalated")):
        assert equal_odds_p(df, metric, column) > ALPHA
    chat = df["deployment"] == "support-chat"
    for version in ("v1", "v2"):
        part = df[chat & ((df["model_version"] == version) | ~ai)]
        if version == "v2":
            part = part[part["started_at"] >= pd.Timestamp("2025-02-15", tz="UTC")]
        else:
            part = part[part["started_at"] < pd.Timestamp("2025-02-15", tz="UTC")]
        c = counts(part, "escalated")
        assert smp.test_proportions_2indep(*c["ai"], *c["human"]).pvalue > ALPHA


def test_no_effects_is_the_same_as_null(tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    synthesize(a, 5_000, effects=())
    synthesize(b, 5_000, null=True)
    assert pq.read_table(a).equals(pq.read_table(b))
    assert json.loads(Path(f"{a}.manifest.json").read_text())["null"] is True


def test_one_effect_alone_with_its_own_size(tmp_path: Path) -> None:
    path = tmp_path / "one.parquet"
    out = synthesize(path, 150_000, effects=(BillingComplaints(ratio=2.0),))
    df, manifest = load(path)
    assert [e.name for e in out.effects] == ["billing_complaints"]
    assert effect(manifest, "billing_complaints")["expected"]["in_scope"]["ratio"] == 2.0
    assert inside(2.0, gap_interval(df[df["inquiry_type"] == "billing"], "complaint", "ratio"))
    assert inside(0.0, gap_interval(df, "resolved_first_contact"))


# --- determinism, formats, memory ----------------------------------------------------------


def test_same_file_for_any_chunk_size(tmp_path: Path) -> None:
    rows = 2 * BLOCK_ROWS + 12_345
    tables = []
    for chunk in (BLOCK_ROWS, 2 * BLOCK_ROWS, 8 * BLOCK_ROWS):
        path = tmp_path / f"chunk{chunk}.parquet"
        out = synthesize(path, rows, seed=3, chunk_rows=chunk)
        assert out.chunks == -(-rows // chunk)
        tables.append(pq.read_table(path))
    assert tables[0].equals(tables[1]) and tables[0].equals(tables[2])
    other = tmp_path / "other.parquet"
    synthesize(other, rows, seed=4)
    assert not pq.read_table(other).equals(tables[0])


def test_csv_and_parquet_agree(tmp_path: Path) -> None:
    csv_out = synthesize(tmp_path / "a.csv", 40_000, seed=5)
    parquet_out = synthesize(tmp_path / "a.parquet", 40_000, seed=5)
    assert csv_out.format is SynthFormat.csv and parquet_out.format is SynthFormat.parquet
    expected = pq.read_table(parquet_out.path)
    types = {f.name: f.type for f in expected.schema}
    options = pcsv.ConvertOptions(column_types=types, strings_can_be_null=True)
    got = pcsv.read_csv(csv_out.path, convert_options=options)
    assert got.column_names == expected.column_names
    assert got.equals(expected)
    header = csv_out.path.read_text("utf-8").splitlines()[1]
    assert header.split(",")[1].endswith("Z") and "T" in header.split(",")[1]


def test_format_from_suffix_or_argument(tmp_path: Path) -> None:
    out = synthesize(tmp_path / "contacts.txt", 100, fmt=SynthFormat.csv)
    assert out.path.read_text("utf-8").startswith("interaction_id,started_at,handler")
    assert synthesize(tmp_path / "contacts.data", 100).format is SynthFormat.parquet


def test_start_and_days_set_the_period(tmp_path: Path) -> None:
    out = synthesize(tmp_path / "june.parquet", 20_000, start=date(2024, 6, 1), days=30)
    df = pd.read_parquet(out.path)
    assert out.start == datetime.fromisoformat("2024-06-01T00:00:00+00:00")
    assert df["started_at"].min() >= pd.Timestamp("2024-06-01", tz="UTC")
    assert df["started_at"].max() < pd.Timestamp("2024-07-01", tz="UTC")
    assert out.model_switch.at == datetime.fromisoformat("2024-06-16T00:00:00+00:00")


@pytest.mark.parametrize(
    ("switch_on", "expected"),
    [(date(2024, 6, 24), "2024-06-24"), (date(2024, 5, 1), "2024-06-02"), (None, "2024-06-16")],
)
def test_switch_on_places_the_model_switch(
    tmp_path: Path, switch_on: date | None, expected: str
) -> None:
    out = synthesize(
        tmp_path / "june.parquet", 20_000, start=date(2024, 6, 1), days=30, switch_on=switch_on
    )
    df = pd.read_parquet(out.path)
    switched = df[(df["deployment"] == "support-chat") & (df["model_version"] == "v2")]
    first = pd.Timestamp(expected, tz="UTC")
    # Kept within the period: never before its second day.
    assert out.model_switch.at == first.to_pydatetime()
    assert switched["started_at"].min().normalize() == first
    before = df[(df["deployment"] == "support-chat") & (df["handler"] == "ai")]
    assert (before[before["started_at"] < first]["model_version"] == "v1").all()


# VmHWM, not ru_maxrss: Linux keeps the forking parent's high-water mark in the child's
# ru_maxrss across exec, so a big test process made the child look big (1.5 GB in CI).
MEMORY_SCRIPT = """
import sys
from pathlib import Path
from cxsteward.services.data.synth import synthesize
synthesize(Path(sys.argv[1]), int(sys.argv[2]))
status = Path("/proc/self/status").read_text().splitlines()
print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def peak_rss_mb(path: Path, rows: int) -> float:
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(path), str(rows)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip()) / 1024  # VmHWM is in KiB


def test_memory_does_not_grow_with_rows(tmp_path: Path) -> None:
    small = peak_rss_mb(tmp_path / "small.parquet", 1_200_000)
    large = peak_rss_mb(tmp_path / "large.parquet", 3_000_000)
    assert large < small + 150, (small, large)
    assert large < 1500, large


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": 0}, "--rows must be at least 1"),
        ({"days": 0}, "--days must lie between"),
        ({"seed": -1}, "--seed must be a non-negative"),
        ({"chunk_rows": 1000}, "multiple of"),
        ({"effects": (FcrGap(), FcrGap())}, "repeated: fcr_gap"),
        ({"effects": (FcrGap(ai=0.3), DayDispersion())}, "must lie in [0, 0.5]"),
        ({"effects": (InquiryMix(ai_mix=(0.5, 0.5, 0.5, 0.5)),)}, "summing to 1"),
        ({"effects": (BillingComplaints(inquiry_type="refunds"),)}, "Unknown inquiry type"),
    ],
    ids=["rows", "days", "seed", "chunk", "repeated", "impossible", "mix", "unknown"],
)
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"rows": 10, **kwargs}
    with pytest.raises(Invalid, match=message.replace("[", r"\[").replace("]", r"\]")):
        synthesize(tmp_path / "x.parquet", **arguments)
    assert list(tmp_path.iterdir()) == []


def test_nothing_is_left_behind_when_writing_fails(tmp_path: Path) -> None:
    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        synthesize(tmp_path / "x.parquet", 1_000, progress=stop)
    assert list(tmp_path.iterdir()) == []


def test_progress_reports_every_chunk(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    rows = BLOCK_ROWS + 5
    synthesize(
        tmp_path / "x.csv", rows, chunk_rows=BLOCK_ROWS, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(BLOCK_ROWS, rows), (rows, rows)]
    assert pcsv.read_csv(tmp_path / "x.csv").num_rows == rows
