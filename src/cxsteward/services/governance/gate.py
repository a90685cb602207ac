"""`cxsteward gate`: the scale gate's verdict for a deployment's next lifecycle move (C10).

Every evaluation is stored with its verdict and criteria (``gate_evaluations``), so the
committee pack can show how a deployment's readiness moved; a lifecycle move to scaling or
production evaluates the gate again and stores that evaluation with the move.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.gate import Judged, judge, verdict
from cxsteward.domain.governance.gate_policy import (
    Criterion,
    GatePolicy,
    Standing,
    Verdict,
    effective_policy,
)
from cxsteward.domain.governance.spec import Governance, Lifecycle
from cxsteward.errors import DeploymentNotFound, Invalid, NotFound
from cxsteward.registry.tables_governance import GateEvaluationRecord
from cxsteward.services.clock import now
from cxsteward.services.contract import Command, Day, Result
from cxsteward.services.data.source import reading_if_any
from cxsteward.services.governance.gate_facts import Shared, gather, shared_facts
from cxsteward.services.governance.store import current_governance
from cxsteward.services.workspace import Workspace

# Where the records behind each criterion are read: a page of the web app, a CLI command.
SOURCES: dict[Criterion, tuple[str, str]] = {
    Criterion.MATURITY: ("/assessment", "cxsteward assess report CYCLE"),
    Criterion.CHAIN: ("/registry", "cxsteward governance check"),
    Criterion.BASELINES: ("/monitoring/baselines", "cxsteward baseline list"),
    Criterion.THRESHOLDS: ("/monitoring", "cxsteward thresholds list"),
    Criterion.BREACHES: ("/monitoring", "cxsteward monitor list"),
    Criterion.INCIDENTS: ("/incidents", "cxsteward incident list"),
    Criterion.AI_GAP: ("/monitoring", "cxsteward monitor show RUN"),
    Criterion.DISCLOSURE: ("/registry/deployments/{dep}", "cxsteward metrics show"),
    Criterion.REVIEW_SLA: ("/reviews", "cxsteward review summary"),
    Criterion.FLAGS: ("/feedback/triage", "cxsteward feedback list"),
    Criterion.VENDOR: ("/registry/vendors", "cxsteward governance export"),
    Criterion.COMMITTEE: ("/registry/committee", "cxsteward governance export"),
    Criterion.FRESHNESS: ("/monitoring", "cxsteward data loads"),
}
_NEXT = {Lifecycle.PILOT: Lifecycle.SCALING, Lifecycle.SCALING: Lifecycle.PRODUCTION}


class CriterionOut(Result):
    """One criterion of the scale gate as judged, with the evidence and where it comes from."""

    criterion: Criterion
    title: str
    status: Literal["met", "not_met", "unknown"] = Field(
        description="unknown: the records cannot establish it (a blocking unknown stops the gate)."
    )
    blocking: bool = Field(description="False for a criterion the policy lists as a condition.")
    evidence: str = Field(description="What the records show, in one sentence.")
    details: list[str] = Field(description="Each item behind an unmet criterion.")
    link: str = Field(description="The web page holding the records behind it.")
    command: str = Field(description="The CLI command that shows them.")


class GateOut(Result):
    """The scale gate's verdict for one deployment's move, with every criterion."""

    id: int | None = Field(description="The stored evaluation; null when not stored.")
    deployment: str
    status: Lifecycle = Field(description="The deployment's lifecycle status when evaluated.")
    target: Lifecycle = Field(description="The move judged: to scaling or to production.")
    verdict: Verdict
    as_of: date = Field(description="The day the records were read as of.")
    evaluated_at: datetime
    evaluated_by: str | None
    reasons: list[str] = Field(description="Why not go: each blocking criterion not met.")
    conditions: list[str] = Field(description="Conditions attached to a go.")
    criteria: list[CriterionOut]
    policy: GatePolicy = Field(description="The criteria's settings as applied.")

    @property
    def move(self) -> str:
        """The move judged, in words: a deployment already at its target stays there."""
        return move_words(self.status, self.target)


class GateCreate(Command):
    """Ask the scale gate for a verdict; it is stored with the evaluation."""

    to: Literal["scaling", "production"] | None = Field(
        default=None, description="The move to judge; default: the deployment's next one."
    )
    as_of: Day | None = Field(
        default=None, description="Judge the records as of this day; default: today."
    )


class GateSummaryOut(Result):
    """A stored evaluation without its criteria: one line of a deployment's gate history."""

    id: int
    deployment: str
    status: Lifecycle
    target: Lifecycle
    verdict: Verdict
    as_of: date
    evaluated_at: datetime
    evaluated_by: str | None
    unmet: int = Field(description="Criteria not met or unknown.")

    @property
    def move(self) -> str:
        return move_words(self.status, self.target)


