"""Evidence rules on oversight: committee, roadmap, shared ownership, decision rights, vendors."""

from __future__ import annotations

from datetime import timedelta

from cxsteward.domain.governance.evidence_base import (
    QUARTER_DAYS,
    EvidenceFacts,
    Outcome,
    check,
    function_group,
    judged,
    names,
    no,
    no_records,
    yes,
)
from cxsteward.domain.governance.spec import ClauseKind, ClauseStatus, Right
from cxsteward.domain.results import EvidenceItem

NOT_APPLIED = "no governance has been applied to the registry"
NO_LIVE = "no live customer-facing deployment is recorded"
# The rights a deployment needs named holders for: stop it, change it, retire it.
NEEDED_RIGHTS = (Right.PAUSE, Right.MODIFY, Right.DISCONTINUE)
YEAR = 365


def committee_functions(facts: EvidenceFacts) -> dict[str, list[str]]:
    """Function group -> committee members (names) who represent it."""
    groups: dict[str, list[str]] = {}
    gov = facts.governance
    if gov is None or gov.committee is None:
        return groups
    for member in gov.committee.members:
        person = gov.person(member.person)
        group = function_group(member.function) or (
            function_group(person.function) if person is not None else None
        )
        if group is not None:
            groups.setdefault(group, []).append(person.name if person else member.person)
    return groups


def shared_strategy(facts: EvidenceFacts) -> Outcome:
    """STR-05: the committee holds CX, technology and business members."""
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    if gov.committee is None:
        return judged([no("no governance committee is recorded, so no body shares the strategy")])
    groups = committee_functions(facts)
    return judged(
        [
            check(
                bool(groups.get(group)),
                f"the committee has {label} member(s): {names(groups[group])}"
                if groups.get(group)
                else f"the committee has no member representing {label}",
            )
            for group, label in (
                ("cx", "customer experience"),
                ("technology", "technology"),
                ("business", "business"),
            )
        ]
    )


def committee(facts: EvidenceFacts) -> Outcome:
    """GOV-01: a cross-functional committee that meets to its cadence and can pause, roll back."""
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    c = gov.committee
    if c is None:
        return judged([no("no governance committee is recorded")])
    functions = sorted({m.function.strip().lower() for m in c.members if m.function.strip()})
    items = [
        check(
            len(functions) >= 3,
            f"{c.name} has {len(c.members)} member(s) from {len(functions)} function(s): "
            f"{names(functions)} (3 or more needed)",
        )
    ]
    held = sorted(m.held_on for m in c.meetings if m.held_on <= facts.today)
    if not held:
        items.append(no(f"{c.name} has no recorded meeting (cadence {c.cadence_days} days)"))
    else:
        since = (facts.today - held[-1]).days
        items.append(
            check(
                since <= c.cadence_days,
                f"last meeting {held[-1]}, {since} days ago (cadence {c.cadence_days} days)",
            )
        )
        year = [d for d in held if d >= facts.today - timedelta(days=YEAR)]
        gaps = [(b - a).days for a, b in zip(year, year[1:], strict=False)]
        longest = max(gaps, default=0)
        items.append(
            check(
                bool(year) and longest <= c.cadence_days,
                f"{len(year)} meeting(s) in the last 12 months, longest gap {longest} days"
                if year
                else "no meeting in the last 12 months",
            )
        )
    for right in (Right.PAUSE, Right.ROLL_BACK):
        items.append(
            check(
                right in c.authority,
                f"{c.name} {'has' if right in c.authority else 'lacks'} the authority to "
                f"{right.value.replace('_', ' ')}",
            )
        )
    return judged(items)


def roadmap(facts: EvidenceFacts) -> Outcome:
    """STR-03: a roadmap with an owner, reviewed this quarter by technology and the business."""
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    r = gov.roadmap
    owner = facts.person(r.owner)
    items = [
        check(bool(r.items), f"the roadmap lists {len(r.items)} item(s)"),
        check(
            owner is not None,
            f"the roadmap is owned by {owner}" if owner else "the roadmap has no known owner",
        ),
    ]
    since = facts.today - timedelta(days=QUARTER_DAYS)
    recent = [v for v in r.reviews if since <= v.held_on <= facts.today]
    last = max((v.held_on for v in r.reviews if v.held_on <= facts.today), default=None)
    items.append(
        check(
            bool(recent),
            f"last review {last}" + (" (within the quarter)" if recent else ", over a quarter ago")
            if last
            else "the roadmap was never reviewed",
        )
    )
    reviewers = {who for v in recent for who in v.reviewers}
    groups = set()
    for who in reviewers:
        person = gov.person(who)
        group = function_group(person.function) if person is not None else None
        if group is not None:
            groups.add(group)
    items.append(
        check(
            len(groups) >= 3 and "technology" in groups and bool(groups & {"business", "cx"}),
            f"this quarter's reviewers span {len(groups)} function group(s): "
            f"{names(sorted(groups))} (3 or more, including technology and the business or "
            "CX, needed)",
        )
    )
    return judged(items)


def decision_rights(facts: EvidenceFacts) -> Outcome:
    """GOV-02: every live deployment names who may pause, modify and discontinue it."""
    if facts.governance is None:
        return no_records(NOT_APPLIED)
    if not facts.live:
        return no_records(NO_LIVE)
    items: list[EvidenceItem] = []
    for dep in facts.live:
        rights = dep.decision_rights
        if rights.empty:
            items.append(no(f"deployment {dep.key} has no decision rights"))
            continue
        held = {r: [n for n in map(facts.person, rights.holders(r)) if n] for r in NEEDED_RIGHTS}
        missing = [r.value for r in NEEDED_RIGHTS if not held[r]]
        shown = "; ".join(f"{r.value} {names(held[r])}" for r in NEEDED_RIGHTS if held[r])
        items.append(
            check(
                not missing,
                f"deployment {dep.key}: {shown}"
                + (f"; nobody known may {', '.join(missing)}" if missing else ""),
            )
        )
    return judged(items)


def vendor_clauses(facts: EvidenceFacts) -> Outcome:
    """GOV-04: vendors behind live deployments signed all four clauses."""
    gov = facts.governance
    if gov is None:
        return no_records(NOT_APPLIED)
    if not facts.live:
        return no_records(NO_LIVE)
    used = sorted({d.vendor for d in facts.live if d.vendor is not None})
    if not used:
        return judged([yes("every live deployment is run in-house: no vendor is recorded")])
    items: list[EvidenceItem] = []
    for key in used:
        vendor = next((v for v in gov.vendors if v.key == key), None)
        status = {c.kind: c.status for c in vendor.clauses} if vendor else {}
        signed = [k.value for k in ClauseKind if status.get(k) is ClauseStatus.IN_CONTRACT]
        missing = [
            f"{k.value} ({status[k].value if k in status else 'not recorded'})"
            for k in ClauseKind
            if status.get(k) is not ClauseStatus.IN_CONTRACT
        ]
        items.append(
            check(
                not missing,
                f"vendor {key}: in contract {names(signed)}"
                + (f"; lacking {', '.join(missing)}" if missing else ""),
            )
        )
    return judged(items)
