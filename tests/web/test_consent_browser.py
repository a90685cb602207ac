"""The consent page in Debian's Chromium: reached from the header, a choice recorded through
its form, a refusal announced; axe-core finds no violation at any step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_accessibility import axe_source, run_axe
from test_consent_pages import consent_ws as consent_ws  # noqa: F401 (fixture)
from web_helpers import password_of, serve_app

from cxsteward.domain.access import Role
from cxsteward.services.consent.choices import list_choices
from cxsteward.services.workspace import Workspace
from cxsteward.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(name="served")
def served_fixture(consent_ws: Workspace) -> Iterator[str]:
    with serve_app(create_app(consent_ws.settings), "consent server") as url:
        yield url


@pytest.fixture(name="page")
def page_fixture(chromium_browser: Browser, served: str) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe_source())
    page = context.new_page()
    page.goto(served + "/login")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(password_of(Role.ANALYST))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(served + "/")
    yield page
    context.close()


def test_record_a_choice_and_read_the_breach(
    page: Page, served: str, consent_ws: Workspace, tmp_path: Path
) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Consent").click()
    page.wait_for_url(served + "/consent")
    expect(page.get_by_role("heading", name="Consent", level=1)).to_be_visible()
    breach = page.get_by_role("region", name="Breaches in support-chat chat")
    expect(breach.get_by_role("rowheader", name="i2")).to_be_visible()
    assert run_axe(page) == []

    page.get_by_label("Customer id").fill("cust-0999")
    page.get_by_label("What the customer chose").select_option("ai_opt_out")
    page.get_by_label("When").fill("2026-03-02T08:00:00Z")
    page.get_by_label("Where it was made").select_option("letter")
    page.get_by_role("button", name="Record the choice").click()
    expect(page.get_by_role("status")).to_contain_text("recorded: opted out of AI handling")
    assert run_axe(page) == []
    assert [c.source for c in list_choices(consent_ws) if c.customer_id == "cust-0999"] == [
        "letter"
    ]

    page.get_by_label("Customer id").fill("cust-1000")
    page.get_by_role("button", name="Record the choice").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Choose what the customer chose.")
    alert.get_by_role("link", name="Choose what the customer chose.").click()
    expect(page.get_by_label("What the customer chose")).to_be_focused()
    assert run_axe(page) == []

    page.get_by_label("AI service", exact=True).select_option("support-chat")
    page.get_by_label("Channel", exact=True).fill("email")
    page.get_by_label("Version label").fill("2026-04")
    page.get_by_label("What customers are told").fill("Replies may be drafted by AI.")
    page.get_by_label("In force from (YYYY-MM-DD)").fill("2026-04-01")
    page.get_by_role("button", name="Record the notice").click()
    expect(page.get_by_role("status")).to_contain_text("Notice 2026-04 of support-chat on email")
    table = page.get_by_role("region", name="Table of notices in force")
    expect(table.get_by_role("row", name="support-chat email 2026-04")).to_be_visible()
    assert run_axe(page) == []
