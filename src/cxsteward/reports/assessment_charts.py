"""The assessment report's two charts: score per dimension, and role groups side by side."""

from __future__ import annotations

from collections.abc import Sequence

from cxsteward.domain.results import DimensionResult
from cxsteward.reports.charts import Chart
from cxsteward.reports.figures import GroupDimensionScore, group_title
from cxsteward.reports.grid_charts import BarValue, grouped_bars

SCORE = "Score"
NOT_SCORABLE = "not scorable"


def dimension_chart(dimensions: Sequence[DimensionResult]) -> Chart:
    """One bar per dimension (0-100); a dimension without a score says 'not scorable'."""
    return grouped_bars(
        "dimension-scores",
        "Score per dimension (0-100)",
        "Each bar is a dimension's score on a 0-100 scale; a dimension without enough answers "
        "to score reads 'not scorable' instead of a bar.",
        [BarValue(d.name, SCORE, d.score) for d in dimensions],
        x_title="Score (0-100)",
        domain=(0.0, 100.0),
        missing=NOT_SCORABLE,
    )


def role_group_chart(
    dimensions: Sequence[DimensionResult], scores: Sequence[GroupDimensionScore]
) -> Chart:
    """Per dimension, one bar per role group with a shown score (0-100), in role-group order.

    A group none of whose figures is shown (all withheld for anonymity) gets no bars; one
    shown elsewhere but without a figure on a dimension reads 'no figure' there.
    """
    groups = list(dict.fromkeys(s.role_group for s in scores if s.score is not None))
    by_key = {(s.dimension, s.role_group): s.score for s in scores}
    bars = [
        BarValue(d.name, group_title(g), by_key.get((d.id, g))) for d in dimensions for g in groups
    ]
    return grouped_bars(
        "role-groups",
        "Role groups side by side: score per dimension (0-100)",
        "For each dimension, one bar per role group, in the legend's order; each bar carries "
        "its value as text.",
        bars,
        x_title="Score (0-100)",
        domain=(0.0, 100.0),
    )
