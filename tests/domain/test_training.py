"""Training roles, standings and coverage, checked against hand counts."""

from __future__ import annotations

from datetime import date

import pytest

from cxsteward.domain.governance.spec import (
    Committee,
    Governance,
    Member,
    Person,
    TrainingModule,
    TrainingRole,
)
from cxsteward.domain.training import (
    CompletionFact,
    Standing,
    needs,
    people_in,
    roles_of,
    standing,
)
from cxsteward.services.training.coverage import coverage_of

R = TrainingRole


def gov() -> Governance:
    return Governance(
        organization="Acme",
        people=[
            Person(key="ceo", name="Cee", function="Executive"),
            Person(key="sup", name="Sue", function="contact-centre supervisor"),
            Person(key="a1", name="Al", function="frontline"),
            Person(key="a2", name="Bo", function="Agents, billing"),
            Person(key="eng", name="En", function="technology"),
        ],
        committee=Committee(
            name="Council",
            cadence_days=30,
            members=[Member(person="ceo", function="exec"), Member(person="eng", function="tech")],
        ),
        training=[
            TrainingModule(key="front", title="Front", roles=[R.FRONTLINE, R.SUPERVISOR],
                           renewal_days=365),
            TrainingModule(key="board", title="Board", roles=[R.COMMITTEE]),
        ],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("person", "roles"),
    [
        ("ceo", [R.COMMITTEE, R.LEADERSHIP]),
        ("sup", [R.SUPERVISOR]),
        ("a1", [R.FRONTLINE]),
        ("a2", [R.FRONTLINE]),
        ("eng", [R.COMMITTEE]),
    ],
    ids=["executive-on-committee", "supervisor-words", "frontline", "agents", "tech-member"],
)
def test_roles_come_from_function_words_and_committee_seats(
    person: str, roles: list[TrainingRole]
) -> None:
    g = gov()
    found = g.person(person)
    assert found is not None
    assert roles_of(g, found) == roles


def test_needs_takes_each_person_of_any_role_once() -> None:
    g = gov()
    assert [p.key for p in needs(g, g.training[0])] == ["sup", "a1", "a2"]
    assert [p.key for p in people_in(g, R.COMMITTEE)] == ["ceo", "eng"]


@pytest.mark.parametrize(
    ("done", "as_of", "expected", "until"),
    [
        ([date(2026, 1, 10)], date(2027, 1, 10), Standing.CURRENT, date(2027, 1, 10)),
        ([date(2026, 1, 10)], date(2027, 1, 11), Standing.OVERDUE, date(2027, 1, 10)),
        ([date(2025, 1, 1), date(2026, 1, 10)], date(2026, 6, 1), Standing.CURRENT,
         date(2027, 1, 10)),
        ([date(2026, 7, 1)], date(2026, 6, 1), Standing.NEVER, None),
        ([], date(2026, 6, 1), Standing.NEVER, None),
    ],
    ids=["last-current-day", "first-overdue-day", "latest-counts", "later-ignored", "none"],
)  # fmt: skip
def test_standing_renews_after_the_declared_days(
    done: list[date], as_of: date, expected: Standing, until: date | None
) -> None:
    module = gov().training[0]
    facts = [CompletionFact("a1", "front", d) for d in done]
    got = standing(module, "a1", facts, as_of)
    assert (got.standing, got.current_until) == (expected, until)


def test_a_failed_attempt_completes_nothing_and_once_is_for_ever() -> None:
    g = gov()
    failed = [CompletionFact("a1", "front", date(2026, 1, 1), passed=False)]
    assert standing(g.training[0], "a1", failed, date(2026, 2, 1)).standing is Standing.NEVER
    old = [CompletionFact("eng", "board", date(2000, 1, 1))]
    got = standing(g.training[1], "eng", old, date(2026, 2, 1))
    assert (got.standing, got.current_until) == (Standing.CURRENT, None)


def test_coverage_counts_match_a_hand_count() -> None:
    facts = [
        CompletionFact("sup", "front", date(2024, 3, 1)),  # overdue since 2025-03-01
        CompletionFact("a1", "front", date(2026, 2, 1)),  # current
        CompletionFact("ceo", "board", date(2026, 1, 1)),  # current for ever
        CompletionFact("a2", "board", date(2026, 1, 1)),  # not needed: ignored
    ]
    out = coverage_of(gov(), facts, date(2026, 6, 1))
    front, board = out.modules
    assert (front.needed, front.current, front.overdue, front.never) == (3, 1, 1, 1)
    assert (board.needed, board.current, board.overdue, board.never) == (2, 1, 0, 1)
    assert [(p.person, p.module, p.current_until) for p in out.overdue] == [
        ("sup", "front", date(2025, 3, 1))
    ]
    assert [(p.person, p.module) for p in out.never] == [("a2", "front"), ("eng", "board")]
    roles = {r.role: r for r in out.roles}
    assert roles["leadership"].people == 1 and roles["leadership"].modules == []
    assert [(c.module, c.needed, c.current, c.never) for c in roles["frontline"].modules] == [
        ("front", 2, 1, 1)
    ]
    assert [(c.module, c.overdue) for c in roles["supervisor"].modules] == [("front", 1)]
