"""The overview's figures: where the AI is behind humans and how old the data is, readiness,
open incidents, thresholds, review SLA, feedback acted on.

Each section is gathered only when asked for (the web page asks for the sections a role
may open), and each one is None when there is nothing to show yet, so the page can say
what to do instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cxsteward.domain.incidents import IncidentStatus
from cxsteward.domain.thresholds import Severity
from cxsteward.domain.trust import FeedbackStats
from cxsteward.errors import GovernanceNotFound
from cxsteward.services.assessment.cycles import list_cycles
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.clock import now
from cxsteward.services.data.freshness import FreshnessOut, data_freshness
from cxsteward.services.data.source import reading_if_any
from cxsteward.services.governance.gate import GateOut, evaluate_gates
from cxsteward.services.governance.store import current_governance
from cxsteward.services.incidents.lifecycle import list_incidents
from cxsteward.services.monitoring.behind import BehindOut, behind_humans
from cxsteward.services.monitoring.results import DeploymentStatus, threshold_status
from cxsteward.services.monitoring.runs import (
    EVALUATIONS,
    artifact_path,
    artifacts_problem,
    latest_run,
    run_evaluations,
)
from cxsteward.services.people.feedback import feedback_summary
from cxsteward.services.read_models import MAX_AGE, ReadModel, versions_once
from cxsteward.services.trust.models import ReviewSummary
from cxsteward.services.trust.reviews import review_summary
from cxsteward.services.workspace import Workspace

# Tables whose changes leave the readiness figures as they were (or nearly: see readiness()).
READINESS_IGNORES = (
    "review_requests",
    "explanations",
    "frontline_feedback",
    "users",
    "api_tokens",
    "assessment_invitations",
    "incidents",
    "incident_events",
    "notifications",
    "communications",
)
READINESS_MAX_AGE = MAX_AGE
_READINESS: ReadModel[Readiness | CycleWaiting | None] = ReadModel(
    "readiness", ignores=READINESS_IGNORES
)
# The gate reads nearly every record (reviews and flags too): any change rebuilds it.
_GATES: ReadModel[list[GateOut]] = ReadModel("gates")
# Tables the public pages write (a review request, its explanation, a frontline flag, and
# the incidents and messages they may raise): the overview's gate follows them at most
# this late, so a stream of public requests does not rebuild the whole gate each time.
PUBLIC_TABLES = (
    "review_requests",
    "explanations",
    "frontline_feedback",
    "incidents",
    "incident_events",
    "notifications",
    "communications",
)
GATE_SUMMARY_LAG = timedelta(seconds=60)
_GATE_SUMMARY: ReadModel[GateSummary] = ReadModel(
    "gate summary", lagging=PUBLIC_TABLES, lag=GATE_SUMMARY_LAG
)
# The headline reads runs, loads, governance and the contact store, none of which public
# traffic or accounts write: a review request must not rebuild it (Parquet scans).
_HEADLINE: ReadModel[tuple[BehindOut, FreshnessOut]] = ReadModel(
    "headline", ignores=READINESS_IGNORES
)
# Every review request is read (they pile up with the public form's use): kept until one
# changes; "overdue" moves on with the clock, so at most MAX_AGE behind it.
_REVIEWS: ReadModel[ReviewFigures] = ReadModel("review figures", only=("review_requests",))
# Likewise for incidents ("overdue" moves with the clock) and frontline feedback.
_INCIDENTS: ReadModel[IncidentFigures] = ReadModel("incident figures", only=("incidents",))
_FEEDBACK: ReadModel[FeedbackStats] = ReadModel("feedback figures", only=("frontline_feedback",))
# The newest run's threshold status: kept until a run is recorded, and checked against its
# file on every use (a file moved or edited by hand changes no registry row).
_MONITORING: ReadModel[Monitored] = ReadModel("monitoring figures", only=("monitor_runs",))
# Review and feedback figures look back this far: recent enough to reflect how things run now.
PERIOD_DAYS = 90
# The places where the AI is behind humans the headline names (the pack's summary: three).
HEADLINES = 3
OPEN_STATUSES = (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.MITIGATING)


class Section(StrEnum):
    GATE = "gate"
    BEHIND = "behind"
    READINESS = "readiness"
    INCIDENTS = "incidents"
    MONITORING = "monitoring"
    REVIEWS = "reviews"
    FEEDBACK = "feedback"


@dataclass(frozen=True)
class Stage:
    number: int
    name: str


@dataclass(frozen=True)
class DimensionScore:
    name: str
    score: float | None


@dataclass(frozen=True)
class Readiness:
    cycle: str
    status: str
    respondents: int
    overall_score: float | None
    previous_cycle: str | None
    score_change: float | None
    claimed: Stage
    evidenced: Stage | None
    # Criteria the answers meet and the records do not: why the evidenced stage is lower.
    contradicted: int
    dimensions: list[DimensionScore]


@dataclass(frozen=True)
class CycleWaiting:
    """The newest cycle has no answers yet."""

    cycle: str


@dataclass(frozen=True)
class IncidentFigures:
    open: int
    by_severity: dict[str, int]
    overdue: int


@dataclass(frozen=True)
class MonitoringFigures:
    run_id: int
    finished_at: datetime
    deployments: list[DeploymentStatus]
    findings: int
    # Set when the run's files cannot be read: what happened and what to do.
    problem: str | None = None


@dataclass(frozen=True)
class Monitored:
    """Kept monitoring figures, with the file they were read from as it was then."""

    figures: MonitoringFigures | None
    source: Path | None
    stamp: tuple[int, int] | None


@dataclass(frozen=True)
class ReviewFigures:
    summary: ReviewSummary

    @property
    def overdue_share(self) -> float | None:
        """Overdue requests / open requests; None when the queue is empty."""
        s = self.summary
        return s.overdue / s.open if s.open else None


@dataclass(frozen=True)
class GateSummary:
    """The gate's verdicts as of ``as_of``: at most ``GATE_SUMMARY_LAG`` behind public traffic."""

    as_of: datetime
    verdicts: list[GateOut]


