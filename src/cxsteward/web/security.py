"""The security middleware: headers on every response, body-size and rate limits, last resort.

One pure ASGI middleware, so that it also covers error pages and static files:
- adds the Content-Security-Policy (no inline scripts or styles) and the other headers;
- sets the anonymous CSRF cookie when a page issued a new form token;
- caps request bodies: small for public forms, larger for signed-in pages;
- counts unsafe requests to public routes per client address in the registry (429 past
  the limit), so that several workers share one count; sign-in, public forms and the
  status lookup each have their own bucket, and sign-in is also counted per account;
- takes the client's address from X-Forwarded-For when the peer is a trusted proxy
  (web/forwarded.py) and writes it into the scope, so that the server's access log
  shows it too;
- sends Strict-Transport-Security when the settings say the app is served over TLS;
- turns an unexpected exception into a plain 500 page that carries the headers too.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.routing import RouteContext
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxsteward.config import Settings
from cxsteward.services.accounts.rate_limits import hit
from cxsteward.web.auth import SESSION_STATE, USER_STATE
from cxsteward.web.csrf import CSRF_COOKIE, SAFE_METHODS, pending_nonce
from cxsteward.web.errors import error_response
from cxsteward.web.forwarded import TrustedProxies

log = logging.getLogger("cxsteward.web")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# A self-contained document the app serves as is (the committee pack's HTML): its styles are
# inline, as a file that opens anywhere needs them; it runs no script and loads nothing.
DOCUMENT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    # Tracking codes travel in addresses; no other site should see them.
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}
# The largest body a public form or endpoint can need: every field at its declared limit, each
# character written the longest way (a JSON \uXXXX pair or a percent-encoded 4-byte UTF-8
# character: 12 bytes). Anything larger breaks the schema, and is refused unread.
PUBLIC_FORM_MAX_BYTES = 80 * 1024
SIGNED_IN_MAX_BYTES = 32 * 1024 * 1024


class BodyTooLarge(HTTPException):
    """A request body over its limit (FastAPI passes HTTP exceptions from body parsing on)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is over {limit} bytes.")


class SecurityMiddleware:
    """See the module docstring; wraps the whole FastAPI app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fastapi_app: FastAPI = scope["app"]
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                _secure_headers(scope, MutableHeaders(scope=message), fastapi_app)
            await send(message)

        try:
            _resolve_client(scope, fastapi_app.state.trusted_proxies)
            unsafe = scope["method"] not in SAFE_METHODS
            bucket = _public_bucket(scope, fastapi_app.state.public_routes) if unsafe else None
            if bucket is not None:
                refusal = await self._public_checks(scope, receive, bucket)
                if isinstance(refusal, tuple):
                    status, message, headers = refusal
                    await self._refuse(scope, send_secured, status, message, headers)
                    return
                receive = refusal
            else:
                receive = _capped(scope, receive, SIGNED_IN_MAX_BYTES)
            await self.app(scope, receive, send_secured)
        except Exception:
            log.exception(
                "unhandled error on %s %s from %s",
                scope["method"],
                scope["path"],
                client_address(scope),
            )
            if started:
                raise
            await self._refuse(
                scope, send_secured, 500, "The server hit an unexpected error; it has been logged."
            )

    async def _public_checks(
        self, scope: Scope, receive: Receive, bucket: str
    ) -> Receive | tuple[int, str, dict[str, str]]:
        """Read a public form's body within its cap, then count the request in its buckets."""
        body = await _read_capped(scope, receive, PUBLIC_FORM_MAX_BYTES)
        if body is None:
            cap = f"{PUBLIC_FORM_MAX_BYTES // 1024} KB"
            return (
                413,
                f"This form accepts at most {cap}. Shorten the text and send it again.",
                {},
            )
        app: FastAPI = scope["app"]
        for key, limit, whose in _counts(app.state.settings, bucket, client_address(scope), body):
            decision = await run_in_threadpool(hit, app.state.ws, key, limit)
            if not decision.allowed:
                return (
                    429,
                    f"Too many requests {whose}; wait {decision.retry_after} seconds "
                    "and try again.",
                    {"Retry-After": str(decision.retry_after)},
                )
        return _replay(body, receive)

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        request = Request(scope)
        # Error pages from here never look the visitor up: refusing must stay cheap.
        setattr(request.state, SESSION_STATE, None)
        setattr(request.state, USER_STATE, None)
        response = error_response(request, status, message, headers=headers)
        await response(scope, _empty_receive, send)


