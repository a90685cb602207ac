"""Route by role: every page answers 200 to the roles the matrix allows, 403 to the others,
and sends anonymous visitors to the sign-in page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from web_helpers import TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.domain.access import Role, allows
from cxsteward.web.app import all_routes, create_app
from cxsteward.web.auth import Requirement, route_access
from cxsteward.web.deps import Permission

PAGES: list[tuple[str, Permission]] = [
    ("/", Permission.OVERVIEW_VIEW),
    ("/admin/users", Permission.USERS_MANAGE),
    ("/admin/tokens", Permission.TOKENS_MANAGE),
]
CASES = [(path, permission, role) for path, permission in PAGES for role in Role]


@pytest.mark.parametrize(
    ("path", "permission", "role"), CASES, ids=[f"{p}-{r.value}" for p, _, r in CASES]
)
def test_page_by_role(
    client_for: Callable[[str], TestClient], path: str, permission: Permission, role: Role
) -> None:
    response = client_for(role.value).get(path, follow_redirects=False)
    expected = 200 if allows(role, permission) else 403
    assert response.status_code == expected, response.text[:300]
    if expected == 403:
        assert permission.value in response.text


@pytest.mark.parametrize("path", [p for p, _ in PAGES])
def test_anonymous_visitors_go_to_sign_in(anon_client: TestClient, path: str) -> None:
    response = anon_client.get(path, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == f"/login?next={path}"


def test_the_table_above_covers_every_page_of_mine(settings: Settings) -> None:
    # Pages other modules add are checked by the generic test below.
    app = create_app(settings)
    declared = {
        r.path: access.permission
        for r in all_routes(app)
        if "GET" in (r.methods or ())
        for access in route_access(r)
        if isinstance(access, Requirement) and not access.api and "{" not in r.path
    }
    for path, permission in PAGES:
        assert declared[path] == permission


def test_every_parameterless_page_by_role(
    settings: Settings, client_for: Callable[[str], TestClient], anon_client: TestClient
) -> None:
    """Whatever pages exist (others add theirs), each obeys the matrix for each role."""
    app = create_app(settings)
    pages = [
        (r.path, access.permission)
        for r in all_routes(app)
        if "GET" in (r.methods or ()) and "{" not in r.path
        for access in route_access(r)
        if isinstance(access, Requirement) and not access.api
    ]
    clients = {role: client_for(role.value) for role in Role}
    wrong = []
    for path, permission in pages:
        anonymous = anon_client.get(path, follow_redirects=False)
        if anonymous.status_code != 302 or not anonymous.headers["location"].startswith("/login"):
            wrong.append(f"anonymous {path}: {anonymous.status_code}")
        for role, client in clients.items():
            response = client.get(path, follow_redirects=False)
            allowed = allows(role, permission)
            # A page may redirect elsewhere on the site, never to sign-in: they are in.
            to_login = response.headers.get("location", "").startswith("/login")
            if (response.status_code == 403) == allowed or to_login or response.status_code >= 500:
                wrong.append(f"{role.value} {path}: {response.status_code} (allowed: {allowed})")
    assert wrong == []


@pytest.mark.parametrize(
    ("path", "permission"),
    [
        ("/admin/users", Permission.USERS_MANAGE),
        ("/admin/tokens", Permission.TOKENS_MANAGE),
        ("/admin/users/viewer/disable", Permission.USERS_MANAGE),
        ("/admin/tokens/1/revoke", Permission.TOKENS_MANAGE),
    ],
)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_posts_by_role(
    client_for: Callable[[str], TestClient], path: str, permission: Permission, role: Role
) -> None:
    client = client_for(role.value)
    token = _session_csrf(client)
    response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    if allows(role, permission):
        assert response.status_code != 403, response.text[:300]
    else:
        assert response.status_code == 403


def _session_csrf(client: TestClient) -> str:
    return csrf_of(client.get("/"))
