"""Evidence rules on operations: outcome measures, data, monitoring, disclosure, trust."""

from __future__ import annotations

from datetime import date, timedelta

from cxsteward.domain.governance.evidence_base import (
    DISCLOSURE_TARGET,
    QUARANTINE_LIMIT,
    RECORDED_SHARE,
    REVIEW_DAYS,
    USAGE_DAYS,
    EvidenceFacts,
    Outcome,
    check,
    judged,
    names,
    no,
    no_records,
    percent,
    start_of,
)
from cxsteward.domain.governance.evidence_oversight import NO_LIVE, NOT_APPLIED
from cxsteward.domain.governance.evidence_sentiment import sentiment_items
from cxsteward.domain.governance.evidence_vulnerable import channel_disclosed
from cxsteward.domain.governance.gate_policy import effective_policy
from cxsteward.domain.results import EvidenceItem

# What the customer feels, as against speed and volume (average_handle_time, contacts).
OUTCOME_METRICS = (
    "first_contact_resolution",
    "csat_satisfied_rate",
    "csat_mean",
    "complaint_rate",
    "escalation_rate",
    "repeat_contact_rate",
)
SATISFACTION = ("csat_satisfied_rate", "csat_mean")
HUMAN_CORE = ("first_contact_resolution", "csat_satisfied_rate", "complaint_rate")
NO_DATA = "no interaction data has been loaded"
# AI-only contacts may rightly carry no agent, so half the contacts is enough for agent ids.
AGENT_SHARE = 0.5
PERIOD_DAYS = 30
PERIODS = 3


def outcome_measures(facts: EvidenceFacts) -> Outcome:
    """STR-02: key metrics and thresholds cover customer outcomes, not only speed."""
    if facts.governance is None and not facts.thresholds:
        return no_records("no governance applied and no threshold declared")
    items: list[EvidenceItem] = []
    if facts.governance is not None:
        declared = [m for m in facts.governance.key_metrics if m in OUTCOME_METRICS]
        items.append(
            check(
                len(declared) >= 2,
                f"declared key metrics include {len(declared)} customer outcome(s): "
                f"{names(declared)} (2 or more needed)",
            )
        )
    watched = sorted({r.metric for r in facts.thresholds if r.metric in OUTCOME_METRICS})
    other = sorted({r.metric for r in facts.thresholds} - set(OUTCOME_METRICS))
    items.append(
        check(
            len(watched) >= 2 and bool(set(watched) & {*SATISFACTION, "complaint_rate"}),
            f"thresholds watch customer outcomes {names(watched)}; other metrics {names(other)}"
            " (2 or more outcomes, including satisfaction or complaints, needed)",
        )
    )
    for dep in facts.live:
        mine = sorted(
            {
                r.metric
                for r in facts.thresholds
                if r.metric in OUTCOME_METRICS and r.deployment in (None, dep.key)
            }
        )
        items.append(
            check(bool(mine), f"deployment {dep.key}: outcome thresholds on {names(mine)}")
        )
    return judged(items)


def override_tracking(facts: EvidenceFacts) -> Outcome:
    """PPL-10: overrides recorded on AI contacts, agents identified, rates computed per agent."""
    if not facts.loads:
        return no_records(NO_DATA)
    rows = sum(load.rows_accepted for load in facts.loads)
    filled = sum(
        load.rows_accepted * (1 - (load.null_rate.get("agent_id") or 0.0))
        if load.null_rate.get("agent_id") is not None
        else 0.0
        for load in facts.loads
    )
    share = filled / rows if rows else 0.0
    items = [
        check(
            share >= AGENT_SHARE,
            f"agent_id is filled in on {percent(share)} of {rows:,} loaded contacts",
        )
    ]
    ai = sum(u.ai_contacts for u in facts.usage)
    recorded = sum(u.override_recorded for u in facts.usage)
    items.append(
        check(
            ai > 0 and recorded / ai >= RECORDED_SHARE,
            f"human_override is recorded on {percent(recorded / ai)} of {ai:,} AI contacts of "
            f"the last {USAGE_DAYS} days"
            if ai
            else f"no AI contacts in the last {USAGE_DAYS} days to record overrides on",
        )
    )
    per_agent = [
        r for r in facts.recent_runs() if any({"agent_id", "team"} & set(s) for s in r.slices)
    ]
    items.append(
        check(
            bool(per_agent),
            f"monitoring run {per_agent[-1].id} computed rates per agent or team on "
            f"{per_agent[-1].started_at:%Y-%m-%d}"
            if per_agent
            else "no monitoring run of the last month computed rates per agent or team",
        )
    )
    return judged(items)


def knowledge_base(facts: EvidenceFacts) -> Outcome:
    """DAT-03: every knowledge article has a known owner and a review within 180 days."""
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    if not gov.knowledge_base:
        return no_records("no knowledge-base inventory is recorded")
    oldest = facts.today - timedelta(days=REVIEW_DAYS)
    items: list[EvidenceItem] = []
    for a in gov.knowledge_base:
        owner = facts.person(a.owner)
        fresh = a.last_reviewed is not None and a.last_reviewed >= oldest
        reviewed = f"reviewed {a.last_reviewed}" if a.last_reviewed else "never reviewed"
        items.append(
            check(
                owner is not None and fresh,
                f"article {a.key}: owner {owner or 'unknown'}, {reviewed}",
            )
        )
    return judged(items)