def _secure_headers(scope: Scope, headers: MutableHeaders, app: FastAPI) -> None:
    for name, value in HEADERS.items():
        if name == "content-security-policy" and headers.get(name) == DOCUMENT_CSP:
            continue  # the route serves a self-contained document: its policy is stricter
        headers[name] = value
    if app.state.settings.tls:
        headers["strict-transport-security"] = "max-age=31536000"
    if not scope["path"].startswith("/static/") and "cache-control" not in headers:
        # Pages show governance data and personal data; no shared cache may keep them.
        headers["cache-control"] = "no-store"
    nonce = pending_nonce(scope.get("state", {}))
    if nonce is not None:
        secure = "; Secure" if app.state.settings.secure_cookies else ""
        headers.append(
            "set-cookie", f"{CSRF_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax{secure}"
        )


def _public_bucket(scope: Scope, routes: list[tuple[RouteContext, str]]) -> str | None:
    for route, bucket in routes:
        if route.matches(scope)[0] == Match.FULL:
            return bucket
    return None


def _counts(
    settings: Settings, bucket: str, address: str, body: bytes
) -> list[tuple[str, int, str]]:
    """(bucket key, limit per minute, whose requests) for each count this request joins."""
    if bucket == "sign-in":
        counts = [(f"sign-in:{address}", settings.sign_ins_per_minute, "from your address")]
        username = _form_field(body, "username")
        if username:
            # Guessing one account's password from many addresses still meets this limit.
            limit = settings.sign_ins_per_account_per_minute
            counts.append((f"sign-in-account:{username}", limit, "for this account"))
        return counts
    if bucket == "status":
        return [(f"status:{address}", settings.status_lookups_per_minute, "from your address")]
    return [(f"public-post:{address}", settings.public_posts_per_minute, "from your address")]


def _form_field(body: bytes, name: str) -> str | None:
    try:
        values = parse_qs(body.decode("utf-8"), max_num_fields=50).get(name)
    except (UnicodeDecodeError, ValueError):
        return None
    return values[0].strip().lower() if values and values[0].strip() else None


def _resolve_client(scope: Scope, proxies: TrustedProxies) -> None:
    client = scope.get("client")
    if client is None:
        return
    forwarded = [value for name, value in scope["headers"] if name == b"x-forwarded-for"]
    if not forwarded:
        return
    joined = ",".join(value.decode("latin-1") for value in forwarded)
    resolved = proxies.client_of(str(client[0]), joined)
    if resolved != client[0]:
        # The same scope dict is what the server's access log reads after the response.
        scope["client"] = (resolved, 0)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_capped(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    declared = _declared_length(scope)
    if declared is not None and declared > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # After the body, only a disconnect can come; wait for the real one.
        return await receive()

    return replayed


def _capped(scope: Scope, receive: Receive, limit: int) -> Receive:
    declared = _declared_length(scope)
    size = 0

    async def capped_receive() -> Message:
        nonlocal size
        if declared is not None and declared > limit:
            raise BodyTooLarge(limit)
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyTooLarge(limit)
        return message

    return capped_receive


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}


def client_address(scope: Scope) -> str:
    """The address rate limits count by: the peer, or the client a trusted proxy forwarded."""
    client = scope.get("client") or ("unknown", 0)
    return str(client[0])
