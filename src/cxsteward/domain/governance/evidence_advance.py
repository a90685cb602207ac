"""Evidence rules on what must exist before go-live: protocols, baselines, thresholds, roles."""

from __future__ import annotations

from datetime import date, timedelta

from cxsteward.domain.governance.evidence_base import (
    EvidenceFacts,
    Outcome,
    after,
    check,
    first_go_live,
    judged,
    names,
    no,
    no_records,
    protocol_key,
    stamp,
    start_of,
    utc,
    yes,
)
from cxsteward.domain.governance.evidence_oversight import NO_LIVE, NOT_APPLIED
from cxsteward.domain.governance.spec import Accountability
from cxsteward.domain.results import EvidenceItem
from cxsteward.domain.thresholds import Severity


def protocols(facts: EvidenceFacts) -> Outcome:
    """GOV-03: a protocol per severity, written before the first go-live, and followed."""
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    first = first_go_live(facts)
    items: list[EvidenceItem] = []
    for severity in Severity:
        protocol = gov.protocol(severity)
        if protocol is None:
            items.append(no(f"no escalation protocol for {severity.value}"))
            continue
        decider = facts.person(protocol.decides)
        text = (
            f"{severity.value} protocol: respond within {protocol.respond_within_hours:g} h, "
            f"{decider or 'an unknown person'} decides"
        )
        created = facts.created_at.get(protocol_key(severity.value))
        if first is not None:
            dep, day = first
            if created is None:
                items.append(no(f"{text}; no record of when it was written"))
                continue
            early = created < start_of(day)
            when = "before" if early else f"{after(created, day)} after"
            text += f"; written {stamp(created)}, {when} {dep.key} went live on {day}"
            items.append(check(early and decider is not None, text))
        else:
            items.append(check(decider is not None, text))
    due = [
        i
        for i in facts.incidents
        if i.respond_by is not None
        and i.respond_by < start_of(facts.today)
        and i.opened_at >= start_of(facts.today - timedelta(days=365))
    ]
    if due:
        late = [
            i
            for i in due
            if i.acknowledged_at is None or i.respond_by is None or i.acknowledged_at > i.respond_by
        ]
        shown = ", ".join(f"#{i.id} ({i.severity})" for i in late[:5])
        items.append(
            check(
                not late,
                f"{len(due) - len(late)} of {len(due)} incidents of the last 12 months were "
                "acknowledged within their protocol's response time"
                + (f"; late or never: {shown}" if late else ""),
            )
        )
    return judged(items)


def segment_baselines(facts: EvidenceFacts) -> Outcome:
    """GOV-06: each live deployment has a baseline by segment, frozen before go-live."""
    if facts.governance is None:
        return no_records(NOT_APPLIED)
    if not facts.live:
        return no_records(NO_LIVE)
    items: list[EvidenceItem] = []
    for dep in facts.live:
        if dep.go_live is None:
            items.append(no(f"deployment {dep.key} has no go-live date to compare baselines with"))
            continue
        cutoff = start_of(dep.go_live)
        holding = sorted(
            (b for b in facts.baselines if b.holds(dep.key)), key=lambda b: b.created_at
        )
        early = [b for b in holding if b.created_at < cutoff]
        segmented = [b for b in early if b.segment_slices(dep.key)]
        if segmented:
            b = segmented[0]
            items.append(
                yes(
                    f"baseline {b.name} ({b.handler}) frozen {stamp(b.created_at)}, before "
                    f"{dep.key} went live on {dep.go_live}, holds it by "
                    f"{names(b.segment_slices(dep.key))}"
                )
            )
        elif early:
            items.append(
                no(f"baseline {early[0].name} predates {dep.key}'s go-live but has no segments")
            )
        elif holding:
            b = holding[0]
            items.append(
                no(
                    f"the earliest baseline holding {dep.key}, {b.name}, was frozen "
                    f"{stamp(b.created_at)}, {after(b.created_at, dep.go_live)} after it went "
                    f"live on {dep.go_live}"
                )
            )
        else:
            items.append(no(f"no baseline holds deployment {dep.key}"))
    return judged(items)


