"""The app's routers are listed in one place (web/app.py), and none is forgotten there."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from fastapi import APIRouter, FastAPI

from cxsteward.config import Settings
from cxsteward.web import routes
from cxsteward.web.app import ROUTERS, all_routes, create_app


def route_modules() -> list[ModuleType]:
    """Every module and package under cxsteward.web.routes, nested ones included."""
    found = [routes]
    for info in pkgutil.walk_packages(routes.__path__, prefix=f"{routes.__name__}."):
        found.append(importlib.import_module(info.name))
    return found


def unlisted(app: FastAPI, modules: list[ModuleType]) -> list[str]:
    """The module-level routers whose routes the app does not serve, as ``module.name``."""
    served = {route.endpoint for route in all_routes(app)}
    missing = []
    for module in modules:
        for name, value in vars(module).items():
            if not isinstance(value, APIRouter):
                continue
            endpoints = {getattr(route, "endpoint", None) for route in value.routes}
            if not endpoints <= served:
                missing.append(f"{module.__name__}.{name}")
    return missing


def test_every_router_under_web_routes_is_listed(settings: Settings) -> None:
    assert unlisted(create_app(settings), route_modules()) == []


def test_a_router_left_out_of_the_list_is_caught(settings: Settings) -> None:
    stray = ModuleType("cxsteward.web.routes.stray")
    stray.router = APIRouter()  # type: ignore[attr-defined]

    @stray.router.get("/stray")  # type: ignore[attr-defined]
    def page() -> dict[str, str]:
        return {}

    assert unlisted(create_app(settings), [stray]) == ["cxsteward.web.routes.stray.router"]


def test_the_list_names_each_router_once() -> None:
    assert len({id(router) for router in ROUTERS}) == len(ROUTERS)
