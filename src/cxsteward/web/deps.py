"""What a page module imports: access declarations, the workspace, rendering.

from cxsteward.web.deps import WS, Permission, UserOut, render, require

@router.get("/incidents")
def list_incidents(
    request: Request, ws: WS, user: Annotated[UserOut, require(Permission.INCIDENT_VIEW)]
) -> HTMLResponse:
    return render(request, "incidents/list.html", {"items": incidents.list_incidents(ws)})
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from cxsteward.domain.access import Permission, sees_contact
from cxsteward.services.accounts.users import UserOut
from cxsteward.services.trust.models import ReviewOut
from cxsteward.services.workspace import Workspace
from cxsteward.web.auth import (
    PUBLIC,
    SIGN_IN,
    STATUS_LOOKUP,
    current_user,
    require,
    require_api,
    workspace_of,
)
from cxsteward.web.templating import is_htmx, render

WS = Annotated[Workspace, Depends(workspace_of)]
# Registry keys are integer columns (32-bit on PostgreSQL); a larger id cannot name a row,
# and sending it to the database fails there (web/errors.py turns the refusal into a 404).
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The numeric id.")]


def actor(user: UserOut) -> str:
    """The name the audit log records for changes ``user`` makes in the web app."""
    return user.username


def review_for(user: UserOut, review: ReviewOut) -> ReviewOut:
    """A review request as ``user`` may see it: contact details only where sees_contact."""
    if sees_contact(user.role, user.username, review.started_by):
        return review
    return review.model_copy(update={"contact": None, "contact_kind": None})


__all__ = [
    "MAX_ID",
    "PUBLIC",
    "SIGN_IN",
    "STATUS_LOOKUP",
    "WS",
    "Id",
    "Permission",
    "UserOut",
    "actor",
    "current_user",
    "is_htmx",
    "render",
    "require",
    "review_for",
    "require_api",
]
