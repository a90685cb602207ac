"""Build a cycle's assessment report from the registry."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.report import build_report
from cxsteward.domain.results import AssessmentReport, EvidenceReport
from cxsteward.domain.scale import RoleGroup
from cxsteward.domain.scoring import Answer
from cxsteward.registry.tables import CycleRecord
from cxsteward.services.assessment.cycles import cycle_bank, cycle_maturity, get_cycle_record
from cxsteward.services.assessment.evidence import evidence_for
from cxsteward.services.clock import now
from cxsteward.services.workspace import Workspace


def assessment_report(ws: Workspace, cycle: str, today: date | None = None) -> AssessmentReport:
    """The full report of a cycle: the trend against the previous closed cycle, and its
    claims set against the registry's records as of ``today`` (default: today, UTC)."""
    with ws.transaction() as session:
        record = get_cycle_record(session, cycle)
        previous = _previous_closed(session, record)
        previous_report = _report(ws, previous, None) if previous is not None else None
        bank = cycle_bank(record)
    evidence = evidence_for(ws, today, bank.ids())
    with ws.transaction() as session:
        return _report(ws, get_cycle_record(session, cycle), previous_report, evidence)


def _previous_closed(session: Session, record: CycleRecord) -> CycleRecord | None:
    return session.scalar(
        select(CycleRecord)
        .where(
            CycleRecord.status == "closed",
            CycleRecord.opened_at < record.opened_at,
            CycleRecord.id != record.id,
        )
        .order_by(CycleRecord.opened_at.desc())
        .limit(1)
    )


def _report(
    ws: Workspace,
    record: CycleRecord,
    previous: AssessmentReport | None,
    evidence: EvidenceReport | None = None,
) -> AssessmentReport:
    answers = [
        Answer(
            respondent=respondent.code,
            role_group=RoleGroup(respondent.role_group),
            question_id=answer.question_id,
            value=None if answer.dont_know else answer.value,
            comment=answer.comment,
        )
        for respondent in record.respondents
        for answer in respondent.answers
    ]
    return build_report(
        cycle=record.name,
        status=record.status,
        opened_at=record.opened_at,
        closed_at=record.closed_at,
        generated_at=now(ws),
        bank=cycle_bank(record),
        maturity=cycle_maturity(record),
        # Someone who opened the questionnaire and answered nothing is not a respondent.
        respondents=[
            (RoleGroup(r.role_group), r.anonymous) for r in record.respondents if r.answers
        ],
        answers=answers,
        rules=ws.rules,
        previous=previous,
        evidence=evidence,
    )
