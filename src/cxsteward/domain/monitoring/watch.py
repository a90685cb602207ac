"""Changes nobody announced: a Bernoulli CUSUM on the AI's daily counts (DESIGN section 5).

For each deployment and rate metric, the first ``REFERENCE_DAYS`` days set the in-control
rate p0; the CUSUM then accumulates evidence for a worsening to p1 (25% relative, at least
2 points) day by day and alarms when it reaches ``THRESHOLD``. Days are shrunk by the
over-dispersion factor first, so ordinary day-to-day swings do not raise alarms. An alarm
that follows a model-version switch recorded in the data is left to the before/after
comparison; any other alarm is a change nobody announced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxsteward.domain.metrics import Direction, MetricSpec, day_date
from cxsteward.domain.monitoring.comparisons import COMPARED_METRICS
from cxsteward.domain.monitoring.counts import Kind
from cxsteward.domain.monitoring.groups import Dispersion, Scope, kind_of
from cxsteward.domain.stats import bernoulli_cusum

REFERENCE_DAYS = 21
THRESHOLD = 10.0
MIN_REFERENCE_N = 200


@dataclass(frozen=True)
class Alarm:
    spec: MetricSpec
    scope: Scope
    p0: float
    p1: float
    reference: tuple[str, str]
    alarm_day: str
    after_rate: float
    n_after: int


def unannounced_changes(
    dispersion: Dispersion, first_seen: dict[tuple[str, str], int]
) -> list[Alarm]:
    """CUSUM alarms on the AI's overall daily series not explained by a version switch."""
    daily = dispersion.daily
    alarms: list[Alarm] = []
    for scope in daily.each_scope():
        if scope.segment:
            continue
        rows = daily.series.get((scope.key, "ai"), [])
        if len(rows) < REFERENCE_DAYS + 7:
            continue
        days = daily.totals.start[np.asarray(rows)]
        switches = [
            day
            for (deployment, _), day in first_seen.items()
            if deployment == scope.deployment and day > int(days[0])
        ]
        for spec in COMPARED_METRICS:
            if kind_of(spec) is not Kind.RATE or "ai" not in spec.handlers:
                continue
            if spec.direction is Direction.NEUTRAL:
                continue
            alarm = _watch(dispersion, spec, scope, rows, days, switches)
            if alarm is not None:
                alarms.append(alarm)
    return alarms


def _watch(
    dispersion: Dispersion,
    spec: MetricSpec,
    scope: Scope,
    rows: list[int],
    days: np.ndarray,
    switches: list[int],
) -> Alarm | None:
    values = dispersion.daily.values(spec)
    if values.successes is None:
        return None
    index = np.asarray(rows)
    x, n = values.successes[index], values.n[index]
    ref_x, ref_n = x[:REFERENCE_DAYS].sum(), n[:REFERENCE_DAYS].sum()
    if ref_n < MIN_REFERENCE_N:
        return None
    p0 = float(ref_x / ref_n)
    if not 0 < p0 < 1:
        return None
    shift = max(0.02, 0.25 * p0)
    worse_up = spec.direction is Direction.HIGHER_IS_WORSE
    p1 = min(p0 + shift, 0.999) if worse_up else max(p0 - shift, 0.001)
    phi = dispersion.phi(spec, scope.key, "ai")
    result = bernoulli_cusum(x[REFERENCE_DAYS:] / phi, n[REFERENCE_DAYS:] / phi, p0, p1, THRESHOLD)
    if result.alarm_index is None:
        return None
    at = REFERENCE_DAYS + result.alarm_index
    alarm_day = int(days[at])
    if any(int(days[REFERENCE_DAYS]) <= day <= alarm_day for day in switches):
        return None  # announced: the before/after comparison of that switch covers it
    after_n = float(n[REFERENCE_DAYS : at + 1].sum())
    after_rate = float(x[REFERENCE_DAYS : at + 1].sum() / after_n) if after_n else float("nan")
    return Alarm(
        spec=spec,
        scope=scope,
        p0=p0,
        p1=p1,
        reference=(
            day_date(int(days[0])).isoformat(),
            day_date(int(days[REFERENCE_DAYS - 1])).isoformat(),
        ),
        alarm_day=day_date(alarm_day).isoformat(),
        after_rate=after_rate,
        n_after=int(after_n),
    )
