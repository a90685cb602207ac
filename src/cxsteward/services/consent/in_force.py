"""Which notice version is in force where: read by the check and the evidence rule.

Kept apart from recording notices, which checks deployments through the governance
services: the evidence service reads this module, and the governance services read it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.consent import NoticeVersion, in_force
from cxsteward.registry.tables_consent import ConsentNoticeRecord
from cxsteward.services.consent.models import NoticeInForceOut
from cxsteward.services.governance.store import load_stored


def notice_versions(session: Session) -> list[NoticeVersion]:
    """Every version, as the rules read them."""
    return [
        NoticeVersion(r.deployment, r.channel, r.version, r.effective_from)
        for r in session.scalars(select(ConsentNoticeRecord))
    ]


def notices_in_force(session: Session, today: date) -> list[NoticeInForceOut]:
    """Each channel of each live customer-facing deployment, with the version in force today."""
    gov = load_stored(session)
    if gov is None:
        return []
    records = list(session.scalars(select(ConsentNoticeRecord)))
    versions = {(r.deployment, r.channel, r.version): r for r in records}
    known = [NoticeVersion(r.deployment, r.channel, r.version, r.effective_from) for r in records]
    found: list[NoticeInForceOut] = []
    for dep in gov.deployments:
        if not (dep.customer_facing and dep.status.live):
            continue
        for channel in dep.channels:
            current = in_force(known, dep.key, channel, today)
            record = None if current is None else versions[(dep.key, channel, current.version)]
            found.append(
                NoticeInForceOut(
                    deployment=dep.key,
                    channel=channel,
                    version=None if record is None else record.version,
                    effective_from=None if record is None else record.effective_from,
                    summary=None if record is None else record.summary,
                    url=None if record is None else record.url,
                )
            )
    return found
