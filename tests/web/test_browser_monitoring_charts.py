"""The monitoring deployment page in Chromium: the charts draw, their tables open, nothing is
fetched from elsewhere, and axe-core finds no violation."""

from __future__ import annotations

import json

import pytest
from test_accessibility import axe_source, run_axe
from walkthrough_fixtures import (  # noqa: F401 - fixtures
    Site,
    TabFactory,
    new_tab_fixture,
    site_fixture,
)

from cxsteward.services.monitoring.charts import trend_figure
from cxsteward.services.monitoring.scorecard import scorecard
from cxsteward.services.monitoring.trends import key_metrics, metric_trends

pytestmark = pytest.mark.browser
DEPLOYMENT = "support-chat"


def test_the_charts_draw_read_as_tables_and_pass_axe(site: Site, new_tab: TabFactory) -> None:
    tab = new_tab()
    tab.page.add_init_script(script=axe_source())
    tab.sign_in("admin")
    tab.go("/monitoring/runs/1")
    tab.page.get_by_role("link", name=f"{DEPLOYMENT}: scorecard and trends").click()
    page = tab.page
    page.wait_for_url(f"{site.url}/monitoring/deployments/{DEPLOYMENT}")

    trends = metric_trends(site.ws, DEPLOYMENT, key_metrics(site.ws))
    card = scorecard(site.ws, DEPLOYMENT)
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 1 + len(trends)
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150
    # An image named by its title, described by its desc; the figure named by its caption.
    heatmap = page.get_by_role("img", name=f"AI against humans, {DEPLOYMENT} (run {card.run_id})")
    assert heatmap.count() == 1
    first = trend_figure(trends[0])
    assert page.get_by_role("img", name=first.title).count() == 1
    figure = page.get_by_role("figure", name=first.title)
    figure.get_by_text("The figures of this chart as a table").click()
    table = figure.get_by_role("table")
    assert table.is_visible()
    shown = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    assert shown == first.table.rows

    violations = run_axe(page)
    assert violations == [], json.dumps(violations, indent=1)
    tab.assert_clean()
