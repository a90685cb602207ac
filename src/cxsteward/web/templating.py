"""Jinja2 templates: autoescaped, strict about undefined names, with the shared page context.

Every template gets ``user`` (or None), ``csrf_token``, ``nav`` (filtered by permission),
``can(permission)``, ``current_path`` and ``static_url(path)`` (a file's hashed address)
without the route passing them, through the context processor below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from cxsteward import __version__
from cxsteward.domain.access import Permission
from cxsteward.web.auth import current_user
from cxsteward.web.csrf import csrf_token
from cxsteward.web.nav import NavItem, nav_for
from cxsteward.web.static_assets import StaticAssets

TEMPLATES = Path(__file__).parent / "templates"
# The reports' partials (the chart figure) serve the pages too: one markup for a chart.
REPORT_TEMPLATES = Path(__file__).parents[1] / "reports" / "templates"
PRODUCT = "cxsteward"
# What a template reads: Jinja's context is untyped by nature (the template is the boundary).
Context = dict[str, Any]


def page_context(request: Request) -> Context:
    """What every page needs: the user, the CSRF token, the navigation."""
    user = current_user(request)
    items: tuple[NavItem, ...] = getattr(request.app.state, "nav", ())

    def can(permission: Permission | str) -> bool:
        return user is not None and user.can(Permission(permission))

    return {
        "user": user,
        "csrf_token": csrf_token(request),
        "nav": nav_for(items, user),
        "can": can,
        "current_path": request.url.path,
        "product": PRODUCT,
        "version": __version__,
    }


# Templates compiled and kept per app; more than the app has, so none is ever compiled twice.
TEMPLATE_CACHE_SIZE = 1000


def build_templates(assets: StaticAssets) -> Jinja2Templates:
    """The app's template set, built once per app: autoescape on, undefined names are errors.

    Each template is compiled on first use and kept: the templates ship with the package,
    so the environment never checks their files again (``auto_reload`` off).
    """
    env = Environment(
        loader=FileSystemLoader([TEMPLATES, REPORT_TEMPLATES]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=TEMPLATE_CACHE_SIZE,
    )
    env.globals["static_url"] = assets.url
    return Jinja2Templates(env=env, context_processors=[page_context])


def render(
    request: Request,
    template: str,
    context: Context | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page or an htmx partial (a template whose name starts with ``_``)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, template, context or {}, status_code=status_code, headers=headers
    )


def is_htmx(request: Request) -> bool:
    """Whether htmx made the request (it then wants a partial, not a whole page)."""
    return request.headers.get("hx-request") == "true"
