"""What every /api/v1 module shares: the bearer scheme, documented errors, id parameters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Security
from fastapi.security import HTTPBearer

from cxsteward.errors import NotPermitted
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.workspace import Workspace
from cxsteward.web.deps import Id as Id
from cxsteward.web.deps import UserOut
from cxsteward.web.schemas import ErrorOut

# Declares the scheme in the OpenAPI document (clients and schemathesis read it); the
# check itself is require_api's, so auto_error is off and this never refuses anything.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="An API token from `cxsteward users token-create`, sent as "
    "'Authorization: Bearer cxs_...'. It acts with its user's role.",
)


# FastAPI's ``responses=``: OpenAPI response objects by status, an untyped wire fragment.
Responses = dict[int | str, dict[str, Any]]


def _error(description: str) -> dict[str, object]:
    return {"model": ErrorOut, "description": description}


SIGNED_ERRORS: Responses = {
    400: _error("The request breaks a rule; the message says which and what to do."),
    401: _error("No valid API token was sent."),
    403: _error("The token's user may not do this (role or decision rights)."),
    404: _error("Nothing with that id or key."),
    409: _error("The action clashes with the current state (e.g. a refused lifecycle move)."),
    413: _error("The request body is too large."),
    422: _error("A field is missing or has the wrong type; `problems` lists each one."),
}
PUBLIC_ERRORS: Responses = {
    400: _error("A field breaks a rule; the message names it."),
    404: _error("Unknown tracking code or deployment."),
    409: _error("The request is in a state that does not allow this."),
    413: _error("The request body is over 80 KB."),
    422: _error("A field is missing or has the wrong type."),
    429: _error("Too many requests from this address; wait as Retry-After says."),
}


def signed_router(prefix: str, tag: str) -> APIRouter:
    """A router for token-protected endpoints under ``prefix``."""
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        dependencies=[Security(bearer)],
        responses=SIGNED_ERRORS,
    )


def person_of(ws: Workspace, user: UserOut) -> str:
    """The governance person the token's user is, for acts that need one (decisions).

    Raises:
        NotPermitted: the username is not the key of a person in the governance registry.
    """
    if current_governance(ws).person(user.username) is None:
        raise NotPermitted(
            f"Your account {user.username!r} is not a person of the governance registry, so "
            "it cannot take decisions. Decisions are recorded in a declared person's name: "
            "use a token of a user whose username is that person's key (e.g. 'dev-raman')."
        )
    return user.username


def person_or_none(ws: Workspace, user: UserOut) -> str | None:
    """The token's user as a governance person key, or None when it is not one."""
    return user.username if current_governance(ws).person(user.username) is not None else None
