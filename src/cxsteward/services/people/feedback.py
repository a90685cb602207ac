"""Frontline feedback (C9): staff flag AI failures, anonymously if they wish; triage; acted on.

An anonymous flag stores no person at all (a CHECK constraint makes that structural), has
a random id and the day only as its time, and the audit log records it as nobody's, so
nothing links it back to who sent it. Every
flag gets a follow-up code, stored only as its sha256. A flag of bias or unfair treatment,
or a triage at sev1 or sev2, opens an incident (source ``frontline``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.incidents import EventKind, IncidentSource, parse_severity
from cxsteward.domain.thresholds import Severity
from cxsteward.domain.trust import (
    CATEGORY_WORDS,
    DESCRIPTION_MAX,
    NOTE_MAX,
    TEXT_MAX,
    CodeKind,
    FeedbackCategory,
    FeedbackFact,
    FeedbackStats,
    FeedbackStatus,
    check_feedback_move,
    check_not_before,
    clean_text,
    feedback_incident_severity,
    feedback_stats,
    hash_code,
    new_code,
    parse_choice,
    required_text,
)
from cxsteward.errors import FeedbackNotFound, Invalid, PersonNotFound
from cxsteward.registry.audit import ANONYMOUS_ACTOR
from cxsteward.registry.tables_trust import FeedbackRecord
from cxsteward.services.governance.setup import load_governance
from cxsteward.services.incidents.lifecycle import add_event, open_incident
from cxsteward.services.people.models import FeedbackFollowOut, FeedbackOut, FeedbackReceiptOut
from cxsteward.services.trust.reviews import actor_name, check_deployment, clock
from cxsteward.services.workspace import Workspace

INCIDENT_ACTOR = "cxsteward feedback"
ANONYMOUS = ANONYMOUS_ACTOR


def submit_feedback(
    ws: Workspace,
    deployment: str,
    category: str,
    description: str,
    by: str | None = None,
    anonymous: bool = False,
    at: datetime | None = None,
) -> FeedbackReceiptOut:
    """Record a frontline flag; bias or unfair treatment opens an incident at once.

    Raises:
        Invalid: no sender and not anonymous (or both), bad category, empty or too long text.
        DeploymentNotFound: the deployment is not declared.
    """
    kind = parse_choice(FeedbackCategory, category, "category")
    text = required_text(description, "What happened", DESCRIPTION_MAX)
    if anonymous and by is not None and by.strip():
        raise Invalid("Anonymous feedback names nobody: leave out --by, or drop --anonymous.")
    if not anonymous and (by is None or not by.strip()):
        raise Invalid("Say who flags it (--by PERSON), or send it anonymously (--anonymous).")
    reporter = None if anonymous else actor_name(by or "")
    when = clock(ws, at)
    severity = feedback_incident_severity(kind)
    code = new_code(CodeKind.FEEDBACK)
    if anonymous:
        return _submit_anonymous(ws, deployment, kind, text, code, when)
    # One transaction: the flag and any incident it opens exist together or not at all.
    with ws.transaction(actor=reporter) as session:
        check_deployment(session, deployment)
        incident_id = (
            _open(ws, session, deployment, kind, severity, text) if severity is not None else None
        )
        record = FeedbackRecord(
            code_hash=hash_code(CodeKind.FEEDBACK, code),
            deployment=deployment,
            category=kind.value,
            description=text,
            anonymous=anonymous,
            reporter=reporter,
            status=FeedbackStatus.NEW.value,
            submitted_at=when,
            incident_id=incident_id,
        )
        session.add(record)
        session.flush()
        _note(session, record, INCIDENT_ACTOR, f"Opened by frontline feedback {record.id}.")
        return _receipt(record.id, code, when, anonymous, incident_id)


def _submit_anonymous(
    ws: Workspace,
    deployment: str,
    kind: FeedbackCategory,
    text: str,
    code: str,
    when: datetime,
) -> FeedbackReceiptOut:
    # The flag is written alone, in an anonymous unit of work (no actor, the day only, a
    # random id); an incident it opens follows in a second one under the feedback actor, so
    # no transaction and no audit entry holds the flag beside anything named.
    with ws.transaction(anonymous=True) as session:
        check_deployment(session, deployment)
        record = FeedbackRecord(
            code_hash=hash_code(CodeKind.FEEDBACK, code),
            deployment=deployment,
            category=kind.value,
            description=text,
            anonymous=True,
            reporter=None,
            status=FeedbackStatus.NEW.value,
            submitted_at=when,
        )
        session.add(record)
        session.flush()
        flag_id, day = record.id, record.submitted_at
    severity = feedback_incident_severity(kind)
    incident_id = None
    if severity is not None:
        # Should this fail, the flag stays (as new) and its triage at sev1/sev2 opens one.
        with ws.transaction(actor=INCIDENT_ACTOR) as session:
            flag = _load(session, flag_id)
            incident_id = _open(ws, session, deployment, kind, severity, text)
            flag.incident_id = incident_id
            session.flush()
            _note(session, flag, INCIDENT_ACTOR, f"Opened by frontline feedback {flag_id}.")
    return _receipt(flag_id, code, day, True, incident_id)


def follow_feedback(ws: Workspace, code: str) -> FeedbackFollowOut:
    """Progress of the flag behind a follow-up code."""
    digest = hash_code(CodeKind.FEEDBACK, code)
    with ws.transaction() as session:
        record = session.scalar(select(FeedbackRecord).where(FeedbackRecord.code_hash == digest))
        if record is None:
            raise FeedbackNotFound(
                "No feedback has that follow-up code. Check it against the confirmation you "
                "received; codes are not case-sensitive."
            )
        return FeedbackFollowOut.model_validate(record)


def triage_feedback(
    ws: Workspace,
    feedback_id: int,
    severity: str,
    by: str,
    owner: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> FeedbackOut:
    """Give a new flag a severity, an owner and a note; sev1 or sev2 opens an incident.

    Raises:
        PersonNotFound: the owner is not a person of the governance registry.
        TransitionNotAllowed: the flag was triaged already.
    """
    level = parse_severity(severity)
    who = actor_name(by)
    remark = clean_text(note, "Note", NOTE_MAX, required=False)
    when = clock(ws, at)
    with ws.transaction() as session:
        record = _load(session, feedback_id)
        check_feedback_move(feedback_id, FeedbackStatus(record.status), FeedbackStatus.TRIAGED)
        check_not_before(when, record.submitted_at, f"Triaging feedback {feedback_id}")
        if owner is not None:
            _check_person(session, owner)
        kind = FeedbackCategory(record.category)
        needs = feedback_incident_severity(kind, level)
        pending = needs is not None and record.incident_id is None
        deployment, text = record.deployment, record.description
    with ws.transaction(actor=who) as session:
        record = _load(session, feedback_id)
        check_feedback_move(feedback_id, FeedbackStatus(record.status), FeedbackStatus.TRIAGED)
        incident_id = _open(ws, session, deployment, kind, level, text) if pending else None
        record.status = FeedbackStatus.TRIAGED.value
        record.triaged_at = when
        record.triaged_by = who
        record.severity = level.value
        record.owner = owner
        record.triage_note = remark
        record.incident_id = record.incident_id or incident_id
        _note(session, record, who, f"Feedback {feedback_id} triaged as {level.value}.")
        return _out(record)


def act_on_feedback(
    ws: Workspace, feedback_id: int, change: str, by: str, at: datetime | None = None
) -> FeedbackOut:
    """Record what changed because of a triaged flag."""
    made = required_text(change, "What changed", TEXT_MAX)
    return _finish(ws, feedback_id, FeedbackStatus.ACTED_ON, made, by, at)


def decline_feedback(
    ws: Workspace, feedback_id: int, reason: str, by: str, at: datetime | None = None
) -> FeedbackOut:
    """Decline a triaged flag, saying why, so that the sender can read the reason."""
    why = required_text(reason, "Reason", NOTE_MAX)
    return _finish(ws, feedback_id, FeedbackStatus.DECLINED, why, by, at)


def _finish(
    ws: Workspace,
    feedback_id: int,
    target: FeedbackStatus,
    text: str,
    by: str,
    at: datetime | None,
) -> FeedbackOut:
    who = actor_name(by)
    when = clock(ws, at)
    with ws.transaction(actor=who) as session:
        record = _load(session, feedback_id)
        check_feedback_move(feedback_id, FeedbackStatus(record.status), target)
        check_not_before(when, record.triaged_at or record.submitted_at, f"Feedback {feedback_id}")
        record.status = target.value
        if target is FeedbackStatus.ACTED_ON:
            record.acted_at, record.acted_by, record.change_made = when, who, text
        else:
            record.declined_at, record.declined_by, record.decline_reason = when, who, text
        _note(session, record, who, f"Feedback {feedback_id} {target.value.replace('_', ' ')}.")
        return _out(record)


def list_feedback(
    ws: Workspace,
    status: str | None = None,
    deployment: str | None = None,
    category: str | None = None,
) -> list[FeedbackOut]:
    """Flags, newest first, optionally of one status, deployment or category."""
    query = select(FeedbackRecord).order_by(
        FeedbackRecord.submitted_at.desc(), FeedbackRecord.id.desc()
    )
    if status is not None:
        wanted = parse_choice(FeedbackStatus, status, "status")
        query = query.where(FeedbackRecord.status == wanted.value)
    if category is not None:
        chosen = parse_choice(FeedbackCategory, category, "category")
        query = query.where(FeedbackRecord.category == chosen.value)
    if deployment is not None:
        query = query.where(FeedbackRecord.deployment == deployment)
    with ws.transaction() as session:
        return [_out(r) for r in session.scalars(query)]


def get_feedback(ws: Workspace, feedback_id: int) -> FeedbackOut:
    """One flag as staff see it."""
    with ws.transaction() as session:
        return _out(_load(session, feedback_id))


def feedback_summary(
    ws: Workspace,
    since: datetime | None = None,
    until: datetime | None = None,
    deployment: str | None = None,
) -> FeedbackStats:
    """Acted-on rate and median days to action of the flags submitted in [since, until)."""
    query = select(FeedbackRecord.status, FeedbackRecord.submitted_at, FeedbackRecord.acted_at)
    if since is not None:
        query = query.where(FeedbackRecord.submitted_at >= clock(ws, since))
    if until is not None:
        query = query.where(FeedbackRecord.submitted_at < clock(ws, until))
    if deployment is not None:
        query = query.where(FeedbackRecord.deployment == deployment)
    with ws.transaction() as session:
        facts = [
            FeedbackFact(FeedbackStatus(status), submitted, acted)
            for status, submitted, acted in session.execute(query)
        ]
    return feedback_stats(facts)


def _open(
    ws: Workspace,
    session: Session,
    deployment: str,
    kind: FeedbackCategory,
    severity: Severity,
    text: str,
) -> int:
    return open_incident(
        ws,
        title=f"Frontline staff flagged {CATEGORY_WORDS[kind]} on {deployment}",
        deployment=deployment,
        severity=severity.value,
        by=INCIDENT_ACTOR,
        description=text,
        incident_type=f"frontline_{kind.value}",
        source=IncidentSource.FRONTLINE.value,
        session=session,
    ).id


def _note(session: Session, record: FeedbackRecord, who: str, note: str) -> None:
    if record.incident_id is not None:
        detail: dict[str, object] = {"note": note, "feedback": record.id}
        add_event(session, record.incident_id, who, EventKind.NOTE, detail)


def _check_person(session: Session, key: str) -> None:
    people = load_governance(session).people
    if not any(p.key == key for p in people):
        known = ", ".join(p.key for p in people) or "none"
        raise PersonNotFound(
            f"No person {key[:80]!r} in the governance registry to own this feedback "
            f"(known: {known})."
        )


def _load(session: Session, feedback_id: int) -> FeedbackRecord:
    record = session.get(FeedbackRecord, feedback_id)
    if record is None:
        raise FeedbackNotFound(f"No feedback {feedback_id}; `cxsteward feedback list` shows it.")
    return record


def _out(record: FeedbackRecord) -> FeedbackOut:
    return FeedbackOut.model_validate(record)


def _receipt(
    flag_id: int, code: str, when: datetime, anonymous: bool, incident_id: int | None
) -> FeedbackReceiptOut:
    return FeedbackReceiptOut(
        id=flag_id,
        follow_up_code=code,
        status=FeedbackStatus.NEW.value,
        submitted_at=when,
        anonymous=anonymous,
        incident_id=incident_id,
    )
