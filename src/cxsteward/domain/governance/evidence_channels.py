"""Evidence rules on the channels between people and the AI's owners (C8, C9).

A customer's way to a human review (TRU-04), the explanation they are owed (TRU-03), the
frontline's way to flag the AI (PPL-09), and the upkeep of the policies themselves (GOV-05).
Each reads what the channel left in the registry: a channel nobody used leaves no records,
and says so rather than passing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from cxsteward.domain.governance.evidence_base import (
    USAGE_DAYS,
    EvidenceFacts,
    FlagEvidence,
    Outcome,
    ReviewEvidence,
    check,
    judged,
    no_records,
    percent,
    start_of,
)
from cxsteward.domain.governance.evidence_oversight import NOT_APPLIED
from cxsteward.domain.results import EvidenceItem

# The same bars the scale gate applies by default (domain/governance/gate_policy.py).
REVIEW_SLA_FLOOR = 0.90  # share of review requests answered by their due time
TRIAGE_DAYS = 7  # no frontline flag waits longer than this for triage
EXPLAINED_SHARE = 0.90  # share of answered review requests that carry an explanation
CHANGE_DAYS = 180  # reports must have led to a change this recently
POLICY_REVIEW_DAYS = 183  # the governance setup was revised within half a year
MODEL_REVIEW_DAYS = 45  # the committee met this soon after a model version took effect


def review_path(facts: EvidenceFacts) -> Outcome:
    """TRU-04: customers used the review path and got their answer in time."""
    end = start_of(facts.today + timedelta(days=1))
    since = start_of(facts.today - timedelta(days=USAGE_DAYS - 1))
    recent = [r for r in facts.reviews if since <= r.received_at < end]
    if not recent:
        return no_records(f"no customer asked for a human review in the last {USAGE_DAYS} days")
    standing = [r for r in recent if r.withdrawn_at is None or r.withdrawn_at >= end]
    due = [r for r in standing if _answered(r, end) or r.due_at < end]
    in_time = [r for r in due if r.resolved_at is not None and r.resolved_at <= r.due_at]
    overdue = [r for r in due if not _answered(r, end)]
    items: list[EvidenceItem] = [
        check(
            True,
            f"{len(recent)} review request(s) received in the last {USAGE_DAYS} days, across "
            f"{len({r.deployment for r in recent})} deployment(s)",
        )
    ]
    if due:
        share = len(in_time) / len(due)
        items.append(
            check(
                share >= REVIEW_SLA_FLOOR,
                f"{len(in_time)} of {len(due)} request(s) due were answered in time "
                f"({percent(share)}; {percent(REVIEW_SLA_FLOOR)} needed)",
            )
        )
    items.append(
        check(not overdue, f"{len(overdue)} request(s) past their due time and still unanswered")
    )
    return judged(items)


def explanations(facts: EvidenceFacts) -> Outcome:
    """TRU-03: answered review requests carry a plain-language explanation, per deployment."""
    end = start_of(facts.today + timedelta(days=1))
    since = start_of(facts.today - timedelta(days=USAGE_DAYS - 1))
    answered = [
        r for r in facts.reviews if r.resolved_at is not None and since <= r.resolved_at < end
    ]
    if not answered:
        return no_records(f"no review request was answered in the last {USAGE_DAYS} days")
    items = []
    for deployment in sorted({r.deployment for r in answered}):
        mine = [r for r in answered if r.deployment == deployment]
        explained = sum(r.explained_at is not None and r.explained_at < end for r in mine)
        share = explained / len(mine)
        items.append(
            check(
                share >= EXPLAINED_SHARE,
                f"deployment {deployment}: {explained} of {len(mine)} answered request(s) came "
                f"with a plain-language explanation ({percent(share)}; "
                f"{percent(EXPLAINED_SHARE)} needed)",
            )
        )
    return judged(items)


def flag_channel(facts: EvidenceFacts) -> Outcome:
    """PPL-09: staff flag the AI, flags are triaged promptly, and some led to a change."""
    end = start_of(facts.today + timedelta(days=1))
    since = start_of(facts.today - timedelta(days=USAGE_DAYS - 1))
    recent = [f for f in facts.flags if since <= f.submitted_at < end]
    if not recent:
        return no_records(f"no frontline flag was raised in the last {USAGE_DAYS} days")
    late = _late(recent, end)
    changed_since = start_of(facts.today - timedelta(days=CHANGE_DAYS - 1))
    changed = [
        f for f in facts.flags if f.acted_at is not None and changed_since <= f.acted_at < end
    ]
    return judged(
        [
            check(True, f"{len(recent)} flag(s) raised by staff in the last {USAGE_DAYS} days"),
            check(
                not late,
                f"{len(late)} of {len(recent)} flag(s) waited more than {TRIAGE_DAYS} days "
                "for triage",
            ),
            check(
                bool(changed),
                f"{len(changed)} flag(s) led to a recorded change in the last {CHANGE_DAYS} days",
            ),
        ]
    )


def policy_upkeep(facts: EvidenceFacts) -> Outcome:
    """GOV-05: the governance setup is revised, and the committee met after each model change.

    A model change is any version after a deployment's first.
    """
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    end = start_of(facts.today + timedelta(days=1))
    since = start_of(facts.today - timedelta(days=POLICY_REVIEW_DAYS - 1))
    revised = sorted({t.date() for t in facts.policy_changes if t < end})
    recent = [d for d in revised if d >= since.date()]
    newest = f"; last revised on {revised[-1]}" if revised else "; never revised"
    items = [
        check(
            bool(recent),
            f"the governance setup was revised on {len(recent)} day(s) in the last "
            f"{POLICY_REVIEW_DAYS} days{newest}",
        )
    ]
    met = sorted({m.held_on for m in gov.committee.meetings} if gov.committee else set())
    year_ago = facts.today - timedelta(days=365)
    for dep in gov.deployments:
        # A deployment's first version is its launch, judged elsewhere; the later ones are
        # the vendor's changes that the policies must keep up with.
        for version in sorted(dep.models, key=lambda m: m.effective_from)[1:]:
            took_effect = version.effective_from
            if not year_ago <= took_effect <= facts.today - timedelta(days=MODEL_REVIEW_DAYS):
                continue  # too old to matter, or the committee still has time
            after = [
                d for d in met if took_effect <= d <= took_effect + timedelta(MODEL_REVIEW_DAYS)
            ]
            items.append(
                check(
                    bool(after),
                    f"deployment {dep.key}: {version.model} {version.version} took effect on "
                    f"{took_effect}; the committee met "
                    + (f"on {after[0]}" if after else f"not within {MODEL_REVIEW_DAYS} days"),
                )
            )
    return judged(items)


def _answered(review: ReviewEvidence, end: datetime) -> bool:
    return review.resolved_at is not None and review.resolved_at < end


def _late(flags: Sequence[FlagEvidence], end: datetime) -> list[FlagEvidence]:
    """Flags answered after their triage limit, or still waiting past it."""
    late = []
    for flag in flags:
        limit = flag.submitted_at + timedelta(days=TRIAGE_DAYS)
        answered = flag.answered(end)
        if (answered is None and limit < end) or (answered is not None and answered > limit):
            late.append(flag)
    return late
