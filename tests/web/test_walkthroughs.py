"""Walkthroughs in headless Chromium on the demo: what CX leaders, staff and customers do.

Each test goes through the real pages (the sign-in form included), checks what the page
shows against the services' own figures, then checks the registry. Every tab also checks
that the browser reported no CSP violation, script error or request to another origin.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from walkthrough_fixtures import (  # noqa: F401 - fixtures
    ROLES,
    Site,
    TabFactory,
    new_tab_fixture,
    site_fixture,
)

from cxsteward.domain.access import Permission, Role, allows
from cxsteward.domain.governance.spec import Lifecycle
from cxsteward.registry.tables_audit import AuditPendingRecord
from cxsteward.registry.tables_trust import FeedbackRecord
from cxsteward.services.accounts.users import SIGN_IN_FAILED
from cxsteward.services.assessment import invitations
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.governance import decisions
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.incidents import lifecycle as incidents
from cxsteward.services.people.feedback import ANONYMOUS
from cxsteward.services.trust.explanations import record_explanation
from cxsteward.services.trust.reviews import get_review, list_reviews
from cxsteward.web.nav import NAV
from cxsteward.web.routes.trust_views import (
    CONSENT_TEXT,
    FEEDBACK_STATUS_WORDS,
    OUTCOME_WORDS,
    STATUS_WORDS,
)

pytestmark = pytest.mark.browser
CYCLE = "2026-Q4"


def _open_incident(site: Site, deployment: str) -> incidents.IncidentOut:
    found = incidents.list_incidents(site.ws, "open", deployment)
    assert found, f"the demo opened no incident on {deployment}"
    return found[0]


@pytest.mark.parametrize("username", ["ines-duarte", "marco-ricci"])
def test_sign_in_shows_the_nav_of_the_role_and_sign_out_ends_it(
    site: Site, new_tab: TabFactory, username: str
) -> None:
    tab = new_tab()
    page = tab.page
    tab.go("/")
    assert page.url == f"{site.url}/login?next=/"

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == SIGN_IN_FAILED
    assert page.get_by_label("Username").input_value() == username

    tab.sign_in(username)
    assert page.get_by_role("heading", name="Overview", level=1).is_visible()
    role = Role(ROLES[username])
    expected = [item.label for item in NAV if any(allows(role, p) for p in item.permissions)]
    assert page.locator("nav[aria-label=Main] a").all_inner_texts() == expected
    assert page.locator("a[aria-current=page]").inner_text() == "Overview"
    # The readiness figures show only to those who may open the assessment report.
    readiness = page.get_by_test_id("overview-readiness")
    assert readiness.count() == (1 if allows(role, Permission.ASSESSMENT_VIEW_REPORT) else 0)

    tab.sign_out()
    assert page.get_by_role("status").inner_text() == "You have signed out."
    tab.go("/incidents")
    assert page.url == f"{site.url}/login?next=/incidents"
    tab.assert_clean(400)


def test_a_respondent_answers_through_an_invitation_link_saves_resumes_and_submits(
    site: Site, new_tab: TabFactory
) -> None:
    before = assessment_report(site.ws, CYCLE).respondents
    questions = site.ws.bank.questions[:4]

    # A leader creates a personal link on the invitations page.
    leader = new_tab()
    leader.sign_in("ines-duarte")
    leader.page.get_by_role("link", name="Assessment", exact=True).click()
    leader.page.get_by_role("link", name=f"Invitations of {CYCLE}").click()
    leader.page.get_by_label("Role group").select_option(label="Frontline")
    leader.page.get_by_label("Who the links are for").fill("Walkthrough agent")
    leader.page.get_by_role("button", name="Create the links").click()
    issued = leader.page.get_by_test_id("issued-links")
    assert "1 new link" in issued.get_by_role("heading").inner_text()
    link = issued.locator("code").inner_text()
    assert link.startswith(f"{site.url}/invite/")
    leader.assert_clean()
    token = link.rsplit("/", 1)[1]

    # The respondent opens it without an account and chooses to stay anonymous.
    first = new_tab()
    first.page.goto(link)
    first.page.get_by_label("Anonymously").check()
    first.page.get_by_role("button", name="Start the questions").click()
    assert "You are answering anonymously" in first.page.locator("main").inner_text()
    picks = {questions[0].id: "3", questions[1].id: "1", questions[2].id: "dk"}
    for qid, value in picks.items():
        group = first.page.get_by_role("group", name=re.compile(f"^{qid} "))
        name = "Don't know" if value == "dk" else re.compile(f"^{value} ")
        group.get_by_role("radio", name=name).check()
    first.page.get_by_label(f"Comment on {questions[1].id}").fill("Nobody told us about it.")
    first.page.get_by_role("button", name="Save my answers").first.click()
    assert first.page.get_by_role("status").inner_text().startswith("Your answers are saved.")
    assert first.page.get_by_text(f"3 of {len(site.ws.bank.questions)} questions answered")
    first.assert_clean()
    first.page.context.close()

    saved = invitations.open_invitation(site.ws, token)
    assert saved.anonymous is True and saved.name is None and saved.submitted_at is None
    assert {q: (a.value, a.comment) for q, a in saved.answers.items()} == {
        questions[0].id: (3, None),
        questions[1].id: (1, "Nobody told us about it."),
        questions[2].id: (None, None),
    }

    # Back later with the same link: the answers are there; one more, then submit.
    again = new_tab()
    again.page.goto(link)
    for qid, value in picks.items():
        suffix = "dk" if value == "dk" else value
        assert again.page.locator(f"#q-{qid}-{suffix}").is_checked()
    assert again.page.get_by_label(f"Comment on {questions[1].id}").input_value() == (
        "Nobody told us about it."
    )
    group = again.page.get_by_role("group", name=re.compile(f"^{questions[3].id} "))
    group.get_by_role("radio", name=re.compile("^2 ")).check()
    again.page.get_by_role("button", name="Save and submit").click()
    assert again.page.get_by_role("heading", level=1).inner_text() == (
        "Thank you: your answers are in"
    )
    assert "You submitted 4 of" in again.page.get_by_role("status").inner_text()
    assert "anonymously" in again.page.get_by_role("status").inner_text()
    again.assert_clean()

    status = {i.id: i.status for i in invitations.list_invitations(site.ws, CYCLE)}
    assert list(status.values()).count("submitted") >= 1
    after = assessment_report(site.ws, CYCLE).respondents
    assert after.total == before.total + 1
    assert after.anonymous == before.anonymous + 1


def test_a_leader_reads_the_report_claimed_against_evidenced_with_its_charts(
    site: Site, new_tab: TabFactory
) -> None:
    tab = new_tab()
    tab.sign_in("amara-mensah")
    tab.page.get_by_role("link", name="Assessment", exact=True).click()
    tab.page.get_by_role("link", name=f"Report of {CYCLE}").click()
    report = assessment_report(site.ws, CYCLE)
    page = tab.page
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"Cycle {CYCLE}")

    claimed = page.get_by_test_id("stage").inner_text()
    assert f"Stage {report.stage.number}" in claimed
    assert report.evidence is not None
    evidenced = page.get_by_test_id("evidenced-stage").inner_text()
    assert f"Stage {report.evidence.stage.evidenced.number}" in evidenced
    assert page.get_by_role("heading", name="Claimed against evidenced").is_visible()
    unchecked = page.get_by_role("table", name="Questions no record can check, and why")
    rows = unchecked.locator("tbody tr")
    assert rows.count() == len(report.evidence.self_reported_only) > 0
    first = report.evidence.self_reported_only[0]
    assert rows.first.locator("td").inner_text() == first.why
    respondents = page.get_by_test_id("respondents").locator(".figure-card__value")
    assert respondents.inner_text() == str(report.respondents.total)

    chart = page.locator("svg[data-chart=dimension-scores]")
    assert chart.is_visible() and chart.bounding_box()["width"] > 300  # type: ignore[index]
    scored = [d.score for d in report.dimensions if d.score is not None]
    assert chart.locator("g.mark-rect path").count() == len(scored) > 0
    table = page.locator("figure:has(svg[data-chart=dimension-scores]) tbody tr td:nth-child(3)")
    shown = [float(v) for v in table.all_text_contents() if v != "not scorable"]
    assert shown == pytest.approx(scored, abs=0.051)
    groups = page.locator("svg[data-chart=role-groups] g.mark-rect path")
    assert groups.count() > len(scored)
    tab.assert_clean()


def test_a_committee_member_acknowledges_and_pauses_and_someone_without_the_right_is_refused(
    site: Site, new_tab: TabFactory
) -> None:
    chat = _open_incident(site, "support-chat")
    voice = _open_incident(site, "billing-voice")

    tab = new_tab()
    page = tab.page
    tab.sign_in("dev-raman")
    page.get_by_role("link", name="Incidents", exact=True).click()
    # The demo resolved an earlier incident of the same title: the link is the open one's.
    page.get_by_role("link", name=chat.title).and_(
        page.locator(f"a[href='/incidents/{chat.id}']")
    ).click()
    page.wait_for_url(f"{site.url}/incidents/{chat.id}")
    assert page.get_by_test_id("incident-status").inner_text() == "open"
    page.get_by_role("button", name="Acknowledge").click()
    assert page.get_by_role("status").inner_text() == "The incident is acknowledged."
    assert page.get_by_test_id("incident-status").inner_text() == "acknowledged"

    form = page.get_by_role("region", name="Record a decision")
    form.get_by_label("Decision").select_option("pause")
    # The account is a governance person: decisions are taken in that person's name only.
    assert "You act as Dev Raman (dev-raman)" in page.get_by_test_id("acting-as").inner_text()
    form.get_by_label("Why").fill("Customers contest the chat's answers; pause first.")
    form.get_by_role("button", name="Record the decision as Dev Raman").click()
    assert page.get_by_role("status").inner_text() == "The decision is recorded."
    assert page.get_by_test_id("deployment-status").inner_text() == "paused"
    timeline = page.locator("ol.timeline li[data-kind=decision]")
    assert "by dev-raman" in timeline.inner_text()
    tab.assert_clean()

    assert current_governance(site.ws).deployment("support-chat").status is Lifecycle.PAUSED  # type: ignore[union-attr]
    assert incidents.get_incident(site.ws, chat.id).status == "acknowledged"
    [made] = decisions.list_decisions(site.ws, incident_id=chat.id)
    assert (made.action, made.by, made.status_after) == ("pause", "dev-raman", "paused")
    assert made.authority == "pause right on support-chat"

    # The data protection officer may use the decision form, not pause the voice agent.
    other = new_tab()
    other.sign_in("oluwaseun-bello")
    other.go(f"/incidents/{voice.id}")
    form = other.page.get_by_role("region", name="Record a decision")
    form.get_by_label("Decision").select_option("pause")
    assert "(oluwaseun-bello)" in other.page.get_by_test_id("acting-as").inner_text()
    form.get_by_label("Why").fill("I would rather stop it now.")
    form.get_by_role("button", name="Record the decision as Oluwaseun Bello").click()
    refusal = form.get_by_role("alert").inner_text()
    assert "oluwaseun-bello may not pause billing-voice" in refusal
    assert "Who may decide: dev-raman, marco-ricci (the pause right on billing-voice)" in refusal
    assert other.page.get_by_test_id("deployment-status").inner_text() == "scaling"
    other.assert_clean(403)

    gov = current_governance(site.ws)
    assert gov.deployment("billing-voice").status is Lifecycle.SCALING  # type: ignore[union-attr]
    assert decisions.list_decisions(site.ws, incident_id=voice.id) == []


def test_a_customer_asks_for_a_human_review_and_reads_the_outcome_staff_recorded(
    site: Site, new_tab: TabFactory
) -> None:
    customer = new_tab()
    page = customer.page
    customer.go("/ai/billing-voice")
    assert page.get_by_role("heading", level=1).inner_text() == "Billing voice agent"
    page.get_by_role("link", name="Ask for a human review").click()
    assert page.get_by_label("Which service was it?").input_value() == "billing-voice"
    page.get_by_label("Your reference").fill("INV-WALK-4471")
    page.get_by_label("What happened?").fill(
        "The voice agent refused my refund for a double charge."
    )
    page.get_by_label("How can we reach you?").fill("kim.customer@example.org")
    page.get_by_label(CONSENT_TEXT).check()
    page.get_by_role("button", name="Send my request").click()
    assert page.get_by_role("heading", level=1).inner_text() == "We have your request"
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert code.startswith("RV-")

    page.get_by_role("link", name="Follow your request").click()
    page.get_by_label("Tracking code").fill(code)
    page.get_by_role("button", name="Show the status").click()
    assert page.get_by_test_id("review-status").inner_text() == STATUS_WORDS["received"]
    customer.assert_clean()

    [mine] = [r for r in list_reviews(site.ws) if r.reference == "INV-WALK-4471"]
    assert (mine.deployment, mine.contact, mine.status) == (
        "billing-voice",
        "kim.customer@example.org",
        "received",
    )

    staff = new_tab()
    staff.sign_in("ines-duarte")
    staff.page.get_by_role("link", name="Reviews", exact=True).click()
    staff.page.get_by_role("link", name=f"#{mine.id}", exact=True).click()
    assert "refused my refund" in staff.page.get_by_test_id("description").inner_text()
    staff.page.get_by_role("button", name="Start review").click()
    staff.page.get_by_role("radio", name=f"changed: {OUTCOME_WORDS['changed']}").check()
    answer = "We checked the two charges: one was a mistake. The refund is on its way."
    staff.page.get_by_label("What the customer will read").fill(answer)
    staff.page.get_by_role("button", name="Resolve request").click()
    assert staff.page.get_by_role("heading", name="Outcome: changed").is_visible()
    staff.assert_clean()

    resolved = get_review(site.ws, mine.id)
    assert (resolved.status, resolved.outcome, resolved.resolved_by) == (
        "resolved",
        "changed",
        "ines-duarte",
    )
    assert resolved.outcome_text == answer
    # The plain-language explanation staff record for the request reaches the customer too.
    said = "The assistant read the second charge as a new order and refused the refund."
    record_explanation(
        site.ws, resolved.deployment, said, ["order history"], "ines-duarte", review_id=mine.id
    )

    customer.go("/review/status")
    page.get_by_label("Tracking code").fill(code)
    page.get_by_role("button", name="Show the status").click()
    assert page.get_by_test_id("review-status").inner_text() == STATUS_WORDS["resolved"]
    assert page.get_by_role("heading", name=OUTCOME_WORDS["changed"]).is_visible()
    assert page.get_by_test_id("outcome-text").inner_text() == answer
    explained = page.get_by_test_id("explanation")
    assert said in explained.inner_text() and "order history" in explained.inner_text()
    customer.assert_clean()


def test_frontline_staff_send_anonymous_feedback_and_follow_it_and_no_name_is_stored(
    site: Site, new_tab: TabFactory
) -> None:
    tab = new_tab()
    page = tab.page
    tab.sign_in("marco-ricci")
    page.get_by_role("link", name="Feedback", exact=True).click()
    page.get_by_label("Which AI service?").select_option(label="Billing voice agent")
    page.get_by_label("What went wrong?").select_option(label="Wrong or misleading answer")
    said = "The voice agent quoted last year's roaming price to a caller this morning."
    page.get_by_label("What happened?").fill(said)
    page.get_by_label("Send anonymously").check()
    page.get_by_role("button", name="Send feedback").click()
    assert "It was stored without your name." in page.locator("main").inner_text()
    code = page.get_by_test_id("follow-up-code").inner_text().strip()
    assert code.startswith("FB-")

    page.get_by_role("link", name="Follow your feedback").click()
    page.get_by_role("textbox", name="Follow-up code").fill(code)
    page.get_by_role("button", name="Show progress").click()
    assert page.get_by_test_id("feedback-status").inner_text() == FEEDBACK_STATUS_WORDS["new"]
    # Anonymous flags are not "mine": nothing ties them to the account.
    tab.go("/feedback")
    assert said not in page.locator("main").inner_text()
    tab.assert_clean()

    with site.ws.transaction() as session:
        [flag] = session.scalars(select(FeedbackRecord).where(FeedbackRecord.description == said))
        assert (flag.anonymous, flag.reporter, flag.deployment) == (True, None, "billing-voice")
        # The flag's entry waits for the day's anonymous batch of the audit log: it names
        # nobody (the batch is chained with the actor "anonymous") and keeps the day only.
        entries = session.scalars(
            select(AuditPendingRecord).where(
                AuditPendingRecord.table_name == "frontline_feedback",
                AuditPendingRecord.object_key == str(flag.id),
            )
        ).all()
        assert entries, "the audit log recorded nothing for the flag"
        assert ANONYMOUS == "anonymous"
        for entry in entries:
            assert "marco" not in entry.changes.lower()


def test_the_tab_reports_a_blocked_inline_script_so_a_clean_walk_means_something(
    new_tab: TabFactory,
) -> None:
    tab = new_tab()
    tab.go("/review")
    tab.assert_clean()
    tab.page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    # The console event arrives asynchronously; give it a moment.
    tab.page.wait_for_timeout(300)
    assert tab.page.evaluate("window.__ran === undefined")
    assert any(p.startswith("error: CSP violation: script-src") for p in tab.problems)
    with pytest.raises(AssertionError, match="the browser reported"):
        tab.assert_clean()
