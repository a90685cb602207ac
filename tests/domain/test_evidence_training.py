"""PPL-02, PPL-05, PPL-06 and PPL-07 from training records: each verdict of each rule."""

from __future__ import annotations

from datetime import date

import pytest

from cxsteward.domain.governance.evidence_base import EvidenceFacts
from cxsteward.domain.governance.evidence_training import (
    committee_literacy,
    frontline_literacy,
    leadership_literacy,
    supervisor_literacy,
)
from cxsteward.domain.governance.spec import (
    Committee,
    Governance,
    Member,
    Person,
    TrainingModule,
    TrainingRole,
)
from cxsteward.domain.training import CompletionFact

TODAY = date(2026, 6, 1)
RULES = {
    TrainingRole.COMMITTEE: committee_literacy,
    TrainingRole.FRONTLINE: frontline_literacy,
    TrainingRole.SUPERVISOR: supervisor_literacy,
    TrainingRole.LEADERSHIP: leadership_literacy,
}
# Two people per role; committee members are the two leaders.
PEOPLE = {
    TrainingRole.COMMITTEE: ["l1", "l2"],
    TrainingRole.LEADERSHIP: ["l1", "l2"],
    TrainingRole.SUPERVISOR: ["s1", "s2"],
    TrainingRole.FRONTLINE: ["f1", "f2"],
}


def world(modules: bool = True) -> Governance:
    functions = {"l": "executive", "s": "supervisor", "f": "frontline"}
    return Governance(
        organization="Acme",
        people=[
            Person(key=f"{k}{n}", name=f"{k.upper()}{n}", function=v)
            for k, v in functions.items()
            for n in (1, 2)
        ],
        committee=Committee(
            name="C",
            cadence_days=30,
            members=[Member(person="l1", function="x"), Member(person="l2", function="y")],
        ),
        training=[
            TrainingModule(key=f"m-{r.value}", title=r.value, roles=[r], renewal_days=180)
            for r in TrainingRole
        ]
        if modules
        else [],
    )


def facts(role: TrainingRole, done: dict[str, date], modules: bool = True) -> EvidenceFacts:
    return EvidenceFacts(
        today=TODAY,
        governance=world(modules),
        training=[CompletionFact(p, f"m-{role.value}", d) for p, d in done.items()],
    )


RECENT, STALE = date(2026, 3, 1), date(2025, 6, 1)


@pytest.mark.parametrize("role", list(TrainingRole), ids=[r.value for r in TrainingRole])
@pytest.mark.parametrize(
    ("when", "verdict", "passed"),
    [
        ((RECENT, RECENT), "evidenced", 2),
        ((RECENT, STALE), "partly", 1),
        ((RECENT, None), "partly", 1),
        ((STALE, None), "not_evidenced", 0),
        ((None, None), "not_evidenced", 0),
    ],
    ids=["all-current", "one-overdue", "one-never", "overdue-and-never", "nobody"],
)
def test_each_rule_follows_its_role(
    role: TrainingRole,
    when: tuple[date | None, date | None],
    verdict: str,
    passed: int,
) -> None:
    done = {p: d for p, d in zip(PEOPLE[role], when, strict=True) if d is not None}
    outcome = RULES[role](facts(role, done))
    assert (outcome.verdict, outcome.passed, outcome.total) == (verdict, passed, 2)


def test_the_items_say_where_each_person_stands() -> None:
    outcome = supervisor_literacy(facts(TrainingRole.SUPERVISOR, {"s1": STALE}))
    texts = [i.text for i in outcome.items]
    assert texts == [
        "supervisor S1: m-supervisor overdue since 2025-11-28",
        "supervisor S2: m-supervisor never completed",
    ]


@pytest.mark.parametrize("role", list(TrainingRole), ids=[r.value for r in TrainingRole])
def test_no_module_for_the_role_is_no_records(role: TrainingRole) -> None:
    outcome = RULES[role](facts(role, {}, modules=False))
    assert outcome.verdict == "no_records"
    assert f"no training module is declared for the {role.value} role" in outcome.items[0].text


def test_a_role_nobody_holds_is_no_records() -> None:
    gov = world().model_copy(update={"people": [p for p in world().people if p.key[0] != "s"]})
    outcome = supervisor_literacy(EvidenceFacts(today=TODAY, governance=gov))
    assert outcome.verdict == "no_records"
    assert "nobody in the governance file holds the supervisor role" in outcome.items[0].text
    assert committee_literacy(EvidenceFacts(today=TODAY)).verdict == "no_records"
