"""How old the interaction data is: the newest contact, overall and per deployment (C4, C10).

Figures read from stale data describe a past the committee may no longer be in: the
overview warns when the newest contact is older than ``stale_after_days``, and the scale
gate's freshness criterion reads the same figures. Ages count whole days from the
workspace clock's today to the day of the newest contact (UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import Field
from sqlalchemy import func, select

from cxsteward.engine.backend import fetch_arrow
from cxsteward.errors import Invalid
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.services.contract import Result
from cxsteward.services.data.source import NoContacts, open_contacts
from cxsteward.services.workspace import Workspace

STALE_MAX_DAYS = 3660


class DeploymentFreshness(Result):
    deployment: str
    newest_contact: datetime = Field(description="Start of the deployment's newest contact.")
    age_days: int = Field(description="Days from that contact's day to today.")
    stale: bool


class FreshnessOut(Result):
    """The age of the newest contact in the store, against the workspace's today."""

    today: date = Field(description="The workspace clock's today (UTC).")
    stale_after_days: int
    newest_contact: datetime | None = Field(description="Null before the first load.")
    age_days: int | None
    stale: bool = Field(description="Older than stale_after_days, or no data at all.")
    last_load: date | None = Field(description="The day the last load finished.")
    deployments: list[DeploymentFreshness] = Field(description="By deployment key.")
    message: str = Field(description="The figures in one sentence.")


def data_freshness(ws: Workspace, stale_after_days: int = 14) -> FreshnessOut:
    """The newest contact overall and per deployment, its age, and the last load's day.

    Raises:
        Invalid: ``stale_after_days`` is outside 0..3660.
    """
    if not 0 <= stale_after_days <= STALE_MAX_DAYS:
        raise Invalid(
            f"stale_after_days must be between 0 and {STALE_MAX_DAYS} (given {stale_after_days})."
        )
    today = ws.now().date()
    with ws.transaction() as session:
        finished = session.scalar(select(func.max(DataLoadRecord.finished_at)))
    newest = _newest_by_deployment(ws)
    rows = [
        DeploymentFreshness(
            deployment=name,
            newest_contact=at,
            age_days=_age(today, at),
            stale=_age(today, at) > stale_after_days,
        )
        for name, at in sorted(newest.items())
    ]
    overall = max(newest.values(), default=None)
    age = None if overall is None else _age(today, overall)
    stale = age is None or age > stale_after_days
    return FreshnessOut(
        today=today,
        stale_after_days=stale_after_days,
        newest_contact=overall,
        age_days=age,
        stale=stale,
        last_load=None if finished is None else finished.date(),
        deployments=rows,
        message=_message(age, stale_after_days, overall),
    )


def _age(today: date, at: datetime) -> int:
    return (today - at.date()).days


def _message(age: int | None, limit: int, newest: datetime | None) -> str:
    if age is None or newest is None:
        return "No interaction data yet: load an export with `cxsteward data load`."
    when = f"The newest contact is from {newest:%Y-%m-%d}, {age} day{'' if age == 1 else 's'} ago"
    if age > limit:
        return (
            f"{when}: older than {limit} days, so the figures describe the past. Load recent "
            "contacts and run the monitor again."
        )
    return f"{when}."


def _newest_by_deployment(ws: Workspace) -> dict[str, datetime]:
    try:
        with open_contacts(ws) as contacts:
            table = contacts.table
            newest = fetch_arrow(
                table.group_by("deployment").aggregate(newest=table.started_at.max())
            )
    except NoContacts:
        return {}
    return {
        str(name): _utc(value)
        for name, value in zip(
            newest.column("deployment").to_pylist(),
            newest.column("newest").to_pylist(),
            strict=True,
        )
        if value is not None
    }


def _utc(value: datetime) -> datetime:
    # The store keeps UTC instants; a backend may hand them back without their zone.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
