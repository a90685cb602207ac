"""One permission table for pages and API: every route x every role, over HTTP, on both.

Three checks: each page and API endpoint doing the same thing declare the same permission
(PAIRS, with every API route either paired or named in API_ONLY); every route answers
"not allowed" to exactly the roles the table (``MATRIX``) leaves out; and, walked with a
session and a token of each role, each pair refuses the same roles. Frontline could once
take a review request through the API but not through the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from web_helpers import TestClient, csrf_of

from cxsteward.config import Settings
from cxsteward.domain.access import Permission, Role, allows
from cxsteward.services.accounts.api_tokens import create_token
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import all_routes, create_app
from cxsteward.web.auth import Requirement, route_access

# (page, API endpoint) doing the same thing, as "METHOD path" in the routers' own spelling.
PAIRS = [
    ("GET /", "GET /api/v1/me"),
    ("GET /assessment", "GET /api/v1/assessments/cycles"),
    ("GET /assessment/{cycle}", "GET /api/v1/assessments/cycles/{cycle}/report"),
    ("GET /registry", "GET /api/v1/registry/governance"),
    ("GET /registry", "GET /api/v1/registry/check"),
    ("GET /registry/deployments", "GET /api/v1/registry/deployments"),
    ("GET /registry/deployments/{key}", "GET /api/v1/registry/deployments/{key}"),
    (
        "POST /registry/deployments/{key}/status",
        "POST /api/v1/registry/deployments/{key}/transitions",
    ),
    ("GET /monitoring", "GET /api/v1/monitoring/runs"),
    ("GET /adoption", "GET /api/v1/monitoring/adoption"),
    # The adoption page draws each team's weekly trend.
    ("GET /adoption", "GET /api/v1/monitoring/adoption/weeks"),
    ("GET /monitoring/runs/{run_id}", "GET /api/v1/monitoring/runs/{run_id}"),
    # The run's page lists each of its findings (anchored #finding-ID).
    ("GET /monitoring/runs/{run_id}", "GET /api/v1/monitoring/findings/{finding_id}"),
    ("GET /incidents", "GET /api/v1/incidents"),
    ("GET /incidents/{incident_id}", "GET /api/v1/incidents/{incident_id}"),
    (
        "POST /incidents/{incident_id}/acknowledge",
        "POST /api/v1/incidents/{incident_id}/acknowledge",
    ),
    ("POST /incidents/{incident_id}/status", "POST /api/v1/incidents/{incident_id}/status"),
    (
        "POST /incidents/{incident_id}/decisions",
        "POST /api/v1/incidents/{incident_id}/decisions",
    ),
    ("GET /reviews", "GET /api/v1/reviews"),
    ("GET /reviews/{review_id:int}", "GET /api/v1/reviews/{review_id}"),
    ("POST /reviews/{review_id:int}/start", "POST /api/v1/reviews/{review_id}/start"),
    ("POST /reviews/{review_id:int}/resolve", "POST /api/v1/reviews/{review_id}/resolve"),
    ("GET /feedback/triage", "GET /api/v1/feedback"),
    ("GET /feedback/{feedback_id:int}", "GET /api/v1/feedback/{feedback_id}"),
    ("POST /feedback", "POST /api/v1/feedback"),
    ("POST /feedback/{feedback_id:int}/triage", "POST /api/v1/feedback/{feedback_id}/triage"),
    ("POST /feedback/{feedback_id:int}/act", "POST /api/v1/feedback/{feedback_id}/close"),
    ("POST /feedback/{feedback_id:int}/decline", "POST /api/v1/feedback/{feedback_id}/close"),
    ("GET /crosswalk", "GET /api/v1/crosswalk"),
    # The monitoring deployment page draws the scorecard and each key metric's trend.
    ("GET /monitoring/deployments/{key}", "GET /api/v1/monitoring/scorecard"),
    ("GET /monitoring/deployments/{key}", "GET /api/v1/monitoring/trends"),
    ("GET /monitoring/deployments/{key}", "GET /api/v1/monitoring/trust"),
    ("GET /pack", "GET /api/v1/packs"),
    ("GET /pack/{pack_id:int}", "GET /api/v1/packs/{pack_id}"),
    ("POST /pack", "POST /api/v1/packs"),
    # The deployment page shows the gate and its kept evaluations.
    ("GET /registry/deployments/{key}", "GET /api/v1/registry/deployments/{key}/gate"),
    # The training page shows the modules, the coverage and who completed what.
    ("GET /training", "GET /api/v1/training/coverage"),
    ("GET /training", "GET /api/v1/training/modules"),
    ("GET /training", "GET /api/v1/training/completions"),
    ("POST /training/completions", "POST /api/v1/training/completions"),
    ("POST /training/imports", "POST /api/v1/training/imports"),
    # The consent page shows the check and the notices in force; its form records a choice.
    ("GET /consent", "GET /api/v1/consent/check"),
    ("GET /consent", "GET /api/v1/consent/notices"),
    ("POST /consent/choices", "POST /api/v1/consent/choices"),
    ("POST /consent/notices", "POST /api/v1/consent/notices"),
]
# API endpoints with no page doing the same; each says why.
API_ONLY = {
    # Monitoring runs start from the CLI or a scheduler; the pages show their results.
    "POST /api/v1/monitoring/runs": "monitoring:manage",
    # Shown as a section of a page open to more roles: the overview's headline (to those
    # holding monitoring:view) and the deployment page's model-change panel (registry:view,
    # held by the same roles); test_behind_pages checks each role there.
    "GET /api/v1/monitoring/behind": "monitoring:view",
    "GET /api/v1/data/freshness": "monitoring:view",
    "GET /api/v1/monitoring/model-changes": "monitoring:view",
    # The deployment page judges the gate on every view without keeping it; a kept
    # evaluation is read by id from the CLI (`gate --show`) or the pack.
    "POST /api/v1/registry/deployments/{key}/gate": "registry:view",
    "GET /api/v1/registry/gate-evaluations/{evaluation_id}": "registry:view",
    # The page shows issued packs; a preview is built on request (CLI `pack --preview`).
    "GET /api/v1/packs/preview": "pack:view",
    # The consent page lists the latest choices in a section shown to consent:manage only
    # (customer ids); choices are withdrawn from the CLI or the API.
    "GET /api/v1/consent/choices": "consent:manage",
    "POST /api/v1/consent/choices/{choice_id}/withdraw": "consent:manage",
}
DENIED = "does not include the permission"


@dataclass(frozen=True)
class Guarded:
    """A route that needs a permission."""

    method: str
    path: str
    permission: Permission
    api: bool

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def guarded_routes() -> dict[str, Guarded]:
    app = create_app(Settings(workspace=Path("unused-workspace")))
    found: dict[str, Guarded] = {}
    for route in all_routes(app):
        needs = [a for a in route_access(route) if isinstance(a, Requirement)]
        for method in route.methods or ():
            for need in needs:
                guarded = Guarded(method, route.path, need.permission, need.api)
                found[guarded.name] = guarded
    return found


ROUTES = guarded_routes()


def test_the_pairs_name_real_routes_and_cover_the_api() -> None:
    for page, endpoint in PAIRS:
        assert page in ROUTES and not ROUTES[page].api, page
        assert endpoint in ROUTES and ROUTES[endpoint].api, endpoint
    paired = {endpoint for _, endpoint in PAIRS}
    api = {name for name, route in ROUTES.items() if route.api}
    assert api - paired == set(API_ONLY), "pair each new API endpoint with its page"
    for name, permission in API_ONLY.items():
        assert ROUTES[name].permission.value == permission


@pytest.mark.parametrize(("page", "endpoint"), PAIRS, ids=[f"{p} = {e}" for p, e in PAIRS])
def test_a_page_and_its_endpoint_declare_the_same_permission(page: str, endpoint: str) -> None:
    assert ROUTES[page].permission == ROUTES[endpoint].permission


def fill(path: str) -> str:
    """Placeholders become values that name nothing: the answer is then allow or deny only."""
    for part in path.split("/"):
        if part.startswith("{"):
            numeric = ":int}" in part or part.endswith("_id}") or part == "{number}"
            path = path.replace(part, "999999" if numeric else "no-such-thing")
    return path


@dataclass
class Callers:
    """A signed-in client and an API token for each role, on one workspace."""

    pages: dict[Role, TestClient]
    csrf: dict[Role, str]
    tokens: dict[Role, str]
    api: TestClient

    def call(self, route: Guarded, role: Role) -> tuple[int, str]:
        if route.api:
            headers = {"Authorization": f"Bearer {self.tokens[role]}"}
            response = self.api.request(route.method, fill(route.path), headers=headers)
        else:
            headers = {"x-csrf-token": self.csrf[role]}
            client = self.pages[role]
            response = client.request(
                route.method, fill(route.path), headers=headers, follow_redirects=False
            )
        return response.status_code, response.text


@pytest.fixture
def callers(
    client_for: Callable[[str], TestClient],
    anon_client: TestClient,
    web_ws: Workspace,
) -> Iterator[Callers]:
    pages = {role: client_for(role.value) for role in Role}
    csrf = {role: csrf_of(client.get("/feedback/follow")) for role, client in pages.items()}
    tokens = {role: create_token(web_ws, role.value, "parity").token for role in Role}
    yield Callers(pages, csrf, tokens, anon_client)


def refused(status: int, text: str) -> bool:
    return status == 403 and DENIED in text


def test_every_route_refuses_exactly_the_roles_the_table_leaves_out(callers: Callers) -> None:
    wrong = []
    for route in ROUTES.values():
        for role in Role:
            status, text = callers.call(route, role)
            assert status < 500, (route.name, role, status, text[:300])
            if refused(status, text) == allows(role, route.permission):
                wrong.append(f"{route.name} as {role.value}: {status}")
    assert wrong == []


def test_each_page_and_its_endpoint_refuse_the_same_roles(callers: Callers) -> None:
    different = []
    for page, endpoint in PAIRS:
        for role in Role:
            on_page = refused(*callers.call(ROUTES[page], role))
            on_api = refused(*callers.call(ROUTES[endpoint], role))
            if on_page != on_api:
                different.append(f"{role.value}: page {page} {on_page}, API {endpoint} {on_api}")
    assert different == []


def test_frontline_takes_a_review_request_on_the_page_as_in_the_api(callers: Callers) -> None:
    assert allows(Role.FRONTLINE, Permission.REVIEW_CLAIM)
    page = ROUTES["POST /reviews/{review_id:int}/start"]
    endpoint = ROUTES["POST /api/v1/reviews/{review_id}/start"]
    for route in (page, endpoint):
        status, text = callers.call(route, Role.FRONTLINE)
        assert (status, refused(status, text)) == (404, False), route.name
        status, text = callers.call(route, Role.VIEWER)
        assert refused(status, text), route.name
