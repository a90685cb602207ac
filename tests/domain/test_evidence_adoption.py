"""PPL-10 with staff adoption: evidenced, partly, not evidenced and no records."""

from __future__ import annotations

import dataclasses
from datetime import date

from evidence_world import TODAY, at, facts

from cxsteward.domain.governance.evidence import RULES
from cxsteward.domain.governance.evidence_adoption import (
    AdoptionEvidence,
    AdoptionFollowUp,
    AdoptionRunEvidence,
    staff_adoption,
)
from cxsteward.domain.governance.evidence_base import EvidenceFacts

DEP = "support-bot"


def adopted(**changes: object) -> EvidenceFacts:
    """The good world with human contacts assisted, a recent adoption run with a finding,
    and an incident on override_rate opened after it."""
    run = AdoptionRunEvidence(7, at(date(2026, 6, 10)), (DEP,), (DEP,))
    base = dataclasses.replace(
        facts(),
        adoption=[AdoptionEvidence(DEP, 2000, 1950)],
        adoption_runs=[run],
        adoption_follow_ups=[AdoptionFollowUp(DEP, "override_rate", at(date(2026, 6, 11)))],
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_ppl10_is_judged_by_the_adoption_rule() -> None:
    assert next(r for r in RULES if r.question_id == "PPL-10").judge is staff_adoption


def test_evidenced_when_figures_were_computed_and_findings_taken_up() -> None:
    outcome = staff_adoption(adopted())
    assert outcome.verdict == "evidenced"
    text = " | ".join(i.text for i in outcome.items)
    assert "support-bot: the assistant's suggestions are recorded on 97.5% of 2,000" in text
    assert "support-bot: monitoring run 7 computed adoption figures per team and agent" in text
    assert "1 adoption finding(s) of the last month, taken up by an incident on override_rate" in (
        text
    )


def test_partly_when_a_finding_was_never_taken_up() -> None:
    outcome = staff_adoption(adopted(adoption_follow_ups=[]))
    assert outcome.verdict == "partly"
    assert any("no incident on override_rate or assist_rate" in i.text for i in outcome.items)
    # An incident resolved before the finding's run does not take it up; one still open does.
    early = AdoptionFollowUp(DEP, "override_rate", at(date(2026, 5, 1)), at(date(2026, 6, 1)))
    assert staff_adoption(adopted(adoption_follow_ups=[early])).verdict == "partly"
    still_open = dataclasses.replace(early, ended_at=None)
    assert staff_adoption(adopted(adoption_follow_ups=[still_open])).verdict == "evidenced"


def test_partly_when_no_recent_run_computed_adoption_figures() -> None:
    old = AdoptionRunEvidence(3, at(date(2026, 4, 20)), (DEP,))
    outcome = staff_adoption(adopted(adoption_runs=[old]))
    assert outcome.verdict == "partly"
    assert any(
        "no monitoring run of the last month computed adoption" in i.text for i in outcome.items
    )


def test_not_evidenced_when_nothing_is_recorded_or_computed() -> None:
    nothing = adopted(
        adoption=[AdoptionEvidence(DEP, 2000, 100)],
        adoption_runs=[],
        loads=[dataclasses.replace(x, null_rate={"agent_id": 1.0}) for x in facts().loads],
        usage=[dataclasses.replace(u, override_recorded=0) for u in facts().usage],
        runs=[dataclasses.replace(r, slices=()) for r in facts().runs],
    )
    outcome = staff_adoption(nothing)
    assert outcome.verdict == "not_evidenced", [i.text for i in outcome.items]


def test_no_records_without_data() -> None:
    assert staff_adoption(EvidenceFacts(today=TODAY)).verdict == "no_records"


def test_deployments_without_human_contacts_or_not_live_add_nothing() -> None:
    quiet = adopted(adoption=[AdoptionEvidence(DEP, 0, 0), AdoptionEvidence("retired", 50, 0)])
    texts = [i.text for i in staff_adoption(quiet).items]
    assert not any(t.startswith(("support-bot: the assistant", "retired")) for t in texts)
