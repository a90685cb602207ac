"""Customer requests for a human review of an AI-influenced outcome (C8).

A customer submits a request and receives a tracking code; only the code's sha256 is
stored. Staff start and resolve requests against an SLA clock. Every request is added to
one incident per deployment (source ``review_request``): the first request opens it, and
later ones join it while it is open, acknowledged or mitigating; once it is resolved or
closed, the next request opens a new one. See docs/trust-and-feedback.md.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.spec import Deployment
from cxsteward.domain.incidents import EventKind, IncidentSource, IncidentStatus
from cxsteward.domain.trust import (
    CONSENT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTE_MAX,
    REFERENCE_MAX,
    TEXT_MAX,
    CodeKind,
    ReviewOutcome,
    ReviewStatus,
    check_not_before,
    check_review_move,
    clean_text,
    hash_code,
    hours_between,
    new_code,
    parse_choice,
    parse_contact,
    required_text,
    review_due,
    review_overdue,
)
from cxsteward.errors import DeploymentNotFound, Invalid, ReviewNotFound
from cxsteward.registry.tables_governance import GovDeploymentRecord
from cxsteward.registry.tables_incidents import IncidentRecord
from cxsteward.registry.tables_trust import ExplanationRecord, ReviewRequestRecord
from cxsteward.services.clock import now
from cxsteward.services.governance.setup import load_governance
from cxsteward.services.incidents.lifecycle import add_event, open_incident
from cxsteward.services.trust.models import (
    ReviewOut,
    ReviewStatusOut,
    ReviewSubmitted,
    ReviewSummary,
)
from cxsteward.services.workspace import Workspace

# The audit log's actor for what a customer does: customers have no account, and their
# contact details must not become an actor name.
CUSTOMER = "customer (review request)"
INCIDENT_ACTOR = "cxsteward reviews"
# Incidents that still gather new review requests of their deployment.
GATHERING = (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.MITIGATING)


def submit_review_request(
    ws: Workspace,
    deployment: str,
    description: str,
    contact: str,
    reference: str | None = None,
    consent: str | None = None,
    at: datetime | None = None,
) -> ReviewSubmitted:
    """Record a customer's request for a human review and add it to its incident.

    Raises:
        Invalid: a field is empty, too long, holds control characters, or the contact is
            neither an e-mail address nor a phone number.
        GovernanceNotFound, DeploymentNotFound: the deployment is not declared.
    """
    text = required_text(description, "What happened", DESCRIPTION_MAX)
    reach = parse_contact(contact)
    ref = clean_text(reference, "Reference", REFERENCE_MAX, required=False, multiline=False)
    agreed = clean_text(consent, "Consent", CONSENT_MAX, required=False)
    received = clock(ws, at)
    code = new_code(CodeKind.REVIEW)
    due = review_due(received, ws.settings.review_sla_hours)
    # One transaction: the request and the incident it opens or joins exist together or not
    # at all; notifications of a new incident go out after the commit.
    with ws.transaction(actor=CUSTOMER) as session:
        require_deployment(session, deployment)
        gathering = _gathering_incident(session, deployment)
        if gathering is None:
            gathering = open_incident(
                ws,
                title=f"Customers ask for a human review of {deployment} outcomes",
                deployment=deployment,
                severity=ws.settings.review_incident_severity,
                by=INCIDENT_ACTOR,
                description=(
                    "Customers asked a human to review an outcome the AI influenced. Each "
                    "further request for this deployment is added here while this incident "
                    "is not resolved."
                ),
                incident_type="review_request",
                source=IncidentSource.REVIEW_REQUEST.value,
                session=session,
            ).id
        record = ReviewRequestRecord(
            code_hash=hash_code(CodeKind.REVIEW, code),
            deployment=deployment,
            reference=ref,
            description=text,
            contact=reach.value,
            contact_kind=reach.kind,
            consent=agreed,
            status=ReviewStatus.RECEIVED.value,
            received_at=received,
            due_at=due,
            incident_id=gathering,
        )
        session.add(record)
        session.flush()
        # The incident counts its requests by reading them (incidents.lifecycle): its row
        # is not updated here, so requests sent at once do not wait for each other on it.
        # The timeline names the request only: customer text and contact stay in one place.
        note = f"Review request {record.id} received; due {due:%Y-%m-%d %H:%M} UTC."
        add_event(session, gathering, CUSTOMER, EventKind.NOTE, {"note": note, "review": record.id})
        return ReviewSubmitted(
            id=record.id,
            tracking_code=code,
            status=record.status,
            received_at=received,
            due_at=due,
            incident_id=gathering,
        )


def review_status(ws: Workspace, code: str) -> ReviewStatusOut:
    """The public status of the request behind a tracking code."""
    with ws.transaction() as session:
        return _public(session, _by_code(session, code))


def withdraw_review_by_code(
    ws: Workspace, code: str, reason: str | None = None, at: datetime | None = None
) -> ReviewStatusOut:
    """The customer withdraws their own request with its tracking code."""
    why = clean_text(reason, "Reason", NOTE_MAX, required=False)
    when = clock(ws, at)
    with ws.transaction(actor=CUSTOMER) as session:
        record = _by_code(session, code)
        _withdraw(session, record, CUSTOMER, why, when)
        return _public(session, record)


def list_reviews(
    ws: Workspace,
    status: str | None = None,
    deployment: str | None = None,
    overdue_only: bool = False,
    include_finished: bool = False,
    at: datetime | None = None,
) -> list[ReviewOut]:
    """The queue, soonest due first; finished requests only with ``include_finished``."""
    moment = clock(ws, at)
    query = select(ReviewRequestRecord).order_by(ReviewRequestRecord.due_at, ReviewRequestRecord.id)
    if status is not None:
        query = query.where(
            ReviewRequestRecord.status == parse_choice(ReviewStatus, status, "status").value
        )
    elif not include_finished:
        query = query.where(
            ReviewRequestRecord.status.in_([s.value for s in ReviewStatus if s.open])
        )
    if deployment is not None:
        query = query.where(ReviewRequestRecord.deployment == deployment)
    with ws.transaction() as session:
        found = [_out(r, moment) for r in session.scalars(query)]
    return [r for r in found if r.overdue] if overdue_only else found


def get_review(ws: Workspace, review_id: int, at: datetime | None = None) -> ReviewOut:
    """One request as staff see it."""
    with ws.transaction() as session:
        return _out(_load(session, review_id), clock(ws, at))


def start_review(ws: Workspace, review_id: int, by: str, at: datetime | None = None) -> ReviewOut:
    """A person takes the request: received -> in_review."""
    who = actor_name(by)
    when = clock(ws, at)
    with ws.transaction(actor=who) as session:
        record = _load(session, review_id)
        check_review_move(review_id, ReviewStatus(record.status), ReviewStatus.IN_REVIEW)
        check_not_before(when, record.received_at, f"Starting review request {review_id}")
        record.status = ReviewStatus.IN_REVIEW.value
        record.started_at = when
        record.started_by = who
        return _out(record, when)


def resolve_review(
    ws: Workspace, review_id: int, outcome: str, text: str, by: str, at: datetime | None = None
) -> ReviewOut:
    """Record the human's decision and the plain-language text the customer will read."""
    result = parse_choice(ReviewOutcome, outcome, "outcome")
    message = required_text(text, "Outcome text for the customer", TEXT_MAX)
    who = actor_name(by)
    when = clock(ws, at)
    with ws.transaction(actor=who) as session:
        record = _load(session, review_id)
        check_review_move(review_id, ReviewStatus(record.status), ReviewStatus.RESOLVED)
        check_not_before(when, record.started_at or record.received_at, f"Resolving {review_id}")
        record.status = ReviewStatus.RESOLVED.value
        record.outcome = result.value
        record.outcome_text = message
        record.resolved_at = when
        record.resolved_by = who
        _note(session, record, who, f"Review request {review_id} resolved: {result.value}.")
        return _out(record, when)


