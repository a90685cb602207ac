"""The frontline feedback contract: what the services return and what callers send.

One shape per read model for the API, ``--json`` and the pages; the commands declare every
rule ``services.people.feedback`` checks, so the published schema refuses what it would.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, computed_field

from cxsteward.domain.thresholds import Severity
from cxsteward.domain.trust import FeedbackCategory
from cxsteward.services.contract import Command, Result
from cxsteward.services.trust.fields import (
    KEY_MAX,
    ChangeMade,
    DeploymentKey,
    Description,
    Note,
    Reason,
)


class FeedbackCreate(Command):
    deployment: DeploymentKey
    category: FeedbackCategory
    description: Description
    anonymous: bool = Field(default=False, description="Store no sender at all.")


class FeedbackTriage(Command):
    severity: Severity
    owner: str | None = Field(
        default=None, max_length=KEY_MAX, description="A person's key; an unknown one is a 404."
    )
    note: Note | None = None


class FeedbackActedOn(Command):
    """Close a triaged flag: what changed because of it."""

    status: Literal["acted_on"]
    text: ChangeMade


class FeedbackDeclined(Command):
    """Close a triaged flag: why nothing changes; the sender reads it."""

    status: Literal["declined"]
    text: Reason


# ``acted_on`` with what changed, or ``declined`` with why; the limits differ.
FeedbackUpdate = Annotated[FeedbackActedOn | FeedbackDeclined, Field(discriminator="status")]


class FeedbackReceiptOut(Result):
    """What the sender gets back; ``follow_up_code`` is shown this once and never stored."""

    id: int
    follow_up_code: str = Field(description="Shown this once; keep it to follow the flag.")
    status: str
    submitted_at: datetime
    anonymous: bool
    incident_id: int | None


class FeedbackFollowOut(Result):
    """What the holder of a follow-up code sees: progress and what changed, no names."""

    category: str
    status: str
    submitted_at: datetime
    triaged_at: datetime | None
    acted_at: datetime | None
    change_made: str | None
    declined_at: datetime | None
    decline_reason: str | None


class FeedbackOut(Result):
    """One flag as staff see it; no sender for anonymous flags."""

    id: int
    deployment: str
    category: str
    description: str
    anonymous: bool
    reporter: str | None
    status: str
    submitted_at: datetime
    triaged_at: datetime | None
    triaged_by: str | None
    severity: str | None
    owner: str | None
    triage_note: str | None
    acted_at: datetime | None
    acted_by: str | None
    change_made: str | None
    declined_at: datetime | None
    declined_by: str | None
    decline_reason: str | None
    incident_id: int | None

    @computed_field(description="Days from submission to the change; null until acted on.")  # type: ignore[prop-decorator]
    @property
    def days_to_action(self) -> float | None:
        if self.acted_at is None:
            return None
        return (self.acted_at - self.submitted_at).total_seconds() / 86400
