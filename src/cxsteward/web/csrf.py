"""CSRF protection for every form: a synchroniser token, or a signed double-submit token.

Signed-in requests must carry their session's token (stored in the session row). Anonymous
forms (sign-in, public customer pages) use a random value kept in an HttpOnly cookie: the
form carries HMAC(workspace secret, that value), which another site can neither read nor
compute. Any unsafe request (POST, PUT, PATCH, DELETE) outside /api without a valid token
gets 403; /api uses bearer tokens, which a browser never attaches on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from cxsteward.web.auth import load_session

CSRF_COOKIE = "cxsteward_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NEW_NONCE_STATE = "csrf_new_nonce"


class CsrfRejected(Exception):
    """An unsafe request without a valid CSRF token."""


def sign(secret: bytes, nonce: str) -> str:
    """The anonymous form token that belongs to cookie value ``nonce``."""
    return hmac.new(secret, b"cxsteward-csrf:" + nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token a form rendered for this request must carry (session's, or signed)."""
    active = load_session(request)
    if active is not None:
        return active.csrf_token
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, NEW_NONCE_STATE, None)
    if not nonce or len(nonce) > 100:
        # The security middleware sees this and sets the cookie on the response.
        nonce = secrets.token_urlsafe(24)
        setattr(request.state, NEW_NONCE_STATE, nonce)
    return sign(request.app.state.secret, nonce)


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuse an unsafe non-API request without a valid token."""
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not given:
        raise CsrfRejected("no CSRF token")
    active = await run_in_threadpool(load_session, request)
    if active is not None:
        if not hmac.compare_digest(given.encode(), active.csrf_token.encode()):
            raise CsrfRejected("the CSRF token does not match the session")
        return
    nonce = request.cookies.get(CSRF_COOKIE)
    expected = sign(request.app.state.secret, nonce) if nonce else None
    if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise CsrfRejected("the CSRF token does not match the form cookie")


def pending_nonce(state: dict[str, object]) -> str | None:
    """A new anonymous nonce this request created, which the response must set as a cookie."""
    value = state.get(NEW_NONCE_STATE)
    return value if isinstance(value, str) else None
