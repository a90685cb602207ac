"""Every route declares who may use it: a permission (pages or API) or PUBLIC, exactly once."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI

from cxsteward.config import Settings
from cxsteward.web.app import all_routes, create_app
from cxsteward.web.auth import PUBLIC, Requirement, route_access
from cxsteward.web.deps import Permission, require

# Mounted apps have no dependencies to declare; each is named here with its reason.
MOUNTS = {"/static": "the stylesheet, htmx and icons: public files, no data"}


def undeclared(app: FastAPI) -> list[str]:
    """The routes of ``app`` that declare no access, or more than one."""
    problems = []
    for route in all_routes(app):
        if route.path in MOUNTS:
            continue
        found = route_access(route)
        methods = ",".join(sorted(route.methods or ()))
        if len(found) != 1:
            problems.append(f"{methods} {route.path}: {len(found)} access declarations")
    return problems


def test_every_route_of_the_app_declares_its_access(settings: Settings) -> None:
    assert undeclared(create_app(settings)) == []


def test_a_route_without_a_declaration_is_caught(settings: Settings) -> None:
    app = create_app(settings)
    stray = APIRouter()

    @stray.get("/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    app.include_router(stray)
    assert undeclared(app) == ["GET /forgotten: 0 access declarations"]


def test_a_route_with_two_declarations_is_caught(settings: Settings) -> None:
    app = create_app(settings)
    stray = APIRouter()

    @stray.get("/both", dependencies=[PUBLIC, require(Permission.USERS_MANAGE)])
    def both() -> dict[str, str]:
        return {}

    app.include_router(stray)
    assert undeclared(app) == ["GET /both: 2 access declarations"]


@pytest.mark.parametrize("path", ["/", "/admin/users", "/admin/tokens", "/api/v1/me"])
def test_protected_routes_name_a_permission(settings: Settings, path: str) -> None:
    routes = [r for r in all_routes(create_app(settings)) if r.path == path]
    assert routes
    for route in routes:
        (access,) = route_access(route)
        assert isinstance(access, Requirement)
