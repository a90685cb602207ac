"""`governance check`: gather the registry's facts and run every governance chain rule."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.checks import (
    BaselineFacts,
    CheckReport,
    GovernanceFacts,
    accountability_key,
    not_applied,
    protocol_key,
    run_checks,
)
from cxsteward.domain.governance.rights import EmergencyPause
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import GovernanceNotFound
from cxsteward.registry.tables_governance import (
    GovAccountabilityRecord,
    GovEmergencyPauseRecord,
    GovProtocolRecord,
)
from cxsteward.registry.tables_monitor import BaselineRecord, BaselineValueRecord
from cxsteward.services.assessment import now
from cxsteward.services.baselines import list_baselines
from cxsteward.services.governance import current_governance
from cxsteward.services.thresholds import list_thresholds
from cxsteward.services.workspace import Workspace


def check_governance(ws: Workspace, today: date | None = None) -> CheckReport:
    """Every gap in the governance chain; ``today`` (default: today, UTC) anchors cadences."""
    checked_at = now()
    day = today or checked_at.date()
    try:
        governance = current_governance(ws)
    except GovernanceNotFound:
        return not_applied(checked_at, day)
    with ws.transaction() as session:
        created = _creation_times(session)
        pauses = [
            EmergencyPause(p.deployment, p.by, p.paused_on, p.ratified_by is not None)
            for p in session.scalars(select(GovEmergencyPauseRecord))
        ]
    facts = GovernanceFacts(
        governance=governance,
        today=day,
        thresholds=list_thresholds(ws),
        baselines=_baselines(ws),
        created_at=created,
        emergency_pauses=pauses,
    )
    return run_checks(facts, checked_at)


def _baselines(ws: Workspace) -> list[BaselineFacts]:
    # list_baselines recomputes each checksum, so an edited baseline is known as such.
    frozen = list_baselines(ws)
    covers: dict[str, set[tuple[str, str]]] = {}
    pairs = (
        select(BaselineRecord.name, BaselineValueRecord.deployment, BaselineValueRecord.metric)
        .join(BaselineValueRecord.baseline)
        .distinct()
    )
    with ws.transaction() as session:
        for name, deployment, metric in session.execute(pairs):
            covers.setdefault(name, set()).add((deployment, metric))
    return [
        BaselineFacts(
            name=b.name,
            created_at=b.created_at,
            handler=b.handler,
            covers=frozenset(covers.get(b.name, set())),
            intact=b.intact,
        )
        for b in frozen
    ]


def _creation_times(session: Session) -> dict[str, datetime]:
    # Read straight from the governance tables: the spec has no creation times.
    times: dict[str, datetime] = {}
    for severity, created in session.execute(
        select(GovProtocolRecord.severity, GovProtocolRecord.created_at)
    ):
        times[protocol_key(Severity(severity))] = created
    for metric, deployment, created in session.execute(
        select(
            GovAccountabilityRecord.metric,
            GovAccountabilityRecord.deployment,
            GovAccountabilityRecord.created_at,
        )
    ):
        times[accountability_key(metric, deployment)] = created
    return times
