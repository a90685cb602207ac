"""The demo's sentiment: its contacts carry a score (the synthetic world draws one for the
customers who wrote something), and a threshold declared before the first go-live watches it.

The rule is declared with the example thresholds, on the same day, so it too comes before
every go-live. It asks whether the AI leaves customers feeling worse than humans do by more
than 0.15 on the -1..1 scale; the world plants no such gap, so it is judged and holds.
"""

from __future__ import annotations

from datetime import date

from cxsteward.domain.thresholds import Threshold
from cxsteward.services.demo.story import Story
from cxsteward.services.monitoring.thresholds import add_thresholds
from cxsteward.services.workspace import Workspace

SENTIMENT_RULE = Threshold(
    id="sentiment-gap",
    metric="sentiment_mean",
    direction="below",
    points=0.15,
    severity="sev3",
    action="review",
    description="Customers feel worse after the AI than after a person (sentiment -1 to 1).",
)


def plan_sentiment(story: Story, ws: Workspace, day: date, declared: list[int]) -> None:
    """Declare the sentiment threshold on ``day``, just after the example thresholds, and
    count it in ``declared`` with them."""
    story.on(day, 9.25, lambda: declared.append(_declare(ws)))


def _declare(ws: Workspace) -> int:
    out = add_thresholds(ws, [SENTIMENT_RULE])
    return len(out.added) + len(out.unchanged)
