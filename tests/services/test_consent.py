"""Consent: notices superseding each other, choices with their rules, and breaches in the store.

Breaches are checked against pandas computing the same rule over the store's Parquet
files, row by row, and against the hand-made contacts of ``consent_world``.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from consent_world import NOW, consent_world, moment
from pydantic import ValidationError

from cxsteward.errors import ChoiceNotFound, Conflict, DeploymentNotFound, NotFound
from cxsteward.services.consent.check import check_consent
from cxsteward.services.consent.choices import add_choice, list_choices, withdraw_choice
from cxsteward.services.consent.models import ChoiceCreate, ChoiceWithdraw, NoticeCreate
from cxsteward.services.consent.notices import add_notice, list_notices
from cxsteward.services.data.load import store_path
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.workspace import Workspace


@pytest.fixture
def world(tmp_path: Path) -> Workspace:
    ws = consent_world(tmp_path)
    yield ws  # type: ignore[misc]
    ws.close()


def notice(ws: Workspace, channel: str, version: str, day: date, dep: str = "chat-bot") -> None:
    add_notice(
        ws,
        NoticeCreate(
            deployment=dep,
            channel=channel,
            version=version,
            summary="An AI answers first; ask for a person at any time.",
            effective_from=day,
        ),
        by="lena",
    )


def opt_out(ws: Workspace, customer: str, day: int, hour: int = 12, **scope: str) -> int:
    command = ChoiceCreate(
        customer_id=customer,
        kind="ai_opt_out",
        chosen_at=moment(day, hour),
        source="phone",
        **scope,
    )
    return add_choice(ws, command, by="ines").id


def test_a_new_version_supersedes_the_previous_from_its_day(world: Workspace) -> None:
    notice(world, "chat", "v1", date(2026, 1, 1))
    notice(world, "chat", "v2", date(2026, 3, 15))
    notice(world, "chat", "v3", date(2026, 5, 1))
    statuses = {n.version: (n.status, n.superseded_from) for n in list_notices(world)}
    assert statuses == {
        "v1": ("superseded", date(2026, 3, 15)),
        "v2": ("in_force", date(2026, 5, 1)),
        "v3": ("scheduled", None),
    }
    in_force = {(n.deployment, n.channel): n.version for n in check_consent(world).notices}
    # Live customer-facing channels only: voice-bot is a pilot (live), email has no notice.
    assert in_force == {
        ("chat-bot", "chat"): "v2",
        ("chat-bot", "email"): None,
        ("voice-bot", "voice"): None,
    }


def test_a_notice_names_a_declared_deployment_and_channel_once_per_label_and_day(
    world: Workspace,
) -> None:
    notice(world, "chat", "v1", date(2026, 1, 1))
    with pytest.raises(Conflict, match="already has a notice version 'v1'"):
        notice(world, "chat", "v1", date(2026, 2, 1))
    with pytest.raises(Conflict, match="one version a day"):
        notice(world, "chat", "v2", date(2026, 1, 1))
    with pytest.raises(NotFound, match="has no channel 'sms'; its channels are chat, email"):
        notice(world, "sms", "v1", date(2026, 1, 1))
    with pytest.raises(DeploymentNotFound):
        notice(world, "chat", "v1", date(2026, 1, 1), dep="ghost")
    assert len(list_notices(world)) == 1


def test_a_choice_needs_an_aware_past_time_and_a_scope_that_exists(world: Workspace) -> None:
    base = {"customer_id": "c9", "kind": "ai_opt_out", "source": "web_form"}
    with pytest.raises(ValidationError, match="without a timezone is ambiguous"):
        ChoiceCreate(**base, chosen_at="2026-03-01T10:00:00")
    with pytest.raises(Conflict, match="in the future"):
        add_choice(world, ChoiceCreate(**base, chosen_at=NOW + timedelta(minutes=1)), by="x")
    with pytest.raises(NotFound, match="has no channel 'voice'"):
        add_choice(
            world,
            ChoiceCreate(**base, chosen_at=moment(1), deployment="chat-bot", channel="voice"),
            by="x",
        )
    with pytest.raises(ValidationError, match="spreadsheet would run as a formula"):
        ChoiceCreate(**{**base, "customer_id": "=cmd|' /C calc'!A0"}, chosen_at=moment(1))
    with pytest.raises(ValidationError, match="control character"):
        ChoiceCreate(**{**base, "customer_id": "c\u202e9"}, chosen_at=moment(1))
    # A channel alone holds on every deployment.
    assert add_choice(world, ChoiceCreate(**base, chosen_at=moment(2), channel="chat"), "x").channel
    opt_out(world, "c9", 1)
    with pytest.raises(Conflict, match="recorded already"):
        opt_out(world, "c9", 1)
    assert [c.customer_id for c in list_choices(world)] == ["c9", "c9"]


def test_a_withdrawal_comes_after_the_choice_once(world: Workspace) -> None:
    choice = opt_out(world, "c1", 2)
    with pytest.raises(Conflict, match="not after the choice"):
        withdraw_choice(world, choice, ChoiceWithdraw(withdrawn_at=moment(1), source="email"), "x")
    out = withdraw_choice(world, choice, ChoiceWithdraw(source="email"), "x")
    assert out.withdrawn_at == NOW and out.withdrawn_source == "email"
    with pytest.raises(Conflict, match="withdrawn on"):
        withdraw_choice(world, choice, ChoiceWithdraw(source="email"), "x")
    with pytest.raises(ChoiceNotFound):
        withdraw_choice(world, 999, ChoiceWithdraw(source="email"), "x")


def test_breaches_are_ai_contacts_after_the_choice_within_scope_before_withdrawal(
    world: Workspace,
) -> None:
    # c1: everywhere, from day 2 noon: i02 (chat), i04 (email), i05 (chat); i03 is human.
    opt_out(world, "c1", 2)
    # c2: only chat-bot: i06 (email) counts, i07 (voice-bot) does not.
    opt_out(world, "c2", 4, deployment="chat-bot")
    # c3: chat-bot chat, withdrawn on day 10: i08 counts, i09 (after withdrawal) does not.
    c3 = opt_out(world, "c3", 7, deployment="chat-bot", channel="chat")
    withdraw_choice(world, c3, ChoiceWithdraw(withdrawn_at=moment(10), source="email"), "x")
    # c4: opted out after its only contact: honoured.
    opt_out(world, "c4", 11)
    # An objection is no opt-out of AI handling.
    add_choice(
        world,
        ChoiceCreate(
            customer_id="c3", kind="data_use_objection", chosen_at=moment(1), source="letter"
        ),
        by="x",
    )
    out = check_consent(world)
    found = {(b.deployment, b.channel): [r.interaction_id for r in b.rows] for b in out.breaches}
    assert found == {
        ("chat-bot", "chat"): ["i02", "i08", "i05"],
        ("chat-bot", "email"): ["i06", "i04"],
    }
    chat = out.breaches[0]
    assert (chat.contacts, chat.customers) == (3, 2)
    assert {r.source for r in chat.rows} == {"contacts.parquet"}
    # Oldest first, with the row each came from in the source file (1-based).
    assert [r.source_row for r in chat.rows] == [2, 8, 5]
    assert out.choices.model_dump() == {
        "total": 5,
        "ai_opt_out": 4,
        "data_use_objection": 1,
        "withdrawn": 1,
        "opt_outs_in_force": 3,
    }
    assert out.identified_contacts == 10 and out.failed
    expected = pandas_breaches(world, list_choices(world))
    assert {k: sorted(v) for k, v in found.items()} == {k: sorted(v) for k, v in expected.items()}


def pandas_breaches(ws: Workspace, choices: list) -> dict:  # type: ignore[type-arg]
    """The same rule as a Python loop over the store's rows, read by pandas."""
    files = sorted(store_path(ws).glob("month=*/part-*.parquet"))
    rows = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    found: dict[tuple[str, str], list[str]] = {}
    for row in rows.itertuples():
        if row.handler != "ai" or row.customer_id is None:
            continue
        for c in choices:
            if (
                c.kind == "ai_opt_out"
                and c.customer_id == row.customer_id
                and row.started_at > c.chosen_at
                and (c.withdrawn_at is None or row.started_at < c.withdrawn_at)
                and c.deployment in (None, row.deployment)
                and c.channel in (None, row.channel)
            ):
                found.setdefault((row.deployment, row.channel), []).append(row.interaction_id)
                break
    return found


