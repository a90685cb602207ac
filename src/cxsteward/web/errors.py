"""The one place where exceptions become HTTP answers: an HTML page, or JSON under /api.

The project's exceptions map by kind (NotFound 404, Invalid 400, Conflict 409,
NotPermitted 403); the web tier's own (sign-in needed, permission, CSRF, bearer token)
map here too, so routes only raise and never build error responses themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from cxsteward.errors import (
    Conflict,
    CxStewardError,
    Gone,
    Invalid,
    NotFound,
    NotPermitted,
    Problem,
)
from cxsteward.web.auth import ApiUnauthorized, LoginRequired, PermissionDenied
from cxsteward.web.csrf import CsrfRejected
from cxsteward.web.schemas import ErrorBody, ErrorOut, ProblemOut
from cxsteward.web.templating import is_htmx

TITLES = {
    400: "The request could not be used",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "No longer available",
    413: "Too large",
    422: "The request could not be used",
    429: "Too many requests",
    500: "Something went wrong",
}
NOT_THERE = "There is no page at this address. Check the link, or start from the overview."
# Most specific first: NotPermitted and the NotFound family are CxStewardErrors too.
STATUS_OF: tuple[tuple[type[CxStewardError], int], ...] = (
    (NotPermitted, 403),
    (NotFound, 404),
    (Gone, 410),
    (Conflict, 409),
    (Invalid, 400),
    (CxStewardError, 400),
)


def status_of(exc: CxStewardError) -> int:
    """The HTTP status of a project exception: error pages, the API, and re-rendered forms."""
    return next(code for kind, code in STATUS_OF if isinstance(exc, kind))


# A form shown again with its messages next to the fields: 422, which htmx swaps in
# (base.html's htmx-config); the JSON API answers 422 for a body it cannot use, too.
FORM_REFUSED = 422


def form_status(exc: CxStewardError) -> int:
    """The status of a form shown again because a service refused it: 422 for an Invalid
    (the fields are wrong), else the exception's own (a conflict stays a 409)."""
    return FORM_REFUSED if isinstance(exc, Invalid) else status_of(exc)


def wants_json(request: Request) -> bool:
    """Whether the answer should be JSON (the REST API and its OpenAPI document)."""
    return request.url.path.startswith("/api/")


def error_response(
    request: Request,
    status: int,
    message: str,
    problems: list[ProblemOut] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error as JSON for /api, an htmx partial for htmx, or a whole page."""
    title = TITLES.get(status, "Error")
    if wants_json(request):
        error = ErrorBody(status=status, title=title, message=message)
        if problems:
            error = ErrorBody(status=status, title=title, message=message, problems=problems)
        # Unset keys stay out: no "problems" without problems, no "file" where none is known.
        body = ErrorOut(error=error).model_dump(mode="json", exclude_none=False, exclude_unset=True)
        return JSONResponse(body, status_code=status, headers=headers)
    template = "errors/_error.html" if is_htmx(request) else "errors/error.html"
    context = {"status": status, "title": title, "message": message, "problems": problems or []}
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, template, context, status_code=status, headers=headers
    )


def problem_out(problem: Problem) -> ProblemOut:
    """A located problem as the API sends it (and as the error page lists it)."""
    return ProblemOut(
        message=problem.message,
        file=problem.file,
        row=problem.row,
        column=problem.column,
        value=problem.value,
        text=str(problem),
    )


def _project_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CxStewardError)
    status = status_of(exc)
    if isinstance(exc, Invalid):
        problems = [problem_out(p) for p in exc.problems]
        return error_response(request, status, exc.summary, problems)
    return error_response(request, status, exc.message)


def _login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target, safe='/')}"
    if is_htmx(request):
        # htmx would follow a redirect and swap the sign-in page into a fragment.
        return Response(status_code=401, headers={"HX-Redirect": location})
    code = 302 if request.method in ("GET", "HEAD") else 303
    return RedirectResponse(location, status_code=code)


def _permission_denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PermissionDenied)
    return error_response(
        request,
        403,
        f"Your role does not include the permission {exc.permission.value}. "
        "Ask an administrator if you need it.",
    )


def _csrf_rejected(request: Request, exc: Exception) -> Response:
    return error_response(
        request,
        403,
        "This form has expired or did not come from this site. Go back, reload the page "
        "and send it again.",
    )


def _api_unauthorized(request: Request, exc: Exception) -> Response:
    return error_response(
        request,
        401,
        "A valid API token is needed: send it as 'Authorization: Bearer <token>'. "
        "An administrator creates tokens with `cxsteward users token-create`.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {
        404: NOT_THERE,
        405: "This address does not accept that kind of request.",
        413: "What was sent is larger than this form accepts. Shorten it and try again.",
    }
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
    message = messages.get(exc.status_code) or detail or TITLES.get(exc.status_code, "Error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # The router names only the first route whose path matched; RFC 9110 wants them all.
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(request, exc.status_code, message, headers=headers or None)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path, sorted."""
    path = request.scope["path"]
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path) and route.methods:
            methods |= route.methods
    return sorted(methods)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    in_path = all(error.get("loc", ("",))[0] == "path" for error in exc.errors())
    if in_path and not wants_json(request):
        # An address whose id cannot name a row (too large, negative) is a page that is not there.
        return error_response(request, 404, NOT_THERE)
    problems = [
        ProblemOut(
            message=str(error.get("msg", "")),
            column=".".join(str(part) for part in error.get("loc", ())[1:]) or None,
            text=f"{'.'.join(str(p) for p in error.get('loc', ()))}: {error.get('msg', '')}",
        )
        for error in exc.errors()
    ]
    status = 422 if wants_json(request) else 400
    return error_response(request, status, "Some fields are missing or not valid.", problems)


def install_error_handlers(app: FastAPI) -> None:
    """Register every mapping above on ``app``."""
    app.add_exception_handler(CxStewardError, _project_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PermissionDenied, _permission_denied)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_exception_handler(ApiUnauthorized, _api_unauthorized)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