def human_baseline(facts: EvidenceFacts) -> Outcome:
    """DAT-04: a human baseline holds resolution, satisfaction and complaints, per deployment."""
    human = [b for b in facts.baselines if b.handler == "human"]
    if not facts.loads and not facts.baselines:
        return no_records("no data loaded and no baseline frozen")
    if not human:
        return judged([no("no human baseline has been frozen")])
    best = max(human, key=lambda b: (len(b.metrics & set(HUMAN_CORE)), b.created_at))
    held = [m for m in HUMAN_CORE if m in best.metrics]
    lacking = [m for m in HUMAN_CORE if m not in best.metrics]
    items = [
        check(
            not lacking,
            f"human baseline {best.name} holds {names(held)}"
            + (f"; lacks {', '.join(lacking)}" if lacking else ""),
        )
    ]
    for dep in facts.live:
        having = [b.name for b in human if b.holds(dep.key)]
        items.append(
            check(
                bool(having),
                f"deployment {dep.key}: human baseline(s) {names(having)}"
                if having
                else f"deployment {dep.key}: no human baseline holds its contacts",
            )
        )
    return judged(items)


def continuous_data(facts: EvidenceFacts) -> Outcome:
    """DAT-05: data loaded and monitored in each of the last three months, quality in bounds."""
    if not facts.loads and not facts.runs:
        return no_records("no data loaded and no monitoring run")
    periods = [
        (
            facts.today - timedelta(days=PERIOD_DAYS * (k + 1) - 1),
            facts.today - timedelta(days=PERIOD_DAYS * k),
        )
        for k in reversed(range(PERIODS))
    ]

    def gaps(moments: list[date]) -> list[str]:
        return [f"{a}..{b}" for a, b in periods if not any(a <= m <= b for m in moments)]

    no_load = gaps([load.finished_at.date() for load in facts.loads])
    no_run = gaps([run.started_at.date() for run in facts.runs])
    window = f"each 30-day period since {periods[0][0]}"
    items = [
        check(not no_load, f"data loaded in {window}" + _missing(no_load)),
        check(not no_run, f"monitoring run in {window}" + _missing(no_run)),
    ]
    recent = [load for load in facts.loads if load.finished_at >= start_of(periods[0][0])]
    read = sum(load.rows_accepted + load.rows_quarantined for load in recent)
    if read:
        share = sum(load.rows_quarantined for load in recent) / read
        items.append(
            check(
                share <= QUARANTINE_LIMIT,
                f"{len(recent)} recent load(s) quarantined {percent(share)} of {read:,} rows "
                f"(at most {percent(QUARANTINE_LIMIT)})",
            )
        )
    return judged(items)


def _missing(periods: list[str]) -> str:
    return f"; none in {', '.join(periods)}" if periods else ""


def disclosure(facts: EvidenceFacts) -> Outcome:
    """TRU-06: a disclosure on each channel of each live deployment, and in the data."""
    if facts.governance is None:
        return no_records(NOT_APPLIED)
    if not facts.live:
        return no_records(NO_LIVE)
    items: list[EvidenceItem] = []
    for dep in facts.live:
        if not dep.channels:
            items.append(no(f"deployment {dep.key} lists no channels to disclose on"))
        for channel in dep.channels:
            said = dep.disclosure.get(channel, "").strip()
            items.append(
                check(
                    bool(said),
                    f"{dep.key} on {channel}: a disclosure statement is recorded"
                    if said
                    else f"{dep.key} on {channel}: no disclosure statement",
                )
            )
        if facts.loads:
            # Per channel where the data says which (an email channel at 89% hides behind a
            # deployment at 96%); the deployment's whole share otherwise.
            floor = effective_policy(facts.governance.scale_gate, dep.scale_gate).disclosure_floor
            per_channel = channel_disclosed(facts, dep.key, floor or DISCLOSURE_TARGET)
            items += per_channel or [_disclosed(facts, dep.key)]
    return judged(items)


def _disclosed(facts: EvidenceFacts, deployment: str) -> EvidenceItem:
    usage = next((u for u in facts.usage if u.deployment == deployment), None)
    if usage is None or usage.ai_contacts == 0:
        return no(f"{deployment}: no AI contacts in the last {USAGE_DAYS} days to measure")
    if usage.disclosure_recorded == 0:
        return no(f"{deployment}: ai_disclosed is not recorded in the data")
    rate = usage.disclosed / usage.disclosure_recorded
    return check(
        rate >= DISCLOSURE_TARGET,
        f"{deployment}: disclosure_rate {percent(rate)} over {usage.disclosure_recorded:,} AI "
        f"contacts of the last {USAGE_DAYS} days (target {percent(DISCLOSURE_TARGET)})",
    )


def trust_monitoring(facts: EvidenceFacts) -> Outcome:
    """TRU-07: thresholds on satisfaction and complaints, judged by a recent monitoring run;
    sentiment measured, monitored and shown to the committee (``evidence_sentiment``)."""
    if facts.governance is None and not facts.thresholds and not facts.runs:
        return no_records("no governance, threshold or monitoring run is recorded")
    satisfaction = [r.id for r in facts.thresholds if r.metric in SATISFACTION]
    complaints = [r.id for r in facts.thresholds if r.metric == "complaint_rate"]
    trust = set(satisfaction) | set(complaints)
    runs = [r for r in facts.recent_runs() if trust & set(r.thresholds)]
    return judged(
        [
            check(bool(satisfaction), f"satisfaction thresholds: {names(satisfaction)}"),
            check(bool(complaints), f"complaint thresholds: {names(complaints)}"),
            check(
                bool(runs),
                f"monitoring run {runs[-1].id} judged them on {runs[-1].started_at:%Y-%m-%d}"
                if runs
                else "no monitoring run of the last month judged a trust threshold",
            ),
            *sentiment_items(facts),
        ]
    )
