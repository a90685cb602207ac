"""Evidence of the trust checks on vulnerable customers (TRU-02) and on disclosure per channel
(TRU-06's measured half): read from the promises declared in the governance file and from
what monitoring measured of them."""

from __future__ import annotations

from datetime import timedelta

from cxsteward.domain.governance.evidence_base import (
    RECENT_RUN_DAYS,
    EvidenceFacts,
    Outcome,
    check,
    judged,
    no,
    no_records,
    percent,
    start_of,
    yes,
)
from cxsteward.domain.governance.evidence_oversight import NO_LIVE, NOT_APPLIED
from cxsteward.domain.metrics import MISSING_LEVEL
from cxsteward.domain.results import EvidenceItem


def vulnerable_customers(facts: EvidenceFacts) -> Outcome:
    """TRU-02: each live deployment declares the path promised to vulnerable customers, a
    recent monitoring run measured it, and it was kept."""
    if facts.governance is None:
        return no_records(NOT_APPLIED)
    if not facts.live:
        return no_records(NO_LIVE)
    since = start_of(facts.today - timedelta(days=RECENT_RUN_DAYS))
    items: list[EvidenceItem] = []
    for dep in facts.live:
        promise = dep.vulnerable
        if promise is None:
            items.append(no(f"{dep.key} declares no path for vulnerable customers"))
            continue
        items.append(
            yes(f"{dep.key} promises vulnerable customers {'; '.join(promise.promises())}")
        )
        measured = [p for p in facts.promises if p.deployment == dep.key and p.run_started >= since]
        if not measured:
            items.append(no(f"{dep.key}: no monitoring run of the last month measured the promise"))
            continue
        for found in measured:
            where = f"{dep.key} ({found.segment}={found.value}, run {found.run_id})"
            if found.contacts == 0:
                items.append(no(f"{where}: no vulnerable AI contact in the window to measure"))
            for part in found.parts:
                said = "kept" if part.kept else "broken" if part.kept is False else "unmeasured"
                items.append(check(part.kept is True, f"{where}: {said}: {part.words}"))
    return judged(items)


def channel_disclosed(facts: EvidenceFacts, deployment: str, floor: float) -> list[EvidenceItem]:
    """TRU-06 on the data: AI disclosure on each channel of ``deployment`` against ``floor``."""
    rows = facts.channel_disclosure.get(deployment, ())
    items = []
    for row in rows:
        channel = "contacts without a channel" if row.channel == MISSING_LEVEL else row.channel
        if row.recorded == 0:
            items.append(no(f"{deployment} on {channel}: ai_disclosed is not recorded"))
            continue
        share = row.disclosed / row.recorded
        items.append(
            check(
                share >= floor,
                f"{deployment} on {channel}: AI disclosed on {percent(share)} of "
                f"{row.recorded:,} AI contacts (floor {percent(floor)})",
            )
        )
    return items
