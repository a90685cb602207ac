"""Helpers the web tests share (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import httpx

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


__all__ = ["BASE_URL", "LiveServer", "TestClient", "csrf_of", "password_of"]