def withdraw_review(
    ws: Workspace, review_id: int, by: str, reason: str, at: datetime | None = None
) -> ReviewOut:
    """Staff close a request the customer no longer wants reviewed, saying why."""
    why = required_text(reason, "Reason", NOTE_MAX)
    who = actor_name(by)
    when = clock(ws, at)
    with ws.transaction(actor=who) as session:
        record = _load(session, review_id)
        _withdraw(session, record, who, why, when)
        return _out(record, when)


def _withdraw(
    session: Session, record: ReviewRequestRecord, who: str, why: str | None, when: datetime
) -> None:
    check_review_move(record.id, ReviewStatus(record.status), ReviewStatus.WITHDRAWN)
    check_not_before(when, record.started_at or record.received_at, f"Withdrawing {record.id}")
    record.status = ReviewStatus.WITHDRAWN.value
    record.withdrawn_at = when
    record.withdrawn_by = who
    record.withdrawn_reason = why
    _note(session, record, who, f"Review request {record.id} withdrawn.")


def _note(session: Session, record: ReviewRequestRecord, who: str, note: str) -> None:
    if record.incident_id is not None:
        add_event(
            session, record.incident_id, who, EventKind.NOTE, {"note": note, "review": record.id}
        )


def _gathering_incident(session: Session, deployment: str) -> int | None:
    return session.scalar(
        select(IncidentRecord.id)
        .where(
            IncidentRecord.source == IncidentSource.REVIEW_REQUEST.value,
            IncidentRecord.deployment == deployment,
            IncidentRecord.status.in_([s.value for s in GATHERING]),
        )
        .order_by(IncidentRecord.id.desc())
        .limit(1)
    )


def _load(session: Session, review_id: int) -> ReviewRequestRecord:
    record = session.get(ReviewRequestRecord, review_id)
    if record is None:
        raise ReviewNotFound(
            f"No review request {review_id}; `cxsteward review list --all` shows them."
        )
    return record


