"""Registry pages: every route by every role, and CSRF on every form (issue 5, C3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_fixtures import ROLES, Site, open_site, token_for

from cxsteward.services.governance.check import check_governance
from cxsteward.services.governance.setup import current_governance, export_governance

VIEW = {"admin": 200, "committee": 200, "analyst": 200, "frontline": 403, "viewer": 200}
EDIT = {"admin": 200, "committee": 200, "analyst": 403, "frontline": 403, "viewer": 403}

VIEW_PAGES = [
    "/registry",
    "/registry/export",
    "/registry/deployments",
    "/registry/deployments/billing-voice",
    "/registry/people",
    "/registry/committee",
    "/registry/decision-rights",
    "/registry/accountability",
    "/registry/protocols",
    "/registry/vendors",
    "/registry/templates",
    "/registry/roadmap",
    "/registry/knowledge-base",
]
EDIT_PAGES = [
    "/registry/deployments/new",
    "/registry/deployments/billing-voice/edit",
    "/registry/people/new",
    "/registry/people/dev-raman/edit",
    "/registry/accountability/new",
    "/registry/accountability/4/edit",
    "/registry/protocols/sev2/edit",
    "/registry/vendors/new",
    "/registry/vendors/lumen-ai/edit",
    "/registry/vendors/parlance-voice/clauses/bias_audit_access",
    "/registry/templates/new",
    "/registry/templates/billing-correction/edit",
]
# Each form posted with a value the service refuses: an allowed role gets the form back
# (422) and the registry stays as it was, so one shared workspace serves every case.
POSTS: list[tuple[str, dict[str, str], dict[str, int]]] = [
    ("/registry/start", {"organization": "Other"}, {}),
    ("/registry/deployments/new", {"key": "x", "name": ""}, {}),
    ("/registry/deployments/billing-voice/edit", {"name": ""}, {}),
    ("/registry/deployments/billing-voice/status", {"status": "production", "reason": ""}, {}),
    ("/registry/deployments/billing-voice/models", {"model": "m", "version": "v"}, {}),
    ("/registry/people/new", {"key": "Bad Key", "name": "A"}, {}),
    ("/registry/people/dev-raman/edit", {"name": ""}, {}),
    ("/registry/committee/meetings", {"held_on": "yesterday"}, {}),
    ("/registry/roadmap/reviews", {"held_on": "2025-13-01"}, {}),
    ("/registry/accountability/new", {"metric": ""}, {}),
    ("/registry/accountability/4/edit", {"metric": "escalation_rate", "acts": "ghost"}, {}),
    ("/registry/protocols/sev2/edit", {"respond_within_hours": "soon"}, {}),
    ("/registry/vendors/new", {"key": "lumen-ai", "name": "Again"}, {}),
    ("/registry/vendors/lumen-ai/edit", {"name": ""}, {}),
    ("/registry/vendors/lumen-ai/clauses/transparency", {"status": "signed"}, {}),
    ("/registry/templates/new", {"key": "t", "incident_type": "x", "text": ""}, {}),
    ("/registry/templates/service-paused/edit", {"incident_type": "", "text": "x"}, {}),
    # Approving needs a signed-in registry person; none of the role users is one, so every
    # role is refused (403) whatever ``by`` says (test_registry_forms covers a person approving).
    (
        "/registry/templates/billing-correction/approve",
        {"by": "lena-fischer"},
        {"admin": 403, "committee": 403},
    ),
]
POST_EXPECT = {"admin": 422, "committee": 422, "analyst": 403, "frontline": 403, "viewer": 403}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with open_site(Path(tmp_path_factory.mktemp("registry"))) as built:
        yield built


@pytest.fixture(scope="module")
def before(site: Site) -> str:
    return export_governance(site.ws)


def _expected(table: dict[str, int], role: str) -> int:
    return 302 if role == "anonymous" else table[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("path", "table"),
    [(p, VIEW) for p in VIEW_PAGES] + [(p, EDIT) for p in EDIT_PAGES],
    ids=[*VIEW_PAGES, *EDIT_PAGES],
)
def test_get_route_by_role(site: Site, path: str, table: dict[str, int], role: str) -> None:
    response = site.clients[role].get(path, follow_redirects=False)
    assert response.status_code == _expected(table, role), response.text[:400]
    if response.status_code == 302:
        assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "form", "override"), POSTS, ids=[p for p, _, _ in POSTS])
def test_post_route_by_role(
    site: Site, before: str, path: str, form: dict[str, str], override: dict[str, int], role: str
) -> None:
    client = site.clients[role]
    expected = 303 if role == "anonymous" else override.get(role, POST_EXPECT[role])
    if path == "/registry/start" and role in ("admin", "committee"):
        expected = 409  # a registry exists already: refused as a conflict
    response = client.post(
        path, data={**form, "csrf_token": token_for(client)}, follow_redirects=False
    )
    assert response.status_code == expected, response.text[:600]
    assert export_governance(site.ws) == before


@pytest.mark.parametrize(("path", "form", "override"), POSTS, ids=[p for p, _, _ in POSTS])
def test_post_without_csrf_is_refused(
    site: Site, before: str, path: str, form: dict[str, str], override: dict[str, int]
) -> None:
    response = site.clients["admin"].post(path, data=form, follow_redirects=False)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert export_governance(site.ws) == before


def test_export_downloads_the_stored_governance(site: Site) -> None:
    response = site.clients["viewer"].get("/registry/export")
    assert response.headers["content-disposition"] == 'attachment; filename="governance.yaml"'
    assert response.text == export_governance(site.ws)
    assert current_governance(site.ws).organization in response.text


def test_index_shows_the_chain_check_counts(site: Site) -> None:
    report = check_governance(site.ws)
    blocking = sum(g.blocking for g in report.gaps)
    page = site.clients["viewer"].get("/registry").text
    assert f">{blocking} blocking<" in page
    assert f">{report.counts.warnings} warning" in page
    for gap in report.gaps:
        assert gap.rule in page
