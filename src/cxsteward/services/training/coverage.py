"""Training coverage: per module and per role, who is current, overdue or never trained.

Read as of a day (the workspace clock's today by default, never the machine's), from the
modules of the stored governance and the recorded completions.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.spec import Governance, TrainingRole
from cxsteward.domain.training import (
    CompletionFact,
    Standing,
    modules_for,
    needs,
    people_in,
    roles_of,
    standing,
)
from cxsteward.registry.tables_training import TrainingCompletionRecord
from cxsteward.services.clock import now
from cxsteward.services.governance.store import load_governance
from cxsteward.services.training.models import (
    ModuleCoverageOut,
    PersonStandingOut,
    RoleCoverageOut,
    RoleModuleOut,
    TrainingCoverageOut,
    TrainingModuleOut,
)
from cxsteward.services.workspace import Workspace


def list_modules(ws: Workspace) -> list[TrainingModuleOut]:
    """The training modules of the stored governance, in the file's order."""
    with ws.transaction() as session:
        gov = load_governance(session)
    return [
        TrainingModuleOut(
            key=m.key,
            title=m.title,
            covers=m.covers,
            roles=[r.value for r in m.roles],
            renewal_days=m.renewal_days,
            needed_by=len(needs(gov, m)),
        )
        for m in gov.training
    ]


def completion_facts(session: Session) -> list[CompletionFact]:
    """Every recorded completion, as the coverage and the evidence rules read them."""
    rows = session.scalars(select(TrainingCompletionRecord).order_by(TrainingCompletionRecord.id))
    return [CompletionFact(r.person, r.module, r.completed_on, r.passed) for r in rows]


def training_coverage(ws: Workspace, as_of: date | None = None) -> TrainingCoverageOut:
    """Coverage of every declared module on ``as_of`` (default: the workspace's today)."""
    with ws.transaction() as session:
        gov = load_governance(session)
        facts = completion_facts(session)
        day = as_of or now(session).date()
    return coverage_of(gov, facts, day)


def coverage_of(gov: Governance, facts: list[CompletionFact], day: date) -> TrainingCoverageOut:
    """The coverage result from a governance spec and completions (pure)."""
    modules = []
    for module in gov.training:
        people = [
            PersonStandingOut(
                person=p.key,
                name=p.name,
                roles=[r.value for r in roles_of(gov, p)],
                module=module.key,
                standing=(s := standing(module, p.key, facts, day)).standing.value,
                last_completed=s.last_completed,
                current_until=s.current_until,
            )
            for p in needs(gov, module)
        ]
        counts = {k: sum(p.standing == k.value for p in people) for k in Standing}
        modules.append(
            ModuleCoverageOut(
                key=module.key,
                title=module.title,
                roles=[r.value for r in module.roles],
                renewal_days=module.renewal_days,
                needed=len(people),
                current=counts[Standing.CURRENT],
                overdue=counts[Standing.OVERDUE],
                never=counts[Standing.NEVER],
                people=people,
            )
        )
    roles = []
    for role in TrainingRole:
        members = people_in(gov, role)
        cells = []
        for module in modules_for(gov, role):
            found = [standing(module, p.key, facts, day).standing for p in members]
            cells.append(
                RoleModuleOut(
                    module=module.key,
                    needed=len(found),
                    current=found.count(Standing.CURRENT),
                    overdue=found.count(Standing.OVERDUE),
                    never=found.count(Standing.NEVER),
                )
            )
        roles.append(RoleCoverageOut(role=role.value, people=len(members), modules=cells))
    everyone = [p for m in modules for p in m.people]
    overdue = sorted(
        (p for p in everyone if p.standing == Standing.OVERDUE.value),
        key=lambda p: (p.current_until or day, p.person, p.module),
    )
    never = [p for p in everyone if p.standing == Standing.NEVER.value]
    return TrainingCoverageOut(
        as_of=day, modules=modules, roles=roles, overdue=overdue, never=never
    )
