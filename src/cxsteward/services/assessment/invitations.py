"""Personal invitation links: answer an assessment cycle without an account, save, resume, submit.

A leader creates one link per person; the token is shown once and stored as its sha256.
The respondent behind a link is found through a code derived from the token, never through
a stored column, so a named link cannot be joined to anonymous answers (see
registry/tables_invitations.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.scale import RoleGroup, parse_role_group
from cxsteward.errors import AssessmentCycleClosed, Conflict, Gone, Invalid, NotFound, Problem
from cxsteward.registry.audit import mark_anonymous
from cxsteward.registry.tables import AnswerRecord, CycleRecord, RespondentRecord
from cxsteward.registry.tables_invitations import InvitationRecord
from cxsteward.services.accounts.sessions import token_hash
from cxsteward.services.assessment.cycles import (
    clean_comment,
    create_respondent,
    cycle_bank,
    get_cycle_record,
    get_open_cycle_record,
)
from cxsteward.services.clock import now, now_of
from cxsteward.services.contract import Result
from cxsteward.services.workspace import Workspace

MAX_LINKS = 200
MAX_LABEL = 200
MAX_DAYS = 366
RESPONDENT_ACTOR = "invitation respondent"


class InvitationNotFound(NotFound):
    """No invitation with that id, or no link with that token."""


class InvitationUnusable(Gone):
    """A link that exists but can no longer be used: revoked, expired, or its cycle closed."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class IssuedInvitation:
    """A new link: the only time its token exists outside the invitee's hands."""

    id: int
    cycle: str
    role_group: RoleGroup
    label: str | None
    token: str
    expires_at: datetime | None

    def shared(self, base_url: str) -> InvitationLinkOut:
        """The link to hand to the invitee, on the app served at ``base_url``."""
        return InvitationLinkOut(
            id=self.id,
            cycle=self.cycle,
            role_group=self.role_group,
            name=self.label,
            link=f"{base_url.rstrip('/')}/invite/{self.token}",
            expires_at=self.expires_at,
        )


class InvitationLinkOut(Result):
    """A new link as ``invitation create --json`` prints it: the one time the link is shown."""

    id: int
    cycle: str
    role_group: RoleGroup
    name: str | None
    link: str
    expires_at: datetime | None


class InvitationOut(Result):
    """A link as the leader lists it (``invitation list --json``): never the token."""

    id: int
    cycle: str
    role_group: RoleGroup
    name: str | None
    created_by: str
    status: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    started_at: datetime | None
    submitted_at: datetime | None

    @property
    def label(self) -> str | None:
        """The invitee's name as the leader gave it (the pages' word for ``name``)."""
        return self.name


@dataclass(frozen=True)
class SavedAnswer:
    value: int | None
    comment: str | None


@dataclass(frozen=True)
class InvitationView:
    """What the respondent's page needs: the cycle, who they answer as, their answers."""

    cycle: str
    role_group: RoleGroup
    bank: QuestionBank
    started: bool
    submitted_at: datetime | None
    anonymous: bool | None
    name: str | None
    answers: dict[str, SavedAnswer] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return len(self.answers)

    @property
    def total(self) -> int:
        return len(self.bank.questions)


