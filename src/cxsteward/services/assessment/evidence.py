"""Claimed against evidenced (C2): gather the registry's records and judge every evidence rule."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.evidence import judge_evidence
from cxsteward.domain.governance.evidence_base import (
    USAGE_DAYS,
    BaselineEvidence,
    EvidenceFacts,
    FlagEvidence,
    IncidentEvidence,
    LoadEvidence,
    PromiseEvidence,
    PromisePartEvidence,
    ReviewEvidence,
    RunEvidence,
    UsageEvidence,
    protocol_key,
)
from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.metrics import N, flag_n, flag_true
from cxsteward.domain.monitoring.trust_checks import ChannelDisclosure, channel_disclosure
from cxsteward.domain.results import EvidenceReport
from cxsteward.domain.thresholds import Threshold
from cxsteward.errors import GovernanceNotFound, Invalid, NotFound
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.registry.tables_governance import GovProtocolRecord
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.registry.tables_monitor import (
    BaselineRecord,
    BaselineValueRecord,
    MonitorRunRecord,
    ThresholdRecord,
)
from cxsteward.registry.tables_trust import ExplanationRecord
from cxsteward.services.assessment.evidence_adoption import with_adoption_facts
from cxsteward.services.assessment.sentiment_facts import latest_pack, sentiment_scored
from cxsteward.services.audit.state import AuditedRow, audited_rows
from cxsteward.services.clock import now
from cxsteward.services.consent.check import consent_evidence
from cxsteward.services.data.source import reading_if_any
from cxsteward.services.governance.store import current_governance
from cxsteward.services.monitoring.metrics import cell_table, compute_cell_frame
from cxsteward.services.monitoring.trust import trust_checks
from cxsteward.services.training.coverage import completion_facts
from cxsteward.services.workspace import Workspace


def evidence_for(
    ws: Workspace, today: date | None = None, question_ids: Sequence[str] | None = None
) -> EvidenceReport:
    """Every evidence rule's verdict on the registry as of ``today`` (default: today, UTC).

    Args:
        question_ids: the bank whose questions are judged (default: the workspace's bank).
    """
    with reading_if_any(ws):  # the store opened once for every rule that reads contacts
        facts = collect_facts(ws, today or now(ws).date())
    return judge_evidence(facts, list(question_ids or ws.bank.ids()))


def collect_facts(ws: Workspace, today: date) -> EvidenceFacts:
    """The records the evidence rules read, from the registry and the interaction store."""
    governance = _governance(ws)
    # Every time a rule reads comes from the audit log, not from a column anyone with SQL
    # access could rewrite: creation times are when the log recorded the row's insert.
    with ws.transaction() as session:
        protocols = audited_rows(session, "gov_protocols")
        created = {
            protocol_key(severity): at
            for record_id, severity in session.execute(
                select(GovProtocolRecord.id, GovProtocolRecord.severity)
            )
            if (at := _inserted(protocols, record_id)) is not None
        }
        thresholds = threshold_evidence(session)
        baselines = baseline_evidence(session)
        runs = _runs(session)
        loads = _loads(session)
        incidents = _incidents(session)
        reviews = _reviews(session)
        flags = _flags(session)
        policy_changes = _policy_changes(session)
        training = completion_facts(session)
        pack = latest_pack(session)
    recent = _recent_cells(ws, today) if loads else None
    facts = EvidenceFacts(
        today=today,
        governance=governance,
        created_at=created,
        thresholds=thresholds,
        baselines=baselines,
        runs=runs,
        loads=loads,
        usage=_usage(recent),
        incidents=incidents,
        reviews=reviews,
        flags=flags,
        policy_changes=policy_changes,
        training=training,
        consent=consent_evidence(ws),
        promises=_promises(ws, runs),
        channel_disclosure=_channel_disclosure(recent),
        sentiment_scored=sentiment_scored(recent),
        latest_pack=pack,
    )
    return with_adoption_facts(ws, facts)


def _governance(ws: Workspace) -> Governance | None:
    try:
        return current_governance(ws)
    except GovernanceNotFound:
        return None


def baseline_evidence(session: Session) -> list[BaselineEvidence]:
    held: dict[int, set[tuple[str, str, str]]] = {}
    query = select(
        BaselineValueRecord.baseline_id,
        BaselineValueRecord.deployment,
        BaselineValueRecord.slice,
        BaselineValueRecord.metric,
    ).distinct()
    for baseline_id, deployment, part, metric in session.execute(query):
        held.setdefault(baseline_id, set()).add((deployment, part, metric))
    audited = audited_rows(session, "baselines")
    frozen = [
        BaselineEvidence(r.name, at, r.handler, frozenset(held.get(r.id, set())))
        for r in session.scalars(select(BaselineRecord))
        if (at := _inserted(audited, r.id)) is not None
    ]
    return sorted(frozen, key=lambda b: b.created_at)


def threshold_evidence(session: Session) -> list[Threshold]:
    audited = audited_rows(session, "thresholds")
    rules = [
        Threshold.model_validate({**r.definition, "created_at": at})
        for r in session.scalars(
            select(ThresholdRecord).where(ThresholdRecord.retired_at.is_(None))
        )
        if (at := _inserted(audited, r.id)) is not None
    ]
    return sorted(rules, key=lambda t: (t.created_at is None, t.created_at))


def _inserted(audited: dict[str, AuditedRow], record_id: int) -> datetime | None:
    row = audited.get(str(record_id))
    return row.inserted_at if row is not None else None


def _runs(session: Session) -> list[RunEvidence]:
    audited = audited_rows(session, "monitor_runs")
    return [
        RunEvidence(
            id=r.id,
            started_at=started,
            slices=tuple(tuple(str(c) for c in s) for s in _list(r.parameters.get("slices"))),
            thresholds=tuple(str(t) for t in _list(r.parameters.get("thresholds"))),
        )
        for r in session.scalars(select(MonitorRunRecord).order_by(MonitorRunRecord.started_at))
        if (started := _audited_time(audited, r.id, "started_at")) is not None
    ]


def _audited_time(audited: dict[str, AuditedRow], record_id: int, column: str) -> datetime | None:
    row = audited.get(str(record_id))
    return row.time(column) if row is not None else None


def _loads(session: Session) -> list[LoadEvidence]:
    loads = []
    audited = audited_rows(session, "data_loads")
    for r in session.scalars(select(DataLoadRecord).order_by(DataLoadRecord.finished_at)):
        finished = _audited_time(audited, r.id, "finished_at")
        if finished is None:
            continue
        # The load's quality summary, stored as a JSON column.
        quality: dict[str, Any] = json.loads(r.quality_json or "{}")
        loads.append(
            LoadEvidence(
                id=r.id,
                finished_at=finished,
                rows_accepted=r.rows_accepted,
                rows_quarantined=r.rows_quarantined,
                null_rate=dict(quality.get("null_rate", {})),
                segments=tuple(quality.get("segments", {})),
            )
        )
    return loads


def _incidents(session: Session) -> list[IncidentEvidence]:
    audited = audited_rows(session, "incidents")
    return [
        IncidentEvidence(
            id=r.id,
            title=r.title,
            severity=r.severity,
            incident_type=r.incident_type,
            opened_at=row.inserted_at,
            respond_by=row.time("respond_by"),
            acknowledged_at=row.time("acknowledged_at"),
            tell_customers=r.tell_customers,
        )
        for r in session.scalars(select(IncidentRecord).order_by(IncidentRecord.id))
        if (row := audited.get(str(r.id))) is not None and row.inserted_at is not None
    ]


def _reviews(session: Session) -> list[ReviewEvidence]:
    """Review requests as the audit log has them, with their first explanation's time."""
    explained: dict[int, datetime] = {}
    for request_id, at in session.execute(
        select(ExplanationRecord.review_request_id, ExplanationRecord.written_at).where(
            ExplanationRecord.review_request_id.is_not(None)
        )
    ):
        if request_id is not None and (request_id not in explained or at < explained[request_id]):
            explained[request_id] = at
    reviews = []
    for key, row in sorted(audited_rows(session, "review_requests").items(), key=_by_id):
        received, due = row.time("received_at"), row.time("due_at")
        if received is None or due is None:
            continue
        reviews.append(
            ReviewEvidence(
                id=int(key),
                deployment=str(row.values.get("deployment")),
                received_at=received,
                due_at=due,
                resolved_at=row.time("resolved_at"),
                withdrawn_at=row.time("withdrawn_at"),
                explained_at=explained.get(int(key)),
            )
        )
    return reviews


def _flags(session: Session) -> list[FlagEvidence]:
    flags = []
    for key, row in sorted(audited_rows(session, "frontline_feedback").items(), key=_by_id):
        submitted = row.time("submitted_at")
        if submitted is None:
            continue
        flags.append(
            FlagEvidence(
                id=int(key),
                deployment=str(row.values.get("deployment")),
                submitted_at=submitted,
                triaged_at=row.time("triaged_at"),
                acted_at=row.time("acted_at"),
                declined_at=row.time("declined_at"),
            )
        )
    return flags


# Governance tables that record what happened rather than what is decided: a meeting held
# or a gate evaluated is no revision of the policy.
HISTORY_TABLES = (
    "gov_committee_meetings",
    "gov_deployment_transitions",
    "gov_roadmap_reviews",
    "gov_committee_decisions",
    "gov_emergency_pauses",
)


def _policy_changes(session: Session) -> list[datetime]:
    """When the audit log recorded a change to the governance setup."""
    query = select(AuditRecord.at).where(
        AuditRecord.table_name.like("gov\\_%", escape="\\"),
        AuditRecord.table_name.not_in(HISTORY_TABLES),
    )
    return sorted(session.scalars(query))


def _by_id(item: tuple[str, AuditedRow]) -> int:
    return int(item[0])


def _recent_cells(ws: Workspace, today: date) -> pd.DataFrame | None:
    """The cells of the last USAGE_DAYS days, overall and per channel, in one scan of the
    store (overall only when the data has no channel column; None when nothing is loaded).
    """
    since = today - timedelta(days=USAGE_DAYS - 1)
    try:
        try:
            return compute_cell_frame(ws, (("channel",),), since, today)
        except Invalid:  # the data has no channel column
            return compute_cell_frame(ws, (), since, today)
    except NotFound:
        return None


def _usage(frame: pd.DataFrame | None) -> list[UsageEvidence]:
    """AI contacts per deployment over the last USAGE_DAYS days, from the cell table."""
    if frame is None:
        return []
    ai = frame[(frame["slice"] == "overall") & (frame["handler"] == "ai")]
    if ai.empty:
        return []
    columns = [N, flag_n("human_override"), flag_n("ai_disclosed"), flag_true("ai_disclosed")]
    totals = ai.assign(deployment=ai["deployment"].astype(str)).groupby("deployment")[columns].sum()
    return [
        UsageEvidence(str(dep), *(int(row[c]) for c in columns))
        for dep, row in totals.sort_index().iterrows()
    ]


def _channel_disclosure(frame: pd.DataFrame | None) -> dict[str, list[ChannelDisclosure]]:
    """AI disclosure per deployment and channel over the last USAGE_DAYS days (empty when
    the cells hold no channel slice)."""
    if frame is None or "channel" not in frame:
        return {}
    cells = cell_table(frame)
    deployments = sorted({str(d) for d in cells.deployment[cells.handler == "ai"]})
    found = {d: channel_disclosure(cells, d) for d in deployments}
    return {d: rows for d, rows in found.items() if rows}


def _promises(ws: Workspace, runs: list[RunEvidence]) -> list[PromiseEvidence]:
    """The vulnerable-customer promises the latest run that measured any of them found."""
    try:
        checks = trust_checks(ws)
    except NotFound:
        return []
    started = {r.id: r.started_at for r in runs}
    if checks.run_id not in started:
        return []
    return [
        PromiseEvidence(
            deployment=p.deployment,
            run_id=checks.run_id,
            run_started=started[checks.run_id],
            segment=p.segment,
            value=", ".join(p.values),
            contacts=p.contacts,
            parts=tuple(PromisePartEvidence(x.part, x.kept, x.words) for x in p.parts),
        )
        for p in checks.promises
    ]


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []
