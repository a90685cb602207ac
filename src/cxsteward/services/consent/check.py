"""Were customers' choices honoured, and were notices in force? Measured over the store.

The opt-outs and the first notice days come from the registry; the joins with the contacts
run in the engine (``engine.consent``). ``consent check`` reports over the whole store; a
monitoring run reports over its window, as findings of kind ``consent``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxsteward.domain import metrics as m
from cxsteward.domain.consent import ChoiceKind, ConsentEvidence
from cxsteward.domain.monitoring.findings import FindingRow
from cxsteward.engine import consent as engine
from cxsteward.engine.backend import fetch_arrow
from cxsteward.registry.tables_consent import ConsentChoiceRecord, ConsentNoticeRecord
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.services.clock import now
from cxsteward.services.consent.in_force import notice_versions, notices_in_force
from cxsteward.services.consent.models import (
    BreachOut,
    ChoiceCountsOut,
    ConsentCheckOut,
    NoticeGapOut,
)
from cxsteward.services.data.source import contacts_if_any
from cxsteward.services.governance.store import load_stored
from cxsteward.services.workspace import Workspace

ROWS_SHOWN = 50  # contacts listed per breach; its count covers them all


@dataclass(frozen=True)
class Measured:
    """What the store says about the choices and notices of the registry."""

    measured: bool = False
    identified: int = 0
    breaches: list[BreachOut] = field(default_factory=list)
    gaps: list[NoticeGapOut] = field(default_factory=list)
    breached_customers: int = 0  # distinct customers behind every breach
    # Whether any notice or choice is recorded: before that, nothing is judged.
    started: bool = False


def check_consent(ws: Workspace) -> ConsentCheckOut:
    """Notices in force today, the choices recorded, and every breach and gap in the store."""
    with ws.transaction() as session:
        today = now(session).date()
        notices = notices_in_force(session, today)
        counts = _counts(session)
    found = measure(ws)
    return ConsentCheckOut(
        notices=notices,
        choices=counts,
        measured=found.measured,
        identified_contacts=found.identified,
        breaches=found.breaches,
        gaps=found.gaps,
    )


def measure(ws: Workspace, date_from: date | None = None, date_to: date | None = None) -> Measured:
    """Breaches of opt-outs and contacts before any notice, over the days given."""
    with ws.transaction() as session:
        opt_outs = _opt_outs(session)
        firsts = _first_notices(session)
        started = bool(firsts.num_rows) or bool(session.scalar(select(ConsentChoiceRecord.id)))
        gov = load_stored(session)
        sources = {
            r.id: r.source.rsplit("/", 1)[-1] for r in session.scalars(select(DataLoadRecord))
        }
    facing = None if gov is None else [d.key for d in gov.deployments if d.customer_facing]
    with contacts_if_any(ws) as source:
        if source is None:
            return Measured(started=started)
        contacts = source.table
        if date_from is not None:
            contacts = contacts.filter(contacts.day >= m.day_number(date_from))
        if date_to is not None:
            contacts = contacts.filter(contacts.day <= m.day_number(date_to))
        identified = int(fetch_arrow(engine.identified(contacts)).column("n")[0].as_py())
        breaches = engine.ai_after_opt_out(contacts, opt_outs)
        groups = fetch_arrow(engine.breach_groups(breaches)).to_pylist()
        rows = fetch_arrow(engine.first_rows(breaches, ROWS_SHOWN)).to_pylist()
        customers = breaches.aggregate(n=breaches.customer_id.nunique())
        breached = int(fetch_arrow(customers).column("n")[0].as_py() or 0)
        gaps = (
            fetch_arrow(engine.uncovered_contacts(contacts, firsts, facing)).to_pylist()
            if firsts.num_rows
            else []
        )
    return Measured(
        measured=True,
        identified=identified,
        breaches=[_breach(g, rows, sources) for g in sorted(groups, key=_group_order)],
        gaps=[_gap(g) for g in sorted(gaps, key=_group_order)],
        breached_customers=breached,
        started=started,
    )


def consent_evidence(ws: Workspace) -> ConsentEvidence:
    """What the TRU-01 evidence rule reads: notice versions, choices, breaches in the store."""
    with ws.transaction() as session:
        versions = notice_versions(session)
        counts = _counts(session)
    found = measure(ws)
    return ConsentEvidence(
        notices=tuple(versions),
        choices=counts.total,
        opt_outs=counts.ai_opt_out,
        breaches=sum(b.contacts for b in found.breaches) if found.measured else None,
        breached_customers=found.breached_customers,
        identified_contacts=found.identified,
    )


def _opt_outs(session: Session) -> pa.Table:
    records = session.scalars(
        select(ConsentChoiceRecord).where(ConsentChoiceRecord.kind == ChoiceKind.AI_OPT_OUT.value)
    )
    return pa.Table.from_pylist(
        [
            {
                "choice_id": r.id,
                "choice_customer": r.customer_id,
                "chosen_at": r.chosen_at,
                "withdrawn_at": r.withdrawn_at,
                "scope_deployment": r.deployment,
                "scope_channel": r.channel,
            }
            for r in records
        ],
        schema=engine.OPT_OUT_SCHEMA,
    )


def _first_notices(session: Session) -> pa.Table:
    query = select(
        ConsentNoticeRecord.deployment,
        ConsentNoticeRecord.channel,
        func.min(ConsentNoticeRecord.effective_from),
    ).group_by(ConsentNoticeRecord.deployment, ConsentNoticeRecord.channel)
    return pa.Table.from_pylist(
        [
            {"notice_deployment": d, "notice_channel": c, "first_day": m.day_number(first)}
            for d, c, first in session.execute(query)
        ],
        schema=engine.FIRST_NOTICE_SCHEMA,
    )


def _counts(session: Session) -> ChoiceCountsOut:
    records = list(session.scalars(select(ConsentChoiceRecord)))
    return ChoiceCountsOut(
        total=len(records),
        ai_opt_out=sum(r.kind == ChoiceKind.AI_OPT_OUT.value for r in records),
        data_use_objection=sum(r.kind == ChoiceKind.DATA_USE_OBJECTION.value for r in records),
        withdrawn=sum(r.withdrawn_at is not None for r in records),
        opt_outs_in_force=sum(
            r.kind == ChoiceKind.AI_OPT_OUT.value and r.withdrawn_at is None for r in records
        ),
    )


# Engine rows are column name -> value (an Arrow boundary); read by the names engine.consent sets.
def _group_order(row: dict[str, object]) -> tuple[str, str]:
    return (str(row["deployment"] or ""), str(row["channel"] or ""))


def _breach(
    group: dict[str, object], rows: list[dict[str, object]], sources: dict[int, str]
) -> BreachOut:
    mine = [r for r in rows if _group_order(r) == _group_order(group)]
    mine.sort(key=lambda r: (_moment(r["started_at"]), str(r["interaction_id"])))
    return BreachOut(
        deployment=_text(group["deployment"]),
        channel=_text(group["channel"]),
        contacts=_int(group["contacts"]),
        customers=_int(group["customers"]),
        first_at=_moment(group["first_at"]),
        last_at=_moment(group["last_at"]),
        rows=[
            FindingRow(
                interaction_id=str(r["interaction_id"]),
                started_at=_moment(r["started_at"]).isoformat().replace("+00:00", "Z"),
                load_id=None if r["load_id"] is None else _int(r["load_id"]),
                source=None if r["load_id"] is None else sources.get(_int(r["load_id"])),
                source_row=None if r["source_row"] is None else _int(r["source_row"]),
            )
            for r in mine
        ],
    )


def _gap(group: dict[str, object]) -> NoticeGapOut:
    return NoticeGapOut(
        deployment=str(group["deployment"]),
        channel=str(group["channel"]),
        contacts=_int(group["contacts"]),
        first_day=m.day_date(_int(group["first_day"])),
        last_day=m.day_date(_int(group["last_day"])),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _moment(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value
