"""The synthetic contacts' sentiment: its own random stream, its documented relation to
satisfaction and complaints, and the AI compared with humans on it as on every metric."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from cxsteward.config import Settings
from cxsteward.domain.synth_spec import DEFAULT_EFFECTS, resolve
from cxsteward.domain.thresholds import Threshold
from cxsteward.services.data import synth_generate
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import DEFAULT_DAYS, DEFAULT_START, synthesize
from cxsteward.services.data.synth_generate import Tables, World, draw_block
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.thresholds import add_thresholds, retire_threshold
from cxsteward.services.workspace import Workspace, init_workspace

ROWS = 60_000


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    folder = tmp_path_factory.mktemp("synth-sentiment")
    data = folder / "contacts.parquet"
    synthesize(data, ROWS, seed=21)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, data)
    yield ws, data
    ws.close()


def test_sentiment_has_a_stream_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World.build(resolve(DEFAULT_EFFECTS), 3, 5_000, DEFAULT_START, DEFAULT_DAYS)
    tables = Tables.of(world.model)
    before = draw_block(world, tables, 0, 5_000)
    monkeypatch.setattr(synth_generate, "SENTIMENT_STREAM", 99)
    after = draw_block(world, tables, 0, 5_000)
    for name, values in before.items():
        if name in ("sentiment", "wrote"):
            assert not np.array_equal(values, after[name]), name
        else:
            np.testing.assert_array_equal(values, after[name], err_msg=name)


def test_sentiment_follows_satisfaction_and_complaints_as_the_manifest_says(
    synthetic: tuple[Workspace, Path],
) -> None:
    _, data = synthetic
    frame = pd.read_parquet(data)
    manifest = json.loads(data.with_name(data.name + ".manifest.json").read_text("utf-8"))
    told = manifest["sentiment"]
    scored = frame["sentiment"].dropna()
    assert scored.between(-1, 1).all()
    assert len(scored) / len(frame) == pytest.approx(told["share_with_score"], abs=0.01)
    calm = frame[(frame["csat"] >= 4) & ~frame["complaint"]]["sentiment"].dropna()
    angry = frame[(frame["csat"] <= 2) & frame["complaint"]]["sentiment"].dropna()
    sd = told["sd"]
    assert calm.mean() == pytest.approx(clipped_mean(told["mean_if_satisfied"], sd), abs=0.01)
    want = clipped_mean(told["mean_if_dissatisfied"] + told["complaint_shift"], sd)
    assert angry.mean() == pytest.approx(want, abs=0.03)


def clipped_mean(mu: float, sd: float) -> float:
    """E[clip(X, -1, 1)] for X ~ N(mu, sd), by hand."""
    a, b = (-1 - mu) / sd, (1 - mu) / sd
    inside = mu * (norm.cdf(b) - norm.cdf(a)) + sd * (norm.pdf(a) - norm.pdf(b))
    return float(-norm.cdf(a) + norm.sf(b) + inside)


def test_the_ai_is_compared_with_humans_on_sentiment_per_segment_with_welch_intervals(
    synthetic: tuple[Workspace, Path],
) -> None:
    ws, data = synthetic
    frame = pd.read_parquet(data)
    out = run_monitor(ws)
    gaps = [
        c for c in out.comparisons if c.metric == "sentiment_mean" and c.kind == "ai_vs_human_gap"
    ]
    scopes = {tuple(c.scope.items()) for c in gaps}
    assert () in scopes and (("language", "es"),) in scopes
    for comparison in gaps:
        if comparison.scope not in ({}, {"language": "es"}):
            continue
        part = frame[frame["deployment"] == comparison.deployment]
        for column, value in comparison.scope.items():
            part = part[part[column] == value]
        ai = part[part["handler"] == "ai"]["sentiment"].dropna().to_numpy()
        human = part[part["handler"] == "human"]["sentiment"].dropna().to_numpy()
        assert comparison.n == (len(ai), len(human))
        assert comparison.difference == pytest.approx(ai.mean() - human.mean())
        low, high = CompareMeans(DescrStatsW(ai), DescrStatsW(human)).tconfint_diff(
            alpha=0.05, usevar="unequal"
        )
        # The run's interval is Welch's, widened for the run's many comparisons, never narrower.
        assert comparison.ci[0] <= low + 1e-9 and comparison.ci[1] >= high - 1e-9


def test_a_sentiment_baseline_is_frozen_and_judged_like_any_metric(
    synthetic: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, data = synthetic
    frame = pd.read_parquet(data)
    first = frame["started_at"].min().date()
    last = first + timedelta(days=27)
    freeze_baseline(ws, "sentiment-before", first, last)
    rule = Threshold(
        id="sentiment-vs-before",
        metric="sentiment_mean",
        compare_to="baseline",
        baseline="sentiment-before",
        direction="below",
        points=0.1,
        deployment="support-chat",
    )
    add_thresholds(ws, [rule])
    try:
        out = run_monitor(ws)
    finally:
        retire_threshold(ws, "sentiment-vs-before")
    evaluation = next(
        e for e in out.evaluations if e.threshold == "sentiment-vs-before" and not e.scope
    )
    day = frame["started_at"].dt.date
    before = frame[
        (day >= first)
        & (day <= last)
        & (frame["handler"] == "human")
        & (frame["deployment"] == "support-chat")
    ]["sentiment"].dropna()
    assert evaluation.n.comparator == len(before)
    assert evaluation.estimate.comparator == pytest.approx(before.mean())
    ai = frame[(frame["handler"] == "ai") & (frame["deployment"] == "support-chat")]
    assert evaluation.estimate.ai == pytest.approx(ai["sentiment"].dropna().mean())
    assert evaluation.status == "ok"
