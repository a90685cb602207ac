"""What customers and staff raised in the story, and how the company answered.

Customers ask for human reviews: the support chat's and the sales advisor's are answered
within the SLA (the support chat's newest, two days old, is being reviewed), the billing
voice agent's late or not yet; reviewers explain how the AI shaped each outcome, except on
one billing answer. Frontline staff flag problems:
two are triaged and acted on; the newest, on the billing voice agent, still waits for
triage. The council's latest meeting keeps it within its cadence and names the billing gap;
legal approves the billing correction letter the example file still waited for.
"""

from __future__ import annotations

from functools import partial

from cxsteward.services.demo.story import Step, Story
from cxsteward.services.governance.actions import approve_template, record_meeting
from cxsteward.services.incidents.lifecycle import set_incident_status
from cxsteward.services.people.feedback import act_on_feedback, submit_feedback, triage_feedback
from cxsteward.services.trust.explanations import record_explanation
from cxsteward.services.trust.reviews import resolve_review, start_review, submit_review_request
from cxsteward.services.workspace import Workspace

# (days ago received, deployment, what happened, contact, hours to start, hours to resolve
# or None while open).
REVIEWS: tuple[tuple[int, str, str, str, float, float | None], ...] = (
    (62, "support-chat", "The chat closed my fault ticket before the engineer came.",
     "r.osei@example.com", 3, 20),
    (41, "billing-voice", "The voice agent charged me a late fee after I had paid.",
     "+44 20 7946 0101", 50, 130),
    (33, "sales-assistant", "The advisor moved me to a plan I did not choose.",
     "li.wen@example.com", 2, 26),
    (19, "billing-voice", "I was told my discount ends next month; it does not.",
     "p.haddad@example.com", 60, 150),
    (5, "billing-voice", "The voice agent would not let me dispute a roaming charge.",
     "+44 20 7946 0177", 30, None),
    (2, "support-chat", "The chat says my router is out of warranty; the shop says it is not.",
     "m.kowalski@example.com", 4, None),
)  # fmt: skip
# (days ago, deployment, category, sender, text, triage as (hours later, severity, owner)
# and what changed (hours after triage), or None while untriaged).
FLAGS: tuple[tuple[int, str, str, str, str, tuple[float, str, str, float, str] | None], ...] = (
    (54, "support-chat", "tone", "marco-ricci",
     "The chat apologises three times before answering; customers find it odd.",
     (20, "sev4", "tomasz-wilk", 150, "Shortened the apology in the chat's prompt.")),
    (27, "sales-assistant", "wrong_answer", "ines-duarte",
     "The advisor quoted last year's price of the Plus plan once.",
     (6, "sev4", "amara-mensah", 48, "Price list in the knowledge base refreshed daily.")),
    (12, "billing-voice", "wrong_answer", "marco-ricci",
     "The voice agent tells callers their late fee will be waived; it will not.", None),
)  # fmt: skip
# The plain-language explanation the reviewer writes an hour before answering, by request
# (index into REVIEWS). The billing voice agent's second answered request went out without
# one: TRU-03 sees the gap.
EXPLANATIONS: dict[int, tuple[str, list[str]]] = {
    0: (
        "The chat closes a fault ticket when the line test passes. Your line passed the test "
        "while the fault was intermittent, so the chat took it as fixed.",
        ["line test result", "ticket age"],
    ),
    1: (
        "The voice agent reads payments from the previous evening's file. Your payment came "
        "in after that file was made, so it saw the bill as unpaid.",
        ["payment date", "billing file time"],
    ),
    2: (
        "The advisor suggests the plan that fits your last three months of use. It moved you "
        "because it read your suggestion as accepted when you asked a question.",
        ["usage over three months", "reply read as consent"],
    ),
}
REVIEW_HOUR = 9  # requests arrive at nine in the morning
COUNCIL = ["maya-okafor", "dev-raman", "tomasz-wilk", "lena-fischer", "hana-sato", "marco-ricci"]


