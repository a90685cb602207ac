"""Cycles, respondents and answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from cxsteward.domain.scale import RoleGroup
from cxsteward.errors import (
    AssessmentCycleClosed,
    CycleExists,
    CycleNotFound,
    Invalid,
    QuestionNotFound,
    RespondentNotFound,
)
from cxsteward.services.assessment import cycles as service
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.workspace import Workspace, init_workspace


def test_open_list_close(ws_any: Workspace) -> None:
    service.open_cycle(ws_any, "2026-Q3")
    service.open_cycle(ws_any, "2026-Q4")
    closed = service.close_cycle(ws_any, "2026-Q3")
    assert closed.status == "closed" and closed.closed_at is not None
    assert [(c.name, c.status) for c in service.list_cycles(ws_any)] == [
        ("2026-Q3", "closed"),
        ("2026-Q4", "open"),
    ]


@pytest.mark.parametrize("name", ["", "../etc", "a b", "x" * 41, "<script>"], ids=str)
def test_bad_cycle_names_are_refused(ws: Workspace, name: str) -> None:
    with pytest.raises(Invalid, match="not allowed"):
        service.open_cycle(ws, name)


def test_duplicate_and_unknown_cycles(ws: Workspace) -> None:
    service.open_cycle(ws, "2026-Q4")
    with pytest.raises(CycleExists):
        service.open_cycle(ws, "2026-Q4")
    with pytest.raises(CycleNotFound, match="Known cycles: 2026-Q4"):
        service.close_cycle(ws, "2026-Q1")


def test_closed_cycle_answers_cannot_change(ws_any: Workspace) -> None:
    service.open_cycle(ws_any, "c1")
    person = service.add_respondent(ws_any, "c1", RoleGroup.FRONTLINE, anonymous=True)
    service.answer_question(ws_any, "c1", person.code, "GOV-01", 2)
    service.close_cycle(ws_any, "c1")
    with pytest.raises(AssessmentCycleClosed, match="closed"):
        service.answer_question(ws_any, "c1", person.code, "GOV-01", 4)
    with pytest.raises(AssessmentCycleClosed):
        service.add_respondent(ws_any, "c1", RoleGroup.EXECUTIVE, anonymous=True)
    with pytest.raises(AssessmentCycleClosed, match="already closed"):
        service.close_cycle(ws_any, "c1")
    report = assessment_report(ws_any, "c1")
    assert next(q for q in report.questions if q.id == "GOV-01").mean == 2


def test_anonymous_respondent_stores_no_name(ws_any: Workspace) -> None:
    service.open_cycle(ws_any, "c1")
    anonymous = service.add_respondent(
        ws_any, "c1", RoleGroup.FRONTLINE, anonymous=True, name="Kim"
    )
    named = service.add_respondent(
        ws_any, "c1", RoleGroup.EXECUTIVE, anonymous=False, name="Ada  Lovelace"
    )
    assert anonymous.name is None and named.name == "Ada Lovelace"
    with ws_any.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT code, anonymous, name FROM assessment_respondents ORDER BY anonymous DESC")
        ).all()
    assert [(bool(r.anonymous), r.name) for r in rows] == [(True, None), (False, "Ada Lovelace")]
    assert rows[0].code.startswith("R-") and len(rows[0].code) == 10


def test_database_refuses_a_name_on_an_anonymous_row(ws_any: Workspace) -> None:
    service.open_cycle(ws_any, "c1")
    person = service.add_respondent(ws_any, "c1", RoleGroup.FRONTLINE, anonymous=True)
    with (
        pytest.raises(Exception, match="(?i)check|constraint"),
        ws_any.engine.begin() as connection,
    ):
        connection.execute(
            text("UPDATE assessment_respondents SET name = 'leak' WHERE code = :code"),
            {"code": person.code},
        )


def test_answers_replace_and_resume(ws_any: Workspace) -> None:
    service.open_cycle(ws_any, "c1")
    person = service.add_respondent(ws_any, "c1", RoleGroup.DATA, anonymous=True)
    service.answer_question(ws_any, "c1", person.code, "STR-01", 1, "first")
    after = service.answer_question(ws_any, "c1", person.code, "STR-01", None, "  ")
    assert after.answered == 1 and after.total == 36
    remaining = service.unanswered_questions(ws_any, "c1", person.code)
    assert len(remaining) == 35 and "STR-01" not in remaining and remaining[0] == "STR-02"
    report = assessment_report(ws_any, "c1")
    str01 = next(q for q in report.questions if q.id == "STR-01")
    assert (str01.n_answers, str01.n_dont_know, str01.comments) == (0, 1, [])


def test_bad_answers_are_refused(ws: Workspace) -> None:
    service.open_cycle(ws, "c1")
    person = service.add_respondent(ws, "c1", RoleGroup.DATA, anonymous=True)
    with pytest.raises(QuestionNotFound):
        service.answer_question(ws, "c1", person.code, "XYZ-99", 2)
    with pytest.raises(Invalid, match="out of range"):
        service.answer_question(ws, "c1", person.code, "STR-01", 5)
    with pytest.raises(RespondentNotFound):
        service.answer_question(ws, "c1", "R-00000000", "STR-01", 2)
    with pytest.raises(Invalid, match="limit is 2000"):
        service.answer_question(ws, "c1", person.code, "STR-01", 2, "x" * 2001)
    with pytest.raises(Invalid, match="needs a name"):
        service.add_respondent(ws, "c1", RoleGroup.DATA, anonymous=False, name="   ")


def test_control_characters_are_stripped_from_comments(ws: Workspace) -> None:
    service.open_cycle(ws, "c1")
    person = service.add_respondent(ws, "c1", RoleGroup.DATA, anonymous=True)
    service.answer_question(ws, "c1", person.code, "STR-01", 3, "ok\x1b[31m red\x00\nline two")
    report = assessment_report(ws, "c1")
    assert next(q for q in report.questions if q.id == "STR-01").comments == [
        "ok[31m red\nline two"
    ]


def test_cycle_keeps_the_bank_it_was_opened_with(ws: Workspace) -> None:
    service.open_cycle(ws, "c1")
    extra = ws.settings.workspace / "extra.yaml"
    extra.write_text(
        """questions:
  - id: ORG-01
    dimension: trust
    text: Our own question.
    why: Because. It matters.
    fully_in_place: Done.
    next_action: Do it.
    answered_by: [executive]
""",
        "utf-8",
    )
    later = init_workspace(ws.settings.model_copy(update={"extra_questions": extra}))
    try:
        assert later.bank.get("ORG-01") is not None
        service.open_cycle(later, "c2")
        person = service.add_respondent(later, "c1", RoleGroup.DATA, anonymous=True)
        with pytest.raises(QuestionNotFound):
            service.answer_question(later, "c1", person.code, "ORG-01", 2)
        person2 = service.add_respondent(later, "c2", RoleGroup.DATA, anonymous=True)
        assert service.answer_question(later, "c2", person2.code, "ORG-01", 2).total == 37
    finally:
        later.close()
