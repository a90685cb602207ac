"""The newcomer's path with sentiment, through the CLI: suggest a mapping for the Comcast
complaints, load it, see sentiment in the metrics and run the monitor."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cxsteward.cli.app import app
from cxsteward.config import load_settings
from cxsteward.services.workspace import init_workspace

COMCAST = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "comcast-complaints"
    / "Comcast_telecom_complaints_data.csv"
)


def test_suggest_load_metrics_and_monitor_with_sentiment(tmp_path: Path, runner: CliRunner) -> None:
    if not COMCAST.exists():
        pytest.fail(f"{COMCAST} is missing: the tests need ../shared/data", pytrace=False)
    ws = tmp_path / "ws"
    init_workspace(load_settings(workspace=ws)).close()
    mapping = tmp_path / "comcast.yaml"

    def cx(*args: str) -> str:
        result = runner.invoke(app, ["--workspace", str(ws), *args])
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result.stdout

    cx("data", "suggest-mapping", str(COMCAST), "--out", str(mapping))
    assert 'sentiment_text: "Customer Complaint"' in mapping.read_text("utf-8")
    cx("data", "load", str(COMCAST), "--mapping", str(mapping))
    rows = json.loads(cx("metrics", "show", "--window", "all", "--json"))
    sentiment = [r for r in rows if r["metric"] == "sentiment_mean" and r["slice"] == "overall"]
    assert [r["handler"] for r in sentiment] == ["human"]
    raw = pd.read_csv(COMCAST, sep="\t", dtype=str, keep_default_na=False)
    analyzer = SentimentIntensityAnalyzer()
    scores = raw["Customer Complaint"].map(
        lambda t: analyzer.polarity_scores(t.strip())["compound"] if t.strip() else None
    )
    assert sentiment[0]["n"] == scores.notna().sum() == len(raw)
    assert sentiment[0]["estimate"] == pytest.approx(scores.mean(), abs=1e-12)
    cx("monitor", "run")
