"""The scale gate (C10): is this deployment ready for its next lifecycle move? Pure: no I/O.

The service gathers :class:`GateFacts` from the registry and the store; :func:`judge` turns
them into one result per criterion the policy asks, and :func:`verdict` into go, go with
conditions or no-go. A criterion that cannot be established is *unknown*, and an unknown
blocking criterion stops the gate as surely as an unmet one: readiness is shown, not assumed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from cxsteward.domain.governance.evidence_base import BaselineEvidence, start_of
from cxsteward.domain.governance.gate_policy import TITLES, Criterion, GatePolicy, Verdict
from cxsteward.domain.governance.spec import Deployment, Governance, Lifecycle, Vendor
from cxsteward.domain.monitoring.trust_checks import ChannelDisclosure
from cxsteward.domain.thresholds import Severity, Threshold

Status = Literal["met", "not_met", "unknown"]


@dataclass(frozen=True)
class Breach:
    finding: int
    run: int
    metric: str
    severity: str
    day: date
    message: str


@dataclass(frozen=True)
class OpenIncident:
    id: int
    title: str
    severity: str
    opened: date


@dataclass(frozen=True)
class Gap:
    """A finding of the latest run where the AI trails humans on a key metric."""

    finding: int
    run: int
    metric: str
    segment: str
    ai: float
    human: float
    worse_by: float  # relative to the human figure: 0.25 is 25% worse
    message: str


@dataclass(frozen=True)
class Flag:
    id: int
    submitted: date
    category: str


@dataclass(frozen=True)
class GateFacts:
    """Everything the gate looks at for one deployment, as of ``today``."""

    governance: Governance
    deployment: Deployment
    target: Lifecycle
    today: date
    evidenced_stage: tuple[int, str] | None = None
    blocking_gaps: Sequence[tuple[str, str]] = ()  # (rule, message)
    chain_checked: bool = True
    accountable_metrics: Sequence[str] = ()
    key_metrics: Sequence[str] = ()
    baselines: Sequence[BaselineEvidence] = ()
    thresholds: Sequence[Threshold] = ()
    monitored: bool = False  # a run covered this deployment
    breaches: Sequence[Breach] = ()
    open_incidents: Sequence[OpenIncident] = ()
    gaps: Sequence[Gap] = ()
    disclosure: Sequence[ChannelDisclosure] = ()
    reviews_due: int = 0
    reviews_in_time: int = 0
    untriaged: Sequence[Flag] = ()
    last_meeting: date | None = None
    newest_contact: date | None = None


@dataclass(frozen=True)
class Judged:
    criterion: Criterion
    status: Status
    blocking: bool
    evidence: str
    details: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return TITLES[self.criterion]


# Criteria read from customer contacts: an internal deployment (no customer meets it) has
# none to judge, so they are not asked of it.
CUSTOMER_ONLY = frozenset(
    {
        Criterion.BASELINES,
        Criterion.THRESHOLDS,
        Criterion.BREACHES,
        Criterion.AI_GAP,
        Criterion.DISCLOSURE,
        Criterion.FRESHNESS,
    }
)


def judge(policy: GatePolicy, facts: GateFacts) -> list[Judged]:
    """One result per criterion the policy asks, in the policy's order."""
    found: list[Judged] = []
    internal = not facts.deployment.customer_facing
    for criterion in Criterion:
        if not policy.applies(criterion) or (internal and criterion in CUSTOMER_ONLY):
            continue
        status, evidence, details = _JUDGES[criterion](policy, facts)
        blocking = policy.blocks(criterion)
        found.append(Judged(criterion, status, blocking, evidence, tuple(details)))
    return found


def verdict(results: Sequence[Judged]) -> Verdict:
    """No-go when a blocking criterion is unmet or unknown; conditions when only others are."""
    if any(r.blocking and r.status != "met" for r in results):
        return Verdict.NO_GO
    if any(r.status != "met" for r in results):
        return Verdict.CONDITIONS
    return Verdict.GO


Outcome = tuple[Status, str, list[str]]


def _maturity(policy: GatePolicy, facts: GateFacts) -> Outcome:
    wanted = policy.min_stage or 1
    if facts.evidenced_stage is None:
        return ("unknown", "No assessment cycle has answers, so no stage is evidenced.", [])
    number, name = facts.evidenced_stage
    return (
        "met" if number >= wanted else "not_met",
        f"The records evidence stage {number} ({name}); the gate asks for {wanted} or above.",
        [],
    )


def _chain(policy: GatePolicy, facts: GateFacts) -> Outcome:
    if not facts.chain_checked:
        return ("unknown", "The governance chain could not be checked.", [])
    gaps = [f"{rule}: {message}" for rule, message in facts.blocking_gaps]
    if not gaps:
        return ("met", f"No blocking chain gap concerns {facts.deployment.key}.", [])
    return ("not_met", f"{len(gaps)} blocking chain gap(s) concern {facts.deployment.key}.", gaps)


