"""The HTML report in a real headless Chromium: drawn charts, no errors, no network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage

from cxsteward.domain.results import AssessmentReport
from cxsteward.reports.assessment import render_html

CHROMIUM = os.environ.get("CXSTEWARD_CHROMIUM", "/usr/bin/chromium")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.browser
def test_chromium_is_installed() -> None:
    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
        "or set CXSTEWARD_CHROMIUM to a Chromium executable."
    )


@pytest.mark.browser
def test_html_report_renders_offline_in_chromium(
    chromium_browser: Browser, current_report: AssessmentReport, tmp_path: Path
) -> None:
    report_file = tmp_path / "report.html"
    report_file.write_text(render_html(current_report), encoding="utf-8")
    url = report_file.as_uri()
    page = chromium_browser.new_page(viewport={"width": 1100, "height": 900})
    requests: list[str] = []
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("request", lambda request: requests.append(request.url))
    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url, wait_until="load")

        for chart, expected in (("dimension-scores", 5), ("role-groups", 10)):
            svg = page.locator(f'svg[data-chart="{chart}"]')
            box = svg.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100, chart
            assert svg.locator("g.mark-rect path").count() == expected, chart

        # A bar's drawn width is proportional to its score (the chart's table says which):
        # 58.3 vs 85.4, etc.
        bars = page.locator('svg[data-chart="dimension-scores"] g.mark-rect path')
        cells = page.locator(
            "figure:has(svg[data-chart=dimension-scores]) tbody tr td:nth-child(3)"
        )
        values = [float(text) for text in cells.all_text_contents()]
        # The bar's own box in the chart's units, as Chromium lays the path out.
        widths = bars.evaluate_all("paths => paths.map(p => p.getBBox().width)")
        assert len(widths) == 5
        per_point = widths[values.index(max(values))] / max(values)
        for value, width in zip(values, widths, strict=True):
            assert abs(width - value * per_point) <= 0.5, (value, width)
        assert widths[4] > widths[0] > widths[3]  # trust 85.4 > strategy 58.3 > data 35.4

        # The hostile comment is text in a collapsed <details>, never a script element.
        assert page.locator("script").count() == 0
        comment = page.locator("details li", has_text="<script>alert(1)</script>")
        assert comment.count() == 1

        screenshot = tmp_path / "report.png"
        page.screenshot(path=str(screenshot), full_page=True)
        data = screenshot.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000

        page.emulate_media(media="print")
        box = page.locator('svg[data-chart="role-groups"]').bounding_box()
        assert box is not None and box["width"] > 100
    finally:
        page.close()

    assert errors == []
    assert requests == [url]
