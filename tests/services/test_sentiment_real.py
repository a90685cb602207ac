"""Sentiment scored at load from the real exports that carry free text, checked against VADER.

The newcomer's path on each file: suggest a mapping, load it unedited, run the monitor; then
the stored scores are compared with ``SentimentIntensityAnalyzer().polarity_scores`` called
directly on the same rows read by pandas, and the weekly means and intervals with statsmodels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from real_exports import real, stored, suggest_and_load
from statsmodels.stats.weightstats import DescrStatsW
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cxsteward.engine.readers import SourceUnreadable
from cxsteward.services.data import load_data
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.trends import metric_trend
from cxsteward.services.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "mappings"
# (folder, delimiter pandas reads it with, id column, text column)
EXPORTS = [
    ("kaggle-support-tickets", ",", "Ticket ID", "Ticket Description"),
    ("kaggle-support-tickets-ddmmyy", ",", "Ticket ID", "Ticket Description"),
    ("comcast-complaints", "\t", "Ticket #", "Customer Complaint"),
]


def source_of(folder: str) -> Path:
    return next(p for p in real(folder).iterdir() if p.suffix == ".csv")


def vader(texts: pd.Series) -> pd.Series:
    analyzer = SentimentIntensityAnalyzer()
    return texts.map(
        lambda t: np.nan if not t.strip() else analyzer.polarity_scores(t.strip())["compound"]
    )


@pytest.mark.parametrize(("folder", "sep", "id_column", "text"), EXPORTS, ids=lambda v: str(v))
def test_the_suggested_mapping_scores_every_text_as_vader_does(
    ws: Workspace, tmp_path: Path, folder: str, sep: str, id_column: str, text: str
) -> None:
    source = source_of(folder)
    suggestion, out = suggest_and_load(ws, tmp_path, source)
    assert f'sentiment_text: "{text}"' in suggestion
    frame = stored(ws)
    assert "sentiment" in frame and text not in frame.columns  # the words are never stored
    raw = pd.read_csv(source, sep=sep, dtype=str, keep_default_na=False)
    want = vader(raw[text]).set_axis(raw[id_column].str.strip())
    got = frame.set_index("interaction_id")["sentiment"]
    assert len(got) == out.rows_accepted > 0
    np.testing.assert_allclose(got.to_numpy(), want.loc[got.index].to_numpy(), atol=0, rtol=0)
    assert got.between(-1, 1).all()

    monitored = run_monitor(ws)
    deployment = str(frame["deployment"].iloc[0])
    trend = metric_trend(ws, deployment, "sentiment_mean")
    assert trend.unit == "score -1 to 1" and trend.points
    weekly = frame.assign(week=frame["started_at"].dt.tz_convert(None).dt.to_period("W-SUN"))
    checked = 0
    for point in trend.points:
        assert point.handler == "human"
        scores = weekly.loc[weekly["week"].dt.start_time.dt.date == point.start, "sentiment"]
        scores = scores.dropna()
        assert point.n == len(scores)
        if len(scores) >= 2:
            assert point.value == pytest.approx(scores.mean(), abs=1e-12)
            low, high = DescrStatsW(scores.to_numpy()).tconfint_mean(alpha=0.05)
            assert point.ci == (pytest.approx(low), pytest.approx(high))
            checked += 1
    assert checked >= 1
    assert sum(p.n for p in trend.points) == frame["sentiment"].notna().sum()
    assert monitored.run_id > 0


def test_the_example_mapping_scores_the_same_as_the_suggested_one(ws: Workspace) -> None:
    source = source_of("kaggle-support-tickets")
    load_data(ws, source, EXAMPLES / "kaggle-support-tickets.yaml")
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    answered = raw[raw["Ticket Status"] != "Open"]
    frame = stored(ws)
    assert frame["sentiment"].mean() == pytest.approx(vader(answered["Ticket Description"]).mean())


def test_the_broken_semicolon_resave_is_refused_before_any_text_is_scored(
    ws: Workspace,
) -> None:
    source = source_of("kaggle-support-tickets-semicolon")
    with pytest.raises(SourceUnreadable, match="every line is one cell"):
        load_data(ws, source, EXAMPLES / "kaggle-support-tickets.yaml")
