"""The app's routers are listed in one place (web/app.py), and none is forgotten there."""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

from fastapi import APIRouter, FastAPI
from starlette.routing import Match

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


def _sample_path(path: str) -> str:
    """``path`` with each parameter filled by a value no literal path segment uses."""
    return re.sub(r"\{[^}:]+(:int)?\}", lambda m: "7" if m.group(1) else "q7x", path)


def hidden_routes(app: FastAPI) -> list[str]:
    """Routes that an earlier route answers for, on a sample path of their own."""
    contexts = [c for c in all_routes(app) if c.methods]
    hidden = []
    for context in contexts:
        for method in sorted(context.methods or ()):
            scope = {"type": "http", "method": method, "path": _sample_path(context.path)}
            first = next(c for c in contexts if c.matches(scope)[0] == Match.FULL)
            if first is not context:
                hidden.append(f"{method} {context.path} is answered by {first.path}")
    return hidden


def test_no_route_hides_another_so_the_order_of_routers_is_free(settings: Settings) -> None:
    # web/app.py lists the busiest routers first to match them sooner; that is only safe
    # while every route is the first one matching its own paths, whatever comes before it.
    app = create_app(settings)
    assert len(all_routes(app)) > 100
    assert hidden_routes(app) == []


def test_a_hidden_route_is_caught() -> None:
    greedy, plain = APIRouter(), APIRouter()

    @greedy.get("/{anything}")
    def anything_page(anything: str) -> dict[str, str]:
        return {}

    @plain.get("/stray")
    def stray_page() -> dict[str, str]:
        return {}

    app = FastAPI()
    app.include_router(greedy)
    app.include_router(plain)
    assert hidden_routes(app) == ["GET /stray is answered by /{anything}"]
