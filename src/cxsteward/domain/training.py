"""AI-literacy training (EU AI Act Art. 4): who must take which module, and who is current.

A module of the governance file names the roles it is for; a person's roles come from the
governance file itself, so nobody keeps a second list of who is who:

- ``committee``: every member of the governance committee;
- ``leadership``, ``supervisor``, ``frontline``: people whose ``function`` says so, read
  word by word (``executive`` or ``leadership``; ``supervisor``; ``frontline`` or ``agent``).

A completion stays current for the module's ``renewal_days`` (for ever without one): a
completion on 2026-01-10 with ``renewal_days: 365`` is current through 2027-01-10 and overdue
from the day after. A failed attempt (``passed: false``) completes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cxsteward.domain.governance.spec import Governance, Person, TrainingModule, TrainingRole

ROLE_WORDS: Mapping[TrainingRole, frozenset[str]] = {
    TrainingRole.LEADERSHIP: frozenset({"executive", "executives", "leadership"}),
    TrainingRole.SUPERVISOR: frozenset({"supervisor", "supervisors"}),
    TrainingRole.FRONTLINE: frozenset({"frontline", "agent", "agents"}),
}


class Standing(StrEnum):
    CURRENT = "current"  # a completion that has not yet run out
    OVERDUE = "overdue"  # completed once, but the renewal is past due
    NEVER = "never"  # no completion at all


@dataclass(frozen=True)
class CompletionFact:
    """One recorded completion, as the coverage and the evidence rules read it."""

    person: str
    module: str
    completed_on: date
    passed: bool | None = None


@dataclass(frozen=True)
class PersonStanding:
    """Where one person stands on one module as of a day."""

    person: str
    module: str
    standing: Standing
    last_completed: date | None
    current_until: date | None  # None: current for ever, or never completed


def roles_of(gov: Governance, person: Person) -> list[TrainingRole]:
    """The training roles ``person`` holds, in the vocabulary's order."""
    words = set("".join(c if c.isalnum() else " " for c in person.function.lower()).split())
    members = {m.person for m in gov.committee.members} if gov.committee else set()
    return [
        role
        for role in TrainingRole
        if (role is TrainingRole.COMMITTEE and person.key in members)
        or (role in ROLE_WORDS and words & ROLE_WORDS[role])
    ]


def people_in(gov: Governance, role: TrainingRole) -> list[Person]:
    """Everyone who holds ``role``, in the file's order."""
    return [p for p in gov.people if role in roles_of(gov, p)]


def modules_for(gov: Governance, role: TrainingRole) -> list[TrainingModule]:
    """The modules declared for ``role``."""
    return [m for m in gov.training if role in m.roles]


def needs(gov: Governance, module: TrainingModule) -> list[Person]:
    """Everyone who must complete ``module``: the people of any of its roles, once each."""
    return [p for p in gov.people if set(roles_of(gov, p)) & set(module.roles)]


def standing(
    module: TrainingModule, person: str, completions: Iterable[CompletionFact], as_of: date
) -> PersonStanding:
    """Where ``person`` stands on ``module`` on ``as_of``; later completions do not count."""
    days = [
        c.completed_on
        for c in completions
        if c.person == person
        and c.module == module.key
        and c.completed_on <= as_of
        and c.passed is not False
    ]
    if not days:
        return PersonStanding(person, module.key, Standing.NEVER, None, None)
    last = max(days)
    until = None if module.renewal_days is None else last + timedelta(days=module.renewal_days)
    state = Standing.CURRENT if until is None or as_of <= until else Standing.OVERDUE
    return PersonStanding(person, module.key, state, last, until)


def role_standings(
    gov: Governance, role: TrainingRole, completions: Sequence[CompletionFact], as_of: date
) -> list[PersonStanding]:
    """Each (person of ``role``, module for ``role``) pair and where it stands."""
    return [
        standing(module, person.key, completions, as_of)
        for person in people_in(gov, role)
        for module in modules_for(gov, role)
    ]