def test_gaps_are_contacts_before_the_first_notice_of_their_channel(world: Workspace) -> None:
    notice(world, "chat", "v1", date(2026, 3, 5))
    notice(world, "chat", "v2", date(2026, 3, 10))
    notice(world, "voice", "v1", date(2026, 1, 1), dep="voice-bot")
    gaps = {
        (g.deployment, g.channel): (g.contacts, g.first_day, g.last_day)
        for g in check_consent(world).gaps
    }
    # chat: i01, i02, i10 and the human i03 (days 1-4) before v1; email: never one (i04, i06).
    assert gaps == {
        ("chat-bot", "chat"): (4, date(2026, 3, 1), date(2026, 3, 4)),
        ("chat-bot", "email"): (2, date(2026, 3, 5), date(2026, 3, 6)),
    }


def test_monitoring_runs_report_consent_findings_with_their_rows_once_consent_is_kept(
    world: Workspace,
) -> None:
    assert not [f for f in run_monitor(world).findings if f.kind == "consent"]
    opt_out(world, "c1", 2)
    notice(world, "chat", "v1", date(2026, 1, 1))
    notice(world, "email", "v1", date(2026, 1, 1))
    notice(world, "voice", "v1", date(2026, 1, 1), dep="voice-bot")
    findings = [f for f in run_monitor(world).findings if f.kind == "consent"]
    assert [(f.metric, f.scope, f.n) for f in findings] == [
        ("ai_after_opt_out", {"channel": "chat"}, {"contacts": 2, "customers": 1}),
        ("ai_after_opt_out", {"channel": "email"}, {"contacts": 1, "customers": 1}),
    ]
    assert [r.interaction_id for r in findings[0].rows] == ["i02", "i05"]
    assert findings[0].status == "confirmed" and findings[0].severity == "sev2"
    windowed = run_monitor(world, date_from=date(2026, 3, 5)).findings
    assert [len(f.rows) for f in windowed if f.kind == "consent"] == [1, 1]


def test_nothing_is_measured_before_contacts_are_loaded(tmp_path: Path) -> None:
    ws = consent_world(tmp_path, load=False)
    try:
        opt_out(ws, "c1", 2)
        out = check_consent(ws)
        assert not out.measured and out.breaches == [] and not out.failed
    finally:
        ws.close()