def _baselines(policy: GatePolicy, facts: GateFacts) -> Outcome:
    dep = facts.deployment
    if dep.go_live is None:
        return ("unknown", f"{dep.key} has no go-live date to compare baselines with.", [])
    cutoff = start_of(dep.go_live)
    missing: list[str] = []
    for metric in facts.accountable_metrics:
        early = [b for b in facts.baselines if b.holds(dep.key, metric) and b.created_at < cutoff]
        if not early:
            late = [b for b in facts.baselines if b.holds(dep.key, metric)]
            missing.append(
                f"{metric}: baseline {late[0].name} frozen {late[0].created_at:%Y-%m-%d}, after "
                f"go-live on {dep.go_live}"
                if late
                else f"{metric}: no frozen baseline holds it"
            )
    count = len(facts.accountable_metrics)
    if not count:
        return ("unknown", "No accountable metric is declared for this deployment.", [])
    if missing:
        return (
            "not_met",
            f"{len(missing)} of {count} accountable metrics lack a baseline frozen before "
            f"go-live on {dep.go_live}.",
            missing,
        )
    return ("met", f"All {count} accountable metrics had a baseline before {dep.go_live}.", [])


def _thresholds(policy: GatePolicy, facts: GateFacts) -> Outcome:
    dep = facts.deployment
    if dep.go_live is None:
        return ("unknown", f"{dep.key} has no go-live date to compare thresholds with.", [])
    cutoff = start_of(dep.go_live)
    missing: list[str] = []
    for metric in facts.key_metrics:
        dated = [
            t.created_at
            for t in facts.thresholds
            if t.metric == metric and t.deployment in (None, dep.key) and t.created_at is not None
        ]
        if not dated:
            missing.append(f"{metric}: no threshold watches it")
        elif min(dated) >= cutoff:
            missing.append(
                f"{metric}: first threshold created {min(dated):%Y-%m-%d}, after go-live"
            )
    count = len(facts.key_metrics)
    if missing:
        return (
            "not_met",
            f"{len(missing)} of {count} key metrics had no threshold before go-live on "
            f"{dep.go_live}.",
            missing,
        )
    return ("met", f"All {count} key metrics had a threshold before {dep.go_live}.", [])


def _breaches(policy: GatePolicy, facts: GateFacts) -> Outcome:
    days, floor = policy.breach_days or 0, policy.breach_severity or Severity.SEV2
    if not facts.monitored:
        return ("unknown", f"No monitoring run covered {facts.deployment.key} yet.", [])
    counted = [b for b in facts.breaches if _at_least(b.severity, floor)]
    if not counted:
        return (
            "met",
            f"No confirmed breach at {floor.value} or worse in the last {days} days.",
            [],
        )
    return (
        "not_met",
        f"{len(counted)} confirmed breach(es) at {floor.value} or worse in the last {days} days.",
        [f"{b.day} {b.severity} {b.metric}: {b.message} (finding {b.finding})" for b in counted],
    )


def _incidents(policy: GatePolicy, facts: GateFacts) -> Outcome:
    floor = policy.open_incident_severity or Severity.SEV2
    counted = [i for i in facts.open_incidents if _at_least(i.severity, floor)]
    if not counted:
        return ("met", f"No incident at {floor.value} or worse is open.", [])
    return (
        "not_met",
        f"{len(counted)} incident(s) at {floor.value} or worse still open.",
        [f"#{i.id} {i.severity} since {i.opened}: {i.title}" for i in counted],
    )


def _ai_gap(policy: GatePolicy, facts: GateFacts) -> Outcome:
    tolerance = policy.ai_gap_tolerance or 0.0
    if not facts.monitored:
        return (
            "unknown",
            f"No monitoring run compared AI and humans on {facts.deployment.key}.",
            [],
        )
    beyond = [g for g in facts.gaps if g.worse_by > tolerance]
    allowed = f"{tolerance:.0%} of the human figure"
    if not beyond:
        return (
            "met",
            f"On no key metric and no segment is the AI confirmed worse than humans by more "
            f"than {allowed}.",
            [],
        )
    return (
        "not_met",
        f"The AI is confirmed worse than humans by more than {allowed} in {len(beyond)} place(s).",
        [
            f"{g.message} (finding {g.finding})"
            if g.message
            else f"{g.metric} ({g.segment}): AI {g.ai:.3g} against humans {g.human:.3g}, "
            f"{_worse(g.worse_by)} (finding {g.finding})"
            for g in sorted(beyond, key=lambda g: -g.worse_by)
        ],
    )


