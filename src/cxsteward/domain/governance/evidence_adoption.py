"""PPL-10 with staff adoption: besides agents and overrides in the data (override_tracking),
each live deployment with human contacts records where the AI assistant made suggestions,
a monitoring run of the last month computed its adoption figures per team and agent, and
its adoption findings of that month were taken up as an incident (docs/adoption.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cxsteward.domain.governance.evidence_base import (
    RECENT_RUN_DAYS,
    RECORDED_SHARE,
    USAGE_DAYS,
    EvidenceFacts,
    Outcome,
    check,
    judged,
    percent,
)
from cxsteward.domain.governance.evidence_operations import override_tracking
from cxsteward.domain.results import EvidenceItem

ADOPTION_METRICS = ("override_rate", "assist_rate")


@dataclass(frozen=True)
class AdoptionEvidence:
    """A deployment's human contacts of the last USAGE_DAYS days, and on how many of them
    the assistant's part is recorded (ai_assisted filled; without that column anywhere,
    human_override filled)."""

    deployment: str
    human_contacts: int
    assist_recorded: int


@dataclass(frozen=True)
class AdoptionRunEvidence:
    """A monitoring run that computed adoption figures: for which deployments, and the
    deployments of its adoption findings (one entry per finding)."""

    run_id: int
    started_at: datetime
    deployments: tuple[str, ...]
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdoptionFollowUp:
    """An incident opened on an adoption metric of a deployment; ``ended_at`` when it was
    resolved (or closed), None while it is still being worked."""

    deployment: str
    metric: str
    opened_at: datetime
    ended_at: datetime | None = None

    def live_since(self, moment: datetime) -> bool:
        """Whether it was open at ``moment`` or opened after it."""
        return self.opened_at >= moment or self.ended_at is None or self.ended_at >= moment


def staff_adoption(facts: EvidenceFacts) -> Outcome:
    """PPL-10: override tracking, and adoption figures computed and acted on per deployment.

    A finding counts as taken up by an incident on its metric that was open at the time of
    the month's first run with such findings, or opened since.
    """
    base = override_tracking(facts)
    if base.verdict == "no_records":
        return base
    return judged([*base.items, *adoption_items(facts)])


def adoption_items(facts: EvidenceFacts) -> list[EvidenceItem]:
    """One to three items per live deployment with human contacts of the last USAGE_DAYS."""
    live = {d.key for d in facts.live}
    since = facts.today.toordinal() - RECENT_RUN_DAYS
    runs: Sequence[AdoptionRunEvidence] = sorted(
        (r for r in facts.adoption_runs if r.started_at.date().toordinal() >= since),
        key=lambda r: r.started_at,
    )
    items: list[EvidenceItem] = []
    for usage in facts.adoption:
        dep = usage.deployment
        if dep not in live or usage.human_contacts == 0:
            continue
        share = usage.assist_recorded / usage.human_contacts
        items.append(
            check(
                share >= RECORDED_SHARE,
                f"{dep}: the assistant's suggestions are recorded on {percent(share)} of "
                f"{usage.human_contacts:,} human contacts of the last {USAGE_DAYS} days",
            )
        )
        mine = [r for r in runs if dep in r.deployments]
        items.append(
            check(
                bool(mine),
                f"{dep}: monitoring run {mine[-1].run_id} computed adoption figures per team "
                f"and agent on {mine[-1].started_at:%Y-%m-%d}"
                if mine
                else f"{dep}: no monitoring run of the last month computed adoption figures",
            )
        )
        flagged = [r for r in mine if dep in r.findings]
        if flagged:
            first = flagged[0].started_at
            taken = [
                f
                for f in facts.adoption_follow_ups
                if f.deployment == dep and f.metric in ADOPTION_METRICS and f.live_since(first)
            ]
            count = sum(r.findings.count(dep) for r in flagged)
            items.append(
                check(
                    bool(taken),
                    f"{dep}: {count} adoption finding(s) of the last month, taken up by an "
                    f"incident on {taken[0].metric} opened {taken[0].opened_at:%Y-%m-%d}"
                    if taken
                    else f"{dep}: {count} adoption finding(s) of the last month, and no "
                    "incident on override_rate or assist_rate has taken them up",
                )
            )
    return items
