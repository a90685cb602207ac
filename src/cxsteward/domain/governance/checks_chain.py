"""Who decides, who watches, who acts: decision rights, accountability and protocols."""

from __future__ import annotations

from cxsteward.domain.governance.checks_model import (
    Gap,
    GovernanceFacts,
    accountability_key,
    deployment_object,
    go_live_start,
    lateness,
    protocol_key,
    stamp,
)
from cxsteward.domain.governance.spec import Accountability, Deployment
from cxsteward.domain.thresholds import Severity

ROLES = ("monitors", "escalates", "acts")
URGENT = (Severity.SEV1, Severity.SEV2)


def check_decision_rights(facts: GovernanceFacts) -> list[Gap]:
    """A live customer-facing deployment needs decision rights and someone who may pause it."""
    gaps: list[Gap] = []
    for dep in facts.live_facing:
        where = deployment_object(dep)
        if dep.decision_rights.empty:
            gaps.append(
                Gap(
                    "deployment.no_decision_rights",
                    True,
                    where,
                    f"{dep.name} is live ({dep.status.value}) and nobody holds any decision "
                    "right over it: nobody may pause, modify, roll back or discontinue it.",
                    f"Name people under deployments[{dep.key}].decision_rights, at least "
                    "pause and roll_back, and apply the governance file again.",
                )
            )
            continue
        named = dep.decision_rights.pause
        if not any(facts.known(who) for who in named):
            unknown = f" ({', '.join(named)} are not in people)" if named else ""
            gaps.append(
                Gap(
                    "deployment.nobody_can_pause",
                    True,
                    where,
                    f"{dep.name} is live ({dep.status.value}) and no known person may pause "
                    f"it{unknown}.",
                    f"Add a person to deployments[{dep.key}].decision_rights.pause; "
                    "someone must be able to stop the AI the day it harms customers.",
                )
            )
    return gaps


def check_accountability(facts: GovernanceFacts) -> list[Gap]:
    """Each key metric of each live customer-facing deployment needs a three-person chain."""
    gaps: list[Gap] = []
    for dep in facts.live_facing:
        for metric in facts.key_metrics:
            where = f"deployment:{dep.key}/metric:{metric}"
            row = _row_for(facts, dep, metric)
            if row is None:
                gaps.append(
                    Gap(
                        "accountability.missing",
                        True,
                        where,
                        f"Nobody is accountable for {metric} on {dep.name}: no accountability "
                        "row names this metric for this deployment or for all deployments.",
                        f"Add an accountability row with metric: {metric} (and deployment: "
                        f"{dep.key}, or no deployment to cover all) naming who monitors, who "
                        "escalates and who acts.",
                    )
                )
                continue
            gaps.extend(_chain_gaps(facts, dep, row, where))
    return gaps


def _row_for(facts: GovernanceFacts, dep: Deployment, metric: str) -> Accountability | None:
    # A row for this deployment overrides the catch-all row for the same metric.
    rows = [r for r in facts.governance.accountability if r.metric == metric]
    specific = [r for r in rows if r.deployment == dep.key]
    general = [r for r in rows if r.deployment is None]
    chosen = specific or general
    return chosen[0] if chosen else None


def _chain_gaps(
    facts: GovernanceFacts, dep: Deployment, row: Accountability, where: str
) -> list[Gap]:
    scope = f"the {row.metric} row for {'all deployments' if row.deployment is None else dep.key}"
    people = {role: getattr(row, role) for role in ROLES}
    missing = [role for role, who in people.items() if who is None]
    unknown = [f"{role}={who}" for role, who in people.items() if who and not facts.known(who)]
    gaps: list[Gap] = []
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"nobody {' / '.join(missing)}")
        if unknown:
            problems.append(f"unknown people ({', '.join(unknown)})")
        gaps.append(
            Gap(
                "accountability.incomplete",
                True,
                where,
                f"The chain for {row.metric} on {dep.name} is incomplete in {scope}: "
                f"{'; '.join(problems)}.",
                "Name a person from people for each of monitors, escalates and acts.",
            )
        )
    else:
        distinct = set(people.values())
        if len(distinct) == 1:
            gaps.append(
                Gap(
                    "accountability.collapsed_chain",
                    True,
                    where,
                    f"In {scope}, {row.monitors} monitors, escalates and acts alone: nobody "
                    "checks the one person who decides.",
                    "Give escalates and acts to different people than monitors, so an alarm "
                    "reaches someone who can act on it.",
                )
            )
        elif len(distinct) == 2:
            pair = _shared(people)
            gaps.append(
                Gap(
                    "accountability.shared_roles",
                    False,
                    where,
                    f"In {scope}, {pair[0]} holds two roles ({pair[1]}).",
                    "Prefer three different people for monitors, escalates and acts.",
                )
            )
    gaps.extend(_late_row(facts, dep, row, where, scope))
    return gaps


