"""The demo's consent records: notices on every channel, choices imported and taken by phone.

The legal team (lena-fischer) records the data-use notice of each channel the week the
company adopts cxsteward, in force from before the first exported contact, and a second
version of the support chat's notice later on. Customers' choices come in from the
preferences centre's export, and one by phone. Two customers who opted out were still
served by the support chat's AI afterwards: that is what ``consent check`` and the
monitoring runs report (docs/demo.md).
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from cxsteward.domain.consent import ChoiceKind, ChoiceSource
from cxsteward.services.consent.choices import add_choice
from cxsteward.services.consent.imports import COLUMNS, import_choices
from cxsteward.services.consent.models import ChoiceCreate, NoticeCreate
from cxsteward.services.consent.notices import add_notice
from cxsteward.services.demo.contacts import SALES
from cxsteward.services.demo.monitoring import DataPlan
from cxsteward.services.demo.story import Story
from cxsteward.services.workspace import Workspace

LEGAL = "lena-fischer"
ANALYST = "ines-duarte"
NOTICE_LEAD = 30  # days the first notices were in force before the first exported contact
NOTICES = {
    ("support-chat", "chat"): "Kestrel's AI assistant answers first and learns from chats "
    "kept 90 days; type 'agent' for a person, or opt out of AI chats in your settings.",
    ("support-chat", "email"): "Replies may be drafted by AI and checked by our care team; "
    "emails are kept 2 years. Opt out of AI drafting in your settings.",
    ("billing-voice", "voice"): "Calls are answered by an automated assistant and recorded "
    "for 30 days; say 'person' at any time, or ask us to never route you to it.",
    ("sales-assistant", "chat"): "Sales chats use your plan and usage to suggest upgrades; "
    "since its launch Kes, a virtual advisor, answers first. Type 'agent' for a person.",
}
URL = "https://kestrel.example/privacy/ai"
# Days ago: the second chat notice takes effect, the choices' export is imported.
NOTICE_V2, IMPORTED = 70, 12


def plan_consent(story: Story, ws: Workspace, data: DataPlan, adopted: date, seed: int) -> None:
    """Add the notices and the choices to the story (choices drawn from the demo's contacts).

    A deployment's notice is recorded once the deployment is declared (the sales advisor at
    its launch), dated from when the channel's notice was first published.
    """
    effective = data.start - timedelta(days=NOTICE_LEAD)
    for (deployment, channel), summary in NOTICES.items():
        notice = NoticeCreate(
            deployment=deployment,
            channel=channel,
            version=f"{effective:%Y-%m}",
            summary=summary,
            url=URL,
            effective_from=effective,
        )
        recorded = data.sales_launch if deployment == SALES else adopted + timedelta(days=1)
        story.on(recorded, 11, partial(add_notice, ws, notice, LEGAL))
    later = story.day(NOTICE_V2)
    second = NoticeCreate(
        deployment="support-chat",
        channel="chat",
        version=f"{later:%Y-%m}",
        summary=NOTICES[("support-chat", "chat")] + " Chats now also train the assistant.",
        url=URL,
        effective_from=later,
    )
    story.on(later - timedelta(days=3), 10, partial(add_notice, ws, second, LEGAL))
    contacts = ws.settings.workspace / "demo-contacts.parquet"
    rows = _choices(contacts, story.day(IMPORTED), random.Random(seed))
    path = ws.settings.workspace / "demo-consent-choices.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    story.on(story.day(IMPORTED), 9, partial(import_choices, ws, path, ANALYST))
    by_phone = ChoiceCreate(
        customer_id=str(rows[-1][0]),
        kind=ChoiceKind.DATA_USE_OBJECTION,
        chosen_at=datetime.combine(story.day(5), time(14, 20), UTC),
        source=ChoiceSource.PHONE,
        deployment="billing-voice",
        data_use="call recordings used to train the voice assistant",
    )
    story.on(story.day(5), 14.5, partial(add_choice, ws, by_phone, "marco-ricci"))


def _choices(contacts: Path, imported: date, rng: random.Random) -> list[list[str]]:
    """The preferences centre's export: opt-outs (two not honoured), objections, a withdrawal."""
    table = pq.read_table(
        contacts, columns=["customer_id", "started_at", "handler", "deployment"]
    ).to_pylist()
    seen: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for row in table:
        seen[row["customer_id"]].append((row["started_at"], row["handler"], row["deployment"]))
    cutoff = datetime.combine(imported, time(), UTC)
    chat_only = sorted(
        c
        for c, contacts_of in seen.items()
        if len(contacts_of) >= 2
        and all(d == "support-chat" for _, _, d in contacts_of)
        and max(t for t, _, _ in contacts_of) < cutoff
    )
    rng.shuffle(chat_only)
    breached = [c for c in chat_only if _ai_after_first(seen[c])][:2]
    honoured = [c for c in chat_only if c not in breached][:6]
    rows: list[list[str]] = []
    for customer in breached:
        first = min(seen[customer])[0]
        # Opted out an hour after the first chat; the AI still took a later one.
        rows.append(_row(customer, ChoiceKind.AI_OPT_OUT, first + timedelta(hours=1), "web_form"))
    for customer in honoured[:4]:
        last = max(seen[customer])[0]
        rows.append(_row(customer, ChoiceKind.AI_OPT_OUT, last + timedelta(hours=2), "email"))
    withdrawn = honoured[4]
    first = min(seen[withdrawn])[0]
    rows.append(
        _row(
            withdrawn,
            ChoiceKind.AI_OPT_OUT,
            first - timedelta(days=2),
            "web_form",
            withdrawn_at=first - timedelta(days=1),
        )
    )
    objecting = honoured[5]
    rows.append(
        _row(
            objecting,
            ChoiceKind.DATA_USE_OBJECTION,
            min(seen[objecting])[0],
            "letter",
            deployment="support-chat",
            data_use="chat transcripts used to train the assistant",
        )
    )
    return rows


def _ai_after_first(contacts: list[tuple[datetime, str, str]]) -> bool:
    ordered = sorted(contacts)
    return any(handler == "ai" for t, handler, _ in ordered[1:] if t > ordered[0][0])


def _row(
    customer: str,
    kind: ChoiceKind,
    at: datetime,
    source: str,
    *,
    deployment: str = "",
    data_use: str = "",
    withdrawn_at: datetime | None = None,
) -> list[str]:
    """One line of the export, in the order of ``COLUMNS``."""
    moment = at.astimezone(UTC).replace(microsecond=0).isoformat()
    gone = "" if withdrawn_at is None else withdrawn_at.replace(microsecond=0).isoformat()
    return [customer, kind.value, moment, source, deployment, "", data_use, gone]
