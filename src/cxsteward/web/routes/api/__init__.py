"""The REST API under /api/v1: one module per resource, all over the same services as the pages.

The app lists this package's ``router`` (web/app.py); it gathers the routers of the modules below.
Every endpoint needs an API token (``Authorization: Bearer``) except the two public
review-request endpoints. docs/api.md describes each one.
"""

from __future__ import annotations

from fastapi import APIRouter

from cxsteward.web.routes.api import (
    adoption,
    assessments,
    consent,
    crosswalk,
    data,
    feedback,
    incidents,
    monitoring,
    packs,
    registry,
    reviews,
    training,
)

router = APIRouter(prefix="/api/v1")
for _module_router in (
    assessments.router,
    registry.router,
    monitoring.router,
    adoption.router,
    data.router,
    incidents.router,
    reviews.router,
    feedback.router,
    packs.router,
    crosswalk.router,
    training.router,
    consent.router,
    reviews.public_router,
):
    router.include_router(_module_router)
