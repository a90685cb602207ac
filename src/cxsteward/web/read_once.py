"""Requests that change nothing read the read models' versions once (services.read_models)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from cxsteward.services.read_models import reading_request
from cxsteward.web.csrf import SAFE_METHODS


class ReadOnceMiddleware:
    """Around a GET or HEAD, every cache the page asks shares one read of the versions.

    The endpoint runs in a worker thread with a copy of this task's context, so the memo
    set here reaches it, and no other request sees it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        with reading_request():
            await self.app(scope, receive, send)