@dataclass(frozen=True)
class Overview:
    since: datetime
    # The answer first: the scale gate's verdict for each live deployment.
    gates: GateSummary | None = None
    # The headline: where the AI is furthest behind humans, and how old the data is.
    behind: BehindOut | None = None
    freshness: FreshnessOut | None = None
    readiness: Readiness | CycleWaiting | None = None
    incidents: IncidentFigures | None = None
    monitoring: MonitoringFigures | None = None
    reviews: ReviewFigures | None = None
    feedback: FeedbackStats | None = None


def gather_overview(
    ws: Workspace, sections: Collection[Section], at: datetime | None = None
) -> Overview:
    """The figures of the requested sections as of ``at`` (default: now)."""
    moment = at or now(ws)
    since = moment - timedelta(days=PERIOD_DAYS)
    # One read of the registry's versions serves every kept figure below.
    with versions_once(ws):
        behind, freshness = headline(ws) if Section.BEHIND in sections else (None, None)
        return Overview(
            since=since,
            gates=gate_summary(ws) if Section.GATE in sections else None,
            behind=behind,
            freshness=freshness,
            readiness=readiness(ws) if Section.READINESS in sections else None,
            incidents=incident_figures(ws, at) if Section.INCIDENTS in sections else None,
            monitoring=monitoring_figures(ws) if Section.MONITORING in sections else None,
            reviews=review_figures(ws, at) if Section.REVIEWS in sections else None,
            feedback=feedback_figures(ws, at) if Section.FEEDBACK in sections else None,
        )


def feedback_figures(ws: Workspace, at: datetime | None = None) -> FeedbackStats:
    """Frontline feedback over ``PERIOD_DAYS`` as of ``at`` (default: now, kept until a
    flag changes, for at most ``MAX_AGE``)."""

    def build(moment: datetime) -> FeedbackStats:
        return feedback_summary(ws, since=moment - timedelta(days=PERIOD_DAYS), until=moment)

    if at is not None:
        return build(at)
    return _FEEDBACK.get(ws, lambda: build(now(ws)))


def review_figures(ws: Workspace, at: datetime | None = None) -> ReviewFigures:
    """Open and overdue review requests, and resolutions over ``PERIOD_DAYS``, as of ``at``
    (default: now, kept until a review request changes)."""

    def build(moment: datetime) -> ReviewFigures:
        since = moment - timedelta(days=PERIOD_DAYS)
        return ReviewFigures(review_summary(ws, since=since, at=moment))

    if at is not None:
        return build(at)
    return _REVIEWS.get(ws, lambda: build(now(ws)))


def readiness(ws: Workspace) -> Readiness | CycleWaiting | None:
    """The newest cycle with answers, its claimed and evidenced stage and its trend.

    Building the report reads the registry and recent contacts (about a second, far more
    under load), so the result is kept until something it depends on changes in the
    registry (answers, governance, thresholds, baselines, loads, runs: each change is an
    audit-log entry), for at most ``READINESS_MAX_AGE``, and never past the day, since the
    evidence counts back from today. Customer review requests, frontline flags and the
    incident churn they cause do not rebuild it at once; the age limit bounds that lag.
    """
    return _READINESS.get(ws, lambda: _readiness(ws))


