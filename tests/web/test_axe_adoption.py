"""axe-core over the adoption page, per team and per agent, in Debian's Chromium: the funnel
plots and the weekly trends are images with a title and a description, with their tables."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from monitoring_fixtures import monitored_workspace
from playwright.sync_api import Browser, Page, expect
from test_accessibility import axe_source, run_axe
from web_helpers import password_of, serve_app

from cxsteward.domain.access import Role
from cxsteward.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", name="url")
def url_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ws, _ = monitored_workspace(tmp_path_factory.mktemp("axe-adoption"))
    try:
        with serve_app(create_app(ws.settings), "axe adoption server") as url:
            yield url
    finally:
        ws.close()


def _signed_in(browser: Browser, url: str, role: Role) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe_source())
    page = context.new_page()
    page.goto(url + "/login")
    page.get_by_label("Username").fill(role.value)
    page.get_by_label("Password").fill(password_of(role))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")
    return page


def test_the_team_page_has_no_violations(chromium_browser: Browser, url: str) -> None:
    page = _signed_in(chromium_browser, url, Role.VIEWER)
    try:
        page.get_by_role("link", name="Adoption").click()
        page.wait_for_url(url + "/adoption")
        expect(
            page.get_by_role("heading", name="Staff adoption of the AI assistant")
        ).to_be_visible()
        expect(page.get_by_test_id("adoption-flags")).to_contain_text("Team t5")
        funnel = page.get_by_role("img", name="Override rate per team against its funnel limits")
        expect(funnel).to_be_visible()
        assert page.get_by_role("img", name="assist and override rates per week").count() == 5
        expect(page.get_by_role("link", name="Per agent")).to_have_count(0)
        assert run_axe(page) == [], json.dumps(run_axe(page), indent=1)
    finally:
        page.context.close()


def test_the_agent_page_has_no_violations(chromium_browser: Browser, url: str) -> None:
    page = _signed_in(chromium_browser, url, Role.ANALYST)
    try:
        page.goto(url + "/adoption")
        page.get_by_role("link", name="Per agent").click()
        page.wait_for_url(url + "/adoption?by=agent")
        funnel = page.get_by_role("img", name="Override rate per agent against its funnel limits")
        expect(funnel).to_be_visible()
        expect(page.get_by_role("table").first).to_contain_text("t5-a")
        assert run_axe(page) == [], json.dumps(run_axe(page), indent=1)
    finally:
        page.context.close()
