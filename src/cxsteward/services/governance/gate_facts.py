"""Gather what the scale gate looks at for one deployment, from the registry and the store.

Everything is read as of a day: records made after it are left out, so a gate evaluated
``--as-of`` a past day answers as it would have then (as far as the records tell: an
incident's status is read from when it was resolved or closed, a flag's from when it was
triaged).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

import pandas as pd
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.checks_model import DEFAULT_KEY_METRICS
from cxsteward.domain.governance.evidence_base import BaselineEvidence, start_of
from cxsteward.domain.governance.gate import (
    Breach,
    Flag,
    Gap,
    GateFacts,
    OpenIncident,
)
from cxsteward.domain.governance.gate_policy import GatePolicy
from cxsteward.domain.governance.spec import Deployment, Governance, Lifecycle
from cxsteward.domain.metrics import (
    OVERALL,
    SLICE_COLUMN,
    day_date,
    day_number,
)
from cxsteward.domain.monitoring.trust_checks import ChannelDisclosure, channel_disclosure
from cxsteward.domain.thresholds import Threshold
from cxsteward.errors import NotFound
from cxsteward.registry.tables_governance import GovMeetingRecord
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord
from cxsteward.registry.tables_trust import FeedbackRecord, ReviewRequestRecord
from cxsteward.services.assessment.cycles import list_cycles
from cxsteward.services.assessment.evidence import baseline_evidence, threshold_evidence
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.governance.check import GapOut, check_governance
from cxsteward.services.monitoring.behind import places_in_run
from cxsteward.services.monitoring.metrics import cell_table, compute_cell_frame
from cxsteward.services.monitoring.results import ComparisonOut
from cxsteward.services.monitoring.runs import COMPARISONS, read_stored, run_summary
from cxsteward.services.workspace import Workspace

GAP_KINDS = ("ai_vs_human_gap", "ai_segment_gap")
# How far back disclosure is measured: the same month the evidence rules read.
DISCLOSURE_DAYS = 30


class _OfDeployment(Protocol):
    @property
    def deployment(self) -> str: ...


R = TypeVar("R", bound=_OfDeployment)


@dataclass(frozen=True)
class Shared:
    """What every deployment's gate reads alike: read once when several are judged."""

    today: date
    evidenced_stage: tuple[int, str] | None
    gaps: tuple[GapOut, ...]
    baselines: tuple[BaselineEvidence, ...]
    thresholds: tuple[Threshold, ...]
    last_meeting: date | None
    frame: pd.DataFrame | None  # the cell frame, overall and by channel; None: no data
    records: Records


@dataclass(frozen=True)
class Records:
    """The rows each deployment's gate reads, read once for all of them (by deployment)."""

    runs: tuple[Row[int, datetime, date | None, date | None], ...]
    breaches: dict[str, list[FindingRecord]]  # confirmed threshold breaches
    incidents: dict[str, list[IncidentRecord]]
    reviews: dict[str, list[ReviewRequestRecord]]
    flags: dict[str, list[FeedbackRecord]]


def _by_deployment(rows: Iterable[R]) -> dict[str, list[R]]:
    grouped: dict[str, list[R]] = {}
    for row in rows:
        grouped.setdefault(row.deployment, []).append(row)
    return grouped


def _records(session: Session, end: datetime) -> Records:
    runs = tuple(
        session.execute(
            select(
                MonitorRunRecord.id,
                MonitorRunRecord.started_at,
                MonitorRunRecord.date_from,
                MonitorRunRecord.date_to,
            )
            .where(MonitorRunRecord.started_at < end)
            .order_by(MonitorRunRecord.started_at, MonitorRunRecord.id)
        )
    )
    breaches = select(FindingRecord).where(
        FindingRecord.run_id.in_([r.id for r in runs]),
        FindingRecord.kind == "threshold_breach",
        FindingRecord.status == "confirmed",
    )
    incidents = select(IncidentRecord).where(IncidentRecord.opened_at < end)
    reviews = select(ReviewRequestRecord).where(ReviewRequestRecord.received_at < end)
    flags = select(FeedbackRecord).where(FeedbackRecord.submitted_at < end)
    return Records(
        runs=runs,
        breaches=_by_deployment(session.scalars(breaches.order_by(FindingRecord.id))),
        incidents=_by_deployment(session.scalars(incidents.order_by(IncidentRecord.id))),
        reviews=_by_deployment(session.scalars(reviews.order_by(ReviewRequestRecord.id))),
        flags=_by_deployment(session.scalars(flags.order_by(FeedbackRecord.id))),
    )


def shared_facts(ws: Workspace, today: date) -> Shared:
    """The organization-wide facts as of the end of ``today``."""
    end = start_of(today + timedelta(days=1))
    with ws.transaction() as session:
        baselines = tuple(b for b in baseline_evidence(session) if b.created_at < end)
        thresholds = tuple(
            t
            for t in threshold_evidence(session)
            if t.created_at is not None and t.created_at < end
        )
        last_meeting = session.scalar(
            select(func.max(GovMeetingRecord.held_on)).where(GovMeetingRecord.held_on <= today)
        )
        records = _records(session, end)
    try:
        frame: pd.DataFrame | None = compute_cell_frame(ws, (("channel",),), None, today)
    except NotFound:
        frame = None
    return Shared(
        today=today,
        evidenced_stage=_evidenced_stage(ws, today),
        gaps=tuple(check_governance(ws, today).gaps),
        baselines=baselines,
        thresholds=thresholds,
        last_meeting=last_meeting,
        frame=frame,
        records=records,
    )


def gather(
    ws: Workspace,
    gov: Governance,
    dep: Deployment,
    target: Lifecycle,
    policy: GatePolicy,
    shared: Shared,
) -> GateFacts:
    """The facts for ``dep`` moving to ``target``, as of the end of the shared facts' day."""
    today = shared.today
    end = start_of(today + timedelta(days=1))
    key_metrics = tuple(gov.key_metrics) or DEFAULT_KEY_METRICS
    accountable = tuple(
        dict.fromkeys(a.metric for a in gov.accountability if a.deployment in (None, dep.key))
    )
    disclosure, span = _contacts(shared.frame, dep.key, today)
    records = shared.records
    monitored, breaches, latest = _findings(records, dep.key, policy, span, today)
    incidents = _open_incidents(records.incidents.get(dep.key, []), end)
    due, in_time = _reviews(records.reviews.get(dep.key, []), end)
    flags = _untriaged(records.flags.get(dep.key, []), end)
    gaps = _gaps(ws, latest, dep.key, key_metrics) if latest is not None else []
    own = (f"deployment:{dep.key}", *([f"vendor:{dep.vendor}"] if dep.vendor else []))
    blocking = [
        (g.rule, g.message)
        for g in shared.gaps
        if g.blocking
        and (g.object.startswith(own) or not g.object.startswith(("deployment:", "vendor:")))
    ]
    return GateFacts(
        governance=gov,
        deployment=dep,
        target=target,
        today=today,
        evidenced_stage=shared.evidenced_stage,
        blocking_gaps=blocking,
        accountable_metrics=accountable or key_metrics,
        key_metrics=key_metrics,
        baselines=shared.baselines,
        thresholds=shared.thresholds,
        monitored=monitored,
        breaches=breaches,
        open_incidents=incidents,
        gaps=gaps,
        disclosure=disclosure,
        reviews_due=due,
        reviews_in_time=in_time,
        untriaged=flags,
        last_meeting=shared.last_meeting,
        newest_contact=None if span is None else span[1],
    )


def _evidenced_stage(ws: Workspace, today: date) -> tuple[int, str] | None:
    answered = [c for c in list_cycles(ws) if c.answers]
    if not answered:
        return None
    evidence = assessment_report(ws, answered[-1].name, today=today).evidence
    if evidence is None:
        return None
    stage = evidence.stage.evidenced
    return stage.number, stage.name


