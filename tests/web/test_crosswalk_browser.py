"""The crosswalk page in Debian's Chromium: axe-core finds no violation, collapsed or open.

Signed in as the demo's frontline agent, the least privileged staff role that may read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from walkthrough_fixtures import Site, password_for, site_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is missing at {AXE}: run `npm ci --prefix tests/web/axe` "
            "(./dev test does it).",
            pytrace=False,
        )
    return AXE.read_text("utf-8")


def run_axe(page: Page) -> list[dict[str, Any]]:
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
    ]


@pytest.fixture(name="page")
def page_fixture(chromium_browser: Browser, site: Site) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe_source())
    page = context.new_page()
    page.goto(site.url + "/login")
    page.get_by_label("Username").fill("marco-ricci")
    page.get_by_label("Password").fill(password_for("marco-ricci"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site.url + "/")
    yield page
    context.close()


def test_the_crosswalk_page_has_no_violations(site: Site, page: Page, tmp_path: Path) -> None:
    page.get_by_role("link", name="Crosswalk").click()
    page.wait_for_url(site.url + "/crosswalk")
    assert page.get_by_role("heading", level=2).count() == 4
    found: dict[str, Any] = {}
    if violations := run_axe(page):
        found["all frameworks"] = violations
    page.get_by_role("link", name="EU AI Act (Regulation (EU) 2024/1689)").click()
    page.wait_for_url(site.url + "/crosswalk?framework=eu_ai_act")
    # The tour's screenshot (docs/screenshots/web-crosswalk.png) is this one.
    page.screenshot(path=str(tmp_path / "web-crosswalk.png"))
    row = page.locator('tr[data-clause="Art. 26(5)"]')
    row.get_by_text("What is missing").click()
    assert row.locator("details").get_attribute("open") is not None
    assert row.locator(".missing-list li").count() >= 1
    if violations := run_axe(page):
        found["EU AI Act, details open"] = violations
    assert found == {}, json.dumps(found, indent=1)
