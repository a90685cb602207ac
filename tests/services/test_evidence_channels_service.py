"""The channel evidence (TRU-03, TRU-04, PPL-09, GOV-05) gathered from a real workspace.

Requests, explanations and flags go through the same services the web app and the API
call; the facts the rules read must be what those services recorded, and the verdicts
must follow from them as worked out by hand here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cxsteward.domain.governance.spec import Governance
from cxsteward.services.assessment.evidence import collect_facts, evidence_for
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.people.feedback import act_on_feedback, submit_feedback, triage_feedback
from cxsteward.services.trust.explanations import record_explanation
from cxsteward.services.trust.reviews import resolve_review, start_review, submit_review_request
from cxsteward.services.workspace import Workspace

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


def governance() -> Governance:
    return Governance.model_validate(
        {
            "organization": "Example Co",
            "people": [
                {"key": "ana", "name": "Ana", "function": "cx"},
                {"key": "ben", "name": "Ben", "function": "technology"},
            ],
            "deployments": [
                {
                    "key": "bot",
                    "name": "Bot",
                    "function": "support",
                    "channels": ["chat"],
                    "go_live": (TODAY - timedelta(days=60)).isoformat(),
                    "status": "pilot",
                    "disclosure": {"chat": "You are chatting with an AI assistant."},
                    "decision_rights": {"pause": ["ana"], "modify": ["ben"]},
                }
            ],
        }
    )


def verdict(ws: Workspace, question: str) -> tuple[str, list[str]]:
    report = evidence_for(ws, today=TODAY)
    q = next(q for q in report.questions if q.question_id == question)
    return q.verdict, [i.text for i in q.items]


def test_the_rules_read_what_the_services_recorded(ws: Workspace) -> None:
    apply_governance(ws, governance())
    assert all(verdict(ws, q)[0] == "no_records" for q in ("TRU-03", "TRU-04", "PPL-09"))
    received = [NOW - timedelta(days=d) for d in (40, 30, 20)]
    ids = [
        submit_review_request(
            ws, "bot", "The bot refused my refund.", "a@example.com", at=moment
        ).id
        for moment in received
    ]
    # The first is answered in a day and explained; the second in a day, unexplained;
    # the third is never answered and is long past its due time.
    for review_id, moment in zip(ids[:2], received[:2], strict=True):
        start_review(ws, review_id, by="ana", at=moment + timedelta(hours=2))
        resolve_review(
            ws, review_id, "upheld", "We refunded you.", by="ana", at=moment + timedelta(days=1)
        )
    record_explanation(
        ws,
        "bot",
        "The assistant read the order as past the refund window.",
        ["order date"],
        by="ana",
        review_id=ids[0],
        at=received[0] + timedelta(days=1, hours=1),
    )
    facts = collect_facts(ws, TODAY)
    assert [r.id for r in facts.reviews] == ids
    assert [r.received_at for r in facts.reviews] == received
    assert facts.reviews[0].explained_at == received[0] + timedelta(days=1, hours=1)
    assert facts.reviews[1].explained_at is None and facts.reviews[2].resolved_at is None

    tru04, items = verdict(ws, "TRU-04")
    assert tru04 == "partly"
    assert "2 of 3 request(s) due were answered in time (66.7%; 90.0% needed)" in items
    assert "1 request(s) past their due time and still unanswered" in items
    tru03, items = verdict(ws, "TRU-03")
    assert tru03 == "not_evidenced"
    assert items == [
        "deployment bot: 1 of 2 answered request(s) came with a plain-language explanation "
        "(50.0%; 90.0% needed)"
    ]


def test_flags_and_policy_changes_reach_the_rules(ws: Workspace) -> None:
    apply_governance(ws, governance())
    submitted = [NOW - timedelta(days=d) for d in (30, 12)]
    receipts = [
        submit_feedback(ws, "bot", "wrong_answer", "It quoted the old price.", by="ana", at=m)
        for m in submitted
    ]
    triage_feedback(ws, receipts[0].id, "sev3", by="ben", at=submitted[0] + timedelta(days=2))
    act_on_feedback(
        ws, receipts[0].id, "Price list updated.", by="ben", at=submitted[0] + timedelta(days=3)
    )
    facts = collect_facts(ws, TODAY)
    assert [f.submitted_at for f in facts.flags] == submitted
    assert facts.flags[0].acted_at == submitted[0] + timedelta(days=3)
    ppl09, items = verdict(ws, "PPL-09")
    # The second flag has waited 12 days untriaged: late; the first led to a change.
    assert ppl09 == "partly"
    assert "1 of 2 flag(s) waited more than 7 days for triage" in items
    assert "1 flag(s) led to a recorded change in the last 180 days" in items
    # Applying the governance file is a revision of the policy, on today's date.
    assert {t.date() for t in facts.policy_changes} == {datetime.now(UTC).date()}
    gov05, items = verdict(ws, "GOV-05")
    assert gov05 == "evidenced"
    assert items[0].startswith("the governance setup was revised on 1 day(s) in the last 183 days")
