"""Promises on paper: vendor contract clauses and approved customer templates."""

from __future__ import annotations

from cxsteward.domain.governance.checks_model import PRODUCTION_LIKE, Gap, GovernanceFacts
from cxsteward.domain.governance.spec import Clause, ClauseKind, ClauseStatus, Deployment, Template

# When a clause is listed twice, the strongest status counts.
_STRENGTH = {
    ClauseStatus.IN_CONTRACT: 3,
    ClauseStatus.WAIVED: 2,
    ClauseStatus.NEGOTIATING: 1,
    ClauseStatus.MISSING: 0,
}


def check_vendors(facts: GovernanceFacts) -> list[Gap]:
    """Vendors of live customer-facing deployments need all four clauses signed."""
    users: dict[str, list[Deployment]] = {}
    for dep in facts.live_facing:
        if dep.vendor is not None:
            users.setdefault(dep.vendor, []).append(dep)
    gaps: list[Gap] = []
    for key in sorted(users):
        deployments = users[key]
        # The most advanced deployment decides: a vendor behind production must be signed.
        blocking = any(d.status in PRODUCTION_LIKE for d in deployments)
        names = ", ".join(f"{d.key} ({d.status.value})" for d in deployments)
        vendor = next((v for v in facts.governance.vendors if v.key == key), None)
        clauses = _strongest(vendor.clauses if vendor else [])
        for kind in ClauseKind:
            where = f"vendor:{key}/clause:{kind.value}"
            clause = clauses.get(kind)
            if clause is None or clause.status in (ClauseStatus.MISSING, ClauseStatus.NEGOTIATING):
                state = "is not listed" if clause is None else f"is {clause.status.value}"
                if vendor is None:
                    state = "cannot be checked: the vendor is not declared under vendors"
                gaps.append(
                    Gap(
                        "vendor.clause_missing",
                        blocking,
                        where,
                        f"The {kind.value} clause of vendor {key} {state}; it serves {names}.",
                        f"Get the {kind.value} clause signed and record it with status "
                        "in_contract and the contract section as evidence.",
                    )
                )
            elif clause.status is ClauseStatus.WAIVED and not (clause.evidence or "").strip():
                gaps.append(
                    Gap(
                        "vendor.clause_waived",
                        False,
                        where,
                        f"The {kind.value} clause of vendor {key} was waived without a reason; "
                        f"it serves {names}.",
                        "Write why the clause was waived, and who accepted the risk, in evidence.",
                    )
                )
    return gaps


def _strongest(clauses: list[Clause]) -> dict[ClauseKind, Clause]:
    best: dict[ClauseKind, Clause] = {}
    for clause in clauses:
        held = best.get(clause.kind)
        if held is None or _STRENGTH[clause.status] > _STRENGTH[held.status]:
            best[clause.kind] = clause
    return best


def approved(facts: GovernanceFacts, template: Template) -> bool:
    """Legal approval: a known approver and the time of approval are both recorded."""
    return facts.known(template.approved_by) and template.approved_at is not None


def check_templates(facts: GovernanceFacts) -> list[Gap]:
    """Templates need legal approval; every incident type needs one when customers are told."""
    gaps: list[Gap] = []
    templates = facts.governance.templates
    for template in templates:
        if approved(facts, template):
            continue
        missing = []
        if not facts.known(template.approved_by):
            missing.append(
                "no approver"
                if template.approved_by is None
                else f"an approver who is not in people ({template.approved_by})"
            )
        if template.approved_at is None:
            missing.append("no approval time")
        gaps.append(
            Gap(
                "template.not_approved",
                False,
                f"template:{template.key}",
                f"Template {template.key} (incident type {template.incident_type}, version "
                f"{template.version}) has {' and '.join(missing)}: it may not be sent.",
                "Have legal review the text and record approved_by and approved_at.",
            )
        )
    telling = sorted(p.severity.value for p in facts.governance.protocols if p.tell_customers)
    if not telling:
        return gaps
    severities = ", ".join(telling)
    if not templates:
        gaps.append(
            Gap(
                "template.missing_for_incident",
                True,
                "templates",
                f"Protocols {severities} tell customers, but there is no customer template at "
                "all: the first message would be written under pressure and unreviewed.",
                "Add a template per incident type (e.g. outage, wrong_answer, data_exposure) "
                "and have legal approve each.",
            )
        )
        return gaps
    # Incident types are the ones templates name: the spec has no separate list of them.
    for kind in sorted({t.incident_type for t in templates}):
        if not any(approved(facts, t) for t in templates if t.incident_type == kind):
            gaps.append(
                Gap(
                    "template.missing_for_incident",
                    True,
                    f"incident_type:{kind}",
                    f"Protocols {severities} tell customers, and incident type {kind} has no "
                    "approved template.",
                    f"Have legal approve a template for {kind} (record approved_by and "
                    "approved_at).",
                )
            )
    return gaps