def _shared(people: dict[str, str | None]) -> tuple[str, str]:
    for role in ROLES:
        same = [other for other in ROLES if people[other] == people[role]]
        if len(same) == 2:
            return str(people[role]), " and ".join(same)
    raise AssertionError("called only when two roles share a person")


def _late_row(
    facts: GovernanceFacts, dep: Deployment, row: Accountability, where: str, scope: str
) -> list[Gap]:
    created = facts.created_at.get(accountability_key(row.metric, row.deployment))
    if dep.go_live is None or created is None:
        return []
    cutoff = go_live_start(dep.go_live)
    if created < cutoff:
        return []
    return [
        Gap(
            "accountability.declared_after_go_live",
            False,
            where,
            f"{scope.capitalize()} was recorded {stamp(created)}, {lateness(created, cutoff)} "
            f"after {dep.name} went live on {dep.go_live}: there is no record that the chain "
            "existed when customers first met the AI.",
            "Nothing to undo; declare chains before the next deployment goes live.",
        )
    ]


def check_protocols(facts: GovernanceFacts) -> list[Gap]:
    """Each severity needs a protocol with a decider and people to notify."""
    gaps: list[Gap] = []
    first_live = min((d.go_live for d in facts.live_facing if d.go_live), default=None)
    for severity in Severity:
        where = f"protocol:{severity.value}"
        protocol = facts.governance.protocol(severity)
        urgent = severity in URGENT
        if protocol is None:
            gaps.append(
                Gap(
                    "protocol.missing",
                    urgent,
                    where,
                    f"No escalation protocol for {severity.value}: nobody knows who is told, "
                    "how fast, or who decides.",
                    f"Add a protocols entry with severity: {severity.value}, notify, "
                    "respond_within_hours and decides.",
                )
            )
            continue
        if not facts.known(protocol.decides):
            gaps.append(
                Gap(
                    "protocol.no_decider",
                    False,
                    where,
                    f"The {severity.value} protocol names no known decider ({protocol.decides!r}).",
                    "Set decides to a person key from people.",
                )
            )
        if not any(facts.known(who) for who in protocol.notify):
            gaps.append(
                Gap(
                    "protocol.no_notify",
                    False,
                    where,
                    f"The {severity.value} protocol notifies nobody known"
                    f"{' (' + ', '.join(protocol.notify) + ')' if protocol.notify else ''}.",
                    "List the people to notify (person keys) under notify.",
                )
            )
        if urgent and not protocol.tell_customers:
            gaps.append(
                Gap(
                    "protocol.customers_not_told",
                    False,
                    where,
                    f"The {severity.value} protocol has not decided to tell affected customers.",
                    "Set tell_customers: true and keep a legally approved template for each "
                    "incident type, so customers hear from you first.",
                )
            )
        created = facts.created_at.get(protocol_key(severity))
        if urgent and first_live is not None and created is not None:
            cutoff = go_live_start(first_live)
            if created >= cutoff:
                gaps.append(
                    Gap(
                        "protocol.declared_after_go_live",
                        False,
                        where,
                        f"The {severity.value} protocol was recorded {stamp(created)}, "
                        f"{lateness(created, cutoff)} after the first live deployment went "
                        f"live on {first_live}.",
                        "Nothing to undo; declare protocols before the next go-live.",
                    )
                )
    return gaps
