"""CSRF, security headers, cookie flags, escaping, and the public size and rate limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import APIRouter
from web_helpers import BASE_URL, TestClient, csrf_of, password_of

from cxsteward.config import Settings
from cxsteward.services.accounts.users import add_user
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import create_app
from cxsteward.web.auth import PUBLIC
from cxsteward.web.csrf import CSRF_COOKIE
from cxsteward.web.security import CSP, HEADERS, PUBLIC_FORM_MAX_BYTES

LOGIN = {"username": "viewer", "password": password_of("viewer"), "next": "/"}


# --- CSRF -----------------------------------------------------------------------------


def test_sign_in_without_a_token_is_refused(anon_client: TestClient) -> None:
    anon_client.get("/login")
    response = anon_client.post("/login", data=LOGIN, follow_redirects=False)
    assert response.status_code == 403
    assert "This form has expired" in response.text


def test_sign_in_with_a_wrong_token_is_refused(anon_client: TestClient) -> None:
    anon_client.get("/login")
    data = {**LOGIN, "csrf_token": "0" * 64}
    assert anon_client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_sign_in_token_from_another_browser_is_refused(
    anon_client: TestClient, make_client: Callable[..., TestClient]
) -> None:
    attacker = make_client()
    stolen = csrf_of(attacker.get("/login"))  # valid for the attacker's cookie only
    anon_client.get("/login")
    data = {**LOGIN, "csrf_token": stolen}
    assert anon_client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_sign_in_token_without_its_cookie_is_refused(anon_client: TestClient) -> None:
    token = csrf_of(anon_client.get("/login"))
    anon_client.cookies.delete(CSRF_COOKIE)
    data = {**LOGIN, "csrf_token": token}
    assert anon_client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_sign_in_with_its_token_goes_through(anon_client: TestClient) -> None:
    token = csrf_of(anon_client.get("/login"))
    data = {**LOGIN, "csrf_token": token}
    assert anon_client.post("/login", data=data, follow_redirects=False).status_code == 303


@pytest.mark.parametrize("token", [None, "", "wrong-token"], ids=["missing", "empty", "wrong"])
def test_signed_in_post_needs_the_session_token(client: TestClient, token: str | None) -> None:
    data = {"role": "analyst"} if token is None else {"role": "analyst", "csrf_token": token}
    response = client.post("/admin/users/viewer/role", data=data, follow_redirects=False)
    assert response.status_code == 403


def test_signed_in_post_with_the_session_token_goes_through(client: TestClient) -> None:
    token = csrf_of(client.get("/admin/users"))
    data = {"role": "analyst", "csrf_token": token}
    response = client.post("/admin/users/viewer/role", data=data, follow_redirects=False)
    assert response.status_code == 303


def test_the_token_may_come_in_the_htmx_header(client: TestClient) -> None:
    page = client.get("/")
    token = csrf_of(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page.text
    response = client.post(
        "/admin/users/viewer/role",
        data={"role": "analyst"},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_a_session_token_does_not_work_for_another_session(
    client_for: Callable[[str], TestClient],
) -> None:
    other = csrf_of(client_for("admin").get("/"))
    mine = client_for("admin")
    data = {"role": "analyst", "csrf_token": other}
    assert mine.post("/admin/users/viewer/role", data=data).status_code == 403


def test_json_posts_need_a_token_too(client: TestClient) -> None:
    response = client.post("/admin/users/viewer/role", json={"role": "analyst"})
    assert response.status_code == 403


# --- headers --------------------------------------------------------------------------


def assert_secured(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in HEADERS.items():
        assert headers[name] == value, name
    # Sent only when the app is told it is served over TLS (test_proxy_and_tls.py).
    assert "strict-transport-security" not in headers


@pytest.mark.parametrize(
    "path",
    ["/", "/login", "/no-such-page", "/admin/users", "/static/css/app.css", "/api/v1/me"],
)
def test_every_response_carries_the_security_headers(
    client_for: Callable[[str], TestClient], anon_client: TestClient, path: str
) -> None:
    for response in (
        anon_client.get(path, follow_redirects=False),
        client_for("viewer").get(path, follow_redirects=False),
    ):
        assert_secured(response)


def test_the_csp_forbids_inline_code() -> None:
    assert "script-src 'self';" in CSP and "'unsafe-inline'" not in CSP
    assert "frame-ancestors 'none'" in CSP and "object-src 'none'" in CSP


def test_pages_are_not_cached_but_static_files_may_be(client: TestClient) -> None:
    assert client.get("/").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/css/app.css").headers.get("cache-control", "")


def test_an_unexpected_error_is_a_plain_500_page_with_the_headers(
    settings: Settings, web_ws: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)
    broken = APIRouter()

    @broken.get("/broken", dependencies=[PUBLIC])
    def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(broken)
    with TestClient(app, base_url=BASE_URL) as client:
        response = client.get("/broken")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "unexpected error" in response.text
    assert_secured(response)
    assert "secret internals" in caplog.text


# --- cookies --------------------------------------------------------------------------


def cookie_header(response: object, name: str) -> str:
    for value in response.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        if value.startswith(f"{name}="):
            return str(value)
    raise AssertionError(f"no {name} cookie set")


def test_session_cookie_is_httponly_secure_and_lax(anon_client: TestClient) -> None:
    token = csrf_of(anon_client.get("/login"))
    response = anon_client.post(
        "/login", data={**LOGIN, "csrf_token": token}, follow_redirects=False
    )
    flags = [
        part.strip().lower() for part in cookie_header(response, "cxsteward_session").split(";")
    ]
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= set(flags)


def test_form_cookie_is_httponly_secure_and_lax(anon_client: TestClient) -> None:
    flags = cookie_header(anon_client.get("/login"), CSRF_COOKIE).split("; ")
    assert {"HttpOnly", "Secure", "SameSite=Lax", "Path=/"} <= set(flags)


def test_secure_flag_can_be_turned_off_for_plain_http(
    settings: Settings, web_ws: Workspace
) -> None:
    plain = settings.model_copy(update={"secure_cookies": False})
    with TestClient(create_app(plain), base_url="http://testserver") as client:
        flags = cookie_header(client.get("/login"), CSRF_COOKIE).split("; ")
    assert "Secure" not in flags and "HttpOnly" in flags


# --- escaping -------------------------------------------------------------------------


def test_a_hostile_display_name_is_shown_as_text(web_ws: Workspace, client: TestClient) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    add_user(web_ws, "mallory", "long-enough-password", "viewer", hostile)
    page = client.get("/admin/users").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    )


# --- public limits --------------------------------------------------------------------


def test_public_posts_over_the_size_limit_get_413(anon_client: TestClient) -> None:
    token = csrf_of(anon_client.get("/login"))
    data = {**LOGIN, "csrf_token": token, "padding": "x" * PUBLIC_FORM_MAX_BYTES}
    response = anon_client.post("/login", data=data)
    assert response.status_code == 413
    assert f"{PUBLIC_FORM_MAX_BYTES // 1024} KB" in response.text
    assert_secured(response)


def test_public_posts_under_the_size_limit_pass(anon_client: TestClient) -> None:
    token = csrf_of(anon_client.get("/login"))
    data = {**LOGIN, "csrf_token": token, "padding": "x" * (PUBLIC_FORM_MAX_BYTES // 2)}
    assert anon_client.post("/login", data=data, follow_redirects=False).status_code == 303


@pytest.mark.usefixtures("one_rate_window")
def test_sign_ins_past_the_rate_limit_get_429(settings: Settings, web_ws: Workspace) -> None:
    limited = settings.model_copy(update={"sign_ins_per_minute": 3})
    with TestClient(create_app(limited), base_url=BASE_URL) as client:
        token = csrf_of(client.get("/login"))
        wrong = {**LOGIN, "password": "wrong-password-123", "csrf_token": token}
        statuses = [client.post("/login", data=wrong).status_code for _ in range(4)]
        assert statuses == [400, 400, 400, 429]
        refused = client.post("/login", data={**LOGIN, "csrf_token": token})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "Too many requests" in refused.text
    assert_secured(refused)


@pytest.mark.usefixtures("one_rate_window")
def test_the_rate_limit_is_shared_between_app_instances(
    settings: Settings, web_ws: Workspace
) -> None:
    """Two apps on one registry (two workers) count together."""
    limited = settings.model_copy(update={"sign_ins_per_minute": 2})
    with (
        TestClient(create_app(limited), base_url=BASE_URL) as first,
        TestClient(create_app(limited), base_url=BASE_URL) as second,
    ):
        token = csrf_of(first.get("/login"))
        data = {**LOGIN, "password": "wrong-password-123", "csrf_token": token}
        assert first.post("/login", data=data).status_code == 400
        assert first.post("/login", data=data).status_code == 400
        assert second.post("/login", data=data).status_code == 429


def test_signed_in_posts_are_not_rate_limited(
    settings: Settings, web_ws: Workspace, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("admin")
    token = csrf_of(client.get("/admin/users"))
    for _ in range(settings.sign_ins_per_minute + 2):
        response = client.post(
            "/admin/users/viewer/role",
            data={"role": "viewer", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
