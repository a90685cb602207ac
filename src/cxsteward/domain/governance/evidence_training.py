"""Evidence from training records (EU AI Act Art. 4, AI literacy): PPL-02, PPL-05, PPL-06, PPL-07.

Each check reads one training role (docs/training.md): every person who holds it must be
current, on the evidence day, on every module the governance file declares for that role.
Evidenced when all are, partly when some are, not evidenced when none is; no records when no
module is declared for the role or nobody holds it (nothing to judge).
"""

from __future__ import annotations

from cxsteward.domain.governance.evidence_base import EvidenceFacts, Outcome, check, judged
from cxsteward.domain.governance.evidence_base import no_records as nothing
from cxsteward.domain.governance.spec import TrainingRole
from cxsteward.domain.training import Standing, modules_for, people_in, standing

_WHO = {
    TrainingRole.COMMITTEE: "committee member",
    TrainingRole.LEADERSHIP: "senior leader",
    TrainingRole.SUPERVISOR: "supervisor",
    TrainingRole.FRONTLINE: "frontline agent",
}


def trained(facts: EvidenceFacts, role: TrainingRole) -> Outcome:
    """Whether every person of ``role`` is current on every module declared for it."""
    gov = facts.governance
    if gov is None:
        return nothing("no governance file applied: no training modules or people")
    modules = modules_for(gov, role)
    if not modules:
        return nothing(f"no training module is declared for the {role.value} role")
    people = people_in(gov, role)
    if not people:
        return nothing(f"nobody in the governance file holds the {role.value} role")
    items = []
    for person in people:
        found = [standing(m, person.key, facts.training, facts.today) for m in modules]
        parts = []
        for s in found:
            if s.standing is Standing.CURRENT:
                until = f" until {s.current_until}" if s.current_until else ""
                parts.append(f"{s.module} completed {s.last_completed}{until}")
            elif s.standing is Standing.OVERDUE:
                parts.append(f"{s.module} overdue since {s.current_until}")
            else:
                parts.append(f"{s.module} never completed")
        ok = all(s.standing is Standing.CURRENT for s in found)
        items.append(check(ok, f"{_WHO[role]} {person.name}: {'; '.join(parts)}"))
    return judged(items)


def committee_literacy(facts: EvidenceFacts) -> Outcome:
    """PPL-02: committee members are current on the committee's training."""
    return trained(facts, TrainingRole.COMMITTEE)


def frontline_literacy(facts: EvidenceFacts) -> Outcome:
    """PPL-05: frontline agents are current on the frontline training."""
    return trained(facts, TrainingRole.FRONTLINE)


def supervisor_literacy(facts: EvidenceFacts) -> Outcome:
    """PPL-06: supervisors are current on the supervisors' training."""
    return trained(facts, TrainingRole.SUPERVISOR)


def leadership_literacy(facts: EvidenceFacts) -> Outcome:
    """PPL-07: senior leaders are current on the leaders' training."""
    return trained(facts, TrainingRole.LEADERSHIP)
