"""Administration: people who sign in (users) and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from cxsteward.domain.access import ROLE_WORDS, Role
from cxsteward.errors import CxStewardError, Invalid
from cxsteward.services.accounts import api_tokens, users
from cxsteward.web.deps import WS, Id, Permission, UserOut, actor, render, require
from cxsteward.web.errors import form_status
from cxsteward.web.templating import Context

router = APIRouter(prefix="/admin", include_in_schema=False)

ManageUsers = Annotated[UserOut, require(Permission.USERS_MANAGE)]
ManageTokens = Annotated[UserOut, require(Permission.TOKENS_MANAGE)]
# Notices are chosen by key, never taken from the address, so a link cannot put words
# on this page.
NOTICES = {
    "added": "The user was added. They can sign in now.",
    "role": "The role was changed; it applies from their next page.",
    "disabled": "The user was disabled and signed out everywhere; their API tokens stop working.",
    "enabled": "The user can sign in again.",
    "password": "The password was changed and the user was signed out everywhere.",
    "revoked": "The token was revoked; requests with it now get 401.",
}


@router.get("/users")
def list_users(
    request: Request, ws: WS, user: ManageUsers, notice: str | None = None
) -> HTMLResponse:
    """Every user, with the forms to add one and to change one."""
    return _users_page(request, ws, notice=NOTICES.get(notice or ""))


@router.post("/users")
def add_user(
    request: Request,
    ws: WS,
    user: ManageUsers,
    username: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=400)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=2048)] = "",
    password_again: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    """Add a user; the form comes back with the problem when something is wrong."""
    form = {"username": username, "display_name": display_name, "role": role}
    try:
        if password != password_again:
            raise Invalid("the two passwords differ; type the same password twice")
        users.add_user(ws, username, password, role, display_name or None, actor=actor(user))
    except CxStewardError as exc:
        status = form_status(exc)
        return _users_page(request, ws, error=_message(exc), form=form, status_code=status)
    return RedirectResponse("/admin/users?notice=added", status_code=303)


@router.post("/users/{username}/role")
def change_role(
    request: Request,
    ws: WS,
    user: ManageUsers,
    username: str,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Give a user another role."""
    users.change_role(ws, username, role, actor=actor(user))
    return RedirectResponse("/admin/users?notice=role", status_code=303)


@router.post("/users/{username}/disable")
def disable_user(request: Request, ws: WS, user: ManageUsers, username: str) -> Response:
    """Stop a user from signing in."""
    users.disable_user(ws, username, actor=actor(user))
    return RedirectResponse("/admin/users?notice=disabled", status_code=303)


@router.post("/users/{username}/enable")
def enable_user(request: Request, ws: WS, user: ManageUsers, username: str) -> Response:
    """Let a disabled user sign in again."""
    users.enable_user(ws, username, actor=actor(user))
    return RedirectResponse("/admin/users?notice=enabled", status_code=303)


@router.post("/users/{username}/password")
def set_password(
    request: Request,
    ws: WS,
    user: ManageUsers,
    username: str,
    password: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    """Give a user a new password (they are signed out everywhere)."""
    users.set_password(ws, username, password, actor=actor(user))
    return RedirectResponse("/admin/users?notice=password", status_code=303)


@router.get("/tokens")
def list_tokens(
    request: Request, ws: WS, user: ManageTokens, notice: str | None = None
) -> HTMLResponse:
    """Every API token, with the form to create one."""
    return _tokens_page(request, ws, notice=NOTICES.get(notice or ""))


@router.post("/tokens")
def create_token(
    request: Request,
    ws: WS,
    user: ManageTokens,
    username: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Create a token and show it, this once."""
    form = {"username": username, "name": name, "days": days}
    try:
        life = _days(days)
        issued = api_tokens.create_token(ws, username, name, life, actor=actor(user))
    except CxStewardError as exc:
        status = form_status(exc)
        return _tokens_page(request, ws, error=_message(exc), form=form, status_code=status)
    return _tokens_page(request, ws, issued=issued, status_code=201)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, ws: WS, user: ManageTokens, token_id: Id) -> Response:
    """Revoke a token at once."""
    api_tokens.revoke_token(ws, token_id, actor=actor(user))
    return RedirectResponse("/admin/tokens?notice=revoked", status_code=303)


def _users_page(
    request: Request,
    ws: WS,
    notice: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context: Context = {
        "title": "Users",
        "people": users.list_users(ws),
        "roles": [(role.value, ROLE_WORDS[role]) for role in Role],
        "notice": notice,
        "error": error,
        "form": form or {"username": "", "display_name": "", "role": "viewer"},
    }
    return render(request, "admin/users.html", context, status_code=status_code)


def _tokens_page(
    request: Request,
    ws: WS,
    notice: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    issued: api_tokens.IssuedToken | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context: Context = {
        "title": "API tokens",
        "tokens": api_tokens.list_tokens(ws),
        "people": [p for p in users.list_users(ws) if p.active],
        "notice": notice,
        "error": error,
        "issued": issued,
        "form": form or {"username": "", "name": "", "days": "90"},
    }
    return render(request, "admin/tokens.html", context, status_code=status_code)


def _days(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not text.isdigit():
        raise Invalid(f"days must be a whole number, or empty for no expiry (given {value!r})")
    return int(text)


def _message(exc: CxStewardError) -> str:
    return exc.summary if isinstance(exc, Invalid) else exc.message