def create_invitations(
    ws: Workspace,
    cycle: str,
    role_group: str,
    by: str,
    labels: list[str] | None = None,
    count: int = 0,
    expires_in_days: int | None = None,
) -> list[IssuedInvitation]:
    """One link per label plus ``count`` unlabelled links, for an open cycle and a role group."""
    group = parse_role_group(role_group)
    if group is None:
        names = ", ".join(g.value for g in RoleGroup)
        _refuse("role_group", f"Role group {role_group!r} is not known; use one of {names}.")
    cleaned = [_clean_label(label) for label in labels or [] if label.strip()]
    if count < 0 or len(cleaned) + count < 1:
        _refuse("names", "Ask for at least one link: give names (one per line) or a number.")
    if len(cleaned) + count > MAX_LINKS:
        _refuse("names", f"At most {MAX_LINKS} links at once, not {len(cleaned) + count}.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_DAYS:
        _refuse("expires", f"Links expire after 1 to {MAX_DAYS} days; {expires_in_days} is not.")
    at = now(ws)
    expires = at + timedelta(days=expires_in_days) if expires_in_days is not None else None
    issued: list[IssuedInvitation] = []
    with ws.transaction(actor=by) as session:
        record = get_open_cycle_record(session, cycle)
        for label in [*cleaned, *([None] * count)]:
            token = secrets.token_urlsafe(32)
            row = InvitationRecord(
                cycle_id=record.id,
                token_hash=token_hash(token),
                role_group=group.value,
                label=label,
                created_by=by,
                created_at=at,
                expires_at=expires,
            )
            session.add(row)
            session.flush()
            issued.append(IssuedInvitation(row.id, record.name, group, label, token, expires))
    return issued


def list_invitations(ws: Workspace, cycle: str) -> list[InvitationOut]:
    """A cycle's links, oldest first, each with its status."""
    with ws.transaction() as session:
        record = get_cycle_record(session, cycle)
        rows = session.scalars(
            select(InvitationRecord)
            .where(InvitationRecord.cycle_id == record.id)
            .order_by(InvitationRecord.id)
        )
        return [_out(record, row) for row in rows]


def revoke_invitation(ws: Workspace, invitation_id: int, by: str) -> InvitationOut:
    """Stop a link from working; answers already given stay in the cycle."""
    with ws.transaction(actor=by) as session:
        row = session.get(InvitationRecord, invitation_id)
        if row is None:
            raise InvitationNotFound(f"No invitation {invitation_id}.")
        if row.revoked_at is not None:
            raise Conflict(f"Invitation {invitation_id} is already revoked.")
        row.revoked_at = now(session)
        return _out(session.get_one(CycleRecord, row.cycle_id), row)


def open_invitation(ws: Workspace, token: str) -> InvitationView:
    """The respondent's view of a usable link (InvitationUnusable says why one is not)."""
    with ws.transaction() as session:
        row, cycle = _usable(session, token)
        return _view(session, row, cycle, token)


def start_invitation(
    ws: Workspace, token: str, anonymous: bool, name: str | None
) -> InvitationView:
    """Choose how to answer: anonymously (no name is stored anywhere) or with a name.

    An anonymous respondent is written in a unit of work of its own, which the audit log
    records as nobody's and with the day only; the link's own row (which may carry a name
    as its label) is marked as started in a second one, so no transaction and no audit
    entry holds both.
    """
    if anonymous:
        with ws.transaction(anonymous=True) as session:
            row, cycle = _usable(session, token)
            if row.started_at is not None:
                raise Conflict("This link is already in use; continue answering below.")
            # A first attempt that stopped between the two units of work left the respondent.
            if _find_respondent(session, cycle, token) is None:
                create_respondent(
                    session, cycle, RoleGroup(row.role_group), True, None, respondent_code(token)
                )
    with ws.transaction(actor=RESPONDENT_ACTOR) as session:
        row, cycle = _usable(session, token)
        if row.started_at is not None:
            raise Conflict("This link is already in use; continue answering below.")
        if not anonymous:
            create_respondent(
                session, cycle, RoleGroup(row.role_group), False, name, respondent_code(token)
            )
        row.started_at = now(session)
        session.flush()
        return _view(session, row, cycle, token)


def save_answers(
    ws: Workspace, token: str, answers: dict[str, tuple[int | None, str | None]]
) -> InvitationView:
    """Record or replace answers (value None means don't know), all or none."""
    with ws.transaction(actor=RESPONDENT_ACTOR) as session:
        row, cycle = _usable(session, token)
        respondent = _respondent(session, row, cycle, token)
        if respondent.anonymous:
            mark_anonymous(session)  # this unit of work only changes the answers
        bank = cycle_bank(cycle)
        existing = {a.question_id: a for a in respondent.answers}
        at = now(ws)
        for question_id, (value, comment) in answers.items():
            if bank.get(question_id) is None:
                raise Invalid(f"Question {question_id!r} is not in cycle {cycle.name}'s bank.")
            if value is not None and not 0 <= value <= 4:
                raise Invalid(f"Answer {value} to {question_id} is out of range: use 0-4.")
            answer = existing.get(question_id)
            if answer is None:
                answer = AnswerRecord(respondent=respondent, question_id=question_id)
                session.add(answer)
            answer.value = value
            answer.dont_know = value is None
            answer.comment = clean_comment(comment)
            answer.answered_at = at
        session.flush()
        return _view(session, row, cycle, token)


def submit_invitation(ws: Workspace, token: str) -> InvitationView:
    """Hand the answers in; after this the link shows a thank-you and nothing changes."""
    with ws.transaction(actor=RESPONDENT_ACTOR) as session:
        row, cycle = _usable(session, token)
        respondent = _respondent(session, row, cycle, token)
        if not respondent.answers:
            raise Invalid("Answer at least one question before you submit.")
        row.submitted_at = now(session)
        return _view(session, row, cycle, token)


def respondent_code(token: str) -> str:
    """The respondent code behind a link: computable from the token, not from its stored hash."""
    digest = hashlib.sha256(b"cxsteward-invitation-respondent:" + token.encode("utf-8"))
    return "I-" + digest.hexdigest()[:22]


def _usable(session: Session, token: str) -> tuple[InvitationRecord, CycleRecord]:
    row = session.scalar(
        select(InvitationRecord).where(InvitationRecord.token_hash == token_hash(token))
    )
    if row is None:
        raise InvitationNotFound(
            "This invitation link is not known. Check that the whole address was copied, "
            "or ask the person who sent it for a new link."
        )
    cycle = session.get_one(CycleRecord, row.cycle_id)
    if row.revoked_at is not None:
        raise InvitationUnusable(
            "This invitation link was withdrawn by the assessment's organisers. If you still "
            "want to take part, ask them for a new link.",
            "revoked",
        )
    if cycle.status != "open":
        raise InvitationUnusable(
            f"The assessment {cycle.name} has closed, so answers can no longer be given or "
            "changed. Thank you for your interest.",
            "closed",
        )
    if row.expires_at is not None and row.expires_at <= now(session):
        raise InvitationUnusable(
            f"This invitation link expired on {row.expires_at:%Y-%m-%d}. Ask the organisers "
            "for a new link if the assessment is still running.",
            "expired",
        )
    return row, cycle


def _respondent(
    session: Session, row: InvitationRecord, cycle: CycleRecord, token: str
) -> RespondentRecord:
    if row.started_at is None:
        raise Conflict("Choose first whether to answer anonymously or with your name.")
    if row.submitted_at is not None:
        raise AssessmentCycleClosed(
            f"You submitted your answers on {row.submitted_at:%Y-%m-%d}; they can no longer change."
        )
    respondent = _find_respondent(session, cycle, token)
    if respondent is None:
        raise InvitationNotFound("The answers of this link are no longer in the registry.")
    return respondent


def _find_respondent(session: Session, cycle: CycleRecord, token: str) -> RespondentRecord | None:
    return session.scalar(
        select(RespondentRecord).where(
            RespondentRecord.cycle_id == cycle.id,
            RespondentRecord.code == respondent_code(token),
        )
    )


def _view(
    session: Session, row: InvitationRecord, cycle: CycleRecord, token: str
) -> InvitationView:
    respondent = _find_respondent(session, cycle, token) if row.started_at else None
    answers = (
        {
            a.question_id: SavedAnswer(None if a.dont_know else a.value, a.comment)
            for a in respondent.answers
        }
        if respondent is not None
        else {}
    )
    return InvitationView(
        cycle=cycle.name,
        role_group=RoleGroup(row.role_group),
        bank=cycle_bank(cycle),
        started=respondent is not None,
        submitted_at=row.submitted_at,
        anonymous=respondent.anonymous if respondent is not None else None,
        name=respondent.name if respondent is not None else None,
        answers=answers,
    )


def _status(cycle: CycleRecord, row: InvitationRecord, at: datetime) -> str:
    if row.submitted_at is not None:
        return "submitted"
    if row.revoked_at is not None:
        return "revoked"
    if cycle.status != "open":
        return "closed"
    if row.expires_at is not None and row.expires_at <= at:
        return "expired"
    return "in progress" if row.started_at is not None else "not opened"


def _out(cycle: CycleRecord, row: InvitationRecord) -> InvitationOut:
    return InvitationOut(
        id=row.id,
        cycle=cycle.name,
        role_group=RoleGroup(row.role_group),
        name=row.label,
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        started_at=row.started_at,
        submitted_at=row.submitted_at,
        status=_status(cycle, row, now_of(row)),
    )


def _clean_label(label: str) -> str:
    text = " ".join("".join(ch for ch in label if ch.isprintable()).split())
    if len(text) > MAX_LABEL:
        _refuse("names", f"The name {text[:40]!r}... is {len(text)} characters; the limit is 200.")
    return text


def _refuse(field: str, message: str) -> NoReturn:
    """Invalid, with the problem tied to the form field (or CLI option) it concerns."""
    raise Invalid(message, [Problem(message, column=field)])
