"""Notice versions: what customers of each deployment and channel are told, version by version.

Recorded (CLI, API, web) rather than declared in the governance file: a notice version is
a dated fact about what was published, kept as append-only history with who recorded it,
the way the privacy team works; it still names the governance file's deployments and
channels, and is refused when it names others.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.spec import Deployment
from cxsteward.errors import Conflict, NotFound
from cxsteward.registry.tables_consent import ConsentNoticeRecord
from cxsteward.services.clock import now
from cxsteward.services.consent.models import NoticeCreate, NoticeOut
from cxsteward.services.trust.reviews import actor_name, check_deployment
from cxsteward.services.workspace import Workspace


def add_notice(ws: Workspace, command: NoticeCreate, by: str) -> NoticeOut:
    """Record a notice version; it supersedes the previous one from its effective day.

    Raises:
        DeploymentNotFound / GovernanceNotFound: the deployment is not declared.
        NotFound: the channel is not one the deployment declares.
        Conflict: the version label, or its effective day, is taken for that channel.
    """
    who = actor_name(by)
    with ws.transaction(actor=who) as session:
        check_channel(check_deployment(session, command.deployment), command.channel)
        existing = _records(session, command.deployment, command.channel)
        for other in existing:
            if other.version == command.version:
                raise Conflict(
                    f"{command.deployment} on {command.channel} already has a notice version "
                    f"{command.version!r} (from {other.effective_from}); give the new one its "
                    "own label."
                )
            if other.effective_from == command.effective_from:
                raise Conflict(
                    f"Version {other.version!r} of {command.deployment} on {command.channel} "
                    f"already takes effect on {command.effective_from}; one version a day, so "
                    "that the one in force is never in doubt."
                )
        record = ConsentNoticeRecord(
            deployment=command.deployment,
            channel=command.channel,
            version=command.version,
            summary=command.summary.strip(),
            url=command.url,
            effective_from=command.effective_from,
            recorded_at=now(session),
            recorded_by=who,
        )
        session.add(record)
        session.flush()
        today = now(session).date()
        return _out(record, [*existing, record], today)


def check_channel(dep: Deployment, channel: str) -> None:
    """Refuse a channel the deployment does not declare (when it declares any): not found."""
    if dep.channels and channel not in dep.channels:
        raise NotFound(
            f"Deployment {dep.key} has no channel {channel!r}; its channels are "
            f"{', '.join(dep.channels)}."
        )


def list_notices(ws: Workspace, deployment: str | None = None) -> list[NoticeOut]:
    """Every notice version, by deployment, channel and effective day."""
    with ws.transaction() as session:
        query = select(ConsentNoticeRecord)
        if deployment is not None:
            query = query.where(ConsentNoticeRecord.deployment == deployment)
        records = list(session.scalars(query))
        today = now(session).date()
        return [_out(r, records, today) for r in sorted(records, key=_order)]


def _records(session: Session, deployment: str, channel: str) -> list[ConsentNoticeRecord]:
    return list(
        session.scalars(
            select(ConsentNoticeRecord).where(
                ConsentNoticeRecord.deployment == deployment,
                ConsentNoticeRecord.channel == channel,
            )
        )
    )


def _order(record: ConsentNoticeRecord) -> tuple[str, str, date]:
    return (record.deployment, record.channel, record.effective_from)


def _out(record: ConsentNoticeRecord, every: list[ConsentNoticeRecord], today: date) -> NoticeOut:
    later = [
        r.effective_from
        for r in every
        if r.deployment == record.deployment
        and r.channel == record.channel
        and r.effective_from > record.effective_from
    ]
    superseded = min(later, default=None)
    status = (
        "scheduled"
        if record.effective_from > today
        else "superseded"
        if superseded is not None and superseded <= today
        else "in_force"
    )
    return NoticeOut(
        id=record.id,
        deployment=record.deployment,
        channel=record.channel,
        version=record.version,
        summary=record.summary,
        url=record.url,
        effective_from=record.effective_from,
        recorded_at=record.recorded_at,
        recorded_by=record.recorded_by,
        status=status,
        superseded_from=superseded,
    )
