"""Customer choices recorded one at a time (CLI, API, web form), withdrawn, listed.

A choice is never deleted: a withdrawal stamps when and through which channel the customer
took it back, so the registry shows what was in force at any moment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.consent import ChoiceKind, ChoiceSource
from cxsteward.errors import ChoiceNotFound, Conflict, Invalid
from cxsteward.registry.tables_consent import ConsentChoiceRecord
from cxsteward.services.clock import now
from cxsteward.services.consent.models import ChoiceCreate, ChoiceOut, ChoiceWithdraw
from cxsteward.services.consent.notices import check_channel
from cxsteward.services.trust.reviews import actor_name, check_deployment
from cxsteward.services.workspace import Workspace

# (customer, kind, moment, deployment, channel): the same choice received twice.
ChoiceKey = tuple[str, str, datetime, str | None, str | None]


def add_choice(ws: Workspace, command: ChoiceCreate, by: str) -> ChoiceOut:
    """Record one customer choice.

    Raises:
        Invalid: the time has no timezone.
        NotFound: the scope names an undeclared deployment, or a channel it does not list.
        Conflict: the time lies in the future, or the same choice is recorded already.
    """
    who = actor_name(by)
    with ws.transaction(actor=who) as session:
        moment = _moment(command.chosen_at, now(session), "chosen_at")
        check_scope(session, command.deployment, command.channel)
        key = (command.customer_id, command.kind.value, moment, command.deployment, command.channel)
        if key in stored_keys(session, {command.customer_id}):
            raise Conflict(
                f"This {command.kind.value} of that customer at {moment:%Y-%m-%d %H:%M} UTC is "
                "recorded already; nothing was written."
            )
        record = ConsentChoiceRecord(
            customer_id=command.customer_id,
            kind=command.kind.value,
            chosen_at=moment,
            source=command.source.value,
            deployment=command.deployment,
            channel=command.channel,
            data_use=command.data_use,
            recorded_at=now(session),
            recorded_by=who,
        )
        session.add(record)
        session.flush()
        return choice_out(record)


def withdraw_choice(ws: Workspace, choice_id: int, command: ChoiceWithdraw, by: str) -> ChoiceOut:
    """The customer takes a choice back; it stops counting from that moment.

    Raises:
        ChoiceNotFound: no such choice.
        Conflict: it was withdrawn already; the withdrawal is not after the choice, or lies
            in the future.
    """
    who = actor_name(by)
    with ws.transaction(actor=who) as session:
        record = session.get(ConsentChoiceRecord, choice_id)
        if record is None:
            raise ChoiceNotFound(f"No customer choice {choice_id}.")
        if record.withdrawn_at is not None:
            raise Conflict(
                f"Choice {choice_id} was withdrawn on {record.withdrawn_at:%Y-%m-%d %H:%M} UTC "
                "already."
            )
        current = now(session)
        moment = current if command.withdrawn_at is None else command.withdrawn_at
        moment = _moment(moment, current, "withdrawn_at")
        if moment <= record.chosen_at:
            # The stored choice is what the body clashes with.
            raise Conflict(
                f"A withdrawal at {moment:%Y-%m-%d %H:%M} UTC is not after the choice itself "
                f"({record.chosen_at:%Y-%m-%d %H:%M} UTC)."
            )
        record.withdrawn_at = moment
        record.withdrawn_source = command.source.value
        session.flush()
        return choice_out(record)


def list_choices(
    ws: Workspace, customer_id: str | None = None, kind: ChoiceKind | None = None
) -> list[ChoiceOut]:
    """Recorded choices, newest first (they hold customer ids: consent:manage only)."""
    with ws.transaction() as session:
        query = select(ConsentChoiceRecord)
        if customer_id is not None:
            query = query.where(ConsentChoiceRecord.customer_id == customer_id)
        if kind is not None:
            query = query.where(ConsentChoiceRecord.kind == kind.value)
        query = query.order_by(ConsentChoiceRecord.chosen_at.desc(), ConsentChoiceRecord.id.desc())
        return [choice_out(r) for r in session.scalars(query)]


def check_scope(session: Session, deployment: str | None, channel: str | None) -> None:
    """A scope names a declared deployment (and one of its channels); a channel alone holds
    on every deployment."""
    if deployment is not None:
        dep = check_deployment(session, deployment)
        if channel is not None:
            check_channel(dep, channel)


def stored_keys(session: Session, customers: set[str]) -> set[ChoiceKey]:
    """The identities of the stored choices of ``customers``."""
    rows = session.scalars(
        select(ConsentChoiceRecord).where(ConsentChoiceRecord.customer_id.in_(sorted(customers)))
    )
    return {(r.customer_id, r.kind, r.chosen_at, r.deployment, r.channel) for r in rows}


def choice_out(record: ConsentChoiceRecord) -> ChoiceOut:
    return ChoiceOut(
        id=record.id,
        customer_id=record.customer_id,
        kind=ChoiceKind(record.kind),
        chosen_at=record.chosen_at,
        source=ChoiceSource(record.source),
        deployment=record.deployment,
        channel=record.channel,
        data_use=record.data_use,
        withdrawn_at=record.withdrawn_at,
        withdrawn_source=(
            None if record.withdrawn_source is None else ChoiceSource(record.withdrawn_source)
        ),
        recorded_at=record.recorded_at,
        recorded_by=record.recorded_by,
        import_id=record.import_id,
    )


def _moment(moment: datetime, current: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise Invalid(f"{name} {moment.isoformat()} has no timezone; give one, e.g. +00:00.")
    if moment > current:
        # Not yet true by the registry's clock: the time clashes with the present, a 409.
        raise Conflict(
            f"{name} {moment.isoformat()} is in the future (now is {current:%Y-%m-%d %H:%M} UTC)."
        )
    return moment.astimezone(current.tzinfo)