def _disclosure(policy: GatePolicy, facts: GateFacts) -> Outcome:
    floor = policy.disclosure_floor or 0.0
    declared = facts.deployment.channels
    seen = {c.channel: c for c in facts.disclosure}
    below: list[str] = []
    unknown: list[str] = []
    shares: list[str] = []
    for channel in declared or sorted(seen):
        row = seen.get(channel)
        if row is None or row.recorded == 0:
            unknown.append(f"{channel}: no AI contact with a recorded disclosure flag")
            continue
        share = row.disclosed / row.recorded
        shares.append(f"{channel} {share:.1%} of {row.recorded}")
        if share < floor:
            below.append(f"{channel}: {share:.1%} of {row.recorded} AI contacts, floor {floor:.0%}")
    if below:
        return (
            "not_met",
            f"Disclosure is below {floor:.0%} on {len(below)} channel(s).",
            below + unknown,
        )
    if unknown or not shares:
        return ("unknown", "Disclosure cannot be measured on every channel.", unknown)
    return ("met", f"Disclosure at or above {floor:.0%} on every channel: {', '.join(shares)}.", [])


def _review_sla(policy: GatePolicy, facts: GateFacts) -> Outcome:
    floor = policy.review_sla_floor or 0.0
    if facts.reviews_due == 0:
        return ("met", "No review request has fallen due yet, so none was late.", [])
    share = facts.reviews_in_time / facts.reviews_due
    return (
        "met" if share >= floor else "not_met",
        f"{facts.reviews_in_time} of {facts.reviews_due} review requests answered within their "
        f"SLA ({share:.0%}); the floor is {floor:.0%}.",
        [],
    )


def _flags(policy: GatePolicy, facts: GateFacts) -> Outcome:
    days = policy.flag_triage_days or 0
    old = [f for f in facts.untriaged if (facts.today - f.submitted).days > days]
    if not old:
        return ("met", f"No frontline flag has waited more than {days} days for triage.", [])
    return (
        "not_met",
        f"{len(old)} frontline flag(s) untriaged for more than {days} days.",
        [f"flag {f.id} ({f.category}) since {f.submitted}" for f in old],
    )


def _vendor(policy: GatePolicy, facts: GateFacts) -> Outcome:
    key = facts.deployment.vendor
    if key is None:
        return ("met", "The deployment is run in-house: no vendor contract to settle.", [])
    vendor = next((v for v in facts.governance.vendors if v.key == key), None)
    missing = (vendor or Vendor(key=key, name=key)).unsettled()
    if missing:
        return ("not_met", f"Vendor {key} lacks {len(missing)} of 4 clauses.", missing)
    return ("met", f"Vendor {key} has all four clauses in contract (or waived on record).", [])


def _committee(policy: GatePolicy, facts: GateFacts) -> Outcome:
    committee = facts.governance.committee
    if committee is None:
        return ("not_met", "No governance committee is declared.", [])
    if facts.last_meeting is None:
        return ("not_met", f"{committee.name} has no recorded meeting.", [])
    gap = (facts.today - facts.last_meeting).days
    return (
        "met" if gap <= committee.cadence_days else "not_met",
        f"{committee.name} last met on {facts.last_meeting}, {gap} days ago; its cadence is "
        f"{committee.cadence_days} days.",
        [],
    )


def _freshness(policy: GatePolicy, facts: GateFacts) -> Outcome:
    days = policy.fresh_days or 0
    if facts.newest_contact is None:
        return ("unknown", f"No contact of {facts.deployment.key} is in the store.", [])
    age = (facts.today - facts.newest_contact).days
    return (
        "met" if age <= days else "not_met",
        f"The newest contact is from {facts.newest_contact}, {age} days old; the limit is "
        f"{days} days.",
        [],
    )


def _at_least(severity: str, floor: Severity) -> bool:
    try:
        return Severity(severity).rank <= floor.rank
    except ValueError:
        return False


def _worse(worse_by: float) -> str:
    if worse_by == float("inf"):
        return "where humans are at zero"
    return f"{worse_by:.0%} worse"


_JUDGES: dict[Criterion, Callable[[GatePolicy, GateFacts], Outcome]] = {
    Criterion.MATURITY: _maturity,
    Criterion.CHAIN: _chain,
    Criterion.BASELINES: _baselines,
    Criterion.THRESHOLDS: _thresholds,
    Criterion.BREACHES: _breaches,
    Criterion.INCIDENTS: _incidents,
    Criterion.AI_GAP: _ai_gap,
    Criterion.DISCLOSURE: _disclosure,
    Criterion.REVIEW_SLA: _review_sla,
    Criterion.FLAGS: _flags,
    Criterion.VENDOR: _vendor,
    Criterion.COMMITTEE: _committee,
    Criterion.FRESHNESS: _freshness,
}
