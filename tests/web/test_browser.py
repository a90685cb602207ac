"""The real sign-in form in headless Chromium: Secure cookies on 127.0.0.1, nav by role, the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page
from web_helpers import LiveServer, password_of

from cxsteward.domain.access import Role
from cxsteward.web.auth import SESSION_COOKIE
from cxsteward.web.nav import NAV

# Registered before any page script runs (through the DevTools protocol, which the CSP does
# not govern), so that every violation on the page is recorded.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def open_page(browser: Browser) -> tuple[Page, list[str]]:
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page, problems


def violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.__cspViolations")
    return found


def nav_labels(page: Page) -> list[str]:
    return page.locator("nav[aria-label=Main] a").all_inner_texts()


@pytest.mark.browser
@pytest.mark.parametrize("role", [Role.ADMIN, Role.FRONTLINE], ids=lambda r: r.value)
def test_sign_in_see_the_nav_for_the_role_and_sign_out(
    chromium_browser: Browser, live_server: LiveServer, role: Role
) -> None:
    page, problems = open_page(chromium_browser)
    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/login?next=/"
    page.get_by_label("Username").fill(role.value)
    page.get_by_label("Password").fill(password_of(role))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert violations(page) == []

    # Chromium treats 127.0.0.1 as a secure context, so it kept the Secure cookie over http.
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies[SESSION_COOKIE]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"

    labels = nav_labels(page)
    assert "Overview" in labels
    admin_only = {item.label for item in NAV if item.path.startswith("/admin")}
    if role is Role.ADMIN:
        assert admin_only <= set(labels)
        page.get_by_role("link", name="Users").click()
        page.wait_for_url(f"{live_server.url}/admin/users")
        assert page.locator("a[aria-current=page]").inner_text() == "Users"
        assert violations(page) == []
        page.get_by_role("link", name="API tokens").click()
        page.wait_for_url(f"{live_server.url}/admin/tokens")
        assert violations(page) == []
    else:
        assert not admin_only & set(labels)

    assert page.evaluate("typeof window.htmx") == "object"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/login?signed_out=true")
    assert page.get_by_role("status").inner_text() == "You have signed out."
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{live_server.url}/")
    assert "/login" in page.url

    assert violations(page) == []
    assert problems == []
    page.context.close()


@pytest.mark.browser
def test_the_csp_blocks_an_inline_script_and_it_is_reported(
    chromium_browser: Browser, live_server: LiveServer
) -> None:
    """The watcher above is not blind: an injected inline script is blocked and recorded."""
    page, problems = open_page(chromium_browser)
    page.goto(f"{live_server.url}/login")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in violations(page))
    assert any("Content Security Policy" in p for p in problems)
    page.context.close()


@pytest.mark.browser
def test_a_wrong_password_shows_the_message_and_no_csp_problem(
    chromium_browser: Browser, live_server: LiveServer
) -> None:
    page, problems = open_page(chromium_browser)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill("not-the-right-one")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "not right" in alert.inner_text()
    assert violations(page) == []
    # The browser reports the 400 answer itself as a failed resource; nothing else.
    assert all("400" in p for p in problems)
    page.context.close()
