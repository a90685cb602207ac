"""Assemble the committee pack from the services that own each record (C10).

Nothing here computes a figure of its own: the gate, the behind-humans ranking, the
scorecards, the trends, the model changes, the incident and review figures come from the
services the rest of the product uses, so the pack says what the pages and the CLI say.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from cxsteward.domain.governance.evidence_base import start_of
from cxsteward.domain.governance.gate_policy import Verdict
from cxsteward.domain.governance.spec import ClauseKind, Governance
from cxsteward.domain.metrics import CellTable
from cxsteward.errors import Invalid, NotFound
from cxsteward.services.assessment.cycles import list_cycles
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.data.freshness import data_freshness
from cxsteward.services.governance.check import GapOut, check_governance
from cxsteward.services.governance.committee import list_committee_decisions
from cxsteward.services.governance.decisions import list_decisions
from cxsteward.services.governance.gate import GateOut, evaluate_gates, gate_history
from cxsteward.services.governance.store import current_governance
from cxsteward.services.incidents.lifecycle import list_incidents
from cxsteward.services.monitoring.behind import behind_humans
from cxsteward.services.monitoring.metrics import compute_cells
from cxsteward.services.monitoring.model_changes import model_changes
from cxsteward.services.monitoring.scorecard import scorecard
from cxsteward.services.monitoring.trends import TrendOut, key_metrics, metric_trends
from cxsteward.services.monitoring.trust import latest_trust
from cxsteward.services.pack.crosswalk import coverage
from cxsteward.services.pack.history import changes_since, headline_of, previous_pack
from cxsteward.services.pack.models import (
    ClauseStateOut,
    DeploymentPackOut,
    DimensionOut,
    FlagsOut,
    GapGroupOut,
    OverrideOut,
    PackOut,
    ReadinessOut,
    ReadinessPointOut,
    VendorOut,
)
from cxsteward.services.people.feedback import list_feedback
from cxsteward.services.trust.reviews import review_summary
from cxsteward.services.workspace import Workspace

# How far back the pack looks when no pack was issued before and no --since is given.
DEFAULT_PERIOD_DAYS = 90
# Weeks of each metric trend shown: a quarter and a bit, enough to see a model switch.
TREND_WEEKS = 16


def build_pack(
    ws: Workspace,
    since: date | None = None,
    deployment: str | None = None,
    as_of: date | None = None,
) -> PackOut:
    """The pack as of ``as_of`` (default today) for the period from ``since`` (default: the
    previous pack, else 90 days back), for one deployment or every live one.

    Nothing is stored: :func:`cxsteward.services.pack.history.issue_pack` keeps a pack and its
    gate evaluations.

    Raises:
        GovernanceNotFound: no governance applied yet.
        NotFound: an unknown deployment.
        Invalid: ``since`` after ``as_of``.
    """
    issued = ws.now()
    today = as_of or issued.date()
    gov = current_governance(ws)
    previous = previous_pack(ws, today)
    start = since or (previous.as_of if previous else today - timedelta(days=DEFAULT_PERIOD_DAYS))
    if start > today:
        raise Invalid(f"--since {start} is after the pack's day {today}.")
    scope = _scope(gov, deployment)
    gates = evaluate_gates(
        ws, [d.key for d in gov.deployments if d.key in scope and d.status.live], today
    )
    try:
        cells: CellTable | None = compute_cells(ws)
    except NotFound:
        cells = None
    by_key = {g.deployment: g for g in gates}
    moment = start_of(start)
    incidents = [
        i
        for i in list_incidents(ws)
        if i.deployment in scope and (i.opened_at >= moment or i.closed_at is None)
    ]
    flags = [f for f in list_feedback(ws) if f.deployment in scope and f.submitted_at >= moment]
    pack = PackOut(
        organization=gov.organization,
        issued_at=issued,
        as_of=today,
        since=start,
        id=None,
        previous=previous,
        scope=scope,
        gates=gates,
        behind=[b for b in behind_humans(ws, deployment, limit=3).items if b.deployment in scope],
        changes=[],
        freshness=data_freshness(ws),
        readiness=_readiness(ws, today),
        deployments=[_deployment(ws, gov, d, by_key.get(d), cells) for d in scope],
        incidents=incidents,
        decisions=[
            d for d in list_decisions(ws) if d.deployment in scope and d.decided_at >= moment
        ],
        committee_decisions=[
            c
            for c in list_committee_decisions(ws)
            if c.deployment in scope and c.recorded_at >= moment
        ],
        reviews=review_summary(ws, since=moment),
        flags=FlagsOut(
            submitted=len(flags),
            acted_on=sum(f.status == "acted_on" for f in flags),
            declined=sum(f.status == "declined" for f in flags),
            waiting=sum(f.status not in ("acted_on", "declined") for f in flags),
            flags=flags,
        ),
        vendors=_vendors(gov, scope),
        chain=_chain(ws, gov, scope, today),
        crosswalk=coverage(ws, today),
    )
    return pack.model_copy(update={"changes": changes_since(ws, previous, headline_of(pack))})


def _scope(gov: Governance, deployment: str | None) -> list[str]:
    if deployment is None:
        return [d.key for d in gov.deployments if d.status.live]
    if gov.deployment(deployment) is None:
        known = ", ".join(d.key for d in gov.deployments) or "none"
        raise NotFound(f"No deployment {deployment!r}; known deployments: {known}.")
    return [deployment]


def _readiness(ws: Workspace, today: date) -> ReadinessOut | None:
    answered = [c for c in list_cycles(ws) if c.answers]
    if not answered:
        return None
    points: list[ReadinessPointOut] = []
    newest = None
    for cycle in answered:
        day = cycle.closed_at.date() if cycle.closed_at is not None else today
        report = assessment_report(ws, cycle.name, today=min(day, today))
        newest = report
        evidence = report.evidence
        stage = evidence.stage.evidenced if evidence is not None else None
        points.append(
            ReadinessPointOut(
                cycle=cycle.name,
                status=cycle.status,
                day=day,
                respondents=report.respondents.total,
                claimed_score=report.overall_score,
                evidenced_score=evidence.evidenced_score if evidence is not None else None,
                claimed_stage=report.stage.number,
                claimed_stage_name=report.stage.name,
                evidenced_stage=stage.number if stage is not None else None,
                evidenced_stage_name=stage.name if stage is not None else None,
            )
        )
    assert newest is not None
    evidence = newest.evidence
    return ReadinessOut(
        cycles=points,
        dimensions=[
            DimensionOut(
                name=d.name,
                claimed_score=d.claimed_score,
                evidenced_score=d.evidenced_score,
                n_rules=d.n_rules,
            )
            for d in (evidence.dimensions if evidence is not None else [])
        ],
        contradicted=[b.message for b in evidence.stage.contradicted] if evidence else [],
        n_rules=evidence.n_rules if evidence is not None else 0,
        self_reported=len(evidence.self_reported_only) if evidence is not None else 0,
        self_reported_questions=list(evidence.self_reported_only) if evidence is not None else [],
    )


def _deployment(
    ws: Workspace, gov: Governance, key: str, gate: GateOut | None, cells: CellTable | None
) -> DeploymentPackOut:
    dep = gov.deployment(key)
    assert dep is not None  # the scope holds known keys only
    try:
        card = scorecard(ws, key)
    except NotFound:
        card = None
    return DeploymentPackOut(
        key=key,
        name=dep.name,
        status=dep.status,
        gate=gate,
        gate_history=gate_history(ws, key, limit=12),
        overrides=_overrides(ws, key, gate),
        scorecard=card,
        trends=_trends(ws, key, tuple(key_metrics(ws)), cells),
        model_changes=model_changes(ws, key),
        trust=latest_trust(ws, key),
    )


def _trends(
    ws: Workspace, key: str, metrics: tuple[str, ...], cells: CellTable | None
) -> list[TrendOut]:
    if cells is None:
        return []
    try:
        trends = metric_trends(ws, key, list(metrics), weeks=TREND_WEEKS, cells=cells)
    except NotFound:  # no contact of this deployment
        return []
    return [t for t in trends if t.points]


def _overrides(ws: Workspace, key: str, gate: GateOut | None) -> list[OverrideOut]:
    """Overrides of the gate, shown until the gate says go."""
    if gate is not None and gate.verdict is Verdict.GO:
        return []
    return [
        OverrideOut(
            decision=c.id,
            deployment=c.deployment,
            move=c.move.value,
            meeting=c.meeting,
            reason=c.reason,
            quorum=f"{len(c.present)} of {c.members} present, quorum {c.quorum}",
        )
        for c in list_committee_decisions(ws, key)
        if c.overrides_gate
    ]


def _vendors(gov: Governance, scope: list[str]) -> list[VendorOut]:
    out: list[VendorOut] = []
    for vendor in gov.vendors:
        serves = [d.key for d in gov.deployments if d.vendor == vendor.key and d.key in scope]
        if not serves:
            continue
        status = {c.kind: c for c in vendor.clauses}
        clauses = [
            ClauseStateOut(
                kind=kind.value,
                status=status[kind].status.value if kind in status else "not recorded",
                evidence=status[kind].evidence if kind in status else None,
            )
            for kind in ClauseKind
        ]
        out.append(
            VendorOut(
                key=vendor.key,
                name=vendor.name,
                deployments=serves,
                complete=not vendor.unsettled(),
                clauses=clauses,
            )
        )
    return out


def _chain(ws: Workspace, gov: Governance, scope: list[str], today: date) -> list[GapGroupOut]:
    """Chain gaps grouped by the deployment they concern (vendor gaps by their vendor)."""
    groups: dict[str, list[GapOut]] = {}
    vendors = {d.vendor for d in gov.deployments if d.key in scope and d.vendor}
    for gap in check_governance(ws, today).gaps:
        head = gap.object.split("/", 1)[0]
        kind, _, key = head.partition(":")
        if kind == "deployment" and key not in scope:
            continue
        if kind == "vendor" and key not in vendors:
            continue
        group = head if kind in ("deployment", "vendor") else "organization"
        groups.setdefault(group, []).append(gap)
    out: list[GapGroupOut] = []
    for group in sorted(groups, key=lambda g: (g == "organization", g)):
        gaps = groups[group]
        out.append(
            GapGroupOut(
                group=group,
                blocking=sum(g.blocking for g in gaps),
                warnings=sum(not g.blocking for g in gaps),
                by_rule=dict(Counter(g.rule for g in gaps)),
                gaps=gaps,
            )
        )
    return out
