"""Daily looks after a model-version switch, made safe with confidence sequences.

A monitor that runs every day re-tests each switch on a little more data each time; with a
fixed-horizon test, looking that often would raise false alarms far above the chosen level.
Here the AI's daily counts since the switch are compared with its counts before the switch
through a confidence sequence for the difference of rates (DESIGN section 5), which holds
at every look at once. A rate model-change becomes a finding only when the sequence excludes
"no change" in the worse direction at the latest look; the first day it did so is reported.

The split is by day: contacts before the switch day against contacts from that day on,
whatever version served them, which is the question a monitor asks ("did things change when
the switch happened?"). Days are shrunk by the over-dispersion factor of the days before the switch.
Non-rate metrics (means of durations and scores) have no bounded-range sequence here and
keep the fixed-horizon comparison alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxsteward.domain.metrics import Direction, day_date
from cxsteward.domain.monitoring.comparisons import Tested
from cxsteward.domain.monitoring.counts import Kind
from cxsteward.domain.monitoring.groups import Dispersion, kind_of
from cxsteward.domain.stats import (
    confidence_sequence_difference,
    mixture_rho,
    overdispersion_factor,
)

# The sequence is tuned to be tightest after about two weeks of after-switch traffic.
TUNED_DAYS = 14


@dataclass(frozen=True)
class Looks:
    """The always-valid verdict of one model-change comparison."""

    looks: int
    low: float
    high: float
    excludes_no_change: bool
    first_detected: str | None


def watch_switches(
    tested: list[Tested],
    dispersion: Dispersion,
    first_seen: dict[tuple[str, str], int],
    alpha: float,
) -> dict[int, Looks]:
    """Always-valid verdicts for the rate model-change comparisons, by position in ``tested``."""
    verdicts: dict[int, Looks] = {}
    for position, t in enumerate(tested):
        if t.kind != "model_change" or kind_of(t.spec) is not Kind.RATE or not t.sufficient:
            continue
        switch_day = first_seen.get((t.scope.deployment, t.versions[1]))
        if switch_day is None:
            continue
        looks = _looks(t, dispersion, switch_day, alpha)
        if looks is not None:
            verdicts[position] = looks
    return verdicts


def _looks(t: Tested, dispersion: Dispersion, switch_day: int, alpha: float) -> Looks | None:
    daily = dispersion.daily
    rows = daily.series.get((t.scope.key, "ai"), [])
    values = daily.values(t.spec)
    if not rows or values.successes is None:
        return None
    index = np.asarray(rows, dtype=np.int64)
    days = daily.totals.start[index]
    x, n = values.successes[index], values.n[index]
    before, after = days < switch_day, days >= switch_day
    if not before.any() or not after.any() or n[before].sum() <= 0:
        return None
    # Over-dispersion from the before days only: across the switch the change itself
    # would pass for day-to-day noise and hide what the looks are meant to find.
    phi = _phi(x[before], n[before])
    x, n = x / phi, n / phi
    x_after, n_after = np.cumsum(x[after]), np.cumsum(n[after])
    x_before = np.full(len(x_after), x[before].sum())
    n_before = np.full(len(x_after), n[before].sum())
    # rho is fixed from the before period alone, so it is chosen before any look is taken.
    expected = max(float(n[before].sum()) / max(int(before.sum()), 1) * TUNED_DAYS, 1.0)
    sequence = confidence_sequence_difference(
        x_after, n_after, x_before, n_before, alpha, rho=mixture_rho(expected, alpha)
    )
    worse_up = t.spec.direction is Direction.HIGHER_IS_WORSE
    beyond = sequence.low > 0 if worse_up else sequence.high < 0
    if t.spec.direction is Direction.NEUTRAL:
        beyond = np.zeros(len(beyond), dtype=bool)
    hits = np.flatnonzero(beyond)
    return Looks(
        looks=len(x_after),
        low=float(sequence.low[-1]),
        high=float(sequence.high[-1]),
        excludes_no_change=bool(beyond[-1]),
        first_detected=day_date(int(days[after][hits[0]])).isoformat() if hits.size else None,
    )


def _phi(x: np.ndarray, n: np.ndarray) -> float:
    if len(n) < 3:
        return 1.0
    value = float(overdispersion_factor(x, n))
    return value if np.isfinite(value) else 1.0