def thresholds_in_advance(facts: EvidenceFacts) -> Outcome:
    """GOV-07: each key metric of each live deployment has a threshold older than go-live."""
    if facts.governance is None:
        return no_records(NOT_APPLIED)
    if not facts.live:
        return no_records(NO_LIVE)
    items: list[EvidenceItem] = []
    for dep in facts.live:
        if dep.go_live is None:
            items.append(no(f"deployment {dep.key} has no go-live date to compare thresholds with"))
            continue
        for metric in facts.key_metrics:
            items.append(_threshold_item(facts, dep.key, dep.go_live, metric))
    return judged(items)


def _threshold_item(facts: EvidenceFacts, dep: str, go_live: date, metric: str) -> EvidenceItem:
    dated = [
        (r.created_at, r.id)
        for r in facts.thresholds
        if r.metric == metric and r.deployment in (None, dep) and r.created_at is not None
    ]
    if not dated:
        return no(f"no threshold on {metric} applies to {dep}")
    created, rule = min(dated)
    if created < start_of(go_live):
        return yes(
            f"threshold {rule} on {metric} created {stamp(created)}, before {dep} went live "
            f"on {go_live}"
        )
    return no(
        f"threshold {rule} on {metric} created {stamp(created)}, {after(created, go_live)} "
        f"after {dep} went live on {go_live}"
    )


def accountability(facts: EvidenceFacts) -> Outcome:
    """GOV-08: each key metric has three different known people: monitor, escalate, act."""
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    scopes: list[str | None] = [d.key for d in facts.live] or [None]
    items: list[EvidenceItem] = []
    for scope in scopes:
        for metric in facts.key_metrics:
            rows = [r for r in gov.accountability if r.metric == metric]
            row = next((r for r in rows if r.deployment == scope), None) or next(
                (r for r in rows if r.deployment is None), None
            )
            where = f"{metric} on {scope}" if scope else metric
            items.append(_roles_item(facts, row, where))
    return judged(items)


def _roles_item(facts: EvidenceFacts, row: Accountability | None, where: str) -> EvidenceItem:
    if row is None:
        return no(f"{where}: no accountability recorded")
    roles = {role: getattr(row, role) for role in ("monitors", "escalates", "acts")}
    unknown = [role for role, key in roles.items() if facts.person(key) is None]
    if unknown:
        return no(f"{where}: nobody known {' / '.join(unknown)}")
    shown = ", ".join(f"{role} {facts.person(key)}" for role, key in roles.items())
    distinct = len(set(roles.values())) == 3
    return check(distinct, f"{where}: {shown}" + ("" if distinct else " (not three people)"))


def templates(facts: EvidenceFacts) -> Outcome:
    """TRU-05: legally approved templates, approved before go-live, for each incident type."""
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    if not gov.templates:
        return judged([no("no customer message templates are recorded")])
    first = first_go_live(facts)
    items: list[EvidenceItem] = []
    approved_types: set[str] = set()
    for t in gov.templates:
        approver = facts.person(t.approved_by)
        if approver is None or t.approved_at is None:
            items.append(no(f"template {t.key} ({t.incident_type}) has no legal approval"))
            continue
        text = (
            f"template {t.key} ({t.incident_type}) approved by {approver} "
            f"on {t.approved_at:%Y-%m-%d}"
        )
        if first is not None and utc(t.approved_at) >= start_of(first[1]):
            items.append(no(f"{text}, after {first[0].key} went live on {first[1]}"))
            continue
        approved_types.add(t.incident_type)
        items.append(yes(text + (f", before {first[0].key} went live" if first else "")))
    seen = sorted({i.incident_type for i in facts.incidents if i.tell_customers})
    for kind in seen:
        items.append(
            check(
                kind in approved_types,
                f"incidents of type {kind} told customers; "
                + (
                    "an approved template covers it"
                    if kind in approved_types
                    else "no approved template covers it"
                ),
            )
        )
    return judged(items)
