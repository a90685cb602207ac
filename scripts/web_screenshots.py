"""Regenerate the web app's screenshots (docs/screenshots/web-*.png) from the demo.

Builds the demo workspace, records a little activity through the services (review requests,
frontline flags, an acknowledged incident with a decision) so that the queues and the
timeline are not empty, serves the app on loopback and photographs each page at 1280x900 in
Debian's headless Chromium; the committee pack's PDF pages are drawn by pdfium. Runs offline.

Usage: .venv/bin/python scripts/web_screenshots.py [--rows 120000]
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from cxsteward.config import Settings
from cxsteward.services.demo.company import run_demo
from cxsteward.services.demo.operations import DEMO_PASSWORD, DEMO_ROWS
from cxsteward.services.governance import decisions
from cxsteward.services.incidents import lifecycle as incidents
from cxsteward.services.pack.render import pack_file
from cxsteward.services.people.feedback import act_on_feedback, submit_feedback, triage_feedback
from cxsteward.services.trust.reviews import resolve_review, start_review, submit_review_request
from cxsteward.services.workspace import Workspace, open_workspace
from cxsteward.web.app import create_app
from cxsteward.web.routes.trust_views import CONSENT_TEXT

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CXSTEWARD_CHROMIUM", "/usr/bin/chromium")
# The same launch arguments as the browser tests (tests/conftest.py).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Shot:
    """One screenshot: the file, the page, who is signed in, and what to bring into view."""

    name: str
    path: str
    user: str | None
    scroll_to: str | None = None
    full_page: bool = False


def record_activity(ws: Workspace) -> dict[str, int]:
    """A few days of ordinary activity, through the services, dated in the recent past."""
    now = datetime.now(UTC)
    requests = [
        ("billing-voice", "The agent said my direct debit failed; my bank shows it paid.", 80),
        ("support-chat", "The assistant closed my complaint without a person seeing it.", 30),
        ("support-chat", "I was told my contract cannot be cancelled online. Is that right?", 50),
        ("billing-voice", "A late fee was added after the agent promised to waive it.", 3),
    ]
    ids = []
    for deployment, text, hours in requests:
        receipt = submit_review_request(
            ws, deployment, text, "customer@example.org", consent=CONSENT_TEXT, at=_ago(now, hours)
        )
        ids.append(receipt.id)
    start_review(ws, ids[1], by="ines-duarte", at=_ago(now, 26))
    start_review(ws, ids[2], by="ines-duarte", at=_ago(now, 48))
    resolve_review(
        ws,
        ids[2],
        "explained",
        "Contracts can be cancelled online from your account page; the assistant was wrong "
        "and we have corrected its answer.",
        by="ines-duarte",
        at=_ago(now, 40),
    )
    flags = [
        ("support-chat", "wrong_answer", "Quoted the old roaming price to a customer.", None),
        (
            "billing-voice",
            "missed_escalation",
            "Kept a distressed caller in a loop.",
            "marco-ricci",
        ),
        ("support-chat", "disclosure_missing", "Email reply did not say it was AI-written.", None),
    ]
    flagged = []
    for deployment, category, text, by in flags:
        flag = submit_feedback(
            ws, deployment, category, text, by=by, anonymous=by is None, at=_ago(now, 72)
        )
        flagged.append(flag.id)
    triage_feedback(ws, flagged[0], "sev3", "ines-duarte", owner="dev-raman", at=_ago(now, 60))
    act_on_feedback(
        ws, flagged[0], "Roaming prices added to the knowledge base.", "dev-raman", _ago(now, 30)
    )
    # The incident the monitor opened on a threshold breach (review requests open their own).
    voice = next(
        i
        for i in incidents.list_incidents(ws, deployment="billing-voice")
        if i.metric and i.status in ("open", "acknowledged")
    )
    if voice.status == "open":
        incidents.set_incident_status(
            ws, voice.id, "acknowledged", "dev-raman", "Looking at the billing calls of this week."
        )
    decisions.record_decision(
        ws,
        "pause",
        "billing-voice",
        "dev-raman",
        "Complaints about billing calls are over the threshold; people take these calls "
        "until the cause is found.",
        voice.id,
    )
    return {"incident": voice.id}


def _ago(now: datetime, hours: float) -> datetime:
    return now - timedelta(hours=hours)


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The app on loopback, in a thread, for as long as the block runs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def signed_in_page(browser: Browser, base: str, user: str | None) -> Page:
    """A fresh context, signed in through the real form when ``user`` is given."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    if user is not None:
        page.goto(f"{base}/login")
        page.get_by_label("Username").fill(user)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
    return page


