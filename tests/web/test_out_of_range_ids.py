"""Every HTML route with an integer in its path answers 404 to an id that cannot exist.

The routes are found by walking the app, not listed, so a new page with an id is covered
the day it is added. Ids past the registry's integer range used to reach the database and
come back as a 500 (SQLite cannot bind 2**63; PostgreSQL refuses 2**31 for an integer key).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from trust_fixtures import declare
from web_helpers import TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.services.trust.reviews import submit_review_request
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import all_routes, create_app
from cxsteward.web.deps import MAX_ID

HUGE = (2**63, 10**30, MAX_ID + 1)
NEGATIVE = (-1, 0)


def integer_routes() -> list[tuple[str, str, list[str]]]:
    """(method, path, integer parameter names) of every non-API route with one."""
    app = create_app(Settings(workspace=Path("unused-workspace")))
    found = []
    for route in all_routes(app):
        dependant = getattr(route, "dependant", None)
        if dependant is None or route.path.startswith("/api/"):
            continue
        names = [p.name for p in dependant.path_params if p.field_info.annotation is int]
        for method in sorted(route.methods or ()):
            if names:
                found.append((method, route.path, names))
    return found


ROUTES = integer_routes()
ROUTE_IDS = [f"{method} {path}" for method, path, _ in ROUTES]


def test_the_walk_finds_the_known_id_routes() -> None:
    paths = {path for _, path, _ in ROUTES}
    # A floor, not the list: the walk must at least see these (it found none once).
    for expected in (
        "/reviews/{review_id:int}",
        "/incidents/{incident_id}",
        "/monitoring/runs/{run_id}",
        "/feedback/{feedback_id:int}",
        "/admin/tokens/{token_id}/revoke",
    ):
        assert expected in paths
    assert len(ROUTES) >= 20


def fill(path: str, names: list[str], value: int) -> str:
    for name in names:
        path = path.replace(f"{{{name}:int}}", str(value)).replace(f"{{{name}}}", str(value))
    return path


@pytest.mark.parametrize(("method", "path", "names"), ROUTES, ids=ROUTE_IDS)
def test_out_of_range_ids_get_404(
    client: TestClient, method: str, path: str, names: list[str]
) -> None:
    token = csrf_of(client.get("/admin/users"))
    for value in (*HUGE, *NEGATIVE):
        response = client.request(method, fill(path, names, value), headers={"x-csrf-token": token})
        assert response.status_code == 404, (value, response.status_code, response.text[:300])
        assert "Not found" in response.text


def test_an_id_in_range_that_does_not_exist_is_404_too(client: TestClient) -> None:
    for path in ("/reviews/999999", "/incidents/999999", "/monitoring/runs/999999"):
        assert client.get(path).status_code == 404, path


def test_an_id_in_range_that_exists_is_served(client: TestClient, web_ws: Workspace) -> None:
    declare(web_ws)
    receipt = submit_review_request(web_ws, "support-chat", "Refund refused.", "a@example.com")
    assert client.get(f"/reviews/{receipt.id}").status_code == 200
    assert client.get(f"/incidents/{receipt.incident_id}").status_code == 200
