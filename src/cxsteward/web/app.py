"""``create_app(settings)``: the web app on one workspace, opened at start-up, closed at exit.

Routers are listed, not discovered: ``ROUTERS`` below is the one list, in the order their
routes match (tests/web/test_app_routers.py fails when a module under ``cxsteward.web.routes``
defines a router that is not included).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRouter, RouteContext, iter_route_contexts
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.responses import JSONResponse

from cxsteward import __version__
from cxsteward.config import Settings, load_settings
from cxsteward.services.accounts.sessions import web_secret
from cxsteward.services.clock import Clock
from cxsteward.services.overview import Section, gather_overview
from cxsteward.services.workspace import Workspace, open_workspace
from cxsteward.web.auth import PUBLIC, public_bucket
from cxsteward.web.csrf import csrf_protect
from cxsteward.web.errors import install_error_handlers
from cxsteward.web.forwarded import TrustedProxies
from cxsteward.web.nav import NAV
from cxsteward.web.openapi_links import Document, add_links
from cxsteward.web.read_once import ReadOnceMiddleware
from cxsteward.web.responses import ContractJSONResponse
from cxsteward.web.routes import (
    admin,
    adoption,
    api,
    assessment,
    auth,
    consent,
    crosswalk,
    explanations,
    feedback,
    feedback_triage,
    incidents,
    invite,
    monitoring,
    overview,
    packs,
    public,
    registry,
    registry_chain,
    registry_committee,
    registry_deployments,
    registry_people,
    registry_templates,
    registry_vendors,
    reviews,
    training,
    whoami,
)
from cxsteward.web.routes.trust_views import governance_or_none
from cxsteward.web.security import SecurityMiddleware
from cxsteward.web.static_assets import FingerprintedStatic, StaticAssets
from cxsteward.web.templating import build_templates

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
# How long shutting down waits for a start-up build still under way.
WARM_WAIT_SECONDS = 30
# Pages and JSON shrink five to ten times; below this size compressing costs more than it saves.
GZIP_MINIMUM_BYTES = 500
# Level 6 compresses nearly as well as 9 for a fraction of the CPU (two cores serve everyone).
GZIP_LEVEL = 6
# Already compressed: PDF packs (their streams are deflated) and Parquet exports.
GZIP_SKIPS = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf", "application/vnd.apache.parquet")
# Every router of the app, in matching order (the order the former module scan gave).
ROUTERS: tuple[APIRouter, ...] = (
    # Matched in this order, route by route, on every request: the public pages and the
    # overview (most of the traffic) come first, the rest alphabetically. No two routers
    # serve the same path, so the order changes nothing but the time spent matching
    # (tests/web/test_app_routers.py checks that every route is reached).
    public.router,
    overview.router,
    auth.router,
    adoption.router,
    admin.router,
    api.router,
    assessment.router,
    consent.router,
    crosswalk.router,
    explanations.router,
    feedback.router,
    feedback_triage.router,
    incidents.router,
    invite.router,
    monitoring.router,
    packs.router,
    registry.router,
    registry_chain.router,
    registry_committee.router,
    registry_deployments.router,
    registry_people.router,
    registry_templates.router,
    registry_vendors.router,
    reviews.router,
    training.router,
    whoami.router,
)


def create_app(settings: Settings, clock: Clock | None = None, *, warm: bool = False) -> FastAPI:
    """The web app serving the workspace of ``settings`` (which must exist).

    ``clock``: the time every service reads (default: the machine's); tests pass a fixed one.
    ``warm``: build the busiest pages' read models in the background at start-up (what
    ``cxsteward serve`` does), so the first visitors do not wait for them.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ws = open_workspace(settings, clock)
        app.state.ws = ws
        app.state.secret = web_secret(settings)
        # The pool that runs this worker's (synchronous) endpoints, and its size.
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        warming = threading.Thread(target=warm_read_models, args=(ws,), name="warm", daemon=True)
        app.state.warming = warming
        if warm:
            warming.start()
        try:
            yield
        finally:
            if warming.is_alive():
                warming.join(WARM_WAIT_SECONDS)
            ws.close()

    app = FastAPI(
        title="cxsteward",
        version=__version__,
        lifespan=lifespan,
        # The interactive docs pages load scripts from a CDN and inline; the CSP forbids both.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
        # JSON written by the same function as the CLI's --json: one contract, same bytes.
        default_response_class=ContractJSONResponse,
    )
    plain_openapi = app.openapi

    def openapi_with_links() -> Document:
        if app.openapi_schema is None:
            add_links(plain_openapi())  # which caches the document in app.openapi_schema
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi_with_links  # type: ignore[method-assign]
    app.state.settings = settings
    assets = StaticAssets(STATIC)
    app.state.templates = build_templates(assets)
    install_error_handlers(app)
    app.include_router(_meta_router(app))
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", FingerprintedStatic(assets), name="static")
    app.add_middleware(ReadOnceMiddleware)
    app.add_middleware(SecurityMiddleware)
    # Outermost: it compresses what the security middleware finished, headers and all.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_BYTES,
        compresslevel=GZIP_LEVEL,
        exclude_content_types=GZIP_SKIPS,
    )
    contexts = all_routes(app)
    pages = {route.path for route in contexts if "GET" in (route.methods or ())}
    app.state.nav = tuple(item for item in NAV if item.path in pages)
    app.state.public_routes = [
        (route, bucket) for route in contexts if (bucket := public_bucket(route)) is not None
    ]
    app.state.trusted_proxies = TrustedProxies.parse(settings.forwarded_allow_ips)
    return app


def warm_read_models(ws: Workspace) -> None:
    """Build what the overview and the public pages read, before anyone asks.

    Cold, the overview's figures take seconds to build (the gate judges every deployment);
    built on the first request, that wait fell on the first visitors, and under load on
    everyone queued behind them. Requests that arrive meanwhile wait for this build rather
    than start their own. A failure is only logged: the first request builds again and
    shows the error where it belongs.
    """
    try:
        governance_or_none(ws)
        gather_overview(ws, set(Section))
    except Exception:
        log.exception("building the read models at start-up failed")
    finally:
        # What start-up made (modules, templates, the figures above) lives as long as the
        # process. Frozen, it leaves the cyclic collector's full passes, which walked it all
        # and held every request of the worker for up to a second each time.
        gc.collect()
        gc.freeze()


def all_routes(app: FastAPI) -> list[RouteContext]:
    """Every route of the app, those of included routers flattened, with their full paths."""
    return list(iter_route_contexts(app.routes))


def app_from_environment() -> FastAPI:
    """The app for ``cxsteward serve``'s workers: settings from CXSTEWARD_* variables."""
    return create_app(load_settings(), warm=True)


def _meta_router(app: FastAPI) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json", dependencies=[PUBLIC])
    def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    @router.get("/healthz", dependencies=[PUBLIC])
    def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    return router
