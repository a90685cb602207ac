"""Fixtures of the browser walkthroughs: the demo workspace, its web users, one live server.

The demo (governance, two assessment cycles, monitored contacts, incidents) is built once
per module: it takes seconds, and the walkthroughs are written so they do not get in each
other's way (each works on its own incident, invitation, request or flag).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response
from web_helpers import serve_app

from cxsteward.config import Settings
from cxsteward.services.accounts.users import add_user
from cxsteward.services.clock import FixedClock
from cxsteward.services.demo.company import run_demo
from cxsteward.services.demo.operations import DEMO_PASSWORD, DEMO_USERS
from cxsteward.services.workspace import Workspace, open_workspace
from cxsteward.web.app import create_app

# The demo's now, fixed so that its cycle names (2026-Q3, 2026-Q4) and dates do not move
# with the machine's date.
DEMO_NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
DEMO_ROWS = 20_000
# The demo's own sign-ins (named after people of examples/governance.yaml, so the incident
# page proposes them as the decider and their decision rights are checked), and one more:
# a committee account whose person is not on the council and holds no right on the support
# deployments.
EXTRA_USERS: dict[str, tuple[str, str]] = {"oluwaseun-bello": ("committee", "Oluwaseun Bello")}
ROLES: dict[str, str] = {**dict(DEMO_USERS), **{k: v[0] for k, v in EXTRA_USERS.items()}}

# Registered before any page script runs (through the DevTools protocol, which the CSP does
# not govern): a violation becomes a console error, so the console listener sees it even
# after the page that caused it has been left.
REPORT_CSP = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI);
});
"""
# What Chromium logs by itself when a page answers with an error status on purpose.
FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


def password_for(username: str) -> str:
    """The password of a walkthrough user: the demo's, or this module's for the extra one."""
    return f"walk-{username}-0123456789" if username in EXTRA_USERS else DEMO_PASSWORD


@dataclass(frozen=True)
class Site:
    """The running demo: the server's address and a workspace handle for checking the registry."""

    url: str
    settings: Settings
    ws: Workspace


@dataclass
class Tab:
    """One browser context and page that records every problem the browser reports."""

    page: Page
    base: str
    problems: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def go(self, path: str) -> Response | None:
        """Open ``path`` on the site."""
        return self.page.goto(self.base + path)

    def sign_in(self, username: str) -> None:
        """Sign in through the real form and wait to land on the overview."""
        self.go("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password_for(username))
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.base + "/")

    def sign_out(self) -> None:
        """Sign out with the header's button."""
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(self.base + "/login?signed_out=true")

    def assert_clean(self, *expected: int) -> None:
        """No CSP violation, script error or foreign request; error statuses only as expected.

        ``expected`` lists the error statuses the walk provoked on purpose (a refused form
        answers 403, for example); Chromium logs each of those as a failed resource.
        """
        unexpected = []
        for problem in self.problems:
            failed = FAILED_LOAD.search(problem)
            if failed and int(failed.group(1)) in expected:
                continue
            unexpected.append(problem)
        assert unexpected == [], f"the browser reported: {unexpected}"
        errors = sorted(s for s in self.statuses if s >= 400)
        assert errors == sorted(expected), f"error statuses {errors}, expected {list(expected)}"


def open_tab(browser: Browser, base: str) -> Tab:
    """A fresh browser context (no cookies) watching the console, script errors and requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(REPORT_CSP)
    tab = Tab(page, base)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            tab.problems.append(f"{message.type}: {message.text} ({page.url})")

    def on_request(request: Request) -> None:
        # Every asset comes from the app itself: no CDN, no third party.
        if not request.url.startswith((base + "/", "data:")):
            tab.problems.append(f"request to another origin: {request.url}")

    def on_response(response: Response) -> None:
        if response.request.is_navigation_request() or response.status >= 400:
            tab.statuses.append(response.status)

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
    page.on("request", on_request)
    page.on("response", on_response)
    return tab


def build_demo(folder: Path) -> Settings:
    """The demo workspace in ``folder`` (with its sign-ins) and the extra user added."""
    # Sign-ins and public forms are many in a quick walk; the limit has its own tests.
    settings = Settings(
        workspace=folder,
        public_posts_per_minute=1000,
        sign_ins_per_minute=1000,
        sign_ins_per_account_per_minute=1000,
        status_lookups_per_minute=1000,
    )
    run_demo(settings, rows=DEMO_ROWS, clock=FixedClock(DEMO_NOW))
    ws = open_workspace(settings)
    try:
        for username, (role, name) in EXTRA_USERS.items():
            add_user(ws, username, password_for(username), role, name)
    finally:
        ws.close()
    return settings


@pytest.fixture(scope="module", name="site")
def site_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo served once for the module, with a workspace handle for registry checks."""
    with pytest.MonkeyPatch.context() as patch:
        # The autouse cleaner is per test; this fixture runs before the first one.
        for key in [k for k in os.environ if k.startswith("CXSTEWARD_")]:
            patch.delenv(key)
        settings = build_demo(tmp_path_factory.mktemp("walkthrough") / "demo")
    ws = open_workspace(settings)
    try:
        with serve_app(create_app(settings), "walkthrough server") as url:
            yield Site(url, settings, ws)
    finally:
        ws.close()


TabFactory = Callable[[], Tab]


@pytest.fixture(name="new_tab")
def new_tab_fixture(chromium_browser: Browser, site: Site) -> Iterator[TabFactory]:
    """Open fresh signed-out tabs (each its own browser context) until the test ends."""
    opened: list[Tab] = []

    def build() -> Tab:
        made = open_tab(chromium_browser, site.url)
        opened.append(made)
        return made

    yield build
    for made in opened:
        made.page.context.close()
