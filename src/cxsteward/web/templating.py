"""Jinja2 templates: autoescaped, strict about undefined names, with the shared page context.

Every template gets ``user`` (or None), ``csrf_token``, ``nav`` (filtered by permission),
``can(permission)``, ``current_path`` and ``static_url(path)`` without the route passing
them, through the context processor below.
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


def build_templates() -> Jinja2Templates:
    """The app's template set: autoescape on, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader([TEMPLATES, REPORT_TEMPLATES]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    return Jinja2Templates(env=env, context_processors=[page_context])


def static_url(path: str) -> str:
    """The address of a static file, versioned so browsers refetch it after an upgrade."""
    return f"/static/{path}?v={__version__}"


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
