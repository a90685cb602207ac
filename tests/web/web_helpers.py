"""Helpers the web tests share (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import re
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from fastapi import FastAPI

from cxsteward.config import Settings
from cxsteward.domain.access import Role
from cxsteward.services.workspace import Workspace

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package at import; httpx is what the project installs.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

BASE_URL = "https://testserver"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def password_of(role: Role | str) -> str:
    """The password of the fixture user named after ``role``."""
    return f"pw-{Role(role).value}-0123456789"


def csrf_of(response: httpx.Response) -> str:
    """The CSRF token of the first form in a rendered page."""
    found = CSRF_INPUT.search(response.text)
    assert found, f"no csrf_token field in the page:\n{response.text[:500]}"
    return found.group(1)


@dataclass(frozen=True)
class LiveServer:
    """A running server (the ``live_server`` fixture): its address and its workspace."""

    url: str
    settings: Settings
    ws: Workspace


@contextmanager
def serve_app(app: FastAPI, name: str) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields its URL.

    The socket is bound here and handed to uvicorn: a port only probed as free and bound
    later could be taken in between by a parallel test worker (``./dev test`` runs several).
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none", lifespan="on"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name=name, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {name} did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listener.close()


__all__ = ["BASE_URL", "LiveServer", "TestClient", "csrf_of", "password_of", "serve_app"]
