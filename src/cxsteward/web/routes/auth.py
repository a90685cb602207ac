"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from cxsteward.services.accounts.sessions import end_session, start_session
from cxsteward.services.accounts.users import SignInFailed, UserOut, authenticate
from cxsteward.web.auth import PUBLIC, SESSION_COOKIE, SIGN_IN
from cxsteward.web.deps import WS, render
from cxsteward.web.errors import status_of

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in; anything else becomes the overview."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\r\n\\"):
        return "/"
    return target


@router.get("/login")
def login_page(
    request: Request,
    user: Annotated[UserOut | None, PUBLIC],
    next: str | None = None,
    signed_out: bool = False,
) -> Response:
    """The sign-in form; a signed-in visitor goes straight on."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=302)
    context = {"next": safe_next(next), "error": None, "username": "", "signed_out": signed_out}
    return render(request, "login.html", context)


@router.post("/login", dependencies=[SIGN_IN])
def login(
    request: Request,
    ws: WS,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password, open a session and go on to ``next``."""
    try:
        user = authenticate(ws, username, password)
    except SignInFailed as exc:
        context = {"next": safe_next(next), "error": exc.message, "username": username}
        page = {**context, "signed_out": False}
        return render(request, "login.html", page, status_code=status_of(exc))
    settings = request.app.state.settings
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        # Whoever signed in on this browser before is signed out, not left half-present.
        end_session(ws, previous)
    issued = start_session(ws, user.id, settings.session_hours)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=settings.session_hours * 3600,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )
    return response


@router.post("/logout", dependencies=[SIGN_IN])
def logout(request: Request, ws: WS) -> Response:
    """End this browser's session everywhere (the row is deleted) and forget the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_session(ws, token)
    response = RedirectResponse("/login?signed_out=true", status_code=303)
    settings = request.app.state.settings
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=settings.secure_cookies, httponly=True, samesite="lax"
    )
    return response
