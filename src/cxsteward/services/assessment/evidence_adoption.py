"""The staff-adoption facts PPL-10 reads: assistance recorded per deployment, the runs that
computed adoption figures (and their findings), and incidents opened on adoption metrics."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from cxsteward.domain.governance.evidence_adoption import (
    ADOPTION_METRICS,
    AdoptionEvidence,
    AdoptionFollowUp,
    AdoptionRunEvidence,
)
from cxsteward.domain.governance.evidence_base import USAGE_DAYS, EvidenceFacts
from cxsteward.errors import NotFound
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord
from cxsteward.services.audit.state import audited_rows
from cxsteward.services.monitoring.adoption import adoption_usage
from cxsteward.services.workspace import Workspace


def with_adoption_facts(ws: Workspace, facts: EvidenceFacts) -> EvidenceFacts:
    """``facts`` with the adoption records added (times from the audit log, as elsewhere)."""
    usage: list[AdoptionEvidence] = []
    if facts.loads:
        try:
            first = facts.today - timedelta(days=USAGE_DAYS - 1)
            usage = [AdoptionEvidence(*row) for row in adoption_usage(ws, first, facts.today)]
        except NotFound:
            usage = []
    with ws.transaction() as session:
        started = {r.id: r.started_at for r in facts.runs}
        flagged: dict[int, list[str]] = defaultdict(list)
        for run_id, deployment in session.execute(
            select(FindingRecord.run_id, FindingRecord.deployment).where(
                FindingRecord.kind == "adoption"
            )
        ):
            flagged[run_id].append(deployment)
        runs = [
            AdoptionRunEvidence(
                run_id=r.id,
                started_at=started[r.id],
                deployments=_names(r.parameters.get("adoption_deployments")),
                findings=tuple(flagged.get(r.id, [])),
            )
            for r in session.scalars(select(MonitorRunRecord).order_by(MonitorRunRecord.id))
            if r.id in started and _names(r.parameters.get("adoption_deployments"))
        ]
        audited = audited_rows(session, "incidents")
        follow_ups = [
            AdoptionFollowUp(
                r.deployment,
                str(r.metric),
                row.inserted_at,
                row.time("resolved_at") or row.time("closed_at"),
            )
            for r in session.scalars(
                select(IncidentRecord).where(IncidentRecord.metric.in_(ADOPTION_METRICS))
            )
            if (row := audited.get(str(r.id))) is not None and row.inserted_at is not None
        ]
    return dataclasses.replace(
        facts, adoption=usage, adoption_runs=runs, adoption_follow_ups=follow_ups
    )


def _names(value: object) -> tuple[str, ...]:
    # A run's parameters are a JSON column; runs before adoption have no such key.
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
