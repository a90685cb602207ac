"""The record types a regulator would accept as evidence, and how many the registry holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cxsteward.registry.tables_assessment import AnswerRecord
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.registry.tables_consent import ConsentChoiceRecord, ConsentNoticeRecord
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.registry.tables_governance import (
    GovAccountabilityRecord,
    GovArticleRecord,
    GovClauseRecord,
    GovCommitteeDecisionRecord,
    GovDeploymentRecord,
    GovEmergencyPauseRecord,
    GovMeetingRecord,
    GovMemberRecord,
    GovModelVersionRecord,
    GovProtocolRecord,
    GovRoadmapReviewRecord,
    GovTemplateRecord,
    GovTrainingModuleRecord,
    GovTransitionRecord,
)
from cxsteward.registry.tables_incidents import (
    CommunicationRecord,
    DecisionRecord,
    IncidentEventRecord,
    IncidentRecord,
    NotificationRecord,
)
from cxsteward.registry.tables_monitor import (
    BaselineRecord,
    FindingRecord,
    MonitorRunRecord,
    ThresholdRecord,
)
from cxsteward.registry.tables_training import TrainingCompletionRecord
from cxsteward.registry.tables_trust import ExplanationRecord, FeedbackRecord, ReviewRequestRecord


@dataclass(frozen=True)
class RecordType:
    """One kind of record: what it is called in plain words and how to count it."""

    label: str
    count: Callable[[Session], int]


def _rows(column: InstrumentedAttribute[int]) -> Callable[[Session], int]:
    def count(session: Session) -> int:
        return int(session.scalar(select(func.count(column))) or 0)

    return count


# Decision rights and disclosure statements live in JSON columns of the deployments, so a
# "record" is a deployment that carries one.
RIGHTS = ("pause", "modify", "roll_back", "discontinue")


def _decision_rights(session: Session) -> int:
    rights = session.scalars(select(GovDeploymentRecord.decision_rights))
    return sum(1 for held in rights if any(held.get(r) for r in RIGHTS))


def _disclosures(session: Session) -> int:
    statements = session.scalars(select(GovDeploymentRecord.disclosure))
    return sum(1 for by_channel in statements if any(v.strip() for v in by_channel.values()))


RECORD_TYPES: Mapping[str, RecordType] = {
    "incidents": RecordType("incidents", _rows(IncidentRecord.id)),
    "incident_events": RecordType("incident timeline events", _rows(IncidentEventRecord.id)),
    "incident_decisions": RecordType(
        "decisions on incidents (pause, modify, roll back)", _rows(DecisionRecord.id)
    ),
    "incident_communications": RecordType(
        "incident communications to customers", _rows(CommunicationRecord.id)
    ),
    "incident_notifications": RecordType(
        "incident notifications to people named in a protocol", _rows(NotificationRecord.id)
    ),
    "review_requests": RecordType(
        "customer requests for human review", _rows(ReviewRequestRecord.id)
    ),
    "explanations": RecordType("explanations given to customers", _rows(ExplanationRecord.id)),
    "frontline_feedback": RecordType("frontline feedback flags", _rows(FeedbackRecord.id)),
    "committee_members": RecordType("committee members", _rows(GovMemberRecord.id)),
    "committee_meetings": RecordType("committee meetings", _rows(GovMeetingRecord.id)),
    "committee_decisions": RecordType("committee decisions", _rows(GovCommitteeDecisionRecord.id)),
    "emergency_pauses": RecordType("emergency pauses", _rows(GovEmergencyPauseRecord.id)),
    "decision_rights": RecordType("deployments with declared decision rights", _decision_rights),
    "accountability": RecordType(
        "accountability rows for key metrics", _rows(GovAccountabilityRecord.id)
    ),
    "escalation_protocols": RecordType("escalation protocols", _rows(GovProtocolRecord.id)),
    "deployments": RecordType("registered deployments", _rows(GovDeploymentRecord.id)),
    "model_versions": RecordType("model versions of deployments", _rows(GovModelVersionRecord.id)),
    "lifecycle_transitions": RecordType("lifecycle moves", _rows(GovTransitionRecord.id)),
    "baselines": RecordType("frozen baselines", _rows(BaselineRecord.id)),
    "thresholds": RecordType("thresholds", _rows(ThresholdRecord.id)),
    "monitoring_runs": RecordType("monitoring runs", _rows(MonitorRunRecord.id)),
    "findings": RecordType("monitoring findings", _rows(FindingRecord.id)),
    "disclosure_statements": RecordType(
        "deployments with an AI disclosure statement", _disclosures
    ),
    "message_templates": RecordType("customer message templates", _rows(GovTemplateRecord.id)),
    "vendor_clauses": RecordType("vendor contract clauses", _rows(GovClauseRecord.id)),
    "knowledge_articles": RecordType(
        "knowledge-base articles with owners", _rows(GovArticleRecord.id)
    ),
    "roadmap_reviews": RecordType("roadmap reviews", _rows(GovRoadmapReviewRecord.id)),
    "data_loads": RecordType(
        "data loads with their quality and quarantine", _rows(DataLoadRecord.id)
    ),
    "assessment_answers": RecordType("readiness assessment answers", _rows(AnswerRecord.id)),
    "audit_log": RecordType("audit log entries", _rows(AuditRecord.seq)),
    "training_modules": RecordType(
        "AI-literacy training modules declared by role", _rows(GovTrainingModuleRecord.id)
    ),
    "training_completions": RecordType(
        "AI-literacy training completions", _rows(TrainingCompletionRecord.id)
    ),
    "consent_notices": RecordType(
        "data-use notice versions per deployment and channel", _rows(ConsentNoticeRecord.id)
    ),
    "customer_choices": RecordType(
        "customer opt-outs of AI handling and objections to a data use",
        _rows(ConsentChoiceRecord.id),
    ),
}


def count_records(session: Session) -> dict[str, int]:
    """How many records of each type the registry holds now."""
    return {key: kind.count(session) for key, kind in RECORD_TYPES.items()}