def _findings(
    records: Records,
    deployment: str,
    policy: GatePolicy,
    span: tuple[date, date] | None,
    today: date,
) -> tuple[bool, list[Breach], int | None]:
    """Whether a run covered the deployment's contacts, its recent confirmed breaches, and
    the latest covering run."""
    runs = records.runs
    if span is None:
        return False, [], None
    first, last = span
    covering = [
        r
        for r in runs
        if (r.date_from is None or r.date_from <= last)
        and (r.date_to is None or r.date_to >= first)
    ]
    if not covering:
        return False, [], None
    started = {r.id: r.started_at for r in covering}
    findings = [f for f in records.breaches.get(deployment, []) if f.run_id in started]
    since = start_of(today - timedelta(days=policy.breach_days or 0))
    breaches = [
        Breach(
            f.id,
            f.run_id,
            f.metric,
            f.severity or "",
            started[f.run_id].date(),
            str(f.body.get("message", "")),
        )
        for f in findings
        if started[f.run_id] >= since
    ]
    return True, breaches, covering[-1].id


def _gaps(ws: Workspace, run_id: int, deployment: str, key_metrics: tuple[str, ...]) -> list[Gap]:
    """The places of the run where the AI is confirmed behind humans on a key metric: the
    same places, with the same rule for "confirmed", as the overview's headline."""
    run = run_summary(ws, run_id)
    stored = read_stored(ws, run, COMPARISONS, ComparisonOut)
    return [
        Gap(
            item.finding_id,
            item.run_id,
            item.metric,
            item.segment_text if item.segment else "all contacts",
            item.ai,
            item.human,
            float("inf") if item.relative_gap is None else item.relative_gap,
            item.headline,
        )
        for item in places_in_run(ws, run, {deployment}, stored)
        if item.status == "confirmed" and item.metric in key_metrics
    ]


def _open_incidents(rows: list[IncidentRecord], end: datetime) -> list[OpenIncident]:
    return [
        OpenIncident(r.id, r.title, r.severity, r.opened_at.date())
        for r in rows
        if not any(t is not None and t < end for t in (r.resolved_at, r.closed_at))
    ]


def _reviews(rows: list[ReviewRequestRecord], end: datetime) -> tuple[int, int]:
    """Review requests due by ``end`` (or answered before), and how many were answered in time."""
    due = in_time = 0
    for r in rows:
        if r.withdrawn_at is not None and r.withdrawn_at < end:
            continue
        answered = r.resolved_at if r.resolved_at is not None and r.resolved_at < end else None
        if answered is None and r.due_at >= end:
            continue  # still within its time
        due += 1
        in_time += answered is not None and answered <= r.due_at
    return due, in_time


def _untriaged(rows: list[FeedbackRecord], end: datetime) -> list[Flag]:
    return [
        Flag(r.id, r.submitted_at.date(), r.category)
        for r in rows
        if not any(t is not None and t < end for t in (r.triaged_at, r.acted_at, r.declined_at))
    ]


def _contacts(
    frame: pd.DataFrame | None, deployment: str, today: date
) -> tuple[list[ChannelDisclosure], tuple[date, date] | None]:
    """Disclosure per channel over the deployment's latest month of contacts, and the first
    and newest contact days."""
    if frame is None:
        return [], None
    mine = frame[frame["deployment"].astype(str) == deployment]
    overall = mine[mine[SLICE_COLUMN] == OVERALL]
    if overall.empty:
        return [], None
    span = (day_date(int(overall["day"].min())), day_date(int(overall["day"].max())))
    # The deployment's latest month of contacts: how old they are is the freshness criterion.
    since = min(today, span[1]) - timedelta(days=DISCLOSURE_DAYS - 1)
    disclosure = channel_disclosure(cell_table(frame), deployment, day_number(since))
    return disclosure, span