def _by_code(session: Session, code: str) -> ReviewRequestRecord:
    digest = hash_code(CodeKind.REVIEW, code)
    record = session.scalar(
        select(ReviewRequestRecord).where(ReviewRequestRecord.code_hash == digest)
    )
    if record is None:
        # Deliberately says nothing about which requests exist.
        raise ReviewNotFound(
            "No review request has that tracking code. Check it against the confirmation you "
            "received; codes are not case-sensitive."
        )
    return record


def _public(session: Session, record: ReviewRequestRecord) -> ReviewStatusOut:
    """What the customer sees; the explanation only once the request is resolved (a draft
    written during the review is staff's until the outcome is given)."""
    out = ReviewStatusOut.model_validate(record)
    if record.status != ReviewStatus.RESOLVED.value:
        return out
    explained = session.scalar(
        select(ExplanationRecord)
        .where(ExplanationRecord.review_request_id == record.id)
        .order_by(ExplanationRecord.written_at.desc(), ExplanationRecord.id.desc())
        .limit(1)
    )
    if explained is None:
        return out
    return out.model_copy(
        update={"explanation": explained.text, "factors": list(explained.factors)}
    )


# What ReviewOut works out from the clock; every other field is the record's own.
_SLA_FIELDS = frozenset({"overdue", "resolved_late", "hours_to_resolution", "hours_left"})


def _out(record: ReviewRequestRecord, at: datetime) -> ReviewOut:
    status = ReviewStatus(record.status)
    resolved = record.resolved_at
    stored = {
        name: getattr(record, name) for name in ReviewOut.model_fields if name not in _SLA_FIELDS
    }
    sla = {
        "overdue": review_overdue(status, record.due_at, at),
        "resolved_late": resolved is not None and resolved > record.due_at,
        "hours_to_resolution": hours_between(record.received_at, resolved) if resolved else None,
        "hours_left": hours_between(at, record.due_at) if status.open else None,
    }
    return ReviewOut.model_validate({**stored, **sla})


def clock(ws: Workspace, at: datetime | None) -> datetime:
    """``at`` (tests and imports pass one; it must be aware) or the workspace's current time."""
    if at is None:
        return now(ws)
    if at.tzinfo is None:
        raise Invalid(f"The time {at.isoformat()} has no timezone; give one, e.g. +00:00.")
    return at


def actor_name(by: str) -> str:
    """The name of who acts (``--by``): one short line."""
    return required_text(by, "Who acts (--by)", NAME_MAX, multiline=False)


def check_deployment(session: Session, key: str) -> Deployment:
    """The declared deployment ``key``, or DeploymentNotFound naming the known ones."""
    found = load_governance(session).deployment(key)
    if found is None:
        raise _unknown(key, [d.key for d in load_governance(session).deployments])
    return found


def require_deployment(session: Session, key: str) -> None:
    """Like ``check_deployment`` for a caller that needs only the check: one indexed query
    instead of reading the whole governance (the public review form's hot path)."""
    if session.scalar(select(GovDeploymentRecord.id).where(GovDeploymentRecord.key == key)):
        return
    load_governance(session)  # GovernanceNotFound when nothing was applied yet
    known = select(GovDeploymentRecord.key).order_by(GovDeploymentRecord.id)
    raise _unknown(key, list(session.scalars(known)))


def _unknown(key: str, known: list[str]) -> DeploymentNotFound:
    return DeploymentNotFound(
        f"No deployment {key[:120]!r} in the governance registry "
        f"(known: {', '.join(known) or 'none'}). "
        "Choose one of those, or declare it in the governance file."
    )


def review_summary(
    ws: Workspace, since: datetime | None = None, at: datetime | None = None
) -> ReviewSummary:
    """Open and overdue requests at ``at``; resolutions (and their speed) since ``since``."""
    moment = clock(ws, at)
    # Four columns, not whole records: the overview rebuilds this after every request a
    # customer sends, and the requests pile up.
    r = ReviewRequestRecord
    with ws.transaction() as session:
        rows = session.execute(select(r.status, r.received_at, r.due_at, r.resolved_at)).all()
    waiting = [row for row in rows if ReviewStatus(row.status).open]
    done = [
        row
        for row in rows
        if row.resolved_at is not None and (since is None or row.resolved_at >= since)
    ]
    on_time = sum(row.resolved_at <= row.due_at for row in done)
    hours = [hours_between(row.received_at, row.resolved_at) for row in done]
    overdue = sum(review_overdue(ReviewStatus(row.status), row.due_at, moment) for row in waiting)
    return ReviewSummary(
        open=len(waiting),
        overdue=overdue,
        resolved=len(done),
        resolved_within_sla=on_time,
        within_sla_rate=on_time / len(done) if done else None,
        median_hours_to_resolution=statistics.median(hours) if hours else None,
    )
