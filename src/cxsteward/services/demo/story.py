"""The demo's clock: steps dated in the story, run in the order they happened.

Each step runs with the workspace's clock standing on its moment, so every record, audit
entry and ``created_at`` carries the day it happened in the story. The clock only moves
forward: the audit log's hash chain sees its entries in time order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from cxsteward.services.clock import FixedClock
from cxsteward.services.workspace import Workspace

Step = Callable[[], object]


@dataclass
class Story:
    """Steps of the story by moment; ``run`` plays them with the clock on each."""

    clock: FixedClock
    end: datetime  # the demo's now: the last steps run then
    steps: list[tuple[datetime, int, Step]] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.end.date()

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def on(self, day: date, hour: float, step: Step) -> None:
        """Run ``step`` at ``hour`` (UTC, fractions are minutes) on a day before today."""
        if day >= self.today:
            raise ValueError(f"a story step on {day} is not in the past of {self.today}")
        moment = datetime.combine(day, time(), UTC) + timedelta(hours=hour)
        if moment >= self.end:
            raise ValueError(f"a story step at {moment} is not before the demo's now {self.end}")
        self.steps.append((moment, len(self.steps), step))

    def at(self, moment: datetime, step: Step) -> None:
        self.steps.append((moment, len(self.steps), step))

    def finally_(self, step: Step) -> None:
        """Run ``step`` at the demo's now, after every dated step."""
        self.steps.append((self.end, len(self.steps), step))

    def run(self, ws: Workspace) -> None:
        """Play every step in time order (steps of one moment in the order they were added)."""
        assert ws.clock is self.clock, "the story moves the workspace's own clock"
        for moment, _, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            self.clock.at = moment
            step()
        self.steps.clear()
        self.clock.at = self.end
