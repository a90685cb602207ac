"""`verify_audit` reconciles the registry with the state the audit log replays to.

A workspace is filled through the real services (governance, thresholds, a cycle with named
and anonymous answers, invitations, feedback, an incident, a data load and a baseline), then
tampered with through Python's own sqlite3 module, as a user with the database file would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from test_reviews import declare

from cxsteward.config import Settings
from cxsteward.domain.scale import RoleGroup
from cxsteward.domain.thresholds import Threshold
from cxsteward.errors import Invalid
from cxsteward.services.assessment import cycles as assessment
from cxsteward.services.assessment.invitations import (
    create_invitations,
    save_answers,
    start_invitation,
)
from cxsteward.services.audit.log import verify_audit
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.incidents.lifecycle import open_incident
from cxsteward.services.monitoring.baselines import check_freeze_date, freeze_baseline
from cxsteward.services.monitoring.thresholds import add_thresholds
from cxsteward.services.people.feedback import submit_feedback, triage_feedback
from cxsteward.services.workspace import Workspace, init_workspace

START = date(2025, 1, 1)
RULES = [
    Threshold(id="complaints", metric="complaint_rate", direction="above", ratio=1.5),
    Threshold(id="csat-gap", metric="csat_satisfied_rate", direction="below", points=5),
]
# Tables that are not audited (registry/audit.py NOT_AUDITED), plus Alembic's own.
UNAUDITED = {
    "audit_log",
    "audit_head",
    "audit_pending",
    "baseline_values",
    "findings",
    "web_sessions",
    "rate_limits",
    "alembic_version",
    "data_load_ids",
}


@pytest.fixture(scope="module")
def contacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reconcile") / "contacts.parquet"
    synthesize(path, 3_000, seed=7, start=START, days=30)
    return path


@pytest.fixture
def filled(tmp_path: Path, contacts: Path) -> Iterator[Workspace]:
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    declare(ws)
    add_thresholds(ws, RULES)
    assessment.open_cycle(ws, "2026-Q4")
    named = assessment.add_respondent(
        ws, "2026-Q4", RoleGroup.EXECUTIVE, anonymous=False, name="Ana"
    )
    hidden = assessment.add_respondent(ws, "2026-Q4", RoleGroup.FRONTLINE, anonymous=True)
    for code in (named.code, hidden.code):
        assessment.answer_question(ws, "2026-Q4", code, "STR-01", 3)
        assessment.answer_question(ws, "2026-Q4", code, "STR-01", 1, "on second thoughts")
        assessment.answer_question(ws, "2026-Q4", code, "STR-01", 3)  # back again
    (link,) = create_invitations(ws, "2026-Q4", "frontline", by="lead", labels=["Jo"])
    start_invitation(ws, link.token, anonymous=True, name=None)
    save_answers(ws, link.token, {"GOV-01": (2, None)})
    save_answers(ws, link.token, {"GOV-01": (4, None)})
    flag = submit_feedback(ws, "support-chat", "tone", "Joked about a loss.", anonymous=True)
    triage_feedback(ws, flag.id, "sev3", by="omar")
    submit_feedback(ws, "support-chat", "other", "Loops on refunds.", by="finn")
    open_incident(ws, "Refund loop", "support-chat", "sev3", by="omar")
    load_data(ws, contacts)
    freeze_baseline(ws, "before-go-live", START, START + timedelta(days=20))
    yield ws
    ws.close()


def sql(ws: Workspace, *statements: str) -> None:
    with sqlite3.connect(ws.settings.workspace / "registry.sqlite") as connection:
        for statement in statements:
            connection.execute(statement)


def one(ws: Workspace, query: str) -> object:
    with sqlite3.connect(ws.settings.workspace / "registry.sqlite") as connection:
        return connection.execute(query).fetchone()[0]


def test_an_untouched_workspace_reconciles_clean(filled: Workspace) -> None:
    result = verify_audit(filled)
    assert result.problem is None
    assert result.drift == []
    assert result.intact
    assert result.held > 0  # the anonymous changes wait for the day's end


def test_each_change_made_outside_cxsteward_is_reported(filled: Workspace) -> None:
    anonymous_answer = one(
        filled,
        "SELECT a.id FROM assessment_answers a JOIN assessment_respondents r "
        "ON r.id = a.respondent_id WHERE r.anonymous AND a.question_id = 'STR-01'",
    )
    named_flag = one(filled, "SELECT id FROM frontline_feedback WHERE NOT anonymous")
    stored_at = one(filled, "SELECT created_at FROM thresholds WHERE id = 1")
    sql(
        filled,
        "UPDATE thresholds SET created_at = '2024-01-01 00:00:00.000000' WHERE id = 1",
        "UPDATE gov_deployments SET name = 'Renamed' WHERE key = 'support-chat'",
        f"UPDATE assessment_answers SET value = 0 WHERE id = {anonymous_answer}",
        "UPDATE incidents SET severity = 'sev4', owner = 'mallory'",
        "INSERT INTO thresholds (rule_id, definition, created_at) "
        "VALUES ('forged', '{}', '2024-01-01 00:00:00.000000')",
        f"DELETE FROM frontline_feedback WHERE id = {named_flag}",
    )
    result = verify_audit(filled)
    assert not result.intact and result.problem is None  # the chain itself is untouched
    found = {(d.table, d.key, d.column, d.kind): d for d in result.drift}
    deployment = one(filled, "SELECT id FROM gov_deployments WHERE key = 'support-chat'")
    incident = one(filled, "SELECT id FROM incidents")
    assert set(found) == {
        ("thresholds", "1", "created_at", "changed"),
        ("gov_deployments", str(deployment), "name", "changed"),
        ("assessment_answers", str(anonymous_answer), "value", "changed"),
        ("incidents", str(incident), "severity", "changed"),
        ("incidents", str(incident), "owner", "changed"),
        ("thresholds", "3", None, "inserted"),
        ("frontline_feedback", str(named_flag), None, "deleted"),
    }
    created = found[("thresholds", "1", "created_at", "changed")]
    assert created.stored == "2024-01-01T00:00:00+00:00"
    assert created.audited.startswith(str(stored_at)[:19].replace(" ", "T"))
    assert "thresholds row 1, column created_at: stored" in created.message
    answer = found[("assessment_answers", str(anonymous_answer), "value", "changed")]
    # The anonymous answer went 3 -> 1 -> 3 in held entries of no order: the log says 3.
    assert (answer.stored, answer.audited) == (0, 3)
    name = found[("gov_deployments", str(deployment), "name", "changed")]
    assert name.stored == "Renamed" and name.audited != "Renamed"
    owner = found[("incidents", str(incident), "owner", "changed")]
    assert owner.stored == "mallory"


def test_an_emptied_log_and_head_leave_every_row_unaccounted_for(filled: Workspace) -> None:
    sql(filled, "DELETE FROM audit_log", "DELETE FROM audit_head", "DELETE FROM audit_pending")
    with sqlite3.connect(filled.settings.workspace / "registry.sqlite") as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if name not in UNAUDITED
        ]
        rows = sum(connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables)
    result = verify_audit(filled)
    assert result.entries == 0 and result.problem is None
    assert not result.intact
    assert rows > 20
    assert len(result.drift) == rows
    assert {d.kind for d in result.drift} == {"inserted"}


@pytest.mark.parametrize(
    ("frozen", "date_to", "refused"),
    [
        (datetime(2026, 3, 3, 9, tzinfo=UTC), date(2026, 3, 31), True),
        (datetime(2026, 3, 31, 23, 59, tzinfo=UTC), date(2026, 3, 31), True),  # same day
        (datetime(2026, 4, 1, 0, 0, tzinfo=UTC), date(2026, 3, 31), False),
        (datetime(2026, 11, 2, tzinfo=UTC), date(2026, 3, 31), False),
    ],
    ids=["weeks-early", "same-day", "day-after", "months-after"],
)
def test_a_freeze_date_before_the_data_ends_is_refused(
    frozen: datetime, date_to: date, refused: bool
) -> None:
    if not refused:
        check_freeze_date(frozen, date_to)
        return
    with pytest.raises(Invalid) as error:
        check_freeze_date(frozen, date_to)
    assert f"frozen on {frozen:%Y-%m-%d}" in str(error.value)
    assert f"data ends ({date_to}, end of day UTC)" in str(error.value)


def test_freezing_a_range_that_ends_today_is_refused_and_writes_nothing(
    filled: Workspace,
) -> None:
    today = datetime.now(UTC).date()
    with pytest.raises(Invalid, match=f"cannot hold data up to {today}"):
        freeze_baseline(filled, "too-early", START, today)
    assert one(filled, "SELECT COUNT(*) FROM baselines WHERE name = 'too-early'") == 0


def test_a_freeze_date_rewritten_before_the_data_is_reported(filled: Workspace) -> None:
    sql(filled, "UPDATE baselines SET created_at = '2025-01-05 00:00:00.000000'")
    drift = verify_audit(filled).drift
    assert [(d.table, d.column, d.stored) for d in drift] == [
        ("baselines", "created_at", "2025-01-05T00:00:00+00:00")
    ]
