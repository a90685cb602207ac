"""Issued packs: what the next pack compares with, and issuing one (with its gate verdicts)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field
from sqlalchemy import select

from cxsteward.domain.governance.gate_policy import Verdict
from cxsteward.errors import NotFound
from cxsteward.registry.tables_governance import PackRecord
from cxsteward.services.contract import Result
from cxsteward.services.governance.gate import store_evaluation
from cxsteward.services.monitoring.behind import BehindItem
from cxsteward.services.pack.models import PackOut, PreviousPackOut
from cxsteward.services.workspace import Workspace


class Headline(Result):
    """The figures a pack is remembered by: what the next pack says changed."""

    gates: dict[str, str] = Field(description="Deployment to verdict.")
    evidenced_stage: int | None
    claimed_stage: int | None
    behind: list[str] = Field(description="The behind-humans headlines.")
    places: dict[str, str] = Field(
        default_factory=dict, description="Each behind-humans place (its key) to its headline."
    )
    open_incidents: int


def place_key(item: BehindItem) -> str:
    """A place where the AI trails humans, the same from pack to pack whatever its figures."""
    segment = ",".join(f"{k}={v}" for k, v in sorted(item.segment.items()))
    return f"{item.deployment}|{item.metric}|{segment}"


def previous_pack(ws: Workspace, before: date) -> PreviousPackOut | None:
    """The newest pack issued as of a day up to ``before``."""
    with ws.transaction() as session:
        row = session.scalar(
            select(PackRecord)
            .where(PackRecord.as_of <= before)
            .order_by(PackRecord.as_of.desc(), PackRecord.id.desc())
            .limit(1)
        )
        if row is None:
            return None
        return PreviousPackOut(id=row.id, issued_at=row.issued_at, as_of=row.as_of)


def headline_of(pack: PackOut) -> Headline:
    newest = pack.readiness.cycles[-1] if pack.readiness and pack.readiness.cycles else None
    return Headline(
        gates={g.deployment: g.verdict.value for g in pack.gates},
        evidenced_stage=newest.evidenced_stage if newest else None,
        claimed_stage=newest.claimed_stage if newest else None,
        behind=[b.headline for b in pack.behind],
        places={place_key(b): b.headline for b in pack.behind},
        open_incidents=sum(i.closed_at is None and i.resolved_at is None for i in pack.incidents),
    )


def changes_since(ws: Workspace, previous: PreviousPackOut | None, now_: Headline) -> list[str]:
    """What moved since the previous pack, in words: gate verdicts first."""
    if previous is None:
        return ["This is the first pack issued: there is nothing earlier to compare with."]
    with ws.transaction() as session:
        row = session.get(PackRecord, previous.id)
        assert row is not None  # previous_pack just read it
        before = Headline.model_validate(row.headline)
    out: list[str] = []
    for key, verdict in now_.gates.items():
        was = before.gates.get(key)
        if was is None:
            out.append(f"{key}: judged by the gate for the first time: {Verdict(verdict).words}.")
        elif was != verdict:
            out.append(
                f"{key}: the gate moved from {Verdict(was).words} to {Verdict(verdict).words}."
            )
        else:
            out.append(f"{key}: the gate still says {Verdict(verdict).words}.")
    if before.evidenced_stage != now_.evidenced_stage:
        out.append(
            f"The evidenced maturity stage moved from {before.evidenced_stage or 'none'} to "
            f"{now_.evidenced_stage or 'none'}."
        )
    for key, headline in now_.places.items():
        was = before.places.get(key)
        if was is None:
            out.append(f"New among the widest gaps: {headline}.")
        elif was != headline:
            out.append(f"{headline} (the previous pack said: {was.split(': ', 1)[-1]}).")
    out += [
        f"No longer among the widest gaps: {headline}."
        for key, headline in before.places.items()
        if key not in now_.places
    ]
    if before.open_incidents != now_.open_incidents:
        out.append(
            f"Open incidents: {now_.open_incidents}, against {before.open_incidents} in the "
            "previous pack."
        )
    return out


def issue_pack(ws: Workspace, pack: PackOut, by: str | None) -> PackOut:
    """Keep ``pack`` (its headline and its gate evaluations) so the next pack compares with it."""
    with ws.transaction(by) as session:
        gates = [
            store_evaluation(session, g.model_copy(update={"evaluated_by": by})) for g in pack.gates
        ]
        stored = {g.deployment: g for g in gates}
        deployments = [
            d.model_copy(update={"gate": stored.get(d.key, d.gate)}) for d in pack.deployments
        ]
        issued = pack.model_copy(update={"gates": gates, "deployments": deployments})
        row = PackRecord(
            issued_at=pack.issued_at,
            issued_by=by,
            as_of=pack.as_of,
            since=pack.since,
            scope=list(pack.scope),
            headline=headline_of(issued).model_dump(mode="json"),
            content={},
        )
        session.add(row)
        session.flush()
        issued = issued.model_copy(update={"id": row.id})
        row.content = issued.model_dump(mode="json")
        return issued


class PackSummaryOut(Result):
    """An issued pack, as listed."""

    id: int
    issued_at: datetime
    issued_by: str | None
    as_of: date
    since: date | None
    scope: list[str]
    gates: dict[str, str] = Field(description="Deployment to the gate's verdict then.")
    behind: list[str] = Field(description="The behind-humans headlines then.")


def list_packs(ws: Workspace, limit: int = 50) -> list[PackSummaryOut]:
    """Issued packs, newest first."""
    query = select(PackRecord).order_by(PackRecord.issued_at.desc(), PackRecord.id.desc())
    with ws.transaction() as session:
        out = []
        for row in session.scalars(query.limit(limit)):
            head = Headline.model_validate(row.headline)
            out.append(
                PackSummaryOut(
                    id=row.id,
                    issued_at=row.issued_at,
                    issued_by=row.issued_by,
                    as_of=row.as_of,
                    since=row.since,
                    scope=list(row.scope),
                    gates=head.gates,
                    behind=head.behind,
                )
            )
        return out


def get_pack(ws: Workspace, pack_id: int) -> PackOut:
    """An issued pack, exactly as issued.

    Raises:
        NotFound: no such pack.
    """
    with ws.transaction() as session:
        row = session.get(PackRecord, pack_id)
        if row is None:
            raise NotFound(
                f"No committee pack {pack_id}; `cxsteward pack --list` lists the issued ones."
            )
        return PackOut.model_validate(row.content)
