"""Who is asking, and may they: sessions for pages, bearer tokens for /api/v1.

Every route declares its access with exactly one of ``require(permission)`` (signed-in
pages), ``require_api(permission)`` (the REST API) or ``PUBLIC`` (no account needed);
tests/web/test_routes_declared.py fails on a route that declares none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.routing import RouteContext

from cxsteward.domain.access import Permission
from cxsteward.services.accounts.api_tokens import authenticate_token
from cxsteward.services.accounts.sessions import ActiveSession
from cxsteward.services.accounts.users import UserOut, signed_in
from cxsteward.services.workspace import Workspace

SESSION_COOKIE = "cxsteward_session"
SESSION_STATE = "cxsteward_session"
USER_STATE = "cxsteward_user"
_UNSET = object()


class LoginRequired(Exception):
    """A page that needs a signed-in user was asked for without one."""


class PermissionDenied(Exception):
    """The signed-in user's role lacks the permission the route needs."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.value)
        self.permission = permission


class ApiUnauthorized(Exception):
    """An /api request without a valid bearer token."""


def workspace_of(request: Request) -> Workspace:
    """The one workspace the app opened at start-up."""
    ws: Workspace = request.app.state.ws
    return ws


def load_session(request: Request) -> ActiveSession | None:
    """The valid session of the request's cookie, looked up once per request (with its user)."""
    cached = getattr(request.state, SESSION_STATE, _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    token = request.cookies.get(SESSION_COOKIE)
    found = signed_in(workspace_of(request), token) if token and len(token) < 200 else None
    setattr(request.state, SESSION_STATE, found.session if found else None)
    setattr(request.state, USER_STATE, found.user if found else None)
    return found.session if found else None


def current_user(request: Request) -> UserOut | None:
    """The signed-in, active user, or None; looked up once per request."""
    if getattr(request.state, USER_STATE, _UNSET) is _UNSET:
        load_session(request)
    user: UserOut | None = getattr(request.state, USER_STATE, None)
    return user


@dataclass(frozen=True)
class Requirement:
    """A route's need: a permission for pages (``api`` False) or for the REST API."""

    permission: Permission
    api: bool = False

    def __call__(self, request: Request) -> UserOut:
        user = _bearer_user(request) if self.api else current_user(request)
        if user is None:
            raise ApiUnauthorized() if self.api else LoginRequired()
        if not user.can(self.permission):
            raise PermissionDenied(self.permission)
        return user


@dataclass(frozen=True)
class PublicAccess:
    """A route anyone may use without an account; gives the user when one is signed in.

    ``bucket`` is the rate limit its unsafe requests count against (web/security.py):
    separate counts keep customer traffic from ever locking staff out of signing in.
    """

    bucket: str = "form"

    def __call__(self, request: Request) -> UserOut | None:
        return current_user(request)


def require(permission: Permission) -> Any:
    """Dependency: a signed-in user holding ``permission`` (else sign-in page or 403)."""
    return Depends(Requirement(permission))


def require_api(permission: Permission) -> Any:
    """Dependency: the user of a valid ``Authorization: Bearer`` token holding ``permission``."""
    return Depends(Requirement(permission, api=True))


PUBLIC: Any = Depends(PublicAccess())
# Public too, but counted in their own rate-limit buckets.
SIGN_IN: Any = Depends(PublicAccess("sign-in"))
STATUS_LOOKUP: Any = Depends(PublicAccess("status"))


def _bearer_user(request: Request) -> UserOut | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
        return None
    return authenticate_token(workspace_of(request), token.strip())


def route_access(route: RouteContext) -> list[Requirement | PublicAccess]:
    """Every access declaration of a route (a correct route has exactly one)."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return []
    found: list[Requirement | PublicAccess] = []
    pending = list(dependant.dependencies)
    while pending:
        dependant = pending.pop()
        if isinstance(dependant.call, Requirement | PublicAccess):
            found.append(dependant.call)
        pending.extend(dependant.dependencies)
    return found


def is_public(route: RouteContext) -> bool:
    """Whether a route is declared PUBLIC (or SIGN_IN, STATUS_LOOKUP)."""
    return public_bucket(route) is not None


def public_bucket(route: RouteContext) -> str | None:
    """The rate-limit bucket of a public route; None for a route that needs an account."""
    found = [access for access in route_access(route) if isinstance(access, PublicAccess)]
    return found[0].bucket if found else None
