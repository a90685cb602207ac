"""The scale gate and the committee pack in Debian's Chromium, over the demo (issue 13).

A council member reads each deployment's verdict on the overview, follows one to the
deployment's gate, issues a pack and opens its HTML; a viewer reads the pack and is offered
no way to issue one. axe-core finds no violation on any of those pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from walkthrough_fixtures import (  # noqa: F401 - fixtures
    Site,
    TabFactory,
    new_tab_fixture,
    site_fixture,
)

from cxsteward.services.governance.gate import evaluate_gate
from cxsteward.services.governance.store import current_governance
from cxsteward.services.pack.history import get_pack, list_packs

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


ISSUE_TIMEOUT_MS = 180_000


def _with_axe(page: Page) -> None:
    """axe-core in every page of the tab, injected through DevTools (no CSP governs it)."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci --prefix tests/web/axe`.")
    page.context.add_init_script(script=AXE.read_text("utf-8"))


def _axe(page: Page) -> list[dict[str, Any]]:
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in results["violations"]
    ]


@pytest.fixture(name="live")
def live_fixture(site: Site) -> Iterator[list[str]]:
    """The live deployments of the demo, in the registry's order."""
    yield [d.key for d in current_governance(site.ws).deployments if d.status.live]


def test_a_council_member_reads_the_verdicts_and_issues_the_pack(
    site: Site, new_tab: TabFactory, live: list[str]
) -> None:
    tab = new_tab()
    page = tab.page
    _with_axe(page)
    tab.sign_in("dev-raman")
    gate = page.get_by_test_id("overview-gate")
    assert gate.is_visible()
    expected = {key: evaluate_gate(site.ws, key, record=False).verdict.value for key in live}
    shown = {key: page.get_by_test_id(f"gate-{key}").get_attribute("data-verdict") for key in live}
    assert shown == expected
    found: dict[str, Any] = {}
    if violations := _axe(page):
        found["overview"] = violations

    first = live[0]
    gate.get_by_role("link", name=first).click()
    page.wait_for_url(f"{site.url}/registry/deployments/{first}#gate")
    panel = page.get_by_test_id("deployment-gate")
    judged = evaluate_gate(site.ws, first, record=False)
    assert panel.locator("tbody tr").count() == len(judged.criteria)
    assert panel.locator("[data-verdict]").get_attribute("data-verdict") == judged.verdict.value
    if violations := _axe(page):
        found["deployment"] = violations

    page.get_by_role("link", name="Committee pack", exact=True).click()
    before = len(list_packs(site.ws))
    # Issuing renders the whole pack, PDF included; in a clean-clone CI run that loaded both
    # cores it outlasted Playwright's 30 s default. This test is about what the council
    # sees, not how fast.
    page.get_by_role("button", name="Issue the pack").click(timeout=ISSUE_TIMEOUT_MS)
    page.wait_for_url(f"{site.url}/pack/{before + 1}", timeout=ISSUE_TIMEOUT_MS)
    issued = get_pack(site.ws, before + 1)
    rows = page.get_by_test_id("pack-gates").locator("tbody tr")
    assert rows.count() == len(issued.gates) == len(live)
    headlines = page.get_by_test_id("pack-behind").locator("li").all_inner_texts()
    assert headlines == [b.headline for b in issued.behind]
    if violations := _axe(page):
        found["pack page"] = violations

    page.get_by_test_id("pack-html").click()
    page.wait_for_url(f"{site.url}/pack/{issued.id}/html")
    assert page.get_by_role("heading", name="The answer").is_visible()
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() >= 2
    if violations := _axe(page):
        found["pack html"] = violations
    tab.assert_clean()
    assert found == {}, json.dumps(found, indent=1)


def test_a_viewer_reads_the_pack_but_cannot_issue_one(site: Site, new_tab: TabFactory) -> None:
    tab = new_tab()
    tab.sign_in("amara-mensah")
    tab.go("/pack")
    page = tab.page
    assert page.get_by_role("heading", name="Committee pack", level=1).is_visible()
    assert page.get_by_role("button", name="Issue the pack").count() == 0
    tab.assert_clean()
