"""TRU-01 from the consent records: met, partly, not met and no records."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from evidence_world import TODAY, facts

from cxsteward.domain.consent import ConsentEvidence, NoticeVersion
from cxsteward.domain.governance.evidence_base import EvidenceFacts
from cxsteward.domain.governance.evidence_consent import consent

NOTICES = tuple(
    NoticeVersion("support-bot", channel, "v1", date(2026, 2, 1)) for channel in ("chat", "email")
)
KEPT = ConsentEvidence(
    notices=NOTICES, choices=12, opt_outs=9, breaches=0, identified_contacts=4000
)


def judged(records: ConsentEvidence | None) -> tuple[str, list[str]]:
    outcome = consent(dataclasses.replace(facts(), consent=records))
    return outcome.verdict, [("+ " if i.supports else "- ") + i.text for i in outcome.items]


def test_met_when_every_channel_has_a_notice_choices_are_kept_and_honoured() -> None:
    verdict, items = judged(KEPT)
    assert verdict == "evidenced"
    assert items == [
        "+ support-bot on chat: notice v1 in force since 2026-02-01",
        "+ support-bot on email: notice v1 in force since 2026-02-01",
        "+ 12 customer choices recorded (9 AI opt-outs)",
        "+ no opted-out customer was handled by the AI after the choice (4,000 contacts carry "
        "a customer id)",
    ]


@pytest.mark.parametrize(
    ("records", "failing"),
    [
        (
            dataclasses.replace(KEPT, notices=NOTICES[:1]),
            "support-bot on email: no data-use notice",
        ),
        (
            # A version that only starts tomorrow is not in force today.
            dataclasses.replace(
                KEPT,
                notices=(
                    NOTICES[0],
                    NoticeVersion("support-bot", "email", "v1", TODAY.replace(day=16)),
                ),
            ),
            "support-bot on email: no data-use notice in force",
        ),
        (
            dataclasses.replace(KEPT, breaches=4, breached_customers=3),
            "4 AI contacts of 3 customers",
        ),
        (dataclasses.replace(KEPT, choices=0, opt_outs=0), "no customer choice is recorded"),
        (dataclasses.replace(KEPT, breaches=None), "cannot be measured"),
        (dataclasses.replace(KEPT, identified_contacts=0), "carry no customer_id"),
    ],
    ids=["channel-without-notice", "scheduled-only", "breach", "no-choices", "no-data", "no-ids"],
)
def test_partly_when_one_part_fails(records: ConsentEvidence, failing: str) -> None:
    verdict, items = judged(records)
    assert verdict == "partly"
    assert [i for i in items if i.startswith("- ")] == [i for i in items if failing in i]
    assert any(failing in i for i in items)


def test_not_met_when_nothing_holds() -> None:
    records = ConsentEvidence(notices=(), choices=3, opt_outs=3, breaches=2, identified_contacts=9)
    # No notice anywhere and a breach, but choices are kept: only that item holds.
    verdict, items = judged(records)
    assert verdict == "partly" and sum(i.startswith("+ ") for i in items) == 1
    nothing_kept = ConsentEvidence(
        notices=(NoticeVersion("other-bot", "chat", "v1", date(2026, 1, 1)),),
        choices=0,
        breaches=None,
    )
    verdict, items = judged(nothing_kept)
    assert verdict == "not_evidenced"
    assert all(i.startswith("- ") for i in items) and len(items) == 4


@pytest.mark.parametrize(
    ("facts_of", "reason"),
    [
        (
            lambda: dataclasses.replace(facts(), consent=None),
            "no data-use notice and no customer choice",
        ),
        (
            lambda: dataclasses.replace(facts(), consent=ConsentEvidence()),
            "no data-use notice and no",
        ),
        (lambda: EvidenceFacts(today=TODAY, consent=KEPT), "no governance has been applied"),
    ],
    ids=["not-collected", "nothing-recorded", "no-governance"],
)
def test_no_records(facts_of: object, reason: str) -> None:
    assert callable(facts_of)
    outcome = consent(facts_of())
    assert outcome.verdict == "no_records"
    assert reason in outcome.items[0].text
