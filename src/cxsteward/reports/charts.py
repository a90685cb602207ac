"""Geometry of the report's inline SVG charts; the template draws it and escapes all text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from cxsteward.domain.results import DimensionResult
from cxsteward.domain.scale import RoleGroup
from cxsteward.reports.figures import GroupDimensionScore, group_title

Anchor = Literal["start", "middle", "end"]

# Okabe-Ito: distinguishable with the common forms of colour-blindness.
ROLE_GROUP_COLOURS: dict[str, str] = {
    RoleGroup.EXECUTIVE.value: "#0072B2",
    RoleGroup.GOVERNANCE_COMMITTEE.value: "#E69F00",
    RoleGroup.CX_MANAGEMENT.value: "#009E73",
    RoleGroup.FRONTLINE.value: "#D55E00",
    RoleGroup.TECHNOLOGY.value: "#56B4E9",
    RoleGroup.LEGAL_COMPLIANCE.value: "#CC79A7",
    RoleGroup.DATA.value: "#F0E442",
}
_FALLBACK_COLOUR = "#999999"
SCORE_COLOUR = "#0072B2"

_WIDTH = 760.0
_PLOT_X = 250.0
_PLOT_WIDTH = 420.0
_TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Bar:
    """One bar; ``value`` is the 0-100 score it shows."""

    x: float
    y: float
    width: float
    height: float
    value: float
    fill: str
    outlined: bool
    tooltip: str

    @property
    def data_value(self) -> str:
        return f"{self.value:.1f}"


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: Anchor = "start"
    css: str = "label"


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "grid"


@dataclass(frozen=True)
class Box:
    """An outlined area: the 'no figure' marker or a legend swatch."""

    x: float
    y: float
    width: float
    height: float
    css: str
    fill: str = "none"


@dataclass(frozen=True)
class Chart:
    """Everything the SVG template needs, in the chart's own coordinates."""

    key: str
    title: str
    description: str
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)


def _x(score: float) -> float:
    return round(_PLOT_X + _PLOT_WIDTH * max(0.0, min(score, 100.0)) / 100.0, 2)


def _axis(chart: Chart, top: float, bottom: float) -> None:
    for tick in _TICKS:
        chart.rules.append(Rule(_x(tick), top, _x(tick), bottom, "grid"))
        chart.labels.append(Label(_x(tick), bottom + 16, str(tick), "middle", "tick"))
    chart.rules.append(Rule(_PLOT_X, top, _PLOT_X, bottom, "axis"))


def _bar(x_score: float, y: float, height: float, fill: str, outlined: bool, tip: str) -> Bar:
    width = round(_x(x_score) - _PLOT_X, 2)
    return Bar(_PLOT_X, round(y, 2), width, height, x_score, fill, outlined, tip)


def _no_figure(chart: Chart, y: float, height: float, text: str) -> None:
    chart.boxes.append(Box(_PLOT_X, round(y, 2), _PLOT_WIDTH, height, "missing"))
    chart.labels.append(Label(_PLOT_X + 8, round(y + height / 2 + 4, 2), text, "start", "missing"))


def dimension_chart(dimensions: Sequence[DimensionResult]) -> Chart:
    """Horizontal bars of the dimension scores (0-100), 'not scorable' marked as such."""
    row, bar_height, top = 40.0, 22.0, 10.0
    bottom = top + row * len(dimensions)
    chart = Chart(
        key="dimension-scores",
        title="Score per dimension (0-100)",
        description="Each bar is a dimension's score; an outlined row is not scorable.",
        width=_WIDTH,
        height=bottom + 28,
    )
    _axis(chart, top, bottom)
    for index, dimension in enumerate(dimensions):
        y = top + index * row + (row - bar_height) / 2
        middle = round(y + bar_height / 2 + 5, 2)
        chart.labels.append(Label(_PLOT_X - 12, middle, dimension.name, "end", "label"))
        if dimension.score is None:
            _no_figure(chart, y, bar_height, "not scorable")
            continue
        tip = f"{dimension.name}: {dimension.score:.1f}"
        bar = _bar(dimension.score, y, bar_height, SCORE_COLOUR, False, tip)
        chart.bars.append(bar)
        chart.labels.append(Label(bar.x + bar.width + 8, middle, bar.data_value, "start", "value"))
    return chart


def role_group_chart(
    dimensions: Sequence[DimensionResult], scores: Sequence[GroupDimensionScore]
) -> Chart:
    """Grouped bars: each role group's score (0-100) per dimension, with a legend."""
    groups = list(dict.fromkeys(s.role_group for s in scores if s.score is not None))
    chart = Chart(
        key="role-groups",
        title="Role groups side by side: score per dimension (0-100)",
        description="For each dimension, one bar per role group, in the legend's order.",
        width=_WIDTH,
        height=0.0,
    )
    top = _legend(chart, groups) + 12
    bar_height, gap, pad = 14.0, 4.0, 12.0
    block = max(len(groups), 1) * (bar_height + gap) - gap + 2 * pad
    by_key = {(s.dimension, s.role_group): s.score for s in scores}
    for index, dimension in enumerate(dimensions):
        y0 = top + index * block
        chart.labels.append(
            Label(_PLOT_X - 12, round(y0 + block / 2 + 5, 2), dimension.name, "end", "label")
        )
        if index:
            chart.rules.append(Rule(20, y0, _WIDTH - 20, y0, "separator"))
        for slot, group in enumerate(groups):
            y = y0 + pad + slot * (bar_height + gap)
            score = by_key.get((dimension.id, group))
            middle = round(y + bar_height / 2 + 4, 2)
            if score is None:
                chart.labels.append(Label(_PLOT_X + 6, middle, "no figure", "start", "missing"))
                continue
            tip = f"{group_title(group)}, {dimension.name}: {score:.1f}"
            colour = ROLE_GROUP_COLOURS.get(group, _FALLBACK_COLOUR)
            bar = _bar(score, y, bar_height, colour, True, tip)
            chart.bars.append(bar)
            label_x = bar.x + bar.width + 6
            chart.labels.append(Label(label_x, middle, bar.data_value, "start", "value small"))
    bottom = top + block * len(dimensions)
    _axis(chart, top, bottom)
    return replace(chart, height=bottom + 28)


def _legend(chart: Chart, groups: Sequence[str]) -> float:
    """Lay the legend out in rows above the plot; returns the y where the plot starts."""
    x, y, size = 20.0, 10.0, 12.0
    for group in groups:
        title = group_title(group)
        width = size + 8 + 7.2 * len(title) + 22
        if x + width > _WIDTH - 20 and x > 20:
            x, y = 20.0, y + 22
        colour = ROLE_GROUP_COLOURS.get(group, _FALLBACK_COLOUR)
        chart.boxes.append(Box(x, y, size, size, "swatch", colour))
        chart.labels.append(Label(x + size + 6, y + size - 1, title, "start", "legend"))
        x += width
    return y + size + 8
