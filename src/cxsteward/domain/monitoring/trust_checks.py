"""Customer-trust promises measured by a monitoring run (C8): disclosure per channel against
the floor, and the path promised to vulnerable customers, as findings with their rows.

Disclosure per channel is summed from the run's cells (the ``channel`` slice of AI
contacts) by :func:`channel_disclosure`, the one computation the scale gate reads too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxsteward.domain import metrics as m
from cxsteward.domain.governance.vulnerable import Judgement, VulnerablePromise
from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.domain.stats.proportions import wilson_interval

CHANNEL = "channel"
DISCLOSED = "ai_disclosed"
# What each part of the promise is called in a finding's ``metric``.
PART_METRICS = {
    "within": "human_in_time_rate",
    "ai_alone": "ai_alone_rate",
    "offered": "offered_human_rate",
}


@dataclass(frozen=True)
class ChannelDisclosure:
    """AI contacts of one deployment on one channel, and how many were told it was AI."""

    channel: str
    ai_contacts: int
    recorded: int  # AI contacts whose disclosure flag is known
    disclosed: int


def channel_disclosure(
    cells: m.CellTable, deployment: str, day_from: int | None = None, day_to: int | None = None
) -> list[ChannelDisclosure]:
    """Disclosure of the AI contacts of ``deployment`` per channel (``(missing)``: contacts
    without one), over days ``day_from..day_to``, sorted by channel. Needs the channel slice."""
    keep = (cells.slice == CHANNEL) & (cells.handler == "ai") & (cells.deployment == deployment)
    if day_from is not None:
        keep &= cells.day >= day_from
    if day_to is not None:
        keep &= cells.day <= day_to
    channels = cells.segments.get(CHANNEL)
    if channels is None or not keep.any():
        return []
    picked = channels[keep]
    columns = (m.N, m.flag_n(DISCLOSED), m.flag_true(DISCLOSED))
    sums = {c: np.asarray(cells.stats[c])[keep] for c in columns}
    out = []
    for channel in sorted({str(v) for v in picked}):
        rows = picked == channel
        n, recorded, disclosed = (int(sums[c][rows].sum()) for c in columns)
        out.append(ChannelDisclosure(channel, n, recorded, disclosed))
    return out


@dataclass(frozen=True)
class Window:
    """The run's days, as a finding states them (ISO dates; None: open)."""

    day_from: str | None
    day_to: str | None

    def of(self) -> dict[str, str]:
        return {k: v for k, v in (("from", self.day_from), ("to", self.day_to)) if v is not None}


def disclosure_finding(
    deployment: str, row: ChannelDisclosure, floor: float, window: Window, alpha: float
) -> Finding | None:
    """A finding when the channel's disclosure share is below ``floor``; None otherwise."""
    if row.recorded == 0:
        return None
    share = row.disclosed / row.recorded
    if share >= floor:
        return None
    low, high = _interval(row.disclosed, row.recorded, alpha)
    where = (
        "no channel recorded" if row.channel == m.MISSING_LEVEL else f"the {row.channel} channel"
    )
    return Finding(
        kind="disclosure",
        metric="disclosure_rate",
        scope={CHANNEL: row.channel},
        deployment=deployment,
        windows=window.of(),
        estimate={"ai": share, "floor": floor},
        n={"ai": row.recorded},
        ci=(low, high),
        p_value=None,
        q_value=None,
        effect={"difference": share - floor},
        threshold="disclosure_floor",
        rule=f"AI disclosed on at least {floor:.0%} of AI contacts on every channel (scale gate)",
        status="confirmed" if high < floor else "suspected",
        message=(
            f"{deployment}, {where}: the AI was disclosed on {share:.1%} of {row.recorded:,} AI "
            f"contacts (interval {low:.1%} to {high:.1%}), below the floor of {floor:.0%}."
        ),
        impact=row.recorded * (floor - share),
        trace=Trace(
            deployment=deployment,
            handlers=["ai"],
            segment={CHANNEL: row.channel},
            day_from=window.day_from,
            day_to=window.day_to,
        ),
    )


def promise_finding(
    deployment: str,
    promise: VulnerablePromise,
    value: str,
    part: Judgement,
    window: Window,
    alpha: float,
) -> Finding | None:
    """A finding when ``part`` of the vulnerable-customer promise is broken; None otherwise."""
    if part.kept is not False or part.share is None:
        return None
    low, high = _interval(part.successes, part.n, alpha)
    at_least = part.part != "ai_alone"
    beyond = high < part.limit if at_least else low > part.limit
    segment = {promise.segment: value}
    return Finding(
        kind="vulnerable",
        metric=PART_METRICS[part.part],
        scope=segment,
        deployment=deployment,
        windows=window.of(),
        estimate={"ai": part.share, "floor" if at_least else "ceiling": part.limit},
        n={"ai": part.n},
        ci=(low, high),
        p_value=None,
        q_value=None,
        effect={"difference": part.share - part.limit},
        threshold=f"vulnerable.{part.part}",
        rule="; ".join(promise.promises()),
        status="confirmed" if beyond else "suspected",
        message=(
            f"{deployment} breaks its promise to vulnerable customers ({promise.segment}="
            f"{value}): {part.words}, interval {low:.1%} to {high:.1%}."
        ),
        impact=part.n * abs(part.share - part.limit),
        trace=Trace(
            deployment=deployment,
            handlers=["ai"],
            segment=segment,
            day_from=window.day_from,
            day_to=window.day_to,
        ),
    )


def _interval(successes: int, n: int, alpha: float) -> tuple[float, float]:
    found = wilson_interval([successes], [n], alpha)
    return float(found.low[0]), float(found.high[0])
