"""`governance check`: gather the registry's facts and run every governance chain rule."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field
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
from cxsteward.domain.thresholds import Severity, Threshold
from cxsteward.errors import GovernanceNotFound
from cxsteward.registry.tables_governance import (
    GovAccountabilityRecord,
    GovEmergencyPauseRecord,
    GovProtocolRecord,
)
from cxsteward.registry.tables_monitor import BaselineRecord, BaselineValueRecord, ThresholdRecord
from cxsteward.services.audit.state import AuditedRow, audited_rows
from cxsteward.services.clock import now
from cxsteward.services.contract import Result
from cxsteward.services.governance.store import current_governance
from cxsteward.services.monitoring.baselines import list_baselines
from cxsteward.services.workspace import Workspace


class GapOut(Result):
    """One missing link in the governance chain, with what to do about it."""

    rule: str = Field(description="The rule's id, e.g. deployment.nobody_can_pause.")
    blocking: bool = Field(description="True when the gap blocks (`governance check` exits 2).")
    object: str = Field(description="What the gap is about, e.g. deployment:support-chat.")
    message: str = Field(description="What is missing, in plain words.")
    fix: str = Field(description="What to do about it.")


class CheckCounts(Result):
    blocking: int = Field(description="How many gaps block.")
    warnings: int = Field(description="How many gaps only warn.")


class CheckOut(Result):
    """The governance chain check: every gap, blocking ones first in the rules' order."""

    checked_at: datetime = Field(description="When the check ran.")
    today: date = Field(description="The day the rules counted cadences back from.")
    blocking: bool = Field(description="True when any gap blocks.")
    counts: CheckCounts
    gaps: list[GapOut]

    @classmethod
    def of(cls, report: CheckReport) -> CheckOut:
        """The result of the domain's report (which stays free of serialisation)."""
        blocking = sum(gap.blocking for gap in report.gaps)
        return cls(
            checked_at=report.checked_at,
            today=report.today,
            blocking=report.blocking,
            counts=CheckCounts(blocking=blocking, warnings=len(report.gaps) - blocking),
            gaps=[GapOut.model_validate(gap) for gap in report.gaps],
        )


def check_governance(ws: Workspace, today: date | None = None) -> CheckOut:
    """Every gap in the governance chain; ``today`` (default: today, UTC) anchors cadences."""
    checked_at = now(ws)
    day = today or checked_at.date()
    try:
        governance = current_governance(ws)
    except GovernanceNotFound:
        return CheckOut.of(not_applied(checked_at, day))
    with ws.transaction() as session:
        created = _creation_times(session)
        thresholds = _thresholds(session)
        logged = audited_rows(session, "baselines")
        frozen_at = {
            name: _inserted(logged, record_id)
            for record_id, name in session.execute(select(BaselineRecord.id, BaselineRecord.name))
        }
        pauses = [
            EmergencyPause(p.deployment, p.by, p.paused_on, p.ratified_by is not None)
            for p in session.scalars(select(GovEmergencyPauseRecord))
        ]
    facts = GovernanceFacts(
        governance=governance,
        today=day,
        thresholds=thresholds,
        baselines=_baselines(ws, frozen_at),
        created_at=created,
        emergency_pauses=pauses,
    )
    return CheckOut.of(run_checks(facts, checked_at))


def _thresholds(session: Session) -> list[Threshold]:
    """Active rules, each created when the audit log recorded its insert (None, which
    proves nothing, for a rule the log never saw): a ``created_at`` column can be rewritten
    with SQL, the chained log cannot without `audit verify` noticing."""
    logged = audited_rows(session, "thresholds")
    active = select(ThresholdRecord).where(ThresholdRecord.retired_at.is_(None))
    rules = [
        Threshold.model_validate({**r.definition, "created_at": _inserted(logged, r.id)})
        for r in session.scalars(active)
    ]
    return sorted(rules, key=lambda t: (t.created_at is None, t.created_at))


def _inserted(logged: dict[str, AuditedRow], record_id: int) -> datetime | None:
    row = logged.get(str(record_id))
    return row.inserted_at if row is not None else None


def _baselines(ws: Workspace, frozen_at: dict[str, datetime | None]) -> list[BaselineFacts]:
    # list_baselines recomputes each checksum, so an edited baseline is known as such; one
    # the audit log never saw (or whose insert it has not chained yet) is not trusted.
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
            created_at=at or b.created_at,
            handler=b.handler,
            covers=frozenset(covers.get(b.name, set())),
            intact=b.intact and at is not None,
        )
        for b in frozen
        for at in [frozen_at.get(b.name)]
    ]


def _creation_times(session: Session) -> dict[str, datetime]:
    # The spec has no creation times: they are when the audit log recorded each insert.
    times: dict[str, datetime] = {}
    protocols = audited_rows(session, "gov_protocols")
    for record_id, severity in session.execute(
        select(GovProtocolRecord.id, GovProtocolRecord.severity)
    ):
        if (at := _inserted(protocols, record_id)) is not None:
            times[protocol_key(Severity(severity))] = at
    rows = audited_rows(session, "gov_accountability")
    for record_id, metric, deployment in session.execute(
        select(
            GovAccountabilityRecord.id,
            GovAccountabilityRecord.metric,
            GovAccountabilityRecord.deployment,
        )
    ):
        if (at := _inserted(rows, record_id)) is not None:
            times[accountability_key(metric, deployment)] = at
    return times
