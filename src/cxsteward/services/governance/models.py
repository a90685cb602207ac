"""The governance service's typed lifecycle move: what a caller asks, what it gets back.

The API's ``response_model`` and body, and what ``governance deployment-status --json``
prints, so the three cannot disagree.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from cxsteward.domain.governance.spec import Lifecycle
from cxsteward.services.contract import Command, Day, Result

# The longest reason a move keeps in the lifecycle history (one line of a report).
REASON_MAX = 500


class TransitionCreate(Command):
    """A lifecycle move the caller asks for; the decider comes from who asks."""

    status: Lifecycle = Field(description="The lifecycle status to move the deployment to.")
    reason: str = Field(
        min_length=1,
        max_length=REASON_MAX,
        # Not blank, and no NUL character, which a PostgreSQL text column refuses.
        pattern=r"^[^\x00]*[^\s\x00][^\x00]*$",
        description="Why it moves; kept in the history (not blank, no NUL character).",
    )
    on: Day | None = Field(default=None, description="The day it takes effect (default today).")


class TransitionOut(Result):
    """A recorded lifecycle move."""

    deployment: str = Field(description="The deployment's key.")
    previous: Lifecycle = Field(description="The status it had before.")
    status: Lifecycle = Field(description="The status it has now.")
    on: date = Field(description="The day the move takes effect.")
    by: str | None = Field(description="The person who decided, when the decider is a person.")
    reason: str
    authority: str = Field(
        default="", description="What allowed the move, e.g. 'pause right on support-chat'."
    )