def gate_verdicts(ws: Workspace) -> list[GateOut]:
    """The scale gate of every live deployment, unstored, kept like the readiness figures.

    The gate reads nearly every record (reviews and flags too), so any registry change
    rebuilds it; it is never kept past the day or ``READINESS_MAX_AGE``.
    """
    return _GATES.get(ws, lambda: _gate_verdicts(ws))


def headline(ws: Workspace) -> tuple[BehindOut, FreshnessOut]:
    """Where the AI is furthest behind humans and how old the data is, kept until a table
    they read changes (never for review requests, flags, incidents or accounts).

    Both read the contact store's Parquet files (a few tens of milliseconds); those change
    only with a load or a run, each an audited row.
    """

    def build() -> tuple[BehindOut, FreshnessOut]:
        with reading_if_any(ws):
            return behind_humans(ws, limit=HEADLINES), data_freshness(ws)

    return _HEADLINE.get(ws, build)


def gate_summary(ws: Workspace) -> GateSummary:
    """The gate's verdicts for the overview, as of when they were built.

    Kept like ``gate_verdicts``, except that changes made by public traffic
    (``PUBLIC_TABLES``) rebuild it only once the kept verdicts are ``GATE_SUMMARY_LAG`` old;
    any other change rebuilds it at once. The gate command, API and page stay exact.
    """
    return _GATE_SUMMARY.get(ws, lambda: GateSummary(now(ws), _gate_verdicts(ws)))


def _gate_verdicts(ws: Workspace) -> list[GateOut]:
    try:
        live = [d.key for d in current_governance(ws).deployments if d.status.live]
    except GovernanceNotFound:
        live = []
    return evaluate_gates(ws, live)


def _readiness(ws: Workspace) -> Readiness | CycleWaiting | None:
    cycles = list_cycles(ws)
    if not cycles:
        return None
    answered = [c for c in cycles if c.answers]
    if not answered:
        return CycleWaiting(cycles[-1].name)
    report = assessment_report(ws, answered[-1].name)
    evidence = report.evidence
    trend = report.trend
    return Readiness(
        cycle=report.cycle,
        status=report.status,
        respondents=report.respondents.total,
        overall_score=report.overall_score,
        previous_cycle=None if trend is None else trend.previous_cycle,
        score_change=None if trend is None else trend.overall.change,
        claimed=Stage(report.stage.number, report.stage.name),
        evidenced=(
            None
            if evidence is None
            else Stage(evidence.stage.evidenced.number, evidence.stage.evidenced.name)
        ),
        contradicted=0 if evidence is None else len(evidence.stage.contradicted),
        dimensions=[DimensionScore(d.name, d.score) for d in report.dimensions],
    )


def incident_figures(ws: Workspace, at: datetime | None = None) -> IncidentFigures:
    """Open incidents (open, acknowledged or mitigating) by severity, and how many are late,
    as of ``at`` (default: now, kept until an incident changes, for at most ``MAX_AGE``)."""
    if at is not None:
        return _incident_figures(ws, at)
    return _INCIDENTS.get(ws, lambda: _incident_figures(ws, now(ws)))


def _incident_figures(ws: Workspace, at: datetime) -> IncidentFigures:
    open_ones = [i for i in list_incidents(ws, at=at) if i.status in OPEN_STATUSES]
    by_severity = {s.value: 0 for s in Severity}
    for incident in open_ones:
        by_severity[incident.severity] = by_severity.get(incident.severity, 0) + 1
    return IncidentFigures(
        open=len(open_ones),
        by_severity=by_severity,
        overdue=sum(i.overdue for i in open_ones),
    )


def monitoring_figures(ws: Workspace) -> MonitoringFigures | None:
    """Threshold status per deployment in the newest monitoring run; None before the first.

    Kept until a run is recorded, unless the run's evaluations file has changed or gone
    since (no registry row says so): then it is read again.
    """
    kept = _MONITORING.get(ws, lambda: _monitored(ws))
    if kept.source is not None and _stamp(kept.source) != kept.stamp:
        _MONITORING.clear()
        kept = _MONITORING.get(ws, lambda: _monitored(ws))
    return kept.figures


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def _monitored(ws: Workspace) -> Monitored:
    run = latest_run(ws)
    if run is None:
        return Monitored(None, None, None)
    source = artifact_path(ws, run, EVALUATIONS)
    # Stamped before reading, so a change while it is read is seen by the next request.
    stamp = _stamp(source)
    evaluations = run_evaluations(ws, run)
    if evaluations is None:
        problem = artifacts_problem(ws, run, [EVALUATIONS])
        figures = MonitoringFigures(run.id, run.finished_at, [], run.n_findings, problem)
    else:
        figures = MonitoringFigures(
            run.id, run.finished_at, threshold_status(evaluations), run.n_findings
        )
    return Monitored(figures, source, stamp)