def move_words(status: Lifecycle, target: Lifecycle) -> str:
    """``pilot → scaling``, or ``stays in production`` when the gate reviews the status held."""
    if status is target:
        return f"stays in {target.value}"
    return f"{status.value} → {target.value}"


def gate_target(status: Lifecycle, to: Lifecycle | str | None) -> Lifecycle:
    """The move judged: ``to`` if given, else the next forward step (production holds)."""
    if to is not None:
        target = Lifecycle(to)
        if target not in (Lifecycle.SCALING, Lifecycle.PRODUCTION):
            raise Invalid(f"The scale gate judges moves to scaling or production, not {target}.")
        return target
    if status in _NEXT:
        return _NEXT[status]
    if status is Lifecycle.PRODUCTION:
        return Lifecycle.PRODUCTION
    raise Invalid(
        f"The deployment is {status.value}; say which move to judge with --to scaling or "
        "--to production."
    )


def evaluate_gate(
    ws: Workspace,
    deployment: str,
    to: Lifecycle | str | None = None,
    as_of: date | None = None,
    by: str | None = None,
    record: bool = True,
) -> GateOut:
    """The gate's verdict for ``deployment``; stored unless ``record`` is False.

    Raises:
        GovernanceNotFound, DeploymentNotFound: nothing to judge.
        Invalid: a move the gate does not judge.
    """
    at = now(ws)
    # Every fact about contacts comes from one reading of them (an attached source is
    # mapped once, the store opened once).
    with reading_if_any(ws):
        shared = shared_facts(ws, as_of or at.date())
        out = _judge(ws, current_governance(ws), deployment, to, shared, at, by)
    if not record:
        return out
    with ws.transaction() as session:
        return store_evaluation(session, out)


def evaluate_gates(
    ws: Workspace, deployments: list[str], as_of: date | None = None
) -> list[GateOut]:
    """The gate of each of ``deployments`` for its next move, the shared facts read once;
    nothing is stored (the pack stores them when it is issued)."""
    if not deployments:
        return []
    at = now(ws)
    with reading_if_any(ws):
        shared = shared_facts(ws, as_of or at.date())
        gov = current_governance(ws)
        return [_judge(ws, gov, key, None, shared, at, None) for key in deployments]


def _judge(
    ws: Workspace,
    gov: Governance,
    deployment: str,
    to: Lifecycle | str | None,
    shared: Shared,
    at: datetime,
    by: str | None,
) -> GateOut:
    dep = gov.deployment(deployment)
    if dep is None:
        raise DeploymentNotFound(
            f"No deployment {deployment!r}; `cxsteward governance export` lists them."
        )
    target = gate_target(dep.status, to)
    policy = effective_policy(gov.scale_gate, dep.scale_gate)
    results = judge(policy, gather(ws, gov, dep, target, policy, shared))
    return _out(None, dep.key, dep.status, target, shared.today, at, by, results, policy)


def standing(out: GateOut) -> Standing:
    """The verdict as a lifecycle move reads it."""
    return Standing(out.verdict, out.id, tuple(out.reasons))


