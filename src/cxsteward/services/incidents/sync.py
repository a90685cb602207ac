"""Incidents from monitoring runs: one per threshold breach, updated when it recurs."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.incidents import EventKind, IncidentSource, IncidentStatus
from cxsteward.domain.monitoring.findings import Finding
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import NotFound
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord
from cxsteward.services.clock import now
from cxsteward.services.incidents.lifecycle import (
    add_event,
    deliver_after_commit,
    new_incident,
    raise_severity,
    reopen,
)
from cxsteward.services.incidents.models import Pending, SyncOut
from cxsteward.services.incidents.notify import Sleep, deliver, governance_or_none
from cxsteward.services.workspace import Workspace

MONITOR_ACTOR = "cxsteward monitor"
# Only a breach of a rule declared in advance is an incident; the other kinds of finding
# are exploratory (see docs/incidents.md) and stay findings for an analyst to review.
INCIDENT_KINDS = frozenset({"threshold_breach"})


def sync_incidents(
    ws: Workspace, run_id: int, session: Session | None = None, sleep: Sleep = time.sleep
) -> SyncOut:
    """Open or update one incident per threshold breach of a monitoring run.

    With ``session`` the work joins the caller's transaction and the notifications go out
    once it commits; without, it runs in its own transaction. Running it twice for the same
    run changes nothing the second time.
    """
    if session is not None:
        out = _sync(session, run_id)
        if out.pending:
            deliver_after_commit(ws, session, out.pending, sleep)
        return out
    with ws.transaction() as own:
        out = _sync(own, run_id)
    deliver(ws, out.pending, sleep)
    return out


def _sync(session: Session, run_id: int) -> SyncOut:
    if session.get(MonitorRunRecord, run_id) is None:
        raise NotFound(
            f"No monitoring run {run_id}; `cxsteward monitor run` prints the id of each run."
        )
    gov = governance_or_none(session)
    findings = session.scalars(
        select(FindingRecord).where(FindingRecord.run_id == run_id).order_by(FindingRecord.id)
    )
    opened: list[int] = []
    updated: list[int] = []
    skipped: Counter[str] = Counter()
    pending: list[Pending] = []
    for row in findings:
        if row.kind not in INCIDENT_KINDS:
            skipped[row.kind] += 1
            continue
        finding = Finding.model_validate(row.body)
        if _synced(session, row.key, run_id):
            continue  # this run was synced before: nothing to add
        existing = session.scalar(
            select(IncidentRecord).where(
                IncidentRecord.key == row.key, IncidentRecord.status != IncidentStatus.CLOSED
            )
        )
        if existing is None:
            record = _open_from_finding(session, gov, run_id, row, finding)
            opened.append(record.id)
            pending.append(Pending(record.id, "opened"))
        else:
            if _recur(session, gov, run_id, existing, finding):
                pending.append(Pending(existing.id, "severity_raised"))
            updated.append(existing.id)
    return SyncOut(
        run=run_id,
        opened=opened,
        updated=updated,
        not_incidents=dict(sorted(skipped.items())),
        pending=pending,
    )


def _synced(session: Session, key: str, run_id: int) -> bool:
    found = session.scalar(
        select(IncidentRecord.id).where(
            IncidentRecord.key == key, IncidentRecord.last_run_id == run_id
        )
    )
    return found is not None


def _open_from_finding(
    session: Session, gov: Governance | None, run_id: int, row: FindingRecord, finding: Finding
) -> IncidentRecord:
    level, unknown = _severity_of(finding)
    scope = ", ".join(f"{k}={v}" for k, v in finding.scope.items()) or "all contacts"
    record = new_incident(
        session,
        gov,
        source=IncidentSource.FINDING,
        title=f"{finding.threshold or finding.metric} breached in {finding.deployment} ({scope})",
        deployment=finding.deployment,
        severity=level,
        metric=finding.metric,
        scope=dict(finding.scope),
        description=finding.message,
        incident_type=finding.metric,
        actor=MONITOR_ACTOR,
        detail={
            "run_id": run_id,
            "finding_id": row.id,
            "finding_status": finding.status,
            "threshold": finding.threshold,
            "action": finding.action,
        },
        key=row.key,
        run_id=run_id,
    )
    if unknown:
        add_event(session, record.id, MONITOR_ACTOR, EventKind.NOTE, {"note": unknown})
    return record


def _recur(
    session: Session, gov: Governance | None, run_id: int, record: IncidentRecord, finding: Finding
) -> bool:
    """Count a recurrence; True when the severity went up (which is notified again)."""
    at = now(session)
    record.occurrences += 1
    record.last_run_id = run_id
    level, _ = _severity_of(finding)
    detail: dict[str, object] = {
        "run_id": run_id,
        "occurrences": record.occurrences,
        "finding_status": finding.status,
    }
    raised = raise_severity(gov, record, level, at, detail)
    add_event(session, record.id, MONITOR_ACTOR, EventKind.RECURRED, detail, at)
    if record.status == IncidentStatus.RESOLVED:
        reopen(gov, record, at)
        add_event(
            session,
            record.id,
            MONITOR_ACTOR,
            EventKind.STATUS,
            {"from": "resolved", "to": "open", "note": "the breach came back"},
            at,
        )
        record.status = IncidentStatus.OPEN.value
    return raised


def _severity_of(finding: Finding) -> tuple[Severity, str | None]:
    try:
        return Severity(finding.severity or ""), None
    except ValueError:
        # A breach always carries its rule's severity; this guards rows written by hand.
        return (
            Severity.SEV3,
            f"The finding gave no usable severity ({finding.severity!r}); sev3 used.",
        )
