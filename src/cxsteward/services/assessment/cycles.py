"""Assessment cycles, respondents and answers (C1)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.maturity import MaturityModel
from cxsteward.domain.scale import RoleGroup
from cxsteward.errors import (
    AssessmentCycleClosed,
    Conflict,
    CycleExists,
    CycleNotFound,
    Invalid,
    QuestionNotFound,
    RespondentNotFound,
)
from cxsteward.registry.audit import mark_anonymous
from cxsteward.registry.tables import AnswerRecord, CycleRecord, RespondentRecord
from cxsteward.services.clock import now
from cxsteward.services.contract import Result
from cxsteward.services.workspace import Workspace

CYCLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_COMMENT = 2000
MAX_NAME = 200


class CycleOut(Result):
    """One assessment cycle with how many respondents and answers it holds."""

    name: str = Field(description="The cycle's name, e.g. 2026-Q4.")
    status: Literal["open", "closed"] = Field(description="Closed cycles take no more answers.")
    opened_at: datetime
    closed_at: datetime | None
    bank_version: str = Field(description="The question bank version the cycle asks.")
    respondents: int = Field(ge=0)
    answers: int = Field(ge=0)


@dataclass(frozen=True)
class RespondentOut:
    cycle: str
    code: str
    role_group: RoleGroup
    anonymous: bool
    name: str | None
    answered: int
    total: int


def open_cycle(ws: Workspace, name: str) -> CycleOut:
    """Open a new cycle with a snapshot of the current bank and maturity model.

    Raises:
        Invalid: the name is not a short slug such as ``2026-Q4``.
        CycleExists: a cycle of that name exists.
    """
    if not CYCLE_NAME.match(name):
        raise Invalid(
            f"Cycle name {name!r} is not allowed: use 1-40 letters, digits, '.', '_' or '-', "
            "e.g. 2026-Q4."
        )
    with ws.transaction() as session:
        if session.scalar(select(CycleRecord).where(CycleRecord.name == name)) is not None:
            raise CycleExists(f"Cycle {name} already exists.")
        record = CycleRecord(
            name=name,
            status="open",
            opened_at=now(session),
            bank_id=ws.bank.id,
            bank_version=ws.bank.version,
            bank_json=ws.bank.model_dump_json(),
            maturity_json=ws.maturity.model_dump_json(),
        )
        session.add(record)
        session.flush()
        return _cycle_out(session, record)


def close_cycle(ws: Workspace, name: str) -> CycleOut:
    """Close a cycle: from now on its answers cannot change.

    Raises:
        AssessmentCycleClosed: it is already closed.
    """
    with ws.transaction() as session:
        record = get_cycle_record(session, name)
        if record.status == "closed":
            raise AssessmentCycleClosed(f"Cycle {name} is already closed.")
        record.status = "closed"
        record.closed_at = now(session)
        return _cycle_out(session, record)


def list_cycles(ws: Workspace) -> list[CycleOut]:
    """Every cycle, oldest first."""
    with ws.transaction() as session:
        records = session.scalars(select(CycleRecord).order_by(CycleRecord.opened_at)).all()
        return [_cycle_out(session, r) for r in records]


def add_respondent(
    ws: Workspace, cycle: str, role_group: RoleGroup, *, anonymous: bool, name: str | None = None
) -> RespondentOut:
    """Register a respondent and return the code that resumes their questionnaire.

    An anonymous respondent has no name stored at all; the code is random, and the audit log
    records the respondent as nobody's, in a unit of work of its own.
    """
    with ws.transaction(anonymous=anonymous) as session:
        record = get_open_cycle_record(session, cycle)
        respondent = create_respondent(session, record, role_group, anonymous, name)
        return _respondent_out(record, respondent)


def create_respondent(
    session: Session,
    cycle: CycleRecord,
    role_group: RoleGroup,
    anonymous: bool,
    name: str | None,
    code: str | None = None,
) -> RespondentRecord:
    """Insert a respondent inside the caller's transaction (``code``: a given resume code)."""
    cleaned = _clean_name(name) if not anonymous else None
    if not anonymous and not cleaned:
        raise Invalid("A named respondent needs a name; or answer anonymously.")
    if cleaned is not None and any(r.name == cleaned for r in cycle.respondents):
        raise Conflict(
            f"{cleaned} already answers in cycle {cycle.name}: continue with --resume and "
            "their code, or use a name that tells the two apart."
        )
    respondent = RespondentRecord(
        cycle=cycle,
        code=code or _new_code(session, cycle),
        role_group=role_group.value,
        anonymous=anonymous,
        name=cleaned,
        created_at=now(session),
    )
    session.add(respondent)
    session.flush()
    return respondent


def require_open_cycle(ws: Workspace, cycle: str) -> None:
    """Raise unless the cycle exists and is open (before asking anyone anything)."""
    with ws.transaction() as session:
        get_open_cycle_record(session, cycle)


def get_respondent(ws: Workspace, cycle: str, code: str) -> RespondentOut:
    """A respondent by their resume code."""
    with ws.transaction() as session:
        record = get_cycle_record(session, cycle)
        return _respondent_out(record, _respondent(session, record, code))