def answer_shots(pack_id: int) -> list[Shot]:
    """The pages that answer the committee's question, before the tour's activity (which
    pauses the voice agent)."""
    return [
        Shot("web-overview", "/", "dev-raman"),
        Shot("web-deployment-gate", "/registry/deployments/billing-voice", "dev-raman", "#gate"),
        Shot("web-pack", f"/pack/{pack_id}", "dev-raman"),
    ]


def shots(cycle: str, run_id: int, incident_id: int) -> list[Shot]:
    """The other pages of the tour, in its order."""
    return [
        Shot("web-assessment-report", f"/assessment/{cycle}", "dev-raman"),
        Shot("web-registry-accountability", "/registry/accountability", "dev-raman", "table"),
        Shot(
            "web-monitoring-run", f"/monitoring/runs/{run_id}", "ines-duarte", "#comparisons-title"
        ),
        Shot("web-incident-detail", f"/incidents/{incident_id}", "dev-raman", full_page=True),
        Shot("web-public-disclosure", "/ai/support-chat", None),
        Shot("web-public-review-form", "/review?service=support-chat", None),
        Shot("web-review-queue", "/reviews?show=all", "ines-duarte", "#sla-title"),
        Shot("web-feedback-form", "/feedback", "marco-ricci"),
        Shot("web-crosswalk", "/crosswalk?framework=eu_ai_act", "marco-ricci"),
        Shot("web-adoption", "/adoption", "dev-raman"),
        Shot("web-training", "/training", "dev-raman"),
        Shot("web-consent", "/consent", "dev-raman"),
    ]


def take(browser: Browser, base: str, shot: Shot) -> None:
    page = signed_in_page(browser, base, shot.user)
    response = page.goto(base + shot.path)
    if response is None or response.status != 200:
        raise SystemExit(f"{shot.path} answered {response and response.status}")
    if shot.scroll_to:
        page.locator(shot.scroll_to).first.evaluate(
            "el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -16); }"
        )
    target = OUT / f"{shot.name}.png"
    page.screenshot(path=str(target), full_page=shot.full_page)
    page.context.close()
    print(f"wrote {target.relative_to(ROOT)}")


def pack_pages(pdf: Path, pages: int = 2) -> None:
    """The committee pack PDF's first pages as pictures (pdfium draws them, as a viewer would)."""
    document = pdfium.PdfDocument(str(pdf))
    for number in range(pages):
        target = OUT / f"pack-page-{number + 1}.png"
        document[number].render(scale=1.4).to_pil().save(target)
        print(f"wrote {target.relative_to(ROOT)}")
    document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=DEMO_ROWS, help="synthetic contacts in the demo"
    )
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        # Each picture signs in afresh: more sign-ins in a minute than the limit lets a person.
        settings = Settings(
            workspace=Path(folder) / "demo",
            public_posts_per_minute=1000,
            sign_ins_per_minute=1000,
            sign_ins_per_account_per_minute=1000,
        )
        result = run_demo(settings, rows=options.rows)
        ws = open_workspace(settings)
        try:
            pack_pages(pack_file(ws, result.pack, "pdf"))
        finally:
            ws.close()
        with serve(settings) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for shot in answer_shots(result.pack.id or 0):
                take(browser, base, shot)
            ws = open_workspace(settings)
            try:
                made = record_activity(ws)
            finally:
                ws.close()
            for shot in shots(
                result.report.cycle, result.operations.monitor.run_id, made["incident"]
            ):
                take(browser, base, shot)
            browser.close()


if __name__ == "__main__":
    main()
