"""TRU-01 from the consent records: notices on every channel, choices kept and honoured (C2).

Customers are told what happens to their data (a notice version in force on every channel
of every live customer-facing deployment), their choices are recorded, and the data shows
that no customer who opted out of AI handling was handled by the AI after the choice.
"""

from __future__ import annotations

from cxsteward.domain.consent import ConsentEvidence, in_force
from cxsteward.domain.governance.evidence_base import (
    EvidenceFacts,
    Outcome,
    check,
    judged,
    no,
    no_records,
)
from cxsteward.domain.governance.evidence_oversight import NO_LIVE, NOT_APPLIED
from cxsteward.domain.results import EvidenceItem

NOTHING = "no data-use notice and no customer choice is recorded"


def consent(facts: EvidenceFacts) -> Outcome:
    """TRU-01: notices in force on each live channel, choices recorded, opt-outs honoured."""
    if facts.governance is None:
        return no_records(NOT_APPLIED)
    if not facts.live:
        return no_records(NO_LIVE)
    records = facts.consent
    if records is None or (not records.notices and records.choices == 0):
        return no_records(NOTHING)
    items: list[EvidenceItem] = []
    for dep in facts.live:
        if not dep.channels:
            items.append(no(f"deployment {dep.key} lists no channels to give a notice on"))
        for channel in dep.channels:
            current = in_force(records.notices, dep.key, channel, facts.today)
            items.append(
                check(
                    current is not None,
                    f"{dep.key} on {channel}: no data-use notice in force"
                    if current is None
                    else f"{dep.key} on {channel}: notice {current.version} in force since "
                    f"{current.effective_from}",
                )
            )
    items.append(
        check(
            records.choices > 0,
            f"{records.choices} customer choices recorded ({records.opt_outs} AI opt-outs)"
            if records.choices
            else "no customer choice is recorded: customers are offered none, or it is not kept",
        )
    )
    items.append(_honoured(records))
    return judged(items)


def _honoured(records: ConsentEvidence) -> EvidenceItem:
    breaches, customers = records.breaches, records.breached_customers
    if breaches is None:
        return no("no contacts are loaded: whether opt-outs were honoured cannot be measured")
    identified = records.identified_contacts
    if identified == 0:
        return no("the contacts carry no customer_id: opt-outs cannot be matched with them")
    return check(
        breaches == 0,
        f"no opted-out customer was handled by the AI after the choice ({identified:,} "
        "contacts carry a customer id)"
        if breaches == 0
        else f"{breaches} AI contacts of {customers} customers after they opted out of AI handling",
    )
