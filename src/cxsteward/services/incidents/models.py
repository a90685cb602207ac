"""The incident noun's contract: what its services return and the inputs they accept.

Each result is the API's ``response_model``, what ``cxsteward incident ... --json`` prints
and what the pages read, so the three cannot drift. Each limit a service enforces is
declared on its command, so the published schema and the server agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeVar

from pydantic import Field, JsonValue, ValidationError

from cxsteward.domain.incidents import DecisionAction, EventKind, IncidentSource, IncidentStatus
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import Invalid, Problem
from cxsteward.services.contract import Command, Result

# The limits every door applies (the columns hold at least this much).
TITLE_MAX = 300
KEY_MAX = 120
TYPE_MAX = 80
METRIC_MAX = 60
NOTE_MAX = 4000
WHY_MAX = 4000
DESCRIPTION_MAX = 20_000
# A text that is more than blanks (JSON Schema patterns match anywhere in the value).
NOT_BLANK = r"\S"

# The event's ``detail`` column as stored (a JSON object); its keys per kind are listed in
# docs/incidents.md ("The timeline"). Typed as JSON, not ``Any``: it is a wire boundary.
EventDetail = dict[str, JsonValue]
C = TypeVar("C", bound=Command)


class EventOut(Result):
    """One line of an incident's timeline."""

    at: datetime
    actor: str = Field(description="Who or what acted: a person's key, a username or a tool.")
    kind: EventKind
    detail: EventDetail = Field(description="What happened; the keys depend on the kind.")


class IncidentOut(Result):
    """An incident as listed: its routing, its deadline and where it stands."""

    id: int
    key: str | None = Field(description="The finding key of a monitoring incident.")
    source: IncidentSource
    title: str
    description: str
    incident_type: str = Field(description="The kind of incident templates are matched on.")
    deployment: str
    metric: str | None
    scope: dict[str, str] = Field(description="The segment the breach was found in.")
    severity: Severity
    status: IncidentStatus
    owner: str | None = Field(description="The person who acts on it, when one is named.")
    notify: list[str] = Field(description="The people the protocol tells.")
    opened_at: datetime
    respond_by: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    occurrences: int = Field(description="How many runs (or hand reports) found it.")
    last_run_id: int | None
    tell_customers: bool
    overdue: bool = Field(description="The respond-by time passed and nobody acknowledged it.")
    responded_late: bool


class DecisionOut(Result):
    """A decision about a deployment, with the right that allowed it."""

    id: int
    incident_id: int | None
    deployment: str
    action: DecisionAction
    by: str = Field(description="The person's key who took it.")
    why: str
    authority: str = Field(description="The decision right (or committee) that allowed it.")
    decided_at: datetime
    status_before: str | None = Field(description="The deployment's status, when it moved.")
    status_after: str | None


class IncidentDetailOut(IncidentOut):
    """One incident with its whole timeline and the decisions taken on it."""

    events: list[EventOut] = Field(description="The timeline, oldest first.")
    decisions: list[DecisionOut] = Field(description="Decisions on this incident, oldest first.")


class CommunicationOut(Result):
    """A customer message drafted from an approved template, and whether it went out."""

    id: int
    incident_id: int
    template_key: str
    template_version: int
    text: str
    values: dict[str, str] = Field(description="The placeholders' values.")
    drafted_by: str
    drafted_at: datetime
    sent_by: str | None
    sent_at: datetime | None
    channel: str | None


class NotificationOut(Result):
    """One channel's attempt to tell people about an incident."""

    channel: Literal["webhook", "email"]
    target: str = Field(description="The e-mail address, or the webhook's host.")
    status: Literal["sent", "failed"]
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class Pending:
    """An incident to notify about, and why: it opened, or its severity went up."""

    incident_id: int
    reason: str


class SyncOut(Result):
    """What syncing a monitoring run's breaches into incidents did."""

    run: int = Field(description="The monitoring run's id.")
    opened: list[int]
    updated: list[int]
    not_incidents: dict[str, int] = Field(
        description="Finding kinds that are not incidents, with how many of each the run had."
    )
    # Notifications still owed once the caller's transaction commits; never printed.
    pending: list[Pending] = Field(default_factory=list, exclude=True)


class IncidentCreate(Command):
    """An incident opened by hand (or for a frontline flag or a review request)."""

    title: str = Field(min_length=1, max_length=TITLE_MAX, pattern=NOT_BLANK)
    deployment: str = Field(min_length=1, max_length=KEY_MAX)
    severity: Severity
    metric: str | None = Field(default=None, max_length=METRIC_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    incident_type: str | None = Field(
        default=None,
        max_length=TYPE_MAX,
        description="What templates match; the metric, or 'general', when not given.",
    )
    source: IncidentSource = IncidentSource.MANUAL


class IncidentUpdate(Command):
    """Move an incident along its lifecycle."""

    status: IncidentStatus
    note: str = Field(default="", max_length=NOTE_MAX, description="A note for the timeline.")


class AcknowledgeCreate(Command):
    """Say someone is on it."""

    note: str = Field(default="", max_length=NOTE_MAX, description="A note for the timeline.")


class DecisionCreate(Command):
    """A decision on an incident's deployment; who takes it comes from the caller."""

    action: DecisionAction
    why: str = Field(
        min_length=1,
        max_length=WHY_MAX,
        pattern=NOT_BLANK,
        description="The reason, for the record.",
    )


def checked(kind: type[C], **values: object) -> C:
    """``kind`` built from plain values (the CLI's, a form's), or Invalid naming each field."""
    try:
        return kind.model_validate(values)
    except ValidationError as exc:
        problems = [
            Problem(
                message=str(error["msg"]),
                column=".".join(str(part) for part in error["loc"]) or None,
            )
            for error in exc.errors()
        ]
        raise Invalid("Some values cannot be used.", problems) from None
