"""Each control's status on the current records: evidenced, self-reported or missing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.crosswalk import ControlKind, CrosswalkFile
from cxsteward.domain.governance.checks import RULES as CHAIN_RULES
from cxsteward.domain.governance.evidence import RULES as EVIDENCE_RULES
from cxsteward.domain.governance.evidence import VERDICT_WORDS, judge_evidence
from cxsteward.domain.results import QuestionEvidence
from cxsteward.registry.tables_assessment import AnswerRecord, CycleRecord, RespondentRecord
from cxsteward.services.assessment.evidence import collect_facts
from cxsteward.services.crosswalk.models import ControlStatus
from cxsteward.services.crosswalk.records import RECORD_TYPES, count_records
from cxsteward.services.governance.check import CheckOut, check_governance
from cxsteward.services.workspace import Workspace

# The answer scale's words, so a self-report says how far respondents think it goes.
SCALE_WORDS = ("not in place", "planned", "partly in place", "in place", "in place and reviewed")
KIND_WORDS = {
    ControlKind.QUESTION: "Question",
    ControlKind.CHAIN_CHECK: "Chain check",
    ControlKind.EVIDENCE_RULE: "Evidence rule",
    ControlKind.RECORD_TYPE: "Record type",
}


@dataclass(frozen=True)
class ControlState:
    status: ControlStatus
    label: str
    reason: str


@dataclass(frozen=True)
class Claims:
    """The latest cycle's mean answer per question (don't-know answers left out)."""

    cycle: str | None
    means: dict[str, float]


@dataclass(frozen=True)
class States:
    by_control: dict[tuple[ControlKind, str], ControlState]
    cycle: str | None
    governance_applied: bool


def control_states(ws: Workspace, crosswalk: CrosswalkFile, today: date) -> States:
    """The status of every control the crosswalk maps, judged on the records as of ``today``."""
    mapped = crosswalk.mappings
    verdicts = {
        e.question_id: e
        for e in judge_evidence(collect_facts(ws, today), list(mapped.evidence_rules)).questions
    }
    check = check_governance(ws, today)
    applied = not any(g.rule == "governance.not_applied" for g in check.gaps)
    with ws.transaction() as session:
        counts = count_records(session)
        claims = _claims(session)
    states: dict[tuple[ControlKind, str], ControlState] = {}
    for rule_id in mapped.evidence_rules:
        states[(ControlKind.EVIDENCE_RULE, rule_id)] = _rule_state(rule_id, verdicts.get(rule_id))
    for rule_id in mapped.chain_checks:
        states[(ControlKind.CHAIN_CHECK, rule_id)] = _chain_state(rule_id, check, applied)
    for key in mapped.record_types:
        states[(ControlKind.RECORD_TYPE, key)] = _record_state(key, counts.get(key, 0))
    bank = ws.bank
    for question_id in mapped.questions:
        question = bank.get(question_id)
        text = question.text if question is not None else question_id
        states[(ControlKind.QUESTION, question_id)] = _question_state(
            question_id, text, verdicts.get(question_id), claims
        )
    return States(states, claims.cycle, applied)


def _rule_state(rule_id: str, judged: QuestionEvidence | None) -> ControlState:
    checks = next((r.checks for r in EVIDENCE_RULES if r.question_id == rule_id), rule_id)
    label = f"Evidence rule {rule_id}: {checks}"
    if judged is None:
        return ControlState(ControlStatus.MISSING, label, "cxsteward has no such evidence rule.")
    if judged.verdict == "evidenced":
        reason = f"The records show it: {judged.passed} of {judged.total} checks pass."
        return ControlState(ControlStatus.EVIDENCED, label, reason)
    if judged.verdict == "no_records":
        return ControlState(ControlStatus.MISSING, label, "There are no records to judge it yet.")
    failing = next((i.text for i in judged.items if not i.supports), None)
    reason = (
        f"The records show it {VERDICT_WORDS[judged.verdict]}: {judged.passed} of "
        f"{judged.total} checks pass" + (f"; for example: {failing}" if failing else ".")
    )
    return ControlState(ControlStatus.MISSING, label, reason)


def _chain_state(rule_id: str, check: CheckOut, applied: bool) -> ControlState:
    checks = next((r.checks for r in CHAIN_RULES if r.id == rule_id), rule_id)
    label = f"Chain check {rule_id}: {checks}"
    if rule_id != "governance.not_applied" and not applied:
        reason = "No governance file has been applied, so the chain cannot be checked."
        return ControlState(ControlStatus.MISSING, label, reason)
    gaps = [g for g in check.gaps if g.rule == rule_id]
    if not gaps:
        return ControlState(ControlStatus.EVIDENCED, label, "The governance check finds no gap.")
    noun = "gap" if len(gaps) == 1 else "gaps"
    reason = f"The governance check finds {len(gaps)} {noun}; for example: {gaps[0].message}"
    return ControlState(ControlStatus.MISSING, label, reason)


def _record_state(key: str, count: int) -> ControlState:
    kind = RECORD_TYPES.get(key)
    words = kind.label if kind is not None else key
    label = f"Record type {key}: {words}"
    if kind is None:
        return ControlState(ControlStatus.MISSING, label, "cxsteward keeps no such record type.")
    if count:
        return ControlState(ControlStatus.EVIDENCED, label, f"{count} {words} in the registry.")
    return ControlState(ControlStatus.MISSING, label, f"No {words} recorded yet.")


def _question_state(
    question_id: str, text: str, judged: QuestionEvidence | None, claims: Claims
) -> ControlState:
    label = f"Question {question_id}: {text}"
    if judged is not None and judged.verdict == "evidenced":
        reason = "Its evidence rule finds it in the records."
        return ControlState(ControlStatus.EVIDENCED, label, reason)
    if claims.cycle is None:
        reason = "No assessment cycle has been opened, and no records confirm it."
        return ControlState(ControlStatus.MISSING, label, reason)
    mean = claims.means.get(question_id)
    if mean is None:
        reason = f"Nobody answered it (other than don't know) in {claims.cycle}."
        return ControlState(ControlStatus.MISSING, label, reason)
    unconfirmed = (
        "no evidence rule can check it"
        if judged is None
        else f"the records show it {VERDICT_WORDS[judged.verdict]}"
    )
    reason = (
        f"Respondents in {claims.cycle} rate it {mean:.1f} of 4 "
        f"({SCALE_WORDS[round(mean)]}), but {unconfirmed}."
    )
    return ControlState(ControlStatus.SELF_REPORTED, label, reason)


def _claims(session: Session) -> Claims:
    latest = session.scalars(
        select(CycleRecord).order_by(CycleRecord.opened_at.desc(), CycleRecord.id.desc()).limit(1)
    ).first()
    if latest is None:
        return Claims(None, {})
    answers = session.execute(
        select(AnswerRecord.question_id, AnswerRecord.value)
        .join(RespondentRecord, AnswerRecord.respondent_id == RespondentRecord.id)
        .where(RespondentRecord.cycle_id == latest.id, AnswerRecord.value.is_not(None))
    )
    values: dict[str, list[int]] = defaultdict(list)
    for question_id, value in answers:
        if value is not None:
            values[question_id].append(value)
    return Claims(latest.name, {q: sum(v) / len(v) for q, v in values.items()})
