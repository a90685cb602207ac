"""Charts from the library: valid, named, self-contained, stable SVG with their figures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from cxsteward.reports.charts import Chart
from cxsteward.reports.grid_charts import BarValue, HeatCell, grouped_bars, heatmap
from cxsteward.reports.trend_charts import (
    Band,
    Level,
    LinePoint,
    Marker,
    TrendPoint,
    line_trend,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [
    TrendPoint(date(2025, 1, 6), "2025-W02", "AI", 0.5, 0.41, 0.6, 120),
    TrendPoint(date(2025, 1, 13), "2025-W03", "AI", 0.55, 0.46, 0.64, 118),
    TrendPoint(date(2025, 1, 6), "2025-W02", "Humans", 0.61, 0.52, 0.7, 99),
    TrendPoint(date(2025, 1, 13), "2025-W03", "Humans", None, None, None, 0),
]


def _trend(title: str = "Resolution <AI & humans>") -> Chart:
    return trend_chart(
        "trend-fcr",
        title,
        "Weekly first-contact resolution with 95% intervals.",
        POINTS,
        y_title="First-contact resolution",
        percent=True,
        bands=[Band("Baseline pre-launch", 0.52, 0.58)],
        levels=[Level("resolution-floor (sev3)", 0.45)],
        markers=[Marker(date(2025, 1, 10), "gpt-x v2")],
    )


def _every_chart() -> list[Chart]:
    return [
        _trend(),
        heatmap(
            "scorecard",
            "Scorecard",
            "AI against humans per metric and segment.",
            [
                HeatCell("CSAT", "overall", "better", "+3.1 pts [1.2, 5.0]"),
                HeatCell("CSAT", "billing", "worse", "−2.0 pts [−3.9, −0.1]"),
                HeatCell("FCR", "overall", "level", "+0.1 pts [−1.0, 1.2]"),
                HeatCell("FCR", "billing", "too_few", "n = 12 / 9"),
            ],
            row_title="Metric",
            column_title="Segment",
        ),
        grouped_bars(
            "claimed",
            "Claimed beside evidenced",
            "Per dimension.",
            [
                BarValue("Strategy", "Claimed", 60.0),
                BarValue("Strategy", "Evidenced", 41.25),
                BarValue("Data", "Claimed", None),
            ],
            x_title="Score",
            domain=(0.0, 100.0),
        ),
        line_trend(
            "readiness",
            "Readiness over cycles",
            "Overall score per cycle.",
            [LinePoint("2025-Q1", "Overall", 48.0), LinePoint("2025-Q2", "Overall", 55.5)],
            y_title="Score",
            domain=(0.0, 100.0),
        ),
    ]


@pytest.mark.parametrize("chart", _every_chart(), ids=lambda c: c.key)
def test_svg_is_xml_named_and_self_contained(chart: Chart) -> None:
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("data-chart") == chart.key
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == chart.title
    assert desc is not None and desc.text == chart.description
    assert root.get("aria-labelledby") == title.get("id") == f"{chart.key}-title"
    # No URL but the namespace; no font fetched; no role of the renderer's inside the image.
    assert re.findall(r"https?://[^\"'\s]+", chart.svg) == ["http://www.w3.org/2000/svg"]
    assert "@font-face" not in chart.svg and "@import" not in chart.svg
    assert re.findall(r"url\(([^)]*)\)", chart.svg) == [
        f"#{i}" for i in re.findall(r"url\(#([^)]*)\)", chart.svg)
    ]
    assert chart.svg.count(' role="') == 1
    # Every element id belongs to this chart, so two charts can share a page.
    ids = re.findall(r' id="([^"]+)"', chart.svg)
    assert ids and all(i.startswith(f"{chart.key}-") for i in ids)
    assert len(ids) == len(set(ids))


def test_same_input_same_svg() -> None:
    first, second = _trend(), _trend()
    assert first.svg == second.svg
    assert first == second


def test_title_is_escaped_in_the_svg() -> None:
    chart = _trend()
    assert '<title id="trend-fcr-title">Resolution &lt;AI &amp; humans&gt;</title>' in chart.svg


def test_trend_table_lists_each_point_then_band_level_and_marker() -> None:
    chart = _trend()
    assert chart.table.columns == ["Week", "Series", "Value", "95% interval", "Contacts"]
    assert chart.table.rows == [
        ["2025-W02", "AI", "50.0%", "[41.0%, 60.0%]", "120"],
        ["2025-W03", "AI", "55.0%", "[46.0%, 64.0%]", "118"],
        ["2025-W02", "Humans", "61.0%", "[52.0%, 70.0%]", "99"],
        ["2025-W03", "Humans", "—", "—", "0"],
        ["every week", "Baseline pre-launch", "—", "[52.0%, 58.0%]", "—"],
        ["every week", "resolution-floor (sev3)", "45.0%", "—", "—"],
        ["2025-01-10", "gpt-x v2", "—", "—", "—"],
    ]
    # The labels of the line and the marker are drawn, as text.
    assert ">resolution-floor (sev3)</text>" in chart.svg and ">gpt-x v2</text>" in chart.svg


def test_heatmap_table_and_cells() -> None:
    chart = _every_chart()[1]
    assert chart.table.rows == [
        ["CSAT", "overall", "AI better", "+3.1 pts [1.2, 5.0]"],
        ["CSAT", "billing", "AI worse", "−2.0 pts [−3.9, −0.1]"],
        ["FCR", "overall", "level", "+0.1 pts [−1.0, 1.2]"],
        ["FCR", "billing", "too few contacts", "n = 12 / 9"],
    ]
    for cell in chart.table.rows:
        assert f">{cell[3]}</text>" in chart.svg
    assert chart.svg.count('<path d="M') >= 4  # four cells drawn


def test_grouped_bars_draw_a_bar_per_figure_and_say_when_there_is_none() -> None:
    chart = _every_chart()[2]
    assert chart.table.rows == [
        ["Strategy", "Claimed", "60.0"],
        ["Strategy", "Evidenced", "41.2"],
        ["Data", "Claimed", "no figure"],
    ]
    bars = chart.svg.split('class="mark-rect', 1)[1].split("</g>", 1)[0]
    assert bars.count("<path") == 2
    assert ">no figure</text>" in chart.svg


def test_line_trend_table() -> None:
    chart = _every_chart()[3]
    assert chart.table.rows == [["2025-Q1", "Overall", "48.00"], ["2025-Q2", "Overall", "55.50"]]


def test_a_bad_key_is_refused() -> None:
    with pytest.raises(ValueError, match="chart key"):
        line_trend("Bad Key", "t", "d", [LinePoint("a", "s", 1.0)], y_title="y")


def test_another_process_draws_the_same_svg() -> None:
    """The renderer numbers its clip paths per process; the chart's own ids do not depend on it."""
    script = (
        "import sys; from test_charts import _every_chart; "
        "sys.stdout.write('\\n'.join(c.svg for c in _every_chart()))"
    )
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), *sys.path])}
    fresh = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    ).stdout
    # This process has drawn other charts first, so its renderer's counters are further on.
    _trend()
    assert fresh == "\n".join(c.svg for c in _every_chart())
