"""Charts as static SVG: a Vega-Lite spec (altair) rendered in-process by vl-convert.

No browser, no script, no CDN: the SVG is text the page or the PDF embeds as is. Every chart
carries its title, a description and a table of the figures it draws, which the partial
``_figure.html.j2`` shows to screen readers (and to anyone) in a ``<details>``.

The SVG is made safe to inline several times on one page and stable from run to run: the
renderer's own ARIA roles are dropped (the ``<svg>`` is one image, named by its ``<title>``
and ``<desc>``), its element ids (numbered per process) are renamed after the chart's key, and
any reference to another URL than the SVG namespace is refused.

The builders: ``trend_charts.trend_chart`` (a value per week per series, intervals, bands,
levels, markers) and ``trend_charts.line_trend`` (a value per step, e.g. per cycle);
``grid_charts.grouped_bars`` (e.g. claimed beside evidenced) and ``grid_charts.heatmap``
(verdict per row and column); ``assessment_charts`` for the assessment report. The monitoring
read models are drawn by ``cxsteward.services.monitoring.charts``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

import altair as alt
import vl_convert as vlc
from pydantic import BaseModel, ConfigDict, Field

# Okabe-Ito: distinguishable with the common forms of colour-blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")
INK, MUTED, GRID = "#1f2933", "#52606d", "#d5dae1"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
WIDTH = 640

_SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
_XLINK_NS = ' xmlns:xlink="http://www.w3.org/1999/xlink"'
_RENDERER_ARIA = re.compile(r' (?:role|aria-[a-z]+)="[^"]*"')
_IDS = re.compile(r' id="([^"]+)"')
_KEY = re.compile(r"^[a-z][a-z0-9-]{0,79}$")


class ChartTable(BaseModel):
    """The figures a chart draws, as text: its fallback for screen readers."""

    model_config = ConfigDict(frozen=True)

    columns: list[str] = Field(description="Column headings.")
    rows: list[list[str]] = Field(description="One list of cell texts per row, as shown.")


class Chart(BaseModel):
    """One rendered chart: what the figure is, the SVG, and the table it draws."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(description="Unique on its page: the prefix of the SVG's element ids.")
    title: str
    description: str = Field(description="What the chart shows and how to read it.")
    svg: str = Field(description="A self-contained <svg> element (role img, title, desc).")
    table: ChartTable


def render_chart(
    key: str,
    title: str,
    description: str,
    chart: alt.TopLevelMixin,
    table: ChartTable,
) -> Chart:
    """Render an altair chart to SVG with the house style, named by ``title``/``description``.

    Raises:
        ValueError: the key is not lower-case letters, digits and dashes, or the SVG refers
            to an outside URL (a font, an image, a link).
    """
    if not _KEY.match(key):
        raise ValueError(f"chart key {key!r}: use lower-case letters, digits and dashes")
    spec: dict[str, Any] = chart.to_dict()  # Vega-Lite JSON: untyped by nature
    raw = vlc.vegalite_to_svg(spec, config=_config(), allowed_base_urls=[])
    return Chart(
        key=key,
        title=title,
        description=description,
        svg=_clean(raw, key, title, description),
        table=table,
    )


def _config() -> dict[str, Any]:  # a Vega-Lite config object: JSON by nature
    text = {"labelFont": FONT, "titleFont": FONT, "labelColor": INK, "titleColor": INK}
    return {
        "aria": False,
        "font": FONT,
        "background": "white",
        "view": {"stroke": None},
        "axis": {**text, "gridColor": GRID, "domainColor": MUTED, "tickColor": MUTED},
        "legend": {**text, "orient": "bottom", "direction": "horizontal"},
        "header": {"labelFont": FONT, "titleFont": FONT},
        "text": {"font": FONT},
    }


def _clean(raw: str, key: str, title: str, description: str) -> str:
    svg = _RENDERER_ARIA.sub("", raw)
    # Vega numbers clip paths per process (clip1, clip2, ...): rename them per chart, in order.
    for index, old in enumerate(dict.fromkeys(_IDS.findall(svg)), start=1):
        new = f"{key}-{index}"
        svg = svg.replace(f' id="{old}"', f' id="{new}"').replace(f"#{old})", f"#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    if "xlink:" not in svg:
        svg = svg.replace(_XLINK_NS, "", 1)
    opening = (
        f'<svg data-chart="{key}" role="img" '
        f'aria-labelledby="{key}-title" aria-describedby="{key}-desc" {_SVG_NS}'
    )
    svg = svg.replace(f"<svg {_SVG_NS}", opening, 1).replace(
        'class="marks"', 'class="chart-svg"', 1
    )
    head = svg.index(">") + 1
    named = (
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(description)}</desc>'
    )
    svg = svg[:head] + named + svg[head:]
    outside = re.findall(r"(?:https?:|url\((?!#)|@import|@font-face)[^\"'\s)]*", svg)
    allowed = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    if any(ref not in allowed for ref in outside):
        raise ValueError(f"chart {key}: the SVG refers to outside resources: {outside}")
    return svg


def chart_key(*parts: str) -> str:
    """A valid chart key from free text, e.g. ('trend', 'support-chat', 'csat_mean')."""
    text = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    return ("c-" + text if not text[:1].isalpha() else text)[:80].rstrip("-") or "chart"


def colour_scale(series: Sequence[str]) -> alt.Scale:
    """The palette's colours for ``series``, in order: one colour per series, fixed."""
    return alt.Scale(
        domain=list(series), range=[PALETTE[i % len(PALETTE)] for i in range(len(series))]
    )


def fmt_value(value: float | None, percent: bool, decimals: int = 1) -> str:
    """A figure as its table shows it: '12.5%' for a share, '3.42' otherwise, '—' if none."""
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.{decimals}f}%"
    return f"{value:.{max(decimals, 2)}f}"