def answer_question(
    ws: Workspace,
    cycle: str,
    code: str,
    question_id: str,
    value: int | None,
    comment: str | None = None,
) -> RespondentOut:
    """Record (or replace) one answer; ``value`` None means don't know.

    Raises:
        AssessmentCycleClosed: the cycle is closed.
        QuestionNotFound: the id is not in the cycle's bank.
    """
    with ws.transaction() as session:
        record = get_open_cycle_record(session, cycle)
        bank = cycle_bank(record)
        if bank.get(question_id) is None:
            raise QuestionNotFound(f"Question {question_id!r} is not in cycle {cycle}'s bank.")
        if value is not None and not 0 <= value <= 4:
            raise Invalid(f"Answer {value} is out of range: use 0-4 or don't know.")
        respondent = _respondent(session, record, code)
        if respondent.anonymous:
            mark_anonymous(session)
        existing = next((a for a in respondent.answers if a.question_id == question_id), None)
        if existing is None:
            existing = AnswerRecord(respondent=respondent, question_id=question_id)
            session.add(existing)
        existing.value = value
        existing.dont_know = value is None
        existing.comment = clean_comment(comment)
        existing.answered_at = now(session)
        session.flush()
        return _respondent_out(record, respondent)


def unanswered_questions(ws: Workspace, cycle: str, code: str) -> list[str]:
    """Ids of the questions a respondent has not answered yet, in bank order."""
    with ws.transaction() as session:
        record = get_cycle_record(session, cycle)
        respondent = _respondent(session, record, code)
        done = {a.question_id for a in respondent.answers}
        return [qid for qid in cycle_bank(record).ids() if qid not in done]


def cycle_bank(record: CycleRecord) -> QuestionBank:
    return QuestionBank.model_validate_json(record.bank_json)


def cycle_maturity(record: CycleRecord) -> MaturityModel:
    return MaturityModel.model_validate_json(record.maturity_json)


def get_cycle_record(session: Session, name: str) -> CycleRecord:
    record = session.scalar(select(CycleRecord).where(CycleRecord.name == name))
    if record is None:
        known = session.scalars(select(CycleRecord.name).order_by(CycleRecord.opened_at)).all()
        hint = f" Known cycles: {', '.join(known)}." if known else " No cycle is open yet."
        raise CycleNotFound(f"No assessment cycle named {name!r}.{hint}")
    return record


def clean_comment(comment: str | None) -> str | None:
    if comment is None or not comment.strip():
        return None
    text = _strip_controls(comment).strip()
    if len(text) > MAX_COMMENT:
        raise Invalid(f"Comment is {len(text)} characters long; the limit is {MAX_COMMENT}.")
    return text


def _clean_name(name: str | None) -> str | None:
    if name is None:
        return None
    text = " ".join(_strip_controls(name).split())
    if len(text) > MAX_NAME:
        raise Invalid(f"Name is {len(text)} characters long; the limit is {MAX_NAME}.")
    return text or None


def _strip_controls(text: str) -> str:
    # Control characters (other than newline and tab) only ever come from broken or
    # hostile input; they would garble terminals and exports.
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())


def get_open_cycle_record(session: Session, name: str) -> CycleRecord:
    record = get_cycle_record(session, name)
    if record.status != "open":
        raise AssessmentCycleClosed(
            f"Cycle {name} is closed; its answers cannot change. Open a new cycle instead."
        )
    return record


def _respondent(session: Session, cycle: CycleRecord, code: str) -> RespondentRecord:
    respondent = session.scalar(
        select(RespondentRecord).where(
            RespondentRecord.cycle_id == cycle.id, RespondentRecord.code == code
        )
    )
    if respondent is None:
        raise RespondentNotFound(f"No respondent with code {code!r} in cycle {cycle.name}.")
    return respondent


def _new_code(session: Session, cycle: CycleRecord) -> str:
    while True:
        code = "R-" + secrets.token_hex(4)
        clash = session.scalar(
            select(RespondentRecord.id).where(
                RespondentRecord.cycle_id == cycle.id, RespondentRecord.code == code
            )
        )
        if clash is None:
            return code


def _cycle_out(session: Session, record: CycleRecord) -> CycleOut:
    respondents = session.scalar(select(func.count()).where(RespondentRecord.cycle_id == record.id))
    answers = session.scalar(
        select(func.count())
        .select_from(AnswerRecord)
        .join(RespondentRecord)
        .where(RespondentRecord.cycle_id == record.id)
    )
    return CycleOut(
        name=record.name,
        status=cast(Literal["open", "closed"], record.status),
        opened_at=record.opened_at,
        closed_at=record.closed_at,
        bank_version=record.bank_version,
        respondents=respondents or 0,
        answers=answers or 0,
    )


def _respondent_out(cycle: CycleRecord, respondent: RespondentRecord) -> RespondentOut:
    return RespondentOut(
        cycle=cycle.name,
        code=respondent.code,
        role_group=RoleGroup(respondent.role_group),
        anonymous=respondent.anonymous,
        name=respondent.name,
        answered=len(respondent.answers),
        total=len(cycle_bank(cycle).questions),
    )
