"""axe-core over the overview's headline and a deployment page's model changes and gap summary.

The workspace holds synthetic contacts (the planted billing complaint gap and the v1 -> v2
switch), the example governance and one monitoring run, served over HTTP to Debian's
Chromium; the stale-data warning, the headlines and the opened gap groups are all checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from monitoring_fixtures import monitored_workspace
from playwright.sync_api import Browser, Page, expect
from registry_fixtures import apply_example
from test_accessibility import axe_source, run_axe
from web_helpers import password_of, serve_app

from cxsteward.domain.access import Role
from cxsteward.services.monitoring.behind import behind_humans
from cxsteward.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", name="served")
def served_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    ws, _ = monitored_workspace(tmp_path_factory.mktemp("axe-behind"))
    try:
        apply_example(ws)
        headlines = [i.headline for i in behind_humans(ws).items]
        with serve_app(create_app(ws.settings), "axe behind server") as url:
            yield url, headlines
    finally:
        ws.close()


@pytest.fixture(name="page")
def page_fixture(chromium_browser: Browser, served: tuple[str, list[str]]) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe_source())
    page = context.new_page()
    url, _ = served
    page.goto(url + "/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(password_of(Role.ADMIN))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")
    yield page
    context.close()


def test_the_overview_headline_has_no_violations(page: Page, served: tuple[str, list[str]]) -> None:
    url, headlines = served
    page.goto(url + "/")
    section = page.get_by_test_id("overview-behind")
    expect(section.get_by_role("heading", name="Where the AI is behind humans")).to_be_visible()
    for headline in headlines:
        expect(section.get_by_role("link", name=headline)).to_be_visible()
    # The synthetic contacts end in March 2025: the warning is words, not a colour.
    expect(page.get_by_test_id("data-stale")).to_contain_text("Stale data:")
    assert run_axe(page) == [], json.dumps(run_axe(page), indent=1)


def test_the_deployment_page_has_no_violations_with_gaps_open(
    page: Page, served: tuple[str, list[str]]
) -> None:
    url, _ = served
    page.goto(url + "/registry/deployments/support-chat")
    panel = page.get_by_test_id("model-changes")
    expect(
        panel.get_by_role("heading", name="What changed with each model version")
    ).to_be_visible()
    expect(panel.get_by_role("table")).to_contain_text("Escalations")
    groups = page.get_by_test_id("gap-group")
    assert groups.count() >= 2
    first = groups.first
    expect(first.locator("ul.problems")).to_be_hidden()
    first.locator("summary").click()
    expect(first.locator("ul.problems")).to_be_visible()
    assert run_axe(page) == [], json.dumps(run_axe(page), indent=1)
