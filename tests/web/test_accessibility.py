"""axe-core over every page of the app, in Debian's Chromium: zero violations.

The public pages are checked signed out, every other page signed in as the demo's admin
over the seeded demo workspace. Pages are found by walking the app's GET routes, so a new
page is checked the day it is added (or listed in NOT_PAGES with the reason it is not one).
axe-core comes from tests/web/axe (``npm ci`` there; ``./dev test`` runs it): a missing
copy fails the test, it never skips.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from walkthrough_fixtures import Site, password_for, site_fixture  # noqa: F401 - fixtures

from cxsteward.config import Settings
from cxsteward.services.assessment.invitations import create_invitations
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.incidents.lifecycle import list_incidents
from cxsteward.services.monitoring.baselines import list_baselines
from cxsteward.services.monitoring.runs import list_runs
from cxsteward.services.pack.build import build_pack
from cxsteward.services.pack.history import issue_pack
from cxsteward.services.people.feedback import submit_feedback
from cxsteward.services.trust.explanations import record_explanation
from cxsteward.services.trust.reviews import submit_review_request
from cxsteward.web.app import all_routes, create_app
from cxsteward.web.auth import is_public

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CYCLE = "2026-Q4"
# GET routes that answer with something other than an HTML page.
NOT_PAGES = {
    "/healthz": "JSON for load balancers",
    "/openapi.json": "the API's OpenAPI document",
    "/registry/export": "the governance YAML file, a download",
    "/logout": "POST only",
}


@dataclass(frozen=True)
class Seeded:
    """Values for every path placeholder, taken from the seeded demo."""

    values: dict[str, str]
    tracking_code: str


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is missing at {AXE}: run `npm ci --prefix tests/web/axe` "
            "(./dev test does it).",
            pytrace=False,
        )
    return AXE.read_text("utf-8")


@pytest.fixture(scope="module")
def seeded(site: Site) -> Seeded:
    ws = site.ws
    gov = current_governance(ws)
    deployment = next(d for d in gov.deployments if d.customer_facing)
    receipt = submit_review_request(ws, deployment.key, "The bot refused my refund.", "k@x.org")
    flag = submit_feedback(ws, deployment.key, "tone", "Curt reply.", by="marco-ricci")
    explanation = record_explanation(
        ws, deployment.key, "The order date decided it.", ["age"], "admin", review_id=receipt.id
    )
    (invitation,) = create_invitations(ws, CYCLE, "frontline", "admin", count=1)
    vendor = next(v for v in gov.vendors if v.clauses)
    pack = issue_pack(ws, build_pack(ws), "admin")
    values = {
        "deployment": deployment.key,
        "key": deployment.key,
        "cycle": CYCLE,
        "incident_id": str(list_incidents(ws)[0].id),
        "review_id": str(receipt.id),
        "feedback_id": str(flag.id),
        "explanation_id": str(explanation.id),
        "run_id": str(list_runs(ws)[0].id),
        "name": list_baselines(ws)[0].name,
        "number": "1",
        "severity": gov.protocols[0].severity,
        "token": invitation.token,
        "kind": str(vendor.clauses[0].kind.value),
        "pack_id": str(pack.id),
        # The pack's own HTML is a page; its PDF and Markdown are downloads.
        "fmt": "html",
    }
    return Seeded(values, receipt.tracking_code)


def page_paths(seeded: Seeded) -> tuple[list[str], list[str]]:
    """(public pages, signed-in pages), every GET route of the app with its placeholders filled."""
    app = create_app(Settings(workspace=Path("unused-workspace")))
    public, staff = [], []
    for route in all_routes(app):
        if "GET" not in (route.methods or ()) or route.path.startswith(("/api/", "/static")):
            continue
        if route.path in NOT_PAGES:
            continue
        path = route.path
        for name, value in seeded.values.items():
            path = path.replace(f"{{{name}:int}}", value).replace(f"{{{name}}}", value)
        assert "{" not in path, f"no value for a placeholder of {route.path}"
        (public if is_public(route) else staff).append(path)
    return sorted(set(public)), sorted(set(staff))


def run_axe(page: Page) -> list[dict[str, Any]]:
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
    ]


@pytest.fixture(scope="module")
def axe_page(chromium_browser: Browser) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    # An init script runs through the DevTools protocol, which the page's CSP does not govern.
    context.add_init_script(script=axe_source())
    page = context.new_page()
    yield page
    context.close()


def check(page: Page, url: str, found: dict[str, Any]) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 500, (url, response and response.status)
    violations = run_axe(page)
    if violations:
        found[url] = violations


def test_public_pages_have_no_violations(site: Site, seeded: Seeded, axe_page: Page) -> None:
    public, _ = page_paths(seeded)
    assert "/login" in public and "/review" in public
    found: dict[str, Any] = {}
    for path in [*public, "/no-such-page"]:
        check(axe_page, site.url + path, found)
    # Pages reached by sending a form: the receipt, a status, a form with its errors.
    axe_page.goto(site.url + "/review/status")
    axe_page.get_by_label("Tracking code").fill(seeded.tracking_code)
    axe_page.get_by_role("button", name="Show the status").click()
    axe_page.wait_for_load_state()
    if violations := run_axe(axe_page):
        found["status result"] = violations
    axe_page.goto(site.url + "/review")
    axe_page.get_by_role("button", name="Send my request").click()
    axe_page.wait_for_load_state()
    if violations := run_axe(axe_page):
        found["review form with errors"] = violations
    assert found == {}, json.dumps(found, indent=1)


def test_signed_in_pages_have_no_violations(site: Site, seeded: Seeded, axe_page: Page) -> None:
    _, staff = page_paths(seeded)
    assert len(staff) >= 30, staff
    axe_page.goto(site.url + "/login")
    axe_page.get_by_label("Username").fill("admin")
    axe_page.get_by_label("Password").fill(password_for("admin"))
    axe_page.get_by_role("button", name="Sign in").click()
    axe_page.wait_for_url(site.url + "/")
    found: dict[str, Any] = {}
    for path in staff:
        check(axe_page, site.url + path, found)
    assert found == {}, json.dumps(found, indent=1)


def test_axe_reports_a_planted_violation(site: Site, axe_page: Page) -> None:
    """A clean run means something: an image without alternative text is found."""
    axe_page.goto(site.url + "/login")
    axe_page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/none.png';"
        " document.querySelector('main').append(i); }"
    )
    assert "image-alt" in [v["id"] for v in run_axe(axe_page)]
