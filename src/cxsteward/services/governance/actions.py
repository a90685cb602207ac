"""Operational governance actions: lifecycle moves, approvals, meetings, model versions, reviews.

Each one appends to the registry's history; none rewrites it. Each takes the workspace and,
where another service needs it inside its own unit of work, an open ``session``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.rights import (
    GATED,
    Move,
    authorize_approval,
    changes_model,
    move_of,
)
from cxsteward.domain.governance.spec import (
    Lifecycle,
    Meeting,
    ModelVersion,
    RoadmapReview,
    Template,
    Transition,
    allowed_moves,
)
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import (
    Conflict,
    DeploymentNotFound,
    GovernanceNotFound,
    Invalid,
    PersonNotFound,
    Problem,
    TemplateNotFound,
    TransitionNotAllowed,
)
from cxsteward.registry.tables_governance import (
    GovCommitteeRecord,
    GovDeploymentRecord,
    GovMeetingRecord,
    GovModelVersionRecord,
    GovOrganizationRecord,
    GovPersonRecord,
    GovRoadmapReviewRecord,
    GovTemplateRecord,
    GovTransitionRecord,
)
from cxsteward.services.clock import now, now_of
from cxsteward.services.governance.gate import evaluate_gate, standing, store_evaluation
from cxsteward.services.governance.models import REASON_MAX, TransitionCreate, TransitionOut
from cxsteward.services.governance.rights import authorize_move, settle
from cxsteward.services.governance.store import TEMPLATE_FIELDS, load_governance
from cxsteward.services.workspace import Workspace

T = TypeVar("T")


def move_deployment(
    ws: Workspace,
    key: str,
    move: TransitionCreate,
    by: str | None,
    account: str | None = None,
    session: Session | None = None,
) -> TransitionOut:
    """The lifecycle move ``move`` as asked by the API, the CLI or the status form.

    Raises:
        Invalid: a blank or too long reason (a problem on ``reason``).
        and everything :func:`transition_deployment` raises.
    """
    reason = move.reason.strip()
    if not reason or len(reason) > REASON_MAX or "\x00" in reason:
        raise Invalid(
            "The move needs a reason.",
            [
                Problem(
                    f"Say why it moves, in 1 to {REASON_MAX} characters (no NUL character).",
                    column="reason",
                )
            ],
        )
    return transition_deployment(
        ws, key, move.status, by, reason, session=session, on=move.on, account=account
    )


def transition_deployment(
    ws: Workspace,
    key: str,
    status: Lifecycle | str,
    by: str | None,
    reason: str,
    session: Session | None = None,
    on: date | None = None,
    severity: Severity | None = None,
    account: str | None = None,
) -> TransitionOut:
    """Move a deployment through its lifecycle, if ``by`` may decide it, and record the move.

    ``account`` names the web account acting when ``by`` is None (it is linked to no person).

    Raises:
        DeploymentNotFound, PersonNotFound: unknown keys.
        TransitionNotAllowed: the lifecycle forbids the move (the message lists what it allows).
        NotPermitted: ``by`` may not decide this move (the message names who may).
    """
    target = _status(status)
    with _unit(ws, session) as s:
        dep = _deployment(s, key)
        if by is not None:
            _people(s, [by])
        current = Lifecycle(dep.status)
        if target == current:
            raise TransitionNotAllowed(f"Deployment {key!r} is already {current.value}.")
        steps = list(
            s.scalars(
                select(GovTransitionRecord)
                .where(GovTransitionRecord.deployment_id == dep.id)
                .order_by(GovTransitionRecord.on, GovTransitionRecord.id)
            )
        )
        lives = [Lifecycle(t.status) for t in steps if Lifecycle(t.status).live]
        allowed = allowed_moves(current, lives[-1] if lives else None)
        if target not in allowed:
            options = ", ".join(m.value for m in allowed) or "nothing (retired is final)"
            raise TransitionNotAllowed(
                f"Deployment {key!r} is {current.value} and cannot move to {target.value}; "
                f"allowed: {options}."
            )
        gov = load_governance(s)
        spec = gov.deployment(key)
        assert spec is not None  # _deployment found it in this transaction
        move = move_of(current, target)
        gate = None
        if move in GATED:
            # Judged on the records as they stand, and kept with the move it allowed or stopped.
            judged = evaluate_gate(ws, key, to=target, by=by or account, record=False)
            gate = standing(store_evaluation(s, judged))
        grant = authorize_move(s, gov, spec, move, by, severity, account, gate)
        at = now(s)
        step = Transition(status=target, on=on or at.date(), by=grant.person, reason=reason)
        s.add(
            GovTransitionRecord(
                deployment_id=dep.id,
                status=target.value,
                on=step.on,
                by=grant.person,
                reason=reason,
                recorded_at=at,
                automatic=False,
                created_at=at,
                updated_at=at,
            )
        )
        dep.status = target.value
        dep.updated_at = at
        s.flush()
        settle(s, grant, key, reason, step.on)
        return TransitionOut(
            deployment=key,
            previous=current,
            status=step.status,
            on=step.on,
            by=step.by,
            reason=step.reason,
            authority=grant.basis,
        )


def approve_template(ws: Workspace, key: str, by: str) -> Template:
    """Record legal approval of a template's current version by person ``by``.

    Raises:
        TemplateNotFound, PersonNotFound: unknown keys.
        NotPermitted: ``by`` is neither legal nor a named approver (the message names who is).
        Conflict: this version is already approved.
    """
    with ws.transaction() as s:
        _people(s, [by])
        record = s.scalar(select(GovTemplateRecord).where(GovTemplateRecord.key == key))
        if record is None:
            raise TemplateNotFound(f"No communication template {key!r}; see `governance export`.")
        authorize_approval(load_governance(s), by, key)
        if record.approved_at is not None:
            raise Conflict(
                f"Template {key!r} version {record.version} was already approved by "
                f"{record.approved_by} on {record.approved_at:%Y-%m-%d}; a changed text needs "
                "a new version, which then needs its own approval."
            )
        record.approved_by = by
        record.approved_at = record.updated_at = now_of(record)
        return Template.model_validate({n: getattr(record, n) for n in TEMPLATE_FIELDS})


def record_meeting(
    ws: Workspace, held_on: date, attendees: list[str], decisions: list[str]
) -> Meeting:
    """Record a committee meeting; attendees are people keys, at least one.

    Raises:
        Invalid: nobody attended (a problem on ``attendees``).
        PersonNotFound: an attendee is nobody in the registry.
        Conflict: no committee is declared.
    """
    with ws.transaction() as s:
        if s.scalar(select(GovCommitteeRecord.id)) is None:
            raise Conflict(
                "No governance committee is declared; add 'committee:' to the governance file "
                "and apply it before recording meetings."
            )
        if not attendees:
            raise Invalid(
                "Nobody attended.",
                [Problem("Tick at least one person who attended.", column="attendees")],
            )
        _people(s, attendees)
        meeting = Meeting(held_on=held_on, attendees=attendees, decisions=decisions)
        at = now(s)
        s.add(
            GovMeetingRecord(
                held_on=held_on,
                attendees=attendees,
                decisions=decisions,
                created_at=at,
                updated_at=at,
            )
        )
        return meeting


def record_model_version(
    ws: Workspace,
    deployment: str,
    model: str,
    version: str,
    effective_from: date,
    by: str | None,
    account: str | None = None,
) -> ModelVersion:
    """Record that a deployment runs ``model`` ``version`` from a date, decided by ``by``.

    The first model of a deployment declares it; a new one on a live deployment is a change,
    which ``by`` must hold the modify right for.

    Raises:
        NotPermitted: ``by`` holds no modify right and no committee decision covers it.
    """
    entry = _valid(
        lambda: ModelVersion(model=model, version=version, effective_from=effective_from)
    )
    with ws.transaction() as s:
        dep = _deployment(s, deployment)
        if by is not None:
            _people(s, [by])
        known = s.scalar(
            select(GovModelVersionRecord.id).where(
                GovModelVersionRecord.deployment_id == dep.id,
                GovModelVersionRecord.model == model,
                GovModelVersionRecord.version == version,
                GovModelVersionRecord.effective_from == effective_from,
            )
        )
        if known is not None:
            raise Conflict(
                f"{deployment}: {model} {version} from {effective_from} is already recorded."
            )
        gov = load_governance(s)
        spec = gov.deployment(deployment)
        assert spec is not None
        grant = (
            authorize_move(s, gov, spec, Move.MODEL, by, account=account)
            if changes_model(spec)
            else None
        )
        at = now(s)
        s.add(
            GovModelVersionRecord(
                deployment_id=dep.id,
                model=model,
                version=version,
                effective_from=effective_from,
                created_at=at,
                updated_at=at,
            )
        )
        if grant is not None:
            settle(s, grant, deployment, f"{model} {version}", effective_from)
        return entry


def record_roadmap_review(
    ws: Workspace, held_on: date, reviewers: list[str], notes: str = ""
) -> RoadmapReview:
    """Record a review of the AI roadmap; reviewers are people keys, at least one.

    Raises:
        Invalid: nobody reviewed (a problem on ``reviewers``).
        PersonNotFound: a reviewer is nobody in the registry.
    """
    review = RoadmapReview(held_on=held_on, reviewers=reviewers, notes=notes)
    with ws.transaction() as s:
        _applied(s)
        if not reviewers:
            raise Invalid(
                "Nobody reviewed.",
                [Problem("Tick at least one person who reviewed the roadmap.", column="reviewers")],
            )
        _people(s, reviewers)
        at = now(s)
        s.add(
            GovRoadmapReviewRecord(
                held_on=held_on, reviewers=reviewers, notes=notes, created_at=at, updated_at=at
            )
        )
        return review


@contextmanager
def _unit(ws: Workspace, session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
        return
    with ws.transaction() as own:
        yield own


def _status(status: Lifecycle | str) -> Lifecycle:
    try:
        return Lifecycle(status)
    except ValueError:
        options = ", ".join(s.value for s in Lifecycle)
        raise Invalid(f"Unknown lifecycle status {status!r}; use one of {options}.") from None


def _deployment(session: Session, key: str) -> GovDeploymentRecord:
    _applied(session)
    dep = session.scalar(select(GovDeploymentRecord).where(GovDeploymentRecord.key == key))
    if dep is None:
        keys = ", ".join(
            session.scalars(select(GovDeploymentRecord.key).order_by(GovDeploymentRecord.key))
        )
        raise DeploymentNotFound(f"No deployment {key!r}; known deployments: {keys or 'none'}.")
    return dep


def _people(session: Session, keys: list[str]) -> None:
    _applied(session)
    known = set(session.scalars(select(GovPersonRecord.key)))
    missing = [k for k in keys if k not in known]
    if missing:
        raise PersonNotFound(
            f"Not in the governance registry's people: {', '.join(missing)}. Use a person's "
            "key as declared under 'people:' in the governance file."
        )


def _applied(session: Session) -> None:
    if session.scalar(select(GovOrganizationRecord.id)) is None:
        raise GovernanceNotFound(
            "No governance in this workspace yet; run `cxsteward governance apply FILE` first."
        )


def _valid(build: Callable[[], T]) -> T:
    try:
        return build()
    except ValueError as exc:
        raise Invalid(f"Invalid entry: {exc}") from None
