"""Regenerate the README screenshots from the demo, in Debian's headless Chromium.

Usage: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from cxsteward.config import Settings
from cxsteward.services.demo.company import run_demo

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CXSTEWARD_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        result = run_demo(Settings(workspace=Path(folder) / "demo"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 1500})
            page.goto(result.html_path.resolve().as_uri())
            out = ROOT / "docs" / "screenshots" / "assessment-report.png"
            page.screenshot(path=str(out))
            chart = page.locator('[data-chart="role-groups"]')
            chart.screenshot(path=str(out.with_name("assessment-role-groups.png")))
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