def plan_people(story: Story, ws: Workspace) -> None:
    """Add the review requests, frontline flags and the latest council meeting to the story."""
    ids: dict[str, int] = {}
    # A request answered while no other waits on its deployment: its incident is resolved.
    answered = {n for n in range(len(REVIEWS)) if _last_waiting(n)}
    for n, (ago, dep, text, contact, start, resolve) in enumerate(REVIEWS):
        day, key = story.day(ago), f"review-{n}"
        story.on(day, REVIEW_HOUR, _submit_review(ws, ids, key, dep, text, contact))
        story.on(day, REVIEW_HOUR + start, _start_review(ws, ids, key))
        if resolve is None:
            continue
        if n in EXPLANATIONS:
            story.on(day, REVIEW_HOUR + resolve - 1, _explain(ws, ids, key, dep, n))
        story.on(day, REVIEW_HOUR + resolve, _resolve_review(ws, ids, key))
        if n in answered:
            for hours, status in ((resolve + 1, "acknowledged"), (resolve + 2, "resolved")):
                story.on(day, REVIEW_HOUR + hours, _close_incident(ws, ids, key, status))
    for n, (ago, dep, category, sender, text, handled) in enumerate(FLAGS):
        day, key = story.day(ago), f"flag-{n}"
        story.on(day, 11, _flag(ws, ids, key, dep, category, sender, text))
        if handled is not None:
            after, severity, owner, acted, change = handled
            story.on(day, 11 + after, _triage(ws, ids, key, severity, owner))
            story.on(day, 11 + after + acted, _act(ws, ids, key, change, owner))
    # Legal approves the billing correction letter the example file still waits for.
    story.on(
        story.day(100), 16, partial(approve_template, ws, "billing-correction", "lena-fischer")
    )
    story.on(story.day(21), 14, partial(record_meeting, ws, story.day(21), COUNCIL, DECISIONS))


def _last_waiting(n: int) -> bool:
    """Whether request ``n`` is answered and no other of its deployment waits then."""

    def span(r: tuple[int, str, str, str, float, float | None]) -> tuple[float, float]:
        received = -r[0] + REVIEW_HOUR / 24
        return received, received + (r[5] / 24 if r[5] is not None else float("inf"))

    mine = REVIEWS[n]
    if mine[5] is None:
        return False
    closed = span(mine)[1]
    others = (span(o) for i, o in enumerate(REVIEWS) if i != n and o[1] == mine[1])
    return not any(received < closed < done for received, done in others)


DECISIONS = [
    "Billing complaints on the voice agent run about three times the human rate: "
    "billing-voice stays in scaling until the gap closes.",
    "Ask Parlance again for the incident-notification clause and a bias audit right.",
    "The plan upgrade advisor may ask to scale at the next meeting.",
]


def _submit_review(
    ws: Workspace, ids: dict[str, int], key: str, dep: str, text: str, contact: str
) -> Step:
    def step() -> None:
        receipt = submit_review_request(ws, dep, text, contact)
        ids[key], ids[key + "-incident"] = receipt.id, receipt.incident_id

    return step


def _start_review(ws: Workspace, ids: dict[str, int], key: str) -> Step:
    return lambda: start_review(ws, ids[key], "ines-duarte")


def _resolve_review(ws: Workspace, ids: dict[str, int], key: str) -> Step:
    text = "We reviewed your case and corrected it."
    return lambda: resolve_review(ws, ids[key], "changed", text, "dev-raman")


def _explain(ws: Workspace, ids: dict[str, int], key: str, dep: str, n: int) -> Step:
    text, factors = EXPLANATIONS[n]
    return lambda: record_explanation(ws, dep, text, factors, "dev-raman", review_id=ids[key])


def _close_incident(ws: Workspace, ids: dict[str, int], key: str, status: str) -> Step:
    note = "Every review request answered."
    return lambda: set_incident_status(ws, ids[key + "-incident"], status, "dev-raman", note)


def _flag(
    ws: Workspace, ids: dict[str, int], key: str, dep: str, category: str, by: str, text: str
) -> Step:
    def step() -> None:
        ids[key] = submit_feedback(ws, dep, category, text, by=by).id

    return step


def _triage(ws: Workspace, ids: dict[str, int], key: str, severity: str, owner: str) -> Step:
    return lambda: triage_feedback(ws, ids[key], severity, "dev-raman", owner=owner)


def _act(ws: Workspace, ids: dict[str, int], key: str, change: str, owner: str) -> Step:
    return lambda: act_on_feedback(ws, ids[key], change, owner)