def store_evaluation(session: Session, out: GateOut) -> GateOut:
    """Keep ``out`` in the registry (inside the caller's transaction); it gains its id."""
    row = GateEvaluationRecord(
        deployment=out.deployment,
        status=out.status.value,
        target=out.target.value,
        verdict=out.verdict.value,
        as_of=out.as_of,
        evaluated_at=out.evaluated_at,
        evaluated_by=out.evaluated_by,
        criteria=[c.model_dump(mode="json") for c in out.criteria],
        policy=out.policy.model_dump(mode="json"),
    )
    session.add(row)
    session.flush()
    return out.model_copy(update={"id": row.id})


def get_evaluation(ws: Workspace, evaluation_id: int) -> GateOut:
    """One stored evaluation, as it was judged.

    Raises:
        NotFound: no such evaluation.
    """
    with ws.transaction() as session:
        row = session.get(GateEvaluationRecord, evaluation_id)
        if row is None:
            raise NotFound(
                f"No gate evaluation {evaluation_id}; `cxsteward gate DEPLOYMENT --history` "
                "lists a deployment's evaluations."
            )
        return _stored(row)


def gate_history(
    ws: Workspace, deployment: str | None = None, limit: int = 50
) -> list[GateSummaryOut]:
    """Stored evaluations, newest first (of one deployment when given)."""
    query = select(GateEvaluationRecord).order_by(
        GateEvaluationRecord.evaluated_at.desc(), GateEvaluationRecord.id.desc()
    )
    if deployment is not None:
        query = query.where(GateEvaluationRecord.deployment == deployment)
    with ws.transaction() as session:
        return [
            GateSummaryOut(
                id=r.id,
                deployment=r.deployment,
                status=Lifecycle(r.status),
                target=Lifecycle(r.target),
                verdict=Verdict(r.verdict),
                as_of=r.as_of,
                evaluated_at=r.evaluated_at,
                evaluated_by=r.evaluated_by,
                unmet=sum(c.get("status") != "met" for c in r.criteria),
            )
            for r in session.scalars(query.limit(limit))
        ]


def _stored(row: GateEvaluationRecord) -> GateOut:
    criteria = [CriterionOut.model_validate(c) for c in row.criteria]
    return GateOut(
        id=row.id,
        deployment=row.deployment,
        status=Lifecycle(row.status),
        target=Lifecycle(row.target),
        verdict=Verdict(row.verdict),
        as_of=row.as_of,
        evaluated_at=row.evaluated_at,
        evaluated_by=row.evaluated_by,
        reasons=_lines(criteria, blocking=True),
        conditions=_lines(criteria, blocking=False),
        criteria=criteria,
        policy=GatePolicy.model_validate(row.policy),
    )


def _out(
    id_: int | None,
    deployment: str,
    status: Lifecycle,
    target: Lifecycle,
    as_of: date,
    at: datetime,
    by: str | None,
    results: list[Judged],
    policy: GatePolicy,
) -> GateOut:
    criteria = [
        CriterionOut(
            criterion=r.criterion,
            title=r.title,
            status=r.status,
            blocking=r.blocking,
            evidence=r.evidence,
            details=list(r.details),
            link=SOURCES[r.criterion][0].format(dep=deployment),
            command=SOURCES[r.criterion][1],
        )
        for r in results
    ]
    return GateOut(
        id=id_,
        deployment=deployment,
        status=status,
        target=target,
        verdict=verdict(results),
        as_of=as_of,
        evaluated_at=at,
        evaluated_by=by,
        reasons=_lines(criteria, blocking=True),
        conditions=_lines(criteria, blocking=False),
        criteria=criteria,
        policy=policy,
    )


def _lines(criteria: list[CriterionOut], blocking: bool) -> list[str]:
    return [
        f"{c.title}: {c.evidence}" for c in criteria if c.blocking is blocking and c.status != "met"
    ]
