"""The /training page in Debian's Chromium: coverage, both forms refused and accepted; axe-core
finds no violation on the page as shown, nor on each refusal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_accessibility import axe_source, run_axe
from web_helpers import password_of, serve_app

from cxsteward.config import Settings
from cxsteward.domain.access import Role
from cxsteward.services.accounts.users import add_user
from cxsteward.services.governance.setup import apply_governance, read_governance_file
from cxsteward.services.training.completions import list_completions
from cxsteward.services.workspace import Workspace, init_workspace
from cxsteward.web.app import create_app

pytestmark = pytest.mark.browser
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "governance.yaml"


@pytest.fixture(scope="module", name="served")
def served_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Workspace]]:
    ws = init_workspace(Settings(workspace=tmp_path_factory.mktemp("training") / "ws"))
    try:
        add_user(ws, "admin", password_of(Role.ADMIN), "admin", "Admin User")
        apply_governance(ws, read_governance_file(EXAMPLE))
        with serve_app(create_app(ws.settings), "training server") as url:
            yield url, ws
    finally:
        ws.close()


@pytest.fixture(name="page")
def page_fixture(chromium_browser: Browser, served: tuple[str, Workspace]) -> Iterator[Page]:
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


def no_violations(page: Page) -> None:
    found = run_axe(page)
    assert found == [], json.dumps(found, indent=1)


def test_record_and_import_with_refusals(
    page: Page, served: tuple[str, Workspace], tmp_path: Path
) -> None:
    url, ws = served
    page.goto(url + "/training")
    expect(page.get_by_role("heading", name="AI-literacy training", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Coverage by module")).to_contain_text("Reading AI")
    no_violations(page)

    form = page.locator('form[action="/training/completions"]')
    form.get_by_label("Person").select_option("ravi-patel")
    form.get_by_label("Module").select_option("ai-at-the-front-line")
    form.get_by_label("Score in percent (optional)").fill("250")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("#completed_on-error")).to_be_visible()
    expect(page.locator("#score-error")).to_be_visible()
    no_violations(page)

    form = page.locator('form[action="/training/completions"]')
    form.get_by_label("Score in percent (optional)").fill("80")
    form.get_by_label("Completed on").fill("2026-01-15")
    form.get_by_role("button", name="Record").click()
    page.wait_for_url(url + "/training#recorded")
    assert [(c.person, str(c.completed_on)) for c in list_completions(ws)] == [
        ("ravi-patel", "2026-01-15")
    ]

    bad = tmp_path / "lms.csv"
    bad.write_text("Who,Course,Done\nghost,ai-at-the-front-line,15/01/2026\n", "utf-8")
    upload = page.locator('form[action="/training/imports"]')
    upload.get_by_label("Export file").set_input_files(str(bad))
    upload.get_by_label("Column of the person").fill("Who")
    upload.get_by_label("Column of the module").fill("Course")
    upload.get_by_label("Column of the completion day").fill("Done")
    upload.get_by_role("button", name="Import").click()
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("Row 2, column “Who”, value “ghost”")
    expect(problems).to_contain_text("is ambiguous")
    no_violations(page)
    assert len(list_completions(ws)) == 1
